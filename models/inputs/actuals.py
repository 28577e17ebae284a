"""Actuals files (``kind: actuals``): the schema of budget against actual and its strict reader.

Layout of seed 000 Appendix A: groups (cashable, non-cashable) of sections of
rows, each row a budget per council and an actual, with stated subtotals that
must foot.  Money is held in pounds once read; files may state it in £'000
(``unit: GBP_thousands``).  Budgets taken from an approved case are filled in
by :mod:`models.engine.monitoring`; the variance arithmetic is in
:mod:`models.model.monitoring`."""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import pandas as pd
from pydantic import (
    Field,
    field_validator,
    model_validator,
)

from models.core.calendar import fy_start_year
from models.core.errors import InputError
from models.inputs.quantities import Number, Strict, WholeNumber
from models.reference import load_reference

Status = Literal["green", "amber", "red"]


UNIT_FACTOR = {"GBP": 1.0, "GBP_thousands": 1000.0}


_ID = r"^[a-z][a-z0-9_]*$"


# --------------------------------------------------------------------------- schema
class Council(Strict):
    id: str = Field(pattern=_ID)
    name: str


class Period(Strict):
    financial_year: str
    quarter: WholeNumber | None = Field(default=None, ge=1, le=4)

    @field_validator("financial_year")
    @classmethod
    def _is_fy_label(cls, value: str) -> str:
        fy_start_year(value)  # raises ValueError with a readable message
        return value


class Thresholds(Strict):
    """Shortfall thresholds for the status light [fraction of budget]."""

    green_max_shortfall: Number = Field(ge=0)
    amber_max_shortfall: Number = Field(ge=0)

    @model_validator(mode="after")
    def _ordered(self) -> Thresholds:
        if self.amber_max_shortfall < self.green_max_shortfall:
            raise ValueError("amber_max_shortfall must be at least green_max_shortfall")
        return self


class Stated(Strict):
    """Figures a document states for a subtotal, checked against its rows."""

    budget: dict[str, Number] | None = None
    total: Number | None = None
    actual: Number | None = None
    variance: Number | None = None
    source: str


class Row(Strict):
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


class Section(Strict):
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


class Group(Strict):
    id: Literal["cashable", "non_cashable"]
    label: str
    subtotal_label: str
    stated: Stated | None = None
    sections: list[Section] = Field(min_length=1)


class Overall(Strict):
    label: str = "Overall position"
    stated: Stated | None = None
    comment: str = ""


class ApprovedCase(Strict):
    """The approved business case whose budget a row can take (``service:``)."""

    file: str  # relative to the actuals file
    option: str
    line_item: Literal["Savings", "Net saving"] = "Savings"


class ActualsFile(Strict):
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


def default_thresholds() -> Thresholds:
    """RAG thresholds from ``models/reference/rag_thresholds.yaml``."""
    ref = load_reference("rag_thresholds")
    return Thresholds(
        green_max_shortfall=ref["green_max_shortfall"],
        amber_max_shortfall=ref["amber_max_shortfall"],
    )


# -------------------------------------------------------------------------- loading
def _profile_problem(profile: list[float]) -> str | None:
    if len(profile) != 4:
        return f"{len(profile)} quarterly shares"
    if any(s < 0 for s in profile) or not math.isclose(sum(profile), 1.0, abs_tol=1e-9):
        return f"shares {profile} summing to {sum(profile)}"
    return None


def check_structure(path: Path, spec: ActualsFile) -> list[InputError]:
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


def check_councils_of_case(
    path: Path, councils: Any, case_councils: list[str], case_path: Path
) -> None:
    """Every council of an actuals file must be a partner of the case it monitors."""
    for i, council in enumerate(dicts(councils)):
        cid = council.get("id")
        if isinstance(cid, str) and cid not in case_councils:
            raise InputError(
                path,
                f"councils[{i}].id",
                f"a council of the case {case_path.name} ({', '.join(case_councils)})",
                repr(cid),
            )


def dicts(items: Any) -> list[dict]:
    """The mappings of a list (nothing if it is not a list)."""
    return (
        [x if isinstance(x, dict) else {} for x in items]
        if isinstance(items, list)
        else []
    )


def period_label(spec: ActualsFile) -> str:
    """Human label of the period, e.g. 'April - March 2010/11 (Quarter 4)'.

    >>> from models.engine.monitoring import load_actuals
    >>> period_label(load_actuals("scenarios/actuals_2010_11.yaml").spec)
    'April - March 2010/11 (Quarter 4)'
    """
    ends = {1: "June", 2: "September", 3: "December", 4: "March"}
    q = spec.period.quarter
    if q is None:
        return f"April - March {spec.period.financial_year}"
    return f"April - {ends[q]} {spec.period.financial_year} (Quarter {q})"
