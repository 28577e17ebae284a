"""The yearly model of one option: compile a case option to arrays, project, tabulate.

``compile_option`` turns a validated case option into plain numpy arrays
(services x categories x years).  ``project`` is a pure function of those arrays
and broadcasts over any leading axes, so the uncertainty module can evaluate
many draws at once.  ``long_table`` presents the result in the one long format
used everywhere else: (option, service, council, line_item, financial_year,
value, unit), with ``|``-separated line items.  Net savings, discounting, NPV and
payback are the formulas of :mod:`models.model.appraisal`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from models.core import calendar
from models.engine import cases
from models.engine.affordability import option_affordability
from models.engine.compiled import remembered
from models.inputs.case import (
    PAY_SETUP_CATEGORIES,
    SAVINGS_CATEGORIES,
    SETUP_CATEGORIES,
    Case,
    Settings,
)
from models.model import appraisal, costs, pay_protection, savings, sharing
from models.model import severance as sev

ALL = "All"
SAVINGS_LABELS = {
    "staff": "Staff",
    "contracts": "Contracts",
    "accommodation": "Accommodation",
    "ict": "ICT",
    "other": "Other",
}
PAY_HARMONISATION = "Savings|Pay harmonisation"
PAY_PROTECTION = "Costs|Set-up|Pay protection"
NON_CASHABLE = "Benefits|Non-cashable"
SETUP_LABELS = {
    "ict": "ICT",
    "accommodation": "Accommodation",
    "project_team": "Project team",
    "training": "Training",
    "transitional_support": "Transitional support",
    "other": "Other",
}


@dataclass
class OptionArrays:
    """Everything the yearly model needs, as arrays (S services, K categories, T years)."""

    option: str
    years: list[str]
    services: list[str]
    councils: list[str]
    full_year_savings: np.ndarray  # (S, K) [GBP/year], base-year prices
    realisation: np.ndarray  # (S, T) [/1] part-year x ramp-up
    explicit_savings: np.ndarray  # (S, K, T) [GBP] savings given year by year
    setup: np.ndarray  # (S, J, T) [GBP] base-year prices
    redundancy_pay: np.ndarray  # (S, T) [GBP] base-year prices
    pension_strain: np.ndarray  # (S, T) [GBP] base-year prices, estimated strain
    quoted_pension_strain: np.ndarray  # (S, T) [GBP] base-year prices, fund quotes
    pay_index: np.ndarray  # (T,)
    non_pay_index: np.ndarray  # (T,)
    optimism_bias_costs: np.ndarray  # (..., S) uplift of set-up costs [/1]
    optimism_bias_severance: np.ndarray  # (..., S) uplift of severance [/1]
    optimism_bias_savings: np.ndarray  # (..., S) cut of savings [/1]
    discount_factor: np.ndarray  # (T,)
    savings_shares: np.ndarray  # (S, C, T)
    setup_shares: np.ndarray  # (S, C, T)
    severance_shares: np.ndarray  # (S, C, T) of redundancy pay
    strain_shares: np.ndarray | None = (
        None  # (S, C, T) of estimated pension strain; None: as above
    )
    quoted_strain_shares: np.ndarray | None = (
        None  # (S, C, T) of quoted pension strain; None: as above
    )
    target_window: tuple[int, int] | None = None
    target: float | None = None
    capital_fraction: np.ndarray | None = None  # (S, J, T) [/1] of set-up, capital
    pay_protection: np.ndarray | None = None  # (S, C, T) [GBP] base-year prices
    pay_harmonisation: np.ndarray | None = None  # (S, C, T) [GBP] base-year prices
    non_cashable_benefits: np.ndarray | None = None  # (S, T) [GBP] base-year prices
    extras: dict = field(default_factory=dict)

    def _zeros(self, *shape: int) -> np.ndarray:
        return np.zeros(shape)

    @property
    def capital_fraction_or_zero(self) -> np.ndarray:
        """Fraction (S, J, T) [/1] of each set-up line that is capital (0 if none)."""
        if self.capital_fraction is not None:
            return self.capital_fraction
        return np.zeros_like(self.setup)

    @property
    def pay_protection_or_zero(self) -> np.ndarray:
        """Pay protection (S, C, T) [GBP] at base-year prices, by employing council."""
        if self.pay_protection is not None:
            return self.pay_protection
        return self._zeros(len(self.services), len(self.councils), len(self.years))

    @property
    def pay_harmonisation_or_zero(self) -> np.ndarray:
        """Pay harmonisation (S, C, T) [GBP] at base-year prices, by employing
        council."""
        if self.pay_harmonisation is not None:
            return self.pay_harmonisation
        return self._zeros(len(self.services), len(self.councils), len(self.years))

    @property
    def non_cashable_or_zero(self) -> np.ndarray:
        """Non-cashable benefits (S, T) [GBP] at base-year prices."""
        if self.non_cashable_benefits is not None:
            return self.non_cashable_benefits
        return self._zeros(len(self.services), len(self.years))

    @property
    def pension_strain_shares(self) -> np.ndarray:
        """Council shares (S, C, T) [/1] of the estimated pension strain:
        ``strain_shares``, or those of redundancy pay where it is None."""
        if self.strain_shares is not None:
            return self.strain_shares
        return self.severance_shares

    @property
    def quoted_pension_strain_shares(self) -> np.ndarray:
        """Council shares (S, C, T) [/1] of the quoted pension strain:
        ``quoted_strain_shares``, or those of the estimated strain where it is
        None."""
        if self.quoted_strain_shares is not None:
            return self.quoted_strain_shares
        return self.pension_strain_shares

    def replaced(self, **changes) -> OptionArrays:
        """A copy with the named fields replaced (``dataclasses.replace``)."""
        return replace(self, **changes)


def compile_option(case: Case, option: str) -> OptionArrays:
    """Turn one option of a case into arrays (see :class:`OptionArrays`); once
    only for the same case and option inside
    :func:`models.engine.compiled.compiled_once` (read-only arrays)."""
    return remembered("arrays", case, option, lambda: _compile_option(case, option))


def _compile_option(case: Case, option: str) -> OptionArrays:
    option_case = cases.option_case(case, option)
    settings = option_case.settings
    years = settings.years()
    horizon = len(years)
    services = [
        name for name, service in option_case.services.items() if service.enabled
    ]
    councils = list(option_case.councils)
    full_year, realisation, explicit = _savings_arrays(option_case, services, horizon)
    savings_shares, setup_shares = _savings_and_setup_shares(
        option_case, services, councils, horizon
    )
    severance = _severance_arrays(option_case, services, councils, horizon)
    pay_index, non_pay_index = _inflation_indices(settings, horizon)
    real_rates = appraisal.discount_rates(settings.discount_rate, horizon)
    window, target = _target_window(settings)
    protection, harmonisation = _pay_change_arrays(
        option_case, services, councils, horizon
    )
    return OptionArrays(
        option=option,
        years=years,
        services=services,
        councils=councils,
        full_year_savings=full_year,
        realisation=realisation,
        explicit_savings=explicit,
        setup=_setup_array(option_case, services, horizon),
        redundancy_pay=severance.redundancy_pay,
        pension_strain=severance.pension_strain,
        quoted_pension_strain=severance.quoted_pension_strain,
        pay_index=pay_index,
        non_pay_index=non_pay_index,
        optimism_bias_costs=_set_up_cost_bias(option_case, services),
        optimism_bias_severance=np.full(
            len(services), settings.optimism_bias.costs.value
        ),
        optimism_bias_savings=np.full(
            len(services), settings.optimism_bias.savings.value
        ),
        discount_factor=appraisal.discount_factors(
            real_rates, general_inflation(settings)
        ),
        savings_shares=savings_shares,
        setup_shares=setup_shares,
        severance_shares=severance.redundancy_shares,
        strain_shares=severance.strain_shares,
        quoted_strain_shares=severance.quoted_strain_shares,
        target_window=window,
        target=target,
        capital_fraction=_capital_fraction(option_case, services, horizon),
        pay_protection=protection,
        pay_harmonisation=harmonisation,
        non_cashable_benefits=_non_cashable_array(option_case, services, realisation),
    )


def _capital_fraction(
    option_case: Case, services: list[str], horizon: int
) -> np.ndarray:
    """Fraction of each set-up line (S, J, T) [/1] that is capital spending
    (items marked ``capital: true``); the rest is revenue."""
    capital = np.zeros((len(services), len(SETUP_CATEGORIES), horizon))
    total = np.zeros_like(capital)
    for i, j, item, profile in _setup_items(option_case, services, horizon):
        total[i, j] += profile
        if item.capital:
            capital[i, j] += profile
    return np.divide(capital, total, out=np.zeros_like(total), where=total > 0)


def _pay_change_arrays(
    option_case: Case, services: list[str], councils: list[str], horizon: int
) -> tuple[np.ndarray, np.ndarray]:
    """Pay protection and pay harmonisation (S, C, T) [GBP] at base-year prices
    of the posts moving onto new grades, by employing council
    (:mod:`models.model.pay_protection`); the taper is the employing council's
    ``severance_policies.<council>.pay_protection`` (else ``default``)."""
    protection = np.zeros((len(services), len(councils), horizon))
    harmonisation = np.zeros_like(protection)
    base_year = option_case.settings.base_year
    policies = option_case.severance_policies
    for i, name in enumerate(services):
        posts = option_case.services[name].regraded_posts
        if not posts:
            continue
        tapers = []
        for post in posts:
            policy = policies.get(post.council, policies.get("default"))
            rules = policy.pay_protection if policy is not None else None
            tapers.append(list(rules.taper) if rules is not None else [])
        width = max(1, max(len(t) for t in tapers))
        taper = np.array([t + [0.0] * (width - len(t)) for t in tapers])
        current = np.array([p.current_annual_pay.value for p in posts])
        new = np.array([p.new_annual_pay.value for p in posts])
        moves = np.array([calendar.fy_index(p.year, base_year) for p in posts])
        employer = np.array([councils.index(p.council) for p in posts])
        np.add.at(
            protection[i],
            employer,
            pay_protection.pay_protection_cost(current, new, moves, taper, horizon),
        )
        np.add.at(
            harmonisation[i],
            employer,
            pay_protection.pay_harmonisation_cost(current, new, moves, horizon),
        )
    return protection, harmonisation


def _non_cashable_array(
    option_case: Case, services: list[str], realisation: np.ndarray
) -> np.ndarray:
    """Non-cashable benefits (S, T) [GBP] at base-year prices: the full amount
    from ``from_year`` on, else following the service's go-live and ramp-up
    (its realisation, as its savings)."""
    horizon = realisation.shape[-1]
    out = np.zeros((len(services), horizon))
    base_year = option_case.settings.base_year
    for i, name in enumerate(services):
        for benefit in option_case.services[name].non_cashable_benefits:
            if benefit.from_year is not None:
                start = calendar.fy_index(benefit.from_year, base_year)
                out[i] += benefit.amount.value * (np.arange(horizon) >= start)
            else:
                out[i] += benefit.amount.value * realisation[i]
    return out


def _savings_arrays(
    option_case: Case, services: list[str], horizon: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Full-year savings (S, K) [GBP/year], their realisation (S, T) [/1] and the
    savings given year by year (S, K, T) [GBP], at base-year prices."""
    base_year = option_case.settings.base_year
    full_year = np.zeros((len(services), len(SAVINGS_CATEGORIES)))
    realisation = np.zeros((len(services), horizon))
    explicit = np.zeros((len(services), len(SAVINGS_CATEGORIES), horizon))
    for i, name in enumerate(services):
        service = option_case.services[name]
        if service.savings_by_year is not None:
            for year, by_category in service.savings_by_year.items():
                t = calendar.fy_index(year, base_year)
                for k, category in enumerate(SAVINGS_CATEGORIES):
                    explicit[i, k, t] += getattr(by_category, category).value
        else:
            for k, category in enumerate(SAVINGS_CATEGORIES):
                full_year[i, k] = getattr(service.savings, category).value
            if service.go_live is not None:
                month = calendar.month_index(service.go_live, base_year)
                realisation[i] = savings.realisation_factor(
                    month, service.ramp_up, horizon
                )
    return full_year, realisation, explicit


