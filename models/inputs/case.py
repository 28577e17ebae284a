"""Case files: pydantic models of every assumption, strict loading, option overrides.

A case file (YAML, ``kind: case``) declares the partner councils, the cost-sharing
bases, the services to be shared and the appraisal settings.  Options are sparse
overrides of that baseline by dotted path (``services.hr_od.go_live``); ``*``
matches every key at one level (``services.*.enabled``).

Every number may be written bare (``330000``) or with its unit and source::

    staff: {value: 330000, unit: GBP/year, source: seed 002 para 6.2}

Loading is strict: ``yaml.safe_load`` semantics, duplicate keys rejected, unknown
or misspelt keys rejected, shares must sum to 1, dates must fall inside the
horizon, costs and savings must not be negative.  Any failure raises
:class:`~models.core.errors.InputError` naming the file and the key path.
"""

from __future__ import annotations

import copy
import datetime as dt
import difflib
import math
import warnings
from pathlib import Path
from typing import Any, Literal, get_args

from pydantic import (
    Field,
    field_validator,
    model_validator,
)

from models.core import calendar
from models.core.errors import InputError
from models.core.names import (
    RESERVED_NAMES,
    SAFE_NAME_RULE,
    identifier_problems,
    name_problem,
    words_of,
)
from models.inputs.affordability import (
    BORROWING,
    CAPITAL_RECEIPTS,
    OTHER_FUNDING_SOURCES,
    REVENUE_COST_TYPES,
    FundingOrder,
    NonCashableBenefit,
    RegradedPost,
    Reserve,
)
from models.inputs.bases import Basis
from models.inputs.pydantic_errors import CrossReferenceError
from models.inputs.quantities import (
    SHARE_TOLERANCE,
    Driver,
    Money,
    MoneyPerPerson,
    Number,
    OneOffMoney,
    Rate,
    Strict,
    WholeNumber,
)
from models.inputs.risk_register import apply_risks, load_risk_register
from models.inputs.severance import SeverancePolicy
from models.inputs.tableio import read_text_table, repeated_rows, require_columns
from models.inputs.uncertainty_spec import (
    MEGABYTE,
    UncertaintySpec,
    monte_carlo_memory_bytes,
    parameter_problems,
)
from models.reference.capital_receipts import first_year_of_flexible_use
from models.reference.optimism_bias import ProjectType, optimism_bias_uplift

SAVINGS_CATEGORIES = ("staff", "contracts", "accommodation", "ict", "other")
"""Categories of recurring savings; ``staff`` is uprated by pay inflation."""

SetupCategory = Literal[
    "ict", "accommodation", "project_team", "training", "transitional_support", "other"
]
SETUP_CATEGORIES: tuple[str, ...] = get_args(SetupCategory)
"""Categories of one-off set-up costs; the pay-related ones follow pay inflation."""

PAY_SETUP_CATEGORIES = ("project_team", "training", "transitional_support")


Problem = tuple[str, str, str | None]
"""A problem of a case: (key path, what was expected, what was found)."""


class Council(Strict):
    """A partner council, its driver data and, if it joins later, the year it joins.

    ``joins`` (a financial year like '2013/14'): before it the council's share of
    every basis naming it is 0 and the other partners' shares are scaled up so
    that each year's shares sum to 1 (models.model.sharing.basis_shares).

    ``reserves``, ``funding_order``, ``capital_receipts`` (financial year -> £)
    and ``budget_gap`` (financial year -> £) say how the council funds its share
    of one-off costs and what gap its savings help close
    (models.inputs.affordability, docs/affordability.md).
    """

    name: str
    drivers: dict[str, Driver] = Field(default_factory=dict)
    joins: str | None = None
    reserves: dict[str, Reserve] = Field(default_factory=dict)
    funding_order: FundingOrder = FundingOrder()
    capital_receipts: dict[str, Money] = Field(default_factory=dict)
    budget_gap: dict[str, Money] = Field(default_factory=dict)


class SavingsByCategory(Strict):
    """Recurring savings by category, full-year effect at base-year prices [GBP/year]."""

    staff: Money = Money(value=0)
    contracts: Money = Money(value=0)
    accommodation: Money = Money(value=0)
    ict: Money = Money(value=0)
    other: Money = Money(value=0)

    def total(self) -> float:
        return sum(getattr(self, c).value for c in SAVINGS_CATEGORIES)


