"""The two pricing faults of issue 15 item 5, worked by hand.

1. Staff-table severance is costed in money of its leaving date (the statutory
   weekly cap of that date applies).  Nominal prices show it as costed; real
   prices deflate it to base-year prices by the pay index of its year.  Flat
   severance figures (base-year prices) are uprated by pay in nominal prices.
2. Optimism bias applies by cost type: a service's own capex (or opex) uplift
   raises its set-up costs only; redundancy pay and estimated pension strain
   take the case-wide ``settings.optimism_bias.costs``; a strain quoted by the
   fund actuary (``fund_strain_cost``) takes none; each council's share of
   severance is worked out on the uplifted amounts.

The small case: councils a and b, base year 2022/23, three years to 2024/25, a
discount rate of 0 (so an NPV is a plain sum), pay inflation 10% a year, so the
pay index of 2024/25 is 1.1^2 = 1.21.  A statutory-only policy (the capped
week's pay, multiplier 1).

The post at risk: £800 a week, notice worked, leaving on 30 September 2024
(financial year 2024/25), aged 47 with 14 years' service on that date.  The 14
years counted back began at ages 46 down to 33: six at 41 or over (46..41) at
1.5 weeks = 9 weeks, eight at 22 to 40 (40..33) at 1 week = 8 weeks: 17 weeks
(Employment Rights Act 1996 s.162).  A week's pay is capped at £700 from 6 April
2024 (s.227): 17 x £700 = £11,900, the legal maximum for that post.
"""

from __future__ import annotations

import copy

import numpy as np
import pytest
import yaml

from models.engine import uncertainty as u
from models.engine.loading import load_case
from models.engine.projection import run_option, yearly_table
from tests.test_projection_reference import slow_net_savings

PAY_INDEX_2024_25 = 1.1**2  # 1.21: pay index of the leaving year
STATUTORY_PAY = 17 * 700.0  # £11,900, the post above

STAFF_HEADER = (
    "post,service,council,age,years_of_service,weekly_pay,pension_member,"
    "annual_pension_accrued,notice_worked,leaving_date,fund_strain_cost,source"
)
THE_POST = "Payroll officer,payroll,a,47,14,800,no,0,yes,2024-09-30,,test"

STATUTORY_ONLY = {
    "pay_basis": "capped",
    "multiplier": 1,
    "maximum_weeks": 30,
    "pays_in_lieu_of_notice": False,
    "employer_on_cost_rate": 0,
    "strain": {
        "normal_pension_age": 65,
        "reduction_per_year_early": 0.05,
        "capitalisation_factor": 20,
    },
}

CASE = {
    "kind": "case",
    "name": "pricing",
    "title": "Severance pricing worked by hand",
    "councils": {"a": {"name": "Council A"}, "b": {"name": "Council B"}},
    "settings": {
        "base_year": "2022/23",
        "horizon_years": 3,
        "discount_rate": 0.0,
        "price_basis": "nominal",
        "inflation": {"pay": 0.10, "non_pay": 0.0, "general": 0.0},
    },
    "bases": {"sixty_forty": {"type": "fixed", "shares": {"a": 0.6, "b": 0.4}}},
    "staff_at_risk": "staff.csv",
    "severance_policies": {"default": STATUTORY_ONLY},
    "services": {
        "payroll": {
            "name": "Payroll",
            "host": "a",
            "basis": "sixty_forty",
            "severance": {"description": "From the staff table."},
        }
    },
    "options": {
        "share_payroll": {"title": "Share payroll", "description": "Payroll shared."}
    },
}


