"""UK local-government financial years and part-year fractions.

Conventions (stated once here and in the README):

* A financial year runs from 1 April to 31 March and is labelled ``"2011/12"``.
* Year index ``t`` counts financial years from the case's base year (``t = 0``).
* Part-year effect is counted in whole calendar months: a service that goes live
  on the 1st of a month is live for that whole month; one that goes live on any
  later day counts from the 1st of the following month.  A service live for
  ``m`` months of a financial year delivers ``m / 12`` of that year's saving.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import numpy as np
import pandas as pd

ArrayLike = Any

_LABEL = re.compile(r"^(\d{4})/(\d{2})$")


def fy_start_year(label: str) -> int:
    """Calendar year in which financial year ``label`` starts.

    >>> fy_start_year("2011/12")
    2011
    """
    match = _LABEL.match(str(label))
    if not match:
        raise ValueError(f"expected a financial year like '2011/12', found {label!r}")
    start = int(match.group(1))
    if (start + 1) % 100 != int(match.group(2)):
        raise ValueError(
            "expected a financial year of two consecutive years like '2011/12', "
            f"found {label!r}"
        )
    return start


def fy_label(start_year: int) -> str:
    """Label of the financial year starting 1 April ``start_year``.

    >>> fy_label(2008)
    '2008/09'
    """
    return f"{start_year}/{(start_year + 1) % 100:02d}"


def financial_year_of(date: dt.date) -> str:
    """Financial year containing ``date`` (April to March).

    >>> financial_year_of(dt.date(2012, 3, 31)), financial_year_of(dt.date(2012, 4, 1))
    ('2011/12', '2012/13')
    """
    return fy_label(date.year if date.month >= 4 else date.year - 1)


def fy_labels(base_year: str, horizon_years: int) -> list[str]:
    """Labels of ``horizon_years`` consecutive financial years from ``base_year``.

    >>> fy_labels("2011/12", 3)
    ['2011/12', '2012/13', '2013/14']
    """
    start = fy_start_year(base_year)
    return [fy_label(start + t) for t in range(horizon_years)]


def fy_index(label: str, base_year: str) -> int:
    """Year index ``t`` of financial year ``label`` counted from ``base_year``.

    >>> fy_index("2013/14", "2011/12")
    2
    """
    return fy_start_year(label) - fy_start_year(base_year)


def month_index(date: dt.date, base_year: str) -> int:
    """Months from 1 April of ``base_year`` to the first whole month from ``date``.

    A date on the 1st counts its own month; any later day counts from the next
    month (see module docstring).

    >>> month_index(dt.date(2011, 4, 1), "2011/12"), month_index(dt.date(2011, 4, 2), "2011/12")
    (0, 1)
    """
    start = fy_start_year(base_year)
    months = (date.year - start) * 12 + (date.month - 4)
    return months + (0 if date.day == 1 else 1)


def completed_years(start: ArrayLike, end: ArrayLike) -> np.ndarray:
    """Whole years from ``start`` to ``end`` (age or service in completed years).

    A 29 February anniversary falls on 1 March in other years.

    >>> born = np.array(["1970-03-01", "1970-03-01"], "datetime64[D]")
    >>> on = np.array(["2011-02-28", "2011-03-01"], "datetime64[D]")
    >>> completed_years(born, on).tolist()
    [40.0, 41.0]
    """
    s = pd.DatetimeIndex(np.atleast_1d(np.asarray(start, dtype="datetime64[D]")))
    e = pd.DatetimeIndex(np.atleast_1d(np.asarray(end, dtype="datetime64[D]")))
    before = (e.month < s.month) | ((e.month == s.month) & (e.day < s.day))
    return np.asarray(e.year - s.year - before, dtype=float)


def completed_months(start: ArrayLike, end: ArrayLike) -> np.ndarray:
    """Whole calendar months from ``start`` to ``end``.

    >>> completed_months(np.array(["2010-01-15"], "datetime64[D]"),
    ...                  np.array(["2010-02-14"], "datetime64[D]")).tolist()
    [0.0]
    """
    s = pd.DatetimeIndex(np.atleast_1d(np.asarray(start, dtype="datetime64[D]")))
    e = pd.DatetimeIndex(np.atleast_1d(np.asarray(end, dtype="datetime64[D]")))
    months = (e.year - s.year) * 12 + (e.month - s.month) - (e.day < s.day)
    return np.asarray(months, dtype=float)
