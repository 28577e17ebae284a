"""Reading tables (CSV or Excel) that input files name, as text cells.

Cells are read as text ('' for a blank) so that each loader parses and checks
them itself and can name the row and column of a bad value; dates read by Excel
come back as ``YYYY-MM-DD``.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from models.errors import InputError


def read_text_table(path: Path, what: str = "table") -> pd.DataFrame:
    """Read a CSV or Excel (.xlsx) table as text cells; InputError if unreadable."""
    path = Path(path)
    if not path.exists():
        raise InputError(path, None, f"an existing {what} file", "no such file")
    suffix = path.suffix.lower()
    try:
        if suffix in (".xlsx", ".xlsm"):
            raw = pd.read_excel(path, dtype=object, engine="openpyxl")
        elif suffix == ".csv":
            raw = pd.read_csv(path, dtype=str, keep_default_na=False)
        else:
            raise InputError(
                path, None, f"a .csv or .xlsx {what}", suffix or "no suffix"
            )
    except InputError:
        raise
    except Exception as exc:  # parser errors from pandas / openpyxl
        raise InputError(
            path, None, "a readable CSV or Excel table", f"{type(exc).__name__}: {exc}"
        ) from None

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