class SetupCost(Strict):
    """A one-off set-up cost, falling in one year or spread by a profile.

    ``capital: true`` marks capital spending (e.g. a new ICT system), funded as
    the ``capital`` cost type (docs/affordability.md); otherwise it is revenue.
    """

    category: SetupCategory
    amount: OneOffMoney
    year: str | None = None
    profile: dict[str, Number] | None = None
    description: str | None = None
    capital: bool = False

    @model_validator(mode="after")
    def _timing(self) -> SetupCost:
        if (self.year is None) == (self.profile is None):
            raise ValueError("expected exactly one of 'year' or 'profile'")
        if self.profile is not None:
            total = sum(self.profile.values())
            if abs(total - 1.0) > SHARE_TOLERANCE:
                raise ValueError(
                    f"expected profile fractions summing to 1, found {total:g}"
                )
            if any(v < 0 for v in self.profile.values()):
                raise ValueError("expected non-negative profile fractions")
        return self

    def timing(self) -> dict[str, float]:
        """Fraction of the amount falling in each financial year."""
        return dict(self.profile) if self.profile is not None else {self.year: 1.0}


class Severance(Strict):
    """Severance cost of a service [GBP], in one of three ways.

    * a flat figure: ``redundancy_pay`` and ``pension_strain`` in ``year``;
    * the aggregate mode for early-stage cases: ``headcount x average_cost``
      counted as redundancy pay in ``year``;
    * from the case's staff-at-risk table (``staff_at_risk``), costed person by
      person under each council's ``severance_policies`` (models.model.severance); the
      cost falls in the financial year of each leaving date, or wholly in
      ``year`` if one is given, and with the council where the post was.
    """

    redundancy_pay: OneOffMoney = OneOffMoney(value=0)
    pension_strain: OneOffMoney = OneOffMoney(value=0)
    headcount: WholeNumber | None = Field(default=None, ge=0)
    average_cost: MoneyPerPerson | None = None
    year: str | None = None
    basis: str | None = None
    description: str | None = None

    @model_validator(mode="after")
    def _year_if_cost(self) -> Severance:
        if (self.headcount is None) != (self.average_cost is None):
            raise ValueError("expected both 'headcount' and 'average_cost', or neither")
        if self.headcount is not None and self.redundancy_pay.value:
            raise ValueError(
                "expected either a flat 'redundancy_pay' or 'headcount' x "
                "'average_cost', not both"
            )
        if self.year is None and (
            self.redundancy_pay.value or self.pension_strain.value or self.headcount
        ):
            raise ValueError("expected the 'year' in which the severance cost falls")
        return self

    def flat_redundancy_pay(self) -> float:
        """Redundancy pay of the flat or aggregate mode [GBP]."""
        if self.headcount is not None and self.average_cost is not None:
            return self.headcount * self.average_cost.value
        return self.redundancy_pay.value

    def has_flat_cost(self) -> bool:
        return bool(self.flat_redundancy_pay() or self.pension_strain.value)


class ServiceOptimismBias(Strict):
    """A service's project type for optimism bias on its set-up (capital) costs.

    The uplift is the Green Book supplementary guidance upper bound for the type
    and measure, reduced by ``mitigation`` (the share of the contributory risks
    managed or costed): ``upper x (1 - mitigation)`` (models.reference.optimism_bias).
    """

    project_type: ProjectType
    measure: Literal["capex", "opex"] = "capex"
    mitigation: Rate = Rate(value=0)
    source: str | None = None

    @model_validator(mode="after")
    def _has_bounds(self) -> ServiceOptimismBias:
        if (self.project_type == "outsourcing") != (self.measure == "opex"):
            raise ValueError(
                "expected measure 'opex' for outsourcing and 'capex' otherwise "
                "(Green Book supplementary guidance Table 1)"
            )
        return self

    def uplift(self) -> float:
        return float(
            optimism_bias_uplift(self.project_type, self.measure, self.mitigation.value)
        )


