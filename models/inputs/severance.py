"""Severance inputs: council severance policies and the staff-at-risk table.

Schemas and readers only; the arithmetic of statutory redundancy pay,
discretionary compensation and pension strain is in :mod:`models.model.severance`."""

from __future__ import annotations

import datetime as dt
import difflib
import re
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from models.core.calendar import completed_years
from models.core.errors import InputError, InputErrors
from models.core.yamlio import describe, load_yaml
from models.inputs.quantities import Number
from models.inputs.tableio import read_text_table
from models.reference import dated_series

REG6_CEILING_WEEKS = 104.0
"""Redundancy pay plus reg 6 compensation together at most 104 weeks' pay [weeks]."""


MINIMUM_AGE = 16
"""Youngest age accepted in a staff table [years]."""


class StrainFactors(BaseModel):
    """Stated factors for estimating pension strain where the fund gives no figure.

    ``strain = annual_pension * min(reduction_per_year_early * years_early, 1)
    * capitalisation_factor`` with ``years_early = max(normal_pension_age - age, 0)``.
    """

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    normal_pension_age: Number = Field(
        ge=55,
        le=70,
        description="Age at which the member's pension would be paid unreduced "
        "[years]; 65 under the LGPS 2008 scheme, state pension age from 2014.",
    )
    reduction_per_year_early: Number = Field(
        ge=0,
        le=0.2,
        description="Early-payment reduction waived for each year before normal "
        "pension age [fraction of pension per year], e.g. 0.05 from the fund "
        "actuary's early-retirement reduction table.",
    )
    capitalisation_factor: Number = Field(
        ge=0,
        le=40,
        description="Capital value of 1 pound a year of pension at the leaving age "
        "[GBP per GBP/year], e.g. 18 to 22.",
    )
    source: str | None = Field(None, description="Where the factors come from.")


class SeverancePolicy(BaseModel):
    """A council's published severance policy (2006 Regulations reg 7).

    ``policy_weeks = min(multiplier * statutory_weeks, maximum_weeks, 104)``;
    ``lump_sum = max(policy_weeks * basis_pay, statutory_pay)`` where ``basis_pay``
    is the capped week's pay or, under reg 5, the actual week's pay.
    """

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    pay_basis: Literal["capped", "actual"] = Field(
        description="Week's pay used for the policy payment: 'capped' at the "
        "statutory maximum or 'actual' weekly pay (2006 Regulations reg 5).",
    )
    multiplier: Number = Field(
        ge=1.0,
        le=10.0,
        description="Policy weeks as a multiple of the statutory weeks [/1]; "
        "1.4 to 3 seen in practice.",
    )
    maximum_weeks: Number = Field(
        gt=0,
        le=REG6_CEILING_WEEKS,
        description="Policy maximum of weeks' pay, statutory and discretionary "
        "together [weeks]; reg 6 never allows more than 104.",
    )
    pays_in_lieu_of_notice: bool = Field(
        description="Whether notice not worked is paid in lieu (a severance cost).",
    )
    employer_on_cost_rate: Number = Field(
        ge=0,
        le=1,
        description="Employer's national insurance and pension contributions on "
        "pay in lieu [fraction of pay].",
    )
    strain: StrainFactors = Field(
        description="Factors for the pension strain estimate.",
    )
    minimum_pension_age: Number | None = Field(
        None,
        ge=50,
        le=60,
        description="Override of the minimum age for an unreduced redundancy "
        "pension [years]; by default the dated normal minimum pension age "
        "(55, 57 from 6 April 2028).",
    )
    source: str | None = Field(None, description="Where the policy comes from.")


