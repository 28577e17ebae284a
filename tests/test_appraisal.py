import numpy as np
import pytest

from models.model import appraisal


def test_year_zero_is_not_discounted_and_year_two_is_discounted_twice():
    # 1 / 1.035 = 0.966184; 1 / 1.035^2 = 0.933511
    f = appraisal.discount_factors(np.full(3, 0.035))
    assert f[0] == 1.0
    assert f[2] == pytest.approx(1 / 1.035**2)


def test_green_book_rate_declines_after_year_30():
    r = appraisal.green_book_rates(80)
    assert r[30] == 0.035 and r[31] == 0.03 and r[75] == 0.03 and r[76] == 0.025


def test_declining_schedule_discounts_each_year_at_its_own_rate():
    # factor[32] = 1 / (1.035^30 x 1.03^2)
    f = appraisal.discount_factors(appraisal.green_book_rates(33))
    assert f[32] == pytest.approx(1 / (1.035**30 * 1.03**2))


def test_npv_by_hand():
    # -100 + 60 / 1.1 + 60 / 1.21 = -100 + 54.5454 + 49.5868 = 4.1322
    f = appraisal.discount_factors(np.full(3, 0.10))
    assert appraisal.net_present_value(np.array([-100.0, 60, 60]), f) == pytest.approx(
        4.132231, abs=1e-6
    )


def test_payback_is_the_first_year_the_cumulative_stays_non_negative():
    # cumulative: -100, -40, 20, -10, 50 -> non-negative for good from index 4
    assert appraisal.payback_index(np.array([-100.0, 60, 60, -30, 60])) == 4
    # never recovers
    assert appraisal.payback_index(np.array([-100.0, 10, 10])) == -1
    # nothing happens: no payback to report
    assert appraisal.payback_index(np.zeros(3)) == -1
    # savings from day one: pays back in year 0
    assert appraisal.payback_index(np.array([5.0, 5.0])) == 0


def test_nominal_rate_combines_real_rate_and_inflation():
    # (1.035)(1.02) - 1 = 0.0557
    assert appraisal.nominal_rates(np.array([0.035]), 0.02)[0] == pytest.approx(0.0557)