class Service(Strict):
    """A service to be shared: baseline, savings, timing, one-off costs, sharing."""

    name: str
    enabled: bool = True
    host: str | None = None
    description: str | None = None
    baseline_cost: dict[str, Money] = Field(default_factory=dict)
    savings: SavingsByCategory = SavingsByCategory()
    savings_by_year: dict[str, SavingsByCategory] | None = None
    go_live: dt.date | None = None
    ramp_up: list[Number] = Field(default_factory=lambda: [1.0])
    set_up_costs: list[SetupCost] = Field(default_factory=list)
    severance: Severance = Severance()
    basis: str
    savings_basis: str | None = None
    set_up_basis: str | None = None
    optimism_bias: ServiceOptimismBias | None = None
    non_cashable_benefits: list[NonCashableBenefit] = Field(default_factory=list)
    regraded_posts: list[RegradedPost] = Field(default_factory=list)

    @field_validator("ramp_up")
    @classmethod
    def _ramp(cls, v: list[float]) -> list[float]:
        if not v or any(not 0 <= x <= 1 for x in v):
            raise ValueError("expected a non-empty list of fractions between 0 and 1")
        return v

    @model_validator(mode="after")
    def _savings_mode(self) -> Service:
        if self.savings_by_year is not None:
            if self.savings.total() > 0:
                raise ValueError(
                    "expected either 'savings' (with go_live) or 'savings_by_year', not both"
                )
        elif self.savings.total() > 0 and self.go_live is None:
            raise ValueError("expected a 'go_live' date for a service with savings")
        return self


class TargetWindow(Strict):
    """The years over which the board asks for a savings total (e.g. seed 000 para 7.4)."""

    first_year: str
    last_year: str
    target: OneOffMoney | None = None


class InflationRates(Strict):
    """Annual inflation for the nominal view [/1 a year]."""

    pay: Rate = Rate(value=0)
    non_pay: Rate = Rate(value=0)
    general: Rate = Rate(value=0)


class OptimismBias(Strict):
    """Optimism bias uplift: costs are raised and savings cut by these fractions [/1]."""

    costs: Rate = Rate(value=0)
    savings: Rate = Rate(value=0)


FIRST_BASE_YEAR, LAST_BASE_YEAR = 1900, 2199
"""Range of base years accepted [calendar year in which the base year starts]."""


class Settings(Strict):
    """Appraisal settings."""

    base_year: str
    horizon_years: WholeNumber = Field(ge=1, le=200)
    price_basis: Literal["real", "nominal"] = "real"
    discount_rate: Literal["green_book"] | Rate = "green_book"
    inflation: InflationRates = InflationRates()
    optimism_bias: OptimismBias = OptimismBias()
    target_window: TargetWindow | None = None

    @field_validator("base_year")
    @classmethod
    def _fy(cls, v: str) -> str:
        start = calendar.fy_start_year(v)
        if not FIRST_BASE_YEAR <= start <= LAST_BASE_YEAR:
            # the horizon's dates and labels must stay four-digit years
            raise ValueError(
                f"expected a base year from {calendar.fy_label(FIRST_BASE_YEAR)} "
                f"to {calendar.fy_label(LAST_BASE_YEAR)}"
            )
        return v

    def years(self) -> list[str]:
        return calendar.fy_labels(self.base_year, self.horizon_years)


class Option(Strict):
    """An option: a title, a description and sparse overrides of the baseline.

    ``title`` is the short name every report shows (e.g. "Single business
    case"); the option's key (``single_business_case``) names its files only.
    It is required: :meth:`Case._option_names_name_files` refuses an option without
    one, naming it.  Citations belong in ``source``, not in the description.
    """

    title: str | None = None
    description: str
    source: str | None = None
    overrides: dict[str, Any] = Field(default_factory=dict)


class Recommendation(Strict):
    """The option the case recommends, why, and on whose authority.

    Optional: without it the comparison report says which option has the
    highest financial NPV and that the case declares no recommendation.
    """

    option: str
    reason: str
    source: str | None = None


