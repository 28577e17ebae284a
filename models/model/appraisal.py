"""Discounting, net present value and payback; the financial and economic views.

Conventions (also in the README):

* Year 0 is the case's base financial year and is not discounted: the discount
  factor for year ``t`` is ``prod_{k=1..t} 1 / (1 + r_k)``, so year 0 has factor 1
  and every year's flows are treated as falling at one point in that year.
* Rates: the Green Book social time preference rate, 3.5% real for years 0-30,
  then 3.0% (31-75), 2.5% (76-125), 2.0% (126-200), 1.5% (201-300), 1.0% beyond
  (models/reference/green_book_discount_rates.yaml), or a fixed rate from the case.
* Real vs nominal: in the real price basis flows stay at base-year prices and are
  discounted at the real rate; in the nominal basis flows are inflated and the
  rate becomes ``(1 + real)(1 + general inflation) - 1``.
* Financial (affordability) view: net saving = savings - set-up costs - severance
  (redundancy pay and pension strain are cash costs to the councils).
  Economic view: severance is a transfer (to staff and to the pension fund), so
  net saving = savings - set-up costs.
* Payback year: the first financial year from which the cumulative net saving is
  non-negative and stays so to the end of the horizon; ``None`` if it never does
  or if there are no flows at all.
"""

from __future__ import annotations

import numpy as np

from models.reference import load_reference


def green_book_rates(horizon_years: int) -> np.ndarray:
    """Green Book real discount rate applying to each year index [/1].

    >>> green_book_rates(33)[[0, 30, 31, 32]].tolist()
    [0.035, 0.035, 0.03, 0.03]
    """
    brackets = load_reference("green_book_discount_rates")["brackets"]
    t = np.arange(horizon_years)
    rates = np.zeros(horizon_years)
    for b in sorted(brackets, key=lambda b: b["from_year"]):
        rates[t >= b["from_year"]] = b["rate"]
    return rates


def discount_factors(rates: np.ndarray) -> np.ndarray:
    """Discount factor for each year from the rate applying in it [/1].

    ``factor[0] = 1``; ``factor[t] = factor[t-1] / (1 + rates[t])``.

    >>> discount_factors(np.full(3, 0.035)).round(6).tolist()
    [1.0, 0.966184, 0.933511]
    """
    r = np.asarray(rates, dtype=float)
    growth = np.concatenate([np.ones(r.shape[:-1] + (1,)), 1.0 + r[..., 1:]], axis=-1)
    return 1.0 / np.cumprod(growth, axis=-1)


def nominal_rates(real_rates: np.ndarray, general_inflation: float) -> np.ndarray:
    """Nominal discount rates: ``(1 + real) x (1 + inflation) - 1`` [/1].

    >>> round(float(nominal_rates(np.array([0.035]), 0.02)[0]), 5)
    0.0557
    """
    return (1.0 + np.asarray(real_rates)) * (1.0 + general_inflation) - 1.0


def present_value(flows: np.ndarray, factors: np.ndarray) -> np.ndarray:
    """Present value of each year's flow: ``flows[t] x factor[t]`` [GBP]."""
    return np.asarray(flows) * factors


def net_present_value(flows: np.ndarray, factors: np.ndarray) -> np.ndarray:
    """Net present value: ``sum_t flows[t] x factor[t]`` [GBP].

    >>> float(net_present_value(np.array([-100.0, 110.0]), np.array([1.0, 1 / 1.1])))
    0.0
    """
    return np.sum(np.asarray(flows) * factors, axis=-1)


def cumulative_net_savings(net: np.ndarray) -> np.ndarray:
    """Running total of net savings [GBP]."""
    return np.cumsum(net, axis=-1)


def payback_index(net: np.ndarray) -> np.ndarray:
    """Index of the payback year along the last axis; -1 where there is none.

    The first year from which the cumulative net saving is >= 0 and stays so;
    -1 if it never does, or if every flow is zero.

    >>> payback_index(np.array([-100.0, 60.0, 60.0])).item()
    2
    >>> payback_index(np.array([[-100.0, 10.0], [0.0, 0.0]])).tolist()
    [-1, -1]
    """
    net = np.asarray(net, dtype=float)
    cum = np.cumsum(net, axis=-1)
    # tolerance: a pound-scale rounding residue must not decide payback
    negative = cum < -1e-6
    T = net.shape[-1]
    t = np.arange(T)
    last_negative = np.where(negative, t, -1).max(axis=-1)
    idx = last_negative + 1
    none = (idx >= T) | np.all(net == 0, axis=-1)
    return np.where(none, -1, idx)
