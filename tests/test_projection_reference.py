"""The vectorised yearly model against a slow, obvious, month-by-month version.

The reference walks every service, month, set-up item and person at risk in
plain Python, in the order a finance lead would work a spreadsheet; the fast
model must agree to a thousandth of a penny on every option of every shipped
case.

Pricing and optimism bias follow docs/conventions.md (issue 15 item 5): a
person's severance is costed in money of the leaving date, so it is divided by
the pay index of the leaving year to reach base-year prices and then priced like
any flat figure (x pay index of the year it falls in the nominal view); set-up
costs take the service's own project-type uplift, else the case's; severance
takes the case-wide uplift, except a strain quoted by the fund actuary, which
takes none.
"""

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from models.core import calendar
from models.engine.cases import case_from_dict, option_case
from models.engine.loading import load_case
from models.engine.projection import run_option
from models.inputs.case import PAY_SETUP_CATEGORIES, SAVINGS_CATEGORIES
from models.inputs.severance import load_staff_table
from models.model.severance import cost_staff
from tests.conftest import DEFAULT_CASE, SEED_002_CASE, SMALL_CASE


def slow_net_savings(case, option):
    """Net saving by year and by council, one month and one item at a time [GBP]."""
    oc = option_case(case, option)
    st_ = oc.settings
    years = st_.years()
    T = len(years)
    nominal = st_.price_basis == "nominal"
    pay = st_.inflation.pay.value if nominal else 0.0
    non_pay = st_.inflation.non_pay.value if nominal else 0.0
    ob_s = st_.optimism_bias.savings.value
    ob_severance = st_.optimism_bias.costs.value  # case-wide, whatever the service
    pay_deflator = st_.inflation.pay.value  # leaving-date money to base year
    total = [0.0] * T
    councils = {c: [0.0] * T for c in oc.councils}

    def shares(basis_name, t):
        # no partner joins later in these cases, so shares do not depend on t
        basis = oc.bases[basis_name]
        out = {c: 0.0 for c in oc.councils}
        if basis.type in ("fixed", "hybrid"):
            weight = basis.fixed_weight.value if basis.type == "hybrid" else 1.0
            for c, q in basis.shares.items():
                out[c] += weight * q.value
        if basis.type in ("driver", "hybrid"):
            weight = basis.driver_weight.value if basis.type == "hybrid" else 1.0
            members = getattr(basis, "councils", None) or list(oc.councils)
            values = {c: oc.councils[c].drivers[basis.driver].value for c in members}
            for c, v in values.items():
                out[c] += weight * v / sum(values.values())
        return out

    staff = None
    if oc.staff_at_risk:  # costed person by person, as the finance lead would
        table = load_staff_table(Path(case._source).parent / oc.staff_at_risk)
        staff = cost_staff(table, oc.severance_policies)
    for name, svc in oc.services.items():
        if not svc.enabled:
            continue
        ob_c = (
            svc.optimism_bias.uplift()
            if svc.optimism_bias
            else st_.optimism_bias.costs.value
        )
        sav_basis = svc.savings_basis or svc.basis
        set_basis = svc.set_up_basis or svc.basis
        sev_basis = svc.severance.basis or svc.basis
        for t in range(T):
            saving = 0.0
            for cat in SAVINGS_CATEGORIES:
                rate = pay if cat == "staff" else non_pay
                index = (1 + rate) ** t
                if svc.savings_by_year is not None:
                    if years[t] in svc.savings_by_year:
                        saving += (
                            getattr(svc.savings_by_year[years[t]], cat).value * index
                        )
                    continue
                annual = getattr(svc.savings, cat).value
                if not annual or svc.go_live is None:
                    continue
                first = calendar.month_index(svc.go_live, st_.base_year)
                for m in range(12 * t, 12 * t + 12):  # each month of year t
                    if m >= first:
                        k = min((m - first) // 12, len(svc.ramp_up) - 1)
                        saving += annual * svc.ramp_up[k] / 12 * index
            saving *= 1 - ob_s
            setup = 0.0
            for item in svc.set_up_costs:
                fraction = item.timing().get(years[t], 0.0)
                rate = pay if item.category in PAY_SETUP_CATEGORIES else non_pay
                setup += item.amount.value * fraction * (1 + rate) ** t * (1 + ob_c)
            flat = 0.0
            if svc.severance.has_flat_cost() and svc.severance.year == years[t]:
                flat = (
                    (
                        svc.severance.flat_redundancy_pay()
                        + svc.severance.pension_strain.value
                    )
                    * (1 + pay) ** t
                    * (1 + ob_severance)
                )
            total[t] += saving - setup - flat
            for c, share in shares(sav_basis, t).items():
                councils[c][t] += saving * share
            for c, share in shares(set_basis, t).items():
                councils[c][t] -= setup * share
            for c, share in shares(sev_basis, t).items():
                councils[c][t] -= flat * share
        if staff is not None:
            for row in staff[staff["service"] == name].itertuples(index=False):
                fy = svc.severance.year or row.financial_year
                t = years.index(fy)
                leaving = calendar.fy_index(row.financial_year, st_.base_year)
                to_base_year = 1 / (1 + pay_deflator) ** leaving
                redundancy = (
                    row.statutory_pay + row.discretionary_top_up + row.pay_in_lieu
                )
                strain_uplift = (1 + ob_severance) if row.is_strain_estimate else 1
                cost = (
                    (
                        redundancy * (1 + ob_severance)
                        + row.pension_strain * strain_uplift
                    )
                    * to_base_year
                    * (1 + pay) ** t
                )
                total[t] -= cost
                councils[row.council][t] -= cost  # falls where the post was
        for post in svc.regraded_posts:  # posts moving onto new grades
            policy = oc.severance_policies.get(post.council)
            taper = policy.pay_protection.taper if policy.pay_protection else []
            moved = years.index(post.year)
            cut = post.current_annual_pay.value - post.new_annual_pay.value
            for t in range(moved, T):
                if cut > 0 and t - moved < len(taper):
                    cost = cut * taper[t - moved] * (1 + pay) ** t  # protection
                elif cut < 0:
                    cost = -cut * (1 + pay) ** t  # harmonisation, every year
                else:
                    cost = 0.0
                total[t] -= cost
                councils[post.council][t] -= cost  # the employing council
    return total, councils


def _assert_agree(case, option):
    fast = run_option(case, option)
    total, councils = slow_net_savings(case, option)
    assert list(fast.summary.net_savings_by_year.values()) == pytest.approx(
        total, abs=1e-5
    )
    for c, values in councils.items():
        got = list(fast.councils[c].net_savings_by_year.values())
        assert got == pytest.approx(values, abs=1e-5)


@pytest.mark.parametrize("path", [DEFAULT_CASE, SEED_002_CASE], ids=lambda p: p.stem)
def test_the_fast_model_agrees_with_the_slow_one_on_every_shipped_option(path):
    case = load_case(path)
    for option in case.options:
        _assert_agree(case, option)


@settings(max_examples=40, deadline=None)
@given(
    go_live=st.dates(dt.date(2011, 4, 1), dt.date(2014, 3, 31)),
    ramp=st.lists(st.floats(0, 1), min_size=1, max_size=3),
    share_a=st.floats(0, 1),
    nominal=st.booleans(),
    ob_costs=st.floats(0, 0.5),
    ob_savings=st.floats(0, 0.5),
)
def test_the_fast_model_agrees_with_the_slow_one_on_random_small_cases(
    go_live, ramp, share_a, nominal, ob_costs, ob_savings
):
    import copy

    d = copy.deepcopy(SMALL_CASE)
    svc = d["services"]["payroll"]
    svc["go_live"] = go_live.isoformat()
    svc["ramp_up"] = ramp
    d["bases"]["sixty_forty"]["shares"] = {"a": share_a, "b": 1 - share_a}
    d["settings"]["price_basis"] = "nominal" if nominal else "real"
    d["settings"]["inflation"] = {"pay": 0.02, "non_pay": 0.03, "general": 0.02}
    d["settings"]["optimism_bias"] = {"costs": ob_costs, "savings": ob_savings}
    _assert_agree(case_from_dict(d), "share_payroll")
