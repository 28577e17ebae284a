"""Numbers with their unit and source, and the strict base model of every input file.

A number in an input file may be written bare (``330000``) or with its unit and
source (``{value: 330000, unit: GBP/year, source: seed 002 para 6.2}``).

A unit, when given, means what it says: it is checked against the unit the key
expects and the value is scaled to the model's own unit (pounds, fractions) as
it is read: ``{value: 95, unit: "GBP'000/year"}`` is £95,000 a year and
``{value: 3.5, unit: "%"}`` is 0.035.  An unknown spelling, or a unit of another
kind (``%`` for an amount of money, ``GBP`` for a rate), is refused naming the
key and the units accepted.  See :data:`MONEY_UNITS` and :data:`RATE_UNITS`.
"""

from __future__ import annotations

from typing import Annotated, Any, ClassVar

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    field_validator,
    model_validator,
)

SHARE_TOLERANCE = 1e-9
"""Shares and profiles must sum to 1 within this tolerance [/1]."""


def plain_number(value: Any) -> Any:
    """Refuse true/false where a number is expected (pydantic would read it as 1/0),
    and whole numbers too large for a float (10**400 would fail with OverflowError)."""
    if isinstance(value, bool):
        raise ValueError("expected a number, found a yes/no value")
    if isinstance(value, int) and abs(value) > 1e300:
        raise ValueError(
            f"expected a number of ordinary size, found a number of {len(str(abs(value)))} digits"
        )
    return value


Number = Annotated[float, BeforeValidator(plain_number)]
"""A number in an input file: not true/false (finiteness is the models' config)."""
WholeNumber = Annotated[int, BeforeValidator(plain_number)]
"""A whole number in an input file: not true/false."""


class Strict(BaseModel):
    """Base model: unknown keys are errors, assignment re-validates, and numbers
    must be finite (YAML reads .nan, .inf and 1.0e+999 as floats)."""

    model_config = ConfigDict(
        extra="forbid", validate_assignment=True, allow_inf_nan=False
    )


def how_to_write_number(text: str) -> str:
    """A hint for a number written as a person writes money: ``£30,000`` or
    ``30,000`` is written ``30000`` in a case file (a unit goes in ``unit:``).

    >>> how_to_write_number("£30,000")
    ' written as 30000, without a £ sign or commas'
    >>> how_to_write_number("thirty")
    ''
    """
    plain = text.strip().removeprefix("£").replace(",", "").strip()
    try:
        number = float(plain)
    except ValueError:
        return ""
    if plain == text.strip() or number != number:  # not money-like, or nan
        return ""
    shown = f"{number:.0f}" if number.is_integer() else plain
    return f" written as {shown}, without a £ sign or commas"


def _spellings(
    written: dict[str, float], per: dict[str, str]
) -> dict[str, tuple[str, float]]:
    """Every spelling ``amount + period`` -> (the model's unit, scale factor)."""
    table = {}
    for amount, factor in written.items():
        for period, canonical in per.items():
            table[amount + period] = (canonical, factor)
    return table


_POUNDS = {"GBP": 1.0, "£": 1.0, "GBP'000": 1000.0, "£'000": 1000.0, "£k": 1000.0}
_POUNDS["GBP_thousands"] = 1000.0  # the spelling of the actuals files

MONEY_UNITS: dict[str, dict[str, tuple[str, float]]] = {
    "GBP": _spellings(_POUNDS, {"": "GBP"}),
    "GBP/year": _spellings(_POUNDS, {"": "GBP/year", "/year": "GBP/year"}),
    "GBP/person": _spellings(_POUNDS, {"": "GBP/person", "/person": "GBP/person"}),
}
"""Accepted spellings of each money unit a key may expect -> (unit, scale): the
value is multiplied by the scale (1,000 for ``GBP'000`` and ``£k``).  A yearly
amount may be written ``GBP`` (the key says it is a year's); a one-off amount
may not be written ``GBP/year``."""

RATE_UNITS: dict[str, tuple[str, float]] = {
    "/1": ("/1", 1.0),
    "%": ("/1", 0.01),
    "/1 a year": ("/1 a year", 1.0),
    "/year": ("/1 a year", 1.0),
    "% a year": ("/1 a year", 0.01),
    "%/year": ("/1 a year", 0.01),
}
"""Accepted spellings of a rate's unit -> (unit, scale): ``%`` is divided by 100."""