def load_severance_policies(path: str | Path) -> dict[str, SeverancePolicy]:
    """Read ``severance_policies:`` (council id -> policy, optional ``default``).

    Raises :class:`InputError` naming the file and key path for anything wrong.
    """
    data = load_yaml(path)
    if not isinstance(data, dict) or "severance_policies" not in data:
        raise InputError(
            path,
            "severance_policies",
            "a top-level severance_policies mapping of council id to policy",
            "no such key" if isinstance(data, dict) else describe(data),
        )
    block = data["severance_policies"]
    if not isinstance(block, dict) or not block:
        raise InputError(
            path, "severance_policies", "a mapping of council id to policy", repr(block)
        )
    policies: dict[str, SeverancePolicy] = {}
    for council, raw in block.items():
        try:
            policies[str(council)] = SeverancePolicy.model_validate(raw)
        except ValidationError as exc:
            # a misspelt key also makes the right one "missing": report it first
            err = sorted(exc.errors(), key=lambda e: e["type"] != "extra_forbidden")[0]
            loc = ".".join(str(p) for p in err["loc"])
            where = f"severance_policies.{council}" + (f".{loc}" if loc else "")
            found = repr(err.get("input"))[:80]
            expected = (
                err["msg"].removeprefix("Value error, ").removeprefix("expected ")
            )
            expected = expected.removeprefix("Input should be ")
            expected, _, stated = expected.partition(", found ")
            expected, found = expected[0].lower() + expected[1:], stated or found
            if err["type"] == "extra_forbidden":
                model = StrainFactors if err["loc"][0] == "strain" else SeverancePolicy
                known = ", ".join(model.model_fields)
                expected, found = f"only known keys ({known})", repr(err["loc"][-1])
            elif err["type"] == "missing":
                expected, found = "this key", "nothing"
            elif loc == "maximum_weeks" and err["type"] == "less_than_equal":
                expected = "at most 104 weeks (2006 Regulations reg 6 ceiling)"
            raise InputError(path, where, expected, found) from None
    return policies


STAFF_COLUMNS = {
    "post": "post title or reference (text)",
    "service": "service id (text)",
    "council": "council id (text)",
    "date_of_birth": "date of birth (YYYY-MM-DD); or give age",
    "age": "completed age on the relevant date [years]; or give date_of_birth",
    "start_date": "start of current employment (YYYY-MM-DD); or give years_of_service",
    "continuous_service_start": "start of continuous local-government service "
    "(1999 Order) if earlier than start_date (YYYY-MM-DD)",
    "years_of_service": "continuous service at the relevant date [years]",
    "weekly_pay": "gross week's pay [GBP/week]; or give annual_pay",
    "annual_pay": "gross annual pay [GBP/year]; week's pay = annual / 52",
    "pension_member": "LGPS member (yes/no)",
    "annual_pension_accrued": "pension accrued at leaving [GBP/year]",
    "notice_worked": "statutory notice worked (yes/no); no = pay in lieu",
    "contractual_notice_weeks": "contractual notice if longer than statutory [weeks]",
    "leaving_date": "last day of employment (YYYY-MM-DD); or a default date",
    "jurisdiction": "GB (default); Northern Ireland is not supported",
    "fund_strain_cost": "fund actuary's strain cost [GBP], used instead of the "
    "estimate",
    "source": "where the row comes from (text, not used)",
    "notes": "free text (not used)",
}
"""Columns a staff table may have, with their meaning and units."""


_REQUIRED = (
    "post",
    "service",
    "council",
    "pension_member",
    "annual_pension_accrued",
    "notice_worked",
)


_ALTERNATIVES = (
    ("date_of_birth", "age"),
    ("start_date", "years_of_service"),
    ("weekly_pay", "annual_pay"),
)


_GB = {"gb", "great britain", "england", "wales", "scotland"}


_NI = {"ni", "northern ireland"}


_YES = {"yes", "y", "true", "1"}


_NO = {"no", "n", "false", "0"}


_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def staff_table_where(row: int, column: str) -> str:
    return f"data row {row} (file line {row + 1}), column {column}"


