"""The what-if explorer: move a case's assumptions with controls, see the NPV at once.

A finance lead opens ``notebooks/explore.ipynb`` (``make lab``), picks an
option to start from and moves what moves a case: each service's go-live date,
savings, set-up costs, severance and sharing basis; the councils' severance
policies; optimism bias and the discount rate; and the uncertain assumptions the
case declares under ``uncertainty:`` (their distributions give the ranges).
The NPV (financial and economic), payback year, target, each council's NPV,
the cumulative net saving against the starting option and the NPV bridge from
the starting option follow every move, and a what-if worth keeping is saved
into the case file as a new option.

The controls are plain data (:class:`Control`, built by :func:`controls`), and
the overrides a set of control values makes is a pure function
(:func:`what_if_overrides`): dotted paths, written exactly as an option's
``overrides``.  Every figure comes from :meth:`models.engine.whatif.WhatIf.evaluate`
and :meth:`~models.engine.whatif.WhatIf.run` (the engine's model, no second
formula); the bridge is the engine's sequential attribution
(:func:`models.engine.bridge.differences` and :func:`~models.engine.bridge.bridge`)
from the starting option to the what-if (:func:`what_if_bridge`).  The widgets
(ipywidgets 8) are only a face on :class:`Explorer`; executed without a front
end (papermill), the explorer shows the same figures as static HTML.

How a control becomes overrides:

* a factor on a service's savings, set-up costs or severance multiplies the
  option's own figures (one override a saving category, the whole list of set-up
  items, the severance figures); the uncertainty aggregates
  (``savings_achieved``, ``set_up_costs``, ``severance``) multiply them again for
  every service the what-if shares, and a declared path (``services.<s>.savings.staff``)
  replaces the figure it names before the factors apply, as in
  :mod:`models.engine.uncertainty`;
* a go-live date replaces the service's, and ``go_live_delay_months`` (and a
  service's own declared delay) moves it by whole months;
* ``severance`` scales severance the case states as a figure; severance costed
  person by person from the staff table moves with the severance policies'
  multipliers instead (an override cannot reach into the staff table);
* a control left at its starting value makes no override.
"""

from __future__ import annotations

import copy
import datetime as dt
import html
import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import ipywidgets as widgets
import pandas as pd
from IPython.display import display

from models.core.errors import InputError
from models.core.money import money_k, pounds
from models.engine.bridge import (
    Bridge,
    State,
    bridge,
    differences,
    figures_of,
    option_state,
)
from models.engine.projection import OptionResult
from models.engine.results import option_json
from models.engine.whatif import WhatIf
from models.inputs.case import SAVINGS_CATEGORIES, Case, Service, apply_overrides
from models.inputs.uncertainty_spec import AGGREGATES, Distribution
from models.model.appraisal import discount_rates
from models.report import charts
from models.report.bridge import (
    TOTAL,
    BridgeEnd,
    BridgeNames,
    bridge_chart,
    bridge_table,
    names_of,
    option_label,
)
from models.report.charts import Chart
from models.report.tables import ReportTable, council_names

WHAT_IF_LABEL = "What-if"
"""How the tables and charts name the what-if."""

SERVICES = "Services"
POLICIES = "Severance"
APPRAISAL = "Appraisal"
UNCERTAIN = "Uncertainty"
GROUPS = {
    SERVICES: "Each service: shared or not, go-live, savings, set-up costs, "
    "severance stated as a figure and sharing basis.",
    POLICIES: "The councils' severance policies, which cost the staff at risk "
    "person by person.",
    APPRAISAL: "Optimism bias on costs and savings, and the discount rate.",
    UNCERTAIN: "The uncertain assumptions the case declares: each slider runs "
    "over its distribution's range and starts at the starting option's value "
    "(hover for the distribution and its source).",
}
"""The groups of controls (tab titles), in the order they are shown, and what
each holds."""

SETTINGS_PATHS = (
    "settings.optimism_bias.costs",
    "settings.optimism_bias.savings",
    "settings.discount_rate",
)
"""Assumptions with a control of their own that a distribution may also name."""

WHAT_IF_ORDER = (
    "Sequential attribution: the moved assumptions are applied one at a time, "
    "starting from the starting option, in the order of the controls (the "
    "services in case-file order, then the severance policies, then optimism "
    "bias and the discount rate; a factor on many figures moves each in turn).  "
    "Each step's NPV change is the NPV after it minus the NPV before it, so the "
    "steps add up to the whole change; another order can split the same total "
    "differently."
)
"""The order of the steps of a what-if's bridge, as the explorer states it."""

MAX_FACTOR = 2.0
"""Highest factor a service's savings, set-up costs or severance control offers [/1]."""

MAX_DISCOUNT_RATE = 0.10
"""Highest discount rate the control offers, unless the case's is higher [/1]."""


# --- the controls --------------------------------------------------------------


@dataclass(frozen=True)
class Control:
    """One control of the explorer: what it moves, its words, its range.

    ``key`` names what it moves (``services.hr_od.savings`` is the factor on HR's
    savings, ``uncertainty.savings_achieved`` a declared distribution);
    ``kind`` is ``switch``, ``date``, ``choice``, ``factor`` [/1], ``rate`` [/1],
    ``number`` [/1], ``months`` or ``money`` [GBP]; ``start`` is the starting
    option's value, where no override is made; ``low``, ``high`` and ``step``
    bound a slider; ``choices`` are (words, value) pairs; ``section`` is the
    service a control belongs to; ``note`` says where the range comes from.
    """

    key: str
    label: str
    group: str
    kind: str
    start: Any
    low: float | None = None
    high: float | None = None
    step: float | None = None
    choices: tuple[tuple[str, str], ...] = ()
    section: str = ""
    note: str = ""


