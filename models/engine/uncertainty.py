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
``settings.optimism_bias.costs`` / ``.savings``  /1    the case-wide uplift / cut
``settings.discount_rate``                     /1      the year-0 rate; the schedule
                                                       is shifted by the same amount
``savings_achieved``                           /1      factor on every saving
``set_up_costs``                               /1      factor on every set-up cost
``severance``                                  /1      factor on all severance
``go_live_delay_months``                       months  delay of every go-live
``discount_rate``                              /1      as ``settings.discount_rate``
=============================================  ======  =================================

The aggregates, with their units and labels, are declared once, in
:data:`models.inputs.uncertainty_spec.AGGREGATES` (the case schema checks the
names); the NPV, net saving and payback formulas are those of
:mod:`models.model.appraisal`, shared with the core projection.

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
* Optimism bias applies by cost type, as in the core projection: a service's
  own project-type uplift (``optimism_bias_costs``) raises its set-up costs;
  redundancy pay and estimated pension strain take the case-wide uplift
  (``optimism_bias_severance``, moved by ``settings.optimism_bias.costs``); a
  strain quoted by the fund actuary takes none.  A pension strain path or the
  ``severance`` aggregate scales estimated and quoted strain alike.
* Inflation rates and ramp-up fractions are not varied here (inflation prices
  the nominal basis and brings staff-table severance to base-year prices;
  ramp-up is bounded by 1).

Checks: :func:`evaluate` agrees with :func:`models.engine.projection.run_option` at the
base point and with :func:`slow_npv` (an override of the case file re-validated
and run by the core, one draw at a time) at changed points; see
``tests/test_uncertainty.py``.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd
from scipy import optimize, stats

from models.core import calendar
from models.core.errors import InputError
from models.engine import cases
from models.engine.compiled import remembered
from models.engine.projection import (
    OptionArrays,
    category_price_indices,
    compile_option,
    general_inflation,
    project,
    summarise,
)
from models.inputs.case import SAVINGS_CATEGORIES, SETUP_CATEGORIES, Case
from models.inputs.uncertainty_spec import (
    AGGREGATES,
    UncertaintySpec,
    parameter_names,
    parameter_problems,
)
from models.model import appraisal, savings
from models.reference.optimism_bias import optimism_bias_uplift

SWITCHING_BOUNDS: dict[str, tuple[float, float]] = {
    "savings_achieved": (0.0, 5.0),
    "set_up_costs": (0.0, 50.0),
    "severance": (0.0, 50.0),
    "go_live_delay_months": (-24.0, 120.0),
    "discount_rate": (-0.02, 1.0),
}
"""Bounds within which switching values are searched, one pair an aggregate of
:data:`models.inputs.uncertainty_spec.AGGREGATES` (aggregate units)."""


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
    pension_strain: np.ndarray  # (S, T) indexed, estimated (takes optimism bias)
    quoted_pension_strain: np.ndarray  # (S, T) indexed, fund quotes (no uplift)
    redundancy_base: np.ndarray  # (S,)
    strain_base: np.ndarray  # (S,) estimated and quoted
    optimism_bias_costs: np.ndarray  # (S,) uplift of set-up costs
    optimism_bias_severance: np.ndarray  # (S,) uplift of severance (case-wide)
    optimism_bias_savings: np.ndarray  # (S,)
    has_own_cost_bias: np.ndarray  # (S,) bool: the service names its project type
    case_cost_bias: float  # settings.optimism_bias.costs [/1]
    real_rates: np.ndarray  # (T,)
    general_inflation: float | None  # None in the real price basis
    savings_shares: np.ndarray  # (S, C, T)
    setup_shares: np.ndarray
    severance_shares: np.ndarray  # (S, C, T) of redundancy pay
    strain_shares: np.ndarray  # (S, C, T) of estimated pension strain
    quoted_strain_shares: np.ndarray  # (S, C, T) of quoted pension strain
    target_window: tuple[int, int] | None
    target: float | None
    explicit_categories: np.ndarray  # (S, K) bool: a year-by-year saving exists
    pay_changes: np.ndarray | None = None  # (T,) pay protection + harmonisation
    pay_changes_council: np.ndarray | None = None  # (C, T) by employing council
    pay_harmonisation: np.ndarray | None = None  # (T,) the part that cuts savings
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
    whole_month = np.floor(g).astype(int)
    f = (g - whole_month)[..., None]
    row = whole_month - first
    return (1.0 - f) * values[row] + f * values[row + 1]


def compile_model(case: Case, option: str) -> UncertaintyModel:
    """Compile one option of a case for batch evaluation (see
    :class:`UncertaintyModel`); once only for the same case and option inside
    :func:`models.engine.compiled.compiled_once` (read-only arrays)."""
    return remembered("model", case, option, lambda: _compile_model(case, option))