def load_staff_table(
    path: str | Path, default_leaving_date: dt.date | None = None
) -> pd.DataFrame:
    """Read and check a staff-at-risk table (CSV or .xlsx) into standard columns.

    Rows are numbered from 1 for the first data row (the header is file line 1,
    so data row ``N`` is file line ``N + 1``).  Every problem found is reported
    together as :class:`InputError`\\ s naming the file, the row and the column:
    a missing column, an unknown column, a bad date or number, an age under 16,
    a start date after the leaving date, negative pay, an unknown jurisdiction.

    Returns a frame with columns ``post, service, council, jurisdiction,
    leaving_date, date_of_birth, age, service_start, years_of_service,
    weekly_pay, pension_member, annual_pension_accrued, notice_worked,
    contractual_notice_weeks, fund_strain_cost`` (NaT / NaN where not given).
    """
    path = Path(path)
    raw = read_text_table(path, "staff table")
    errors: list[InputError] = []
    columns = list(raw.columns)
    unknown = [c for c in columns if c not in STAFF_COLUMNS]
    if unknown:
        hint = difflib.get_close_matches(unknown[0], list(STAFF_COLUMNS), n=1)
        errors.append(
            InputError(
                path,
                f"column {unknown[0]}",
                f"a known column (did you mean '{hint[0]}'?)"
                if hint
                else "only known columns: " + ", ".join(STAFF_COLUMNS),
                repr(unknown[0]),
            )
        )
    missing = [c for c in _REQUIRED if c not in columns]
    for pair in _ALTERNATIVES:
        if not any(c in columns for c in pair):
            missing.append(" or ".join(pair))
    if "leaving_date" not in columns and default_leaving_date is None:
        missing.append("leaving_date (or a default leaving date)")
    for name in missing:
        errors.append(
            InputError(path, f"column {name}", "this column", "no such column")
        )
    if errors:
        raise errors[0] if len(errors) == 1 else InputErrors(errors)

    n = len(raw)
    if n == 0:
        raise InputError(path, None, "at least one data row", "none")
    rows = np.arange(1, n + 1)

    def col(name: str) -> pd.Series:
        return raw[name] if name in raw else pd.Series([""] * n, dtype=object)

    def report(mask: np.ndarray, column: str, expected: str, found: pd.Series) -> None:
        for i in np.flatnonzero(mask):
            errors.append(
                InputError(
                    path,
                    staff_table_where(int(rows[i]), column),
                    expected,
                    repr(found.iloc[i]),
                )
            )

    def text(name: str) -> pd.Series:
        values = col(name).astype(str)
        report((values == "").to_numpy(), name, "a value", values)
        return values

    def dates(name: str, required: np.ndarray | None = None) -> pd.Series:
        values = col(name).astype(str)
        blank = (values == "").to_numpy()
        parsed = pd.to_datetime(
            values.where(values.str.match(_ISO), ""), format="%Y-%m-%d", errors="coerce"
        )
        bad = ~blank & parsed.isna().to_numpy()
        report(bad, name, "a date as YYYY-MM-DD", values)
        if required is not None:
            report(blank & required, name, "a date", values)
        return parsed

    def numbers(
        name: str,
        required: np.ndarray | None = None,
        minimum: float | None = 0.0,
        what: str = "a number",
    ) -> pd.Series:
        values = col(name).astype(str)
        blank = (values == "").to_numpy()
        parsed = pd.to_numeric(
            values.str.replace(",", "").str.lstrip("£"), errors="coerce"
        ).astype(float)
        bad = ~blank & (parsed.isna() | ~np.isfinite(parsed)).to_numpy()
        report(bad, name, what, values)
        if minimum is not None:
            report(
                ~bad & ~blank & (parsed < minimum).to_numpy(),
                name,
                f"{what} of {minimum:g} or more",
                values,
            )
        if required is not None:
            report(blank & required, name, what, values)
        return parsed

    def flags(name: str) -> pd.Series:
        values = col(name).astype(str).str.lower()
        ok = values.isin(_YES | _NO).to_numpy()
        report(~ok, name, "yes or no", col(name))
        return values.isin(_YES)

    post, service, council = text("post"), text("service"), text("council")

    jurisdiction = col("jurisdiction").astype(str).str.lower().replace("", "gb")
    is_ni = jurisdiction.isin(_NI).to_numpy()
    report(
        is_ni,
        "jurisdiction",
        "GB (Northern Ireland is not supported: its "
        "redundancy cap is set under the Employment Rights (NI) Order 1996)",
        col("jurisdiction"),
    )
    report(
        ~is_ni & ~jurisdiction.isin(_GB).to_numpy(),
        "jurisdiction",
        "GB, England, Wales or Scotland",
        col("jurisdiction"),
    )

    leaving = dates("leaving_date")
    if default_leaving_date is not None:
        leaving = leaving.fillna(pd.Timestamp(default_leaving_date))
    no_leaving = leaving.isna().to_numpy() & (col("leaving_date") == "").to_numpy()
    report(
        no_leaving,
        "leaving_date",
        "a date (or a default leaving date)",
        col("leaving_date"),
    )
    earliest = pd.Timestamp(dated_series(CAP_NAME)[0][0])
    report(
        (leaving < earliest).to_numpy(),
        "leaving_date",
        f"a date on or after {earliest.date()} (earliest redundancy cap on record)",
        col("leaving_date"),
    )

    dob = dates("date_of_birth")
    age = numbers("age", minimum=None, what="a whole number of years")
    has_dob = dob.notna().to_numpy()
    report(
        ~has_dob
        & age.isna().to_numpy()
        & (col("age") == "").to_numpy()
        & (col("date_of_birth") == "").to_numpy(),
        "date_of_birth or age",
        "a date of birth or an age",
        col("age"),
    )
    age_known = np.where(has_dob, np.nan, age.to_numpy())
    ok_dates = has_dob & leaving.notna().to_numpy()
    if ok_dates.any():
        age_known[ok_dates] = completed_years(
            dob[ok_dates].to_numpy(), leaving[ok_dates].to_numpy()
        )
    young = ~np.isnan(age_known) & (age_known < MINIMUM_AGE)
    report(
        young & has_dob,
        "date_of_birth",
        f"an age of {MINIMUM_AGE} or over at leaving",
        dob.dt.strftime("%Y-%m-%d"),
    )
    report(young & ~has_dob, "age", f"an age of {MINIMUM_AGE} or over", col("age"))
    report(
        ~has_dob & ~np.isnan(age_known) & (age_known != np.floor(age_known)),
        "age",
        "a whole number of years (completed age)",
        col("age"),
    )

    start = dates("start_date")
    continuous = dates("continuous_service_start")
    years = numbers("years_of_service", what="a number of years")
    service_start = continuous.where(
        continuous.notna() & (start.isna() | (continuous <= start)), start
    )
    report(
        (continuous > start).to_numpy(),
        "continuous_service_start",
        "a date on or before start_date",
        col("continuous_service_start"),
    )
    has_start = service_start.notna().to_numpy()
    report(
        ~has_start
        & years.isna().to_numpy()
        & (col("years_of_service") == "").to_numpy()
        & (col("start_date") == "").to_numpy(),
        "start_date or years_of_service",
        "a start date or years of service",
        col("start_date"),
    )
    for name, when in (("start_date", start), ("continuous_service_start", continuous)):
        report(
            (when > leaving).to_numpy(),
            name,
            "a date on or before the leaving date (and so the relevant date)",
            col(name),
        )

    weekly = numbers("weekly_pay", what="a weekly pay in pounds")
    annual = numbers("annual_pay", what="an annual pay in pounds")
    pay = weekly.where(weekly.notna(), annual / WEEKS_PER_YEAR)
    report(
        pay.isna().to_numpy()
        & (col("weekly_pay") == "").to_numpy()
        & (col("annual_pay") == "").to_numpy(),
        "weekly_pay or annual_pay",
        "a weekly or annual pay",
        col("weekly_pay"),
    )

    member = flags("pension_member")
    worked = flags("notice_worked")
    fund = numbers("fund_strain_cost", what="a strain cost in pounds")
    pension = numbers("annual_pension_accrued", what="a pension in pounds a year")
    report(
        member.to_numpy()
        & pension.isna().to_numpy()
        & fund.isna().to_numpy()
        & (col("annual_pension_accrued") == "").to_numpy(),
        "annual_pension_accrued",
        "the pension accrued for a pension member (or a fund_strain_cost)",
        col("annual_pension_accrued"),
    )
    contractual = numbers("contractual_notice_weeks", what="a number of weeks")

    if errors:
        raise errors[0] if len(errors) == 1 else InputErrors(errors)

    return pd.DataFrame(
        {
            "post": post.to_numpy(),
            "service": service.to_numpy(),
            "council": council.to_numpy(),
            "jurisdiction": "GB",
            "leaving_date": leaving.to_numpy(),
            "date_of_birth": dob.to_numpy(),
            "age": np.where(has_dob, np.nan, age.to_numpy()),
            "service_start": service_start.to_numpy(),
            "years_of_service": np.where(has_start, np.nan, years.to_numpy()),
            "weekly_pay": pay.to_numpy(),
            "pension_member": member.to_numpy(),
            "annual_pension_accrued": pension.fillna(0.0).to_numpy(),
            "notice_worked": worked.to_numpy(),
            "contractual_notice_weeks": contractual.fillna(0.0).to_numpy(),
            "fund_strain_cost": fund.to_numpy(),
        }
    )


WEEKS_PER_YEAR = 52.0
"""Convention for a week's pay from an annual salary: annual / 52 [weeks/year]."""


CAP_NAME = "statutory_redundancy_weekly_pay_cap"
