"""Severance inputs: council severance policies and the staff-at-risk table.

Schemas and readers only (:class:`SeverancePolicy`, :func:`load_severance_policies`,
:func:`load_staff_table`); the arithmetic of statutory redundancy pay,
discretionary compensation and pension strain is in :mod:`models.model.severance`,
and completed years between dates come from :mod:`models.core.calendar`."""

from __future__ import annotations

import datetime as dt
import difflib
import re
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd
from pydantic import Field, ValidationError, field_validator

from models.core.calendar import completed_years
from models.core.errors import InputError, InputErrors
from models.core.yamlio import describe, load_yaml
from models.inputs.affordability import PayProtection
from models.inputs.pydantic_errors import validation_errors
from models.inputs.quantities import Number, Strict
from models.inputs.tableio import read_text_table, repeated_rows
from models.reference import dated_series

REG6_CEILING_WEEKS = 104.0
"""Redundancy pay plus reg 6 compensation together at most 104 weeks' pay [weeks]."""


MINIMUM_AGE = 16
"""Youngest age accepted in a staff table [years]; service starts no earlier
than the 16th birthday."""

MAXIMUM_AGE = 100
"""Oldest age accepted in a staff table at the leaving date [years]: an age of
200 is a typing slip, not a member of staff."""


LATEST_LEAVING_DATE = pd.Timestamp("2199-03-31")
"""Latest leaving date read (the end of financial year 2198/99): 9999-12-31 is a
placeholder, not a date anyone leaves on."""

WEEKS_PER_YEAR = 52.0
"""Convention for a week's pay from an annual salary: annual / 52 [weeks/year]."""


CAP_NAME = "statutory_redundancy_weekly_pay_cap"
"""Reference series of the statutory maximum week's pay (ERA 1996 s.227)
[GBP/week], in ``models/reference/statutory_redundancy_weekly_pay_cap.yaml``."""


class StrainFactors(Strict):
    """Stated factors for estimating pension strain where the fund gives no figure.

    ``strain = annual_pension * min(reduction_per_year_early * years_early, 1)
    * capitalisation_factor`` with ``years_early = max(normal_pension_age - age, 0)``.
    """

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


class SeverancePolicy(Strict):
    """A council's published severance policy (2006 Regulations reg 7).

    ``policy_weeks = min(multiplier * statutory_weeks, maximum_weeks, 104)``;
    ``lump_sum = max(policy_weeks * basis_pay, statutory_pay)`` where ``basis_pay``
    is the capped week's pay or, under reg 5, the actual week's pay.
    """

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
    pay_protection: PayProtection | None = Field(
        None,
        description="Change-support pay protection for posts moving onto a lower "
        "grade: the fraction of the pay cut still paid in each year after the move "
        "(e.g. taper [1.0, 0.5]).",
    )
    source: str | None = Field(None, description="Where the policy comes from.")

    @field_validator("maximum_weeks")
    @classmethod
    def _within_the_reg_6_ceiling(cls, weeks: float) -> float:
        if weeks > REG6_CEILING_WEEKS:
            raise ValueError(
                "expected at most 104 weeks (2006 Regulations reg 6 ceiling), "
                f"found {weeks:g}"
            )
        return weeks


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
    for council, raw_policy in block.items():
        try:
            policies[str(council)] = SeverancePolicy.model_validate(raw_policy)
        except ValidationError as exc:
            raise validation_errors(
                exc, path, SeverancePolicy, prefix=f"severance_policies.{council}."
            ) from None
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


_REQUIRED_COLUMNS = (
    "post",
    "service",
    "council",
    "pension_member",
    "annual_pension_accrued",
    "notice_worked",
)


_ALTERNATIVE_COLUMNS = (
    ("date_of_birth", "age"),
    ("start_date", "years_of_service"),
    ("weekly_pay", "annual_pay"),
)


_GREAT_BRITAIN = {"gb", "great britain", "england", "wales", "scotland"}


_NORTHERN_IRELAND = {"ni", "northern ireland"}


_YES_WORDS = {"yes", "y", "true", "1"}


_NO_WORDS = {"no", "n", "false", "0"}


