"""Reading tables (CSV or Excel) that input files name, as text cells.

Cells are read as text ('' for a blank) so that each loader parses and checks
them itself and can name the row and column of a bad value; dates read by Excel
come back as ``YYYY-MM-DD``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from models.core.errors import InputError
from models.core.yamlio import undecodable


def read_text_table(path: Path, what: str = "table") -> pd.DataFrame:
    """Read a CSV or Excel (.xlsx) table as text cells; InputError if unreadable."""
    path = Path(path)
    if not path.exists():
        raise InputError(path, None, f"an existing {what} file", "no such file")
    suffix = path.suffix.lower()
    if path.is_dir():
        raise InputError(path, None, f"a {what} file", "a folder")
    try:
        if suffix in (".xlsx", ".xlsm"):
            raw = pd.read_excel(path, dtype=object, engine="openpyxl")
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

    raw.columns = [str(c).strip() for c in raw.columns]
    return raw.map(cell) if len(raw) else raw.astype(str)


def _csv_text(path: Path) -> str:
    """The text of a CSV file, checked line by line so that a problem names its line:
    not UTF-8, empty, a column named twice, a row with more cells than the header,
    a quote left open.  (Rows with fewer cells are read with blanks.)"""
    data = path.read_bytes()
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