def scaled_value(value: Any, unit: str, units: dict[str, tuple[str, float]]) -> Any:
    """``value`` written in ``unit``, in the model's unit (``units[unit]``).

    >>> scaled_value(95, "GBP'000", MONEY_UNITS["GBP/year"])
    95000.0
    >>> scaled_value(3.5, "%", RATE_UNITS)
    0.035
    """
    factor = units[unit][1]
    if isinstance(value, bool) or not isinstance(value, int | float):
        return value  # the value's own check names it
    if isinstance(value, int) and abs(value) > 1e300:
        return value  # too large for a float: plain_number names it
    if factor == 0.01:
        return value / 100  # 3.5 / 100 is 0.035 exactly as typed
    return value * factor


class Quantity(Strict):
    """A number with its unit and source.  A bare number is accepted as ``value``.

    A subclass that sets :attr:`UNITS` accepts only those units and scales the
    value to the first one's meaning (see :func:`scaled_value`)."""

    UNITS: ClassVar[dict[str, tuple[str, float]] | None] = None
    """Accepted unit spellings -> (unit, scale); None: any unit (drivers)."""
    EXPECTED_UNIT: ClassVar[str] = ""
    """The unit the key expects, as the error message names it."""

    value: Number
    unit: str | None = None
    source: str | None = None
    note: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _unit_means_what_it_says(cls, data: Any) -> Any:
        if cls.UNITS is None or not isinstance(data, dict) or "unit" not in data:
            return data
        unit = data["unit"]
        if unit is None:
            return data
        spelling = " ".join(unit.split()) if isinstance(unit, str) else None
        if spelling not in cls.UNITS:
            shown = repr(unit)[:40]
            raise ValueError(
                f"expected the unit {cls.EXPECTED_UNIT}, found the unit {shown}"
            )
        canonical, _ = cls.UNITS[spelling]
        return {
            **data,
            "value": scaled_value(data.get("value"), spelling, cls.UNITS),
            "unit": canonical,
        }

    @model_validator(mode="before")
    @classmethod
    def _bare_number(cls, data: Any) -> Any:
        if isinstance(data, bool | int):
            plain_number(data)
        if isinstance(data, int | float):
            return {"value": data}
        if isinstance(data, str):
            # YAML reads 1e6 (no dot) and quoted numbers as text
            raise ValueError(
                "expected a number (or a mapping of value, unit and source)"
                + how_to_write_number(data)
            )
        return data

    def __float__(self) -> float:
        return float(self.value)


class Money(Quantity):
    """A non-negative amount of money a year [GBP/year] (``GBP`` accepted)."""

    UNITS = MONEY_UNITS["GBP/year"]
    EXPECTED_UNIT = "GBP/year (or GBP, GBP'000/year, £k/year)"

    @field_validator("value")
    @classmethod
    def _non_negative(cls, v: float) -> float:
        if v < 0:
            raise ValueError("expected a non-negative amount of money")
        return v


class OneOffMoney(Money):
    """A non-negative one-off amount of money, or a total over years [GBP]."""

    UNITS = MONEY_UNITS["GBP"]
    EXPECTED_UNIT = "GBP (or GBP'000, £k): an amount, not a yearly one"


class MoneyPerPerson(Money):
    """A non-negative amount of money for each person [GBP/person]."""

    UNITS = MONEY_UNITS["GBP/person"]
    EXPECTED_UNIT = "GBP/person (or GBP, GBP'000/person, £k/person)"


class Rate(Quantity):
    """A rate or fraction between 0 and 1 [/1], or a yearly rate [/1 a year];
    ``%`` is divided by 100."""

    UNITS = RATE_UNITS
    EXPECTED_UNIT = "/1 (a fraction, or %) or /1 a year"

    @field_validator("value")
    @classmethod
    def _unit_interval(cls, v: float) -> float:
        if not 0 <= v <= 1:
            raise ValueError("expected a rate between 0 and 1 (e.g. 0.035 for 3.5%)")
        return v


class Driver(Quantity):
    """A cost-sharing driver value (electorate, payslips, cameras...) and its year."""

    year: str | WholeNumber | None = None

    @field_validator("value")
    @classmethod
    def _non_negative(cls, v: float) -> float:
        if v < 0:
            raise ValueError("expected a non-negative driver value")
        return v