def _compile_model(case: Case, option: str) -> UncertaintyModel:
    arrays = compile_option(case, option)
    option_case = cases.option_case(case, option)
    settings = option_case.settings
    horizon = len(arrays.years)
    n_services = len(arrays.services)
    savings_index, setup_index = category_price_indices(arrays)  # (K, T), (J, T)
    go_live, tables = _go_live(option_case, arrays.services, horizon)
    item_costs, item_paths, item_amounts, item_service = _set_up_items(
        option_case, arrays.services, setup_index, horizon
    )
    return UncertaintyModel(
        case=case,
        option=option,
        years=arrays.years,
        services=arrays.services,
        councils=arrays.councils,
        full_year_savings_indexed=arrays.full_year_savings[..., None] * savings_index,
        explicit_savings_indexed=arrays.explicit_savings * savings_index,
        full_year_savings=arrays.full_year_savings,
        go_live_month=go_live,
        realisation_tables=tables,
        base_realisation=arrays.realisation,
        item_costs=item_costs,
        item_paths=item_paths,
        item_amounts=item_amounts,
        item_service=item_service,
        redundancy_pay=arrays.redundancy_pay * arrays.pay_index,
        pension_strain=arrays.pension_strain * arrays.pay_index,
        quoted_pension_strain=arrays.quoted_pension_strain * arrays.pay_index,
        redundancy_base=arrays.redundancy_pay.sum(axis=-1),
        strain_base=(arrays.pension_strain + arrays.quoted_pension_strain).sum(axis=-1),
        optimism_bias_costs=np.broadcast_to(
            arrays.optimism_bias_costs, (n_services,)
        ).astype(float),
        optimism_bias_severance=np.broadcast_to(
            arrays.optimism_bias_severance, (n_services,)
        ).astype(float),
        optimism_bias_savings=np.broadcast_to(
            arrays.optimism_bias_savings, (n_services,)
        ).astype(float),
        has_own_cost_bias=np.array(
            [
                option_case.services[service].optimism_bias is not None
                for service in arrays.services
            ],
            dtype=bool,
        ).reshape(n_services),
        case_cost_bias=settings.optimism_bias.costs.value,
        real_rates=appraisal.discount_rates(settings.discount_rate, horizon),
        general_inflation=general_inflation(settings),
        savings_shares=arrays.savings_shares,
        setup_shares=arrays.setup_shares,
        severance_shares=arrays.severance_shares,
        strain_shares=arrays.pension_strain_shares,
        quoted_strain_shares=arrays.quoted_pension_strain_shares,
        target_window=arrays.target_window,
        target=arrays.target,
        explicit_categories=_explicit_categories(option_case, arrays.services),
        **_pay_change_lines(arrays),
    )


def _pay_change_lines(arrays: OptionArrays) -> dict[str, np.ndarray]:
    """Pay protection and harmonisation of posts moving grades [GBP]: fixed
    figures (no lever moves them), taken off every draw's net saving, whole
    (T,) and by employing council (C, T); harmonisation (T,) also off the
    target-window savings."""
    harmonisation = arrays.pay_harmonisation_or_zero * arrays.pay_index
    protection = arrays.pay_protection_or_zero * arrays.pay_index
    by_council = (harmonisation + protection).sum(axis=0)  # (C, T)
    return {
        "pay_changes": by_council.sum(axis=0),
        "pay_changes_council": by_council,
        "pay_harmonisation": harmonisation.sum(axis=(0, 1)),
    }


def _go_live(
    option_case: Case, services: list[str], horizon: int
) -> tuple[np.ndarray, list[tuple[int, np.ndarray] | None]]:
    """Go-live month of each service (S,) [months] (nan where it has none, or gives
    its savings year by year) and its table of realisations (None likewise)."""
    go_live = np.full(len(services), np.nan)
    tables: list[tuple[int, np.ndarray] | None] = []
    for i, name in enumerate(services):
        service = option_case.services[name]
        if service.savings_by_year is None and service.go_live is not None:
            month = calendar.month_index(
                service.go_live, option_case.settings.base_year
            )
            go_live[i] = month
            tables.append(_realisation_table(month, service.ramp_up, horizon))
        else:
            tables.append(None)
    return go_live, tables


def _explicit_categories(option_case: Case, services: list[str]) -> np.ndarray:
    """(S, K) bool: the service gives a non-zero saving of the category year by year."""
    explicit = np.zeros((len(services), len(SAVINGS_CATEGORIES)), dtype=bool)
    for i, name in enumerate(services):
        by_year = option_case.services[name].savings_by_year
        for by_category in (by_year or {}).values():
            for k, category in enumerate(SAVINGS_CATEGORIES):
                if getattr(by_category, category).value:
                    explicit[i, k] = True
    return explicit


def _set_up_items(
    option_case: Case, services: list[str], setup_index: np.ndarray, horizon: int
) -> tuple[np.ndarray, list[str], np.ndarray, np.ndarray]:
    """Each set-up cost item apart: its yearly cost (I, S, T) [GBP] (base-year
    prices x its category's price index, no optimism bias), path, amount (I,)
    [GBP] and the index of its service (I,)."""
    base_year = option_case.settings.base_year
    costs: list[np.ndarray] = []
    paths: list[str] = []
    amounts: list[float] = []
    service_of_item: list[int] = []
    for i, name in enumerate(services):
        for n, item in enumerate(option_case.services[name].set_up_costs):
            j = SETUP_CATEGORIES.index(item.category)
            cost = np.zeros((len(services), horizon))
            for year, fraction in item.timing().items():
                cost[i, calendar.fy_index(year, base_year)] += (
                    item.amount.value * fraction
                )
            costs.append(cost * setup_index[j])
            paths.append(f"services.{name}.set_up_costs[{n}].amount")
            amounts.append(item.amount.value)
            service_of_item.append(i)
    return (
        np.array(costs).reshape(len(costs), len(services), horizon),
        paths,
        np.array(amounts),
        np.array(service_of_item, dtype=int),
    )


# --------------------------------------------------------------------------- levers


