"""Affordability inputs: reserves, funding order, capital receipts, budget gap,
non-cashable benefits, posts moving onto new grades and pay protection.

Schemas only; the arithmetic is in :mod:`models.model.funding` and
:mod:`models.model.pay_protection`.  A council may declare (issue 15)::

    councils:
      bdc:
        reserves:
          shared_services:
            opening_balance: {value: 500000, unit: GBP, source: ...}
            at: 2011/12              # balance at the start of this financial year
            invest_to_save: true     # replenished from savings until repaid
            source: seed 000 para 7.2
        funding_order:               # tried in turn for each cost type
          set_up: [shared_services, general_fund]
          redundancy_pay: [shared_services, general_fund]
          pension_strain: [shared_services, general_fund]
          capital: [capital_receipts, borrowing]
        capital_receipts: {2016/17: {value: 100000, source: ...}}
        budget_gap: {2012/13: {value: 1200000, source: ...}}

The sources a funding order may name are the council's reserves and
:data:`OTHER_FUNDING_SOURCES`.
"""

from __future__ import annotations

import copy
import math
from pathlib import Path
from typing import Literal, get_args

from pydantic import Field, field_validator, model_validator

from models.core.errors import InputError
from models.inputs.quantities import Money, Number, Strict
from models.inputs.tableio import read_text_table, require_columns

CostType = Literal["set_up", "redundancy_pay", "pension_strain", "capital"]
COST_TYPES: tuple[str, ...] = get_args(CostType)
"""The one-off cost types a council funds, in the order of its funding order."""

REVENUE_COST_TYPES = ("set_up", "redundancy_pay", "pension_strain")
"""Cost types that are revenue costs (capital receipts only under the direction)."""

GENERAL_FUND = "general_fund"
CAPITAL_RECEIPTS = "capital_receipts"
BORROWING = "borrowing"
OTHER_FUNDING_SOURCES = (GENERAL_FUND, CAPITAL_RECEIPTS, BORROWING)
"""Funding sources other than a named reserve: general fund revenue (the year's
budget, without limit), capital receipts (as declared available per year) and
borrowing (capital costs only, without limit)."""


class Reserve(Strict):
    """A reserve a council may draw on for its share of one-off costs [GBP].

    ``opening_balance`` is the balance at the start of financial year ``at``;
    the reserve can be drawn from that year on and never below zero.  An
    ``invest_to_save`` reserve is replenished from the council's share of net
    cash savings until what was drawn from it has been repaid.
    """

    opening_balance: Money
    at: str
    invest_to_save: bool = False
    description: str | None = None
    source: str


class FundingOrder(Strict):
    """The sources tried in turn for each cost type (a reserve's name,
    ``general_fund``, ``capital_receipts`` or ``borrowing``)."""

    set_up: list[str] = Field(default_factory=lambda: [GENERAL_FUND])
    redundancy_pay: list[str] = Field(default_factory=lambda: [GENERAL_FUND])
    pension_strain: list[str] = Field(default_factory=lambda: [GENERAL_FUND])
    capital: list[str] = Field(default_factory=lambda: [GENERAL_FUND])
    source: str | None = None

    def by_cost_type(self) -> dict[str, list[str]]:
        return {t: list(getattr(self, t)) for t in COST_TYPES}


class NonCashableBenefit(Strict):
    """A benefit that is real but not cash (resilience, better service) [GBP/year].

    Shown beside the cash savings and counted in the economic view only, never in
    the financial NPV, payback or affordability (seed 000 para 7.3 and
    Appendix A).  From ``from_year`` the full amount a year; without it the
    amount follows the service's go-live and ramp-up like its savings.
    """

    amount: Money
    description: str
    from_year: str | None = None
    source: str


class RegradedPost(Strict):
    """A post that moves onto a new grade: its current and new annual pay [GBP/year].

    ``council`` employs the post (and bears its pay protection and any rise);
    the new grade applies from financial year ``year``.
    """

    post: str
    council: str
    current_annual_pay: Money
    new_annual_pay: Money
    year: str
    source: str


class PayProtection(Strict):
    """A council's pay protection (change-support policy): the fraction of a
    post's pay cut still paid in each year after the move, e.g. ``[1.0, 0.5]``
    (100% in year 1, 50% in year 2, nothing after) [/1]."""

    taper: list[Number]
    source: str | None = None

    @field_validator("taper")
    @classmethod
    def _fractions(cls, taper: list[float]) -> list[float]:
        over = [f for f in taper if not 0 <= f <= 1]
        if over:
            raise ValueError(
                "expected fractions of the pay difference from 0 to 1 (100%), "
                f"found {over[0]:g}"
            )
        return taper

    @model_validator(mode="after")
    def _a_period(self) -> PayProtection:
        if not self.taper:
            raise ValueError("expected at least one year of protection")
        return self


MOVING_GRADES_COLUMNS = {
    "post": "post title or reference (text)",
    "service": "service id (text)",
    "council": "council that employs the post (text)",
    "current_annual_pay": "annual pay before the move [GBP/year]",
    "new_annual_pay": "annual pay on the new grade [GBP/year]",
    "year": "financial year of the move, like 2011/12",
    "source": "where the row comes from (text)",
}
"""Columns of the staff table of posts moving onto new grades (all required)."""


def merge_posts_moving_grades(raw: dict, path: Path) -> dict:
    """Merge the staff table of posts moving onto new grades (CSV or Excel) into
    ``services.<service>.regraded_posts`` of a raw case.

    One row a post; columns :data:`MOVING_GRADES_COLUMNS` (``notes`` allowed and
    not used).  A row naming a service or council the case does not have, or a pay
    that is not a non-negative number, is an :class:`InputError` naming the file,
    the row (data rows count from 1) and the column.
    """
    table = read_text_table(path, "staff table of posts moving grades")
    require_columns(table, path, MOVING_GRADES_COLUMNS)
    out = copy.deepcopy(raw)
    services = out.get("services")
    councils = out.get("councils")
    if not isinstance(services, dict) or not isinstance(councils, dict):
        return out  # the schema reports these keys itself
    for i, row in enumerate(table.to_dict("records"), start=1):
        service, council = str(row["service"]).strip(), str(row["council"]).strip()
        if service not in services or not isinstance(services[service], dict):
            raise InputError(
                path,
                f"row {i}, column service",
                f"a service of the case ({', '.join(map(str, services))})",
                repr(service),
            )
        if council not in councils:
            raise InputError(
                path,
                f"row {i}, column council",
                f"a council of the case ({', '.join(map(str, councils))})",
                repr(council),
            )
        source = str(row["source"]).strip() or f"{path.name} row {i}"
        pay = {}
        for column in ("current_annual_pay", "new_annual_pay"):
            text = str(row[column]).replace(",", "").strip()
            try:
                value = float(text)
                if not math.isfinite(value) or value < 0:
                    raise ValueError(value)
            except ValueError:
                raise InputError(
                    path,
                    f"row {i}, column {column}",
                    "a non-negative number of pounds a year",
                    repr(row[column]),
                ) from None
            pay[column] = {"value": value, "unit": "GBP/year", "source": source}
        posts = services[service].setdefault("regraded_posts", [])
        if isinstance(posts, list):
            posts.append(
                {
                    "post": str(row["post"]).strip(),
                    "council": council,
                    **pay,
                    "year": str(row["year"]).strip(),
                    "source": source,
                }
            )
    return out
