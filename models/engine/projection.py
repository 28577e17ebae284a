"""The yearly model of one option: compile a case option to arrays, project, tabulate.

``compile_option`` turns a validated case option into plain numpy arrays
(services x categories x years).  ``project`` is a pure function of those arrays
and broadcasts over any leading axes, so the uncertainty module can evaluate
many draws at once.  ``option_tables`` and ``results_long`` present the result as
the one long format used everywhere else: (option, service, council, line_item,
financial_year, value, unit), with ``|``-separated line items.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from models.core import calendar
from models.engine.cases import option_case, staff_severance
from models.inputs.case import (
    PAY_SETUP_CATEGORIES,
    SAVINGS_CATEGORIES,
    SETUP_CATEGORIES,
    Case,
)
from models.model import appraisal, costs, savings, sharing

ALL = "All"
SAVINGS_LABELS = {
    "staff": "Staff",
    "contracts": "Contracts",
    "accommodation": "Accommodation",
    "ict": "ICT",
    "other": "Other",
}
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
    redundancy_pay: np.ndarray  # (S, T) [GBP]
    pension_strain: np.ndarray  # (S, T) [GBP]
    pay_index: np.ndarray  # (T,)
    non_pay_index: np.ndarray  # (T,)
    optimism_bias_costs: np.ndarray  # (..., S) uplift of one-off costs [/1]
    optimism_bias_savings: np.ndarray  # (..., S) cut of savings [/1]
    discount_factor: np.ndarray  # (T,)
    savings_shares: np.ndarray  # (S, C, T)
    setup_shares: np.ndarray  # (S, C, T)
    severance_shares: np.ndarray  # (S, C, T) of redundancy pay
    strain_shares: np.ndarray | None = (
        None  # (S, C, T) of pension strain; None: as above
    )
    target_window: tuple[int, int] | None = None
    target: float | None = None
    extras: dict = field(default_factory=dict)

    def with_(self, **changes) -> OptionArrays:
        return replace(self, **changes)


def compile_option(case: Case, option: str) -> OptionArrays:
    """Turn one option of a case into arrays (see :class:`OptionArrays`)."""
    oc = option_case(case, option)
    st = oc.settings
    years = st.years()
    T = len(years)
    services = [s for s, svc in oc.services.items() if svc.enabled]
    councils = list(oc.councils)
    S, K, J = len(services), len(SAVINGS_CATEGORIES), len(SETUP_CATEGORIES)
    full = np.zeros((S, K))
    real = np.zeros((S, T))
    explicit = np.zeros((S, K, T))
    setup = np.zeros((S, J, T))
    red = np.zeros((S, T))
    strain = np.zeros((S, T))
    sh_sav = np.zeros((S, len(councils), T))
    sh_set = np.zeros_like(sh_sav)
    sh_sev = np.zeros_like(sh_sav)
    for i, sname in enumerate(services):
        svc = oc.services[sname]
        if svc.savings_by_year is not None:
            for fy, cats in svc.savings_by_year.items():
                t = calendar.fy_index(fy, st.base_year)
                for k, cat in enumerate(SAVINGS_CATEGORIES):
                    explicit[i, k, t] += getattr(cats, cat).value
        else:
            for k, cat in enumerate(SAVINGS_CATEGORIES):
                full[i, k] = getattr(svc.savings, cat).value
            if svc.go_live is not None:
                m = calendar.month_index(svc.go_live, st.base_year)
                real[i] = savings.realisation_factor(m, svc.ramp_up, T)
        for item in svc.set_up_costs:
            j = SETUP_CATEGORIES.index(item.category)
            timing = {
                calendar.fy_index(fy, st.base_year): f
                for fy, f in item.timing().items()
            }
            setup[i, j] += costs.one_off_cost_profile(item.amount.value, timing, T)
        if svc.severance.has_flat_cost():
            t = calendar.fy_index(svc.severance.year, st.base_year)
            red[i, t] += svc.severance.flat_redundancy_pay()
            strain[i, t] += svc.severance.pension_strain.value
        sh_sav[i] = sharing.basis_shares(
            oc, svc.savings_basis or svc.basis, councils, T
        )
        sh_set[i] = sharing.basis_shares(oc, svc.set_up_basis or svc.basis, councils, T)
        sh_sev[i] = sharing.basis_shares(
            oc, svc.severance.basis or svc.basis, councils, T
        )

    sh_strain = sh_sev.copy()
    staff = staff_severance(oc)
    if staff is not None and len(staff):
        _add_staff_severance(
            oc, staff, services, councils, red, strain, sh_sev, sh_strain
        )

    nominal = st.price_basis == "nominal"
    pay_idx = savings.inflation_index(st.inflation.pay.value if nominal else 0.0, T)
    non_idx = savings.inflation_index(st.inflation.non_pay.value if nominal else 0.0, T)
    if st.discount_rate == "green_book":
        rates = appraisal.green_book_rates(T)
    else:
        rates = np.full(T, st.discount_rate.value)
    if nominal:
        rates = appraisal.nominal_rates(rates, st.inflation.general.value)
    tw = st.target_window
    window = None
    if tw is not None:
        window = (
            calendar.fy_index(tw.first_year, st.base_year),
            calendar.fy_index(tw.last_year, st.base_year),
        )
    return OptionArrays(
        option=option,
        years=years,
        services=services,
        councils=councils,
        full_year_savings=full,
        realisation=real,
        explicit_savings=explicit,
        setup=setup,
        redundancy_pay=red,
        pension_strain=strain,
        pay_index=pay_idx,
        non_pay_index=non_idx,
        optimism_bias_costs=np.array(
            [
                oc.services[s].optimism_bias.uplift()
                if oc.services[s].optimism_bias is not None
                else st.optimism_bias.costs.value
                for s in services
            ]
        ).reshape(S),
        optimism_bias_savings=np.full(S, st.optimism_bias.savings.value),
        discount_factor=appraisal.discount_factors(rates),
        savings_shares=sh_sav,
        setup_shares=sh_set,
        severance_shares=sh_sev,
        strain_shares=sh_strain,
        target_window=window,
        target=tw.target.value if tw is not None and tw.target is not None else None,
    )


def _add_staff_severance(
    oc: Case,
    staff,
    services: list[str],
    councils: list[str],
    red: np.ndarray,
    strain: np.ndarray,
    sh_red: np.ndarray,
    sh_strain: np.ndarray,
) -> None:
    """Add severance costed from the staff table; it falls where the post was.

    For each service and year with staff rows, the council shares of redundancy
    pay and of pension strain are each council's own costs over the total, so the
    council lines equal the costs of that council's posts exactly.
    """
    st = oc.settings
    T = len(st.years())
    amounts = np.zeros((2, len(services), len(councils), T))
    for row in staff.itertuples(index=False):
        if row.service not in services:
            continue  # service not in this option
        i = services.index(row.service)
        fy = oc.services[row.service].severance.year or row.financial_year
        t = calendar.fy_index(fy, st.base_year)
        c = councils.index(row.council)
        amounts[0, i, c, t] += row.redundancy_pay
        amounts[1, i, c, t] += row.pension_strain
    for k, (line, shares) in enumerate(((red, sh_red), (strain, sh_strain))):
        total = amounts[k].sum(axis=1)  # (S, T)
        has = total > 0
        line += total
        share = np.divide(
            amounts[k],
            total[:, None, :],
            out=np.zeros_like(amounts[k]),
            where=total[:, None, :] > 0,
        )
        shares[:] = np.where(has[:, None, :], share, shares)


def _category_index(a: OptionArrays, pay_categories: np.ndarray) -> np.ndarray:
    return np.where(pay_categories[:, None], a.pay_index, a.non_pay_index)


def project(a: OptionArrays) -> dict[str, np.ndarray]:
    """Project one option year by year [GBP]; broadcasts over leading axes of the inputs.

    Returns arrays keyed by quantity:

    * ``savings`` (S, K, T): ``(full_year x realisation + explicit) x index x (1 - ob_s)``
    * ``setup`` (S, J, T): ``setup x index x (1 + ob_c)``
    * ``redundancy_pay``, ``pension_strain`` (S, T): ``x pay index x (1 + ob_c)``
    * ``net`` (S, T): savings - setup - severance (financial view)
    * ``net_economic`` (S, T): savings - setup (severance is a transfer)
    """
    is_pay_saving = np.array([c == "staff" for c in SAVINGS_CATEGORIES])
    is_pay_setup = np.array([c in PAY_SETUP_CATEGORIES for c in SETUP_CATEGORIES])
    # optimism bias is per service, shape (..., S): broadcast over categories/years
    ob_s = np.asarray(a.optimism_bias_savings, dtype=float)[..., :, None, None]
    ob_c = np.asarray(a.optimism_bias_costs, dtype=float)
    ob_c3, ob_c2 = ob_c[..., :, None, None], ob_c[..., :, None]
    sav_idx = _category_index(a, is_pay_saving)  # (K, T)
    set_idx = _category_index(a, is_pay_setup)  # (J, T)
    base = (
        a.full_year_savings[..., None] * a.realisation[..., None, :]
        + a.explicit_savings
    )
    sav = savings.gross_savings(base, 1.0, sav_idx, ob_s)
    setup = costs.uplifted_costs(a.setup, set_idx, ob_c3)
    red = costs.uplifted_costs(a.redundancy_pay, a.pay_index, ob_c2)
    strain = costs.uplifted_costs(a.pension_strain, a.pay_index, ob_c2)
    sav_total = sav.sum(axis=-2)
    setup_total = setup.sum(axis=-2)
    net_econ = sav_total - setup_total
    net = net_econ - red - strain
    return {
        "savings": sav,
        "setup": setup,
        "redundancy_pay": red,
        "pension_strain": strain,
        "savings_total": sav_total,
        "setup_total": setup_total,
        "net": net,
        "net_economic": net_econ,
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
    a: OptionArrays, net: np.ndarray, net_econ: np.ndarray, gross: np.ndarray
) -> OptionSummary:
    """NPV, payback and target-window totals from yearly totals (T,) [GBP]."""
    npv = float(appraisal.net_present_value(net, a.discount_factor))
    npv_e = float(appraisal.net_present_value(net_econ, a.discount_factor))
    idx = int(appraisal.payback_index(net))
    tw = tw_net = None
    if a.target_window is not None:
        lo, hi = a.target_window
        tw = float(gross[lo : hi + 1].sum())
        tw_net = float(net[lo : hi + 1].sum())
    return OptionSummary(
        npv=npv,
        npv_economic=npv_e,
        payback_year=a.years[idx] if idx >= 0 else None,
        target_window_savings=tw,
        target_window_net_savings=tw_net,
        net_savings_by_year={y: float(v) for y, v in zip(a.years, net, strict=True)},
    )


@dataclass
class OptionResult:
    """The projection of one option: arrays, long table and summaries."""

    arrays: OptionArrays
    projection: dict[str, np.ndarray]
    long: pd.DataFrame
    summary: OptionSummary
    councils: dict[str, OptionSummary]


def run_option(case: Case, option: str) -> OptionResult:
    """Compile, project and tabulate one option of a case."""
    a = compile_option(case, option)
    p = project(a)
    long = long_table(a, p)
    summary = summarise(
        a,
        p["net"].sum(axis=-2),
        p["net_economic"].sum(axis=-2),
        p["savings_total"].sum(axis=-2),
    )
    per_council = council_lines(a, p)
    councils = {
        c: summarise(
            a,
            per_council["net"][ci],
            per_council["net_economic"][ci],
            per_council["savings"][ci],
        )
        for ci, c in enumerate(a.councils)
    }
    return OptionResult(
        arrays=a, projection=p, long=long, summary=summary, councils=councils
    )


def council_lines(a: OptionArrays, p: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Each council's share of the total lines, shape (C, T) [GBP]."""
    # sum over services (axis -3 of (..., S, C, T)), not over any leading draw axes
    sav = sharing.allocate(p["savings_total"], a.savings_shares).sum(axis=-3)
    setup = sharing.allocate(p["setup_total"], a.setup_shares).sum(axis=-3)
    strain_shares = (
        a.strain_shares if a.strain_shares is not None else a.severance_shares
    )
    sev = sharing.allocate(p["redundancy_pay"], a.severance_shares).sum(
        axis=-3
    ) + sharing.allocate(p["pension_strain"], strain_shares).sum(axis=-3)
    return {
        "savings": sav,
        "setup": setup,
        "severance": sev,
        "net": sav - setup - sev,
        "net_economic": sav - setup,
    }


