"""Severance: statutory redundancy, discretionary compensation, notice, pension strain.

A finance lead costs a list of posts at risk person by person under the council's
own policy, then sums by service, council and financial year.  The rules:

* **Statutory redundancy pay** (Employment Rights Act 1996 s.162): at least 2 full
  years' continuous employment; full years counted back from the *relevant date*,
  at most 20; for each year 1.5 weeks' pay if the employee was not below 41
  throughout it, 1 week if not below 22 throughout it, otherwise 0.5 week.  A
  week's pay (ss.220-229) is capped at the statutory maximum in force on the
  relevant date (s.227; dated data in
  ``models/reference/statutory_redundancy_weekly_pay_cap.yaml``).
* **Relevant date** (ERA s.145(5)): where less than the statutory notice of s.86
  is given (including pay in lieu of notice), the relevant date is the date on
  which statutory notice would have ended.
* **Statutory notice** (ERA s.86): one week after one month's employment; one
  week per full year of service from 2 to 12 years.
* **Continuity**: continuous service with other local authorities and listed
  bodies counts (Redundancy Payments (Continuity of Employment in Local
  Government, etc.) (Modification) Order 1999, SI 1999/2277); give it as
  ``continuous_service_start``.
* **Discretionary compensation** (Local Government (Early Termination of
  Employment) (Discretionary Compensation) (England and Wales) Regulations 2006,
  SI 2006/2914): reg 5 lets the council base the payment on the actual week's pay
  instead of the statutory cap; reg 6 lets it pay a lump sum, the redundancy
  payment and the lump sum together no more than 104 weeks' pay.  Councils
  publish a policy (reg 7), typically a multiplier of the statutory weeks and a
  maximum number of weeks: :class:`~models.inputs.severance.SeverancePolicy`,
  read by :func:`models.inputs.severance.load_severance_policies`.
* **Pension strain** (Local Government Pension Scheme Regulations 2013 reg 30(7);
  LGPS (Benefits, Membership and Contributions) Regulations 2007 reg 19 before
  2014): a member made redundant at or over the normal minimum pension age (50
  before 6 April 2010, 55 from then, 57 from 6 April 2028, subject to
  protections; ``models/reference/lgps_minimum_pension_age.yaml``) takes an
  unreduced pension and the employer pays the fund the strain cost.  There is no
  public formula: the fund actuary's figure is used where the staff table gives
  one, otherwise an estimate with the policy's stated factors, flagged.
* **The public-sector exit payment cap** of £95,000 (Restriction of Public Sector
  Exit Payments Regulations 2020) was revoked on 12 February 2021 (SI 2021/197).
  It is **not applied** here.

Conventions
-----------
* Ages and years of service are whole (completed) years
  (:func:`models.core.calendar.completed_years`).  The year counted back
  ``k`` years from the relevant date (``k = 1`` is the most recent) runs from
  ``relevant_date - k years`` to ``relevant_date - (k - 1) years``; an employee of
  completed age ``A`` on the relevant date had completed age exactly ``A - k`` at
  the start of that year.  Age never falls within a year, so "not below 41
  throughout the year" is "``A - k >= 41``" and "not below 22 throughout" is
  "``A - k >= 22``".  With completed ages this is exact, not an approximation.
* A week's pay from an annual salary is ``annual_pay / 52`` (the common practice
  in council redundancy calculators; 365/7 = 52.143 would give 0.3% less),
  converted when the staff table is read
  (:data:`models.inputs.severance.WEEKS_PER_YEAR`).
* Amounts are pounds in full precision, rounded only for display, in money of
  the leaving date (the pay and the weekly cap of that date).  A case brings
  them to base-year prices by the pay index of the leaving year, and raises
  redundancy pay and estimated strain (not a strain quoted by the fund
  actuary) by the case-wide optimism bias (docs/conventions.md).
* Costs fall in the financial year of the *leaving date* (when they are paid),
  not of the relevant date, which pay in lieu can push past 31 March.
* Jurisdiction: Great Britain only.  Northern Ireland (its own cap under the
  Employment Rights (Northern Ireland) Order 1996) is rejected with an
  :class:`~models.core.errors.InputError`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from models.core.calendar import completed_months, completed_years, financial_year_of
from models.core.errors import InputError
from models.inputs.severance import (
    CAP_NAME,
    REG6_CEILING_WEEKS,
    SeverancePolicy,
    staff_table_where,
)
from models.reference import value_at

ArrayLike = Any

MAXIMUM_COUNTED_YEARS = 20
"""Only the last 20 years of service count (ERA s.162(3)) [years]."""
MINIMUM_QUALIFYING_YEARS = 2
"""Full years of continuous employment needed to qualify (ERA s.155) [years]."""
MAXIMUM_STATUTORY_WEEKS = 30.0
"""20 years at 1.5 weeks: the most statutory weeks anyone can have [weeks]."""
PENSION_AGE_NAME = "lgps_minimum_pension_age"
"""Reference series of the normal minimum pension age [years], in
``models/reference/lgps_minimum_pension_age.yaml``."""


# --------------------------------------------------------------------------------------
# Statutory rules
# --------------------------------------------------------------------------------------


def counted_years(years_of_service: ArrayLike) -> np.ndarray:
    """Full years that count for statutory redundancy pay [years].

    ``n = min(floor(years), 20)`` if ``years >= 2`` else ``0``, with ``years`` the
    continuous service [years] (ERA 1996 s.155, s.162(3)).

    >>> counted_years([1.9, 2.0, 7.5, 25]).tolist()
    [0.0, 2.0, 7.0, 20.0]
    """
    years = np.floor(np.asarray(years_of_service, dtype=float))
    return np.where(
        years >= MINIMUM_QUALIFYING_YEARS, np.minimum(years, MAXIMUM_COUNTED_YEARS), 0.0
    )


def weeks_by_age_band(
    age_at_relevant_date: ArrayLike, years_of_service: ArrayLike
) -> np.ndarray | float:
    """Statutory weeks of pay by age band (ERA 1996 s.162(2)).

    With ``A`` the completed age on the relevant date and ``n`` the counted years
    (:func:`counted_years`), year ``k = 1..n`` starts at completed age ``A - k``:

    ``n41 = clip(A - 41, 0, n)``, ``n22 = clip(A - 22, 0, n)``,
    ``weeks = 1.5 n41 + 1.0 (n22 - n41) + 0.5 (n - n22)``

    Parameters
    ----------
    age_at_relevant_date : completed age on the relevant date [years]
    years_of_service : continuous service up to the relevant date [years]

    Returns
    -------
    statutory weeks, 0 to 30 [weeks]

    Source: Employment Rights Act 1996 s.162; GOV.UK statutory redundancy
    ready reckoner.

    >>> weeks_by_age_band([22, 23, 41, 42, 61], [2, 2, 2, 2, 20]).tolist()
    [1.0, 1.5, 2.0, 2.5, 30.0]
    """
    age = np.floor(np.asarray(age_at_relevant_date, dtype=float))
    counted = counted_years(years_of_service)
    years_from_41 = np.clip(age - 41, 0, counted)
    years_from_22 = np.clip(age - 22, 0, counted)
    weeks = (
        1.5 * years_from_41
        + 1.0 * (years_from_22 - years_from_41)
        + 0.5 * (counted - years_from_22)
    )
    return float(weeks) if weeks.ndim == 0 else weeks


def weekly_pay_cap(relevant_date: ArrayLike) -> np.ndarray | float:
    """Statutory maximum of a week's pay in force on the relevant date (ERA s.227).

    Parameters
    ----------
    relevant_date : date or array of dates

    Returns
    -------
    cap [GBP/week]

    Source: Employment Rights Act 1996 s.227, as uprated each year by order;
    ``models/reference/statutory_redundancy_weekly_pay_cap.yaml``.

    >>> weekly_pay_cap(dt.date(2011, 1, 31)), weekly_pay_cap(dt.date(2011, 2, 1))
    (380.0, 400.0)
    """
    return value_at(CAP_NAME, relevant_date)


def statutory_notice_weeks(years_of_service: ArrayLike) -> np.ndarray | float:
    """Minimum notice an employer must give (ERA 1996 s.86(1)).

    ``0`` under one month; ``1`` from one month to under 2 years; then one week per
    full year, at most 12.

    Parameters
    ----------
    years_of_service : continuous service at the date notice is given [years];
        one month is 1/12 year

    Returns
    -------
    statutory notice [weeks]

    Source: Employment Rights Act 1996 s.86(1).

    >>> statutory_notice_weeks([0.05, 0.5, 1.99, 2, 7.9, 15]).tolist()
    [0.0, 1.0, 1.0, 2.0, 7.0, 12.0]
    """
    years = np.asarray(years_of_service, dtype=float)
    whole = np.floor(years + 1e-9)
    weeks = np.where(
        years + 1e-9 < 1.0 / 12.0, 0.0, np.where(whole < 2, 1.0, np.minimum(whole, 12))
    )
    return float(weeks) if weeks.ndim == 0 else weeks


def relevant_date(
    leaving_date: ArrayLike, notice_weeks: ArrayLike, notice_worked: ArrayLike
) -> np.ndarray | dt.date:
    """Relevant date for statutory redundancy pay (ERA 1996 s.145(2), (5)).

    ``relevant = leaving_date`` where notice is worked (taken as at least the
    statutory notice), else ``leaving_date + round(7 * notice_weeks)`` days: when
    statutory notice given on the leaving date would have ended (pay in lieu, or
    no notice).

    Parameters
    ----------
    leaving_date : date employment ends (notice date when notice is worked in
        full, i.e. the end of the notice) [date]
    notice_weeks : statutory notice, :func:`statutory_notice_weeks` [weeks]
    notice_worked : whether the statutory notice is worked [bool]

    Returns
    -------
    relevant date (``datetime.date`` for scalar inputs, else ``datetime64[D]``)

    Source: Employment Rights Act 1996 s.145(2), (5).

    >>> relevant_date(dt.date(2011, 1, 21), 4, False)
    datetime.date(2011, 2, 18)
    >>> relevant_date(dt.date(2011, 1, 21), 4, True)
    datetime.date(2011, 1, 21)
    """
    leaving = np.asarray(leaving_date, dtype="datetime64[D]")
    days = np.round(7 * np.asarray(notice_weeks, dtype=float)).astype("int64")
    worked = np.asarray(notice_worked, dtype=bool)
    relevant = leaving + np.where(worked, 0, days).astype("timedelta64[D]")
    if relevant.ndim == 0:
        return relevant.astype(dt.date)
    return relevant


def statutory_redundancy_pay(
    age: ArrayLike,
    years_of_service: ArrayLike,
    weekly_pay: ArrayLike,
    relevant_date: ArrayLike,
) -> np.ndarray | float:
    """Statutory redundancy pay (ERA 1996 s.162 with the s.227 cap).

    ``pay = weeks_by_age_band(age, years) * min(weekly_pay, cap(relevant_date))``

    Parameters
    ----------
    age : completed age on the relevant date [years]
    years_of_service : continuous service up to the relevant date [years]
    weekly_pay : actual gross week's pay [GBP/week]
    relevant_date : relevant date [date]

    Returns
    -------
    statutory redundancy pay [GBP]

    Source: Employment Rights Act 1996 s.162, s.227.

    Example: age 45, 10 years, £500 a week, relevant date 1 March 2011 (cap £400):
    the counted years start at ages 44 down to 35; 44..41 are 41+ and 40..35 are
    22+, so 4 x 1.5 + 6 x 1 = 12 weeks x £400 = £4,800.

    >>> statutory_redundancy_pay(45, 10, 500.0, dt.date(2011, 3, 1))
    4800.0
    """
    weeks = np.asarray(weeks_by_age_band(age, years_of_service))
    actual_pay = np.asarray(weekly_pay, dtype=float)
    capped = np.minimum(actual_pay, weekly_pay_cap(relevant_date))
    pay = weeks * capped
    return float(pay) if np.ndim(pay) == 0 else pay


def minimum_pension_age(date: ArrayLike) -> np.ndarray | float:
    """Normal minimum pension age in force on ``date`` [years].

    Source: Finance Act 2004 s.279 (50, 55 from 6 April 2010) and Finance Act 2022
    s.10 (57 from 6 April 2028), applied by the LGPS to redundancy retirement
    (LGPS Regulations 2013 reg 30(7)); dated values in
    ``models/reference/lgps_minimum_pension_age.yaml``.

    >>> minimum_pension_age(dt.date(2011, 6, 1))
    55.0
    >>> minimum_pension_age(dt.date(2028, 4, 6))
    57.0
    """
    return value_at(PENSION_AGE_NAME, date)


# --------------------------------------------------------------------------------------
# Policy payments
# --------------------------------------------------------------------------------------


def policy_weeks(
    statutory_weeks: ArrayLike, multiplier: ArrayLike, maximum_weeks: ArrayLike
) -> np.ndarray:
    """Weeks' pay under the policy, never more than 104 [weeks].

    ``min(multiplier * statutory_weeks, maximum_weeks, 104)`` with the statutory
    and maximum weeks [weeks] and the multiplier [/1].

    Source: the council's policy (2006 Regulations reg 7); the 104-week ceiling
    of reg 6.

    >>> policy_weeks([10, 30, 30], [2.0, 3.0, 4.0], [104, 66, 104]).tolist()
    [20.0, 66.0, 104.0]
    """
    weeks = np.asarray(statutory_weeks, dtype=float) * np.asarray(multiplier, float)
    return np.minimum(np.minimum(weeks, maximum_weeks), REG6_CEILING_WEEKS)


def discretionary_top_up(
    statutory_weeks: ArrayLike,
    weekly_pay: ArrayLike,
    cap: ArrayLike,
    is_actual_pay_basis: ArrayLike,
    multiplier: ArrayLike,
    maximum_weeks: ArrayLike,
) -> np.ndarray:
    """Discretionary compensation on top of statutory pay (2006 Regulations regs 5, 6).

    ``basis = weekly_pay if actual else min(weekly_pay, cap)``;
    ``top_up = max(policy_weeks * basis - statutory_weeks * min(weekly_pay, cap), 0)``
    with ``policy_weeks`` from :func:`policy_weeks`.

    Parameters
    ----------
    statutory_weeks : [weeks]
    weekly_pay : actual week's pay [GBP/week]
    cap : statutory cap on the relevant date [GBP/week]
    is_actual_pay_basis : policy pays on actual pay (reg 5) [bool]
    multiplier : [/1]
    maximum_weeks : policy maximum [weeks]

    Returns
    -------
    top-up [GBP]

    Source: Local Government (Early Termination of Employment) (Discretionary
    Compensation) (England and Wales) Regulations 2006 regs 5, 6.

    Age 50, 20 years: 30 statutory weeks; £600 a week, cap £400; actual basis,
    multiplier 2: 60 weeks x £600 = £36,000 less 30 x £400 = £12,000 statutory:

    >>> discretionary_top_up(30, 600.0, 400.0, True, 2.0, 104).tolist()
    24000.0
    """
    pay = np.asarray(weekly_pay, dtype=float)
    capped = np.minimum(pay, cap)
    basis = np.where(np.asarray(is_actual_pay_basis, dtype=bool), pay, capped)
    weeks = np.asarray(statutory_weeks, dtype=float)
    lump_sum = policy_weeks(weeks, multiplier, maximum_weeks) * basis
    return np.maximum(lump_sum - weeks * capped, 0.0)


def pay_in_lieu_of_notice(
    notice_weeks: ArrayLike,
    weekly_pay: ArrayLike,
    notice_worked: ArrayLike,
    pays_in_lieu: ArrayLike,
    employer_on_cost_rate: ArrayLike,
) -> np.ndarray:
    """Pay in lieu of notice with employer on-costs, zero where notice is worked.

    ``pay_in_lieu = notice_weeks * weekly_pay * (1 + employer_on_cost_rate)`` where
    notice is not worked and the policy pays in lieu; else 0.  Notice that is
    worked is ordinary pay, a running cost, not severance.

    Parameters
    ----------
    notice_weeks : notice paid, statutory (ERA 1996 s.86) or contractual [weeks]
    weekly_pay : actual week's pay [GBP/week]
    notice_worked : whether the notice is worked [bool]
    pays_in_lieu : whether the policy pays notice not worked in lieu [bool]
    employer_on_cost_rate : employer's on-costs on pay [fraction of pay]

    Returns
    -------
    pay in lieu with on-costs [GBP]

    Source: the council's policy (``pays_in_lieu_of_notice``,
    ``employer_on_cost_rate``); notice from ERA 1996 s.86 or the contract.

    >>> pay_in_lieu_of_notice([5, 5], 400.0, [False, True], True, 0.25).tolist()
    [2500.0, 0.0]
    """
    cost = (
        np.asarray(notice_weeks, dtype=float)
        * np.asarray(weekly_pay, float)
        * (1.0 + np.asarray(employer_on_cost_rate, dtype=float))
    )
    paid = ~np.asarray(notice_worked, dtype=bool) & np.asarray(pays_in_lieu, bool)
    return np.where(paid, cost, 0.0)


def pension_strain_estimate(
    annual_pension: ArrayLike,
    age_at_leaving: ArrayLike,
    normal_pension_age: ArrayLike,
    reduction_per_year_early: ArrayLike,
    capitalisation_factor: ArrayLike,
) -> np.ndarray:
    """Estimated LGPS strain cost of paying a pension early without reduction.

    ``strain = annual_pension * min(reduction_per_year_early * max(NPA - age, 0), 1)
    * capitalisation_factor``

    Parameters
    ----------
    annual_pension : pension accrued at leaving [GBP/year]
    age_at_leaving : completed age at the leaving date [years]
    normal_pension_age : [years]
    reduction_per_year_early : early-payment reduction waived a year [/year]
    capitalisation_factor : capital value of 1 pound a year [GBP per GBP/year]

    Returns
    -------
    strain estimate [GBP]

    Source: no public formula (LGPS Regulations 2013 reg 30(7) makes the pension
    payable unreduced; the fund actuary sets the cost): the policy's stated
    :class:`~models.inputs.severance.StrainFactors`.

    £8,000 a year at 58, NPA 65, 5% a year, factor 20:
    8000 x (7 x 0.05 = 0.35) x 20 = £56,000.

    >>> round(float(pension_strain_estimate(8000.0, 58, 65, 0.05, 20)), 2)
    56000.0
    """
    years_early = np.maximum(
        np.asarray(normal_pension_age, float) - np.asarray(age_at_leaving, float), 0.0
    )
    waived = np.minimum(np.asarray(reduction_per_year_early, float) * years_early, 1.0)
    return (
        np.asarray(annual_pension, float)
        * waived
        * np.asarray(capitalisation_factor, float)
    )


def aggregate_severance(
    headcount: ArrayLike, average_cost: ArrayLike
) -> np.ndarray | float:
    """Early-stage severance estimate: headcount x average cost per leaver.

    ``total = headcount * average_cost``

    Parameters
    ----------
    headcount : expected leavers [people]
    average_cost : average severance cost including pension strain [GBP/person]

    Returns
    -------
    total [GBP]

    Source: the case's own estimate, e.g. seed 002 para 3.1.5 e: eight CCTV &
    Lifeline VCRs cost £110k including pension costs, i.e. £13,750 each on
    average:

    >>> aggregate_severance(8, 13_750.0)
    110000.0
    """
    total = np.asarray(headcount, dtype=float) * np.asarray(average_cost, dtype=float)
    return float(total) if total.ndim == 0 else total


# --------------------------------------------------------------------------------------
# Costing a staff table
# --------------------------------------------------------------------------------------


def policy_terms(
    policies: dict[str, SeverancePolicy], councils: ArrayLike
) -> pd.DataFrame:
    """Policy terms as numeric columns, one row per entry of ``councils``.

    A council without its own policy takes ``policies["default"]``.  Columns:
    ``is_actual_pay_basis`` and ``pays_in_lieu_of_notice`` [1.0 or 0.0],
    ``multiplier`` [/1], ``maximum_weeks`` [weeks], ``employer_on_cost_rate``
    [fraction of pay], ``minimum_pension_age`` [years, NaN for the dated
    default], ``normal_pension_age`` [years], ``reduction_per_year_early``
    [/year], ``capitalisation_factor`` [GBP per GBP/year].

    >>> from models.inputs.severance import SeverancePolicy, StrainFactors
    >>> pol = SeverancePolicy(pay_basis="actual", multiplier=2, maximum_weeks=60,
    ...     pays_in_lieu_of_notice=True, employer_on_cost_rate=0.1,
    ...     strain=StrainFactors(normal_pension_age=65, reduction_per_year_early=0.05,
    ...                          capitalisation_factor=20))
    >>> policy_terms({"default": pol}, ["bdc", "rbc"])["multiplier"].tolist()
    [2.0, 2.0]
    """
    table = pd.DataFrame.from_dict(
        {
            council: {
                "is_actual_pay_basis": float(policy.pay_basis == "actual"),
                "multiplier": policy.multiplier,
                "maximum_weeks": policy.maximum_weeks,
                "pays_in_lieu_of_notice": float(policy.pays_in_lieu_of_notice),
                "employer_on_cost_rate": policy.employer_on_cost_rate,
                "minimum_pension_age": (
                    np.nan
                    if policy.minimum_pension_age is None
                    else policy.minimum_pension_age
                ),
                "normal_pension_age": policy.strain.normal_pension_age,
                "reduction_per_year_early": policy.strain.reduction_per_year_early,
                "capitalisation_factor": policy.strain.capitalisation_factor,
            }
            for council, policy in policies.items()
        },
        orient="index",
    )
    wanted = pd.Index(np.asarray(councils, dtype=object))
    keys = wanted.where(wanted.isin(table.index), "default")
    return table.loc[keys].reset_index(drop=True)


_OPTIONAL_COLUMN_DEFAULTS: dict[str, Any] = {
    "date_of_birth": pd.NaT,
    "age": np.nan,
    "service_start": pd.NaT,
    "years_of_service": np.nan,
    "contractual_notice_weeks": 0.0,
    "fund_strain_cost": np.nan,
    "annual_pension_accrued": 0.0,
    "leaving_date": pd.NaT,
}


def cost_staff(
    staff: pd.DataFrame,
    policies: dict[str, SeverancePolicy],
    default_leaving_date: dt.date | None = None,
) -> pd.DataFrame:
    """Cost each person at risk: statutory pay, top-up, pay in lieu, strain, total.

    For each row (all steps vectorised):

    1. statutory notice from service at the leaving date (ERA s.86), or
       ``max(statutory, contractual_notice_weeks)`` for pay in lieu;
    2. relevant date = leaving date, extended by statutory notice where notice is
       not worked (ERA s.145(5));
    3. completed age and full years of service on the relevant date, statutory
       weeks (s.162) and pay at the capped week's pay (s.227);
    4. discretionary top-up under the council's policy (2006 Regs regs 5, 6;
       104-week ceiling);
    5. pay in lieu of notice plus employer on-costs where notice is not worked and
       the policy pays it;
    6. pension strain: the fund's figure where given; else, for a member at or
       over the minimum pension age at leaving, the estimate with the policy's
       factors (``is_strain_estimate``).  The revoked £95k exit cap is not applied.

    ``total = statutory_pay + discretionary_top_up + pay_in_lieu + pension_strain``
    [GBP].

    Parameters
    ----------
    staff : frame as returned by :func:`models.inputs.severance.load_staff_table`
        (``post, service, council, leaving_date, weekly_pay, pension_member,
        notice_worked`` and ``date_of_birth`` or ``age``, ``service_start`` or
        ``years_of_service``)
    policies : council id -> :class:`~models.inputs.severance.SeverancePolicy`;
        key ``default`` applies to councils without their own
    default_leaving_date : leaving date for rows without one

    Returns
    -------
    one row a person: post, service, council, financial_year (of the leaving
    date), leaving_date, relevant_date, age, years_counted, statutory_weeks,
    weekly_pay, capped_weekly_pay, statutory_pay, policy_weeks,
    discretionary_top_up, notice_weeks, pay_in_lieu, pension_strain,
    is_strain_estimate, total [GBP for money]
    """
    frame = _with_optional_columns(staff, default_leaving_date)
    _check_leaving_dates_and_policies(frame, policies)
    dates = _staff_dates(frame)
    notice_weeks, relevant = _notice_and_relevant_date(frame, dates)
    statutory = _statutory_pay_by_person(frame, dates, relevant)
    terms = policy_terms(policies, frame["council"].to_numpy())
    weeks_under_policy, top_up = _top_up_by_policy(statutory, terms)
    notice_paid, pay_in_lieu = _pay_in_lieu_by_policy(
        frame, notice_weeks, statutory.weekly_pay, terms
    )
    strain, is_estimate = _pension_strain_by_policy(
        frame, dates.leaving, statutory.age_at_leaving, terms
    )
    by_policy = {
        "policy_weeks": weeks_under_policy,
        "discretionary_top_up": top_up,
        "notice_weeks": notice_paid,
        "pay_in_lieu": pay_in_lieu,
        "pension_strain": strain,
        "is_strain_estimate": is_estimate,
    }
    return _costed_table(frame, dates.leaving, relevant, statutory, by_policy)


def _with_optional_columns(
    staff: pd.DataFrame, default_leaving_date: dt.date | None
) -> pd.DataFrame:
    """A copy of ``staff`` indexed from 0, with every optional column (its default
    where absent) and ``default_leaving_date`` where a leaving date is missing."""
    frame = staff.reset_index(drop=True).copy()
    for name, default in _OPTIONAL_COLUMN_DEFAULTS.items():
        if name not in frame:
            frame[name] = default
    if default_leaving_date is not None:
        default = pd.Timestamp(default_leaving_date)
        frame["leaving_date"] = frame["leaving_date"].fillna(default)
    return frame


def _check_leaving_dates_and_policies(
    frame: pd.DataFrame, policies: dict[str, SeverancePolicy]
) -> None:
    """InputError for the first row without a leaving date, else for the first
    council without a policy when there is no ``default`` policy."""
    if frame["leaving_date"].isna().any():
        row = int(np.flatnonzero(frame["leaving_date"].isna())[0]) + 1
        raise InputError(
            None,
            staff_table_where(row, "leaving_date"),
            "a leaving date (or a default leaving date)",
            "none",
        )
    missing_policy = sorted(set(frame["council"]) - set(policies))
    if missing_policy and "default" not in policies:
        row = int(np.flatnonzero(frame["council"] == missing_policy[0])[0]) + 1
        raise InputError(
            None,
            staff_table_where(row, "council"),
            "a council with a severance policy (or a 'default' policy): "
            + ", ".join(sorted(policies)),
            repr(missing_policy[0]),
        )


@dataclass(frozen=True)
class _StaffDates:
    """Dates of each person as ``datetime64[D]`` arrays; a date not given is
    replaced by the leaving date so that date arithmetic never sees NaT."""

    leaving: np.ndarray
    date_of_birth: np.ndarray
    service_start: np.ndarray
    has_date_of_birth: np.ndarray
    has_service_start: np.ndarray
    given_years_of_service: np.ndarray
    """``years_of_service`` as given [years], for rows without a service start."""


def _staff_dates(frame: pd.DataFrame) -> _StaffDates:
    """The leaving date, date of birth and start of continuous service of each row."""
    leaving = frame["leaving_date"].to_numpy(dtype="datetime64[D]")
    date_of_birth = frame["date_of_birth"].to_numpy(dtype="datetime64[D]")
    start = frame["service_start"].to_numpy(dtype="datetime64[D]")
    has_date_of_birth, has_start = ~np.isnat(date_of_birth), ~np.isnat(start)
    return _StaffDates(
        leaving=leaving,
        date_of_birth=np.where(has_date_of_birth, date_of_birth, leaving),
        service_start=np.where(has_start, start, leaving),
        has_date_of_birth=has_date_of_birth,
        has_service_start=has_start,
        given_years_of_service=frame["years_of_service"].to_numpy(dtype=float),
    )


def _notice_and_relevant_date(
    frame: pd.DataFrame, dates: _StaffDates
) -> tuple[np.ndarray, np.ndarray]:
    """Steps 1-2: statutory notice [weeks] from service at the leaving date
    (``completed_months(service_start, leaving) / 12`` [years], else
    ``years_of_service`` as given; ERA s.86) and the relevant date
    (``datetime64[D]``, ERA s.145(5))."""
    years_at_leaving = np.where(
        dates.has_service_start,
        completed_months(dates.service_start, dates.leaving) / 12.0,
        dates.given_years_of_service,
    )
    notice_weeks = np.asarray(statutory_notice_weeks(years_at_leaving))
    worked = frame["notice_worked"].to_numpy(dtype=bool)
    relevant = np.asarray(
        relevant_date(dates.leaving, notice_weeks, worked), "datetime64[D]"
    )
    return notice_weeks, relevant


@dataclass(frozen=True)
class _StatutoryPay:
    """Step 3 for each person (arrays, one value a row)."""

    age: np.ndarray
    """Completed age on the relevant date [years]."""
    age_at_leaving: np.ndarray
    """Completed age on the leaving date [years]."""
    years_of_service: np.ndarray
    """Completed years of continuous service on the relevant date [years]."""
    weeks: np.ndarray
    """Statutory weeks (ERA s.162) [weeks]."""
    weekly_pay: np.ndarray
    """Actual week's pay [GBP/week]."""
    cap: np.ndarray
    """Statutory cap on the relevant date (ERA s.227) [GBP/week]."""
    capped_weekly_pay: np.ndarray
    """``min(weekly_pay, cap)`` [GBP/week]."""
    pay: np.ndarray
    """Statutory redundancy pay ``weeks * capped_weekly_pay`` [GBP]."""


