"""Uncertainty: a vectorised evaluator of an option, parameters addressed by dotted path.

The Green Book asks for sensitivity analysis, switching values, optimism bias and,
where several inputs are uncertain, Monte Carlo analysis.  All of them need the
NPV of an option evaluated under changed assumptions, many times.  This module
compiles an option once into an :class:`UncertaintyModel` (arrays, like
:class:`~models.engine.projection.OptionArrays` but keeping each set-up cost item and
each go-live month apart) and evaluates it for a whole batch of *levers* at once:
every lever array has a leading draw axis ``D``, and nothing loops over draws.

Parameters (what a sensitivity, a switching value or a distribution varies):

=============================================  ======  =================================
path or aggregate                              unit    effect
=============================================  ======  =================================
``services.<s>.savings.<category>``            GBP/yr  full-year saving of one category
``services.<s>.savings_by_year.*.<category>``  /1      factor on a year-by-year saving
``services.<s>.set_up_costs[<i>].amount``      GBP     one set-up cost item
``services.<s>.severance.redundancy_pay``      GBP     redundancy pay
``services.<s>.severance.pension_strain``      GBP     pension strain
``services.<s>.go_live``                       months  delay of go-live (negative: early)
``settings.optimism_bias.costs`` / ``.savings``  /1    the optimism bias uplift / cut
``settings.discount_rate``                     /1      the year-0 rate; the schedule
                                                       is shifted by the same amount
``savings_achieved``                           /1      factor on every saving
``set_up_costs``                               /1      factor on every set-up cost
``severance``                                  /1      factor on all severance
``go_live_delay_months``                       months  delay of every go-live
``discount_rate``                              /1      as ``settings.discount_rate``
=============================================  ======  =================================

Conventions:

* A path's value *replaces* the option's value (pounds, a rate); an aggregate
  *multiplies* (or, for months, adds to) whatever the paths give.  So
  ``savings_achieved = 0.8`` with ``services.hr_od.savings.staff = 90000`` gives a
  staff saving of £72,000 for HR.
* A go-live delay of a fraction of a month interpolates linearly between the
  whole-month results (a go-live part-way through a month, savings pro rata):
  the core model counts whole months, so whole-month delays agree with it exactly
  and the NPV is continuous in the delay, which root-finding needs.
* The discount-rate lever shifts the whole real rate schedule by
  ``rate - base rate`` (for horizons up to 30 years the Green Book schedule is
  flat, so this is simply the rate); in the nominal basis the shifted real rates
  are then made nominal as the core does.
* Inflation rates and ramp-up fractions are not varied here (inflation matters
  only in the nominal basis; ramp-up is bounded by 1).

Checks: :func:`evaluate` agrees with :func:`models.engine.projection.run_option` at the
base point and with :func:`slow_npv` (an override of the case file re-validated
and run by the core, one draw at a time) at changed points; see
``tests/test_uncertainty.py``.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import optimize, stats

from models.core import calendar
from models.core.errors import InputError
from models.engine.cases import case_from_dict, option_case
from models.engine.projection import compile_option, project, summarise
from models.inputs.case import (
    PAY_SETUP_CATEGORIES,
    SAVINGS_CATEGORIES,
    SETUP_CATEGORIES,
    Case,
)
from models.inputs.uncertainty_spec import (
    AGGREGATE_NAMES,
    UncertaintySpec,
    parameter_names,
    parameter_problems,
)
from models.model import appraisal, savings
from models.reference.optimism_bias import optimism_bias_uplift

AGGREGATES: dict[str, tuple[str, str]] = {
    "savings_achieved": ("/1", "Savings achieved (factor on every saving)"),
    "set_up_costs": ("/1", "Set-up costs (factor on every item)"),
    "severance": ("/1", "Severance (factor on redundancy pay and pension strain)"),
    "go_live_delay_months": ("months", "Go-live delay of every service"),
    "discount_rate": ("/1", "Discount rate (year 0 real rate)"),
}
"""Aggregate parameters: name -> (unit, label).  Base values: 1, 1, 1, 0, the rate."""
assert tuple(AGGREGATES) == AGGREGATE_NAMES

SWITCHING_BOUNDS: dict[str, tuple[float, float]] = {
    "savings_achieved": (0.0, 5.0),
    "set_up_costs": (0.0, 50.0),
    "severance": (0.0, 50.0),
    "go_live_delay_months": (-24.0, 120.0),
    "discount_rate": (-0.02, 1.0),
}
"""Bounds within which switching values are searched (aggregate units)."""


# --------------------------------------------------------------------------- model


@dataclass
class UncertaintyModel:
    """An option compiled for batch evaluation (S services, K categories, I set-up
    items, C councils, T years).  Money at base-year prices x price index [GBP]."""

    case: Case
    option: str
    years: list[str]
    services: list[str]
    councils: list[str]
    full_year_savings_indexed: np.ndarray  # (S, K, T) full-year x price index
    explicit_savings_indexed: np.ndarray  # (S, K, T)
    full_year_savings: np.ndarray  # (S, K) base values
    go_live_month: np.ndarray  # (S,) float, nan where no go-live
    realisation_tables: list[tuple[int, np.ndarray] | None]  # per service
    base_realisation: np.ndarray  # (S, T)
    item_costs: np.ndarray  # (I, S, T) each set-up item, indexed, no optimism bias
    item_paths: list[str]
    item_amounts: np.ndarray  # (I,)
    item_service: np.ndarray  # (I,) index of each item's service
    redundancy_pay: np.ndarray  # (S, T) indexed
    pension_strain: np.ndarray  # (S, T) indexed
    redundancy_base: np.ndarray  # (S,)
    strain_base: np.ndarray  # (S,)
    optimism_bias_costs: np.ndarray  # (S,)
    optimism_bias_savings: np.ndarray  # (S,)
    has_own_cost_bias: np.ndarray  # (S,) bool: the service names its project type
    case_cost_bias: float  # settings.optimism_bias.costs [/1]
    real_rates: np.ndarray  # (T,)
    general_inflation: float | None  # None in the real price basis
    savings_shares: np.ndarray  # (S, C, T)
    setup_shares: np.ndarray
    severance_shares: np.ndarray  # (S, C, T) of redundancy pay
    strain_shares: np.ndarray  # (S, C, T) of pension strain
    target_window: tuple[int, int] | None
    target: float | None
    explicit_categories: np.ndarray  # (S, K) bool: a year-by-year saving exists
    cache: dict = field(default_factory=dict, repr=False, compare=False)

    @property
    def base_rate(self) -> float:
        return float(self.real_rates[0]) if len(self.real_rates) else 0.0


def _realisation_table(
    go_live_month: int, ramp_up: list[float], horizon_years: int
) -> tuple[int, np.ndarray]:
    """Realisation for every whole-month go-live from far early to after the horizon.

    Returns ``(first_month, table)`` with ``table[m - first_month]`` the (T,)
    realisation of a go-live at month ``m``.
    """
    first = min(go_live_month, 0) - 12 * (len(ramp_up) + 1)
    last = 12 * horizon_years + 1
    months = np.arange(first, last + 1)
    return first, savings.realisation_factor(months, ramp_up, horizon_years)


def realisation_with_delay(
    table: tuple[int, np.ndarray], go_live_month: np.ndarray
) -> np.ndarray:
    """Realisation (D, T) [/1] for go-live months that may be fractional.

    ``R(g) = (1 - f) R(floor g) + f R(floor g + 1)`` with ``f = g - floor g``.

    >>> tab = _realisation_table(6, [1.0], 2)
    >>> realisation_with_delay(tab, np.array([6.0, 6.5])).round(4).tolist()
    [[0.5, 1.0], [0.4583, 1.0]]
    """
    first, values = table
    g = np.clip(np.asarray(go_live_month, dtype=float), first, first + len(values) - 2)
    lo = np.floor(g).astype(int)
    f = (g - lo)[..., None]
    i = lo - first
    return (1.0 - f) * values[i] + f * values[i + 1]


def compile_model(case: Case, option: str) -> UncertaintyModel:
    """Compile one option of a case for batch evaluation (see :class:`UncertaintyModel`)."""
    a = compile_option(case, option)
    oc = option_case(case, option)
    st = oc.settings
    T = len(a.years)
    S = len(a.services)
    is_pay_saving = np.array([c == "staff" for c in SAVINGS_CATEGORIES])
    is_pay_setup = np.array([c in PAY_SETUP_CATEGORIES for c in SETUP_CATEGORIES])
    sav_idx = np.where(is_pay_saving[:, None], a.pay_index, a.non_pay_index)  # (K, T)
    set_idx = np.where(is_pay_setup[:, None], a.pay_index, a.non_pay_index)  # (J, T)
    go_live = np.full(S, np.nan)
    tables: list[tuple[int, np.ndarray] | None] = []
    item_costs: list[np.ndarray] = []
    item_paths: list[str] = []
    item_amounts: list[float] = []
    item_service: list[int] = []
    explicit_cats = np.zeros((S, len(SAVINGS_CATEGORIES)), dtype=bool)
    for i, sname in enumerate(a.services):
        svc = oc.services[sname]
        if svc.savings_by_year is None and svc.go_live is not None:
            m = calendar.month_index(svc.go_live, st.base_year)
            go_live[i] = m
            tables.append(_realisation_table(m, svc.ramp_up, T))
        else:
            tables.append(None)
        if svc.savings_by_year is not None:
            for cats in svc.savings_by_year.values():
                for k, cat in enumerate(SAVINGS_CATEGORIES):
                    if getattr(cats, cat).value:
                        explicit_cats[i, k] = True
        for n, item in enumerate(svc.set_up_costs):
            j = SETUP_CATEGORIES.index(item.category)
            cost = np.zeros((S, T))
            for fy, frac in item.timing().items():
                cost[i, calendar.fy_index(fy, st.base_year)] += item.amount.value * frac
            item_costs.append(cost * set_idx[j])
            item_paths.append(f"services.{sname}.set_up_costs[{n}].amount")
            item_amounts.append(item.amount.value)
            item_service.append(i)
    if st.discount_rate == "green_book":
        rates = appraisal.green_book_rates(T)
    else:
        rates = np.full(T, st.discount_rate.value)
    nominal = st.price_basis == "nominal"
    return UncertaintyModel(
        case=case,
        option=option,
        years=a.years,
        services=a.services,
        councils=a.councils,
        full_year_savings_indexed=a.full_year_savings[..., None] * sav_idx,
        explicit_savings_indexed=a.explicit_savings * sav_idx,
        full_year_savings=a.full_year_savings,
        go_live_month=go_live,
        realisation_tables=tables,
        base_realisation=a.realisation,
        item_costs=np.array(item_costs).reshape(len(item_costs), S, T),
        item_paths=item_paths,
        item_amounts=np.array(item_amounts),
        item_service=np.array(item_service, dtype=int),
        redundancy_pay=a.redundancy_pay * a.pay_index,
        pension_strain=a.pension_strain * a.pay_index,
        redundancy_base=a.redundancy_pay.sum(axis=-1),
        strain_base=a.pension_strain.sum(axis=-1),
        optimism_bias_costs=np.broadcast_to(a.optimism_bias_costs, (S,)).astype(float),
        optimism_bias_savings=np.broadcast_to(a.optimism_bias_savings, (S,)).astype(
            float
        ),
        has_own_cost_bias=np.array(
            [oc.services[s].optimism_bias is not None for s in a.services], dtype=bool
        ).reshape(S),
        case_cost_bias=st.optimism_bias.costs.value,
        real_rates=rates,
        general_inflation=st.inflation.general.value if nominal else None,
        savings_shares=a.savings_shares,
        setup_shares=a.setup_shares,
        severance_shares=a.severance_shares,
        strain_shares=(
            a.strain_shares if a.strain_shares is not None else a.severance_shares
        ),
        target_window=a.target_window,
        target=a.target,
        explicit_categories=explicit_cats,
    )


# --------------------------------------------------------------------------- levers


@dataclass
class Levers:
    """Changes to an option for a batch of D draws (or scenarios); 1 / 0 = no change.

    Shapes: ``savings_factor`` (D, S, K); ``item_factor`` (D, I);
    ``redundancy_factor``, ``strain_factor``, ``delay_months``,
    ``optimism_bias_costs``, ``optimism_bias_savings`` (D, S); ``rate_shift`` (D,).
    """

    savings_factor: np.ndarray
    item_factor: np.ndarray
    redundancy_factor: np.ndarray
    strain_factor: np.ndarray
    delay_months: np.ndarray
    optimism_bias_costs: np.ndarray
    optimism_bias_savings: np.ndarray
    rate_shift: np.ndarray

    @property
    def draws(self) -> int:
        return self.rate_shift.shape[0]


def base_levers(model: UncertaintyModel, draws: int = 1) -> Levers:
    """Levers that leave the option as it is, for ``draws`` draws."""
    S, K, n_items = len(model.services), len(SAVINGS_CATEGORIES), len(model.item_paths)
    return Levers(
        savings_factor=np.ones((draws, S, K)),
        item_factor=np.ones((draws, n_items)),
        redundancy_factor=np.ones((draws, S)),
        strain_factor=np.ones((draws, S)),
        delay_months=np.zeros((draws, S)),
        optimism_bias_costs=np.tile(model.optimism_bias_costs, (draws, 1)),
        optimism_bias_savings=np.tile(model.optimism_bias_savings, (draws, 1)),
        rate_shift=np.zeros(draws),
    )


@dataclass(frozen=True)
class Parameter:
    """One variable assumption: its path (or aggregate name), base value and unit."""

    path: str
    base: float
    unit: str
    label: str
    kind: str  # "value" (replace), "factor" (multiply), "months" (add), "rate"


def parameters(
    model: UncertaintyModel, include_aggregates: bool = True
) -> list[Parameter]:
    """Every numeric assumption of the option that the evaluator can vary.

    Values of zero are left out (a relative change of nothing is nothing).
    """
    out: list[Parameter] = []
    names = {s: model.case.services[s].name for s in model.services}
    for i, s in enumerate(model.services):
        for k, cat in enumerate(SAVINGS_CATEGORIES):
            v = model.full_year_savings[i, k]
            if v:
                out.append(
                    Parameter(
                        f"services.{s}.savings.{cat}",
                        float(v),
                        "GBP/year",
                        f"{names[s]}: {cat} savings",
                        "value",
                    )
                )
            if model.explicit_categories[i, k]:
                out.append(
                    Parameter(
                        f"services.{s}.savings_by_year.*.{cat}",
                        1.0,
                        "/1",
                        f"{names[s]}: {cat} savings by year (factor)",
                        "factor",
                    )
                )
    for n, path in enumerate(model.item_paths):
        if model.item_amounts[n]:
            s = path.split(".")[1]
            idx = path.split("[")[1].split("]")[0]
            out.append(
                Parameter(
                    path,
                    float(model.item_amounts[n]),
                    "GBP",
                    f"{names[s]}: set-up cost {idx}",
                    "value",
                )
            )
    for i, s in enumerate(model.services):
        if model.redundancy_base[i]:
            out.append(
                Parameter(
                    f"services.{s}.severance.redundancy_pay",
                    float(model.redundancy_base[i]),
                    "GBP",
                    f"{names[s]}: redundancy pay",
                    "value",
                )
            )
        if model.strain_base[i]:
            out.append(
                Parameter(
                    f"services.{s}.severance.pension_strain",
                    float(model.strain_base[i]),
                    "GBP",
                    f"{names[s]}: pension strain",
                    "value",
                )
            )
        if not np.isnan(model.go_live_month[i]):
            out.append(
                Parameter(
                    f"services.{s}.go_live",
                    0.0,
                    "months",
                    f"{names[s]}: go-live delay",
                    "months",
                )
            )
    if len(model.services):
        if model.case_cost_bias and not model.has_own_cost_bias.all():
            out.append(
                Parameter(
                    "settings.optimism_bias.costs",
                    float(model.case_cost_bias),
                    "/1",
                    "Optimism bias on costs",
                    "rate",
                )
            )
        if np.any(model.optimism_bias_savings):
            out.append(
                Parameter(
                    "settings.optimism_bias.savings",
                    float(model.optimism_bias_savings[0]),
                    "/1",
                    "Optimism bias on savings",
                    "rate",
                )
            )
    out.append(
        Parameter(
            "settings.discount_rate", model.base_rate, "/1", "Discount rate", "rate"
        )
    )
    if include_aggregates:
        for name, (unit, label) in AGGREGATES.items():
            if name == "discount_rate":
                continue
            base = 0.0 if unit == "months" else 1.0
            out.append(
                Parameter(
                    name, base, unit, label, "months" if unit == "months" else "factor"
                )
            )
    return out


def _service_index(model: UncertaintyModel, path: str, source: Any) -> int | None:
    """Index of the service a path names; None if the option has it disabled."""
    s = path.split(".")[1]
    if s not in model.case.services:
        raise InputError(
            source,
            f"uncertainty.parameters.{path}",
            f"a service of the case ({', '.join(model.case.services)})",
            repr(s),
        )
    return model.services.index(s) if s in model.services else None


def parameter_paths(case: Case) -> set[str]:
    """Every path and aggregate a distribution may name in this case (all options)."""
    return parameter_names({s: len(v.set_up_costs) for s, v in case.services.items()})


def uncertainty_problems(case: Case) -> list[InputError]:
    """Distributions naming a parameter the case does not have (see
    :func:`models.inputs.uncertainty_spec.parameter_problems`)."""
    if case.uncertainty is None:
        return []
    items = {s: len(v.set_up_costs) for s, v in case.services.items()}
    source = getattr(case, "_source", None)
    return [
        InputError(source, where, expected, found)
        for where, expected, found in parameter_problems(case.uncertainty, items)
    ]


def levers_from_values(
    model: UncertaintyModel,
    values: Mapping[str, np.ndarray | float],
    draws: int | None = None,
    source: Any = None,
) -> Levers:
    """Levers for a batch of draws from parameter values, each a scalar or (D,) array.

    Paths replace the option's value (``factor = value / base``); aggregates
    multiply (months add).  A path naming a service the option has disabled has no
    effect.  Raises :class:`InputError` for an unknown path.
    """
    arrays = {k: np.atleast_1d(np.asarray(v, dtype=float)) for k, v in values.items()}
    if draws is None:
        draws = max([len(v) for v in arrays.values()] + [1])
    lv = base_levers(model, draws)
    known = parameter_paths(model.case)
    for path, v in arrays.items():
        if path not in known:
            raise InputError(
                source,
                f"uncertainty.parameters.{path}",
                "an aggregate (" + ", ".join(AGGREGATES) + ") or a path such as "
                "services.<service>.savings.staff",
                repr(path),
            )
        v = np.broadcast_to(v, (draws,))
        if path == "savings_achieved":
            lv.savings_factor = lv.savings_factor * v[:, None, None]
        elif path == "set_up_costs":
            lv.item_factor = lv.item_factor * v[:, None]
        elif path == "severance":
            lv.redundancy_factor = lv.redundancy_factor * v[:, None]
            lv.strain_factor = lv.strain_factor * v[:, None]
        elif path == "go_live_delay_months":
            lv.delay_months = lv.delay_months + v[:, None]
        elif path in ("discount_rate", "settings.discount_rate"):
            lv.rate_shift = lv.rate_shift + (v - model.base_rate)
        elif path == "settings.optimism_bias.costs":
            # services that name their own project type keep their own uplift
            lv.optimism_bias_costs = np.where(
                model.has_own_cost_bias[None, :],
                model.optimism_bias_costs[None, :],
                v[:, None],
            )
        elif path == "settings.optimism_bias.savings":
            lv.optimism_bias_savings = np.repeat(
                v[:, None], len(model.services), axis=1
            )
        else:
            i = _service_index(model, path, source)
            if i is None:
                continue
            parts = path.split(".")
            if parts[2] == "savings":
                k = SAVINGS_CATEGORIES.index(parts[3])
                lv.savings_factor[:, i, k] *= _ratio(
                    v, model.full_year_savings[i, k], path, source
                )
            elif parts[2] == "savings_by_year":
                k = SAVINGS_CATEGORIES.index(parts[4])
                lv.savings_factor[:, i, k] *= v
            elif parts[2].startswith("set_up_costs"):
                n = model.item_paths.index(path)
                lv.item_factor[:, n] *= _ratio(v, model.item_amounts[n], path, source)
            elif parts[2] == "go_live":
                lv.delay_months[:, i] += v
            elif parts[3] == "redundancy_pay":
                lv.redundancy_factor[:, i] *= _ratio(
                    v, model.redundancy_base[i], path, source
                )
            elif parts[3] == "pension_strain":
                lv.strain_factor[:, i] *= _ratio(v, model.strain_base[i], path, source)
    return lv


def _ratio(v: np.ndarray, base: float, path: str, source: Any) -> np.ndarray:
    if base == 0:
        if np.all(v == 0):
            return np.ones_like(v)
        raise InputError(
            source,
            f"uncertainty.parameters.{path}",
            "a parameter whose value in this option is not zero "
            "(the evaluator varies values by scaling them)",
            "a value of 0",
        )
    return v / base


# --------------------------------------------------------------------------- evaluate


@dataclass
class Outcome:
    """NPV and friends for each draw: partnership (D,) and councils (D, C) [GBP]."""

    npv: np.ndarray
    npv_council: np.ndarray
    payback_index: np.ndarray
    payback_index_council: np.ndarray
    window_savings: np.ndarray | None
    net: np.ndarray  # (D, T)
    net_council: np.ndarray  # (D, C, T)


BLOCK_ELEMENTS = 2_000_000
"""Draws x services x years evaluated at once by :func:`evaluate` (memory: about
ten arrays of this many floats, 16 MB each)."""


def evaluate(model: UncertaintyModel, lv: Levers, councils: bool = True) -> Outcome:
    """Evaluate an option for every draw of the levers at once [GBP].

    ``savings[d,s,t] = (sum_k f[d,s,k] x full[s,k,t] x R_s(g_s + delay[d,s])[t]
    + sum_k f[d,s,k] x explicit[s,k,t]) x (1 - ob_s[d,s])``;
    ``setup[d,s,t] = sum_i f_i[d,i] x item[i,s,t] x (1 + ob_c[d,s])``;
    ``severance[d,s,t] = (f_r[d,s] x red[s,t] + f_p[d,s] x strain[s,t]) x (1 + ob_c)``;
    ``net = savings - setup - severance``; ``NPV[d] = sum_t net[d,t] x DF[d,t]``.

    Every service and draw is computed in one array operation (D, S, T); large
    batches are cut into blocks of at most :data:`BLOCK_ELEMENTS` draws x
    services x years so that memory stays bounded.
    """
    D = lv.draws
    S, T = max(len(model.services), 1), max(len(model.years), 1)
    block = max(1, BLOCK_ELEMENTS // (S * T))
    if D <= block:
        return _evaluate_block(model, lv, councils)
    parts = [
        _evaluate_block(model, _levers_slice(lv, start, start + block), councils)
        for start in range(0, D, block)
    ]

    def cat(name: str) -> np.ndarray | None:
        if getattr(parts[0], name) is None:
            return None
        return np.concatenate([getattr(p, name) for p in parts])

    return Outcome(**{name: cat(name) for name in Outcome.__dataclass_fields__})


def _levers_slice(lv: Levers, start: int, stop: int) -> Levers:
    """The levers of draws ``start`` to ``stop`` (every array cut on its draw axis)."""
    return Levers(
        **{name: getattr(lv, name)[start:stop] for name in Levers.__dataclass_fields__}
    )


def _evaluate_block(model: UncertaintyModel, lv: Levers, councils: bool) -> Outcome:
    """:func:`evaluate` for one block of draws, over all services at once."""
    D = lv.draws
    S, T, C = len(model.services), len(model.years), len(model.councils)
    keep = 1.0 - lv.optimism_bias_savings  # (D, S)
    uplift = 1.0 + lv.optimism_bias_costs  # (D, S)
    f = lv.savings_factor * keep[:, :, None]  # (D, S, K)
    # savings (D, S, T): full-year savings by category, then realisation
    sav = _by_service(f, model.full_year_savings_indexed)
    sav *= _realisation(model, lv.delay_months)
    if model.explicit_categories.any():
        sav += _by_service(f, model.explicit_savings_indexed)
    # one-off costs enter linearly in their draw weights (D, I) and (D, S)
    item_weight = lv.item_factor * uplift[:, model.item_service]  # (D, I)
    red_weight = lv.redundancy_factor * uplift  # (D, S)
    strain_weight = lv.strain_factor * uplift  # (D, S)
    m = _linear_maps(model)
    window = None
    if model.target_window is not None:
        lo, hi = model.target_window
        window = sav[:, :, lo : hi + 1].sum(axis=(1, 2))
    net = (
        sav.sum(axis=1)
        - item_weight @ m["item_rows"]
        - red_weight @ model.redundancy_pay
        - strain_weight @ model.pension_strain
    )  # (D, T)
    if councils and S:
        net_c = (
            sav.reshape(D, S * T) @ m["savings_to_councils"]
            - item_weight @ m["items_to_councils"]
            - red_weight @ m["redundancy_to_councils"]
            - strain_weight @ m["strain_to_councils"]
        ).reshape(D, C, T)
    else:
        net_c = np.zeros((D, C, T))
    rates = model.real_rates + lv.rate_shift[:, None]
    if model.general_inflation is not None:
        rates = appraisal.nominal_rates(rates, model.general_inflation)
    df = appraisal.discount_factors(rates)
    return Outcome(
        npv=appraisal.net_present_value(net, df),
        npv_council=appraisal.net_present_value(net_c, df[:, None, :]),
        payback_index=appraisal.payback_index(net),
        payback_index_council=appraisal.payback_index(net_c),
        window_savings=window,
        net=net,
        net_council=net_c,
    )


def _by_service(f: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """``sum_k f[d, s, k] x rows[s, k, t]`` (D, S, T): one (D, K) x (K, T) product a service."""
    return np.matmul(f.transpose(1, 0, 2), rows).transpose(1, 0, 2)


def _linear_maps(model: UncertaintyModel) -> dict[str, np.ndarray]:
    """Matrices taking draw weights to yearly lines, built once per model.

    * ``item_rows`` (I, T): each set-up item's yearly cost (summed over services);
    * ``savings_to_councils`` (S*T, C*T): ``[(s, t), (c, t)] = savings share``, so
      that ``savings (D, S*T) @ it`` is each council's savings (D, C*T);
    * ``items_to_councils`` (I, C*T): ``sum_s item[i, s, t] x set-up share[s, c, t]``;
    * ``redundancy_to_councils``, ``strain_to_councils`` (S, C*T):
      ``line[s, t] x share[s, c, t]``.
    """
    if "linear_maps" in model.cache:
        return model.cache["linear_maps"]
    S, T, C = len(model.services), len(model.years), len(model.councils)
    n_items = len(model.item_paths)
    blocks = np.zeros((S, T, C, T))
    t = np.arange(T)
    blocks[:, t, :, t] = model.savings_shares.transpose(2, 0, 1)  # (T, S, C)
    maps = {
        "item_rows": model.item_costs.sum(axis=1).reshape(n_items, T),
        "savings_to_councils": blocks.reshape(S * T, C * T),
        "items_to_councils": np.einsum(
            "ist,sct->ict", model.item_costs, model.setup_shares
        ).reshape(n_items, C * T),
        "redundancy_to_councils": (
            model.redundancy_pay[:, None, :] * model.severance_shares
        ).reshape(S, C * T),
        "strain_to_councils": (
            model.pension_strain[:, None, :] * model.strain_shares
        ).reshape(S, C * T),
    }
    model.cache["linear_maps"] = maps
    return maps


def _realisation(model: UncertaintyModel, delay: np.ndarray) -> np.ndarray:
    """Realisation (D, S, T) [/1] of each service's savings given go-live delays (D, S).

    Services without a delay in any draw keep the core's realisation; the others
    interpolate their whole-month table (:func:`realisation_with_delay`).
    """
    D = delay.shape[0]
    out = np.broadcast_to(model.base_realisation, (D, *model.base_realisation.shape))
    delayed = [
        i
        for i, table in enumerate(model.realisation_tables)
        if table is not None and np.any(delay[:, i] != 0)
    ]
    if not delayed:
        return out
    out = out.copy()
    for i in delayed:
        out[:, i, :] = realisation_with_delay(
            model.realisation_tables[i], model.go_live_month[i] + delay[:, i]
        )
    return out


def npv_at(
    model: UncertaintyModel, values: Mapping[str, np.ndarray | float]
) -> np.ndarray:
    """NPV [GBP] of the option for each draw of the given parameter values (D,)."""
    return evaluate(model, levers_from_values(model, values), councils=False).npv


# --------------------------------------------------------------------------- slow path


def _add_months(date: dt.date, months: int) -> dt.date:
    y, m = divmod(date.month - 1 + months, 12)
    year, month = date.year + y, m + 1
    last = (dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)).day
    return dt.date(year, month, min(date.day, last))


def _get_number(node: Any) -> float:
    return float(node["value"]) if isinstance(node, dict) else float(node)


def _set_number(parent: Any, key: Any, value: float) -> None:
    old = parent[key]
    if isinstance(old, dict):
        parent[key] = {**old, "value": value, "source": "uncertainty draw"}
    else:
        parent[key] = value


def _as_date(v: Any) -> dt.date:
    return v if isinstance(v, dt.date) else dt.date.fromisoformat(str(v))


def overridden_case(case: Case, option: str, values: Mapping[str, float]) -> Case:
    """The option as a new case file with the parameter values written in (slow, obvious).

    Paths are written into the option's YAML dict; aggregates then scale every
    matching value; the result is re-validated by the core loader.  Go-live delays
    must be whole months here (the case file holds dates).  Severance is not
    written here: it may be costed person by person from the staff-at-risk table,
    so :func:`slow_npv` scales the compiled severance lines instead.
    """
    oc = option_case(case, option)
    raw = copy.deepcopy(getattr(oc, "_raw", None) or oc.model_dump(mode="json"))
    raw["options"] = {option: {"description": "uncertainty draw", "overrides": {}}}
    raw.pop("uncertainty", None)
    services = raw["services"]
    enabled = [s for s, svc in services.items() if svc.get("enabled", True)]
    agg = {k: float(v) for k, v in values.items() if k in AGGREGATES}
    for path, v in values.items():
        v = float(v)
        if path in AGGREGATES:
            continue
        parts = path.split(".")
        if path == "settings.discount_rate":
            agg["discount_rate"] = v
            continue
        if parts[0] == "settings":
            _set_number(raw["settings"]["optimism_bias"], parts[2], v)
            continue
        svc = services[parts[1]]
        if parts[2] == "savings":
            svc.setdefault("savings", {}).setdefault(parts[3], 0)
            _set_number(svc["savings"], parts[3], v)
        elif parts[2] == "savings_by_year":
            for cats in svc["savings_by_year"].values():
                if parts[4] in cats:
                    _set_number(cats, parts[4], _get_number(cats[parts[4]]) * v)
        elif parts[2].startswith("set_up_costs"):
            n = int(parts[2].split("[")[1].rstrip("]"))
            _set_number(svc["set_up_costs"][n], "amount", v)
        elif parts[2] == "go_live":
            if v != round(v):
                raise ValueError("overridden_case: go-live delays must be whole months")
            svc["go_live"] = _add_months(_as_date(svc["go_live"]), int(round(v)))
    for s in enabled:
        svc = services[s]
        f = agg.get("savings_achieved", 1.0)
        for cat in list(svc.get("savings", {})):
            _set_number(svc["savings"], cat, _get_number(svc["savings"][cat]) * f)
        for cats in (svc.get("savings_by_year") or {}).values():
            for cat in list(cats):
                _set_number(cats, cat, _get_number(cats[cat]) * f)
        for item in svc.get("set_up_costs", []):
            _set_number(
                item,
                "amount",
                _get_number(item["amount"]) * agg.get("set_up_costs", 1.0),
            )
        delay = agg.get("go_live_delay_months", 0.0)
        if delay and svc.get("go_live") is not None and not svc.get("savings_by_year"):
            if delay != round(delay):
                raise ValueError("overridden_case: go-live delays must be whole months")
            svc["go_live"] = _add_months(_as_date(svc["go_live"]), int(round(delay)))
    if "discount_rate" in agg:
        if oc.settings.discount_rate == "green_book" and oc.settings.horizon_years > 31:
            raise ValueError(
                "overridden_case: a flat rate replaces only a flat schedule"
            )
        raw["settings"]["discount_rate"] = agg["discount_rate"]
    return case_from_dict(raw, source=getattr(case, "_source", None))


def slow_npv(case: Case, option: str, values: Mapping[str, float]) -> float:
    """NPV [GBP] of one draw the obvious way: override the case, validate, compile and
    project it with the core (severance lines scaled on the compiled arrays)."""
    a = compile_option(overridden_case(case, option, values), option)
    red = np.full(len(a.services), float(values.get("severance", 1.0)))
    strain = red.copy()
    for path, v in values.items():
        parts = path.split(".")
        if len(parts) == 4 and parts[2] == "severance" and parts[1] in a.services:
            i = a.services.index(parts[1])
            line = (
                a.redundancy_pay if parts[3] == "redundancy_pay" else a.pension_strain
            )
            factor = red if parts[3] == "redundancy_pay" else strain
            factor[i] *= float(v) / line[i].sum()
    a = a.with_(
        redundancy_pay=a.redundancy_pay * red[:, None],
        pension_strain=a.pension_strain * strain[:, None],
    )
    p = project(a)
    return summarise(
        a,
        p["net"].sum(axis=0),
        p["net_economic"].sum(axis=0),
        p["savings_total"].sum(axis=0),
    ).npv


def slow_npvs(case: Case, option: str, values: Mapping[str, np.ndarray]) -> np.ndarray:
    """NPV [GBP] of every draw by a plain Python loop over :func:`slow_npv`."""
    n = len(next(iter(values.values()))) if values else 1
    return np.array(
        [
            slow_npv(case, option, {k: float(v[d]) for k, v in values.items()})
            for d in range(n)
        ]
    )


# --------------------------------------------------------------------------- sensitivity


def sensitivity_values(
    p: Parameter, changes: list[float], ranges: Mapping[str, list[float]] | None = None
) -> list[float]:
    """The values tried for one parameter: a range given for it, else the changes.

    Relative changes apply to values, factors and rates (``base x (1 + change)``);
    for months the changes become ``round(change x 12)`` months (so +-10% and +-25%
    are +-1 and +-3 months of go-live delay).

    >>> sensitivity_values(Parameter("x", 100.0, "GBP", "x", "value"), [-0.1, 0.25])
    [90.0, 125.0]
    >>> sensitivity_values(Parameter("m", 0.0, "months", "m", "months"), [-0.1, 0.25])
    [-1.0, 3.0]
    """
    if ranges and p.path in ranges:
        return [float(x) for x in ranges[p.path]]
    if p.kind == "months":
        return [p.base + float(round(c * 12)) for c in changes]
    return [p.base * (1.0 + c) for c in changes]


def sensitivity_table(
    case: Case,
    option: str,
    changes: list[float] | None = None,
    ranges: Mapping[str, list[float]] | None = None,
    long: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """One-at-a-time sensitivity of the option's NPV, ranked by swing (tornado table).

    Every parameter of :func:`parameters` (and the aggregates) is set in turn to
    each tried value, all others at base; all scenarios are evaluated in one batch.
    Columns: parameter, label, unit, base, low, high (the lowest and highest values
    tried), npv_low, npv_high, npv_base, swing = max - min NPV over the tried
    values, and ``npv at <value>`` is in the long form :func:`sensitivity_long`
    (pass it as ``long`` when already computed with the case's changes).
    """
    if long is None:
        spec = case.effective_uncertainty()
        changes = list(spec.sensitivity.changes) if changes is None else changes
        ranges = dict(spec.sensitivity.ranges) if ranges is None else ranges
        long = sensitivity_long(case, option, changes, ranges)
    return tornado(long)


def tornado(long: pd.DataFrame) -> pd.DataFrame:
    """The tornado table of :func:`sensitivity_table` from the scenarios of
    :func:`sensitivity_long` (one row a parameter, largest swing first)."""
    keys = ["parameter", "label", "unit", "base"]
    if long.empty:
        return pd.DataFrame()
    groups = long.groupby(keys, sort=False)
    lo = long.loc[groups["value"].idxmin()]  # first lowest value tried
    hi = long.loc[groups["value"].idxmax()]
    npv = groups["npv"]
    table = pd.DataFrame(
        {
            "parameter": lo["parameter"].to_numpy(),
            "label": lo["label"].to_numpy(),
            "unit": lo["unit"].to_numpy(),
            "base": lo["base"].to_numpy(),
            "low": lo["value"].to_numpy(),
            "high": hi["value"].to_numpy(),
            "npv_low": lo["npv"].to_numpy(),
            "npv_high": hi["npv"].to_numpy(),
            "npv_base": groups["npv_base"].first().to_numpy(),
            "swing": (npv.max() - npv.min()).to_numpy(),
        }
    )
    # rank by swing to the micro-pound, so that equal swings (e.g. two savings of
    # the same size and timing) keep the parameters' order whatever the
    # floating-point residue of their sums
    order = np.argsort(-table["swing"].round(6).to_numpy(), kind="stable")
    return table.iloc[order].reset_index(drop=True)


def sensitivity_long(
    case: Case,
    option: str,
    changes: list[float],
    ranges: Mapping[str, list[float]] | None = None,
) -> pd.DataFrame:
    """Every sensitivity scenario: parameter, value, change, npv, npv_base [GBP]."""
    model = compile_model(case, option)
    params = parameters(model)
    scen: list[tuple[Parameter, float]] = []
    for p in params:
        for v in sensitivity_values(p, changes, ranges):
            scen.append((p, v))
    D = len(scen)
    values: dict[str, np.ndarray] = {}
    for n, (p, v) in enumerate(scen):
        col = values.setdefault(p.path, np.full(D, p.base))
        col[n] = v
    npv = npv_at(model, values) if D else np.zeros(0)
    base_npv = float(npv_at(model, {})[0])
    return pd.DataFrame(
        {
            "parameter": [p.path for p, _ in scen],
            "label": [p.label for p, _ in scen],
            "unit": [p.unit for p, _ in scen],
            "base": [p.base for p, _ in scen],
            "value": [v for _, v in scen],
            "change": [
                (v - p.base)
                if p.kind == "months"
                else (v / p.base - 1.0 if p.base else np.nan)
                for p, v in scen
            ],
            "npv": npv,
            "npv_base": base_npv,
        }
    )


# --------------------------------------------------------------------------- switching


def _root_nearest_base(
    f_grid: np.ndarray, grid: np.ndarray, base: float, f: Any
) -> float | None:
    """The root of ``f`` nearest ``base`` among sign changes on a grid (brentq)."""
    sign = np.sign(f_grid)
    exact = grid[sign == 0]
    brackets = np.nonzero(sign[:-1] * sign[1:] < 0)[0]
    candidates: list[float] = list(exact)
    for b in brackets:
        candidates.append(
            optimize.brentq(f, grid[b], grid[b + 1], xtol=1e-12, rtol=1e-12)
        )
    if not candidates:
        return None
    return float(min(candidates, key=lambda x: abs(x - base)))


def _aggregate_base(model: UncertaintyModel, name: str) -> float:
    if name == "discount_rate":
        return model.base_rate
    return 0.0 if name == "go_live_delay_months" else 1.0


def switching_value(
    models: list[UncertaintyModel],
    name: str,
    bounds: tuple[float, float] | None = None,
    grid_points: int = 401,
) -> float | None:
    """The value of an aggregate at which ``NPV(models[0]) - NPV(models[1])`` (or
    ``NPV(models[0])`` alone) reaches zero; None if it never does within the bounds.

    Found by scanning a grid in one batch, then ``scipy.optimize.brentq`` in the
    bracket nearest the base value.
    """
    lo, hi = bounds or SWITCHING_BOUNDS[name]
    base = _aggregate_base(models[0], name)
    grid = np.unique(np.concatenate([np.linspace(lo, hi, grid_points), [base]]))

    def diff(x: np.ndarray | float) -> np.ndarray:
        out = npv_at(models[0], {name: x})
        for m in models[1:]:
            out = out - npv_at(m, {name: x})
        return out

    values = diff(grid)
    if np.all(values == 0):
        return None
    return _root_nearest_base(values, grid, base, lambda x: float(diff(x)[0]))


def switching_values(case: Case, option: str) -> dict[str, float | None]:
    """Value of each aggregate at which the option's NPV reaches zero (None: never)."""
    model = compile_model(case, option)
    return {name: switching_value([model], name) for name in AGGREGATES}


def switching_table(case: Case, options: list[str] | None = None) -> pd.DataFrame:
    """Switching values of every option, and where the best option stops being best.

    Columns: option, parameter, unit, base, npv_zero (value at which the option's
    NPV is 0), npv_zero_change (% change from base; months of delay for go-live),
    versus (the runner-up, for the best option only), stops_being_best (value at
    which the best option's NPV equals the runner-up's) and its change.
    """
    names = options if options is not None else list(case.options)
    models = {o: compile_model(case, o) for o in names}
    base_npv = {o: float(npv_at(m, {})[0]) for o, m in models.items()}
    ranked = sorted(names, key=lambda o: base_npv[o], reverse=True)
    best = ranked[0] if ranked else None
    runner = ranked[1] if len(ranked) > 1 else None
    rows = []
    for o in names:
        for name, (unit, _) in AGGREGATES.items():
            base = _aggregate_base(models[o], name)
            zero = switching_value([models[o]], name)
            row = {
                "option": o,
                "parameter": name,
                "unit": unit,
                "base": base,
                "npv_zero": zero,
                "npv_zero_change": _change(zero, base, unit),
                "versus": None,
                "stops_being_best": None,
                "stops_being_best_change": None,
            }
            if o == best and runner is not None:
                sw = switching_value([models[o], models[runner]], name)
                row.update(
                    versus=runner,
                    stops_being_best=sw,
                    stops_being_best_change=_change(sw, base, unit),
                )
            rows.append(row)
    return pd.DataFrame(rows)


def _change(value: float | None, base: float, unit: str) -> float | None:
    """Percentage change from base (months of change for a delay); None if none."""
    if value is None:
        return None
    if unit == "months":
        return value - base
    return 100.0 * (value / base - 1.0) if base else None


# --------------------------------------------------------------------------- Monte Carlo


def correlation_matrix(spec: UncertaintySpec, names: list[str]) -> np.ndarray:
    """Correlation matrix of the copula's normals (identity plus declared pairs) [/1].

    Raises :class:`InputError` if the matrix is not positive definite.
    """
    P = len(names)
    corr = np.eye(P)
    for c in spec.correlations:
        i, j = names.index(c.parameters[0]), names.index(c.parameters[1])
        corr[i, j] = corr[j, i] = c.coefficient
    try:
        np.linalg.cholesky(corr)
    except np.linalg.LinAlgError:
        raise InputError(
            None,
            "uncertainty.correlations",
            "coefficients forming a positive definite correlation matrix",
            "a matrix that is not (some coefficients contradict each other)",
        ) from None
    return corr


def sample_parameters(
    spec: UncertaintySpec, draws: int | None = None, seed: int | None = None
) -> dict[str, np.ndarray]:
    """Draws of every declared parameter (D,) through a Gaussian copula.

    ``Z ~ N(0, I)`` (D, P) from ``numpy.random.default_rng(seed)``; ``Y = Z L^T``
    with ``L`` the Cholesky factor of the correlation matrix; ``U = Phi(Y)``;
    ``X_p = F_p^{-1}(U_p)``.  The declared coefficients are those of the normals
    (the rank correlation of the draws is ``(6/pi) arcsin(rho/2)``, within 0.02
    of ``rho``).  Without correlations the parameters are independent.

    >>> spec = UncertaintySpec(parameters={"severance": {
    ...     "distribution": "uniform", "min": 1, "max": 2, "source": "x"}})
    >>> x = sample_parameters(spec, 1000, 1)["severance"]
    >>> bool(1 <= x.min() and x.max() <= 2)
    True
    """
    draws = spec.draws if draws is None else draws
    seed = spec.seed if seed is None else seed
    names = list(spec.parameters)
    if not names:
        return {}
    rng = np.random.default_rng(seed)
    z = rng.standard_normal((draws, len(names)))
    if spec.correlations:
        z = z @ np.linalg.cholesky(correlation_matrix(spec, names)).T
    u = stats.norm.cdf(z)
    return {n: spec.parameters[n].frozen().ppf(u[:, p]) for p, n in enumerate(names)}


@dataclass
class MonteCarloResult:
    """Per-draw results of one option: NPV, payback and target-window savings."""

    option: str
    draws: int
    seed: int
    years: list[str]
    councils: list[str]
    samples: dict[str, np.ndarray]
    npv: np.ndarray  # (D,)
    npv_council: np.ndarray  # (D, C)
    payback_index: np.ndarray  # (D,) -1 = none within horizon
    payback_index_council: np.ndarray  # (D, C)
    window_savings: np.ndarray | None
    target: float | None
    base_npv: float = 0.0
    extras: dict = field(default_factory=dict)


CHUNK = 25_000
"""Draws evaluated per batch (memory: about 30 arrays of CHUNK x S x T floats)."""


def monte_carlo(
    case: Case,
    option: str,
    draws: int | None = None,
    seed: int | None = None,
    spec: UncertaintySpec | None = None,
    progress: Callable[..., Iterable[int]] | bool | None = None,
    samples: Mapping[str, np.ndarray] | None = None,
) -> MonteCarloResult:
    """Monte Carlo of one option: sample the declared distributions, evaluate in batches.

    Every option of a case sees the same draws (common random numbers), so their
    differences are not noise.  ``progress``: a wrapper of the chunks' start indices that shows progress
    (e.g. :func:`models.run.progress.progress_bar`), called with ``desc`` and
    ``unit``; ``None`` or ``False`` shows none.  ``samples``: draws
    already made by :func:`sample_parameters` (to share them between options).
    """
    spec = spec or case.effective_uncertainty()
    draws = spec.draws if draws is None else draws
    seed = spec.seed if seed is None else seed
    model = compile_model(case, option)
    if samples is None:
        samples = sample_parameters(spec, draws, seed)
    else:
        samples = dict(samples)
        draws = len(next(iter(samples.values()))) if samples else draws
    starts = range(0, draws, CHUNK)
    if callable(progress):
        starts = progress(starts, desc=f"Monte Carlo {option}", unit="batch")
    parts: list[Outcome] = []
    source = getattr(case, "_source", None)
    for start in starts:
        stop = min(start + CHUNK, draws)
        chunk = {k: v[start:stop] for k, v in samples.items()}
        lv = levers_from_values(model, chunk, draws=stop - start, source=source)
        parts.append(evaluate(model, lv))
    cat = lambda name: np.concatenate([getattr(p, name) for p in parts])  # noqa: E731
    window = cat("window_savings") if model.target_window is not None else None
    return MonteCarloResult(
        option=option,
        draws=draws,
        seed=seed,
        years=model.years,
        councils=model.councils,
        samples=samples,
        npv=cat("npv"),
        npv_council=cat("npv_council"),
        payback_index=cat("payback_index"),
        payback_index_council=cat("payback_index_council"),
        window_savings=window,
        target=model.target,
        base_npv=float(npv_at(model, {})[0]),
    )


def monte_carlo_case(
    case: Case,
    options: list[str] | None = None,
    draws: int | None = None,
    seed: int | None = None,
    progress: Callable[..., Iterable[int]] | bool | None = None,
) -> dict[str, MonteCarloResult]:
    """Monte Carlo of every option (or the named ones) on one shared set of draws."""
    spec = case.effective_uncertainty()
    draws = spec.draws if draws is None else draws
    seed = spec.seed if seed is None else seed
    samples = sample_parameters(spec, draws, seed)
    return {
        o: monte_carlo(case, o, draws, seed, spec, progress, samples)
        for o in (options if options is not None else list(case.options))
    }


def _payback_quantiles(idx: np.ndarray, years: list[str]) -> list[str | None]:
    """P10/P50/P90 payback year (a draw's actual year; None = not within horizon)."""
    x = np.where(idx < 0, np.inf, idx.astype(float))
    q = np.quantile(x, [0.1, 0.5, 0.9], method="inverted_cdf")
    return [years[int(v)] if np.isfinite(v) else None for v in q]


def monte_carlo_summary(result: MonteCarloResult) -> pd.DataFrame:
    """Mean, P10/P50/P90 of NPV and payback, P(NPV > 0), P(target met); partnership
    ('All') and each council [GBP]."""
    rows = []
    units = [("All", result.npv, result.payback_index)] + [
        (c, result.npv_council[:, i], result.payback_index_council[:, i])
        for i, c in enumerate(result.councils)
    ]
    for name, npv, pay in units:
        p10, p50, p90 = np.percentile(npv, [10, 50, 90])
        pb = _payback_quantiles(pay, result.years)
        met = None
        if name == "All" and result.window_savings is not None and result.target:
            met = float(np.mean(result.window_savings >= result.target))
        rows.append(
            {
                "option": result.option,
                "council": name,
                "draws": result.draws,
                "npv_mean": float(npv.mean()),
                "npv_p10": float(p10),
                "npv_p50": float(p50),
                "npv_p90": float(p90),
                "prob_npv_positive": float(np.mean(npv > 0)),
                "payback_p10": pb[0],
                "payback_p50": pb[1],
                "payback_p90": pb[2],
                "prob_payback_within_horizon": float(np.mean(pay >= 0)),
                "prob_target_met": met,
            }
        )
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------- results.json


def uncertainty_json(case: Case, option: str, analysis: Any = None) -> dict[str, Any]:
    """The ``monte_carlo`` and ``switching_values`` entries of one option in results.json.

    ``{"monte_carlo": {"draws", "seed", "npv_p10", "npv_p50", "npv_p90",
    "prob_npv_positive"} or null (no uncertainty section),
    "switching_values": {parameter: value or null}}`` [GBP, /1, months].
    ``analysis``: the option's :class:`models.engine.analysis.OptionAnalysis`, when the
    run has computed it already.
    """
    out: dict[str, Any] = {"monte_carlo": None}
    if case.uncertainty is not None and case.uncertainty.parameters:
        if analysis is not None and analysis.monte_carlo is not None:
            mc = analysis.monte_carlo[option]
        else:
            mc = monte_carlo(case, option, progress=False)
        row = monte_carlo_summary(mc).iloc[0]
        out["monte_carlo"] = {
            "draws": int(mc.draws),
            "seed": int(mc.seed),
            "npv_mean": float(row["npv_mean"]),
            "npv_p10": float(row["npv_p10"]),
            "npv_p50": float(row["npv_p50"]),
            "npv_p90": float(row["npv_p90"]),
            "prob_npv_positive": float(row["prob_npv_positive"]),
            "prob_target_met": (
                None
                if row["prob_target_met"] is None
                else float(row["prob_target_met"])
            ),
        }
    if analysis is not None and analysis.switching is not None:
        t = analysis.switching
        out["switching_values"] = {
            p: (None if pd.isna(v) else float(v))
            for p, v in zip(t["parameter"], t["npv_zero"], strict=True)
        }
    else:
        out["switching_values"] = switching_values(case, option)
    return out


# --------------------------------------------------------------------------- optimism bias


def service_optimism_bias(
    model: UncertaintyModel,
    categories: Mapping[str, tuple[str, str, float]],
) -> np.ndarray:
    """Per-service cost uplift (S,) [/1] from ``{service: (project_type, measure,
    mitigation)}``; services not named keep the case's uplift.

    The result can be passed as ``optimism_bias_costs`` (shape (S,)) to
    :func:`models.engine.projection.project` or set on the levers here.
    """
    out = model.optimism_bias_costs.copy()
    for s, (ptype, measure, mitigation) in categories.items():
        if s in model.services:
            out[model.services.index(s)] = optimism_bias_uplift(
                ptype, measure, mitigation
            )
    return out


# --------------------------------------------------------------------------- run folder