@dataclass
class Levers:
    """Changes to an option for a batch of D draws (or scenarios); 1 / 0 = no change.

    Shapes: ``savings_factor`` (D, S, K); ``item_factor`` (D, I);
    ``redundancy_factor``, ``strain_factor``, ``delay_months``,
    ``optimism_bias_costs`` (of set-up costs), ``optimism_bias_severance``,
    ``optimism_bias_savings`` (D, S); ``rate_shift`` (D,).
    """

    savings_factor: np.ndarray
    item_factor: np.ndarray
    redundancy_factor: np.ndarray
    strain_factor: np.ndarray
    delay_months: np.ndarray
    optimism_bias_costs: np.ndarray
    optimism_bias_severance: np.ndarray
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
        optimism_bias_severance=np.tile(model.optimism_bias_severance, (draws, 1)),
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

    Values of zero are left out (a relative change of nothing is nothing).  In
    order: savings, set-up cost items, severance and go-live of each service, the
    case's optimism bias and discount rate, then the aggregates.
    """
    service_names = {
        service: model.case.services[service].name for service in model.services
    }
    found = [
        *_savings_parameters(model, service_names),
        *_set_up_parameters(model, service_names),
        *_severance_and_go_live_parameters(model, service_names),
        *_settings_parameters(model),
    ]
    if include_aggregates:
        found += _aggregate_parameters(model)
    return found


def _savings_parameters(
    model: UncertaintyModel, service_names: Mapping[str, str]
) -> list[Parameter]:
    """Full-year savings [GBP/year] and factors on year-by-year savings [/1]."""
    found: list[Parameter] = []
    for i, service in enumerate(model.services):
        name = service_names[service]
        for k, category in enumerate(SAVINGS_CATEGORIES):
            value = model.full_year_savings[i, k]
            if value:
                found.append(
                    Parameter(
                        f"services.{service}.savings.{category}",
                        float(value),
                        "GBP/year",
                        f"{name}: {category} savings",
                        "value",
                    )
                )
            if model.explicit_categories[i, k]:
                found.append(
                    Parameter(
                        f"services.{service}.savings_by_year.*.{category}",
                        1.0,
                        "/1",
                        f"{name}: {category} savings by year (factor)",
                        "factor",
                    )
                )
    return found


def _set_up_parameters(
    model: UncertaintyModel, service_names: Mapping[str, str]
) -> list[Parameter]:
    """Each set-up cost item's amount [GBP]."""
    found: list[Parameter] = []
    for n, path in enumerate(model.item_paths):
        if model.item_amounts[n]:
            service = path.split(".")[1]
            item = path.split("[")[1].split("]")[0]
            found.append(
                Parameter(
                    path,
                    float(model.item_amounts[n]),
                    "GBP",
                    f"{service_names[service]}: set-up cost {item}",
                    "value",
                )
            )
    return found


def _severance_and_go_live_parameters(
    model: UncertaintyModel, service_names: Mapping[str, str]
) -> list[Parameter]:
    """Each service's redundancy pay and pension strain [GBP] and go-live delay [months]."""
    found: list[Parameter] = []
    for i, service in enumerate(model.services):
        name = service_names[service]
        if model.redundancy_base[i]:
            found.append(
                Parameter(
                    f"services.{service}.severance.redundancy_pay",
                    float(model.redundancy_base[i]),
                    "GBP",
                    f"{name}: redundancy pay",
                    "value",
                )
            )
        if model.strain_base[i]:
            found.append(
                Parameter(
                    f"services.{service}.severance.pension_strain",
                    float(model.strain_base[i]),
                    "GBP",
                    f"{name}: pension strain",
                    "value",
                )
            )
        if not np.isnan(model.go_live_month[i]):
            found.append(
                Parameter(
                    f"services.{service}.go_live",
                    0.0,
                    "months",
                    f"{name}: go-live delay",
                    "months",
                )
            )
    return found


def _settings_parameters(model: UncertaintyModel) -> list[Parameter]:
    """The case's optimism bias on costs and savings (where they apply: the
    case-wide cost uplift reaches the set-up costs of services without their own
    project type and every service's redundancy pay and estimated strain) and
    its discount rate [/1]."""
    found: list[Parameter] = []
    if len(model.services):
        has_uplifted_severance = bool(
            np.any(model.redundancy_pay) or np.any(model.pension_strain)
        )
        if model.case_cost_bias and (
            not model.has_own_cost_bias.all() or has_uplifted_severance
        ):
            found.append(
                Parameter(
                    "settings.optimism_bias.costs",
                    float(model.case_cost_bias),
                    "/1",
                    "Optimism bias on costs",
                    "rate",
                )
            )
        if np.any(model.optimism_bias_savings):
            found.append(
                Parameter(
                    "settings.optimism_bias.savings",
                    float(model.optimism_bias_savings[0]),
                    "/1",
                    "Optimism bias on savings",
                    "rate",
                )
            )
    found.append(
        Parameter(
            "settings.discount_rate", model.base_rate, "/1", "Discount rate", "rate"
        )
    )
    return found


def _aggregate_parameters(model: UncertaintyModel) -> list[Parameter]:
    """The aggregates but the discount rate (which ``settings.discount_rate`` is)."""
    return [
        Parameter(
            name,
            _aggregate_base(model, name),
            unit,
            label,
            "months" if unit == "months" else "factor",
        )
        for name, (unit, label) in AGGREGATES.items()
        if name != "discount_rate"
    ]


def _service_index(model: UncertaintyModel, path: str, source: Any) -> int | None:
    """Index of the service a path names; None if the option has it disabled."""
    service = path.split(".")[1]
    if service not in model.case.services:
        raise InputError(
            source,
            f"uncertainty.parameters.{path}",
            f"a service of the case ({', '.join(model.case.services)})",
            repr(service),
        )
    return model.services.index(service) if service in model.services else None


def parameter_paths(case: Case) -> set[str]:
    """Every path and aggregate a distribution may name in this case (all options)."""
    return parameter_names(_set_up_item_counts(case))


def _set_up_item_counts(case: Case) -> dict[str, int]:
    """Each service's number of set-up cost items: ``{service: n}``."""
    return {name: len(service.set_up_costs) for name, service in case.services.items()}