def _case(tmp_path, staff_rows=(THE_POST,), **changes):
    """Write the case (with ``changes`` at ``__``-separated paths) and its staff
    table (none where ``staff_rows`` is None)."""
    raw = copy.deepcopy(CASE)
    if staff_rows is None:
        del raw["staff_at_risk"]
    for path, value in changes.items():
        *parents, key = path.split("__")
        node = raw
        for part in parents:
            node = node[part]
        node[key] = value
    if staff_rows is not None:
        table = "\n".join([STAFF_HEADER, *staff_rows]) + "\n"
        (tmp_path / "staff.csv").write_text(table)
    case_file = tmp_path / "case.yaml"
    case_file.write_text(yaml.safe_dump(raw, sort_keys=False))
    return load_case(case_file)


def _table(case, council="All"):
    return yearly_table(run_option(case, "share_payroll").long, council=council)


def test_a_post_costed_at_its_leaving_date_costs_11900_in_nominal_prices(tmp_path):
    t = _table(_case(tmp_path))
    # in money of 30 Sept 2024 already: not uprated again by 1.21 (the fault
    # showed 11,900 x 1.21 = 14,399)
    np.testing.assert_allclose(
        t.loc["Costs|Severance|Redundancy pay"], [0, 0, STATUTORY_PAY], atol=1e-6
    )


def test_in_real_prices_the_post_costs_11900_over_the_pay_index(tmp_path):
    t = _table(_case(tmp_path, settings__price_basis="real"))
    # 11,900 / 1.21 = 9,834.71 at 2022/23 prices
    assert t.loc["Costs|Severance|Redundancy pay", "2024/25"] == pytest.approx(
        STATUTORY_PAY / PAY_INDEX_2024_25
    )
    assert t.loc["Costs|Severance|Redundancy pay", "2024/25"] == pytest.approx(
        9_834.71, abs=0.01
    )


def test_a_flat_severance_figure_is_still_uprated_by_pay_in_nominal_prices(tmp_path):
    case = _case(
        tmp_path,
        staff_rows=None,
        services__payroll__severance={"redundancy_pay": 11_900, "year": "2024/25"},
    )
    # a flat figure is at base-year (2022/23) prices: 11,900 x 1.21 = 14,399
    t = _table(case)
    assert t.loc["Costs|Severance", "2024/25"] == pytest.approx(14_399)


def test_severance_moved_a_year_later_is_priced_a_year_on(tmp_path):
    case = _case(
        tmp_path,
        settings__horizon_years=4,
        services__payroll__severance={"description": "moved", "year": "2025/26"},
    )
    # 11,900 / 1.21 at base-year prices, x 1.1^3 = 1.331 in 2025/26: 13,090
    t = _table(case)
    assert t.loc["Costs|Severance", "2025/26"] == pytest.approx(13_090)


def test_a_capex_optimism_bias_on_a_service_does_not_reach_its_severance(tmp_path):
    case = _case(
        tmp_path,
        settings__optimism_bias={"costs": 0.10},
        services__payroll__optimism_bias={
            "project_type": "equipment_development",
            "measure": "capex",
            "mitigation": 0.9,
        },
        services__payroll__set_up_costs=[
            {"category": "ict", "amount": 50_000, "year": "2022/23"}
        ],
    )
    t = _table(case)
    # capex upper bound 200% x (1 - 0.9) = 20% on the set-up cost: 60,000
    assert t.loc["Costs|Set-up", "2022/23"] == pytest.approx(60_000)
    # the severance takes the case-wide 10%: 11,900 x 1.1 = 13,090 (not 14,280)
    assert t.loc["Costs|Severance", "2024/25"] == pytest.approx(13_090)


def test_a_strain_quoted_by_the_fund_actuary_is_not_uplifted(tmp_path):
    quoted = "Payroll manager,payroll,a,60,14,500,yes,5000,yes,2024-09-30,20000,test"
    estimated = "Payroll clerk,payroll,a,60,14,500,yes,5000,yes,2024-09-30,,test"
    case = _case(
        tmp_path,
        staff_rows=(quoted, estimated),
        settings__optimism_bias={"costs": 0.10},
    )
    t = _table(case)
    # quoted: 20,000 as it stands; estimated: 5,000 a year x min(0.05 x (65 - 60),
    # 1) x 20 = 25,000, raised by 10% to 27,500; together 47,500
    assert t.loc["Costs|Severance|Pension strain", "2024/25"] == pytest.approx(47_500)


