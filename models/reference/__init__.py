"""Dated reference data (statutory caps, Green Book rates, optimism bias).

One YAML file a parameter, in the PolicyEngine style::

    description: One sentence saying what the parameter is.
    metadata:
      unit: GBP/week
      reference:
        - title: Employment Rights (Increase of Limits) Order 2024
          href: https://www.legislation.gov.uk/uksi/2024/...
    values:
      2009-02-01: 350      # value in force from that date
    # or, for schedules that are not dated:
    brackets: [...]

:func:`load_reference` reads a file strictly (``yaml.safe_load``, duplicate keys
rejected, description/unit/reference required) and :func:`value_at` looks a dated
parameter up for one date or an array of dates.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from models.core.errors import InputError
from models.core.yamlio import load_yaml

REFERENCE_DIR = Path(__file__).parent


@cache
def load_reference(name: str) -> dict[str, Any]:
    """Load ``models/reference/<name>.yaml`` and check its structure.

    >>> load_reference("green_book_discount_rates")["metadata"]["unit"]
    '/1'
    """
    path = REFERENCE_DIR / f"{name}.yaml"
    data = load_yaml(path)
    for key in ("description", "metadata"):
        if key not in data:
            raise InputError(path, key, "a description and metadata block")
    meta = data["metadata"]
    if "unit" not in meta or "reference" not in meta or not meta["reference"]:
        raise InputError(path, "metadata", "'unit' and at least one 'reference'")
    if "values" in data:
        values = data["values"]
        if not isinstance(values, dict) or not values:
            raise InputError(path, "values", "a mapping of date to value")
        for key in values:
            if not isinstance(key, dt.date):
                raise InputError(path, f"values.{key}", "an ISO date (YYYY-MM-DD)")
    return data


def reference_names() -> list[str]:
    """Names of every reference file shipped with the package."""
    return sorted(p.stem for p in REFERENCE_DIR.glob("*.yaml"))


def dated_series(name: str) -> tuple[np.ndarray, np.ndarray]:
    """Effective dates (``datetime64[D]``) and values of a dated parameter, sorted."""
    values = load_reference(name)["values"]
    dates = sorted(values)
    effective = np.array(dates, dtype="datetime64[D]")
    amounts = np.array([float(values[d]) for d in dates])
    return effective, amounts


def value_at(name: str, date: Any) -> np.ndarray | float:
    """Value of a dated parameter in force on ``date`` (a date or array of dates).

    Raises ``ValueError`` for a date before the first value on record.

    >>> float(value_at("statutory_redundancy_weekly_pay_cap", dt.date(2011, 2, 1)))
    400.0
    """
    effective, amounts = dated_series(name)
    when = np.asarray(date, dtype="datetime64[D]")
    idx = np.searchsorted(effective, when, side="right") - 1
    if np.any(idx < 0):
        raise ValueError(
            f"{name}: no value on record before {effective[0]} (asked for {when.min()})"
        )
    out = amounts[idx]
    return float(out) if out.ndim == 0 else out
