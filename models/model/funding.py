"""Funding of a council's one-off costs: the waterfall, reserves and the budget gap.

Each council funds its share of the one-off costs of an option, cost type by
cost type (set-up, redundancy pay, pension strain, capital), from the sources
its funding order names, in turn (issue 15 items 1 and 2; seed 000 para 7.2:
"reserves are set aside to fund costs associated with the implementation of
future shared services ... the initial costs will include severance and set up
costs"):

* a **named reserve**: from the financial year of its opening balance, and
  never below zero;
* **general fund revenue**: the year's budget, without limit;
* **capital receipts**: as declared available each year (unused receipts carry
  forward); for capital costs always, for revenue costs only where the
  flexible-use direction in force allows (``qualifies``,
  :mod:`models.reference.capital_receipts`);
* **borrowing**: capital costs only, without limit.

What no source named can fund is a **funding shortfall**, never hidden.
Identities, each year, to the penny: ``sum of sources + shortfall = one-off
costs``; for each reserve, ``closing = opening - cumulative drawn + cumulative
replenished``, never below zero.

An **invest-to-save** reserve is replenished, after the year's costs are
funded, from the council's share of cash savings in the year, until what was
drawn from it has been repaid.

The waterfall carries balances from one year to the next, so it steps through
the years (a handful) and the sources of each cost type (a handful); every
step is a scalar min/max.  Vectorising over years is not possible (each year's
balance depends on the last), and the loop is tiny beside the projection.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

GENERAL_FUND = "general_fund"
CAPITAL_RECEIPTS = "capital_receipts"
BORROWING = "borrowing"


@dataclass(frozen=True)
class ReserveSpec:
    """A reserve as the waterfall needs it: opening balance [GBP], the year index
    from which it may be drawn, and whether it is replenished from savings."""

    opening: float
    from_year_index: int
    invest_to_save: bool = False


@dataclass
class Funding:
    """A council's funding of its one-off costs by year [GBP], all arrays (T,)."""

    one_off_costs: np.ndarray
    funded_by_source: dict[str, np.ndarray]
    shortfall: np.ndarray
    opening: dict[str, float]
    drawn: dict[str, np.ndarray]
    replenished: dict[str, np.ndarray]
    closing: dict[str, np.ndarray]


