"""Recurring savings profiles: go-live, part-year effect, ramp-up, inflation, optimism bias.

Conventions:

* Savings are entered as a full-year effect at base-year prices [GBP/year].
* Part-year effect and ramp-up are computed together on a monthly grid: month
  ``m`` after go-live (``m = 0`` is the first live month) delivers
  ``ramp_up[m // 12] / 12`` of the full-year saving; the last ramp-up value
  persists.  A financial year's factor is the sum over its twelve months.
* Staff savings follow pay inflation, every other category non-pay inflation
  (only in the nominal price basis; in the real basis the indices are 1).
* Optimism bias cuts savings: ``savings x (1 - optimism_bias_savings)``.
"""

from __future__ import annotations

import numpy as np


def realisation_factor(
    go_live_month: np.ndarray | int,
    ramp_up: np.ndarray | list[float],
    horizon_years: int,
) -> np.ndarray:
    """Fraction of the full-year saving realised in each financial year.

    ``factor[t] = sum over months k of year t live since go-live of ramp[(k - go_live) // 12] / 12``

    Parameters
    ----------
    go_live_month : months from 1 April of the base year to go-live [months]
    ramp_up : fraction of the full-year saving reached in the 1st, 2nd... year live [/1]
    horizon_years : financial years in the appraisal [years]

    Returns
    -------
    array ``(horizon_years,)`` (or ``(..., horizon_years)`` for an array of go-live
    months) [/1]

    >>> realisation_factor(6, [0.5, 1.0], 3).tolist()  # live from October, half in year 1
    [0.25, 0.75, 1.0]
    """
    months = np.arange(12 * horizon_years)
    since = months - np.asarray(go_live_month)[..., None]
    ramp = np.asarray(ramp_up, dtype=float)
    year_live = np.clip(since // 12, 0, len(ramp) - 1)
    monthly = np.where(since >= 0, ramp[year_live], 0.0)
    return monthly.reshape(*monthly.shape[:-1], horizon_years, 12).sum(axis=-1) / 12.0


def part_year_fraction(
    go_live_month: np.ndarray | int, horizon_years: int
) -> np.ndarray:
    """Fraction of each financial year in which a service is live [/1].

    ``fraction[t] = clip(12 (t + 1) - go_live_month, 0, 12) / 12``: the
    realisation factor without ramp-up.

    >>> part_year_fraction(9, 3).tolist()  # live from 1 January of year 0
    [0.25, 1.0, 1.0]
    """
    return realisation_factor(go_live_month, [1.0], horizon_years)


def inflation_index(rate: float | np.ndarray, horizon_years: int) -> np.ndarray:
    """Price index relative to the base year: ``(1 + rate) ** t``.

    >>> inflation_index(0.02, 3).round(4).tolist()
    [1.0, 1.02, 1.0404]
    """
    rates = np.asarray(rate, dtype=float)[..., None]
    return (1.0 + rates) ** np.arange(horizon_years)


def gross_savings(
    full_year_savings: np.ndarray,
    realisation: np.ndarray,
    price_index: np.ndarray,
    optimism_bias_savings: float | np.ndarray = 0.0,
) -> np.ndarray:
    """Gross savings in each year [GBP].

    ``gross_savings[t] = full_year_savings x realisation[t] x price_index[t] x (1 - ob)``

    >>> gross_savings(np.array(120_000.0), np.array([0.25, 1.0]), np.ones(2)).tolist()
    [30000.0, 120000.0]
    """
    bias = np.asarray(optimism_bias_savings, dtype=float)
    return full_year_savings * realisation * price_index * (1.0 - bias)