@dataclass(frozen=True)
class StartingPoint:
    """The option the explorer starts from: the case as read, the option's case
    validated, and its raw dict (the state a bridge starts from)."""

    case: Case
    option: str
    option_case: Case
    state: State

    @classmethod
    def of(cls, case: Case, option: str) -> StartingPoint:
        """The starting point of ``option`` (an InputError names the case's options)."""
        state, seen = option_state(case, option)
        return cls(case=case, option=option, option_case=seen, state=state)

    @property
    def label(self) -> str:
        """The option's title, or its name as words."""
        return self.case.options[self.option].title or option_label(self.option)

    @property
    def description(self) -> str:
        return (self.case.options[self.option].description or "").strip()

    def raw_service(self, service: str) -> dict:
        """The service's raw dict as the option sees it."""
        return self.state.raw["services"][service]

    @property
    def base_discount_rate(self) -> float:
        """The year-0 real discount rate of the option [/1]."""
        settings = self.option_case.settings
        rate = settings.discount_rate
        given = rate if isinstance(rate, str) else float(rate.value)
        return float(discount_rates(given, settings.horizon_years)[0])


def months_later(date: dt.date, months: int) -> dt.date:
    """The same day ``months`` later (the month's last day where it is shorter).

    >>> months_later(dt.date(2012, 1, 31), 1), months_later(dt.date(2012, 4, 1), -3)
    (datetime.date(2012, 2, 29), datetime.date(2012, 1, 1))
    """
    return (pd.Timestamp(date) + pd.DateOffset(months=int(months))).date()


def _savings_total(service: Service) -> float:
    """A service's full-year savings [GBP/year] (year-by-year savings summed)."""
    if service.savings_by_year:
        return sum(s.total() for s in service.savings_by_year.values())
    return service.savings.total()


def _severance_total(service: Service) -> float:
    """A service's severance stated as a figure [GBP]."""
    return (
        service.severance.flat_redundancy_pay() + service.severance.pension_strain.value
    )


def service_controls(start: StartingPoint) -> list[Control]:
    """Each service's switch, go-live, savings, set-up costs, severance and basis."""
    bases = tuple(
        (option_label(key), key) for key in start.option_case.bases
    )  # words, not identifiers
    found: list[Control] = []
    for key, service in start.option_case.services.items():
        found += _controls_of_service(key, service, bases)
    return found


def _controls_of_service(
    key: str, service: Service, bases: tuple[tuple[str, str], ...]
) -> list[Control]:
    """The controls of one service (see :func:`service_controls`)."""
    factor = {"low": 0.0, "high": MAX_FACTOR, "step": 0.05}
    found = [("enabled", "Shared", "switch", service.enabled, {})]
    if service.go_live is not None:
        found.append(("go_live", "Go-live", "date", service.go_live, {}))
    savings = _savings_total(service)
    if savings:
        label = f"Savings, % of {money_k(savings)}"
        label += " over the years" if service.savings_by_year else " a year"
        found.append(("savings", label, "factor", 1.0, factor))
    set_up = sum(item.amount.value for item in service.set_up_costs)
    if set_up:
        label = f"Set-up costs, % of {money_k(set_up)}"
        found.append(("set_up_costs", label, "factor", 1.0, factor))
    if service.severance.has_flat_cost():
        label = f"Severance, % of {money_k(_severance_total(service))}"
        found.append(("severance", label, "factor", 1.0, factor))
    if len(bases) > 1:
        found.append(
            ("basis", "Sharing basis", "choice", service.basis, {"choices": bases})
        )
    return [
        Control(
            f"services.{key}.{suffix}",
            label,
            SERVICES,
            kind,
            begin,
            section=service.name,
            **more,
        )
        for suffix, label, kind, begin, more in found
    ]


def policy_controls(start: StartingPoint) -> list[Control]:
    """Each severance policy's multiplier of the statutory weeks [/1]."""
    names = council_names(start.option_case)
    found = []
    for key, policy in start.option_case.severance_policies.items():
        whose = names.get(key, f"{option_label(key)} policy")
        found.append(
            Control(
                f"severance_policies.{key}.multiplier",
                f"{whose}: weeks' pay, × statutory",
                POLICIES,
                "number",
                float(policy.multiplier),
                low=1.0,
                high=max(3.0, math.ceil(float(policy.multiplier)) + 1.0),
                step=0.1,
                note="Policy weeks as a multiple of the statutory weeks "
                "(2006 Regulations reg 5 to 7); costs the staff table person by person.",
            )
        )
    return found