def _setup_items(
    option_case: Case, services: list[str], horizon: int
) -> Iterator[tuple[int, int, Any, np.ndarray]]:
    """Each set-up cost item as (service index, category index, item, profile),
    its profile (T) [GBP] at base-year prices spread over the years of its
    timing."""
    base_year = option_case.settings.base_year
    for i, name in enumerate(services):
        for item in option_case.services[name].set_up_costs:
            j = SETUP_CATEGORIES.index(item.category)
            timing = {
                calendar.fy_index(year, base_year): fraction
                for year, fraction in item.timing().items()
            }
            yield (
                i,
                j,
                item,
                costs.one_off_cost_profile(item.amount.value, timing, horizon),
            )


def _setup_array(option_case: Case, services: list[str], horizon: int) -> np.ndarray:
    """Set-up costs (S, J, T) [GBP] at base-year prices, each item spread over the
    years of its timing."""
    setup = np.zeros((len(services), len(SETUP_CATEGORIES), horizon))
    for i, j, _, profile in _setup_items(option_case, services, horizon):
        setup[i, j] += profile
    return setup


def _savings_and_setup_shares(
    option_case: Case, services: list[str], councils: list[str], horizon: int
) -> tuple[np.ndarray, np.ndarray]:
    """Council shares (S, C, T) [/1] of each service's savings and set-up costs,
    on the service's savings and set-up bases (else its basis)."""
    savings_shares = np.zeros((len(services), len(councils), horizon))
    setup_shares = np.zeros_like(savings_shares)
    for i, name in enumerate(services):
        service = option_case.services[name]
        savings_shares[i] = sharing.basis_shares(
            option_case, service.savings_basis or service.basis, councils, horizon
        )
        setup_shares[i] = sharing.basis_shares(
            option_case, service.set_up_basis or service.basis, councils, horizon
        )
    return savings_shares, setup_shares


