"""Which one-off costs may be funded from capital receipts, by financial year.

Read from ``capital_receipts_flexible_use.yaml`` (the flexible-use directions of
2016, 2018, August 2022 and March 2025 under the Local Government Act 2003
ss.16(2)(b) and 20).  Capital costs may always be funded from capital receipts
(their ordinary use); revenue costs only as the direction in force allows:
none before 2016/17; the revenue costs of transformation from 2016/17; from
2022/23 to 2024/25 not discretionary redundancy pay (statutory redundancy pay
and pension strain still qualify); from 2025/26 the restriction removed.

The model has one redundancy pay line (statutory and discretionary together),
so redundancy pay qualifies only in years when both parts do: from 2022/23 to
2024/25 it is not funded from capital receipts (a cautious reading, stated in
docs/affordability.md).
"""

from __future__ import annotations

import datetime as dt

from models.reference import load_reference

NAME = "capital_receipts_flexible_use"

_PARTS = {
    "set_up": ("set_up",),
    "redundancy_pay": ("statutory_redundancy_pay", "discretionary_redundancy_pay"),
    "pension_strain": ("pension_strain",),
}


def qualifying_revenue_costs(fy_start_year: int) -> frozenset[str]:
    """Revenue cost parts the direction in force on 1 April of the year allows.

    >>> sorted(qualifying_revenue_costs(2015))
    []
    >>> sorted(qualifying_revenue_costs(2023))
    ['pension_strain', 'set_up', 'statutory_redundancy_pay']
    """
    values = load_reference(NAME)["values"]
    start = dt.date(fy_start_year, 4, 1)
    in_force = [d for d in sorted(values) if d <= start]
    return frozenset(values[in_force[-1]]) if in_force else frozenset()


def may_fund_from_capital_receipts(cost_type: str, fy_start_year: int) -> bool:
    """Whether a cost type falling in a financial year may be funded from capital
    receipts: capital always; a revenue cost type when every part of it
    qualifies under the direction in force.

    >>> may_fund_from_capital_receipts("capital", 2011)
    True
    >>> may_fund_from_capital_receipts("set_up", 2011)
    False
    >>> may_fund_from_capital_receipts("redundancy_pay", 2023)
    False
    >>> may_fund_from_capital_receipts("redundancy_pay", 2025)
    True
    """
    if cost_type == "capital":
        return True
    return set(_PARTS[cost_type]) <= qualifying_revenue_costs(fy_start_year)


def first_year_of_flexible_use() -> int:
    """The first financial year (its starting calendar year) in which any revenue
    cost may be funded from capital receipts.

    >>> first_year_of_flexible_use()
    2016
    """
    values = load_reference(NAME)["values"]
    return min(d.year for d in values if values[d])