def settings_controls(start: StartingPoint) -> list[Control]:
    """Optimism bias on costs and savings, and the discount rate [/1], where
    an override can set them (a case file that leaves out ``optimism_bias``
    cannot be given one by an option)."""
    bias = start.option_case.settings.optimism_bias
    rate = start.base_discount_rate
    schedule = start.option_case.settings.discount_rate == "green_book"
    found = [
        Control(
            "settings.optimism_bias.costs",
            "Optimism bias on costs",
            APPRAISAL,
            "rate",
            float(bias.costs.value),
            low=0.0,
            high=1.0,
            step=0.01,
            note="Costs are raised by this fraction (HM Treasury Green Book).",
        ),
        Control(
            "settings.optimism_bias.savings",
            "Optimism bias on savings",
            APPRAISAL,
            "rate",
            float(bias.savings.value),
            low=0.0,
            high=1.0,
            step=0.01,
            note="Savings are cut by this fraction.",
        ),
        Control(
            "settings.discount_rate",
            "Discount rate",
            APPRAISAL,
            "rate",
            rate,
            low=0.0,
            high=max(MAX_DISCOUNT_RATE, rate),
            step=0.0025,
            note=(
                "The case uses the Green Book schedule; a moved rate applies to "
                "every year."
                if schedule
                else "A flat real rate for every year."
            ),
        ),
    ]
    return [c for c in found if is_overridable(start, c.key, c.start)]


def is_overridable(start: StartingPoint, path: str, value: Any) -> bool:
    """Whether an option's override can set ``path`` of the starting option
    (:func:`models.inputs.case.apply_overrides` decides, as for a case file)."""
    try:
        apply_overrides(start.state.raw, {path: value}, None, "what-if")
    except InputError:
        return False
    return True


def distribution_range(distribution: Distribution) -> tuple[float, float]:
    """The range a slider offers for a distribution: its bounds, or the mean
    plus or minus three standard deviations for a normal one.

    >>> distribution_range(Distribution(distribution="normal", mean=1, sd=0.1, source="x"))
    (0.7, 1.3)
    """
    if distribution.distribution == "normal":
        spread = 3 * distribution.sd
        return (
            round(distribution.mean - spread, 12),
            round(distribution.mean + spread, 12),
        )
    return float(distribution.min), float(distribution.max)


def distribution_note(distribution: Distribution) -> str:
    """The distribution in words, with its source."""
    d = distribution
    if d.distribution == "normal":
        shape = f"normal, mean {d.mean:g}, standard deviation {d.sd:g}"
    elif d.distribution == "uniform":
        shape = f"uniform from {d.min:g} to {d.max:g}"
    else:
        shape = f"{d.distribution} from {d.min:g} to {d.max:g}, most likely {d.mode:g}"
    return f"{shape}; source: {d.source}"


def _declared_start(start: StartingPoint, name: str) -> tuple[str, float, str]:
    """(kind, starting value, label) of a declared uncertain parameter."""
    if name in AGGREGATES:
        unit, label = AGGREGATES[name]
        return (
            ("months" if unit == "months" else "factor"),
            (0.0 if unit == "months" else 1.0),
            label,
        )
    parts = name.split(".")
    service = start.option_case.services[parts[1]]
    what = " ".join(parts[2:]).replace("_", " ")
    if parts[2] == "go_live":
        return "months", 0.0, f"{service.name}: go-live delay"
    if parts[2] == "savings_by_year":
        return "factor", 1.0, f"{service.name}: {parts[-1]} savings by year"
    if parts[2] == "savings":
        value = getattr(service.savings, parts[3]).value
        return "money", float(value), f"{service.name}: {parts[3]} savings a year"
    if parts[2].startswith("set_up_costs"):
        item = service.set_up_costs[_item_index(parts[2])]
        label = f"{service.name}: set-up cost {option_label(item.category).lower()}"
        return "money", float(item.amount.value), label
    severance = service.severance
    value = (
        severance.flat_redundancy_pay()
        if parts[3] == "redundancy_pay"
        else severance.pension_strain.value
    )
    return "money", float(value), f"{service.name}: {what}"


def _item_index(part: str) -> int:
    """The index in ``set_up_costs[<i>]``.

    >>> _item_index("set_up_costs[2]")
    2
    """
    return int(part.split("[")[1].rstrip("]"))


def uncertainty_controls(
    start: StartingPoint, settings: list[Control]
) -> tuple[list[Control], list[Control]]:
    """A control for each parameter the case declares under ``uncertainty``
    (its distribution gives the range, widened to take in the starting value),
    and the settings controls with the ranges the case declares for them."""
    spec = start.option_case.uncertainty
    declared = dict(spec.parameters) if spec is not None else {}
    by_key = {c.key: c for c in settings}
    found = []
    for name, distribution in declared.items():
        low, high = distribution_range(distribution)
        note = distribution_note(distribution)
        key = "settings.discount_rate" if name == "discount_rate" else name
        if key in SETTINGS_PATHS and key not in by_key:
            continue  # an override cannot set it in this case
        if key in by_key:
            given = by_key[key]
            by_key[key] = replace(
                given,
                low=max(0.0, min(low, given.start)),
                high=min(1.0, max(high, given.start)),
                note=f"{given.note} The case declares: {note}".strip(),
            )
            continue
        if (
            name not in AGGREGATES
            and name.split(".")[1] not in start.option_case.services
        ):
            continue
        kind, begin, label = _declared_start(start, name)
        low, high = min(low, begin), max(high, begin)
        if kind in ("factor", "money"):
            low = max(0.0, low)
        step = 1.0 if kind == "months" else (0.01 if kind == "factor" else None)
        if kind == "months":
            low, high = math.floor(low), math.ceil(high)
        if step is None:
            step = _money_step(low, high)
        found.append(
            Control(
                f"uncertainty.{name}",
                label,
                UNCERTAIN,
                kind,
                begin,
                low=low,
                high=high,
                step=step,
                note=note,
            )
        )
    return found, list(by_key.values())


