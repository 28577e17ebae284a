"""Per-council tables for display: each council's share of each line, in £'000 that foot."""

from __future__ import annotations

import numpy as np
import pandas as pd

from models.core.rounding import footed_round
from models.engine.projection import OptionResult, council_lines

TOTAL = "Total"


def council_summary(result: OptionResult) -> pd.DataFrame:
    """Each council's headline figures, and the whole partnership ('All') [GBP].

    Columns: ``savings``, ``set_up_costs``, ``severance_costs``, ``net_saving``
    (undiscounted totals over the horizon), ``npv``, ``npv_economic``,
    ``payback_year`` (first year from which cumulative net saving stays >= 0),
    ``share_of_set_up_costs`` [/1] (``council set-up / total set-up``), then
    ``cumulative_net_saving <fy>`` for each year.  Council rows sum to 'All'
    (money columns).
    """

    a, p = result.arrays, result.projection
    lines = council_lines(a, p)  # each (C, T)
    whole = {
        "savings": p["savings_total"].sum(axis=0),
        "setup": p["setup_total"].sum(axis=0),
        "severance": (p["redundancy_pay"] + p["pension_strain"]).sum(axis=0),
        "net": p["net"].sum(axis=0),
    }
    names = [*a.councils, "All"]

    def with_all(key: str) -> np.ndarray:
        return np.vstack([lines[key], whole[key][None, :]])

    setup = with_all("setup").sum(axis=1)
    setup_total = setup[-1]
    summaries = [*(result.councils[c] for c in a.councils), result.summary]
    frame = pd.DataFrame(
        {
            "savings": with_all("savings").sum(axis=1),
            "set_up_costs": setup,
            "severance_costs": with_all("severance").sum(axis=1),
            "net_saving": with_all("net").sum(axis=1),
            "npv": [s.npv for s in summaries],
            "npv_economic": [s.npv_economic for s in summaries],
            "payback_year": [s.payback_year for s in summaries],
            "share_of_set_up_costs": setup / setup_total if setup_total else np.nan,
        },
        index=pd.Index(names, name="council"),
    )
    cumulative = np.cumsum(with_all("net"), axis=1)
    for t, fy in enumerate(a.years):
        frame[f"cumulative_net_saving {fy}"] = cumulative[:, t]
    return frame


def council_yearly(result: OptionResult, line_item: str = "Net saving") -> pd.DataFrame:
    """One line item by council (rows) and financial year (columns) [GBP].

    Read from the option's long table (service 'All'); the 'All' council row is
    the whole partnership.
    """
    return councils_yearly(result, (line_item,))[line_item]


def councils_yearly(
    result: OptionResult, line_items: tuple[str, ...]
) -> dict[str, pd.DataFrame]:
    """:func:`council_yearly` of each of ``line_items``, read from the long
    table in one pass (one selection and one pivot for them all)."""
    long = result.long
    sel = long[(long["service"] == "All") & long["line_item"].isin(line_items)]
    wide = sel.pivot(
        index=["line_item", "council"], columns="financial_year", values="value"
    )
    order = [*result.arrays.councils, "All"]
    found = set(wide.index.get_level_values("line_item"))
    out = {}
    for item in line_items:
        if item not in found:
            raise ValueError(f"no line item {item!r} in the results")
        table = wide.xs(item, level="line_item").loc[order, result.arrays.years]
        table.columns.name = "financial_year"
        out[item] = table
    return out


def council_table(
    result: OptionResult,
    line_item: str = "Net saving",
    unit: float = 1000.0,
    yearly: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """A council x year table for display, rounded to ``unit`` so that it foots.

    Rows: each council and ``Total`` (the partnership); columns: each year and
    ``Total`` (the horizon), in whole ``unit`` (default £'000), rounded by
    :func:`models.core.rounding.footed_round`.  Not for cumulative line items (their
    horizon total means nothing).  ``yearly``: the line item's
    :func:`council_yearly`, where the caller has it already.
    """
    if yearly is None:
        yearly = council_yearly(result, line_item)
    yearly = yearly.rename(index={"All": TOTAL})
    yearly[TOTAL] = yearly.sum(axis=1)
    return footed_round(yearly, unit, row_total=TOTAL, col_total=TOTAL)


COUNCIL_TABLE_LINES = ("Savings", "Costs|Set-up", "Costs|Severance", "Net saving")


def council_tables(
    result: OptionResult,
    line_items: tuple[str, ...] = COUNCIL_TABLE_LINES,
    unit: float = 1000.0,
) -> pd.DataFrame:
    """The option's council x year tables for display, stacked, each footing [units].

    One :func:`council_table` per line item, with columns ``option``,
    ``line_item``, ``council`` (councils then ``Total``) and one column per year
    then ``Total``; values in whole ``unit`` (default £'000).  Suitable for
    writing beside results.csv (e.g. ``council_tables.csv``).
    """
    frames = []
    yearly = councils_yearly(result, line_items)
    for line in line_items:
        table = council_table(result, line, unit, yearly[line])
        table.index.name = "council"
        frame = table.reset_index()
        frame.insert(0, "line_item", line)
        frame.insert(0, "option", result.arrays.option)
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)
