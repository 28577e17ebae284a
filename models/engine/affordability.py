"""Affordability of an option for each council: funding, reserves, budget gap.

For each council of an option: its share of the one-off costs by cost type
(set-up including pay protection, redundancy pay, pension strain, capital),
funded in its funding order (:func:`models.model.funding.fund_one_off_costs`),
the reserves drawn and replenished, and how much of its budget gap its share of
savings closes (:func:`models.model.funding.budget_gap_closed`).  Non-cashable
benefits take no part.  Conventions in docs/affordability.md.

``results.json`` carries, per option and council (:func:`affordability_json`)::

    "affordability": {"one_off_costs_by_year": {year: £},
                      "funded_by_source_by_year": {source: {year: £}},
                      "funding_shortfall_by_year": {year: £},
                      "reserves": {name: {"opening": £, "drawn_by_year": {...},
                                          "replenished_by_year": {...},
                                          "closing_by_year": {...}}},
                      "budget_gap_by_year": {year: £},
                      "gap_closed_by_year": {year: £}}
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from models.core import calendar
from models.inputs.affordability import COST_TYPES
from models.inputs.case import Case
from models.model import sharing
from models.model.funding import (
    GENERAL_FUND,
    Funding,
    ReserveSpec,
    budget_gap_closed,
    fund_one_off_costs,
)
from models.reference.capital_receipts import may_fund_from_capital_receipts


@dataclass
class CouncilAffordability:
    """One council's affordability of one option; arrays (T,) [GBP]."""

    costs_by_type: dict[str, np.ndarray]
    funding: Funding
    cash_savings: np.ndarray
    charged_to_revenue: np.ndarray
    budget_gap: np.ndarray
    gap_closed: np.ndarray

    @property
    def capital_costs(self) -> np.ndarray:
        return self.costs_by_type["capital"]

    @property
    def revenue_costs(self) -> np.ndarray:
        return sum(v for k, v in self.costs_by_type.items() if k != "capital")

    @property
    def gap_remaining(self) -> np.ndarray:
        return self.budget_gap - self.gap_closed


def council_costs_by_type(arrays: Any, projection: dict) -> dict[str, np.ndarray]:
    """Each council's share of the one-off costs by cost type, (C, T) [GBP] each.

    ``set_up``: revenue set-up costs on the set-up basis plus the pay protection
    of the council's own posts; ``capital``: the capital part of the set-up
    costs on the set-up basis; ``redundancy_pay`` and ``pension_strain`` on
    their own shares (where the posts were, for staff-table severance).
    """
    setup_only = projection["setup_total"] - projection["pay_protection"]
    capital = projection["capital_setup"]
    revenue_setup = sharing.allocate(setup_only - capital, arrays.setup_shares).sum(
        axis=-3
    ) + projection["pay_protection_by_council"].sum(axis=-3)
    return {
        "set_up": revenue_setup,
        "redundancy_pay": sharing.allocate(
            projection["redundancy_pay"], arrays.severance_shares
        ).sum(axis=-3),
        "pension_strain": sharing.allocate(
            projection["pension_strain"], projection["pension_strain_shares"]
        ).sum(axis=-3),
        "capital": sharing.allocate(capital, arrays.setup_shares).sum(axis=-3),
    }


def _by_year(values: dict[str, Any], years: list[str]) -> np.ndarray:
    """A {financial year: Money} mapping as an array over the horizon [GBP]."""
    return np.array([values[y].value if y in values else 0.0 for y in years])


def option_affordability(
    option_case: Case, arrays: Any, projection: dict, council_savings: np.ndarray
) -> dict[str, CouncilAffordability]:
    """Affordability of the option for every council.

    ``council_savings`` (C, T) [GBP] is each council's share of cash savings
    (models.engine.projection.council_lines ``savings``).
    """
    years = arrays.years
    base_year = option_case.settings.base_year
    costs = council_costs_by_type(arrays, projection)
    qualifies = {
        cost_type: np.array(
            [
                may_fund_from_capital_receipts(cost_type, calendar.fy_start_year(y))
                for y in years
            ]
        )
        for cost_type in COST_TYPES
    }
    out = {}
    for c, name in enumerate(arrays.councils):
        council = option_case.councils[name]
        reserves = {
            r: ReserveSpec(
                opening=reserve.opening_balance.value,
                from_year_index=calendar.fy_index(reserve.at, base_year),
                invest_to_save=reserve.invest_to_save,
            )
            for r, reserve in council.reserves.items()
        }
        own_costs = {t: costs[t][c] for t in COST_TYPES}
        funding = fund_one_off_costs(
            own_costs,
            council.funding_order.by_cost_type(),
            reserves,
            _by_year(council.capital_receipts, years),
            qualifies,
            council_savings[c],
        )
        replenishment = sum(funding.replenished.values(), np.zeros(len(years)))
        charged = funding.funded_by_source[GENERAL_FUND] + funding.shortfall
        charged = charged + replenishment
        gap = _by_year(council.budget_gap, years)
        out[name] = CouncilAffordability(
            costs_by_type=own_costs,
            funding=funding,
            cash_savings=np.asarray(council_savings[c], dtype=float),
            charged_to_revenue=charged,
            budget_gap=gap,
            gap_closed=budget_gap_closed(gap, council_savings[c], charged),
        )
    return out


def _year_map(values: np.ndarray, years: list[str]) -> dict[str, float]:
    return {y: float(v) for y, v in zip(years, values, strict=True)}


def affordability_json(item: CouncilAffordability, years: list[str]) -> dict:
    """The ``affordability`` entry of one council in ``results.json`` [GBP]."""
    funding = item.funding
    return {
        "one_off_costs_by_year": _year_map(funding.one_off_costs, years),
        "funded_by_source_by_year": {
            source: _year_map(values, years)
            for source, values in funding.funded_by_source.items()
        },
        "funding_shortfall_by_year": _year_map(funding.shortfall, years),
        "reserves": {
            name: {
                "opening": funding.opening[name],
                "drawn_by_year": _year_map(funding.drawn[name], years),
                "replenished_by_year": _year_map(funding.replenished[name], years),
                "closing_by_year": _year_map(funding.closing[name], years),
            }
            for name in funding.opening
        },
        "budget_gap_by_year": _year_map(item.budget_gap, years),
        "gap_closed_by_year": _year_map(item.gap_closed, years),
    }