def _money_step(low: float, high: float) -> float:
    """A round step for a money slider: about a hundredth of its range, at
    least a pound [GBP].

    >>> _money_step(174_000, 319_000), _money_step(0, 50)
    (1000.0, 1.0)
    """
    span = max(high - low, 100.0) / 100
    return float(10 ** math.floor(math.log10(span)))


def controls(start: StartingPoint) -> dict[str, Control]:
    """Every control of the explorer by its key, in the order they are shown."""
    uncertain, settings = uncertainty_controls(start, settings_controls(start))
    found = [*service_controls(start), *policy_controls(start), *settings, *uncertain]
    return {c.key: c for c in found}


# --- control values to overrides -----------------------------------------------


def _is_moved(value: Any, begin: Any) -> bool:
    """Whether a control's value differs from its starting value (floats to
    a millionth of a part, as sliders give them)."""
    if isinstance(begin, bool) or not isinstance(begin, int | float):
        return value != begin
    return not math.isclose(float(value), float(begin), rel_tol=1e-9, abs_tol=1e-9)


def _money(value: float) -> float:
    """Pounds to the penny, as an override writes them [GBP]."""
    return round(float(value), 2)


class _Reader:
    """The control values of one what-if, each falling back to its start."""

    def __init__(self, found: Mapping[str, Control], values: Mapping[str, Any]):
        unknown = [k for k in values if k not in found]
        if unknown:
            raise InputError(
                None,
                "controls",
                f"controls of the explorer ({', '.join(found)})",
                ", ".join(repr(k) for k in unknown),
            )
        self.found, self.values = found, values

    def __call__(self, key: str, default: Any = None) -> Any:
        if key not in self.found:
            return default
        value = self.values.get(key, self.found[key].start)
        return self.found[key].start if value is None else value

    def declared(self, name: str) -> Any:
        """A declared uncertain parameter's value, None where none is declared."""
        return self(f"uncertainty.{name}")


def what_if_overrides(
    start: StartingPoint, found: Mapping[str, Control], values: Mapping[str, Any]
) -> dict[str, Any]:
    """The overrides (dotted paths, as an option's) that control ``values`` make.

    ``values`` maps control keys (:func:`controls`) to values; a control not
    given, or at its starting value, makes no override.  Money is written to the
    penny, dates as dates; see the module docstring for how the controls combine.
    """
    read = _Reader(found, values)
    out: dict[str, Any] = {}
    for key, service in start.option_case.services.items():
        out |= _service_overrides(start, key, service, read)
    for key in start.option_case.severance_policies:
        path = f"severance_policies.{key}.multiplier"
        if _is_moved(read(path), found[path].start):
            out[path] = round(float(read(path)), 6)
    for path in SETTINGS_PATHS:
        if path in found and _is_moved(read(path), found[path].start):
            out[path] = round(float(read(path)), 6)
    return out


def _service_overrides(
    start: StartingPoint, key: str, service: Service, read: _Reader
) -> dict[str, Any]:
    """The overrides of one service: shared or not, go-live, savings, set-up
    costs, severance and sharing basis."""
    prefix = f"services.{key}"
    out: dict[str, Any] = {}
    is_shared = bool(read(f"{prefix}.enabled", service.enabled))
    if is_shared != service.enabled:
        out[f"{prefix}.enabled"] = is_shared

    def aggregate(name: str, neutral: float) -> float:
        value = read.declared(name)
        return float(value) if is_shared and value is not None else neutral

    if service.go_live is not None:
        delay = float(read.declared(f"{prefix}.go_live") or 0.0)
        if not service.savings_by_year:
            delay += aggregate("go_live_delay_months", 0.0)
        moved = months_later(read(f"{prefix}.go_live"), round(delay))
        if moved != service.go_live:
            out[f"{prefix}.go_live"] = moved
    savings = float(read(f"{prefix}.savings", 1.0)) * aggregate("savings_achieved", 1.0)
    out |= _savings_overrides(prefix, service, savings, read)
    set_up = float(read(f"{prefix}.set_up_costs", 1.0)) * aggregate("set_up_costs", 1.0)
    out |= _set_up_overrides(start, key, service, set_up, read)
    severance = float(read(f"{prefix}.severance", 1.0)) * aggregate("severance", 1.0)
    out |= _severance_overrides(prefix, service, severance, read)
    basis = read(f"{prefix}.basis", service.basis)
    if basis != service.basis:
        out[f"{prefix}.basis"] = basis
    return out


def _savings_overrides(
    prefix: str, service: Service, factor: float, read: _Reader
) -> dict[str, Any]:
    """Each saving category scaled by ``factor`` (a declared path replacing the
    option's figure first) [GBP/year]."""
    out: dict[str, Any] = {}
    if service.savings_by_year:
        for year, by_category in service.savings_by_year.items():
            for category in SAVINGS_CATEGORIES:
                value = getattr(by_category, category).value
                declared = read.declared(f"{prefix}.savings_by_year.*.{category}")
                scaled = value * factor * float(1.0 if declared is None else declared)
                if value and _is_moved(scaled, value):
                    out[f"{prefix}.savings_by_year.{year}.{category}"] = _money(scaled)
        return out
    for category in SAVINGS_CATEGORIES:
        value = getattr(service.savings, category).value
        declared = read.declared(f"{prefix}.savings.{category}")
        scaled = float(value if declared is None else declared) * factor
        if _is_moved(scaled, value):
            out[f"{prefix}.savings.{category}"] = _money(scaled)
    return out


