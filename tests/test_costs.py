"""One-off costs in the year they fall, inflated and uplifted (models/model/costs.py)."""

import numpy as np
import pytest

from models.model import costs


def test_a_one_off_cost_falls_wholly_in_the_year_given():
    # 75,000 x 1.0 in year index 1 of a three-year horizon
    np.testing.assert_allclose(
        costs.one_off_cost_profile(75_000, {1: 1.0}, 3), [0, 75_000, 0]
    )


def test_a_profile_spreads_a_cost_by_its_fractions():
    # 50,000 x 0.6 = 30,000 in year 0; 50,000 x 0.4 = 20,000 in year 2
    np.testing.assert_allclose(
        costs.one_off_cost_profile(50_000, {0: 0.6, 2: 0.4}, 3), [30_000, 0, 20_000]
    )


def test_an_ict_cost_of_50_thousand_x_0_4_a_year_on_at_5_percent_and_10_percent_bias():
    # the probe: ICT 50,000 x 0.4 = 20,000 in 2023/24, one year after a
    # 2022/23 base year; non-pay index 1.05; optimism bias 10%:
    # 20,000 x 1.05 x 1.1 = 23,100
    profile = costs.one_off_cost_profile(50_000, {1: 0.4}, 2)
    uplifted = costs.uplifted_costs(profile, np.array([1.0, 1.05]), 0.1)
    np.testing.assert_allclose(uplifted, [0, 23_100])


def test_costs_are_uplifted_without_bias_by_default():
    # 100 x 1.2 x (1 + 0) = 120
    assert costs.uplifted_costs(np.array([100.0]), np.array([1.2]))[0] == pytest.approx(
        120.0
    )


def test_a_bias_per_service_broadcasts_over_years():
    # service 1: 100 x 1.1 x (1 + 0.2) = 132; service 2: 100 x 1.1 x (1 + 0.5) = 165
    uplifted = costs.uplifted_costs(
        np.full((2, 1), 100.0), np.array([1.1]), np.array([[0.2], [0.5]])
    )
    np.testing.assert_allclose(uplifted, [[132.0], [165.0]])