class Case(Strict):
    """A whole case file."""

    kind: Literal["case"] = "case"
    name: str
    title: str
    description: str | None = None
    source: str | None = None
    councils: dict[str, Council]
    settings: Settings
    bases: dict[str, Basis]
    services: dict[str, Service]
    options: dict[str, Option]
    recommendation: Recommendation | None = None
    uncertainty: UncertaintySpec | None = None
    baseline_costs_file: str | None = None
    staff_at_risk: str | None = None
    staff_moving_grades: str | None = None
    risk_register: str | None = None
    severance_policies: dict[str, SeverancePolicy] = Field(default_factory=dict)
    actuals: list[str] = Field(default_factory=list)

    def input_files(self) -> list[Path]:
        """Files this case names (data tables, actuals), resolved beside the case file."""
        here = Path(getattr(self, "_source", None) or ".").parent
        names = [
            self.baseline_costs_file,
            self.staff_at_risk,
            self.staff_moving_grades,
            self.risk_register,
            *self.actuals,
        ]
        return [here / n for n in names if n]

    def effective_uncertainty(self) -> UncertaintySpec:
        """The uncertainty section with the risk register's linked risks applied.

        A risk linked to a parameter (``parameter``) with a ``widen`` fraction
        widens that parameter's distribution (models.inputs.risk_register.apply_risks); without
        a risk register this is the case's own section (or an empty one).
        """
        spec = self.uncertainty or UncertaintySpec()
        if not self.risk_register or self.uncertainty is None:
            return spec  # links feed a Monte Carlo only where the case declares one
        here = Path(getattr(self, "_source", None) or ".").parent
        path = here / self.risk_register
        return apply_risks(spec, load_risk_register(path), source=path)

    def actuals_files(self) -> list[Path]:
        """The actuals files this case lists, resolved beside the case file."""
        here = Path(getattr(self, "_source", None) or ".").parent
        return [here / n for n in self.actuals]

    @field_validator("name")
    @classmethod
    def _name_names_a_folder(cls, name: str) -> str:
        found = name_problem(name)
        if found is not None:
            raise CrossReferenceError(
                [
                    (
                        "name",
                        f"a case name of {SAFE_NAME_RULE} (it names the run folder)",
                        found,
                    )
                ]
            )
        return name

    @field_validator("options")
    @classmethod
    def _option_names_name_files(cls, options: dict[str, Option]) -> dict[str, Option]:
        problems = identifier_problems("options", list(options))
        # (monitoring-<actuals>.html cannot collide: an option has no '-')
        taken = [o for o in options if o.casefold() in RESERVED_NAMES]
        if taken and not problems:
            problems = [
                (
                    f"options.{taken[0]}",
                    "option names other than those of the run's own files ("
                    + ", ".join(sorted(RESERVED_NAMES))
                    + ", in any case)",
                    ", ".join(repr(o) for o in taken),
                )
            ]
        if problems:
            raise CrossReferenceError(problems)
        untitled = [
            (
                f"options.{o}.title",
                f"a title for option '{o}', the name the reports show "
                f"(e.g. title: {words_of(o)})",
                "no title",
            )
            for o, option in options.items()
            if not (option.title or "").strip()
        ]
        if untitled:
            raise CrossReferenceError(untitled)
        return options

    @model_validator(mode="before")
    @classmethod
    def _affordability_of_unknown_council(cls, data: Any) -> Any:
        """A council block with reserves, a budget gap or a funding order but no
        name is almost always a misspelt council id: say so, not 'name missing'."""
        councils = data.get("councils") if isinstance(data, dict) else None
        if not isinstance(councils, dict):
            return data
        named = [c for c, v in councils.items() if isinstance(v, dict) and "name" in v]
        problems = [
            (
                f"councils.{council}.{key}",
                f"reserves, funding and budget gap of a council of the case "
                f"({', '.join(str(c) for c in named)})",
                f"{key} for the unknown council {council!r}",
            )
            for council, block in councils.items()
            if isinstance(block, dict) and "name" not in block
            for key in ("reserves", "funding_order", "capital_receipts", "budget_gap")
            if key in block
        ]
        if problems:
            raise CrossReferenceError(problems[:1])
        return data

    @field_validator("councils", "services", "bases")
    @classmethod
    def _ids_keep_the_rule(cls, entries: dict[str, Any], info: Any) -> dict[str, Any]:
        problems = identifier_problems(info.field_name, list(entries))
        if problems:
            raise CrossReferenceError(problems)
        return entries

    @model_validator(mode="after")
    def _cross_references(self) -> Case:
        problems = _cross_reference_problems(self)
        if problems:
            raise CrossReferenceError(problems)
        return self

    @field_validator("options")
    @classmethod
    def _at_least_one_option(cls, options: dict[str, Option]) -> dict[str, Option]:
        """A run computes and compares options: a case without one has nothing
        to run (and would give an empty comparison)."""
        if not options:
            raise CrossReferenceError(
                [
                    (
                        "options",
                        "at least one option (an option with no overrides is "
                        "the case as written)",
                        "none",
                    )
                ]
            )
        return options