def long_table(a: OptionArrays, p: dict[str, np.ndarray]) -> pd.DataFrame:
    """The option's results in the long format, by service and council and for 'All'.

    Line items (GBP unless stated):
    ``Savings|<category>``, ``Savings``, ``Costs|Set-up|<category>``,
    ``Costs|Set-up``, ``Costs|Severance|Redundancy pay``,
    ``Costs|Severance|Pension strain``, ``Costs|Severance``, ``Net saving``,
    ``Net saving|Economic``, ``Cumulative net saving``, ``Present value``,
    ``Present value|Economic`` and ``Discount factor`` (unit ``/1``).
    """
    frames: list[pd.DataFrame] = []
    S, C = len(a.services), len(a.councils)
    T = len(a.years)
    # service-level lines, (S, L, T)
    names: list[str] = []
    blocks: list[np.ndarray] = []
    shares: list[np.ndarray] = []
    for k, cat in enumerate(SAVINGS_CATEGORIES):
        names.append(f"Savings|{SAVINGS_LABELS[cat]}")
        blocks.append(p["savings"][:, k, :])
        shares.append(a.savings_shares)
    for j, cat in enumerate(SETUP_CATEGORIES):
        names.append(f"Costs|Set-up|{SETUP_LABELS[cat]}")
        blocks.append(p["setup"][:, j, :])
        shares.append(a.setup_shares)
    names += ["Costs|Severance|Redundancy pay", "Costs|Severance|Pension strain"]
    blocks += [p["redundancy_pay"], p["pension_strain"]]
    shares += [
        a.severance_shares,
        a.strain_shares if a.strain_shares is not None else a.severance_shares,
    ]
    lines = np.stack(blocks, axis=1) if S else np.zeros((0, len(names), T))  # (S, L, T)
    share = (
        np.stack(shares, axis=1) if S else np.zeros((0, len(names), C, T))
    )  # (S, L, C, T)
    by_council = lines[:, :, None, :] * share  # (S, L, C, T)
    # add the 'All' council and the 'All' service
    full = np.concatenate([by_council, lines[:, :, None, :]], axis=2)  # (S, L, C+1, T)
    full = np.concatenate(
        [full, full.sum(axis=0, keepdims=True)], axis=0
    )  # (S+1, L, C+1, T)
    svc_names = [*a.services, ALL]
    council_names = [*a.councils, ALL]
    # derived lines
    idx = {n: i for i, n in enumerate(names)}
    sav = full[
        :, [idx[f"Savings|{SAVINGS_LABELS[c]}"] for c in SAVINGS_CATEGORIES]
    ].sum(axis=1)
    setup = full[
        :, [idx[f"Costs|Set-up|{SETUP_LABELS[c]}"] for c in SETUP_CATEGORIES]
    ].sum(axis=1)
    sev = (
        full[:, idx["Costs|Severance|Redundancy pay"]]
        + full[:, idx["Costs|Severance|Pension strain"]]
    )
    net = sav - setup - sev
    net_e = sav - setup
    derived = {
        "Savings": sav,
        "Costs|Set-up": setup,
        "Costs|Severance": sev,
        "Net saving": net,
        "Net saving|Economic": net_e,
        "Cumulative net saving": np.cumsum(net, axis=-1),
        "Present value": net * a.discount_factor,
        "Present value|Economic": net_e * a.discount_factor,
    }
    all_names = names + list(derived)
    cube = np.concatenate(
        [full, np.stack(list(derived.values()), axis=1)], axis=1
    )  # (S+1, L', C+1, T)
    si, li, ci, ti = np.meshgrid(
        np.arange(len(svc_names)),
        np.arange(len(all_names)),
        np.arange(len(council_names)),
        np.arange(T),
        indexing="ij",
    )
    frame = pd.DataFrame(
        {
            "option": a.option,
            "service": np.asarray(svc_names, dtype=object)[si.ravel()],
            "council": np.asarray(council_names, dtype=object)[ci.ravel()],
            "line_item": np.asarray(all_names, dtype=object)[li.ravel()],
            "financial_year": np.asarray(a.years, dtype=object)[ti.ravel()],
            "value": cube.ravel(),
            "unit": "GBP",
        }
    )
    frames.append(frame)
    frames.append(
        pd.DataFrame(
            {
                "option": a.option,
                "service": ALL,
                "council": ALL,
                "line_item": "Discount factor",
                "financial_year": a.years,
                "value": a.discount_factor,
                "unit": "/1",
            }
        )
    )
    return pd.concat(frames, ignore_index=True)