_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def staff_table_where(row: int, column: str) -> str:
    """Where a cell is, for an error message: data row ``row`` counts from 1 for the
    first row under the header, which is file line 1, so it is file line ``row + 1``.

    >>> staff_table_where(3, "age")
    'data row 3 (file line 4), column age'
    """
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
    contractual_notice_weeks, fund_strain_cost`` (NaT / NaN where not given);
    ``weekly_pay`` [GBP/week] is ``annual_pay / 52`` where only that is given.
    """
    path = Path(path)
    raw = read_text_table(path, "staff table")
    _raise_all(_column_errors(path, list(raw.columns), default_leaving_date))
    if len(raw) == 0:
        raise InputError(path, None, "at least one data row", "none")
    _raise_all(
        [
            InputError(
                path,
                staff_table_where(repeat, "(every column)"),
                "each person once",
                f"the same cells as data row {first} (a copy of it)",
            )
            for first, repeat in repeated_rows(raw, list(raw.columns))
        ]
    )
    table = _StaffTableReader(path, raw)
    identity = {
        name: table.text(name).to_numpy() for name in ("post", "service", "council")
    }
    _check_jurisdiction(table)
    leaving = _leaving_dates(table, default_leaving_date)
    ages = _ages(table, leaving)
    service = _service(table, leaving, ages["date_of_birth"])
    weekly_pay = _weekly_pay(table)
    pension_and_notice = _pension_and_notice(table)
    _raise_all(table.errors)
    return pd.DataFrame(
        {
            **identity,
            "jurisdiction": "GB",
            "leaving_date": leaving.to_numpy(),
            **ages,
            **service,
            "weekly_pay": weekly_pay,
            **pension_and_notice,
        }
    )


def _raise_all(errors: list[InputError]) -> None:
    """Raise the one error, or all of them together; nothing if there are none."""
    if errors:
        raise errors[0] if len(errors) == 1 else InputErrors(errors)


def _column_errors(
    path: Path, columns: list[str], default_leaving_date: dt.date | None
) -> list[InputError]:
    """The first unknown column (with a close match if any), then each missing one."""
    errors: list[InputError] = []
    if not any(name in STAFF_COLUMNS for name in columns):
        # not a staff table at all: say so without echoing its first line
        return [
            InputError(
                path,
                "file line 1",
                "a header naming the staff table's columns (post, service, council...)",
                f"none of them, in {len(columns)} cells",
            )
        ]
    unknown = [name for name in columns if name not in STAFF_COLUMNS]
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
    missing = [name for name in _REQUIRED_COLUMNS if name not in columns]
    for pair in _ALTERNATIVE_COLUMNS:
        if not any(name in columns for name in pair):
            missing.append(" or ".join(pair))
    if "leaving_date" not in columns and default_leaving_date is None:
        missing.append("leaving_date (or a default leaving date)")
    for name in missing:
        errors.append(
            InputError(path, f"column {name}", "this column", "no such column")
        )
    return errors


class _StaffTableReader:
    """Parses the text cells of one staff table column by column, keeping every
    problem found (in the order found) in :attr:`errors`."""

    def __init__(self, path: Path, raw: pd.DataFrame) -> None:
        self.path = path
        self.raw = raw
        self.row_count = len(raw)
        self.errors: list[InputError] = []

    def column(self, name: str) -> pd.Series:
        """The column's cells as read, or all blank if the table has no such column."""
        if name in self.raw:
            return self.raw[name]
        return pd.Series([""] * self.row_count, dtype=object)

    def blank(self, name: str) -> np.ndarray:
        """Whether each cell of the column is empty [bool]."""
        return (self.column(name) == "").to_numpy()

    def report(
        self, mask: np.ndarray, column: str, expected: str, found: pd.Series
    ) -> None:
        """Add an error for each row where ``mask`` is true, quoting ``found``."""
        for index in np.flatnonzero(mask):
            self.errors.append(
                InputError(
                    self.path,
                    staff_table_where(int(index + 1), column),
                    expected,
                    repr(found.iloc[index]),
                )
            )

    def text(self, name: str) -> pd.Series:
        """A column of text that must not be blank."""
        values = self.column(name).astype(str)
        self.report((values == "").to_numpy(), name, "a value", values)
        return values

    def dates(self, name: str) -> pd.Series:
        """A column of YYYY-MM-DD dates; NaT where blank or bad (bad is reported)."""
        values = self.column(name).astype(str)
        blank = (values == "").to_numpy()
        parsed = pd.to_datetime(
            values.where(values.str.match(_ISO_DATE), ""),
            format="%Y-%m-%d",
            errors="coerce",
        )
        self.report(
            ~blank & parsed.isna().to_numpy(), name, "a date as YYYY-MM-DD", values
        )
        return parsed

    def numbers(
        self, name: str, minimum: float | None = 0.0, what: str = "a number"
    ) -> pd.Series:
        """A column of numbers (commas and a leading £ allowed), at least
        ``minimum`` unless None; NaN where blank or bad (bad is reported)."""
        values = self.column(name).astype(str)
        blank = (values == "").to_numpy()
        parsed = pd.to_numeric(
            values.str.replace(",", "").str.lstrip("£"), errors="coerce"
        ).astype(float)
        bad = ~blank & (parsed.isna() | ~np.isfinite(parsed)).to_numpy()
        self.report(bad, name, what, values)
        if minimum is not None:
            self.report(
                ~bad & ~blank & (parsed < minimum).to_numpy(),
                name,
                f"{what} of {minimum:g} or more",
                values,
            )
        return parsed

    def flags(self, name: str) -> pd.Series:
        """A column of yes/no (also y/n, true/false, 1/0, any case) [bool]."""
        values = self.column(name).astype(str).str.lower()
        is_yes_or_no = values.isin(_YES_WORDS | _NO_WORDS).to_numpy()
        self.report(~is_yes_or_no, name, "yes or no", self.column(name))
        return values.isin(_YES_WORDS)