def _set_up_overrides(
    start: StartingPoint, key: str, service: Service, factor: float, read: _Reader
) -> dict[str, Any]:
    """The service's list of set-up items with each amount scaled by ``factor``
    (a declared path replacing an item's amount first): one override, as an
    override cannot reach inside a list."""
    items = copy.deepcopy(start.raw_service(key).get("set_up_costs") or [])
    is_moved = False
    for i, (item, model) in enumerate(zip(items, service.set_up_costs, strict=True)):
        declared = read.declared(f"services.{key}.set_up_costs[{i}].amount")
        base = model.amount.value
        amount = float(base if declared is None else declared) * factor
        if not _is_moved(amount, base):
            continue
        is_moved = True
        given = item.get("amount")
        if isinstance(given, dict):
            item["amount"] = given | {
                "value": _money(amount),
                "source": f"what-if, {amount / base:.0%} of the case's figure"
                if base
                else "what-if",
            }
        else:
            item["amount"] = _money(amount)
    return {f"services.{key}.set_up_costs": items} if is_moved else {}


def _severance_overrides(
    prefix: str, service: Service, factor: float, read: _Reader
) -> dict[str, Any]:
    """Severance stated as a figure, scaled by ``factor`` (declared paths
    replacing the figures first) [GBP]; none for severance from the staff table."""
    severance = service.severance
    if not severance.has_flat_cost():
        return {}
    out: dict[str, Any] = {}
    declared_pay = read.declared(f"{prefix}.severance.redundancy_pay")
    pay = severance.flat_redundancy_pay()
    new_pay = float(pay if declared_pay is None else declared_pay) * factor
    if _is_moved(new_pay, pay):
        if severance.headcount:  # headcount x average cost: the average moves
            average = new_pay / severance.headcount
            out[f"{prefix}.severance.average_cost"] = _money(average)
        elif severance.headcount is None:
            out[f"{prefix}.severance.redundancy_pay"] = _money(new_pay)
    declared_strain = read.declared(f"{prefix}.severance.pension_strain")
    strain = severance.pension_strain.value
    new_strain = float(strain if declared_strain is None else declared_strain) * factor
    if _is_moved(new_strain, strain):
        out[f"{prefix}.severance.pension_strain"] = _money(new_strain)
    return out


# --- the bridge from the starting option to the what-if ------------------------


def what_if_bridge(
    start: StartingPoint,
    overrides: Mapping[str, Any],
    start_figures: Mapping[str, Any],
    what_if_figures: Mapping[str, Any],
) -> Bridge:
    """The NPV bridge from the starting option to the what-if [GBP].

    The what-if's state is the option's raw dict with ``overrides`` applied
    (:func:`models.inputs.case.apply_overrides`); the differences are taken in
    the order of the overrides (:func:`models.engine.bridge.differences`) and
    attributed one at a time by :func:`models.engine.bridge.bridge`, as
    ``sharedcase diff`` attributes those between two options.  The ends are the
    what-if's own figures (``results.json`` entries of
    :meth:`~models.engine.whatif.WhatIf.evaluate`), so the steps add up to
    ``what_if_figures["npv"] - start_figures["npv"]``.
    """
    before = start.state
    after = State(
        raw=apply_overrides(
            before.raw, dict(overrides), before.source, "options.what_if.overrides"
        ),
        source=before.source,
    )
    found = differences(
        before,
        after,
        to_overrides=overrides,
        to_where="the what-if",
        after_file=f"options.{start.option} in the case file",
        models=(start.option_case, start.option_case),
    )
    result = bridge(
        before, after, found, figures_of(start_figures), figures_of(what_if_figures)
    )
    return replace(result, order=WHAT_IF_ORDER)


def bridge_names(start: StartingPoint) -> BridgeNames:
    """How the bridge names its ends, councils and services."""
    councils, services = names_of(start.case)
    return BridgeNames(
        case_name=start.case.name,
        case_title=start.case.title,
        start=BridgeEnd(start.option, start.label, start.description),
        end=BridgeEnd(
            "what-if",
            "the what-if",
            f"{start.label} with the assumptions moved in the explorer.",
        ),
        councils=councils,
        services=services,
    )


# --- the figures shown ---------------------------------------------------------


def figures_table(
    start_label: str, start: OptionResult, what_if: OptionResult, case: Case
) -> ReportTable:
    """Key figures of the starting option and the what-if, and the change: NPV
    (financial, economic), payback year, savings in the target window against
    the target, and whether the target is met."""
    columns = {start_label: start, WHAT_IF_LABEL: what_if}
    rows: dict[str, dict[str, object]] = {}

    def row(label: str, values: dict[str, object], change: object = "") -> None:
        rows[label] = values | {"Change": change}

    def money_row(label: str, pick: Any) -> None:
        values = {name: pick(result) for name, result in columns.items()}
        row(label, values, values[WHAT_IF_LABEL] - values[start_label])

    money_row("Net present value", lambda r: r.summary.npv)
    money_row("Net present value (economic view)", lambda r: r.summary.npv_economic)
    row(
        "Payback year",
        {
            name: r.summary.payback_year or "not within the period"
            for name, r in columns.items()
        },
    )
    window = case.settings.target_window
    if window is not None and start.summary.target_window_savings is not None:
        years = f"{window.first_year} to {window.last_year}"
        money_row(f"Savings {years}", lambda r: r.summary.target_window_savings)
        if start.arrays.target is not None:
            money_row("Savings target", lambda r: r.arrays.target)
            row(
                "Target met",
                {
                    name: "yes"
                    if r.summary.target_window_savings >= r.arrays.target
                    else "no"
                    for name, r in columns.items()
                },
            )
    names = [start_label, WHAT_IF_LABEL, "Change"]
    table = pd.DataFrame.from_dict(rows, orient="index", dtype=object)[names]
    return ReportTable(
        key="what-if-figures",
        title="Key figures: the starting option and the what-if",
        table=table,
        text_columns=tuple(names),
        note="Net present value at the case's discount rate; the economic view "
        "leaves out redundancy pay and pension strain (transfers).",
        index_label="Figure",
    )