def test_each_councils_share_of_uplifted_severance_sums_to_the_uplifted_total(
    tmp_path,
):
    # council a: the post above (11,900) and an estimated strain of 25,000;
    # council b: aged 60 with 14 years, all at 1.5 weeks = 21 weeks x 500 = 10,500,
    # and a quoted strain of 20,000
    a_clerk = "Payroll clerk,payroll,a,60,14,0,yes,5000,yes,2024-09-30,,test"
    b_manager = "Payroll manager,payroll,b,60,14,500,yes,0,yes,2024-09-30,20000,test"
    case = _case(
        tmp_path,
        staff_rows=(THE_POST, a_clerk, b_manager),
        settings__optimism_bias={"costs": 0.10},
    )
    a, b, whole = (_table(case, council) for council in ("a", "b", "All"))
    year = "2024/25"
    # a: (11,900 + 25,000) x 1.1 = 40,590; b: 10,500 x 1.1 + 20,000 = 31,550
    assert a.loc["Costs|Severance", year] == pytest.approx(40_590)
    assert b.loc["Costs|Severance", year] == pytest.approx(31_550)
    # strain alone: a 27,500, b 20,000 (shares before uplift, 25/45 and 20/45 of
    # 47,500, would give 26,388.89 and 21,111.11)
    assert a.loc["Costs|Severance|Pension strain", year] == pytest.approx(27_500)
    assert b.loc["Costs|Severance|Pension strain", year] == pytest.approx(20_000)
    for line in ("Costs|Severance", "Costs|Severance|Pension strain"):
        assert a.loc[line, year] + b.loc[line, year] == pytest.approx(
            whole.loc[line, year]
        )
    assert whole.loc["Costs|Severance", year] == pytest.approx(72_140)


@pytest.mark.parametrize("price_basis", ["nominal", "real"])
def test_the_evaluator_and_the_row_by_row_reference_follow_the_new_conventions(
    tmp_path, price_basis
):
    rows = (
        THE_POST,
        "Payroll clerk,payroll,a,60,14,400,yes,5000,no,2023-12-31,,test",
        "Payroll manager,payroll,b,60,14,500,yes,0,yes,2024-09-30,20000,test",
    )
    case = _case(
        tmp_path,
        staff_rows=rows,
        settings__price_basis=price_basis,
        settings__discount_rate=0.05,
        settings__optimism_bias={"costs": 0.10},
        services__payroll__optimism_bias={
            "project_type": "equipment_development",
            "measure": "capex",
        },
        services__payroll__set_up_costs=[
            {"category": "ict", "amount": 50_000, "year": "2022/23"}
        ],
    )
    core = run_option(case, "share_payroll")
    total, councils = slow_net_savings(case, "share_payroll")
    assert list(core.summary.net_savings_by_year.values()) == pytest.approx(total)
    for council, values in councils.items():
        got = list(core.councils[council].net_savings_by_year.values())
        assert got == pytest.approx(values)
    model = u.compile_model(case, "share_payroll")
    out = u.evaluate(model, u.base_levers(model))
    assert out.npv[0] == pytest.approx(core.summary.npv, abs=1e-6)
    assert out.npv_council[0].tolist() == pytest.approx(
        [core.councils["a"].npv, core.councils["b"].npv], abs=1e-6
    )
    # a changed case-wide uplift moves severance (not the quoted strain) alike
    values = {"settings.optimism_bias.costs": 0.3, "severance": 1.2}
    slow = u.slow_npv(case, "share_payroll", values)
    assert u.npv_at(model, values)[0] == pytest.approx(slow, abs=1e-6)
