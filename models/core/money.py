"""Money for display: the one formatter of the package.

Money is computed in pounds at full precision and rounded only here, for
display.  Report tables show £'000 (``£1,016k``, negatives in brackets: the
convention of the seed reports' tables); the monitoring report's columns are
headed "£'000" and show the bare number (``1,016``); messages and command-line
summaries show whole pounds (``£1,016,000``, ``-£65,000``).  Halves round away
from zero (:func:`models.core.rounding.round_half_away`).  A table's figures are
rounded together so that they foot (:mod:`models.core.rounding`); these
functions format one figure at a time.
"""

from __future__ import annotations

import math

from models.core.rounding import round_half_away

THOUSAND = 1000.0
"""Display unit of report tables [GBP]: £'000."""


def format_thousands(thousands: float, currency: bool = True) -> str:
    """A whole number of £'000 as text, negatives in brackets.

    ``currency``: with the £ sign and ``k`` (``£1,016k``), or bare (``1,016``)
    under a column headed £'000.

    >>> format_thousands(1016), format_thousands(-357), format_thousands(0)
    ('£1,016k', '(£357k)', '£0k')
    >>> format_thousands(1179, currency=False), format_thousands(-65, currency=False)
    ('1,179', '(65)')
    """
    k = int(thousands)
    text = f"£{abs(k):,}k" if currency else f"{abs(k):,}"
    return f"({text})" if k < 0 else text


def money_k(value: float | None, unit: float = THOUSAND, currency: bool = True) -> str:
    """Pounds as £'000 (``£1,016k``), halves away from zero, negatives in brackets.

    Parameters: ``value`` [GBP]; ``unit`` [GBP] the display unit (1000 = £'000);
    ``currency`` as in :func:`format_thousands`.  Blank for a missing value.

    >>> money_k(1_016_000.0), money_k(-65_400.0), money_k(499.0), money_k(None)
    ('£1,016k', '(£65k)', '£0k', '')
    >>> money_k(2_500.0, currency=False), money_k(float("nan"), currency=False)
    ('3', '')
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return format_thousands(float(round_half_away(value / unit)), currency)


def parse_k(text: str) -> int:
    """The number of £'000 in a formatted cell (inverse of :func:`format_thousands`).

    >>> parse_k("£1,016k"), parse_k("(£357k)")
    (1016, -357)
    """
    stripped = text.strip()
    negative = stripped.startswith("(") and stripped.endswith(")")
    digits = stripped.strip("()").removeprefix("£").removesuffix("k").replace(",", "")
    return -int(digits) if negative else int(digits)


def pounds(value: float) -> str:
    """Whole pounds with a minus sign for a negative amount [GBP].

    >>> pounds(1_016_000.4), pounds(-65_000)
    ('£1,016,000', '-£65,000')
    """
    return f"-£{-value:,.0f}" if value < 0 else f"£{value:,.0f}"


MILLION = 1_000_000.0
"""Pounds in a million [GBP]: figures in sentences of £1m or more are shown in £m."""


def money_words(value: float) -> str:
    """Pounds as a sentence shows them: £m to one decimal from £1m, else £'000.

    Negatives in brackets, as in the tables; halves away from zero.

    >>> money_words(12_463_000), money_words(-2_050_000), money_words(896_400)
    ('£12.5m', '(£2.1m)', '£896k')
    >>> money_words(2_000_000), money_words(0)
    ('£2m', '£0k')
    """
    if abs(value) < MILLION - 50_000:
        return money_k(value)
    tenths = round_half_away(abs(value) / (MILLION / 10)) / 10
    text = f"£{tenths:,.1f}".removesuffix(".0") + "m"
    return f"({text})" if value < 0 else text