def uncertainty_problems(case: Case) -> list[InputError]:
    """Distributions naming a parameter the case does not have (see
    :func:`models.inputs.uncertainty_spec.parameter_problems`)."""
    if case.uncertainty is None:
        return []
    items = _set_up_item_counts(case)
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
    arrays = {
        path: np.atleast_1d(np.asarray(value, dtype=float))
        for path, value in values.items()
    }
    if draws is None:
        draws = max([len(value) for value in arrays.values()] + [1])
    levers = base_levers(model, draws)
    known = parameter_paths(model.case)
    for path, value in arrays.items():
        if path not in known:
            raise InputError(
                source,
                f"uncertainty.parameters.{path}",
                "an aggregate (" + ", ".join(AGGREGATES) + ") or a path such as "
                "services.<service>.savings.staff",
                repr(path),
            )
        value = np.broadcast_to(value, (draws,))
        if path in AGGREGATES or path.startswith("settings."):
            changes = _case_wide_change(model, levers, path, value)
        else:
            changes = _service_change(model, levers, path, value, source)
        levers = replace(levers, **changes)
    return levers


def _case_wide_change(
    model: UncertaintyModel, levers: Levers, path: str, value: np.ndarray
) -> dict[str, np.ndarray]:
    """The levers an aggregate or a ``settings.`` path changes, and their new
    values, for its values (D,)."""
    if path == "savings_achieved":
        return {"savings_factor": levers.savings_factor * value[:, None, None]}
    if path == "set_up_costs":
        return {"item_factor": levers.item_factor * value[:, None]}
    if path == "severance":
        return {
            "redundancy_factor": levers.redundancy_factor * value[:, None],
            "strain_factor": levers.strain_factor * value[:, None],
        }
    if path == "go_live_delay_months":
        return {"delay_months": levers.delay_months + value[:, None]}
    if path in ("discount_rate", "settings.discount_rate"):
        return {"rate_shift": levers.rate_shift + (value - model.base_rate)}
    if path == "settings.optimism_bias.costs":
        # set-up costs of services that name their own project type keep their
        # own uplift; every service's severance takes the case-wide one
        return {
            "optimism_bias_costs": np.where(
                model.has_own_cost_bias[None, :],
                model.optimism_bias_costs[None, :],
                value[:, None],
            ),
            "optimism_bias_severance": np.repeat(
                value[:, None], len(model.services), axis=1
            ),
        }
    if path == "settings.optimism_bias.savings":
        return {
            "optimism_bias_savings": np.repeat(
                value[:, None], len(model.services), axis=1
            )
        }
    raise ValueError(f"not an aggregate or a settings parameter: {path!r}")


def _service_change(
    model: UncertaintyModel,
    levers: Levers,
    path: str,
    value: np.ndarray,
    source: Any,
) -> dict[str, np.ndarray]:
    """The lever a ``services.`` path changes, and its new value, for the path's
    values (D,); nothing if the option has the service disabled."""
    i = _service_index(model, path, source)
    if i is None:
        return {}
    parts = path.split(".")
    if parts[2] == "savings":
        k = SAVINGS_CATEGORIES.index(parts[3])
        ratio = _ratio(value, model.full_year_savings[i, k], path, source)
        return {"savings_factor": _scaled(levers.savings_factor, (i, k), ratio)}
    if parts[2] == "savings_by_year":
        k = SAVINGS_CATEGORIES.index(parts[4])
        return {"savings_factor": _scaled(levers.savings_factor, (i, k), value)}
    if parts[2].startswith("set_up_costs"):
        n = model.item_paths.index(path)
        ratio = _ratio(value, model.item_amounts[n], path, source)
        return {"item_factor": _scaled(levers.item_factor, (n,), ratio)}
    if parts[2] == "go_live":
        delay = levers.delay_months.copy()
        delay[:, i] += value
        return {"delay_months": delay}
    if parts[3] == "redundancy_pay":
        ratio = _ratio(value, model.redundancy_base[i], path, source)
        return {"redundancy_factor": _scaled(levers.redundancy_factor, (i,), ratio)}
    if parts[3] == "pension_strain":
        ratio = _ratio(value, model.strain_base[i], path, source)
        return {"strain_factor": _scaled(levers.strain_factor, (i,), ratio)}
    raise ValueError(f"not a service parameter: {path!r}")


def _scaled(factors: np.ndarray, index: tuple[int, ...], by: np.ndarray) -> np.ndarray:
    """A copy of lever ``factors`` (D, ...) with ``factors[:, *index]`` times ``by`` (D,)."""
    scaled = factors.copy()
    scaled[(slice(None), *index)] *= by
    return scaled


def _ratio(value: np.ndarray, base: float, path: str, source: Any) -> np.ndarray:
    """``value / base`` [/1]: the factor that makes a path's base value ``value``."""
    if base == 0:
        if np.all(value == 0):
            return np.ones_like(value)
        raise InputError(
            source,
            f"uncertainty.parameters.{path}",
            "a parameter whose value in this option is not zero "
            "(the evaluator varies values by scaling them)",
            "a value of 0",
        )
    return value / base


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


