"""Discounting, net present value and payback; the financial and economic views.

Conventions (also in docs/conventions.md):

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

Each formula is written once here and used by the yearly projection
(:func:`models.engine.projection.project`) and the batch uncertainty evaluator
(:func:`models.engine.uncertainty.evaluate`) alike: :func:`discount_rates` and
:func:`discount_factors`, :func:`net_savings`, :func:`net_present_value` and
:func:`payback_index`.
"""

from __future__ import annotations

import numpy as np

from models.reference import load_reference


def green_book_rates(horizon_years: int) -> np.ndarray:
    """Green Book real discount rate applying to each year index [/1].

    Source: HM Treasury, The Green Book (2022), para A6.3 and Table 8
    (``models/reference/green_book_discount_rates.yaml``).

    >>> green_book_rates(33)[[0, 30, 31, 32]].tolist()
    [0.035, 0.035, 0.03, 0.03]
    """
    brackets = load_reference("green_book_discount_rates")["brackets"]
    year = np.arange(horizon_years)
    rates = np.zeros(horizon_years)
    for bracket in sorted(brackets, key=lambda bracket: bracket["from_year"]):
        rates[year >= bracket["from_year"]] = bracket["rate"]
    return rates


def discount_rates(discount_rate: str | float, horizon_years: int) -> np.ndarray:
    """Real discount rate of each year [/1]: the Green Book schedule or a fixed rate.

    ``discount_rate`` is a case's ``settings.discount_rate``: ``"green_book"``
    (:func:`green_book_rates`) or a rate [/1] (a number, or a quantity that
    converts to one), applied to every year.

    Source: HM Treasury, The Green Book (2022), para A6.3 and Table 8.

    >>> discount_rates("green_book", 32)[[0, 31]].tolist()
    [0.035, 0.03]
    >>> discount_rates(0.1, 3).tolist()
    [0.1, 0.1, 0.1]
    """
    if discount_rate == "green_book":
        return green_book_rates(horizon_years)
    return np.full(horizon_years, float(discount_rate))


def nominal_rates(real_rates: np.ndarray, general_inflation: float) -> np.ndarray:
    """Nominal discount rates: ``(1 + real) x (1 + inflation) - 1`` [/1].

    Source: docs/conventions.md (Real and nominal prices).

    >>> round(float(nominal_rates(np.array([0.035]), 0.02)[0]), 5)
    0.0557
    """
    return (1.0 + np.asarray(real_rates)) * (1.0 + general_inflation) - 1.0


def discount_factors(
    rates: np.ndarray, general_inflation: float | None = None
) -> np.ndarray:
    """Discount factor for each year from the rate applying in it [/1].

    ``factor[0] = 1``; ``factor[t] = factor[t-1] / (1 + rates[t])``, along the last
    axis (leading axes, e.g. draws, broadcast).  With ``general_inflation`` [/1]
    (the nominal price basis) the real ``rates`` are first made nominal
    (:func:`nominal_rates`); ``None`` (the real basis) uses them as they are.

    Source: HM Treasury, The Green Book (2022), Annex A6 (discounting); year 0,
    the base year, is not discounted (module docstring).

    >>> discount_factors(np.full(3, 0.035)).round(6).tolist()
    [1.0, 0.966184, 0.933511]
    >>> discount_factors(np.full(2, 0.0), general_inflation=0.25).tolist()
    [1.0, 0.8]
    """
    if general_inflation is not None:
        rates = nominal_rates(rates, general_inflation)
    rates = np.asarray(rates, dtype=float)
    growth = np.concatenate(
        [np.ones(rates.shape[:-1] + (1,)), 1.0 + rates[..., 1:]], axis=-1
    )
    return 1.0 / np.cumprod(growth, axis=-1)


def net_savings(
    savings: np.ndarray, set_up_costs: np.ndarray, *severance: np.ndarray
) -> np.ndarray:
    """Net saving of each year [GBP]: ``savings - set-up costs - severance``.

    The financial view passes the severance lines (redundancy pay and pension
    strain [GBP], or their total), subtracted one after the other in the order
    given (``((savings - set-up) - redundancy pay) - pension strain``, the
    floating-point order every caller relies on); the economic view passes none, since severance is a transfer (to
    staff and to the pension fund): ``savings - set-up costs``.  Arrays of any
    matching (broadcastable) shape, e.g. (S, T), (C, T) or (D, T).

    Source: docs/conventions.md (Financial and economic views, following the Green
    Book); seed 002 para 6.9 (NET SAVINGS = SAVINGS - SET UP COSTS, with severance
    among the set-up costs).

    >>> savings, set_up = np.array([100.0, 200.0]), np.array([150.0, 0.0])
    >>> net_savings(savings, set_up, np.array([30.0, 0.0]), np.array([5.0, 0.0])).tolist()
    [-85.0, 200.0]
    >>> net_savings(savings, set_up).tolist()  # economic view
    [-50.0, 200.0]
    """
    net = savings - set_up_costs
    for line in severance:
        net = net - line
    return net


def present_value(flows: np.ndarray, factors: np.ndarray) -> np.ndarray:
    """Present value of each year's flow: ``flows[t] x factor[t]`` [GBP].

    Source: HM Treasury, The Green Book (2022), Annex A6 (discounting).

    >>> present_value(np.array([-100.0, 110.0]), np.array([1.0, 0.5])).tolist()
    [-100.0, 55.0]
    """
    return np.asarray(flows) * factors


def net_present_value(flows: np.ndarray, factors: np.ndarray) -> np.ndarray:
    """Net present value: ``sum_t flows[t] x factor[t]`` [GBP], over the last axis.

    The sum of :func:`present_value`; leading axes (services, councils, draws)
    are kept.  Source: HM Treasury, The Green Book (2022), Annex A6.

    >>> float(net_present_value(np.array([-100.0, 110.0]), np.array([1.0, 1 / 1.1])))
    0.0
    """
    return np.sum(present_value(flows, factors), axis=-1)


def payback_index(net: np.ndarray) -> np.ndarray:
    """Index of the payback year along the last axis; -1 where there is none [years].

    The first year from which the cumulative net saving [GBP] is >= 0 and stays
    so; -1 if it never does, or if every flow is zero.  Cumulative sums within
    a pound-scale rounding residue (1e-6 GBP) of zero count as non-negative.

    Source: docs/conventions.md (Payback year).

    >>> payback_index(np.array([-100.0, 60.0, 60.0])).item()
    2
    >>> payback_index(np.array([[-100.0, 10.0], [0.0, 0.0]])).tolist()
    [-1, -1]
    """
    net = np.asarray(net, dtype=float)
    cumulative = np.cumsum(net, axis=-1)
    # tolerance: a pound-scale rounding residue must not decide payback
    negative = cumulative < -1e-6
    horizon = net.shape[-1]
    year = np.arange(horizon)
    last_negative = np.where(negative, year, -1).max(axis=-1)
    index = last_negative + 1
    none = (index >= horizon) | np.all(net == 0, axis=-1)
    return np.where(none, -1, index)