def _cross_reference_problems(case: Case) -> list[tuple[str, str, str | None]]:
    """Checks that need the whole case: names that refer to other keys, dates in horizon.

    Each problem is (key path, what was expected, what was found), in the order
    of the file: joining years, bases, services, uncertainty, target window.
    """
    out = [
        problem
        for name, council in case.councils.items()
        for problem in _year_problems(case, f"councils.{name}.joins", council.joins)
    ]
    out += _bases_problems(case)
    for name, council in case.councils.items():
        out += _affordability_problems(case, f"councils.{name}", council)
    for name, service in case.services.items():
        out += _service_problems(case, f"services.{name}", service)
        out += _regrading_problems(case, f"services.{name}", service)
    if case.uncertainty is not None:
        out += parameter_problems(
            case.uncertainty,
            {s: len(v.set_up_costs) for s, v in case.services.items()},
        )
        out += _monte_carlo_memory_problems(case)
    out += _target_window_problems(case)
    if case.recommendation and case.recommendation.option not in case.options:
        out.append(
            (
                "recommendation.option",
                "one of the case's options (" + ", ".join(case.options) + ")",
                repr(case.recommendation.option),
            )
        )
    return out


def _monte_carlo_memory_problems(case: Case) -> list[Problem]:
    """The Monte Carlo must fit in ``uncertainty.memory_limit_mb``
    (:func:`~models.inputs.uncertainty_spec.monte_carlo_memory_bytes`), so that a
    valid case cannot run out of memory half way through a run."""
    spec = case.uncertainty
    if spec is None or not spec.parameters:
        return []
    needed = monte_carlo_memory_bytes(
        draws=spec.draws,
        horizon_years=case.settings.horizon_years,
        parameters=len(spec.parameters),
        services=len(case.services),
        councils=len(case.councils),
        options=max(len(case.options), 1),
    )
    if needed <= spec.memory_limit_mb * MEGABYTE:
        return []
    return [
        (
            "uncertainty.draws",
            f"a Monte Carlo that fits in {spec.memory_limit_mb:,} MB (fewer draws, "
            "or raise uncertainty.memory_limit_mb if the machine has the memory)",
            f"{spec.draws:,} draws needing about {needed / MEGABYTE:,.0f} MB for "
            f"{len(spec.parameters)} parameters, {len(case.options)} options and "
            f"{case.settings.horizon_years} years",
        )
    ]


def _year_problems(case: Case, where: str, fy: str | None) -> list[Problem]:
    """A financial year the case names must be one, inside the horizon."""
    if fy is None:
        return []
    years = case.settings.years()
    try:
        calendar.fy_start_year(fy)
    except ValueError as exc:
        expected = str(exc).removeprefix("expected ").split(", found ")[0]
        return [(where, expected, repr(fy))]
    if fy not in years:
        inside = f"a financial year inside the horizon {years[0]} to {years[-1]}"
        return [(where, inside, repr(fy))]
    return []


def _service_problems(case: Case, where: str, service: Service) -> list[Problem]:
    """A service's host, bases and councils exist; its dates are inside the
    horizon; its savings are no larger than its baseline cost."""
    out: list[Problem] = []
    councils = set(case.councils)
    known_councils = f"a council of the case ({', '.join(sorted(councils))})"
    known_bases = f"a basis defined under 'bases' ({', '.join(sorted(case.bases))})"
    if service.host is not None and service.host not in councils:
        out.append((f"{where}.host", known_councils, repr(service.host)))
    for key in ("basis", "savings_basis", "set_up_basis"):
        basis = getattr(service, key)
        if basis is not None and basis not in case.bases:
            out.append((f"{where}.{key}", known_bases, repr(basis)))
    basis = service.severance.basis
    if basis is not None and basis not in case.bases:
        out.append((f"{where}.severance.basis", known_bases, repr(basis)))
    for council in service.baseline_cost:
        if council not in councils:
            out.append(
                (f"{where}.baseline_cost.{council}", known_councils, repr(council))
            )
    years = case.settings.years()
    start = dt.date(calendar.fy_start_year(years[0]), 4, 1)
    end = dt.date(calendar.fy_start_year(years[-1]) + 1, 3, 31)
    if service.go_live is not None and not start <= service.go_live <= end:
        inside = f"a date inside the horizon {start} to {end}"
        out.append((f"{where}.go_live", inside, str(service.go_live)))
    baseline = sum(q.value for q in service.baseline_cost.values())
    if service.baseline_cost and service.savings.total() > baseline:
        out.append(
            (
                f"{where}.savings",
                f"annual savings no larger than the baseline cost (£{baseline:,.0f})",
                f"£{service.savings.total():,.0f}",
            )
        )
    for i, item in enumerate(service.set_up_costs):
        for fy in item.timing():
            key = "year" if item.year else f"profile.{fy}"
            out += _year_problems(case, f"{where}.set_up_costs[{i}].{key}", fy)
    out += _year_problems(case, f"{where}.severance.year", service.severance.year)
    for fy in service.savings_by_year or {}:
        out += _year_problems(case, f"{where}.savings_by_year.{fy}", fy)
    return out


