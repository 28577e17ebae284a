"""Reading tables (CSV or Excel) that input files name, as text cells.

Cells are read as text ('' for a blank) so that each loader parses and checks
them itself and can name the row and column of a bad value; dates read by Excel
come back as ``YYYY-MM-DD``.

Resources are bounded before a table is parsed: the file must be an ordinary
file of at most :data:`~models.core.paths.MAX_TABLE_BYTES`; a workbook's parts
may hold at most :data:`MAX_XLSX_UNCOMPRESSED` bytes once unpacked (read from
the zip's own directory before openpyxl opens it, so a zip bomb is refused
unopened); a table may have at most :data:`MAX_TABLE_CELLS` cells.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from models.core.errors import InputError
from models.core.names import CONTROL_CHARACTERS, control_character
from models.core.paths import MAX_TABLE_BYTES, MEGABYTE, check_input_file
from models.core.yamlio import undecodable

MAX_XLSX_UNCOMPRESSED = 50 * MEGABYTE
"""Largest unpacked size of a workbook's parts [bytes] (a 100,000-row staff
table unpacks to about 40 MB)."""

MAX_TABLE_CELLS = 2_000_000
"""Most cells (data rows × columns) read from a table [cells]."""


def require_columns(table: pd.DataFrame, path: Path, columns: Sequence[str]) -> None:
    """InputError naming the file's header if ``table`` lacks any of ``columns``.

    >>> t = pd.DataFrame(columns=["service", "council"])
    >>> require_columns(t, Path("costs.csv"), ("service", "council", "baseline_cost"))
    Traceback (most recent call last):
    ...
    models.core.errors.InputError: costs.csv: header: expected columns service, council, baseline_cost, found no column baseline_cost.
    """
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise InputError(
            path,
            "header",
            f"columns {', '.join(columns)}",
            f"no column {', '.join(missing)}",
        )


def read_text_table(path: Path, what: str = "table") -> pd.DataFrame:
    """Read a CSV or Excel (.xlsx) table as text cells; InputError if unreadable."""
    path = Path(path)
    if not path.exists():
        raise InputError(path, None, f"an existing {what} file", "no such file")
    suffix = path.suffix.lower()
    if path.is_dir():
        raise InputError(path, None, f"a {what} file", "a folder")
    check_input_file(path, what, MAX_TABLE_BYTES)
    try:
        if suffix in (".xlsx", ".xlsm"):
            _check_workbook_size(path)
            raw = pd.read_excel(
                path, dtype=object, engine="openpyxl", nrows=MAX_TABLE_CELLS + 1
            )
        elif suffix == ".csv":
            text = _csv_text(path)
            raw = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
        else:
            raise InputError(
                path, None, f"a .csv or .xlsx {what}", suffix or "no suffix"
            )
    except InputError:
        raise
    except zipfile.BadZipFile:  # an .xlsx is a zip archive
        raise InputError(
            path,
            None,
            "an Excel workbook",
            "a file that is not one (a CSV or text file renamed .xlsx?)",
        ) from None
    except Exception as exc:  # other parser errors from pandas / openpyxl
        raise InputError(path, None, f"a readable {what}", str(exc).strip()) from None

    def cell(v: Any) -> str:
        if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NaT:
            return ""
        if isinstance(v, dt.datetime | pd.Timestamp):
            return v.strftime("%Y-%m-%d")
        if isinstance(v, dt.date):
            return v.isoformat()
        return str(v).strip()

    cells = raw.shape[0] * max(raw.shape[1], 1)
    if cells > MAX_TABLE_CELLS:
        raise InputError(
            path,
            None,
            f"a {what} of at most {MAX_TABLE_CELLS:,} cells",
            f"{len(raw):,} rows of {raw.shape[1]} columns"
            if len(raw) <= MAX_TABLE_CELLS
            else f"more than {MAX_TABLE_CELLS:,} rows",
        )
    raw.columns = [str(c).strip() for c in raw.columns]
    table = raw.map(cell) if len(raw) else raw.astype(str)
    _check_no_control_characters(path, table)
    return table


def _check_no_control_characters(path: Path, table: pd.DataFrame) -> None:
    """Refuse a header or cell holding a control character (ESC, BEL...): it
    would reach names in reports and spreadsheets."""
    for number, name in enumerate(table.columns, 1):
        if character := control_character(name):
            raise InputError(
                path,
                f"column {number} of the header",
                "text without control characters",
                f"the character {character}",
            )
    for name in table.columns:
        has_control = table[name].str.contains(CONTROL_CHARACTERS).to_numpy()
        if has_control.any():
            row = int(has_control.argmax()) + 1
            raise InputError(
                path,
                f"data row {row} (file line {row + 1}), column {name}",
                "text without control characters",
                f"the character {control_character(table[name].iloc[row - 1])}",
            )


def _check_workbook_size(path: Path) -> None:
    """Refuse a workbook whose parts unpack to more than
    :data:`MAX_XLSX_UNCOMPRESSED` bytes, from the sizes the zip declares (Python's
    zip reader never unpacks more than a part declares)."""
    with zipfile.ZipFile(path) as archive:
        unpacked = sum(info.file_size for info in archive.infolist())
    if unpacked > MAX_XLSX_UNCOMPRESSED:
        raise InputError(
            path,
            None,
            f"a workbook of at most {MAX_XLSX_UNCOMPRESSED // MEGABYTE} MB unpacked",
            f"one that unpacks to {unpacked / MEGABYTE:,.0f} MB (a zip bomb?)",
        )


def _csv_text(path: Path) -> str:
    """The text of a CSV file, checked line by line so that a problem names its line:
    not UTF-8, empty, a column named twice, a row with more cells than the header,
    a quote left open.  (Rows with fewer cells are read with blanks.)"""
    data = path.read_bytes()  # size checked by check_input_file
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            path, None, "a CSV file of UTF-8 text", undecodable(data, exc)
        ) from None
    rows = csv.reader(io.StringIO(text), strict=True)
    try:
        header = next(rows, None)
        if not header or not any(h.strip() for h in header):
            raise InputError(
                path,
                "file line 1",
                "a header row naming the columns",
                "an empty file" if not text.strip() else "a blank line",
            )
        names = [h.strip() for h in header]
        twice = [n for i, n in enumerate(names) if n in names[:i]]
        if twice:
            raise InputError(
                path, f"column {twice[0]}", "each column once in the header", "it twice"
            )
        for row in rows:
            if len(row) > len(header):
                raise InputError(
                    path,
                    f"file line {rows.line_num}",
                    f"at most {len(header)} cells, as in the header",
                    f"{len(row)} cells",
                )
    except csv.Error as exc:
        raise InputError(
            path, f"file line {rows.line_num}", "a well-formed CSV row", str(exc)
        ) from None
    return text


def repeated_rows(table: pd.DataFrame, columns: list[str]) -> list[tuple[int, int]]:
    """(earlier row, repeating row) for each data row whose ``columns`` repeat an
    earlier row's, rows counted from 1.

    >>> t = pd.DataFrame({"a": ["x", "y", "x"], "b": ["1", "2", "1"]})
    >>> repeated_rows(t, ["a", "b"])
    [(1, 3)]
    """
    if len(table) == 0:
        return []
    keys = table[columns].astype(str).agg("\x1f".join, axis=1)
    codes, _ = pd.factorize(keys)  # numbered in order of first appearance
    _, first_position = np.unique(codes, return_index=True)
    repeats = np.flatnonzero(keys.duplicated(keep="first").to_numpy())
    return [(int(first_position[codes[i]]) + 1, int(i) + 1) for i in repeats]