@dataclass
class _SeveranceArrays:
    """A service's severance lines (S, T) [GBP] at base-year prices, and the
    council shares (S, C, T) [/1] of each."""

    redundancy_pay: np.ndarray
    pension_strain: np.ndarray  # estimated: takes optimism bias
    quoted_pension_strain: np.ndarray  # quoted by the fund actuary: no uplift
    redundancy_shares: np.ndarray
    strain_shares: np.ndarray
    quoted_strain_shares: np.ndarray


def _severance_arrays(
    option_case: Case, services: list[str], councils: list[str], horizon: int
) -> _SeveranceArrays:
    """Redundancy pay, estimated and quoted pension strain (S, T) [GBP] at
    base-year prices, and the council shares of each (S, C, T) [/1].

    A service's flat severance (base-year prices, its strain counted as an
    estimate) falls in its severance year, shared on its severance basis (else
    its basis); severance costed from the staff table is added where the posts
    were (:func:`_where_the_posts_were`), brought to base-year prices by the
    pay index of each leaving year (:func:`_staff_severance_costs`).
    """
    base_year = option_case.settings.base_year
    redundancy_pay = np.zeros((len(services), horizon))
    pension_strain = np.zeros((len(services), horizon))
    redundancy_shares = np.zeros((len(services), len(councils), horizon))
    for i, name in enumerate(services):
        service = option_case.services[name]
        severance = service.severance
        if severance.has_flat_cost():
            t = calendar.fy_index(severance.year, base_year)
            redundancy_pay[i, t] += severance.flat_redundancy_pay()
            pension_strain[i, t] += severance.pension_strain.value
        redundancy_shares[i] = sharing.basis_shares(
            option_case, severance.basis or service.basis, councils, horizon
        )
    quoted_strain = np.zeros_like(pension_strain)
    strain_shares = redundancy_shares.copy()
    quoted_shares = redundancy_shares.copy()
    staff = cases.staff_severance(option_case)
    if staff is not None and len(staff):
        redundancy_by_post, strain_by_post, quoted_by_post = _staff_severance_costs(
            option_case, staff, services, councils, horizon
        )
        redundancy_pay, redundancy_shares = _where_the_posts_were(
            redundancy_by_post, redundancy_pay, redundancy_shares
        )
        pension_strain, strain_shares = _where_the_posts_were(
            strain_by_post, pension_strain, strain_shares
        )
        quoted_strain, quoted_shares = _where_the_posts_were(
            quoted_by_post, quoted_strain, quoted_shares
        )
    return _SeveranceArrays(
        redundancy_pay=redundancy_pay,
        pension_strain=pension_strain,
        quoted_pension_strain=quoted_strain,
        redundancy_shares=redundancy_shares,
        strain_shares=strain_shares,
        quoted_strain_shares=quoted_shares,
    )