def _statutory_pay_by_person(
    frame: pd.DataFrame, dates: _StaffDates, relevant: np.ndarray
) -> _StatutoryPay:
    """Step 3: ``pay = weeks_by_age_band(age, years) * min(weekly_pay, cap)`` [GBP],
    with completed age and years on the relevant date (ERA s.162, s.227)."""
    has_date_of_birth = dates.has_date_of_birth
    age = np.where(
        has_date_of_birth,
        completed_years(dates.date_of_birth, relevant),
        frame["age"].to_numpy(dtype=float),
    )
    age_at_leaving = np.where(
        has_date_of_birth, completed_years(dates.date_of_birth, dates.leaving), age
    )
    years = np.where(
        dates.has_service_start,
        completed_years(dates.service_start, relevant),
        dates.given_years_of_service,
    )
    weeks = np.asarray(weeks_by_age_band(age, years), dtype=float)
    weekly_pay = frame["weekly_pay"].to_numpy(dtype=float)
    cap = np.asarray(weekly_pay_cap(relevant), dtype=float)
    capped = np.minimum(weekly_pay, cap)
    return _StatutoryPay(
        age=age,
        age_at_leaving=age_at_leaving,
        years_of_service=years,
        weeks=weeks,
        weekly_pay=weekly_pay,
        cap=cap,
        capped_weekly_pay=capped,
        pay=weeks * capped,
    )


