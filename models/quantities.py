"""Numbers with their unit and source, and the strict base model of every input file.

A number in an input file may be written bare (``330000``) or with its unit and
source (``{value: 330000, unit: GBP/year, source: seed 002 para 6.2}``).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, field_validator, model_validator

SHARE_TOLERANCE = 1e-9
"""Shares and profiles must sum to 1 within this tolerance [/1]."""


class Strict(BaseModel):
    """Base model: unknown keys are errors, assignment re-validates."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class Quantity(Strict):
    """A number with its unit and source.  A bare number is accepted as ``value``."""

    value: float
    unit: str | None = None
    source: str | None = None
    note: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _bare_number(cls, data: Any) -> Any:
        if isinstance(data, bool):
            raise ValueError("expected a number, found a yes/no value")
        if isinstance(data, int | float):
            return {"value": data}
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

    year: str | int | None = None

    @field_validator("value")
    @classmethod
    def _non_negative(cls, v: float) -> float:
        if v < 0:
            raise ValueError("expected a non-negative driver value")
        return v
