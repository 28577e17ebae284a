"""Tests for models.model.severance: hand-worked statutory cases, policy, strain, bad input.

Every expected figure is worked by hand in a comment next to it.  Statutory weeks
follow ERA 1996 s.162: the year counted back k years from the relevant date starts
at completed age (A - k), where A is the completed age on the relevant date.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from models.cli.severance import severance
from models.core.errors import InputError
from models.inputs.severance import (
    SeverancePolicy,
    load_severance_policies,
    load_staff_table,
)
from models.model.severance import (
    aggregate_severance,
    cost_staff,
    minimum_pension_age,
    relevant_date,
    severance_by_service,
    statutory_notice_weeks,
    statutory_redundancy_pay,
    weekly_pay_cap,
    weeks_by_age_band,
)
from models.reference import load_reference

HERE = Path(__file__).parent
ROOT = HERE.parent
POLICY_FILE = HERE / "severance_policy.yaml"
BAD = HERE / "bad_inputs" / "severance"
STAFF_2011 = ROOT / "scenarios" / "staff_at_risk_2011.csv"

STRAIN = {
    "normal_pension_age": 65,
    "reduction_per_year_early": 0.05,
    "capitalisation_factor": 20,
}


def policy(**changes) -> SeverancePolicy:
    """Statutory-minimum policy (capped pay, x1, no pay in lieu) with changes."""
    base = {
        "pay_basis": "capped",
        "multiplier": 1.0,
        "maximum_weeks": 104,
        "pays_in_lieu_of_notice": False,
        "employer_on_cost_rate": 0.0,
        "strain": STRAIN,
    }
    return SeverancePolicy.model_validate({**base, **changes})


def person(**changes) -> dict:
    """One row of a staff frame in the standard columns of load_staff_table."""
    row = {
        "post": "Officer",
        "service": "hr_od",
        "council": "bdc",
        "leaving_date": pd.Timestamp("2011-09-30"),
        "date_of_birth": pd.NaT,
        "age": np.nan,
        "service_start": pd.NaT,
        "years_of_service": np.nan,
        "weekly_pay": 500.0,
        "pension_member": False,
        "annual_pension_accrued": 0.0,
        "notice_worked": True,
        "contractual_notice_weeks": 0.0,
        "fund_strain_cost": np.nan,
    }
    for key, value in changes.items():
        if key in ("leaving_date", "date_of_birth", "service_start"):
            value = pd.Timestamp(value)
        row[key] = value
    return row


def cost_one(pol: SeverancePolicy | None = None, **changes) -> pd.Series:
    frame = pd.DataFrame([person(**changes)])
    return cost_staff(frame, {"bdc": pol or policy()}).iloc[0]


# --------------------------------------------------------------------------------------
# Statutory weeks by age band (ERA s.162)
# --------------------------------------------------------------------------------------


def test_only_the_last_twenty_years_count():
    # Age 61, 25 years: the last 20 years start at ages 60..41, all 41+: 20 x 1.5 = 30.
    assert weeks_by_age_band(61, 25) == 30.0
    assert weeks_by_age_band(61, 20) == 30.0
    # 19 years: 19 x 1.5 = 28.5.
    assert weeks_by_age_band(61, 19) == 28.5


def test_a_year_begun_at_21_counts_half_and_one_begun_at_22_counts_one():
    # Age 22, 2 years: years start at 21 and 20 -> 0.5 + 0.5 = 1.0.
    assert weeks_by_age_band(22, 2) == 1.0
    # Age 23, 2 years: years start at 22 and 21 -> 1 + 0.5 = 1.5.
    assert weeks_by_age_band(23, 2) == 1.5
    # Age 24, 3 years: 23, 22, 21 -> 1 + 1 + 0.5 = 2.5.
    assert weeks_by_age_band(24, 3) == 2.5


def test_a_year_begun_at_40_counts_one_and_one_begun_at_41_counts_one_and_a_half():
    # Age 41, 2 years: years start at 40 and 39 -> 1 + 1 = 2.0 (not 41 throughout).
    assert weeks_by_age_band(41, 2) == 2.0
    # Age 42, 2 years: 41 and 40 -> 1.5 + 1 = 2.5.
    assert weeks_by_age_band(42, 2) == 2.5
    # Age 41, 20 years: 40..22 are 19 years at 1, 21 is 0.5 -> 19.5 (ready reckoner).
    assert weeks_by_age_band(41, 20) == 19.5


def test_under_two_full_years_gives_nothing():
    # 1.99 years is 1 full year, under the 2-year qualifying period.
    assert weeks_by_age_band(50, 1.99) == 0.0
    assert statutory_redundancy_pay(50, 1.99, 500.0, dt.date(2011, 6, 1)) == 0.0
    # Through dates: 1 April 2009 to 31 March 2011 is 1 completed year -> 0.
    row = cost_one(
        date_of_birth="1960-01-01",
        service_start="2009-04-01",
        leaving_date="2011-03-31",
    )
    assert row["years_counted"] == 0 and row["statutory_pay"] == 0.0


def test_a_birthday_on_the_relevant_date_moves_a_year_into_the_higher_band():
    # Born 1 March 1970, 10 years' service, notice worked.  On 28 Feb 2011 aged 40:
    # years start 39..30 -> 10 x 1 = 10 weeks.  On 1 March 2011 aged 41: still
    # 40..31 -> 10 weeks.  On 1 March 2012 aged 42 with 11 years: 41 -> 1.5, then
    # 40..31 -> 10: 11.5 weeks.
    common = {"date_of_birth": "1970-03-01", "service_start": "2001-02-01"}
    assert cost_one(leaving_date="2011-02-28", **common)["statutory_weeks"] == 10.0
    assert cost_one(leaving_date="2011-03-01", **common)["statutory_weeks"] == 10.0
    assert cost_one(leaving_date="2012-03-01", **common)["statutory_weeks"] == 11.5
    # The day before: aged 41 on 29 Feb 2012, years start 40..30 -> 11 x 1 = 11.
    assert cost_one(leaving_date="2012-02-29", **common)["statutory_weeks"] == 11.0


def obvious_weeks(age: int, years: float) -> float:
    """Row-by-row s.162: walk back year by year and look at the age at its start."""
    full = int(np.floor(years))
    if full < 2:
        return 0.0
    weeks = 0.0
    for k in range(1, min(full, 20) + 1):
        age_at_start = age - k
        if age_at_start >= 41:
            weeks += 1.5
        elif age_at_start >= 22:
            weeks += 1.0
        else:
            weeks += 0.5
    return weeks


@given(
    st.lists(st.tuples(st.integers(16, 80), st.floats(0, 60)), min_size=1, max_size=50)
)
def test_the_vectorised_weeks_agree_with_the_year_by_year_count(people):
    ages = np.array([a for a, _ in people])
    years = np.array([y for _, y in people])
    expected = [obvious_weeks(a, y) for a, y in people]
    assert weeks_by_age_band(ages, years).tolist() == expected


# --------------------------------------------------------------------------------------
# Cap, notice and relevant date
# --------------------------------------------------------------------------------------


def test_the_cap_rises_from_380_to_400_on_1_february_2011():
    # Age 45, 10 years: 4 x 1.5 + 6 x 1 = 12 weeks; pay £500 a week above both caps.
    # 31 Jan 2011: 12 x 380 = 4,560.  1 Feb 2011: 12 x 400 = 4,800.
    assert statutory_redundancy_pay(45, 10, 500.0, dt.date(2011, 1, 31)) == 4560.0
    assert statutory_redundancy_pay(45, 10, 500.0, dt.date(2011, 2, 1)) == 4800.0
    # Pay below the cap is not raised: 12 x 300 = 3,600.
    assert statutory_redundancy_pay(45, 10, 300.0, dt.date(2011, 2, 1)) == 3600.0


def test_the_cap_table_matches_the_issue():
    caps = load_reference("statutory_redundancy_weekly_pay_cap")["values"]
    assert {d.isoformat(): v for d, v in caps.items()} == {
        "2009-02-01": 350,
        "2009-10-01": 380,
        "2011-02-01": 400,
        "2012-02-01": 430,
        "2013-02-01": 450,
        "2014-04-06": 464,
        "2015-04-06": 475,
        "2016-04-06": 479,
        "2017-04-06": 489,
        "2018-04-06": 508,
        "2019-04-06": 525,
        "2020-04-06": 538,
        "2021-04-06": 544,
        "2022-04-06": 571,
        "2023-04-06": 643,
        "2024-04-06": 700,
        "2025-04-06": 719,
        "2026-04-06": 751,
    }
    assert weekly_pay_cap(dt.date(2026, 4, 5)) == 719.0
    assert weekly_pay_cap(dt.date(2026, 4, 6)) == 751.0


def test_statutory_notice_is_one_week_a_full_year_from_two_to_twelve():
    # <1 month: 0; 1 month to <2 years: 1; 2..12 full years: 2..12; over 12: 12.
    got = statutory_notice_weeks([0.0, 1 / 12, 1.5, 2.0, 2.99, 12.0, 30.0]).tolist()
    assert got == [0.0, 1.0, 1.0, 2.0, 2.0, 12.0, 12.0]


def test_notice_not_worked_extends_the_relevant_date_by_statutory_notice():
    # 4 weeks = 28 days after 21 Jan 2011 is 18 Feb 2011.
    assert relevant_date(dt.date(2011, 1, 21), 4, False) == dt.date(2011, 2, 18)
    assert relevant_date(dt.date(2011, 1, 21), 4, True) == dt.date(2011, 1, 21)


def test_pay_in_lieu_pushes_the_relevant_date_into_the_next_cap_year():
    # Age 50 at leaving 21 Jan 2011 (born 1 June 1960), start 1 Jan 2007: 4 full
    # years -> 4 weeks' statutory notice.  Worked: relevant date 21 Jan 2011, cap
    # 380; years start at 49..46 -> 4 x 1.5 = 6 weeks x 380 = 2,280.  Paid in lieu:
    # relevant date 18 Feb 2011, cap 400 -> 6 x 400 = 2,400.
    common = {
        "date_of_birth": "1960-06-01",
        "service_start": "2007-01-01",
        "leaving_date": "2011-01-21",
    }
    worked = cost_one(notice_worked=True, **common)
    in_lieu = cost_one(notice_worked=False, **common)
    assert worked["statutory_pay"] == 2280.0
    assert in_lieu["relevant_date"] == pd.Timestamp("2011-02-18")
    assert in_lieu["statutory_pay"] == 2400.0


def test_the_relevant_date_extension_can_add_a_year_of_service():
    # Start 1 March 2005, leaving 15 Feb 2011: 5 full years -> 5 weeks' notice;
    # not worked -> relevant date 15 Feb + 35 days = 22 March 2011: 6 full years.
    row = cost_one(
        age=30,
        service_start="2005-03-01",
        leaving_date="2011-02-15",
        notice_worked=False,
    )
    assert row["relevant_date"] == pd.Timestamp("2011-03-22")
    assert row["years_counted"] == 6


def test_prior_local_authority_service_counts_under_the_1999_order(tmp_path):
    # Current job from 1 April 2008, continuous LA service from 1 April 2001; leaving
    # 31 March 2011 aged 40 (given): 9 full years, not 2.  Years start 39..31 -> 9
    # weeks x min(500, 400) = 3,600.
    path = tmp_path / "staff.csv"
    path.write_text(
        "post,service,council,age,start_date,continuous_service_start,weekly_pay,"
        "pension_member,annual_pension_accrued,notice_worked,leaving_date\n"
        "Officer,hr_od,bdc,40,2008-04-01,2001-04-01,500,no,,yes,2011-03-31\n"
    )
    costed = cost_staff(load_staff_table(path), {"bdc": policy()})
    assert costed.loc[0, "years_counted"] == 9
    assert costed.loc[0, "statutory_pay"] == 3600.0


# --------------------------------------------------------------------------------------
# Discretionary compensation, pay in lieu, pension strain
# --------------------------------------------------------------------------------------


def test_an_actual_pay_policy_tops_up_the_capped_statutory_pay():
    # Age 50, 20 years (start ages 49..30: 9 x 1.5 + 11 x 1 = 24.5 weeks), £600 a week,
    # relevant date 30 Sep 2011 (cap 400).  Statutory 24.5 x 400 = 9,800.
    # Policy actual pay x 2: min(49, 104) weeks x 600 = 29,400; top-up 19,600.
    row = cost_one(
        policy(pay_basis="actual", multiplier=2.0),
        age=50,
        years_of_service=20,
        weekly_pay=600.0,
    )
    assert row["statutory_weeks"] == 24.5
    assert row["statutory_pay"] == 9800.0
    assert row["discretionary_top_up"] == pytest.approx(19600.0, abs=1e-9)


def test_the_policy_maximum_limits_the_weeks():
    # Same person, multiplier 3 -> 73.5 weeks, policy maximum 60 -> 60 x 600 = 36,000;
    # top-up 36,000 - 9,800 = 26,200.
    row = cost_one(
        policy(pay_basis="actual", multiplier=3.0, maximum_weeks=60),
        age=50,
        years_of_service=20,
        weekly_pay=600.0,
    )
    assert row["policy_weeks"] == 60.0
    assert row["discretionary_top_up"] == pytest.approx(26200.0, abs=1e-9)


def test_statutory_and_discretionary_together_never_exceed_104_weeks():
    # Age 61, 20 years: 30 weeks.  Multiplier 4 -> 120 weeks, cut to 104 (reg 6).
    # Actual pay £600: 104 x 600 = 62,400; statutory 30 x 400 = 12,000; top-up 50,400.
    row = cost_one(
        policy(pay_basis="actual", multiplier=4.0, maximum_weeks=104),
        age=61,
        years_of_service=20,
        weekly_pay=600.0,
    )
    assert row["policy_weeks"] == 104.0
    assert row["statutory_pay"] + row["discretionary_top_up"] == pytest.approx(62400.0)
    assert row["discretionary_top_up"] == pytest.approx(50400.0)


def test_a_policy_maximum_over_104_weeks_is_rejected():
    with pytest.raises(ValueError, match="104"):
        policy(maximum_weeks=105)


def test_a_capped_policy_multiplies_the_capped_week():
    # Age 30, 5 years (29..25 -> 5 x 1 = 5 weeks), £600 a week, cap 400.
    # Capped x 2: 10 x 400 = 4,000; statutory 5 x 400 = 2,000; top-up 2,000.
    row = cost_one(policy(multiplier=2.0), age=30, years_of_service=5, weekly_pay=600.0)
    assert row["discretionary_top_up"] == 2000.0


def test_pay_in_lieu_is_paid_only_when_notice_is_not_worked():
    # Age 30, 5 years -> 5 weeks' notice; £500 a week; on-costs 12.8%:
    # 5 x 500 x 1.128 = 2,820 in lieu; nothing when the notice is worked.
    pol = policy(pays_in_lieu_of_notice=True, employer_on_cost_rate=0.128)
    not_worked = cost_one(pol, age=30, years_of_service=5, notice_worked=False)
    worked = cost_one(pol, age=30, years_of_service=5, notice_worked=True)
    assert not_worked["pay_in_lieu"] == pytest.approx(2820.0)
    assert worked["pay_in_lieu"] == 0.0
    # A policy that does not pay in lieu costs none either.
    none = cost_one(policy(), age=30, years_of_service=5, notice_worked=False)
    assert none["pay_in_lieu"] == 0.0


def test_contractual_notice_longer_than_statutory_is_paid_in_lieu():
    # 5 years -> 5 weeks statutory, contract says 12: 12 x 500 = 6,000 in lieu.
    # The relevant date still moves by the statutory 5 weeks only (35 days).
    pol = policy(pays_in_lieu_of_notice=True)
    row = cost_one(
        pol,
        age=30,
        years_of_service=5,
        notice_worked=False,
        contractual_notice_weeks=12.0,
    )
    assert row["pay_in_lieu"] == 6000.0
    assert row["relevant_date"] == pd.Timestamp("2011-09-30") + pd.Timedelta(days=35)


def test_a_member_of_58_gets_a_strain_estimate_with_the_stated_factors():
    # Pension £8,000 a year, age 58, NPA 65: 7 years x 5% = 35% waived,
    # x capitalisation 20 -> 8,000 x 0.35 x 20 = 56,000, flagged as an estimate.
    row = cost_one(
        age=58, years_of_service=10, pension_member=True, annual_pension_accrued=8000.0
    )
    assert row["pension_strain"] == pytest.approx(56000.0)
    assert row["is_strain_estimate"]


def test_the_fund_actuarys_strain_figure_replaces_the_estimate():
    row = cost_one(
        age=58,
        years_of_service=10,
        pension_member=True,
        annual_pension_accrued=8000.0,
        fund_strain_cost=61250.0,
    )
    assert row["pension_strain"] == 61250.0
    assert not row["is_strain_estimate"]


def test_no_strain_under_the_minimum_pension_age_or_for_non_members():
    under = cost_one(
        age=54, years_of_service=10, pension_member=True, annual_pension_accrued=8000.0
    )
    non_member = cost_one(age=60, years_of_service=10, pension_member=False)
    assert under["pension_strain"] == 0.0 and not under["is_strain_estimate"]
    assert non_member["pension_strain"] == 0.0


def test_the_minimum_pension_age_rises_to_57_on_6_april_2028():
    assert minimum_pension_age(dt.date(2028, 4, 5)) == 55.0
    assert minimum_pension_age(dt.date(2028, 4, 6)) == 57.0
    assert minimum_pension_age(dt.date(2010, 4, 5)) == 50.0
    # Aged 56 leaving 5 April 2028 -> strain; leaving 6 April 2028 -> none.
    member = {
        "age": 56,
        "years_of_service": 10,
        "pension_member": True,
        "annual_pension_accrued": 8000.0,
    }
    assert cost_one(leaving_date="2028-04-05", **member)["pension_strain"] > 0
    assert cost_one(leaving_date="2028-04-06", **member)["pension_strain"] == 0.0


def test_strain_eligibility_uses_the_age_on_the_leaving_date_not_the_relevant_date():
    # Born 1 Nov 1956: aged 54 when leaving 30 Sep 2011 though 55 by the relevant
    # date (12 weeks' notice in lieu -> 23 Dec 2011); the pension cannot start at 54.
    row = cost_one(
        date_of_birth="1956-11-01",
        service_start="1990-01-01",
        notice_worked=False,
        pension_member=True,
        annual_pension_accrued=8000.0,
    )
    assert row["age"] == 55
    assert row["pension_strain"] == 0.0


# --------------------------------------------------------------------------------------
# Totals, aggregate mode, properties
# --------------------------------------------------------------------------------------


def test_eight_voluntary_redundancies_at_the_seed_average_cost_110k():
    # Seed 002 para 3.1.5 e: 8 CCTV & Lifeline VCRs cost £110k: 8 x 13,750 = 110,000.
    assert aggregate_severance(8, 13_750.0) == 110_000.0
    assert aggregate_severance([8, 2], [13_750.0, 1_000.0]).tolist() == [110000, 2000]


def test_the_service_totals_sum_to_the_per_person_totals():
    policies = load_severance_policies(POLICY_FILE)
    costed = cost_staff(load_staff_table(STAFF_2011), policies)
    by_service = severance_by_service(costed)
    assert by_service["total"].sum() == pytest.approx(costed["total"].sum())
    assert by_service["headcount"].sum() == len(costed)
    parts = costed[
        ["statutory_pay", "discretionary_top_up", "pay_in_lieu", "pension_strain"]
    ].sum(axis=1)
    assert np.allclose(parts, costed["total"])


def test_the_illustrative_staff_table_has_a_hand_checked_first_row():
    # HR and OD Manager, bdc: born 14 Aug 1956, LA service from 2 Sep 1985, leaves
    # 30 Sep 2011 with notice in lieu.  26 years -> 12 weeks' notice; relevant date
    # 30 Sep + 84 days = 23 Dec 2011; aged 55 with 26 years: last 20 start at
    # 54..35: 14 x 1.5 + 6 x 1 = 27 weeks x cap 400 = 10,800.  bdc policy: actual
    # pay 38,961 / 52 = 749.25 a week x min(1.5 x 27 = 40.5, 45) = 30,344.625;
    # top-up 19,544.625.  In lieu 12 x 749.25 x 1.128 = 10,141.848.  Strain: aged 55
    # at leaving, 10 years early x 5% = 50% x 20 x 11,200 = 112,000.
    costed = cost_staff(
        load_staff_table(STAFF_2011), load_severance_policies(POLICY_FILE)
    )
    first = costed.iloc[0]
    assert first["relevant_date"] == pd.Timestamp("2011-12-23")
    assert first["statutory_pay"] == 10800.0
    assert first["discretionary_top_up"] == pytest.approx(19544.625)
    assert first["pay_in_lieu"] == pytest.approx(10141.848)
    assert first["pension_strain"] == pytest.approx(112000.0)
    assert first["financial_year"] == "2011/12"


def test_costs_fall_in_the_financial_year_of_the_leaving_date():
    # Leaving 31 March 2012 with notice in lieu: relevant date in 2012/13 but the
    # payment is made on leaving, in 2011/12.
    row = cost_one(
        age=40, years_of_service=8, leaving_date="2012-03-31", notice_worked=False
    )
    assert row["relevant_date"] == pd.Timestamp("2012-05-26")  # + 8 weeks
    assert row["financial_year"] == "2011/12"


@settings(max_examples=200)
@given(
    age=st.integers(16, 80),
    years=st.floats(0, 64),
    pay=st.floats(0, 5000),
    day=st.dates(dt.date(2009, 2, 1), dt.date(2030, 12, 31)),
)
def test_statutory_pay_never_exceeds_thirty_capped_weeks(age, years, pay, day):
    assert statutory_redundancy_pay(age, years, pay, day) <= 30 * weekly_pay_cap(day)


@given(
    age=st.integers(16, 80),
    years=st.floats(0, 63),
    more=st.floats(0, 10),
    older=st.integers(0, 10),
)
def test_statutory_weeks_never_fall_with_more_service_or_age(age, years, more, older):
    assert weeks_by_age_band(age, years + more) >= weeks_by_age_band(age, years)
    assert weeks_by_age_band(age + older, years) >= weeks_by_age_band(age, years)


def obvious_statutory_pay(
    dob: dt.date, start: dt.date, leaving: dt.date, worked: bool, weekly_pay: float
) -> float:
    """Row-by-row statutory pay from dates, written out the long way."""

    def whole_years(a: dt.date, b: dt.date) -> int:
        return b.year - a.year - ((b.month, b.day) < (a.month, a.day))

    months = (leaving.year - start.year) * 12 + leaving.month - start.month
    months -= leaving.day < start.day
    full = months // 12
    notice = 0 if months < 1 else (1 if full < 2 else min(full, 12))
    relevant = leaving if worked else leaving + dt.timedelta(weeks=notice)
    caps = load_reference("statutory_redundancy_weekly_pay_cap")["values"]
    cap = [v for d, v in sorted(caps.items()) if d <= relevant][-1]
    weeks = obvious_weeks(whole_years(dob, relevant), whole_years(start, relevant))
    return weeks * min(weekly_pay, cap)


@settings(max_examples=50, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.dates(dt.date(1945, 1, 1), dt.date(1994, 12, 31)),  # date of birth
            st.integers(0, 40 * 365),  # days of service
            st.dates(dt.date(2010, 1, 1), dt.date(2027, 12, 31)),  # leaving date
            st.booleans(),
            st.floats(100, 2000),
        ),
        min_size=1,
        max_size=30,
    )
)
def test_the_vectorised_costing_agrees_with_the_row_by_row_one(rows):
    people = []
    for dob, days, leaving, worked, pay in rows:
        sixteenth = dob + dt.timedelta(days=16 * 366)
        start = min(max(leaving - dt.timedelta(days=days), sixteenth), leaving)
        people.append((dob, start, leaving, worked, pay))
    frame = pd.DataFrame(
        [
            person(
                date_of_birth=d,
                service_start=s,
                leaving_date=lv,
                notice_worked=w,
                weekly_pay=p,
            )
            for d, s, lv, w, p in people
        ]
    )
    costed = cost_staff(frame, {"bdc": policy()})
    expected = [obvious_statutory_pay(*p) for p in people]
    assert np.allclose(costed["statutory_pay"], expected)


# --------------------------------------------------------------------------------------
# Loading and bad input
# --------------------------------------------------------------------------------------


def test_an_excel_staff_table_loads_the_same_as_the_csv(tmp_path):
    csv = load_staff_table(STAFF_2011)
    xlsx = tmp_path / "staff.xlsx"
    pd.read_csv(STAFF_2011, dtype=str, keep_default_na=False).to_excel(
        xlsx, index=False
    )
    pd.testing.assert_frame_equal(load_staff_table(xlsx), csv)


def test_annual_pay_is_divided_by_52_for_a_weeks_pay():
    table = load_staff_table(STAFF_2011)
    assert table.loc[0, "weekly_pay"] == 38961 / 52


def test_a_default_policy_applies_to_a_council_without_its_own():
    frame = pd.DataFrame([person(council="wdc", age=30, years_of_service=5)])
    costed = cost_staff(frame, {"default": policy(multiplier=2.0)})
    # 5 weeks x 400 statutory, x2 capped -> 2,000 top-up.
    assert costed.loc[0, "discretionary_top_up"] == 2000.0


def test_a_default_leaving_date_fills_rows_without_one(tmp_path):
    path = tmp_path / "staff.csv"
    path.write_text(
        "post,service,council,age,years_of_service,weekly_pay,pension_member,"
        "annual_pension_accrued,notice_worked\n"
        "Officer,hr_od,bdc,30,5,500,no,,yes\n"
    )
    with pytest.raises(InputError, match="leaving_date"):
        load_staff_table(path)
    table = load_staff_table(path, default_leaving_date=dt.date(2012, 1, 31))
    assert table.loc[0, "leaving_date"] == pd.Timestamp("2012-01-31")


def test_the_policy_file_reads_both_councils():
    policies = load_severance_policies(POLICY_FILE)
    assert set(policies) == {"bdc", "rbc"}
    assert policies["bdc"].pay_basis == "actual"


def run_cli(*args: str):
    return CliRunner().invoke(severance, list(args))


def test_the_command_prints_totals_and_writes_the_csv(tmp_path):
    out = tmp_path / "costed.csv"
    result = run_cli(str(STAFF_2011), "--policy", str(POLICY_FILE), "--out", str(out))
    assert result.exit_code == 0, result.output
    assert "By service, council and financial year" in result.output
    written = pd.read_csv(out)
    assert len(written) == 15
    assert written["total"].sum() == pytest.approx(
        cost_staff(load_staff_table(STAFF_2011), load_severance_policies(POLICY_FILE))[
            "total"
        ].sum()
    )


@pytest.mark.parametrize(
    ("staff", "where"),
    [
        ("missing_column.csv", "column annual_pension_accrued"),
        ("start_after_leaving.csv", "data row 2 (file line 3), column start_date"),
        ("age_under_16.csv", "data row 2 (file line 3), column date_of_birth"),
        ("negative_pay.csv", "data row 2 (file line 3), column annual_pay"),
        ("unknown_jurisdiction.csv", "data row 2 (file line 3), column jurisdiction"),
        ("northern_ireland.csv", "data row 2 (file line 3), column jurisdiction"),
        ("bad_date.csv", "data row 2 (file line 3), column leaving_date"),
        ("bad_yes_no.csv", "data row 2 (file line 3), column pension_member"),
        ("unknown_council.csv", "data row 2 (file line 3), column council"),
    ],
)
def test_a_bad_staff_file_exits_2_naming_the_row_and_column(tmp_path, staff, where):
    out = tmp_path / "costed.csv"
    result = run_cli(str(BAD / staff), "--policy", str(POLICY_FILE), "--out", str(out))
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: {BAD / staff}: {where}: expected")
    assert "Traceback" not in result.output
    assert not out.exists()


@pytest.mark.parametrize(
    ("policy_file", "where"),
    [
        ("misspelt_policy_key.yaml", "severance_policies.bdc.multiplyer"),
        ("policy_over_104_weeks.yaml", "severance_policies.bdc.maximum_weeks"),
    ],
)
def test_a_bad_policy_file_exits_2_naming_the_key(tmp_path, policy_file, where):
    out = tmp_path / "costed.csv"
    result = run_cli(
        str(STAFF_2011), "--policy", str(BAD / policy_file), "--out", str(out)
    )
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: {BAD / policy_file}: {where}: expected")
    assert not out.exists()


def test_a_bad_default_leaving_date_exits_2(tmp_path):
    result = run_cli(
        str(STAFF_2011), "--policy", str(POLICY_FILE), "--leaving-date", "31/03/2012"
    )
    assert result.exit_code == 2
    assert "--leaving-date: expected a date as YYYY-MM-DD" in result.stderr


def test_a_staff_file_that_does_not_exist_exits_2(tmp_path):
    result = run_cli(str(tmp_path / "nope.csv"), "--policy", str(POLICY_FILE))
    assert result.exit_code == 2
    assert "no such file" in result.stderr


def test_every_problem_in_a_staff_file_is_reported_together(tmp_path):
    path = tmp_path / "staff.csv"
    path.write_text(
        "post,service,council,age,years_of_service,weekly_pay,pension_member,"
        "annual_pension_accrued,notice_worked,leaving_date\n"
        "A,hr_od,bdc,15,1,500,no,,yes,2011-09-30\n"
        "B,hr_od,bdc,30,5,-1,no,,yes,2011-09-30\n"
    )
    with pytest.raises(InputError) as caught:
        load_staff_table(path)
    message = str(caught.value)
    assert "data row 1 (file line 2), column age" in message
    assert "data row 2 (file line 3), column weekly_pay" in message