def yearly_table(
    long: pd.DataFrame, council: str = ALL, service: str = ALL
) -> pd.DataFrame:
    """Wide table (line items x financial years) for one council and service [GBP]."""
    sel = long[(long["council"] == council) & (long["service"] == service)]
    order = list(dict.fromkeys(sel["line_item"]))
    years = list(dict.fromkeys(sel["financial_year"]))
    wide = sel.pivot(index="line_item", columns="financial_year", values="value")
    return wide.loc[order, years]


def check_totals(long: pd.DataFrame, tolerance: float = 1e-6) -> pd.DataFrame:
    """Rows where parts do not sum to the whole (empty when everything adds up).

    Checks, for every option, line item and year: services sum to 'All' and
    councils sum to 'All' [GBP]; ``tolerance`` is in pounds.
    """
    money = long[long["unit"] == "GBP"]
    bad = []
    for dim, other in (("service", "council"), ("council", "service")):
        parts = (
            money[money[dim] != ALL]
            .groupby(["option", other, "line_item", "financial_year"])["value"]
            .sum()
        )
        whole = money[money[dim] == ALL].set_index(
            ["option", other, "line_item", "financial_year"]
        )["value"]
        diff = (parts.reindex(whole.index, fill_value=0.0) - whole).abs()
        off = diff[diff > tolerance]
        if len(off):
            bad.append(off.rename("difference").reset_index().assign(summed_over=dim))
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


def today() -> dt.date:
    return dt.date.today()
