"""The severance rules at their edges, worked by hand (models/model/severance.py).

tests/test_severance.py costs people under the statute and a council's policy;
these tests pin each formula where a slip would not show in a typical person:
the 30-week maximum, ages with a fraction, notice of a month or of whole years
read from a spreadsheet, a policy below the statutory weeks, strain at or past
the normal pension age, the optional columns and the checks of a staff table.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from models.core.errors import InputError
from models.model.severance import (
    MAXIMUM_STATUTORY_WEEKS,
    cost_staff,
    council_shares_of_parts,
    discretionary_top_up,
    pension_strain_estimate,
    policy_terms,
    severance_by_service,
    statutory_notice_weeks,
    weeks_by_age_band,
)
from tests.test_severance import cost_one, person, policy

# ----------------------------------------------------------------- statutory weeks


def test_the_most_statutory_weeks_are_twenty_years_at_one_and_a_half_weeks():
    # aged 61 with 20 years: every year began at 41 or over: 20 x 1.5 = 30 weeks
    assert weeks_by_age_band(61, 20) == 30.0
    assert MAXIMUM_STATUTORY_WEEKS == 30.0


def test_an_age_with_a_fraction_counts_in_completed_years():
    # 41.5 is 41 completed years: the two years counted began at 40 and 39,
    # a week each = 2 weeks (at 42 the first would count 1.5: 2.5 weeks)
    assert weeks_by_age_band(41.5, 2) == 2.0


# ------------------------------------------------------------------ notice (s.86)


def test_thirty_days_service_is_under_a_month_and_earns_no_notice():
    # 30 / 365 = 0.0822 years, under one month (1 / 12 = 0.0833): no notice
    assert statutory_notice_weeks(30 / 365) == 0.0


def test_one_month_read_from_a_spreadsheet_a_hair_short_still_earns_a_week():
    # 13 / 12 - 1 = 0.08333333333333326 in floating point, a hair under 1 / 12:
    # one month all the same, so a week's notice
    assert 13 / 12 - 1 < 1 / 12
    assert statutory_notice_weeks(13 / 12 - 1) == 1.0


def test_three_years_read_from_a_spreadsheet_a_hair_short_earn_three_weeks():
    # 3 years stored as 2.9999999999999996 (a float one step below 3): three full
    # years of service, so three weeks' notice
    assert statutory_notice_weeks(np.nextafter(3.0, 0.0)) == 3.0


# ------------------------------------------------------ discretionary compensation


def test_a_policy_maximum_below_the_statutory_weeks_tops_up_nothing():
    # 30 statutory weeks at the £400 cap = 12,000 statutory; a policy maximum of
    # 20 weeks x £400 = 8,000 is less, so the top-up is 0, not negative
    assert discretionary_top_up(30, 600.0, 400.0, False, 1.0, 20) == 0.0


def test_under_two_years_service_gives_no_weeks_under_the_policy():
    # 1 year: no statutory weeks, so 2 x 0 = 0 policy weeks and no top-up
    row = cost_one(policy(multiplier=2.0), age=30, years_of_service=1)
    assert row["policy_weeks"] == 0.0
    assert row["discretionary_top_up"] == 0.0


# --------------------------------------------------------------------- pension strain


def test_a_member_leaving_past_the_normal_pension_age_has_no_strain():
    # aged 66, NPA 65: no year early, nothing waived
    assert pension_strain_estimate(8000.0, 66, 65, 0.05, 20) == 0.0


def test_the_reduction_waived_is_at_most_the_whole_pension():
    # aged 40, NPA 65: 25 years x 5% = 125%, capped at 100%: 1,000 x 1 x 20 = 20,000
    assert pension_strain_estimate(1000.0, 40, 65, 0.05, 20) == 20_000.0


def test_a_policys_own_minimum_pension_age_replaces_the_dated_one():
    # aged 58 leaving in 2011: the dated minimum is 55 (strain), the policy's 60
    # (no strain)
    member = {
        "age": 58,
        "years_of_service": 10,
        "pension_member": True,
        "annual_pension_accrued": 8000.0,
    }
    assert cost_one(policy(), **member)["pension_strain"] > 0
    own = cost_one(policy(minimum_pension_age=60), **member)
    assert own["pension_strain"] == 0.0 and not own["is_strain_estimate"]


def test_policy_terms_are_one_row_a_council_in_the_documented_columns():
    terms = policy_terms({"default": policy(minimum_pension_age=60)}, ["bdc", "rbc"])
    assert list(terms.columns) == [
        "is_actual_pay_basis",
        "multiplier",
        "maximum_weeks",
        "pays_in_lieu_of_notice",
        "employer_on_cost_rate",
        "minimum_pension_age",
        "normal_pension_age",
        "reduction_per_year_early",
        "capitalisation_factor",
    ]
    assert terms["minimum_pension_age"].tolist() == [60.0, 60.0]
    assert np.isnan(
        policy_terms({"default": policy()}, ["bdc"]).loc[0, "minimum_pension_age"]
    )


# ------------------------------------------------------------- the staff table


def test_without_the_optional_columns_there_is_no_contractual_notice_or_pension():
    # a fortnight's service (no statutory notice) not worked, with pay in lieu:
    # no contractual notice either, so nothing in lieu; a member of 58 with no
    # accrued pension column: an estimate of 0 x 35% x 20 = 0
    frame = pd.DataFrame(
        [
            person(age=30, years_of_service=0.04, notice_worked=False),
            person(age=58, years_of_service=10, pension_member=True),
        ]
    ).drop(columns=["contractual_notice_weeks", "annual_pension_accrued"])
    costed = cost_staff(frame, {"bdc": policy(pays_in_lieu_of_notice=True)})
    assert costed["pay_in_lieu"].tolist() == [0.0, 0.0]
    assert costed["pension_strain"].tolist() == [0.0, 0.0]


def test_a_default_leaving_date_fills_a_row_without_one_when_costing():
    frame = pd.DataFrame([person(age=30, years_of_service=5, leaving_date=pd.NaT)])
    costed = cost_staff(frame, {"bdc": policy()}, dt.date(2012, 1, 31))
    assert costed.loc[0, "leaving_date"] == pd.Timestamp("2012-01-31")
    assert costed.loc[0, "financial_year"] == "2011/12"


def test_a_row_without_a_leaving_date_is_refused_naming_its_row():
    # the second of three rows has none and there is no default
    frame = pd.DataFrame(
        [
            person(age=30, years_of_service=5),
            person(age=31, years_of_service=5, leaving_date=pd.NaT),
            person(age=32, years_of_service=5),
        ]
    )
    with pytest.raises(InputError) as error:
        cost_staff(frame, {"bdc": policy()})
    assert "data row 2 (file line 3), column leaving_date" in error.value.message


def test_service_totals_come_in_order_of_service_council_and_year():
    # rows given as (payroll, rbc, 2012/13), (hr_od, bdc, 2011/12),
    # (hr_od, bdc, 2012/13): totals sorted by service, then council, then year
    frame = pd.DataFrame(
        [
            person(
                service="payroll",
                council="rbc",
                leaving_date="2012-06-30",
                age=30,
                years_of_service=5,
            ),
            person(service="hr_od", council="bdc", age=30, years_of_service=5),
            person(
                service="hr_od",
                council="bdc",
                leaving_date="2012-06-30",
                age=30,
                years_of_service=5,
            ),
        ]
    )
    costed = cost_staff(frame, {"default": policy()})
    by_service = severance_by_service(costed)
    assert by_service[["service", "council", "financial_year"]].values.tolist() == [
        ["hr_od", "bdc", "2011/12"],
        ["hr_od", "bdc", "2012/13"],
        ["payroll", "rbc", "2012/13"],
    ]


def test_a_month_short_by_the_float_allowance_still_earns_a_week():
    # the allowance for float error is 1e-9 years: 1/12 - 1e-9 counts as a month
    assert statutory_notice_weeks(1 / 12 - 1e-9) == 1.0


def test_a_staff_table_indexed_by_post_is_costed_as_one_with_plain_row_numbers():
    frame = pd.DataFrame([person(age=30, years_of_service=5)])
    indexed = frame.set_index(pd.Index(frame["post"], name="post"))
    policies = {"bdc": policy()}
    pd.testing.assert_frame_equal(
        cost_staff(indexed, policies), cost_staff(frame, policies)
    )


# ------------------------------------------- council shares of a line in parts

ON_A = np.array([[[1.0, 1.0], [0.0, 0.0]]])  # one service, councils a and b, 2 years
ON_B = np.array([[[0.0, 0.0], [1.0, 1.0]]])


def test_a_line_in_two_parts_is_shared_in_proportion_to_each_part():
    # year 1: estimate 0.6 on a, quoted 0.4 on b (a total of exactly 1):
    #   a 0.6 / 1 = 0.6, b 0.4; year 2: 120 on a, 100 on b: 120 / 220, 100 / 220
    shares = council_shares_of_parts(
        [np.array([[0.6, 120.0]]), np.array([[0.4, 100.0]])], [ON_A, ON_B]
    )
    np.testing.assert_allclose(shares[0], [[0.6, 120 / 220], [0.4, 100 / 220]])


def test_a_line_without_a_second_part_keeps_the_first_parts_shares():
    # year 1 has nothing at all, year 2 only the first part: a's shares, 1 and 0
    shares = council_shares_of_parts(
        [np.array([[0.0, 50.0]]), np.array([[0.0, 0.0]])], [ON_A, ON_B]
    )
    np.testing.assert_allclose(shares[0], [[1.0, 1.0], [0.0, 0.0]])


def test_a_second_part_of_fifty_pence_still_counts():
    # year 1: 0.50 quoted on b and nothing on a: all of it b's
    shares = council_shares_of_parts(
        [np.array([[0.0, 0.0]]), np.array([[0.5, 0.0]])], [ON_A, ON_B]
    )
    np.testing.assert_allclose(shares[0][:, 0], [0.0, 1.0])


def test_parts_and_shares_must_come_in_pairs():
    with pytest.raises(ValueError):
        council_shares_of_parts(
            [np.array([[1.0, 1.0]]), np.array([[1.0, 1.0]])], [ON_A]
        )