def evaluate(model: UncertaintyModel, levers: Levers, councils: bool = True) -> Outcome:
    """Evaluate an option for every draw of the levers at once [GBP].

    ``savings[d,s,t] = (sum_k f[d,s,k] x full[s,k,t] x R_s(g_s + delay[d,s])[t]
    + sum_k f[d,s,k] x explicit[s,k,t]) x (1 - ob_s[d,s])``;
    ``setup[d,s,t] = sum_i f_i[d,i] x item[i,s,t] x (1 + ob_c[d,s])``;
    ``severance[d,s,t] = (f_r[d,s] x red[s,t] + f_p[d,s] x strain[s,t])
    x (1 + ob_sev[d,s]) + f_p[d,s] x quoted[s,t]``, with ``ob_c`` the set-up
    uplift (the service's own project type, else the case's), ``ob_sev`` the
    case-wide uplift and ``quoted`` the fund actuary's strain (no uplift);
    then the formulas of :mod:`models.model.appraisal`, as the core projection
    uses them: ``net = savings - setup - redundancy pay - pension strain``
    (:func:`~models.model.appraisal.net_savings`), ``NPV[d] = sum_t net[d,t] x
    DF[d,t]`` (:func:`~models.model.appraisal.net_present_value`) and the payback
    index (:func:`~models.model.appraisal.payback_index`).

    Every service and draw is computed in one array operation (D, S, T); large
    batches are cut into blocks of at most :data:`BLOCK_ELEMENTS` draws x
    services x years so that memory stays bounded.
    """
    S, T = max(len(model.services), 1), max(len(model.years), 1)
    block = max(1, BLOCK_ELEMENTS // (S * T))
    if levers.draws <= block:
        return _evaluate_block(model, levers, councils)
    parts = [
        _evaluate_block(model, _levers_slice(levers, start, start + block), councils)
        for start in range(0, levers.draws, block)
    ]
    return Outcome(**_joined(parts, Outcome.__dataclass_fields__))


def _joined(parts: list[Outcome], names: Iterable[str]) -> dict[str, np.ndarray | None]:
    """The named fields of the outcomes of consecutive batches of draws, joined
    along the draw axis (a field that is None stays None)."""
    return {
        name: None
        if getattr(parts[0], name) is None
        else np.concatenate([getattr(part, name) for part in parts])
        for name in names
    }


def _levers_slice(levers: Levers, start: int, stop: int) -> Levers:
    """The levers of draws ``start`` to ``stop`` (every array cut on its draw axis)."""
    return Levers(
        **{
            name: getattr(levers, name)[start:stop]
            for name in Levers.__dataclass_fields__
        }
    )


def _evaluate_block(model: UncertaintyModel, levers: Levers, councils: bool) -> Outcome:
    """:func:`evaluate` for one block of draws, over all services at once."""
    D = levers.draws
    S, T, C = len(model.services), len(model.years), len(model.councils)
    keep = 1.0 - levers.optimism_bias_savings  # (D, S)
    set_up_uplift = 1.0 + levers.optimism_bias_costs  # (D, S)
    severance_uplift = 1.0 + levers.optimism_bias_severance  # (D, S)
    savings_weight = levers.savings_factor * keep[:, :, None]  # (D, S, K)
    # savings (D, S, T): full-year savings by category, then realisation
    savings_lines = _by_service(savings_weight, model.full_year_savings_indexed)
    savings_lines *= _realisation(model, levers.delay_months)
    if model.explicit_categories.any():
        savings_lines += _by_service(savings_weight, model.explicit_savings_indexed)
    # one-off costs enter linearly in their draw weights (D, I) and (D, S)
    item_weight = levers.item_factor * set_up_uplift[:, model.item_service]  # (D, I)
    redundancy_weight = levers.redundancy_factor * severance_uplift  # (D, S)
    strain_weight = levers.strain_factor * severance_uplift  # (D, S)
    quoted_weight = levers.strain_factor  # (D, S): a quoted strain takes no uplift
    maps = _linear_maps(model)
    window = None
    if model.target_window is not None:
        first, last = model.target_window
        window = savings_lines[:, :, first : last + 1].sum(axis=(1, 2))
        if model.pay_harmonisation is not None:
            window = window - model.pay_harmonisation[first : last + 1].sum()
    net = appraisal.net_savings(
        savings_lines.sum(axis=1),
        item_weight @ maps["item_rows"],
        redundancy_weight @ model.redundancy_pay,
        strain_weight @ model.pension_strain
        + quoted_weight @ model.quoted_pension_strain,
    )  # (D, T)
    if model.pay_changes is not None:
        net = net - model.pay_changes
    if councils and S:
        net_council = appraisal.net_savings(
            savings_lines.reshape(D, S * T) @ maps["savings_to_councils"],
            item_weight @ maps["items_to_councils"],
            redundancy_weight @ maps["redundancy_to_councils"],
            strain_weight @ maps["strain_to_councils"]
            + quoted_weight @ maps["quoted_strain_to_councils"],
        ).reshape(D, C, T)
        if model.pay_changes_council is not None:
            net_council = net_council - model.pay_changes_council
    else:
        net_council = np.zeros((D, C, T))
    discount_factor = appraisal.discount_factors(
        model.real_rates + levers.rate_shift[:, None], model.general_inflation
    )  # (D, T)
    return Outcome(
        npv=appraisal.net_present_value(net, discount_factor),
        npv_council=appraisal.net_present_value(
            net_council, discount_factor[:, None, :]
        ),
        payback_index=appraisal.payback_index(net),
        payback_index_council=appraisal.payback_index(net_council),
        window_savings=window,
        net=net,
        net_council=net_council,
    )


def _by_service(weights: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """``sum_k weights[d, s, k] x rows[s, k, t]`` (D, S, T): one (D, K) x (K, T)
    product a service."""
    return np.matmul(weights.transpose(1, 0, 2), rows).transpose(1, 0, 2)


def _linear_maps(model: UncertaintyModel) -> dict[str, np.ndarray]:
    """Matrices taking draw weights to yearly lines, built once per model.

    * ``item_rows`` (I, T): each set-up item's yearly cost (summed over services);
    * ``savings_to_councils`` (S*T, C*T): ``[(s, t), (c, t)] = savings share``, so
      that ``savings (D, S*T) @ it`` is each council's savings (D, C*T);
    * ``items_to_councils`` (I, C*T): ``sum_s item[i, s, t] x set-up share[s, c, t]``;
    * ``redundancy_to_councils``, ``strain_to_councils`` (estimated strain),
      ``quoted_strain_to_councils`` (S, C*T): ``line[s, t] x share[s, c, t]``;
      each council's severance is then its own uplifted amounts, whatever the
      draw's optimism bias.
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
        "quoted_strain_to_councils": (
            model.quoted_pension_strain[:, None, :] * model.quoted_strain_shares
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
    realisation = np.broadcast_to(
        model.base_realisation, (D, *model.base_realisation.shape)
    )
    delayed = [
        i
        for i, table in enumerate(model.realisation_tables)
        if table is not None and np.any(delay[:, i] != 0)
    ]
    if not delayed:
        return realisation
    realisation = realisation.copy()
    for i in delayed:
        realisation[:, i, :] = realisation_with_delay(
            model.realisation_tables[i], model.go_live_month[i] + delay[:, i]
        )
    return realisation


def npv_at(
    model: UncertaintyModel, values: Mapping[str, np.ndarray | float]
) -> np.ndarray:
    """NPV [GBP] of the option for each draw of the given parameter values (D,)."""
    return evaluate(model, levers_from_values(model, values), councils=False).npv


# --------------------------------------------------------------------------- slow path


def _add_months(date: dt.date, months: int) -> dt.date:
    """The same day ``months`` later (the month's last day where it is shorter)."""
    extra_years, month_index = divmod(date.month - 1 + months, 12)
    year, month = date.year + extra_years, month_index + 1
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


def _as_date(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def overridden_case(case: Case, option: str, values: Mapping[str, float]) -> Case:
    """The option as a new case file with the parameter values written in (slow, obvious).

    Paths are written into the option's YAML dict; aggregates then scale every
    matching value; the result is re-validated by the core loader.  Go-live delays
    must be whole months here (the case file holds dates).  Severance is not
    written here: it may be costed person by person from the staff-at-risk table,
    so :func:`slow_npv` scales the compiled severance lines instead.
    """
    option_case = cases.option_case(case, option)
    raw = copy.deepcopy(
        getattr(option_case, "_raw", None) or option_case.model_dump(mode="json")
    )
    raw["options"] = {
        option: {"title": "Uncertainty draw", "description": "uncertainty draw"}
    }
    raw.pop("uncertainty", None)
    raw.pop("recommendation", None)  # names an option this carrier does not have
    services = raw["services"]
    enabled = [
        name
        for name, raw_service in services.items()
        if raw_service.get("enabled", True)
    ]
    aggregates = {
        name: float(value) for name, value in values.items() if name in AGGREGATES
    }
    for path, value in values.items():
        value = float(value)
        if path in AGGREGATES:
            continue
        parts = path.split(".")
        if path == "settings.discount_rate":
            aggregates["discount_rate"] = value
        elif parts[0] == "settings":
            _set_number(raw["settings"]["optimism_bias"], parts[2], value)
        else:
            _write_service_value(services[parts[1]], path, value)
    for name in enabled:
        _scale_service(services[name], aggregates)
    if "discount_rate" in aggregates:
        settings = option_case.settings
        if settings.discount_rate == "green_book" and settings.horizon_years > 31:
            raise ValueError(
                "overridden_case: a flat rate replaces only a flat schedule"
            )
        raw["settings"]["discount_rate"] = aggregates["discount_rate"]
    return cases.case_from_dict(raw, source=getattr(case, "_source", None))


def _write_service_value(service: dict, path: str, value: float) -> None:
    """Write one ``services.`` path's value into a service's YAML dict (in place):
    a full-year saving or set-up item replaced, a factor on year-by-year savings,
    a whole-month go-live delay.  Severance paths are left to :func:`slow_npv`."""
    parts = path.split(".")
    if parts[2] == "savings":
        service.setdefault("savings", {}).setdefault(parts[3], 0)
        _set_number(service["savings"], parts[3], value)
    elif parts[2] == "savings_by_year":
        for by_category in service["savings_by_year"].values():
            if parts[4] in by_category:
                _set_number(
                    by_category, parts[4], _get_number(by_category[parts[4]]) * value
                )
    elif parts[2].startswith("set_up_costs"):
        n = int(parts[2].split("[")[1].rstrip("]"))
        _set_number(service["set_up_costs"][n], "amount", value)
    elif parts[2] == "go_live":
        if value != round(value):
            raise ValueError("overridden_case: go-live delays must be whole months")
        service["go_live"] = _add_months(
            _as_date(service["go_live"]), int(round(value))
        )


def _scale_service(service: dict, aggregates: Mapping[str, float]) -> None:
    """Apply the aggregates to an enabled service's YAML dict (in place): savings
    and set-up items scaled, go-live delayed by whole months."""
    factor = aggregates.get("savings_achieved", 1.0)
    for category in list(service.get("savings", {})):
        _set_number(
            service["savings"],
            category,
            _get_number(service["savings"][category]) * factor,
        )
    for by_category in (service.get("savings_by_year") or {}).values():
        for category in list(by_category):
            _set_number(
                by_category, category, _get_number(by_category[category]) * factor
            )
    for item in service.get("set_up_costs", []):
        _set_number(
            item,
            "amount",
            _get_number(item["amount"]) * aggregates.get("set_up_costs", 1.0),
        )
    delay = aggregates.get("go_live_delay_months", 0.0)
    if (
        delay
        and service.get("go_live") is not None
        and not service.get("savings_by_year")
    ):
        if delay != round(delay):
            raise ValueError("overridden_case: go-live delays must be whole months")
        service["go_live"] = _add_months(
            _as_date(service["go_live"]), int(round(delay))
        )


def slow_npv(case: Case, option: str, values: Mapping[str, float]) -> float:
    """NPV [GBP] of one draw the obvious way: override the case, validate, compile and
    project it with the core (severance lines scaled on the compiled arrays)."""
    arrays = compile_option(overridden_case(case, option, values), option)
    redundancy_factor = np.full(
        len(arrays.services), float(values.get("severance", 1.0))
    )
    strain_factor = redundancy_factor.copy()
    for path, value in values.items():
        parts = path.split(".")
        if len(parts) == 4 and parts[2] == "severance" and parts[1] in arrays.services:
            i = arrays.services.index(parts[1])
            if parts[3] == "redundancy_pay":
                redundancy_factor[i] *= float(value) / arrays.redundancy_pay[i].sum()
            else:
                strain = arrays.pension_strain[i] + arrays.quoted_pension_strain[i]
                strain_factor[i] *= float(value) / strain.sum()
    arrays = arrays.replaced(
        redundancy_pay=arrays.redundancy_pay * redundancy_factor[:, None],
        pension_strain=arrays.pension_strain * strain_factor[:, None],
        quoted_pension_strain=arrays.quoted_pension_strain * strain_factor[:, None],
    )
    projection = project(arrays)
    return summarise(
        arrays,
        projection["net"].sum(axis=0),
        projection["net_economic"].sum(axis=0),
        projection["savings_total"].sum(axis=0),
    ).npv


def slow_npvs(case: Case, option: str, values: Mapping[str, np.ndarray]) -> np.ndarray:
    """NPV [GBP] of every draw by a plain Python loop over :func:`slow_npv`."""
    n_draws = len(next(iter(values.values()))) if values else 1
    return np.array(
        [
            slow_npv(
                case,
                option,
                {path: float(value[draw]) for path, value in values.items()},
            )
            for draw in range(n_draws)
        ]
    )


# --------------------------------------------------------------------------- sensitivity


def sensitivity_values(
    parameter: Parameter,
    changes: list[float],
    ranges: Mapping[str, list[float]] | None = None,
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
    if ranges and parameter.path in ranges:
        return [float(value) for value in ranges[parameter.path]]
    if parameter.kind == "months":
        return [parameter.base + float(round(change * 12)) for change in changes]
    return [parameter.base * (1.0 + change) for change in changes]


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
    lowest = long.loc[groups["value"].idxmin()]  # first lowest value tried
    highest = long.loc[groups["value"].idxmax()]
    npv = groups["npv"]
    table = pd.DataFrame(
        {
            "parameter": lowest["parameter"].to_numpy(),
            "label": lowest["label"].to_numpy(),
            "unit": lowest["unit"].to_numpy(),
            "base": lowest["base"].to_numpy(),
            "low": lowest["value"].to_numpy(),
            "high": highest["value"].to_numpy(),
            "npv_low": lowest["npv"].to_numpy(),
            "npv_high": highest["npv"].to_numpy(),
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
    scenarios = [
        (parameter, value)
        for parameter in parameters(model)
        for value in sensitivity_values(parameter, changes, ranges)
    ]
    n_scenarios = len(scenarios)
    values: dict[str, np.ndarray] = {}
    for n, (parameter, value) in enumerate(scenarios):
        column = values.setdefault(parameter.path, np.full(n_scenarios, parameter.base))
        column[n] = value
    npv = npv_at(model, values) if n_scenarios else np.zeros(0)
    base_npv = float(npv_at(model, {})[0])
    return pd.DataFrame(
        {
            "parameter": [parameter.path for parameter, _ in scenarios],
            "label": [parameter.label for parameter, _ in scenarios],
            "unit": [parameter.unit for parameter, _ in scenarios],
            "base": [parameter.base for parameter, _ in scenarios],
            "value": [value for _, value in scenarios],
            "change": [
                (value - parameter.base)
                if parameter.kind == "months"
                else (value / parameter.base - 1.0 if parameter.base else np.nan)
                for parameter, value in scenarios
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
    for bracket in brackets:
        candidates.append(
            optimize.brentq(f, grid[bracket], grid[bracket + 1], xtol=1e-12, rtol=1e-12)
        )
    if not candidates:
        return None
    return float(min(candidates, key=lambda root: abs(root - base)))


def _aggregate_base(model: UncertaintyModel, name: str) -> float:
    """Base value of an aggregate: the option's year-0 rate for the discount rate,
    no delay [months], else a factor of 1."""
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
    low, high = bounds or SWITCHING_BOUNDS[name]
    base = _aggregate_base(models[0], name)
    grid = np.unique(np.concatenate([np.linspace(low, high, grid_points), [base]]))

    def difference(value: np.ndarray | float) -> np.ndarray:
        npv = npv_at(models[0], {name: value})
        for other in models[1:]:
            npv = npv - npv_at(other, {name: value})
        return npv

    on_grid = difference(grid)
    if np.all(on_grid == 0):
        return None
    return _root_nearest_base(
        on_grid, grid, base, lambda value: float(difference(value)[0])
    )


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
    models = {name: compile_model(case, name) for name in names}
    base_npv = {name: float(npv_at(model, {})[0]) for name, model in models.items()}
    ranked = sorted(names, key=lambda name: base_npv[name], reverse=True)
    best = ranked[0] if ranked else None
    runner_up = ranked[1] if len(ranked) > 1 else None
    rows = []
    for option in names:
        for parameter, (unit, _) in AGGREGATES.items():
            base = _aggregate_base(models[option], parameter)
            zero = switching_value([models[option]], parameter)
            row = {
                "option": option,
                "parameter": parameter,
                "unit": unit,
                "base": base,
                "npv_zero": zero,
                "npv_zero_change": _change(zero, base, unit),
                "versus": None,
                "stops_being_best": None,
                "stops_being_best_change": None,
            }
            if option == best and runner_up is not None:
                switch = switching_value([models[option], models[runner_up]], parameter)
                row.update(
                    versus=runner_up,
                    stops_being_best=switch,
                    stops_being_best_change=_change(switch, base, unit),
                )
            rows.append(row)
    return pd.DataFrame(rows)


def switching_table_of(
    case: Case, tables: Mapping[str, pd.DataFrame], base_npv: Mapping[str, float]
) -> pd.DataFrame:
    """:func:`switching_table` of the options ``tables`` names, assembled from
    each option's own table (``switching_table(case, [option])``) and its base
    NPV [GBP], so that a run need not keep every option's model: only the best
    option's rows are worked out again, against the runner-up.  Equal to
    ``switching_table(case, list(tables))``."""
    names = list(tables)
    ranked = sorted(names, key=lambda name: base_npv[name], reverse=True)
    best = ranked[0] if ranked else None
    runner_up = ranked[1] if len(ranked) > 1 else None
    pair = (
        [compile_model(case, best), compile_model(case, runner_up)]
        if runner_up is not None
        else None
    )
    rows = []
    for option in names:
        for row in tables[option].to_dict("records"):
            if option == best and pair is not None:
                unit = AGGREGATES[row["parameter"]][0]
                switch = switching_value(pair, row["parameter"])
                row.update(
                    versus=runner_up,
                    stops_being_best=switch,
                    stops_being_best_change=_change(switch, row["base"], unit),
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


def _cholesky_factor(spec: UncertaintySpec) -> np.ndarray:
    """Lower Cholesky factor ``L`` (P, P) [/1] of the copula's correlation matrix
    (:meth:`~models.inputs.uncertainty_spec.UncertaintySpec.correlation_matrix`).

    Raises :class:`InputError` if the matrix is not positive definite.
    """
    try:
        return np.linalg.cholesky(spec.correlation_matrix())
    except np.linalg.LinAlgError:
        raise InputError(
            None,
            "uncertainty.correlations",
            "coefficients forming a positive definite correlation matrix",
            "a matrix that is not (some coefficients contradict each other)",
        ) from None


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
        z = z @ _cholesky_factor(spec).T
    u = stats.norm.cdf(z)
    return {
        name: spec.parameters[name].frozen().ppf(u[:, column])
        for column, name in enumerate(names)
    }


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
    differences are not noise.  ``progress``: a wrapper of the chunks' start
    indices that shows progress (e.g. :func:`models.run.progress.progress_bar`),
    called with ``desc`` and ``unit``; ``None`` or ``False`` shows none.
    ``samples``: draws already made by :func:`sample_parameters` (to share them
    between options).
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
    source = getattr(case, "_source", None)
    parts: list[Outcome] = []
    for start in starts:
        stop = min(start + CHUNK, draws)
        chunk = {name: values[start:stop] for name, values in samples.items()}
        levers = levers_from_values(model, chunk, draws=stop - start, source=source)
        parts.append(evaluate(model, levers))
    joined = _joined(
        parts,
        (
            "npv",
            "npv_council",
            "payback_index",
            "payback_index_council",
            "window_savings",
        ),
    )
    return MonteCarloResult(
        option=option,
        draws=draws,
        seed=seed,
        years=model.years,
        councils=model.councils,
        samples=samples,
        npv=joined["npv"],
        npv_council=joined["npv_council"],
        payback_index=joined["payback_index"],
        payback_index_council=joined["payback_index_council"],
        window_savings=joined["window_savings"],
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
        option: monte_carlo(case, option, draws, seed, spec, progress, samples)
        for option in (options if options is not None else list(case.options))
    }


def _payback_quantiles(index: np.ndarray, years: list[str]) -> list[str | None]:
    """P10/P50/P90 payback year (a draw's actual year; None = not within horizon)."""
    year = np.where(index < 0, np.inf, index.astype(float))
    quantiles = np.quantile(year, [0.1, 0.5, 0.9], method="inverted_cdf")
    return [years[int(year)] if np.isfinite(year) else None for year in quantiles]


def monte_carlo_summary(result: MonteCarloResult) -> pd.DataFrame:
    """Mean, P10/P50/P90 of NPV and payback, P(NPV > 0), P(target met); partnership
    ('All') and each council [GBP]."""
    rows = []
    units = [("All", result.npv, result.payback_index)] + [
        (council, result.npv_council[:, c], result.payback_index_council[:, c])
        for c, council in enumerate(result.councils)
    ]
    for name, npv, payback in units:
        p10, p50, p90 = np.percentile(npv, [10, 50, 90])
        payback_p10, payback_p50, payback_p90 = _payback_quantiles(
            payback, result.years
        )
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
                "payback_p10": payback_p10,
                "payback_p50": payback_p50,
                "payback_p90": payback_p90,
                "prob_payback_within_horizon": float(np.mean(payback >= 0)),
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
            result = analysis.monte_carlo[option]
        else:
            result = monte_carlo(case, option, progress=False)
        row = monte_carlo_summary(result).iloc[0]
        out["monte_carlo"] = {
            "draws": int(result.draws),
            "seed": int(result.seed),
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
        table = analysis.switching
        out["switching_values"] = {
            parameter: (None if pd.isna(value) else float(value))
            for parameter, value in zip(
                table["parameter"], table["npv_zero"], strict=True
            )
        }
    else:
        out["switching_values"] = switching_values(case, option)
    return out


# --------------------------------------------------------------------------- optimism bias


def service_optimism_bias(
    model: UncertaintyModel,
    categories: Mapping[str, tuple[str, str, float]],
) -> np.ndarray:
    """Per-service set-up cost uplift (S,) [/1] from ``{service: (project_type,
    measure, mitigation)}``; services not named keep their uplift.

    The result can be passed as ``optimism_bias_costs`` (shape (S,)) to
    :func:`models.engine.projection.project` or set on the levers here.  It
    raises set-up costs only: severance keeps the case-wide uplift.
    """
    uplift = model.optimism_bias_costs.copy()
    for service, (project_type, measure, mitigation) in categories.items():
        if service in model.services:
            uplift[model.services.index(service)] = optimism_bias_uplift(
                project_type, measure, mitigation
            )
    return uplift


# --------------------------------------------------------------------------- run folder