def _affordability_problems(case: Case, where: str, council: Council) -> list[Problem]:
    """A council's reserves, funding order, capital receipts and budget gap:
    years inside the horizon; every source named exists; borrowing for capital
    costs only; capital receipts for revenue costs only in years the
    flexible-use direction covers (models.reference.capital_receipts)."""
    out: list[Problem] = []
    for name, reserve in council.reserves.items():
        if name in OTHER_FUNDING_SOURCES:
            out.append(
                (
                    f"{where}.reserves.{name}",
                    "a reserve name other than " + ", ".join(OTHER_FUNDING_SOURCES),
                    repr(name),
                )
            )
        out += _year_problems(case, f"{where}.reserves.{name}.at", reserve.at)
    known = sorted(council.reserves) + list(OTHER_FUNDING_SOURCES)
    orders = council.funding_order.by_cost_type()
    for cost_type, sources in orders.items():
        for i, source in enumerate(sources):
            key = f"{where}.funding_order.{cost_type}[{i}]"
            if source not in known:
                out.append(
                    (
                        key,
                        "a reserve of the council or a funding source ("
                        + ", ".join(known)
                        + ")",
                        repr(source),
                    )
                )
            elif source == BORROWING and cost_type != "capital":
                out.append((key, "borrowing for capital costs only", repr(source)))
    for fy in council.capital_receipts:
        out += _year_problems(case, f"{where}.capital_receipts.{fy}", fy)
    revenue_users = [t for t in REVENUE_COST_TYPES if CAPITAL_RECEIPTS in orders[t]]
    if revenue_users and CAPITAL_RECEIPTS not in orders["capital"]:
        first = first_year_of_flexible_use()
        for fy in council.capital_receipts:
            if fy in case.settings.years() and calendar.fy_start_year(fy) < first:
                out.append(
                    (
                        f"{where}.capital_receipts.{fy}",
                        "capital receipts for revenue costs ("
                        + ", ".join(revenue_users)
                        + ") only in years the flexible-use direction covers "
                        f"({calendar.fy_label(first)} onward, Local Government "
                        "Act 2003 s.16(2)(b))",
                        repr(fy),
                    )
                )
    for fy in council.budget_gap:
        out += _year_problems(case, f"{where}.budget_gap.{fy}", fy)
    return out


def _regrading_problems(case: Case, where: str, service: Service) -> list[Problem]:
    """Posts moving grades: a council of the case employs each, its year is
    inside the horizon, and a pay cut needs that council's pay protection
    policy (severance_policies.<council>.pay_protection)."""
    out: list[Problem] = []
    known = f"a council of the case ({', '.join(sorted(case.councils))})"
    for i, post in enumerate(service.regraded_posts):
        key = f"{where}.regraded_posts[{i}]"
        if post.council not in case.councils:
            out.append((f"{key}.council", known, repr(post.council)))
            continue
        out += _year_problems(case, f"{key}.year", post.year)
        policy = case.severance_policies.get(
            post.council, case.severance_policies.get("default")
        )
        is_cut = post.new_annual_pay.value < post.current_annual_pay.value
        if is_cut and (policy is None or policy.pay_protection is None):
            out.append(
                (
                    f"severance_policies.{post.council}.pay_protection",
                    f"a pay protection policy of the council employing "
                    f"'{post.post}' ({key}), whose pay falls",
                    "none",
                )
            )
    for i, benefit in enumerate(service.non_cashable_benefits):
        out += _year_problems(
            case, f"{where}.non_cashable_benefits[{i}].from_year", benefit.from_year
        )
    return out


def _target_window_problems(case: Case) -> list[Problem]:
    """The savings target's window: two years of the horizon, in order."""
    window = case.settings.target_window
    if window is None:
        return []
    where = "settings.target_window"
    out = _year_problems(case, f"{where}.first_year", window.first_year)
    out += _year_problems(case, f"{where}.last_year", window.last_year)
    years = case.settings.years()
    if window.first_year in years and window.last_year in years:
        if years.index(window.last_year) < years.index(window.first_year):
            out.append(
                (
                    f"{where}.last_year",
                    f"a year no earlier than first_year ({window.first_year})",
                    repr(window.last_year),
                )
            )
    return out


# --------------------------------------------------------------------------- loading


