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

from typing import Any

import numpy as np
import pandas as pd

from models.core.errors import InputError
from models.inputs.actuals import (
    UNIT_FACTOR,
    Actuals,
    ActualsFile,
    Stated,
    Thresholds,
    default_thresholds,
)

#: Tolerance on the RAG boundaries, so a shortfall of exactly 5% stays green even
#: when it is computed from figures that are not whole pounds [fraction].
BOUNDARY_TOLERANCE = 1e-9


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


def _stated_amount(value: float, unit: str) -> str:
    """An amount as a footing message shows it: in the file's own unit [£ or £'000]."""
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
                f"{_stated_amount(computed, spec.unit)} as computed from its parts",
                f"stated {_stated_amount(stated, spec.unit)}",
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


def line_rows(spec: ActualsFile) -> pd.DataFrame:
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
