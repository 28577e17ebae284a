"""One-off costs: set-up costs by category and severance, in the year they fall.

Conventions:

* One-off costs are entered at base-year prices [GBP] and fall wholly in the
  financial year given (or are spread by a stated profile of fractions).
* Optimism bias raises costs: ``cost x (1 + optimism_bias_costs)``; it applies to
  set-up costs and severance alike.
* Pay-related set-up costs (project team, training, transitional support) and
  severance follow pay inflation; the rest non-pay inflation (nominal basis only).
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