def _bases_problems(case: Case) -> list[Problem]:
    """Checks of the cost-sharing bases and joining years (models.inputs.bases).

    Shares sum to 1; partners are councils of the case; every partner of a driver
    or hybrid basis has the driver; some partner carries the basis in every year.
    A basis no service names is a warning.  (Joining years are checked with the
    other years of the case.)
    """
    out: list[tuple[str, str, str | None]] = []
    councils = list(case.councils)
    known = f"a council of the case ({', '.join(sorted(councils))})"
    years = case.settings.years()
    users: dict[str, list[str]] = {b: [] for b in case.bases}
    for sname, svc in case.services.items():
        for b in (svc.basis, svc.savings_basis, svc.set_up_basis, svc.severance.basis):
            if b in users and sname not in users[b]:
                users[b].append(sname)
    for bname, basis in case.bases.items():
        p = f"bases.{bname}"
        used_by = f" (basis '{bname}'" + (
            f", used by {', '.join(users[bname])})" if users[bname] else ")"
        )
        if not users[bname]:
            warnings.warn(
                f"{p}: no service uses this basis (a warning, not an error)",
                UserWarning,
                stacklevel=2,
            )
        if basis.type in ("fixed", "hybrid"):
            for council in basis.shares:
                if council not in case.councils:
                    out.append((f"{p}.shares.{council}", known, repr(council)))
            total = basis.share_total()
            if abs(total - 1.0) > SHARE_TOLERANCE:
                out.append((f"{p}.shares", "shares that sum to 1", f"{total:g}"))
        if basis.type == "hybrid":
            weights = basis.fixed_weight.value + basis.driver_weight.value
            if abs(weights - 1.0) > SHARE_TOLERANCE:
                out.append(
                    (
                        f"{p}.driver_weight",
                        "fixed_weight + driver_weight = 1",
                        f"{basis.fixed_weight.value:g} + "
                        f"{basis.driver_weight.value:g} = {weights:g}",
                    )
                )
        if basis.type == "driver" and basis.councils is not None:
            for i, council in enumerate(basis.councils):
                if council not in case.councils:
                    out.append((f"{p}.councils[{i}]", known, repr(council)))
        partners = [c for c in basis.partners(councils) if c in case.councils]
        if basis.type in ("driver", "hybrid"):
            for council in partners:
                if basis.driver not in case.councils[council].drivers:
                    out.append(
                        (
                            f"councils.{council}.drivers.{basis.driver}",
                            f"a value of the driver '{basis.driver}' for every "
                            f"partner{used_by}",
                            "it is missing",
                        )
                    )
        joins = [case.councils[c].joins for c in partners]
        starts = [years.index(j) if j in years else 0 for j in joins]
        if partners and min(starts) > 0:
            out.append(
                (
                    p,
                    f"a partner in every year of the horizon{used_by}",
                    f"none before {years[min(starts)]}",
                )
            )
        elif not out and all(
            c.joins is None or c.joins in years for c in case.councils.values()
        ):
            empty = _year_without_partner_weight(case, basis, years)
            if empty is not None:  # a zero share or driver for every partner present
                out.append(
                    (
                        p,
                        "a partner with a positive share or driver value in every "
                        "year" + used_by,
                        f"none in {empty}",
                    )
                )
    return out


def _year_without_partner_weight(
    case: Case, basis: Any, years: list[str]
) -> str | None:
    """The first year in which no partner present has a positive weight, or None.

    A fixed part weighs each council by its share, a driver part each partner by
    its driver value; a part that counts (weight > 0) needs some council present
    that year (``councils.<id>.joins``) with a positive weight, or no share can be
    worked out (models.model.sharing.basis_shares raises the same).
    """
    partners = set(basis.partners(list(case.councils)))

    def fixed(council: str) -> float:
        return basis.shares[council].value if council in basis.shares else 0.0

    def driver(council: str) -> float:
        drivers = case.councils[council].drivers
        return drivers[basis.driver].value if council in partners else 0.0

    council_weight = {"shares": fixed, "driver": driver}
    parts = [(weight, council_weight[kind]) for weight, kind in basis.parts()]
    joined = {
        c: years.index(council.joins) if council.joins else 0
        for c, council in case.councils.items()
    }
    for weight, council_weight in parts:
        for t, year in enumerate(years):
            present = [c for c in case.councils if joined[c] <= t]
            if weight > 0 and sum(council_weight(c) for c in present) == 0:
                return year
    return None


BASELINE_COLUMNS = ("service", "council", "baseline_cost")


