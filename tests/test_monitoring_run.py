"""Monitoring reports in the run folder and the effect of a persisting variance."""

import pytest

from models.case import case_from_dict
from models.monitoring_run import variance_persists
from models.projection import run_option


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