def fund_one_off_costs(
    costs_by_type: Mapping[str, np.ndarray],
    funding_order: Mapping[str, Sequence[str]],
    reserves: Mapping[str, ReserveSpec],
    capital_receipts: np.ndarray,
    qualifies_for_receipts: Mapping[str, np.ndarray],
    savings_for_replenishment: np.ndarray,
) -> Funding:
    """Fund each cost type from its sources in turn, year by year [GBP].

    For each year ``t``: receipts available ``pool += receipts[t]``; for each
    cost type in the order given and each of its sources in turn,
    ``take = min(remaining, available)`` with ``available`` the reserve's
    balance (0 before its year), ``pool`` for capital receipts where the cost
    qualifies (else 0), and unlimited for general fund revenue and borrowing;
    what remains is the shortfall.  Then each invest-to-save reserve is
    replenished ``min(owed, savings left)`` with ``owed = drawn so far -
    replenished so far`` and ``savings left`` the year's
    ``max(savings_for_replenishment[t], 0)`` not yet used.

    Parameters
    ----------
    costs_by_type : one-off costs of each cost type by year, (T,) each [GBP]
    funding_order : sources tried in turn for each cost type (names)
    reserves : the council's reserves by name
    capital_receipts : capital receipts becoming available each year (T,) [GBP]
    qualifies_for_receipts : whether each cost type may be funded from capital
        receipts in each year, (T,) bool each
    savings_for_replenishment : the council's share of cash savings (T,) [GBP]

    >>> f = fund_one_off_costs({"set_up": np.array([100.0, 50.0])},
    ...     {"set_up": ["r", "general_fund"]}, {"r": ReserveSpec(120.0, 0)},
    ...     np.zeros(2), {"set_up": np.zeros(2, bool)}, np.zeros(2))
    >>> f.drawn["r"].tolist(), f.funded_by_source["general_fund"].tolist()
    ([100.0, 20.0], [0.0, 30.0])
    """
    costs = {k: np.asarray(v, dtype=float) for k, v in costs_by_type.items()}
    horizon = len(np.asarray(capital_receipts))
    sources = [*reserves, GENERAL_FUND, CAPITAL_RECEIPTS, BORROWING]
    funded = {s: np.zeros(horizon) for s in sources}
    drawn = {r: np.zeros(horizon) for r in reserves}
    replenished = {r: np.zeros(horizon) for r in reserves}
    closing = {r: np.zeros(horizon) for r in reserves}
    shortfall = np.zeros(horizon)
    balance = {r: float(spec.opening) for r, spec in reserves.items()}
    owed = dict.fromkeys(reserves, 0.0)
    pool = 0.0
    for t in range(horizon):
        pool += float(capital_receipts[t])
        for cost_type, cost in costs.items():
            remaining = float(cost[t])
            for source in funding_order.get(cost_type, ()):
                if remaining <= 0:
                    break
                if source in reserves:
                    usable = (
                        balance[source]
                        if t >= reserves[source].from_year_index
                        else 0.0
                    )
                elif source == CAPITAL_RECEIPTS:
                    usable = pool if qualifies_for_receipts[cost_type][t] else 0.0
                else:  # general fund revenue, borrowing: without limit
                    usable = remaining
                take = min(remaining, usable)
                remaining -= take
                funded[source][t] += take
                if source in reserves:
                    balance[source] -= take
                    drawn[source][t] += take
                    owed[source] += take
                elif source == CAPITAL_RECEIPTS:
                    pool -= take
            shortfall[t] += remaining
        savings_left = max(float(savings_for_replenishment[t]), 0.0)
        for r, spec in reserves.items():
            if spec.invest_to_save and owed[r] > 0 and savings_left > 0:
                repay = min(owed[r], savings_left)
                savings_left -= repay
                owed[r] -= repay
                balance[r] += repay
                replenished[r][t] = repay
            closing[r][t] = balance[r]
    total = sum(costs.values()) if costs else np.zeros(horizon)
    return Funding(
        one_off_costs=np.asarray(total, dtype=float),
        funded_by_source=funded,
        shortfall=shortfall,
        opening={r: float(spec.opening) for r, spec in reserves.items()},
        drawn=drawn,
        replenished=replenished,
        closing=closing,
    )


def budget_gap_closed(
    budget_gap: np.ndarray,
    cash_savings: np.ndarray,
    charged_to_revenue: np.ndarray,
) -> np.ndarray:
    """How much of a council's budget gap its share of net savings closes [GBP].

    ``closed = min(gap, max(savings - charged to revenue, 0))``, with
    ``charged to revenue`` the one-off costs met from general fund revenue, the
    funding shortfall (it has to be met somewhere) and the savings set aside to
    replenish invest-to-save reserves.  Never more than the gap, never
    negative.

    Parameters
    ----------
    budget_gap : the council's budget gap by year (T,) [GBP]
    cash_savings : its share of cash savings by year (T,) [GBP]
    charged_to_revenue : what falls on the year's revenue budget (T,) [GBP]

    Source: issue 15 item 2; seed 000 para 7.4 (savings to "offset the impact
    on front line services" of the grant reductions).

    >>> budget_gap_closed(np.array([100.0, 100.0, 0.0]), np.array([30.0, 150.0, 40.0]),
    ...     np.array([50.0, 20.0, 0.0])).tolist()
    [0.0, 100.0, 0.0]
    """
    net = np.maximum(np.asarray(cash_savings, float) - charged_to_revenue, 0.0)
    return np.minimum(np.asarray(budget_gap, dtype=float), net)