def _term(terms: pd.DataFrame, name: str) -> np.ndarray:
    """One column of :func:`policy_terms` as floats."""
    return terms[name].to_numpy(dtype=float)


def _top_up_by_policy(
    statutory: _StatutoryPay, terms: pd.DataFrame
) -> tuple[np.ndarray, np.ndarray]:
    """Step 4: weeks under the policy [weeks] (:func:`policy_weeks`, at least 0) and
    the discretionary top-up [GBP] (:func:`discretionary_top_up`; 2006 Regs regs
    5, 6)."""
    is_actual = _term(terms, "is_actual_pay_basis").astype(bool)
    multiplier = _term(terms, "multiplier")
    maximum = _term(terms, "maximum_weeks")
    weeks_under_policy = np.maximum(
        policy_weeks(statutory.weeks, multiplier, maximum), 0.0
    )
    top_up = discretionary_top_up(
        statutory.weeks,
        statutory.weekly_pay,
        statutory.cap,
        is_actual,
        multiplier,
        maximum,
    )
    return weeks_under_policy, top_up


def _pay_in_lieu_by_policy(
    frame: pd.DataFrame,
    notice_weeks: np.ndarray,
    weekly_pay: np.ndarray,
    terms: pd.DataFrame,
) -> tuple[np.ndarray, np.ndarray]:
    """Step 5: notice paid ``max(statutory, contractual_notice_weeks)`` [weeks] and
    :func:`pay_in_lieu_of_notice` with on-costs [GBP] (ERA s.86; council policy)."""
    notice_paid = np.maximum(
        notice_weeks, frame["contractual_notice_weeks"].to_numpy(float)
    )
    pay_in_lieu = pay_in_lieu_of_notice(
        notice_paid,
        weekly_pay,
        frame["notice_worked"].to_numpy(dtype=bool),
        _term(terms, "pays_in_lieu_of_notice").astype(bool),
        _term(terms, "employer_on_cost_rate"),
    )
    return notice_paid, pay_in_lieu