def _staff_severance_costs(
    option_case: Case,
    staff: pd.DataFrame,
    services: list[str],
    councils: list[str],
    horizon: int,
) -> np.ndarray:
    """Redundancy pay, estimated and quoted pension strain of the staff table by
    service, council and year, shape (3, S, C, T) [GBP] at base-year prices.

    ``base = costed / pay_index(leaving year)`` with ``pay_index(L) = (1 + pay
    inflation) ** L`` (:func:`models.model.costs.pay_price_index`, whatever the
    price basis): the table is costed in money of each leaving date.  A post's
    costs fall in its service's severance year, else in its leaving year; rows
    of services not in the option are left out.
    """
    settings = option_case.settings
    amounts = np.zeros((3, len(services), len(councils), horizon))
    rows = staff[staff["service"].isin(services)]
    if not len(rows):
        return amounts
    moved_to = {name: option_case.services[name].severance.year for name in services}
    falls_in = rows["service"].map(moved_to).fillna(rows["financial_year"])
    labels = set(rows["financial_year"]) | set(falls_in)
    year_index = {year: calendar.fy_index(year, settings.base_year) for year in labels}
    where = (
        rows["service"].map({name: i for i, name in enumerate(services)}).to_numpy(int),
        rows["council"].map({name: c for c, name in enumerate(councils)}).to_numpy(int),
        falls_in.map(year_index).to_numpy(int),
    )
    pay_index_at_leaving = costs.pay_price_index(
        settings.inflation.pay.value,
        rows["financial_year"].map(year_index).to_numpy(int),
    )
    estimated_strain = rows["pension_strain"] - rows["quoted_pension_strain"]
    for part, costed in enumerate(
        (rows["redundancy_pay"], estimated_strain, rows["quoted_pension_strain"])
    ):
        np.add.at(
            amounts[part],
            where,
            costs.at_base_year_prices(costed.to_numpy(float), pay_index_at_leaving),
        )
    return amounts


