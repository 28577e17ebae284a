"""Cells of exported tables hold data, never formulas.

Names in a case file (councils, services, options, actuals lines) may come from
another council and reach every CSV and xlsx file a run writes.  A spreadsheet
program runs a CSV field that begins with ``=``, ``+``, ``-`` or ``@`` (and,
in some programs, a tab or carriage return) as a formula: ``=HYPERLINK(...)``
can send the sheet's contents away, ``=cmd|' /C calc'!A0`` can start a program.

* CSV: every TEXT field that begins with one of :data:`FORMULA_TRIGGERS` is
  neutralised as OWASP recommends ("CSV Injection", owasp.org/www-community/
  attacks/CSV_Injection): a single quote is put before it, so a spreadsheet
  shows it as text.  Numbers (negative ones included) stay numbers; only text
  is changed.  Every CSV the program writes goes through :func:`write_csv`.
* xlsx: every text cell is written as a string cell (``data_type 's'``), never
  as a formula or an error value, by :func:`text_cells_as_strings` after a
  sheet is filled (openpyxl reads a ``str`` beginning with ``=`` as a formula).
  A string cell is shown literally, so no quote is added there.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
"""First characters that make a spreadsheet read a CSV field as a formula
(OWASP, CSV Injection)."""

QUOTE = "'"
"""Put before a text field that begins with a trigger: the spreadsheet shows
the field as text (OWASP)."""


def csv_safe_text(value: Any) -> Any:
    """``value`` as a CSV field that no spreadsheet runs: text beginning with a
    formula trigger gets a single quote in front; anything else is unchanged.

    >>> csv_safe_text("=HYPERLINK(1)")
    "'=HYPERLINK(1)"
    >>> csv_safe_text("-1+1"), csv_safe_text("Bromsgrove"), csv_safe_text(-1.5)
    ("'-1+1", 'Bromsgrove', -1.5)
    """
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return QUOTE + value
    return value


def csv_safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` with every text cell, column name and index label
    passed through :func:`csv_safe_text`; numeric columns are left as they are.

    >>> csv_safe_frame(pd.DataFrame({"+x": ["@a", "b"], "v": [-1, 2]}))
       '+x  v
    0  '@a -1
    1    b  2
    """
    out = frame.copy()
    for j, dtype in enumerate(out.dtypes):
        if not (
            pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_bool_dtype(dtype)
        ) and not pd.api.types.is_datetime64_any_dtype(dtype):
            column = out.iloc[:, j]
            if _any_trigger(column):
                out.isetitem(j, column.map(csv_safe_text))
    out.columns = _safe_labels(out.columns)
    out.index = _safe_labels(out.index)
    return out


def _any_trigger(column: pd.Series) -> bool:
    """Whether any text cell of ``column`` begins with a formula trigger.

    Each distinct value is looked at once: a long table repeats a few names
    over thousands of rows, and calling :func:`csv_safe_text` on every cell
    took about 30 ms an option of a streamed run.  Distinct values are found by
    equality, which may merge ``1`` and ``True``, but a text is equal only to
    the same text.  A column of unhashable cells is looked at cell by cell."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        values = column.cat.categories
    else:
        try:
            values = pd.unique(column)
        except TypeError:
            values = column
    return any(isinstance(v, str) and v.startswith(FORMULA_TRIGGERS) for v in values)


def _safe_labels(labels: pd.Index) -> pd.Index:
    if isinstance(labels, pd.MultiIndex):
        return labels.set_levels(
            [_safe_labels(level) for level in labels.levels], verify_integrity=False
        )
    if pd.api.types.is_numeric_dtype(labels.dtype):
        return labels
    return pd.Index([csv_safe_text(v) for v in labels], name=csv_safe_text(labels.name))


def write_csv(frame: pd.DataFrame, path: str | Path, **kwargs: Any) -> None:
    """Write ``frame`` as CSV to ``path`` (``kwargs`` as :meth:`DataFrame.to_csv`)
    with every text field neutralised (:func:`csv_safe_frame`)."""
    csv_safe_frame(frame).to_csv(path, **kwargs)


def text_cells_as_strings(sheet: Any) -> None:
    """Make every text cell of an openpyxl worksheet a string cell: a ``str``
    beginning with ``=`` is otherwise stored as a formula, and ``#N/A`` and
    the like as error values."""
    for row in sheet.iter_rows():
        for cell in row:
            if isinstance(cell.value, str) and cell.data_type != "s":
                cell.data_type = "s"