def council_table(
    start_label: str, start: OptionResult, what_if: OptionResult, case: Case
) -> ReportTable:
    """Each council's NPV under the starting option and the what-if, and the
    change [GBP]; the councils add up to the partnership."""
    names = council_names(case)
    total = "All councils"
    start_npv = {names.get(c, c): s.npv for c, s in start.councils.items()}
    what_if_npv = {names.get(c, c): s.npv for c, s in what_if.councils.items()}
    table = pd.DataFrame(
        {start_label: start_npv, WHAT_IF_LABEL: what_if_npv}, dtype=float
    ).fillna(0.0)
    table.loc[total] = [start.summary.npv, what_if.summary.npv]
    table["Change"] = table[WHAT_IF_LABEL] - table[start_label]
    return ReportTable(
        key="what-if-councils",
        title="Net present value by council",
        table=table,
        row_total=total,
        index_label="Council",
    )


def cumulative_chart(
    start_label: str, start: OptionResult, what_if: OptionResult
) -> Chart:
    """The cumulative net saving of the what-if against the starting option."""
    chart = charts.cumulative_chart({start_label: start, WHAT_IF_LABEL: what_if})
    final = {
        name: money_k(sum(r.summary.net_savings_by_year.values()))
        for name, r in ((start_label, start), (WHAT_IF_LABEL, what_if))
    }
    return Chart(
        key="what-if-cumulative",
        title=f"Cumulative net saving: the what-if against {start_label}",
        image=chart.image,
        alt=f"Line chart of the cumulative net saving by financial year of "
        f"{start_label} (reaching {final[start_label]}) and of the what-if "
        f"(reaching {final[WHAT_IF_LABEL]}).",
    )


# --- the explorer --------------------------------------------------------------


class Explorer:
    """A what-if explorer of one option of a case: controls, figures, bridge, save.

    >>> explorer = Explorer.from_file("scenarios/bromsgrove_redditch_2011.yaml")
    >>> explorer.start.option
    'status_quo'
    >>> explorer.overrides_for({"settings.optimism_bias.savings": 0.2})
    {'settings.optimism_bias.savings': 0.2}
    """

    def __init__(self, what_if: WhatIf) -> None:
        """The explorer of ``what_if``'s option (its case's first option if None)."""
        option = what_if.option or next(iter(what_if.case.options))
        if what_if.option is None:
            what_if = WhatIf(what_if.case, option)
        self.what_if = what_if
        self.start = StartingPoint.of(what_if.case, option)
        self.controls = controls(self.start)
        self.start_result = what_if.run({})
        self.start_figures = option_json(self.start_result)
        self.values: dict[str, Any] = {}
        self.result, self.figures = self.start_result, self.start_figures
        self.overrides: dict[str, Any] = {}
        self._view: ExplorerView | None = None

    @classmethod
    def from_file(cls, case_path: str | Path, option: str | None = None) -> Explorer:
        """Read and check the case file once and start from ``option`` (the
        case's first option if None); a relative path is found as the notebooks
        find theirs (:func:`models.core.paths.resolve_input`)."""
        return cls(WhatIf.from_file(case_path, option))

    def overrides_for(self, values: Mapping[str, Any]) -> dict[str, Any]:
        """The overrides that control ``values`` make (:func:`what_if_overrides`)."""
        return what_if_overrides(self.start, self.controls, values)

    def move(self, values: Mapping[str, Any]) -> dict[str, Any]:
        """Set the controls to ``values`` (the others at their start) and evaluate
        the what-if; returns its ``results.json`` figures.  Raises
        :class:`InputError` (the what-if unchanged) for a state the case would
        refuse, e.g. a go-live beyond the horizon."""
        overrides = self.overrides_for(values)
        result = self.what_if.run(overrides)
        self.values, self.overrides = dict(values), overrides
        self.result, self.figures = result, option_json(result)
        return self.figures

    def figures_table(self) -> ReportTable:
        return figures_table(
            self.start.label, self.start_result, self.result, self.start.option_case
        )

    def council_table(self) -> ReportTable:
        return council_table(
            self.start.label, self.start_result, self.result, self.start.option_case
        )

    def chart(self) -> Chart:
        return cumulative_chart(self.start.label, self.start_result, self.result)

    def bridge(self) -> Bridge:
        """The NPV bridge from the starting option to the what-if as it stands."""
        return what_if_bridge(
            self.start, self.overrides, self.start_figures, self.figures
        )

    def bridge_html(self) -> str:
        """The bridge as HTML: a sentence, the table and the waterfall chart."""
        e = html.escape
        if not self.overrides:
            return (
                f"<p>No assumption has moved: the what-if is {e(self.start.label)}.</p>"
            )
        result = self.bridge()
        names = bridge_names(self.start)
        table = bridge_table(result, names)
        shown = list(table.display()[TOTAL])
        summary = (
            f"The net present value moves from {shown[0]} for {self.start.label} "
            f"to {shown[-1]} for the what-if, a change of "
            f"{pounds(result.total_change)}, in {len(result.steps)} "
            f"step{'s' if len(result.steps) != 1 else ''} (£'000, rounded so that "
            "the table adds up)."
        )
        return (
            f"<p>{e(summary)}</p>{table.to_html()}"
            f"{bridge_chart(result, names).to_html()}"
            f'<p class="note">{e(result.order)}</p>'
        )

    def save_option(self, name: str, title: str, description: str) -> Path:
        """Save the what-if into the case file as the option ``name``
        (:meth:`models.engine.whatif.WhatIf.save_option`); returns the file."""
        return self.what_if.save_option(name, title, description, self.overrides)

    def static_html(self) -> str:
        """The explorer as the figures stand, for a page without widgets."""
        e = html.escape
        case = self.start.case
        return (
            '<section class="what-if-explorer">'
            f"<h2>What-if explorer: {e(case.title)}</h2>"
            f"<p><strong>Starting option: {e(self.start.label)}.</strong> "
            f"{e(self.start.description)}</p>"
            "<p>The figures as the controls stand. Open this notebook in "
            "JupyterLab (<code>make lab</code>) to move the assumptions.</p>"
            f"{self.figures_table().to_html()}{self.council_table().to_html()}"
            f"{self.chart().to_html()}</section>"
        )

    @property
    def view(self) -> ExplorerView:
        """The widgets (built on first use)."""
        if self._view is None:
            self._view = ExplorerView(self)
        return self._view

    def show(self) -> None:
        """Display the explorer: the widgets in JupyterLab, the figures as HTML
        where widgets cannot be shown (papermill, an exported page)."""
        display(self)

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict:
        bundle = dict(self.view.box._repr_mimebundle_() or {})
        bundle["text/html"] = self.static_html()
        bundle["text/plain"] = repr(self.figures_table())
        return bundle

    def __repr__(self) -> str:
        return f"[what-if explorer: {self.start.case.name}, from {self.start.option}]"