def _check_jurisdiction(table: _StaffTableReader) -> None:
    """Great Britain only (blank is GB): Northern Ireland sets its own cap."""
    jurisdiction = (
        table.column("jurisdiction").astype(str).str.lower().replace("", "gb")
    )
    is_northern_ireland = jurisdiction.isin(_NORTHERN_IRELAND).to_numpy()
    table.report(
        is_northern_ireland,
        "jurisdiction",
        "GB (Northern Ireland is not supported: its "
        "redundancy cap is set under the Employment Rights (NI) Order 1996)",
        table.column("jurisdiction"),
    )
    table.report(
        ~is_northern_ireland & ~jurisdiction.isin(_GREAT_BRITAIN).to_numpy(),
        "jurisdiction",
        "GB, England, Wales or Scotland",
        table.column("jurisdiction"),
    )


def _leaving_dates(
    table: _StaffTableReader, default_leaving_date: dt.date | None
) -> pd.Series:
    """Leaving dates, ``default_leaving_date`` where none is read; none before the
    earliest cap on record
    (``models/reference/statutory_redundancy_weekly_pay_cap.yaml``)."""
    leaving = table.dates("leaving_date")
    if default_leaving_date is not None:
        leaving = leaving.fillna(pd.Timestamp(default_leaving_date))
    table.report(
        leaving.isna().to_numpy() & table.blank("leaving_date"),
        "leaving_date",
        "a date (or a default leaving date)",
        table.column("leaving_date"),
    )
    earliest = pd.Timestamp(dated_series(CAP_NAME)[0][0])
    table.report(
        (leaving < earliest).to_numpy(),
        "leaving_date",
        f"a date on or after {earliest.date()} (earliest redundancy cap on record)",
        table.column("leaving_date"),
    )
    table.report(
        (leaving > LATEST_LEAVING_DATE).to_numpy(),
        "leaving_date",
        f"a date on or before {LATEST_LEAVING_DATE.date()} (a financial year a "
        "case can hold)",
        table.column("leaving_date"),
    )
    return leaving


def _ages(table: _StaffTableReader, leaving: pd.Series) -> dict[str, np.ndarray]:
    """Columns ``date_of_birth`` and ``age`` [years] (NaN where a date of birth is
    given).  A given age must be whole and 16 or over; so must the age completed
    at the leaving date from a date of birth
    (:func:`models.core.calendar.completed_years`)."""
    date_of_birth = table.dates("date_of_birth")
    age = table.numbers("age", minimum=None, what="a whole number of years")
    has_date_of_birth = date_of_birth.notna().to_numpy()
    table.report(
        ~has_date_of_birth
        & age.isna().to_numpy()
        & table.blank("age")
        & table.blank("date_of_birth"),
        "date_of_birth or age",
        "a date of birth or an age",
        table.column("age"),
    )
    completed_age = np.where(has_date_of_birth, np.nan, age.to_numpy())
    both_dates = has_date_of_birth & leaving.notna().to_numpy()
    if both_dates.any():
        completed_age[both_dates] = completed_years(
            date_of_birth[both_dates].to_numpy(), leaving[both_dates].to_numpy()
        )
    young = ~np.isnan(completed_age) & (completed_age < MINIMUM_AGE)
    old = ~np.isnan(completed_age) & (completed_age > MAXIMUM_AGE)
    table.report(
        young & has_date_of_birth,
        "date_of_birth",
        f"an age of {MINIMUM_AGE} or over at leaving",
        date_of_birth.dt.strftime("%Y-%m-%d"),
    )
    table.report(
        old & has_date_of_birth,
        "date_of_birth",
        f"an age of {MAXIMUM_AGE} or under at leaving",
        date_of_birth.dt.strftime("%Y-%m-%d"),
    )
    table.report(
        young & ~has_date_of_birth,
        "age",
        f"an age of {MINIMUM_AGE} or over",
        table.column("age"),
    )
    table.report(
        old & ~has_date_of_birth,
        "age",
        f"an age of {MAXIMUM_AGE} or under",
        table.column("age"),
    )
    table.report(
        ~has_date_of_birth
        & ~np.isnan(completed_age)
        & (completed_age != np.floor(completed_age)),
        "age",
        "a whole number of years (completed age)",
        table.column("age"),
    )
    return {
        "date_of_birth": date_of_birth.to_numpy(),
        "age": np.where(has_date_of_birth, np.nan, age.to_numpy()),
    }