def _pension_strain_by_policy(
    frame: pd.DataFrame,
    leaving: np.ndarray,
    age_at_leaving: np.ndarray,
    terms: pd.DataFrame,
) -> tuple[np.ndarray, np.ndarray]:
    """Step 6: pension strain [GBP] and whether it is an estimate [bool].

    ``strain = fund_strain_cost`` where given; else :func:`pension_strain_estimate`
    for a pension member whose completed age at leaving is at least the minimum
    pension age (the policy's override, else :func:`minimum_pension_age` on the
    leaving date; LGPS Regulations 2013 reg 30(7)); else 0.
    """
    override = _term(terms, "minimum_pension_age")
    minimum_age = np.where(
        np.isnan(override), np.asarray(minimum_pension_age(leaving), float), override
    )
    member = frame["pension_member"].to_numpy(dtype=bool)
    eligible = member & (age_at_leaving >= minimum_age)
    estimate = pension_strain_estimate(
        frame["annual_pension_accrued"].to_numpy(float),
        age_at_leaving,
        _term(terms, "normal_pension_age"),
        _term(terms, "reduction_per_year_early"),
        _term(terms, "capitalisation_factor"),
    )
    fund = frame["fund_strain_cost"].to_numpy(dtype=float)
    has_fund = ~np.isnan(fund)
    strain = np.where(has_fund, fund, np.where(eligible, estimate, 0.0))
    return strain, ~has_fund & eligible


