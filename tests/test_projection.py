"""The yearly model of one option, worked by hand on tests/conftest.py SMALL_CASE."""

import numpy as np
import pytest

from models.engine.cases import case_from_dict
from models.engine.projection import check_totals, run_option, yearly_table


def test_small_case_yearly_lines_by_hand(small_case_dict):
    r = run_option(case_from_dict(small_case_dict), "share_payroll")
    t = yearly_table(r.long)
    # savings: 120,000 a year, live from 1 Jan 2012 -> 3/12 in 2011/12 = 30,000
    np.testing.assert_allclose(t.loc["Savings"], [30_000, 120_000, 120_000])
    # one-off costs all in 2011/12: ICT 50,000; severance 40,000 + 20,000
    np.testing.assert_allclose(t.loc["Costs|Set-up"], [50_000, 0, 0])
    np.testing.assert_allclose(t.loc["Costs|Severance"], [60_000, 0, 0])
    # net = 30,000 - 50,000 - 60,000 = -80,000
    np.testing.assert_allclose(t.loc["Net saving"], [-80_000, 120_000, 120_000])
    np.testing.assert_allclose(
        t.loc["Cumulative net saving"], [-80_000, 40_000, 160_000]
    )


def test_small_case_npv_payback_and_economic_view_by_hand(small_case_dict):
    r = run_option(case_from_dict(small_case_dict), "share_payroll")
    # NPV at 10%: -80,000 + 120,000/1.1 + 120,000/1.21
    #           = -80,000 + 109,090.909 + 99,173.554 = 128,264.463
    assert r.summary.npv == pytest.approx(128_264.4628, abs=1e-3)
    # economic view leaves severance (60,000 in year 0) out: 128,264.463 + 60,000
    assert r.summary.npv_economic == pytest.approx(188_264.4628, abs=1e-3)
    # cumulative -80,000 then +40,000: pays back in 2012/13
    assert r.summary.payback_year == "2012/13"


def test_small_case_councils_split_sixty_forty_and_sum_to_the_whole(small_case_dict):
    r = run_option(case_from_dict(small_case_dict), "share_payroll")
    # council a: 0.6 x 128,264.463 = 76,958.678; council b: 0.4 x = 51,305.785
    assert r.councils["a"].npv == pytest.approx(76_958.6777, abs=1e-3)
    assert r.councils["b"].npv == pytest.approx(51_305.7851, abs=1e-3)
    assert r.councils["a"].npv + r.councils["b"].npv == pytest.approx(
        r.summary.npv, abs=1e-9
    )
    assert check_totals(r.long).empty


def test_status_quo_has_no_flows_and_no_payback(small_case_dict):
    r = run_option(case_from_dict(small_case_dict), "status_quo")
    assert r.summary.npv == 0.0
    assert r.summary.payback_year is None


def test_optimism_bias_raises_costs_and_cuts_savings(small_case_dict):
    small_case_dict["settings"]["optimism_bias"] = {"costs": 0.1, "savings": 0.2}
    t = yearly_table(run_option(case_from_dict(small_case_dict), "share_payroll").long)
    # savings 30,000 x 0.8 = 24,000; set-up 50,000 x 1.1 = 55,000; severance 60,000 x 1.1
    np.testing.assert_allclose(t.loc["Savings"], [24_000, 96_000, 96_000])
    np.testing.assert_allclose(t.loc["Costs|Set-up"], [55_000, 0, 0])
    np.testing.assert_allclose(t.loc["Costs|Severance"], [66_000, 0, 0])


def test_nominal_basis_inflates_staff_savings_with_pay(small_case_dict):
    small_case_dict["settings"]["price_basis"] = "nominal"
    small_case_dict["settings"]["inflation"] = {
        "pay": 0.02,
        "non_pay": 0.05,
        "general": 0.0,
    }
    t = yearly_table(run_option(case_from_dict(small_case_dict), "share_payroll").long)
    # staff savings x 1.02^t: 30,000; 122,400; 124,848
    np.testing.assert_allclose(t.loc["Savings"], [30_000, 122_400, 124_848])


def test_an_option_override_changes_only_what_it_names(small_case_dict):
    small_case_dict["options"]["late"] = {
        "title": "Late",
        "description": "Go live a year later.",
        "overrides": {"services.payroll.go_live": "2013-01-01"},
    }
    t = yearly_table(run_option(case_from_dict(small_case_dict), "late").long)
    # live from Jan 2013: 0 in 2011/12, 3/12 x 120,000 = 30,000 in 2012/13
    np.testing.assert_allclose(t.loc["Savings"], [0, 30_000, 120_000])
    np.testing.assert_allclose(t.loc["Costs|Set-up"], [50_000, 0, 0])


