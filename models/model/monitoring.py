"""Benefits realisation: savings budget against actual, per council, with RAG status.

Once a shared service is live the board sees budget against actual in the layout
of seed 000 Appendix A: for each service the budget per council, their total, the
actual, the variance and a comment, grouped into cashable and non-cashable
savings with subtotals, and a status light (seed 000 para 3.1 and 16.1).

Conventions:

* Savings are positive and costs negative (the single management team's
  transitional support costs are a negative line inside the cashable group).
* ``variance = actual - budget to date``: positive is better than budget.
* ``shortfall = -variance / |budget to date|``; the status light follows the
  thresholds (default ``models/reference/rag_thresholds.yaml``): shortfall up to
  5% green, over 5% and up to 15% amber, over 15% red; over-delivery is green.
* Money is held in pounds (floats) once loaded; files may state it in £'000 and
  declare ``unit: GBP_thousands``.
* A quarterly period's actual is the cumulative actual from April to the end of
  that quarter; the budget to date is the annual budget times the cumulative
  budget profile (even quarters unless the file says otherwise).

Typical use (also from a notebook)::

    actuals = load_actuals("scenarios/actuals_2010_11.yaml")
    table = variance_table(actuals)
    status_table(table)
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from models.core.calendar import fy_start_year
from models.core.errors import InputError, InputErrors
from models.core.yamlio import describe, load_yaml
from models.inputs.quantities import Number, WholeNumber
from models.reference import load_reference

Status = Literal["green", "amber", "red"]
UNIT_FACTOR = {"GBP": 1.0, "GBP_thousands": 1000.0}
#: Tolerance on the RAG boundaries, so a shortfall of exactly 5% stays green even
#: when it is computed from figures that are not whole pounds [fraction].
BOUNDARY_TOLERANCE = 1e-9
_ID = r"^[a-z][a-z0-9_]*$"


# --------------------------------------------------------------------------- schema
class _Strict(BaseModel):
    # numbers must be finite: YAML reads .nan, .inf and 1.0e+999 as floats
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class Council(_Strict):
    id: str = Field(pattern=_ID)
    name: str


class Period(_Strict):
    financial_year: str
    quarter: WholeNumber | None = Field(default=None, ge=1, le=4)

    @field_validator("financial_year")
    @classmethod
    def _is_fy_label(cls, value: str) -> str:
        fy_start_year(value)  # raises ValueError with a readable message
        return value


class Thresholds(_Strict):
    """Shortfall thresholds for the status light [fraction of budget]."""

    green_max_shortfall: Number = Field(ge=0)
    amber_max_shortfall: Number = Field(ge=0)

    @model_validator(mode="after")
    def _ordered(self) -> Thresholds:
        if self.amber_max_shortfall < self.green_max_shortfall:
            raise ValueError("amber_max_shortfall must be at least green_max_shortfall")
        return self


class Stated(_Strict):
    """Figures a document states for a subtotal, checked against its rows."""

    budget: dict[str, Number] | None = None
    total: Number | None = None
    actual: Number | None = None
    variance: Number | None = None
    source: str


class Row(_Strict):
    id: str = Field(pattern=_ID)
    label: str
    budget: dict[str, Number]
    service: str | None = None  # the approved case's service this row monitors
    total: Number | None = None
    actual: Number
    variance: Number | None = None
    status: Status | None = None
    status_source: str | None = None
    budget_profile: list[Number] | None = None
    comment: str = ""
    source: str


class Section(_Strict):
    id: str = Field(pattern=_ID)
    label: str | None = None
    subtotal_label: str | None = None
    stated: Stated | None = None
    rows: list[Row] = Field(min_length=1)

    @model_validator(mode="after")
    def _stated_needs_subtotal(self) -> Section:
        if self.stated is not None and self.subtotal_label is None:
            raise ValueError("a section with stated figures needs a subtotal_label")
        return self


class Group(_Strict):
    id: Literal["cashable", "non_cashable"]
    label: str
    subtotal_label: str
    stated: Stated | None = None
    sections: list[Section] = Field(min_length=1)


class Overall(_Strict):
    label: str = "Overall position"
    stated: Stated | None = None
    comment: str = ""


class ApprovedCase(_Strict):
    """The approved business case whose budget a row can take (``service:``)."""

    file: str  # relative to the actuals file
    option: str
    line_item: Literal["Savings", "Net saving"] = "Savings"


class ActualsFile(_Strict):
    kind: Literal["actuals"]
    approved_case: ApprovedCase | None = None
    title: str
    description: str
    source: str
    unit: Literal["GBP", "GBP_thousands"]
    period: Period
    councils: list[Council] = Field(min_length=1)
    budget_profile: list[Number] | None = None
    thresholds: Thresholds | None = None
    footing_tolerance: Number = Field(default=0.0, ge=0)
    groups: list[Group] = Field(min_length=1)
    overall: Overall = Overall()


@dataclass(frozen=True)
class Actuals:
    """A loaded actuals file: its validated spec and its service rows in pounds.

    ``rows`` has one row per service line in display order with columns
    ``group, section, line_id, label, budget_<council>..., budget_total,
    actual, stated_total, stated_variance, status_officer, status_source,
    comment, source, fraction_to_date`` (money in pounds).
    """

    file: str
    spec: ActualsFile
    rows: pd.DataFrame

    @property
    def councils(self) -> list[str]:
        return [c.id for c in self.spec.councils]

    @property
    def council_names(self) -> dict[str, str]:
        return {c.id: c.name for c in self.spec.councils}

    @property
    def budget_columns(self) -> list[str]:
        return [f"budget_{c}" for c in self.councils]


# ------------------------------------------------------------------ pure functions
def fraction_of_year_to_date(quarter: int | None, profile: list[float] | None) -> float:
    """Share of the annual budget profiled to fall by the end of ``quarter``.

    ``fraction = sum(profile[:quarter])``; a yearly period (``quarter=None``) is 1.

    Parameters
    ----------
    quarter : last quarter of the period, 1-4, or None for the whole year
    profile : budget share of each quarter [fraction], summing to 1; None = even

    >>> fraction_of_year_to_date(2, None)
    0.5
    >>> fraction_of_year_to_date(1, [0.1, 0.2, 0.3, 0.4])
    0.1
    """
    if quarter is None:
        return 1.0
    shares = profile if profile is not None else [0.25] * 4
    return float(sum(shares[:quarter]))


def variance_gbp(actual: Any, budget: Any) -> Any:
    """Variance of actual savings against budget: ``actual - budget`` [GBP].

    Positive is better than budget, for savings (positive) and costs (negative)
    alike.  Source: seed 000 Appendix A (e.g. transitional support costs: budget
    -130, actual -75, variance 55).

    >>> variance_gbp(-75_000.0, -130_000.0)
    55000.0
    """
    return actual - budget


def variance_ratio(actual: Any, budget: Any) -> Any:
    """Variance as a fraction of the budget: ``(actual - budget) / |budget|`` [1].

    NaN where the budget is zero.

    >>> float(variance_ratio(1_179_000.0, 1_106_000.0))  # seed 000 Appendix A
    0.0660036166365280...
    """
    actual = np.asarray(actual, dtype=float)
    budget = np.asarray(budget, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(budget == 0, np.nan, (actual - budget) / np.abs(budget))


def rag_status(
    actual: Any, budget: Any, thresholds: Thresholds | None = None
) -> np.ndarray:
    """Status light derived from the shortfall of actual against budget.

    ``shortfall = (budget - actual) / |budget|``; green if shortfall <= green
    threshold (over-delivery included), amber if <= amber threshold, else red.
    With a zero budget: green unless actual is below it, then red.
    Thresholds default to ``models/reference/rag_thresholds.yaml`` (5% / 15%,
    the rule stated in issue 7; meaning of the lights: seed 000 para 3.1).

    Parameters
    ----------
    actual : actual savings to date [GBP]
    budget : budgeted savings to date [GBP]
    thresholds : shortfall thresholds [fraction]

    >>> rag_status([95.0, 94.0, 85.0, 84.0, 120.0], [100.0] * 5).tolist()
    ['green', 'amber', 'amber', 'red', 'green']
    """
    t = thresholds or default_thresholds()
    actual = np.asarray(actual, dtype=float)
    budget = np.asarray(budget, dtype=float)
    shortfall = -variance_ratio(actual, budget)
    shortfall = np.where(budget == 0, np.where(actual < budget, np.inf, 0.0), shortfall)
    return np.select(
        [
            shortfall <= t.green_max_shortfall + BOUNDARY_TOLERANCE,
            shortfall <= t.amber_max_shortfall + BOUNDARY_TOLERANCE,
        ],
        ["green", "amber"],
        default="red",
    )


def forecast_outturn(
    actual_to_date: Any, annual_budget: Any, fraction_to_date: Any
) -> Any:
    """Forecast outturn: actual to date plus the budget profiled for the rest of year.

    ``outturn = actual_to_date + annual_budget * (1 - fraction_to_date)``

    Parameters
    ----------
    actual_to_date : cumulative actual savings to the end of the period [GBP]
    annual_budget : budgeted savings for the whole year [GBP]
    fraction_to_date : share of the annual budget profiled to date [fraction]

    >>> forecast_outturn(40_000.0, 100_000.0, 0.5)  # half-year: 40k + 50k to come
    90000.0
    """
    return actual_to_date + annual_budget * (1.0 - fraction_to_date)


def default_thresholds() -> Thresholds:
    """RAG thresholds from ``models/reference/rag_thresholds.yaml``."""
    ref = load_reference("rag_thresholds")
    return Thresholds(
        green_max_shortfall=ref["green_max_shortfall"],
        amber_max_shortfall=ref["amber_max_shortfall"],
    )


# --------------------------------------------------------------------------- tables
_SUMMED = ["budget_total", "budget_to_date", "actual", "forecast_outturn"]


def _line_frame(actuals: Actuals) -> pd.DataFrame:
    """Service rows with budget total, budget to date and forecast outturn [GBP]."""
    rows = actuals.rows.copy()
    rows["budget_total"] = rows[actuals.budget_columns].sum(axis=1)
    rows["budget_to_date"] = rows["budget_total"] * rows["fraction_to_date"]
    rows["forecast_outturn"] = forecast_outturn(
        rows["actual"], rows["budget_total"], rows["fraction_to_date"]
    )
    return rows


def subtotals(actuals: Actuals) -> pd.DataFrame:
    """Section, group and overall subtotals of the service rows [GBP].

    One row per subtotal with ``level`` ('section', 'group', 'overall'),
    ``group``, ``section``, ``label``, the summed budget columns, budget total,
    budget to date, actual and forecast outturn.
    """
    lines = _line_frame(actuals)
    money = actuals.budget_columns + _SUMMED
    spec = actuals.spec
    by_section = lines.groupby(["group", "section"], sort=False)[money].sum()
    by_group = lines.groupby("group", sort=False)[money].sum()
    frames = []
    for gi, group in enumerate(spec.groups):
        for si, section in enumerate(group.sections):
            if section.subtotal_label is None:
                continue
            rec = by_section.loc[(group.id, section.id)].to_dict()
            rec.update(
                level="section",
                group=group.id,
                section=section.id,
                line_id=f"{group.id}.{section.id}",
                label=section.subtotal_label,
                order=(gi, si, 10**6),
            )
            frames.append(rec)
        rec = by_group.loc[group.id].to_dict()
        rec.update(
            level="group",
            group=group.id,
            section=None,
            line_id=group.id,
            label=group.subtotal_label,
            order=(gi, 10**6, 10**6),
        )
        frames.append(rec)
    rec = lines[money].sum().to_dict()
    rec.update(
        level="overall",
        group=None,
        section=None,
        line_id="overall",
        label=spec.overall.label,
        order=(10**6, 10**6, 10**6),
    )
    frames.append(rec)
    return pd.DataFrame.from_records(frames)


def variance_table(
    actuals: Actuals, thresholds: Thresholds | None = None
) -> pd.DataFrame:
    """Budget against actual for every service row and subtotal, in display order.

    Columns: ``level`` ('row', 'section', 'group', 'overall'), ``group``,
    ``section``, ``line_id``, ``label``, ``budget_<council>`` per council,
    ``budget_total``, ``budget_to_date``, ``actual``, ``variance``
    (= actual - budget to date), ``variance_pct`` (= variance / |budget to date|),
    ``status_rule`` (green/amber/red by the thresholds), ``status_officer`` (as
    set in the file, or None), ``status_disagrees`` (True where an officer's
    light differs from the rule), ``forecast_outturn``, ``forecast_variance``
    (= outturn - annual budget) and ``comment``.  Money in pounds.

    Thresholds: ``thresholds`` if given, else the file's, else the defaults.
    """
    t = thresholds or actuals.spec.thresholds or default_thresholds()
    lines = _line_frame(actuals)
    lines["level"] = "row"
    lines["order"] = list(
        zip(
            lines["group_index"],
            lines["section_index"],
            lines["row_index"],
            strict=True,
        )
    )
    subs = subtotals(actuals)
    subs["comment"] = ""
    subs.loc[subs["level"] == "overall", "comment"] = actuals.spec.overall.comment
    table = pd.concat([lines, subs], ignore_index=True)
    table = table.sort_values("order", kind="stable").reset_index(drop=True)
    table["variance"] = variance_gbp(table["actual"], table["budget_to_date"])
    table["variance_pct"] = variance_ratio(table["actual"], table["budget_to_date"])
    table["status_rule"] = rag_status(table["actual"], table["budget_to_date"], t)
    officer = table["status_officer"].astype(object)
    officer = officer.where(officer.notna(), None)
    table["status_officer"] = officer
    table["status_disagrees"] = officer.notna() & (officer != table["status_rule"])
    table["forecast_variance"] = table["forecast_outturn"] - table["budget_total"]
    columns = (
        ["level", "group", "section", "line_id", "label"]
        + actuals.budget_columns
        + [
            "budget_total",
            "budget_to_date",
            "actual",
            "variance",
            "variance_pct",
            "status_rule",
            "status_officer",
            "status_disagrees",
            "forecast_outturn",
            "forecast_variance",
            "comment",
        ]
    )
    return table[columns]


def status_table(table: pd.DataFrame) -> pd.DataFrame:
    """Status lights of the service rows: rule, officer's light, and disagreements.

    Takes the output of :func:`variance_table`; returns ``line_id, label,
    variance_pct, status_rule, status_officer, status_disagrees`` for service rows.
    """
    rows = table[table["level"] == "row"]
    return rows[
        [
            "line_id",
            "label",
            "variance_pct",
            "status_rule",
            "status_officer",
            "status_disagrees",
        ]
    ].reset_index(drop=True)


def totals(table: pd.DataFrame) -> pd.DataFrame:
    """Group and overall subtotal lines of a :func:`variance_table` [GBP]."""
    return table[table["level"].isin(["group", "overall"])].reset_index(drop=True)


# -------------------------------------------------------------------------- loading
def _where(loc: tuple[Any, ...], data: Any) -> str:
    """Dotted key path for a pydantic error location, naming rows by their id."""
    parts: list[str] = []
    node = data
    for key in loc:
        if isinstance(key, int):
            label = ""
            if isinstance(node, list) and 0 <= key < len(node):
                node = node[key]
                if isinstance(node, dict) and isinstance(node.get("id"), str):
                    label = f" ({node['id']})"
            else:
                node = None
            parts[-1] = f"{parts[-1]}[{key}]{label}" if parts else f"[{key}]"
        else:
            parts.append(str(key))
            node = node.get(key) if isinstance(node, dict) else None
    return ".".join(parts) or "top level"


def _validation_errors(path: Path, exc: ValidationError, data: Any) -> InputError:
    errors = []
    for err in exc.errors():
        where = _where(err["loc"], data)
        if err["type"] == "extra_forbidden":
            errors.append(
                InputError(
                    path,
                    where,
                    "only known keys (misspelt or misplaced?)",
                    f"unknown key {err['loc'][-1]!r}",
                )
            )
        elif err["type"] == "missing":
            errors.append(InputError(path, where, "this required key", "it is missing"))
        else:
            errors.append(InputError(path, where, *_expected_found(err)))
    return errors[0] if len(errors) == 1 else InputErrors(errors)


def _expected_found(err: Any) -> tuple[str, str | None]:
    """A pydantic error as (expected, found) for a finance lead: no mapping dumps."""
    msg = str((err.get("ctx") or {}).get("error", err["msg"]))
    msg = msg.removeprefix("Value error, ").removeprefix("Input should be ")
    expected, _, stated = msg.removeprefix("expected ").partition(", found ")
    if stated or err["type"] == "value_error":
        return expected, stated or None
    value = err.get("input")
    text = repr(value)
    return expected, None if isinstance(value, dict | list) and len(
        text
    ) > 40 else text[:80]


def _profile_problem(profile: list[float]) -> str | None:
    if len(profile) != 4:
        return f"{len(profile)} quarterly shares"
    if any(s < 0 for s in profile) or not math.isclose(sum(profile), 1.0, abs_tol=1e-9):
        return f"shares {profile} summing to {sum(profile)}"
    return None


def _check_structure(path: Path, spec: ActualsFile) -> list[InputError]:
    errors: list[InputError] = []
    councils = [c.id for c in spec.councils]
    if len(set(councils)) != len(councils):
        errors.append(
            InputError(path, "councils", "each council id once", ", ".join(councils))
        )
    if spec.budget_profile is not None and (p := _profile_problem(spec.budget_profile)):
        errors.append(
            InputError(
                path,
                "budget_profile",
                "four quarterly shares, none negative, summing to 1",
                p,
            )
        )
    seen: dict[str, str] = {}
    for gi, group in enumerate(spec.groups):
        for si, section in enumerate(group.sections):
            for ri, row in enumerate(section.rows):
                where = f"groups[{gi}].sections[{si}].rows[{ri}] ({row.id})"
                if row.id in seen:
                    errors.append(
                        InputError(
                            path,
                            f"{where}.id",
                            "each row id once",
                            f"{row.id!r} also at {seen[row.id]}",
                        )
                    )
                seen[row.id] = where
                if sorted(row.budget) != sorted(councils):
                    errors.append(
                        InputError(
                            path,
                            f"{where}.budget",
                            f"one budget per council ({', '.join(councils)})",
                            ", ".join(row.budget) or "none",
                        )
                    )
                if row.budget_profile is not None and (
                    p := _profile_problem(row.budget_profile)
                ):
                    errors.append(
                        InputError(
                            path,
                            f"{where}.budget_profile",
                            "four quarterly shares, none negative, summing to 1",
                            p,
                        )
                    )
    for where, st in _all_stated(spec):
        if (
            st is not None
            and st.budget is not None
            and sorted(st.budget) != sorted(councils)
        ):
            errors.append(
                InputError(
                    path,
                    f"{where}.budget",
                    f"one budget per council ({', '.join(councils)})",
                    ", ".join(st.budget) or "none",
                )
            )
    return errors


def _all_stated(spec: ActualsFile) -> list[tuple[str, Stated | None]]:
    out: list[tuple[str, Stated | None]] = []
    for gi, group in enumerate(spec.groups):
        for si, section in enumerate(group.sections):
            out.append((f"groups[{gi}].sections[{si}].stated", section.stated))
        out.append((f"groups[{gi}].stated", group.stated))
    out.append(("overall.stated", spec.overall.stated))
    return out


def _rows_frame(spec: ActualsFile) -> pd.DataFrame:
    factor = UNIT_FACTOR[spec.unit]
    records = []
    for gi, group in enumerate(spec.groups):
        for si, section in enumerate(group.sections):
            for ri, row in enumerate(section.rows):
                rec: dict[str, Any] = {
                    "group": group.id,
                    "section": section.id,
                    "line_id": row.id,
                    "label": row.label,
                    "group_index": gi,
                    "section_index": si,
                    "row_index": ri,
                }
                for council, amount in row.budget.items():
                    rec[f"budget_{council}"] = amount * factor
                rec["actual"] = row.actual * factor
                rec["stated_total"] = (
                    np.nan if row.total is None else row.total * factor
                )
                rec["stated_variance"] = (
                    np.nan if row.variance is None else row.variance * factor
                )
                rec["status_officer"] = row.status
                rec["status_source"] = row.status_source
                rec["comment"] = row.comment
                rec["source"] = row.source
                rec["fraction_to_date"] = fraction_of_year_to_date(
                    spec.period.quarter, row.budget_profile or spec.budget_profile
                )
                records.append(rec)
    return pd.DataFrame.from_records(records)


def _fmt(value: float, unit: str) -> str:
    return f"{value:,.6g}" + (" (£'000)" if unit == "GBP_thousands" else " (£)")


def footing_problems(actuals: Actuals) -> list[InputError]:
    """Where stated totals, variances and subtotals do not foot, one error each.

    Checks, in the file's unit and within its ``footing_tolerance``: each row's
    council budgets sum to its stated total and actual - total equals its stated
    variance; each stated subtotal (section, group, overall) equals the sum of
    its rows in every council column, total, actual and variance.
    """
    spec, path = actuals.spec, actuals.file
    factor = UNIT_FACTOR[spec.unit]
    tol = spec.footing_tolerance
    problems: list[InputError] = []

    def check(where: str, column: str, stated: float | None, computed: float) -> None:
        if stated is None or abs(stated - computed) <= tol + 1e-9:
            return
        problems.append(
            InputError(
                path,
                f"{where}, column {column}",
                f"{_fmt(computed, spec.unit)} as computed from its parts",
                f"stated {_fmt(stated, spec.unit)}",
            )
        )

    lines = _line_frame(actuals)
    for _, r in lines.iterrows():  # validation of a few dozen rows, not a hot path
        where = f"row {r['line_id']!r} ({r['label']})"
        stated_total = (
            None if np.isnan(r["stated_total"]) else r["stated_total"] / factor
        )
        check(where, "total", stated_total, r["budget_total"] / factor)
        stated_var = (
            None if np.isnan(r["stated_variance"]) else r["stated_variance"] / factor
        )
        check(
            where,
            "variance",
            stated_var,
            (r["actual"] - r["budget_total"] * r["fraction_to_date"]) / factor,
        )

    subs = subtotals(actuals).set_index("line_id")
    targets: list[tuple[str, str, Stated | None]] = []
    for group in spec.groups:
        for section in group.sections:
            if section.subtotal_label is not None:
                targets.append(
                    (f"{group.id}.{section.id}", section.subtotal_label, section.stated)
                )
        targets.append((group.id, group.subtotal_label, group.stated))
    targets.append(("overall", spec.overall.label, spec.overall.stated))
    for line_id, label, st in targets:
        if st is None:
            continue
        sub = subs.loc[line_id]
        where = f"subtotal {label!r}"
        for council in actuals.councils:
            check(
                where,
                council,
                (st.budget or {}).get(council),
                sub[f"budget_{council}"] / factor,
            )
        check(where, "total", st.total, sub["budget_total"] / factor)
        check(where, "actual", st.actual, sub["actual"] / factor)
        check(
            where,
            "variance",
            st.variance,
            (sub["actual"] - sub["budget_to_date"]) / factor,
        )
    return problems


def load_actuals(path: str | Path) -> Actuals:
    """Load and check an actuals file (``kind: actuals``); money converted to pounds.

    Raises :class:`InputError` naming the file and key path for unknown or
    missing keys, wrong types, councils that do not match, and any stated total,
    variance or subtotal that does not foot (naming the subtotal, the column,
    stated against computed).

    >>> a = load_actuals("scenarios/actuals_2010_11.yaml")
    >>> a.councils, float(a.rows["actual"].sum())
    (['bdc', 'rbc'], 1179000.0)
    """
    path = Path(path)
    data = load_yaml(path)
    if not isinstance(data, dict):
        raise InputError(
            path, "top level", "a mapping of keys (kind: actuals, ...)", describe(data)
        )
    if data.get("kind") != "actuals":
        raise InputError(path, "kind", "'actuals'", repr(data.get("kind")))
    data = budgets_from_approved_case(path, data)
    try:
        spec = ActualsFile.model_validate(data)
    except ValidationError as exc:
        raise _validation_errors(path, exc, data) from None
    errors = _check_structure(path, spec)
    if errors:
        raise errors[0] if len(errors) == 1 else InputErrors(errors)
    actuals = Actuals(file=str(path), spec=spec, rows=_rows_frame(spec))
    problems = footing_problems(actuals)
    if problems:
        raise problems[0] if len(problems) == 1 else InputErrors(problems)
    return actuals


def case_budget(
    case: Any, option: str, financial_year: str, line_item: str = "Savings"
) -> pd.DataFrame:
    """Budget of each service for each council in one financial year, from an
    approved case: the option's yearly line split by each service's sharing basis.

    The budget is the planned saving *before* the appraisal's optimism bias: the
    option is projected with ``optimism_bias_savings = 0`` (the appraisal's
    ``Savings`` line is ``planned x (1 - optimism bias)``, a prudent figure for
    deciding, not the target the service is monitored against).

    ``budget[service, council] = line_item[service, council, financial_year]``
    of the option projected without optimism bias on savings.

    Parameters
    ----------
    case : the approved :class:`models.inputs.case.Case`
    option : option id of the case
    financial_year : financial year label, e.g. '2012/13'
    line_item : 'Savings' or 'Net saving' of the long results table

    Returns a frame indexed by service with one column per council [GBP].
    Source: issue 7 (budgets from the approved case).
    """
    from models.engine.projection import compile_option, long_table, project

    arrays = compile_option(case, option)
    planned = arrays.with_(
        optimism_bias_savings=np.zeros_like(arrays.optimism_bias_savings)
    )
    long = long_table(planned, project(planned))
    sel = long[
        (long["line_item"] == line_item)
        & (long["financial_year"] == financial_year)
        & (long["service"] != "All")
        & (long["council"] != "All")
    ]
    return sel.pivot(index="service", columns="council", values="value")


def budgets_from_approved_case(path: Path, data: dict) -> dict:
    """Fill ``budget`` of rows that name a ``service`` of the ``approved_case``.

    A row with ``service:`` and no ``budget:`` takes as its budget that service's
    line (default ``Savings``) for the file's financial year in the approved case's
    option, split per council by the service's basis, in the file's unit.  Rows
    with a stated budget keep it.
    """
    link = data.get("approved_case")
    if not isinstance(link, dict):
        return data
    import copy

    from models.inputs.case import load_case

    name = link.get("file")
    case_path = path.parent / str(name)
    if not isinstance(name, str) or not case_path.is_file():
        raise InputError(
            path,
            "approved_case.file",
            "the name of an existing case file (relative to this file)",
            f"no file {case_path}" if isinstance(name, str) else repr(name)[:80],
        )
    case = load_case(case_path)
    check_councils_of_case(path, data.get("councils"), list(case.councils), case_path)
    option = str(link.get("option", ""))
    if option not in case.options:
        raise InputError(
            path,
            "approved_case.option",
            f"an option of {case_path.name} ({', '.join(case.options)})",
            repr(option),
        )
    period = data.get("period")
    fy = str(period.get("financial_year", "")) if isinstance(period, dict) else ""
    if fy not in case.settings.years():
        raise InputError(
            path,
            "period.financial_year",
            f"a year of the approved case ({case.settings.years()[0]} to "
            f"{case.settings.years()[-1]})",
            repr(fy),
        )
    budgets = case_budget(case, option, fy, str(link.get("line_item", "Savings")))
    factor = UNIT_FACTOR.get(str(data.get("unit")), 1.0)
    out = copy.deepcopy(data)
    # anything not shaped as expected is left for the schema to name
    for g, group in enumerate(_dicts(out.get("groups"))):
        for s_, section in enumerate(_dicts(group.get("sections"))):
            for r, row in enumerate(_dicts(section.get("rows"))):
                if "budget" in row or "service" not in row:
                    continue
                where = f"groups[{g}].sections[{s_}].rows[{r}].service"
                if not isinstance(row["service"], str) or (
                    row["service"] not in budgets.index
                ):
                    raise InputError(
                        path,
                        where,
                        f"a service of {case_path.name} live in {fy} "
                        f"({', '.join(budgets.index)})",
                        repr(row["service"]),
                    )
                row["budget"] = {
                    c: float(v) / factor for c, v in budgets.loc[row["service"]].items()
                }
    return out


def check_councils_of_case(
    path: Path, councils: Any, case_councils: list[str], case_path: Path
) -> None:
    """Every council of an actuals file must be a partner of the case it monitors."""
    for i, council in enumerate(_dicts(councils)):
        cid = council.get("id")
        if isinstance(cid, str) and cid not in case_councils:
            raise InputError(
                path,
                f"councils[{i}].id",
                f"a council of the case {case_path.name} ({', '.join(case_councils)})",
                repr(cid),
            )


def _dicts(items: Any) -> list[dict]:
    """The mappings of a list (nothing if it is not a list)."""
    return (
        [x if isinstance(x, dict) else {} for x in items]
        if isinstance(items, list)
        else []
    )


def register_file_kind(register: Any) -> None:
    """Let ``sharedcase validate`` check files of ``kind: actuals``."""
    register("actuals", load_actuals)


def period_label(spec: ActualsFile) -> str:
    """Human label of the period, e.g. 'April - March 2010/11 (Quarter 4)'.

    >>> period_label(load_actuals("scenarios/actuals_2010_11.yaml").spec)
    'April - March 2010/11 (Quarter 4)'
    """
    ends = {1: "June", 2: "September", 3: "December", 4: "March"}
    q = spec.period.quarter
    if q is None:
        return f"April - March {spec.period.financial_year}"
    return f"April - {ends[q]} {spec.period.financial_year} (Quarter {q})"