def _financial_years(leaving: np.ndarray) -> np.ndarray:
    """Financial year label (``"2011/12"``) of each leaving date, worked out once
    per distinct date (:func:`models.core.calendar.financial_year_of`)."""
    unique_days = np.unique(leaving)
    labels = np.array([financial_year_of(day) for day in unique_days.astype(dt.date)])
    return labels[np.searchsorted(unique_days, leaving)]


def _costed_table(
    frame: pd.DataFrame,
    leaving: np.ndarray,
    relevant: np.ndarray,
    statutory: _StatutoryPay,
    by_policy: dict[str, np.ndarray],
) -> pd.DataFrame:
    """The costed table, one row a person (columns as :func:`cost_staff` lists),
    with ``total = statutory_pay + discretionary_top_up + pay_in_lieu
    + pension_strain`` [GBP]; ``by_policy`` holds the columns from steps 4-6."""
    costed = pd.DataFrame(
        {
            "post": frame["post"],
            "service": frame["service"],
            "council": frame["council"],
            "financial_year": _financial_years(leaving),
            "leaving_date": pd.DatetimeIndex(leaving),
            "relevant_date": pd.DatetimeIndex(relevant),
            "age": statutory.age,
            "years_counted": counted_years(statutory.years_of_service),
            "statutory_weeks": statutory.weeks,
            "weekly_pay": statutory.weekly_pay,
            "capped_weekly_pay": statutory.capped_weekly_pay,
            "statutory_pay": statutory.pay,
            **by_policy,
        }
    )
    costed["total"] = (
        statutory.pay
        + by_policy["discretionary_top_up"]
        + by_policy["pay_in_lieu"]
        + by_policy["pension_strain"]
    )
    return costed


