"""One-off costs: set-up costs by category and severance, in the year they fall.

Conventions (also in docs/conventions.md):

* Set-up costs and flat severance figures are entered at base-year prices [GBP]
  and fall wholly in the financial year given (or are spread by a stated
  profile of fractions).
* Severance costed person by person from a staff-at-risk table is in money of
  its leaving date (the statutory weekly cap of that date applies).  It is
  brought to base-year prices by the pay index of its leaving year
  (:func:`at_base_year_prices` with :func:`pay_price_index`), so that it is
  priced like every other figure: the nominal view uprates it again by the same
  index, and shows it as costed; the real view shows it deflated.
* Pay-related set-up costs (project team, training, transitional support) and
  severance follow pay inflation; the rest non-pay inflation (nominal basis only).
* Optimism bias raises costs, ``cost x (1 + optimism bias)``, by cost type: a
  service's own project-type uplift (capex or opex) applies to its set-up costs
  only; redundancy pay and estimated pension strain take the case-wide
  ``settings.optimism_bias.costs``; a pension strain quoted by the fund actuary
  (``fund_strain_cost``) is a firm figure and is not uplifted.
"""

from __future__ import annotations

import numpy as np


def one_off_cost_profile(
    amount: float, timing: dict[int, float], horizon_years: int
) -> np.ndarray:
    """Spread a one-off cost over year indices by fractions that sum to 1 [GBP].

    >>> one_off_cost_profile(75_000, {1: 1.0}, 3).tolist()
    [0.0, 75000.0, 0.0]
    """
    profile = np.zeros(horizon_years)
    for year, fraction in timing.items():
        profile[year] += amount * fraction
    return profile


def uplifted_costs(
    costs: np.ndarray,
    price_index: np.ndarray,
    optimism_bias_costs: float | np.ndarray = 0.0,
) -> np.ndarray:
    """Costs after inflation and optimism bias [GBP].

    ``uplifted[t] = costs[t] x price_index[t] x (1 + ob)``

    >>> uplifted_costs(np.array([100.0, 0.0]), np.ones(2), 0.1).round(6).tolist()
    [110.0, 0.0]
    """
    bias = np.asarray(optimism_bias_costs, dtype=float)
    return costs * price_index * (1.0 + bias)


def pay_price_index(
    pay_inflation: float | np.ndarray, year_index: int | np.ndarray
) -> np.ndarray:
    """Pay price index of a financial year relative to the base year [/1].

    ``index = (1 + pay inflation) ** year_index``, for any year index (one
    before the base year is negative); the index of year 0 is 1.

    Parameters
    ----------
    pay_inflation : annual pay inflation, ``settings.inflation.pay`` [/1 a year]
    year_index : financial years after the base year [years]

    Source: docs/conventions.md (Real and nominal prices), issue 15 item 5.

    >>> pay_price_index(0.10, np.array([0, 1, 2])).round(4).tolist()
    [1.0, 1.1, 1.21]
    """
    return (1.0 + np.asarray(pay_inflation, dtype=float)) ** np.asarray(year_index)


def at_base_year_prices(
    costs: float | np.ndarray, price_index: float | np.ndarray
) -> np.ndarray:
    """Costs in money of their own year brought to base-year prices [GBP].

    ``base = costs / price_index``: severance costed at its leaving date, divided
    by the pay price index of its leaving year (:func:`pay_price_index`).

    Parameters
    ----------
    costs : costs in money of the year they are priced in [GBP]
    price_index : price index of that year relative to the base year [/1]

    Source: docs/conventions.md (Real and nominal prices), issue 15 item 5.

    >>> float(at_base_year_prices(11_900.0, 1.1).round(2))  # one year on, 10% pay
    10818.18
    """
    return np.asarray(costs, dtype=float) / np.asarray(price_index, dtype=float)
