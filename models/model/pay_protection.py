"""Pay protection and pay harmonisation of posts moving onto new grades.

A post moving onto a new grade changes its annual pay from ``current`` to
``new`` in the financial year of the move.  Two costs follow (issue 15 item 3;
seed 000 para 3.2: the HR and OD structure was delayed by "protection periods
and the use of existing and proposed salary grades"):

* **pay protection** where pay falls: the employing council keeps paying a
  tapering fraction of the difference for a limited time, its change-support
  policy's taper (e.g. 100% in year 1, 50% in year 2, nothing after);
* **pay harmonisation** where pay rises: the difference is paid every year from
  the move on, a recurring cost that reduces the savings.

Amounts are at base-year prices [GBP]; the projection prices them by the pay
index.  Both fall on the council that employs the post.
"""

from __future__ import annotations

import numpy as np


def pay_protection_cost(
    current_pay: np.ndarray,
    new_pay: np.ndarray,
    move_year_index: np.ndarray,
    taper: np.ndarray,
    horizon_years: int,
) -> np.ndarray:
    """Pay protection of each post by year, shape (P, T) [GBP].

    ``protection[p, t] = max(current - new, 0) x taper[p, t - move]`` for
    ``0 <= t - move < len(taper)``, else 0.

    Parameters
    ----------
    current_pay : annual pay before the move, per post (P,) [GBP/year]
    new_pay : annual pay on the new grade (P,) [GBP/year]
    move_year_index : financial year of the move, years after the base year (P,)
    taper : fraction of the pay cut still paid in each year after the move,
        (P, L), padded with zeros [/1]
    horizon_years : years of the appraisal (T)

    Source: the employing council's change-support policy
    (``severance_policies.<council>.pay_protection``).

    >>> pay_protection_cost(np.array([30_000.0]), np.array([27_000.0]),
    ...     np.array([1]), np.array([[1.0, 0.5]]), 4).tolist()
    [[0.0, 3000.0, 1500.0, 0.0]]
    """
    cut = np.maximum(np.asarray(current_pay, float) - np.asarray(new_pay, float), 0)
    taper = np.asarray(taper, dtype=float).reshape(len(cut), -1)
    years_since_move = np.arange(horizon_years)[None, :] - np.asarray(
        move_year_index
    ).reshape(-1, 1)  # (P, T)
    in_period = (years_since_move >= 0) & (years_since_move < taper.shape[1])
    fraction = (
        np.take_along_axis(
            taper, np.clip(years_since_move, 0, max(taper.shape[1] - 1, 0)), axis=1
        )
        if taper.shape[1]
        else np.zeros_like(years_since_move, dtype=float)
    )
    return cut[:, None] * np.where(in_period, fraction, 0.0)


def pay_harmonisation_cost(
    current_pay: np.ndarray,
    new_pay: np.ndarray,
    move_year_index: np.ndarray,
    horizon_years: int,
) -> np.ndarray:
    """Recurring cost of pay rising on the new grade, shape (P, T) [GBP].

    ``harmonisation[p, t] = max(new - current, 0)`` for ``t >= move``, else 0.

    Parameters
    ----------
    current_pay : annual pay before the move (P,) [GBP/year]
    new_pay : annual pay on the new grade (P,) [GBP/year]
    move_year_index : financial year of the move, years after the base year (P,)
    horizon_years : years of the appraisal (T)

    >>> pay_harmonisation_cost(np.array([20_000.0]), np.array([21_500.0]),
    ...     np.array([1]), 3).tolist()
    [[0.0, 1500.0, 1500.0]]
    """
    rise = np.maximum(np.asarray(new_pay, float) - np.asarray(current_pay, float), 0)
    from_move = np.arange(horizon_years)[None, :] >= np.asarray(
        move_year_index
    ).reshape(-1, 1)
    return rise[:, None] * from_move
