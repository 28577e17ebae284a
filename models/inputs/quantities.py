"""Numbers with their unit and source, and the strict base model of every input file.

A number in an input file may be written bare (``330000``) or with its unit and
source (``{value: 330000, unit: GBP/year, source: seed 002 para 6.2}``).
"""

from __future__ import annotations

from typing import Annotated, Any

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


class Quantity(Strict):
    """A number with its unit and source.  A bare number is accepted as ``value``."""

    value: Number
    unit: str | None = None
    source: str | None = None
    note: str | None = None

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
    """A non-negative amount of money [GBP]."""

    @field_validator("value")
    @classmethod
    def _non_negative(cls, v: float) -> float:
        if v < 0:
            raise ValueError("expected a non-negative amount of money")
        return v


class Rate(Quantity):
    """A rate or fraction between 0 and 1 [/1]."""

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
