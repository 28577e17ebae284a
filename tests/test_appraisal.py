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


def test_discount_factors_broadcast_over_a_leading_axis_of_draws():
    # draw 1 at 10%: 1, 1 / 1.1, 1 / 1.21; draw 2 at 0%: 1, 1, 1
    rates = np.array([[0.10, 0.10, 0.10], [0.0, 0.0, 0.0]])
    np.testing.assert_allclose(
        appraisal.discount_factors(rates), [[1, 1 / 1.1, 1 / 1.21], [1, 1, 1]]
    )


def test_a_running_total_back_to_exactly_zero_has_paid_back():
    # cumulative -100, 0: non-negative from 2012/13 (index 1)
    assert appraisal.payback_index(np.array([-100.0, 100.0])) == 1


def test_payback_ignores_a_running_total_within_a_rounding_residue_of_zero():
    # set-up 100,000.10 and 200,000.20, saving 300,000.30: the running total is
    # 0 in exact arithmetic but -5.8e-11 in floating point; it has paid back in
    # year 2 all the same
    net = np.array([-100_000.10, -200_000.20, 300_000.30])
    assert np.cumsum(net)[-1] < 0
    assert appraisal.payback_index(net) == 2


def test_a_deficit_of_exactly_the_residue_tolerance_still_counts_as_paid_back():
    # cumulative -100, 0, -0.000001: within 1e-6 GBP of zero from index 1 on
    assert appraisal.payback_index(np.array([-100.0, 100.0, -1e-6])) == 1


def test_a_deficit_of_half_a_pound_is_not_a_rounding_residue():
    # cumulative -100, -0.50: never paid back
    assert appraisal.payback_index(np.array([-100.0, 99.5])) == -1


def test_a_first_year_without_flows_then_savings_pays_back_from_the_first_year():
    # cumulative 0, 5: never negative, and not every flow is zero
    assert appraisal.payback_index(np.array([0.0, 5.0])) == 0


def test_payback_is_found_for_each_row_of_a_table_of_services():
    # two services over three years (not a square table):
    # cumulative -100, -40, 20 -> index 2; 5, 10, 15 -> index 0
    net = np.array([[-100.0, 60.0, 60.0], [5.0, 5.0, 5.0]])
    assert appraisal.payback_index(net).tolist() == [2, 0]


def test_present_values_are_each_years_flow_times_its_factor():
    # -100 x 1 = -100; 110 x 1 / 1.1 = 100
    np.testing.assert_allclose(
        appraisal.present_value(np.array([-100.0, 110.0]), np.array([1.0, 1 / 1.1])),
        [-100.0, 100.0],
    )