# --- the widgets ---------------------------------------------------------------

STYLE = {"description_width": "15em"}
WIDE = {"width": "36em"}
"""Width of a control (a fresh layout for each widget)."""

VIEW_CSS = (
    "<style>"
    ".what-if-view table{border-collapse:collapse;margin:0.4em 0}"
    ".what-if-view th,.what-if-view td{padding:2px 8px;border-bottom:1px solid #ddd}"
    ".what-if-view th[scope=row]{text-align:left;font-weight:normal}"
    ".what-if-view td.num{text-align:right}"
    ".what-if-view caption{font-weight:bold;text-align:left}"
    ".what-if-view tr.total{font-weight:bold}"
    ".what-if-view .failed{color:#a00}"
    ".what-if-view img{max-width:100%}"
    "</style>"
)
"""The look of the explorer's tables where no report style sheet is loaded."""


def framed(body: str) -> str:
    """HTML shown in an explorer widget, in the explorer's style.

    >>> framed("<p>x</p>")
    '<div class="what-if-view"><p>x</p></div>'
    """
    return f'<div class="what-if-view">{body}</div>'


PERCENT_KINDS = ("factor", "rate")
"""Kinds of control a slider shows in per cent (a finance lead types 20 for 20%)."""


def shown_value(control: Control, value: Any) -> Any:
    """A control's value as its widget shows it: fractions in per cent.

    >>> shown_value(Control("k", "Bias", "g", "rate", 0.05), 0.2)
    20.0
    """
    if control.kind in PERCENT_KINDS:
        return round(float(value) * 100, 9)
    return value


def control_value(control: Control, shown: Any) -> Any:
    """The value a control's widget shows, as the control holds it (the
    inverse of :func:`shown_value`).

    >>> control_value(Control("k", "Bias", "g", "rate", 0.05), 20.0)
    0.2
    """
    if control.kind in PERCENT_KINDS and shown is not None:
        return round(float(shown) / 100, 9)
    return shown


def control_widget(control: Control) -> widgets.Widget:
    """The ipywidget of a control, at its starting value."""
    label = control.label
    if control.kind in PERCENT_KINDS and "%" not in label:
        label += " (%)"
    common: dict[str, Any] = {
        "description": label,
        "style": STYLE,
        "layout": WIDE,
        "tooltip": control.note or None,
    }
    if control.kind == "switch":
        return widgets.Checkbox(value=bool(control.start), indent=True, **common)
    if control.kind == "date":
        return widgets.DatePicker(value=control.start, **common)
    if control.kind == "choice":
        return widgets.Dropdown(
            options=list(control.choices), value=control.start, **common
        )
    if control.kind == "months":
        return widgets.IntSlider(
            value=int(control.start),
            min=int(control.low),
            max=int(control.high),
            step=1,
            continuous_update=False,
            **common,
        )
    step = shown_value(control, control.step)
    formats = {"number": ".2f", "money": ",.0f"}
    return widgets.FloatSlider(
        value=shown_value(control, control.start),
        min=shown_value(control, control.low),
        max=shown_value(control, control.high),
        step=step,
        readout_format=formats.get(control.kind, ".0f" if step >= 1 else ".2f"),
        continuous_update=False,
        **common,
    )