def test_set_up_cost_profile_spreads_the_cost(small_case_dict):
    small_case_dict["services"]["payroll"]["set_up_costs"] = [
        {
            "category": "ict",
            "amount": 50000,
            "profile": {"2011/12": 0.6, "2012/13": 0.4},
        }
    ]
    t = yearly_table(run_option(case_from_dict(small_case_dict), "share_payroll").long)
    np.testing.assert_allclose(t.loc["Costs|Set-up|ICT"], [30_000, 20_000, 0])


def test_a_service_project_type_sets_its_own_optimism_bias(small_case_dict):
    small_case_dict["services"]["payroll"]["optimism_bias"] = {
        "project_type": "equipment_development",
        "measure": "capex",
        "mitigation": 0.75,
    }
    t = yearly_table(run_option(case_from_dict(small_case_dict), "share_payroll").long)
    # Green Book supplementary guidance Table 1: equipment/development capex upper
    # bound 200%; after 75% mitigation 2.0 x 0.25 = 0.5 -> set-up 50,000 x 1.5
    np.testing.assert_allclose(t.loc["Costs|Set-up"], [75_000, 0, 0])
    # a capex uplift is for set-up (capital) costs: severance takes the case-wide
    # uplift (none here), so 40,000 + 20,000 = 60,000 (issue 15 item 5)
    np.testing.assert_allclose(t.loc["Costs|Severance"], [60_000, 0, 0])


def test_projection_broadcasts_over_a_leading_draw_axis(small_case_dict):
    from models.engine.projection import compile_option, council_lines, project

    a = compile_option(case_from_dict(small_case_dict), "share_payroll")
    draws = a.replaced(
        full_year_savings=a.full_year_savings[None]
        * np.array([1.0, 0.5])[:, None, None],
        optimism_bias_costs=np.zeros((2, 1)),
        optimism_bias_savings=np.zeros((2, 1)),
    )
    p = project(draws)
    lines = council_lines(draws, p)
    assert lines["net"].shape == (2, 2, 3)  # draws x councils x years
    # draw 2 halves the savings: 15,000 / 60,000 / 60,000 to council a at 60%
    np.testing.assert_allclose(lines["savings"][1, 0], [9_000, 36_000, 36_000])


def test_one_off_costs_after_year_0_are_inflated_by_category_in_nominal_prices(
    small_case_dict,
):
    # Nominal prices: pay 2%, non-pay 5% a year; optimism bias on costs 10%.
    small_case_dict["settings"]["price_basis"] = "nominal"
    small_case_dict["settings"]["inflation"] = {
        "pay": 0.02,
        "non_pay": 0.05,
        "general": 0.0,
    }
    small_case_dict["settings"]["optimism_bias"] = {"costs": 0.1, "savings": 0.0}
    payroll = small_case_dict["services"]["payroll"]
    payroll["set_up_costs"] = [
        {
            "category": "ict",
            "amount": 50000,
            "profile": {"2011/12": 0.6, "2012/13": 0.4},
        },
        {"category": "project_team", "amount": 10000, "year": "2013/14"},
    ]
    payroll["severance"]["year"] = "2012/13"
    t = yearly_table(run_option(case_from_dict(small_case_dict), "share_payroll").long)
    # ICT is non-pay: 50,000 x 0.6 x 1.1 = 33,000 in 2011/12;
    #                 50,000 x 0.4 x 1.05 x 1.1 = 20,000 x 1.155 = 23,100 in 2012/13
    np.testing.assert_allclose(t.loc["Costs|Set-up|ICT"], [33_000, 23_100, 0])
    # the project team is pay: 10,000 x 1.02^2 x 1.1 = 10,000 x 1.0404 x 1.1 = 11,444.40
    np.testing.assert_allclose(t.loc["Costs|Set-up|Project team"], [0, 0, 11_444.40])
    # severance follows pay: 40,000 x 1.02 x 1.1 = 44,880; 20,000 x 1.122 = 22,440
    np.testing.assert_allclose(t.loc["Costs|Severance|Redundancy pay"], [0, 44_880, 0])
    np.testing.assert_allclose(t.loc["Costs|Severance|Pension strain"], [0, 22_440, 0])