def _service(
    table: _StaffTableReader, leaving: pd.Series, date_of_birth: np.ndarray
) -> dict[str, np.ndarray]:
    """Columns ``service_start`` (the earlier of ``continuous_service_start`` and
    ``start_date``, 1999 Continuity Order) and ``years_of_service`` [years] (NaN
    where a start date is given); no start date after the leaving date, nor
    before the 16th birthday (where a date of birth is given)."""
    start = table.dates("start_date")
    continuous = table.dates("continuous_service_start")
    years = table.numbers("years_of_service", what="a number of years")
    service_start = continuous.where(
        continuous.notna() & (start.isna() | (continuous <= start)), start
    )
    table.report(
        (continuous > start).to_numpy(),
        "continuous_service_start",
        "a date on or before start_date",
        table.column("continuous_service_start"),
    )
    has_start = service_start.notna().to_numpy()
    table.report(
        ~has_start
        & years.isna().to_numpy()
        & table.blank("years_of_service")
        & table.blank("start_date"),
        "start_date or years_of_service",
        "a start date or years of service",
        table.column("start_date"),
    )
    sixteenth_birthday = pd.Series(date_of_birth) + pd.DateOffset(years=MINIMUM_AGE)
    for name, when in (("start_date", start), ("continuous_service_start", continuous)):
        table.report(
            (when > leaving).to_numpy(),
            name,
            "a date on or before the leaving date (and so the relevant date)",
            table.column(name),
        )
        table.report(
            (when.to_numpy() < sixteenth_birthday.to_numpy()),
            name,
            f"a date on or after the {MINIMUM_AGE}th birthday (from date_of_birth)",
            table.column(name),
        )
    return {
        "service_start": service_start.to_numpy(),
        "years_of_service": np.where(has_start, np.nan, years.to_numpy()),
    }


def _weekly_pay(table: _StaffTableReader) -> np.ndarray:
    """Week's pay [GBP/week]: ``weekly_pay``, else ``annual_pay / 52``."""
    weekly = table.numbers("weekly_pay", what="a weekly pay in pounds")
    annual = table.numbers("annual_pay", what="an annual pay in pounds")
    pay = weekly.where(weekly.notna(), annual / WEEKS_PER_YEAR)
    table.report(
        pay.isna().to_numpy() & table.blank("weekly_pay") & table.blank("annual_pay"),
        "weekly_pay or annual_pay",
        "a weekly or annual pay",
        table.column("weekly_pay"),
    )
    return pay.to_numpy()


def _pension_and_notice(table: _StaffTableReader) -> dict[str, np.ndarray]:
    """Columns ``pension_member``, ``annual_pension_accrued`` [GBP/year, 0 where
    blank], ``notice_worked``, ``contractual_notice_weeks`` [weeks, 0 where blank]
    and ``fund_strain_cost`` [GBP]; a member needs a pension or a fund figure."""
    member = table.flags("pension_member")
    worked = table.flags("notice_worked")
    fund = table.numbers("fund_strain_cost", what="a strain cost in pounds")
    pension = table.numbers("annual_pension_accrued", what="a pension in pounds a year")
    table.report(
        member.to_numpy()
        & pension.isna().to_numpy()
        & fund.isna().to_numpy()
        & table.blank("annual_pension_accrued"),
        "annual_pension_accrued",
        "the pension accrued for a pension member (or a fund_strain_cost)",
        table.column("annual_pension_accrued"),
    )
    contractual = table.numbers("contractual_notice_weeks", what="a number of weeks")
    return {
        "pension_member": member.to_numpy(),
        "annual_pension_accrued": pension.fillna(0.0).to_numpy(),
        "notice_worked": worked.to_numpy(),
        "contractual_notice_weeks": contractual.fillna(0.0).to_numpy(),
        "fund_strain_cost": fund.to_numpy(),
    }