def merge_baseline_costs(raw: dict, path: Path) -> dict:
    """Merge a table of baseline costs (service, council, baseline_cost[, unit, source])
    into ``services.<service>.baseline_cost.<council>``.

    Row numbers in messages count data rows from 1 (the header is row 0).
    """
    table = read_text_table(path, "baseline cost table")
    require_columns(table, path, BASELINE_COLUMNS)
    for first, repeat in repeated_rows(table, ["service", "council"]):
        raise InputError(
            path,
            f"row {repeat}",
            "each service and council once",
            f"a second row for service {table['service'].iloc[repeat - 1]!r} and "
            f"council {table['council'].iloc[repeat - 1]!r} (the first is row "
            f"{first})",
        )
    out = copy.deepcopy(raw)
    services = out.get("services") or {}
    if not isinstance(services, dict):
        return out  # the schema reports 'services' itself
    for i, row in enumerate(table.to_dict("records"), start=1):
        svc, council = str(row["service"]).strip(), str(row["council"]).strip()
        if svc not in services:
            raise InputError(
                path,
                f"row {i}, column service",
                f"a service of the case ({', '.join(services)})",
                repr(svc),
            )
        try:
            value = float(str(row["baseline_cost"]).replace(",", ""))
            if not math.isfinite(value):  # float() reads 'nan' and 'inf'
                raise ValueError(value)
        except ValueError:
            raise InputError(
                path,
                f"row {i}, column baseline_cost",
                "a number of pounds",
                repr(row["baseline_cost"]),
            ) from None
        if value < 0:
            raise InputError(
                path,
                f"row {i}, column baseline_cost",
                "a non-negative amount of money",
                repr(value),
            )
        entry = {"value": value, "unit": str(row.get("unit") or "GBP/year")}
        src = row.get("source")
        entry["source"] = (
            str(src) if isinstance(src, str) and src else f"{path.name} row {i}"
        )
        if not isinstance(services[svc], dict):
            continue  # the schema reports the service itself
        costs = services[svc].setdefault("baseline_cost", {})
        if isinstance(costs, dict):
            costs[council] = entry
    return out


def apply_overrides(
    raw: dict, overrides: dict[str, Any], source: Any, where: str
) -> dict:
    """Return a deep copy of ``raw`` with each dotted-path override applied.

    ``*`` matches every key at that level.  A path that does not exist in the
    baseline is an error (it is almost always a misspelling).  Overriding a
    ``{value, unit, source}`` quantity with a bare number keeps its unit and
    replaces its value and source.

    >>> apply_overrides({"a": {"b": 1, "c": 2}}, {"a.*": 0}, None, "x")
    {'a': {'b': 0, 'c': 0}}
    """
    out = copy.deepcopy(raw)
    for dotted, value in overrides.items():
        parts = str(dotted).split(".")
        targets = [(out, [])]
        for depth, part in enumerate(parts):
            last = depth == len(parts) - 1
            nxt = []
            for node, trail in targets:
                if not isinstance(node, dict):
                    raise InputError(
                        source,
                        f"{where}.{dotted}",
                        "a path into the baseline case",
                        f"'{'.'.join(trail)}' is not a mapping",
                    )
                keys = list(node) if part == "*" else [part]
                for key in keys:
                    if key not in node:
                        if (
                            last
                            and part != "*"
                            and isinstance(node, dict)
                            and _optional_key_ok(trail)
                        ):
                            node[key] = copy.deepcopy(value)
                            continue
                        hint = difflib.get_close_matches(
                            key, [str(k) for k in node], n=1
                        )
                        raise InputError(
                            source,
                            f"{where}.{dotted}",
                            "a path that exists in the baseline case"
                            + (
                                f" (did you mean '{'.'.join([*trail, hint[0]])}'?)"
                                if hint
                                else ""
                            ),
                            f"no key '{key}' under '{'.'.join(trail) or 'top level'}'",
                        )
                    if last:
                        node[key] = _override_value(node[key], value, where)
                    else:
                        nxt.append((node[key], [*trail, str(key)]))
            targets = nxt
    return out


def _optional_key_ok(trail: list[str]) -> bool:
    """Overrides may add optional keys inside a service (e.g. a go_live not yet set)."""
    return len(trail) >= 2 and trail[0] in ("services", "settings", "councils", "bases")


def _override_value(old: Any, new: Any, where: str) -> Any:
    if (
        isinstance(old, dict)
        and "value" in old
        and isinstance(new, int | float)
        and not isinstance(new, bool)
    ):
        kept = dict(old)
        kept["value"] = new
        kept["source"] = f"override in {where}"
        return kept
    return copy.deepcopy(new)


# --------------------------------------------------------------------------- severance