def _where_the_posts_were(
    by_post: np.ndarray, line: np.ndarray, shares: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """A severance line (S, T) [GBP] with the staff table's costs (S, C, T) added,
    and its council shares (S, C, T) [/1].

    For each service and year with staff rows, the council shares are each
    council's own costs over the total, so the council lines equal the costs of
    that council's posts exactly; elsewhere the shares stay as they were.
    """
    total = by_post.sum(axis=1)  # (S, T)
    own_share = np.divide(
        by_post,
        total[:, None, :],
        out=np.zeros_like(by_post),
        where=total[:, None, :] > 0,
    )
    return line + total, np.where((total > 0)[:, None, :], own_share, shares)


def _inflation_indices(
    settings: Settings, horizon: int
) -> tuple[np.ndarray, np.ndarray]:
    """Pay and non-pay price indices (T,) [/1]; 1 throughout in the real basis."""
    nominal = settings.price_basis == "nominal"
    pay = settings.inflation.pay.value if nominal else 0.0
    non_pay = settings.inflation.non_pay.value if nominal else 0.0
    return (
        savings.inflation_index(pay, horizon),
        savings.inflation_index(non_pay, horizon),
    )


def general_inflation(settings: Settings) -> float | None:
    """General inflation [/1] that makes the discount rates nominal in the nominal
    price basis; None in the real basis (see :func:`appraisal.discount_factors`)."""
    if settings.price_basis == "nominal":
        return settings.inflation.general.value
    return None


def _target_window(settings: Settings) -> tuple[tuple[int, int] | None, float | None]:
    """The target window as year indices (first, last), and its target [GBP]."""
    window = settings.target_window
    if window is None:
        return None, None
    indices = (
        calendar.fy_index(window.first_year, settings.base_year),
        calendar.fy_index(window.last_year, settings.base_year),
    )
    return indices, window.target.value if window.target is not None else None


def _set_up_cost_bias(option_case: Case, services: list[str]) -> np.ndarray:
    """Optimism bias uplift of each service's set-up costs (S,) [/1]: the service's
    own project type where it names one, else the case's ``optimism_bias.costs``.
    Severance takes the case's uplift whatever the service names."""
    settings = option_case.settings
    return np.array(
        [
            option_case.services[name].optimism_bias.uplift()
            if option_case.services[name].optimism_bias is not None
            else settings.optimism_bias.costs.value
            for name in services
        ]
    ).reshape(len(services))


def category_price_indices(arrays: OptionArrays) -> tuple[np.ndarray, np.ndarray]:
    """Price index of each savings category (K, T) and set-up category (J, T) [/1]:
    pay inflation for staff savings and pay-related set-up costs, non-pay for the
    rest."""
    is_pay_saving = np.array([category == "staff" for category in SAVINGS_CATEGORIES])
    is_pay_setup = np.array(
        [category in PAY_SETUP_CATEGORIES for category in SETUP_CATEGORIES]
    )
    return (
        np.where(is_pay_saving[:, None], arrays.pay_index, arrays.non_pay_index),
        np.where(is_pay_setup[:, None], arrays.pay_index, arrays.non_pay_index),
    )


def project(arrays: OptionArrays) -> dict[str, np.ndarray]:
    """Project one option year by year [GBP]; broadcasts over leading axes of the inputs.

    Returns arrays keyed by quantity:

    * ``savings`` (S, K, T): ``(full_year x realisation + explicit) x index x (1 - ob_s)``
    * ``setup`` (S, J, T): ``setup x index x (1 + ob_c)``, with ``ob_c`` the
      service's own project-type uplift where it names one, else the case's
    * ``redundancy_pay`` (S, T): ``redundancy pay x pay index x (1 + ob_sev)``,
      ``ob_sev`` the case-wide ``settings.optimism_bias.costs``
    * ``pension_strain`` (S, T): ``estimated x pay index x (1 + ob_sev) + quoted
      x pay index`` (a fund actuary's quote is firm: no optimism bias)
    * ``pension_strain_shares`` (S, C, T) [/1]: council shares of that line,
      worked out on the uplifted parts
      (:func:`models.model.severance.council_shares_of_parts`)
    * ``pay_harmonisation``, ``pay_protection`` (S, T) and their
      ``..._by_council`` (S, C, T): the pay changes of posts moving grades
      x pay index, falling on the employing council (no optimism bias)
    * ``capital_setup`` (S, T): the capital part of the set-up costs
    * ``non_cashable_benefits`` (S, T): ``amount x non-pay index x (1 - ob_s)``
    * ``savings_total`` (S, T): savings summed over categories less pay
      harmonisation; ``setup_total`` (S, T): set-up costs plus pay protection
    * ``net`` (S, T): savings - setup - severance (financial view,
      :func:`appraisal.net_savings`)
    * ``net_economic`` (S, T): savings - setup + non-cashable benefits
      (severance is a transfer; non-cashable benefits count here only)

    Severance arrays are at base-year prices (staff-table severance deflated by
    the pay index of its leaving year when compiled), so in the nominal view a
    post's severance in its leaving year is the amount costed at its leaving
    date, and in the real view that amount over the pay index of the year.
    """
    savings_index, setup_index = category_price_indices(arrays)  # (K, T), (J, T)
    # optimism bias is per service, shape (..., S): broadcast over categories/years
    savings_bias = np.asarray(arrays.optimism_bias_savings, dtype=float)
    cost_bias = np.asarray(arrays.optimism_bias_costs, dtype=float)
    severance_bias = np.asarray(arrays.optimism_bias_severance, dtype=float)
    base = (
        arrays.full_year_savings[..., None] * arrays.realisation[..., None, :]
        + arrays.explicit_savings
    )
    savings_lines = savings.gross_savings(
        base, 1.0, savings_index, savings_bias[..., :, None, None]
    )
    setup = costs.uplifted_costs(
        arrays.setup, setup_index, cost_bias[..., :, None, None]
    )
    redundancy_pay = costs.uplifted_costs(
        arrays.redundancy_pay, arrays.pay_index, severance_bias[..., :, None]
    )
    estimated_strain = costs.uplifted_costs(
        arrays.pension_strain, arrays.pay_index, severance_bias[..., :, None]
    )
    quoted_strain = costs.uplifted_costs(arrays.quoted_pension_strain, arrays.pay_index)
    pension_strain = estimated_strain + quoted_strain
    harmonisation_by_council = arrays.pay_harmonisation_or_zero * arrays.pay_index
    protection_by_council = arrays.pay_protection_or_zero * arrays.pay_index
    harmonisation = harmonisation_by_council.sum(axis=-2)
    protection = protection_by_council.sum(axis=-2)
    non_cashable = savings.gross_savings(
        arrays.non_cashable_or_zero,
        1.0,
        arrays.non_pay_index,
        savings_bias[..., :, None],
    )
    savings_total = savings_lines.sum(axis=-2) - harmonisation
    setup_total = setup.sum(axis=-2) + protection
    return {
        "savings": savings_lines,
        "setup": setup,
        "capital_setup": (setup * arrays.capital_fraction_or_zero).sum(axis=-2),
        "pay_harmonisation": harmonisation,
        "pay_protection": protection,
        "pay_harmonisation_by_council": harmonisation_by_council,
        "pay_protection_by_council": protection_by_council,
        "non_cashable_benefits": non_cashable,
        "redundancy_pay": redundancy_pay,
        "pension_strain": pension_strain,
        "pension_strain_shares": sev.council_shares_of_parts(
            [estimated_strain, quoted_strain],
            [arrays.pension_strain_shares, arrays.quoted_pension_strain_shares],
        ),
        "savings_total": savings_total,
        "setup_total": setup_total,
        "net": appraisal.net_savings(
            savings_total, setup_total, redundancy_pay, pension_strain
        ),
        "net_economic": appraisal.net_savings(savings_total, setup_total)
        + non_cashable,
    }


@dataclass
class OptionSummary:
    """Headline figures of one option (whole partnership or one council)."""

    npv: float
    npv_economic: float
    payback_year: str | None
    target_window_savings: float | None
    target_window_net_savings: float | None
    net_savings_by_year: dict[str, float]


def summarise(
    arrays: OptionArrays,
    net: np.ndarray,
    net_economic: np.ndarray,
    gross: np.ndarray,
) -> OptionSummary:
    """NPV, payback and target-window totals from yearly totals (T,) [GBP]."""
    payback = int(appraisal.payback_index(net))
    window_savings = window_net_savings = None
    if arrays.target_window is not None:
        first, last = arrays.target_window
        window_savings = float(gross[first : last + 1].sum())
        window_net_savings = float(net[first : last + 1].sum())
    return OptionSummary(
        npv=float(appraisal.net_present_value(net, arrays.discount_factor)),
        npv_economic=float(
            appraisal.net_present_value(net_economic, arrays.discount_factor)
        ),
        payback_year=arrays.years[payback] if payback >= 0 else None,
        target_window_savings=window_savings,
        target_window_net_savings=window_net_savings,
        net_savings_by_year={
            year: float(value) for year, value in zip(arrays.years, net, strict=True)
        },
    )


@dataclass
class OptionResult:
    """The projection of one option: arrays, long table and summaries."""

    arrays: OptionArrays
    projection: dict[str, np.ndarray]
    long: pd.DataFrame
    summary: OptionSummary
    councils: dict[str, OptionSummary]
    affordability: dict[str, Any] | None = None  # council -> CouncilAffordability


def run_option(case: Case, option: str) -> OptionResult:
    """Compile, project and tabulate one option of a case."""
    arrays = compile_option(case, option)
    projection = project(arrays)
    summary = summarise(
        arrays,
        projection["net"].sum(axis=-2),
        projection["net_economic"].sum(axis=-2),
        projection["savings_total"].sum(axis=-2),
    )
    per_council = council_lines(arrays, projection)
    councils = {
        council: summarise(
            arrays,
            per_council["net"][c],
            per_council["net_economic"][c],
            per_council["savings"][c],
        )
        for c, council in enumerate(arrays.councils)
    }
    return OptionResult(
        arrays=arrays,
        projection=projection,
        long=long_table(arrays, projection),
        summary=summary,
        councils=councils,
        affordability=option_affordability(
            cases.option_case(case, option), arrays, projection, per_council["savings"]
        ),
    )


def council_lines(
    arrays: OptionArrays, projection: dict[str, np.ndarray]
) -> dict[str, np.ndarray]:
    """Each council's share of the total lines, shape (C, T) [GBP].

    Savings are the savings shared on each service's savings basis less the pay
    harmonisation of the posts the council employs; set-up costs those shared
    on the set-up basis plus the pay protection of its posts;
    ``non_cashable`` its share of non-cashable benefits (savings basis), counted
    in ``net_economic`` only.
    """
    # sum over services (axis -3 of (..., S, C, T)), not over any leading draw axes
    gross = projection["savings_total"] + projection["pay_harmonisation"]
    savings_lines = sharing.allocate(gross, arrays.savings_shares).sum(
        axis=-3
    ) - projection["pay_harmonisation_by_council"].sum(axis=-3)
    setup_only = projection["setup_total"] - projection["pay_protection"]
    setup = sharing.allocate(setup_only, arrays.setup_shares).sum(axis=-3) + projection[
        "pay_protection_by_council"
    ].sum(axis=-3)
    non_cashable = sharing.allocate(
        projection["non_cashable_benefits"], arrays.savings_shares
    ).sum(axis=-3)
    severance = sharing.allocate(
        projection["redundancy_pay"], arrays.severance_shares
    ).sum(axis=-3) + sharing.allocate(
        projection["pension_strain"], projection["pension_strain_shares"]
    ).sum(axis=-3)
    return {
        "savings": savings_lines,
        "setup": setup,
        "severance": severance,
        "non_cashable": non_cashable,
        "net": appraisal.net_savings(savings_lines, setup, severance),
        "net_economic": appraisal.net_savings(savings_lines, setup) + non_cashable,
    }


def long_table(arrays: OptionArrays, projection: dict[str, np.ndarray]) -> pd.DataFrame:
    """The option's results in the long format, by service and council and for 'All'.

    Line items (GBP unless stated):
    ``Savings|<category>``, ``Savings|Pay harmonisation`` (negative: new pay
    above old), ``Savings``, ``Costs|Set-up|<category>``,
    ``Costs|Set-up|Pay protection``, ``Costs|Set-up``,
    ``Benefits|Non-cashable`` (economic view only),
    ``Costs|Severance|Redundancy pay``,
    ``Costs|Severance|Pension strain``, ``Costs|Severance``, ``Net saving``,
    ``Net saving|Economic``, ``Cumulative net saving``, ``Present value``,
    ``Present value|Economic`` and ``Discount factor`` (unit ``/1``).
    """
    names, lines, shares = _service_lines(arrays, projection)
    cube = _with_totals(lines, shares)  # (S+1, L, C+1, T)
    derived = _derived_lines(cube, names, arrays.discount_factor)
    cube = np.concatenate(
        [cube, np.stack(list(derived.values()), axis=1)], axis=1
    )  # (S+1, L', C+1, T)
    frame = _long_frame(
        arrays,
        [*arrays.services, ALL],
        names + list(derived),
        [*arrays.councils, ALL],
        cube,
    )
    discount = pd.DataFrame(
        {
            "option": arrays.option,
            "service": ALL,
            "council": ALL,
            "line_item": "Discount factor",
            "financial_year": arrays.years,
            "value": arrays.discount_factor,
            "unit": "/1",
        }
    )
    return pd.concat([frame, discount], ignore_index=True)


def _service_lines(
    arrays: OptionArrays, projection: dict[str, np.ndarray]
) -> tuple[list[str], np.ndarray, np.ndarray]:
    """The line items of each service by category: their names (L), values
    (S, L, T) [GBP] and council shares (S, L, C, T) [/1]."""
    names: list[str] = []
    blocks: list[np.ndarray] = []
    shares: list[np.ndarray] = []
    for k, category in enumerate(SAVINGS_CATEGORIES):
        names.append(f"Savings|{SAVINGS_LABELS[category]}")
        blocks.append(projection["savings"][:, k, :])
        shares.append(arrays.savings_shares)
    names.append(PAY_HARMONISATION)
    blocks.append(-projection["pay_harmonisation"])
    shares.append(
        _own_council_shares(
            projection["pay_harmonisation_by_council"], arrays.savings_shares
        )
    )
    for j, category in enumerate(SETUP_CATEGORIES):
        names.append(f"Costs|Set-up|{SETUP_LABELS[category]}")
        blocks.append(projection["setup"][:, j, :])
        shares.append(arrays.setup_shares)
    names.append(PAY_PROTECTION)
    blocks.append(projection["pay_protection"])
    shares.append(
        _own_council_shares(
            projection["pay_protection_by_council"], arrays.setup_shares
        )
    )
    names.append(NON_CASHABLE)
    blocks.append(projection["non_cashable_benefits"])
    shares.append(arrays.savings_shares)
    names += ["Costs|Severance|Redundancy pay", "Costs|Severance|Pension strain"]
    blocks += [projection["redundancy_pay"], projection["pension_strain"]]
    shares += [arrays.severance_shares, projection["pension_strain_shares"]]
    if not arrays.services:
        horizon, n_councils = len(arrays.years), len(arrays.councils)
        return (
            names,
            np.zeros((0, len(names), horizon)),
            np.zeros((0, len(names), n_councils, horizon)),
        )
    return names, np.stack(blocks, axis=1), np.stack(shares, axis=1)


def _own_council_shares(by_council: np.ndarray, fallback: np.ndarray) -> np.ndarray:
    """Council shares (S, C, T) [/1] of a line that falls on the councils that
    employ the posts: each council's own amount over the total where there is
    one, else ``fallback`` (the line is 0 there)."""
    total = by_council.sum(axis=-2, keepdims=True)
    own = np.divide(by_council, total, out=np.zeros_like(by_council), where=total != 0)
    return np.where(total != 0, own, fallback)


def _with_totals(lines: np.ndarray, shares: np.ndarray) -> np.ndarray:
    """Service lines (S, L, T) [GBP] split to councils by their shares (S, L, C, T),
    with the 'All' council and the 'All' service added: (S+1, L, C+1, T) [GBP]."""
    by_council = lines[:, :, None, :] * shares  # (S, L, C, T)
    cube = np.concatenate([by_council, lines[:, :, None, :]], axis=2)
    return np.concatenate([cube, cube.sum(axis=0, keepdims=True)], axis=0)


def _derived_lines(
    cube: np.ndarray, names: list[str], discount_factor: np.ndarray
) -> dict[str, np.ndarray]:
    """Totals, net savings, cumulative net saving and present values (S+1, C+1, T)
    [GBP] from the category lines of ``cube`` (S+1, L, C+1, T), named ``names``."""
    index = {name: i for i, name in enumerate(names)}
    savings_lines = cube[
        :,
        [index[f"Savings|{SAVINGS_LABELS[c]}"] for c in SAVINGS_CATEGORIES]
        + [index[PAY_HARMONISATION]],
    ].sum(axis=1)
    setup = cube[
        :,
        [index[f"Costs|Set-up|{SETUP_LABELS[c]}"] for c in SETUP_CATEGORIES]
        + [index[PAY_PROTECTION]],
    ].sum(axis=1)
    non_cashable = cube[:, index[NON_CASHABLE]]
    severance = (
        cube[:, index["Costs|Severance|Redundancy pay"]]
        + cube[:, index["Costs|Severance|Pension strain"]]
    )
    net = appraisal.net_savings(savings_lines, setup, severance)
    net_economic = appraisal.net_savings(savings_lines, setup) + non_cashable
    return {
        "Savings": savings_lines,
        "Costs|Set-up": setup,
        "Costs|Severance": severance,
        "Net saving": net,
        "Net saving|Economic": net_economic,
        "Cumulative net saving": np.cumsum(net, axis=-1),
        "Present value": appraisal.present_value(net, discount_factor),
        "Present value|Economic": appraisal.present_value(
            net_economic, discount_factor
        ),
    }


def _long_frame(
    arrays: OptionArrays,
    service_names: list[str],
    line_names: list[str],
    council_names: list[str],
    cube: np.ndarray,
) -> pd.DataFrame:
    """The long format of a (service, line item, council, year) cube [GBP]."""
    service, line, council, year = np.meshgrid(
        np.arange(len(service_names)),
        np.arange(len(line_names)),
        np.arange(len(council_names)),
        np.arange(len(arrays.years)),
        indexing="ij",
    )
    return pd.DataFrame(
        {
            "option": arrays.option,
            "service": np.asarray(service_names, dtype=object)[service.ravel()],
            "council": np.asarray(council_names, dtype=object)[council.ravel()],
            "line_item": np.asarray(line_names, dtype=object)[line.ravel()],
            "financial_year": np.asarray(arrays.years, dtype=object)[year.ravel()],
            "value": cube.ravel(),
            "unit": "GBP",
        }
    )


def yearly_table(
    long: pd.DataFrame, council: str = ALL, service: str = ALL
) -> pd.DataFrame:
    """Wide table (line items x financial years) for one council and service [GBP]."""
    selected = long[(long["council"] == council) & (long["service"] == service)]
    order = list(dict.fromkeys(selected["line_item"]))
    years = list(dict.fromkeys(selected["financial_year"]))
    wide = selected.pivot(index="line_item", columns="financial_year", values="value")
    return wide.loc[order, years]


def check_totals(long: pd.DataFrame, tolerance: float = 1e-6) -> pd.DataFrame:
    """Rows where parts do not sum to the whole (empty when everything adds up).

    Checks, for every option, line item and year: services sum to 'All' and
    councils sum to 'All' [GBP]; ``tolerance`` is in pounds.
    """
    money = long[long["unit"] == "GBP"]
    bad = []
    for dimension, other in (("service", "council"), ("council", "service")):
        parts = (
            money[money[dimension] != ALL]
            .groupby(["option", other, "line_item", "financial_year"])["value"]
            .sum()
        )
        whole = money[money[dimension] == ALL].set_index(
            ["option", other, "line_item", "financial_year"]
        )["value"]
        difference = (parts.reindex(whole.index, fill_value=0.0) - whole).abs()
        off = difference[difference > tolerance]
        if len(off):
            bad.append(
                off.rename("difference").reset_index().assign(summed_over=dimension)
            )
    return (
        pd.concat(bad, ignore_index=True)
        if bad
        else pd.DataFrame(
            columns=[
                "option",
                "line_item",
                "financial_year",
                "difference",
                "summed_over",
            ]
        )
    )