class ExplorerView:
    """The widgets of an :class:`Explorer`: controls by group, the figures, the
    council table, the chart, the bridge (worked out when its tab is open) and
    the form that saves the what-if as an option."""

    BRIDGE_TAB = 2

    def __init__(self, explorer: Explorer) -> None:
        self.explorer = explorer
        self.inputs = {key: control_widget(c) for key, c in explorer.controls.items()}
        for widget in self.inputs.values():
            widget.observe(self._changed, names="value")
        self._holding = False
        self.message = widgets.HTML()
        self.figures = widgets.HTML()
        self.councils = widgets.HTML()
        self.chart = widgets.HTML()
        self.bridge = widgets.HTML()
        self.outputs = widgets.Tab(
            children=[self.councils, self.chart, self.bridge],
            titles=["Councils", "Savings over time", "NPV bridge"],
        )
        self.outputs.observe(self._tab_changed, names="selected_index")
        self.reset_button = widgets.Button(
            description="Back to the starting option", layout={"width": "20em"}
        )
        self.reset_button.on_click(self._reset)
        self.box = widgets.VBox(
            [
                widgets.HTML(
                    f"{VIEW_CSS}"
                    f"<h2>What-if explorer: {html.escape(explorer.start.case.title)}</h2>"
                    f"<p>Starting from <strong>{html.escape(explorer.start.label)}"
                    "</strong>. Move an assumption; the figures follow.</p>"
                ),
                self.figures,
                self.message,
                self._control_tabs(),
                self.reset_button,
                self.outputs,
                self._save_form(),
            ]
        )
        self.refresh()

    def _control_tabs(self) -> widgets.Tab:
        by_group: dict[str, list[Control]] = {g: [] for g in GROUPS}
        for control in self.explorer.controls.values():
            by_group[control.group].append(control)
        pages, titles = [], []
        for group, found in by_group.items():
            if not found:
                continue
            titles.append(group)
            about = widgets.HTML(f"<p>{html.escape(GROUPS[group])}</p>")
            if group == SERVICES:
                pages.append(widgets.VBox([about, self._services_page(found)]))
            else:
                pages.append(
                    widgets.VBox([about, *(self.inputs[c.key] for c in found)])
                )
        return widgets.Tab(children=pages, titles=titles)

    def _services_page(self, found: list[Control]) -> widgets.Accordion:
        sections: dict[str, list[widgets.Widget]] = {}
        for control in found:
            sections.setdefault(control.section, []).append(self.inputs[control.key])
        return widgets.Accordion(
            children=[widgets.VBox(v) for v in sections.values()],
            titles=list(sections),
        )

    def _save_form(self) -> widgets.VBox:
        self.name = widgets.Text(
            description="Option name",
            placeholder="e.g. cautious_savings",
            style=STYLE,
            layout=WIDE,
        )
        self.title = widgets.Text(
            description="Title",
            placeholder="a short name for the reader",
            style=STYLE,
            layout=WIDE,
        )
        self.description = widgets.Textarea(
            description="Description",
            placeholder="what the option changes, in a sentence",
            style=STYLE,
            layout=WIDE,
        )
        self.save_button = widgets.Button(
            description="Save as option", button_style="primary"
        )
        self.save_button.on_click(self._save)
        self.saved = widgets.HTML()
        return widgets.VBox(
            [
                widgets.HTML("<h3>Save the what-if as an option of the case</h3>"),
                self.name,
                self.title,
                self.description,
                self.save_button,
                self.saved,
            ]
        )

    def values(self) -> dict[str, Any]:
        """The controls' values, as the explorer takes them (fractions, not per cent)."""
        found = self.explorer.controls
        return {
            key: control_value(found[key], widget.value)
            for key, widget in self.inputs.items()
        }

    def refresh(self) -> None:
        """Evaluate the what-if as the controls stand and show it."""
        e = html.escape
        try:
            self.explorer.move(self.values())
        except InputError as exc:
            self.message.value = framed(
                f'<p class="failed"><strong>Not a valid case:</strong> {e(exc.message)}'
                " The figures below are those of the last valid what-if.</p>"
            )
            return
        self.message.value = ""
        self.figures.value = framed(self.explorer.figures_table().to_html())
        self.councils.value = framed(self.explorer.council_table().to_html())
        self.chart.value = framed(self.explorer.chart().to_html())
        self.bridge.value = framed("<p>Open this tab to work out the bridge.</p>")
        if self.outputs.selected_index == self.BRIDGE_TAB:
            self._show_bridge()

    def _show_bridge(self) -> None:
        self.bridge.value = framed("<p>Working out the bridge…</p>")
        self.bridge.value = framed(self.explorer.bridge_html())

    def _changed(self, _change: Any) -> None:
        if not self._holding:
            self.refresh()

    def _tab_changed(self, change: Any) -> None:
        if change["new"] == self.BRIDGE_TAB:
            self._show_bridge()

    def _reset(self, _button: Any) -> None:
        self._holding = True
        try:
            for key, control in self.explorer.controls.items():
                self.inputs[key].value = shown_value(control, control.start)
        finally:
            self._holding = False
        self.refresh()

    def _save(self, _button: Any) -> None:
        e = html.escape
        try:
            path = self.explorer.save_option(
                self.name.value.strip(), self.title.value, self.description.value
            )
        except InputError as exc:
            self.saved.value = framed(
                f'<p class="failed">Not saved: {e(exc.message)}</p>'
            )
            return
        self.saved.value = framed(
            f"<p>Saved as the option <strong>{e(self.name.value.strip())}</strong> "
            f"in {e(str(path))}; <code>sharedcase run</code> reports it with the "
            "others.</p>"
        )