def severance_by_service(costed: pd.DataFrame) -> pd.DataFrame:
    """Sum a costed staff table by service, council and financial year.

    ``redundancy_pay = statutory_pay + discretionary_top_up + pay_in_lieu`` (with
    on-costs); ``total = redundancy_pay + pension_strain`` [GBP]; ``headcount``
    [people]; ``quoted_pension_strain`` [GBP] is the part of ``pension_strain``
    quoted by the fund actuary (``fund_strain_cost``, not ``is_strain_estimate``),
    which takes no optimism bias in a case (docs/conventions.md).  The financial
    view of a case counts both; the economic view leaves them out as transfers.
    Amounts are in money of the leaving date (the financial year's).

    >>> costed = pd.DataFrame({"service": ["a", "a"], "council": ["bdc", "bdc"],
    ...     "financial_year": ["2011/12"] * 2, "statutory_pay": [100.0, 50.0],
    ...     "discretionary_top_up": [10.0, 0.0], "pay_in_lieu": [0.0, 5.0],
    ...     "pension_strain": [0.0, 1000.0], "is_strain_estimate": [False, False]})
    >>> severance_by_service(costed)[["redundancy_pay", "pension_strain", "total"]]
       redundancy_pay  pension_strain   total
    0           165.0          1000.0  1165.0
    >>> float(severance_by_service(costed)["quoted_pension_strain"].iloc[0])
    1000.0
    """
    frame = costed.assign(
        redundancy_pay=costed["statutory_pay"]
        + costed["discretionary_top_up"]
        + costed["pay_in_lieu"],
        headcount=1,
        quoted_pension_strain=costed["pension_strain"].where(
            ~costed["is_strain_estimate"].astype(bool), 0.0
        ),
    )
    grouped = (
        frame.groupby(["service", "council", "financial_year"], sort=True)[
            ["headcount", "redundancy_pay", "pension_strain", "quoted_pension_strain"]
        ]
        .sum()
        .reset_index()
    )
    grouped["total"] = grouped["redundancy_pay"] + grouped["pension_strain"]
    return grouped[
        [
            "service",
            "council",
            "financial_year",
            "headcount",
            "redundancy_pay",
            "pension_strain",
            "total",
            "quoted_pension_strain",
        ]
    ]


