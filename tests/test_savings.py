import numpy as np
import pytest

from models.model import savings


def test_part_year_effect_without_ramp_up():
    # go-live 1 January 2012 = month 9 of 2011/12: live 3 months -> 3/12
    np.testing.assert_allclose(savings.realisation_factor(9, [1.0], 3), [0.25, 1, 1])


def test_ramp_up_counts_years_from_go_live_not_financial_years():
    # live from October (month 6), ramp 50% in the first 12 months live, then 100%
    # 2011/12: Oct-Mar = 6 months x 0.5 / 12          = 0.25
    # 2012/13: Apr-Sep 6 x 0.5 + Oct-Mar 6 x 1.0 = 9 / 12 = 0.75
    # 2013/14: 12 x 1.0 / 12                          = 1.0
    np.testing.assert_allclose(
        savings.realisation_factor(6, [0.5, 1.0], 3), [0.25, 0.75, 1.0]
    )


def test_a_go_live_after_the_horizon_saves_nothing():
    np.testing.assert_allclose(savings.realisation_factor(40, [1.0], 3), [0, 0, 0])


def test_realisation_broadcasts_over_go_live_months():
    out = savings.realisation_factor(np.array([0, 12]), [1.0], 2)
    np.testing.assert_allclose(out, [[1, 1], [0, 1]])


def test_inflation_index_compounds_from_the_base_year():
    # 1.03 ** 2 = 1.0609
    np.testing.assert_allclose(savings.inflation_index(0.03, 3), [1, 1.03, 1.0609])


def test_optimism_bias_cuts_savings():
    # 100,000 x 1.0 x 1.0 x (1 - 0.2) = 80,000
    assert savings.gross_savings(100_000.0, 1.0, 1.0, 0.2) == 80_000.0


def test_part_year_fraction_of_a_january_go_live():
    # live January, February, March of year 0: 3/12; then whole years
    np.testing.assert_allclose(savings.part_year_fraction(9, 3), [0.25, 1.0, 1.0])


def test_staff_savings_are_inflated_by_the_pay_index_and_cut_by_optimism_bias():
    # 100,000 x 0.25 (live January to March) x 1.02 (pay index) x (1 - 0.1)
    #   = 25,000 x 1.02 x 0.9 = 22,950
    assert savings.gross_savings(
        np.array(100_000.0), np.array(0.25), np.array(1.02), 0.1
    ) == pytest.approx(22_950.0)


def test_nominal_savings_grow_with_the_price_index_year_by_year():
    # 120,000 x [0.25, 1, 1] x 1.05^t = 30,000; 126,000; 132,300
    index = savings.inflation_index(0.05, 3)
    np.testing.assert_allclose(
        savings.gross_savings(np.array(120_000.0), np.array([0.25, 1.0, 1.0]), index),
        [30_000, 126_000, 132_300],
    )
