"""Monitoring reports in the run folder and the effect of a persisting variance."""

import pytest

from models.engine.cases import case_from_dict
from models.engine.monitoring import variance_persists
from models.engine.projection import run_option


def test_a_persisting_shortfall_cuts_savings_not_costs_by_hand(small_case_dict):
    # SMALL_CASE at 10%: net -80,000 / 120,000 / 120,000 (savings 30k / 120k / 120k).
    # A 25% shortfall from 2012/13: savings 90,000 in 2012/13 and 2013/14, so
    # net -80,000 / 90,000 / 90,000; NPV = -80,000 + 90,000/1.1 + 90,000/1.21
    #   = -80,000 + 81,818.182 + 74,380.165 = 76,198.347
    r = run_option(case_from_dict(small_case_dict), "share_payroll")
    out = variance_persists(r, -0.25, "2012/13")
    assert out["planned_npv"] == pytest.approx(128_264.4628, abs=1e-3)
    assert out["forecast_npv"] == pytest.approx(76_198.3471, abs=1e-3)
    assert out["npv_effect"] == pytest.approx(76_198.3471 - 128_264.4628, abs=1e-3)
    # cumulative -80,000 then +10,000: still pays back in 2012/13
    assert out["forecast_payback_year"] == "2012/13"


def test_a_deep_shortfall_delays_payback(small_case_dict):
    # 75% shortfall from 2012/13: net -80,000 / 30,000 / 30,000 -> cumulative
    # -80,000, -50,000, -20,000: never pays back within the horizon
    r = run_option(case_from_dict(small_case_dict), "share_payroll")
    assert variance_persists(r, -0.75, "2012/13")["forecast_payback_year"] is None


def test_budgets_can_come_from_the_approved_case_split_by_basis():
    from models.engine.monitoring import load_actuals
    from models.model.monitoring import variance_table
    from tests.conftest import ROOT

    a = load_actuals(ROOT / "tests" / "data" / "actuals_2012_13_from_case.yaml")
    rows = a.rows.set_index("line_id")
    # Budgets are the planned savings, before the appraisal's optimism bias.
    # hr_od: 95,000 a year of staff savings, live 1 Oct 2011, ramp-up 50% then 100%:
    # 2012/13 = (6 months x 0.5 + 6 months x 1.0) / 12 = 0.75 -> 95,000 x 0.75
    # = 71,250; equal shares 71,250 / 2 = 35,625 each council
    assert rows.loc["hr_od", "budget_bdc"] == pytest.approx(35_625)
    assert rows.loc["hr_od", "budget_rbc"] == pytest.approx(35_625)
    # land_charges: 25,000 a year from 1 Oct 2011, no ramp-up: 25,000 in 2012/13
    assert rows.loc["land_charges", ["budget_bdc", "budget_rbc"]].sum() == (
        pytest.approx(25_000)
    )
    t = variance_table(a).set_index("line_id")
    # hr_od actual 60,000 against 71,250: shortfall 11,250 / 71,250 = 15.8% > 15%
    # -> red (it would be 11.4%, amber, against the optimism-biased 67,687.50)
    assert t.loc["hr_od", "variance_pct"] == pytest.approx(-11_250 / 71_250)
    assert t.loc["hr_od", "status_rule"] == "red"
    # land_charges actual 25,000 against 25,000: no shortfall -> green
    assert t.loc["land_charges", "variance"] == pytest.approx(0)
    assert t.loc["land_charges", "status_rule"] == "green"