def council_shares_of_parts(
    parts: list[np.ndarray], shares: list[np.ndarray]
) -> np.ndarray:
    """Council shares [/1] of a severance line that is the sum of parts, each
    with its own council shares.

    ``share[c, t] = sum_p part_p[t] x share_p[c, t] / sum_p part_p[t]``: each
    council's share of the line as it stands (after optimism bias), so that the
    council lines add up to each council's own uplifted amounts.  Where no part
    but the first is non-zero, the first part's shares are kept as they are.
    Parts (..., S, T) [GBP] broadcast over leading (draw) axes; shares are
    (S, C, T) [/1]; the result is (..., S, C, T).

    Source: docs/severance.md (In a case): severance falls on the council where
    the post was; issue 15 item 5 (shares on the uplifted amounts).

    >>> estimate = np.array([[120.0]])   # council a's strain, uplifted by 20%
    >>> quoted = np.array([[100.0]])     # council b's quoted strain, no uplift
    >>> on_a, on_b = np.array([[[1.0], [0.0]]]), np.array([[[0.0], [1.0]]])
    >>> shares = council_shares_of_parts([estimate, quoted], [on_a, on_b])
    >>> shares.round(4).ravel().tolist()  # 120 / 220 and 100 / 220
    [0.5455, 0.4545]
    """
    total = np.asarray(sum(parts))[..., None, :]
    weighted = sum(
        np.asarray(part)[..., None, :] * share
        for part, share in zip(parts, shares, strict=True)
    )
    combined = np.divide(
        weighted, total, out=np.zeros(np.shape(weighted)), where=total != 0
    )
    is_mixed = np.asarray(sum(np.abs(part) for part in parts[1:]))[..., None, :] > 0
    return np.where(is_mixed, combined, shares[0])
