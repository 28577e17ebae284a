"""Board tables computed from the long results format (full precision, pounds)."""

from __future__ import annotations

import pandas as pd

from models.engine.projection import ALL, yearly_table


def summary_position(long: pd.DataFrame, council: str = ALL) -> pd.DataFrame:
    """The seed 002 para 6.9 layout: SAVINGS, SET UP COSTS, NET SAVINGS by year [GBP].

    ``SET UP COSTS`` includes severance, as the seed's table does (para 6.1 and 6.9:
    the £896k severance of the single management team is shown as a set-up cost).
    ``NET SAVINGS = SAVINGS - SET UP COSTS`` (the financial view).
    """
    t = yearly_table(long, council=council)
    out = pd.DataFrame(
        {
            "SAVINGS": t.loc["Savings"],
            "SET UP COSTS": t.loc["Costs|Set-up"] + t.loc["Costs|Severance"],
            "NET SAVINGS": t.loc["Net saving"],
        }
    ).T
    out.columns.name = "financial_year"
    return out
