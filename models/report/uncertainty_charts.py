"""Charts of the uncertainty analysis: tornado, histogram, S-curve, risk heat map.

Each function takes the table or result from :mod:`models.engine.uncertainty` or
:mod:`models.model.risks` and returns a matplotlib ``Figure`` drawn on the Agg canvas
without pyplot (no global state; nothing is shown or written; a notebook shows
the returned figure, ``fig.savefig(path)`` writes it), in the style of every
report chart (:mod:`models.report.charts`: one colour-blind-safe palette, money
axes in £k or £m with a titled unit, tick labels that do not overlap, literal
text).  Money stays in pounds; only the axis labels are scaled.  Where a chart
would be empty (the status quo's tornado: nothing moves its NPV), the function
returns None and :func:`tornado_absent_reason` or :func:`histogram_absent_reason`
says why, in a sentence the report shows instead.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from models.engine.uncertainty import MonteCarloResult
from models.inputs.risk_register import IMPACT, LIKELIHOOD, RiskRegister
from models.report.charts import (
    BLACK,
    BLUE,
    MONEY_K,
    VERMILION,
    ZERO_COLOUR,
    chart_style,
    display_name,
    finish,
    money_axis,
    most_valuable,
    new_figure,
    plain,
    readable,
    series_style,
    shown_of,
    wrapped,
)

_THOUSANDS = MONEY_K


def tornado_absent_reason(table: pd.DataFrame) -> str | None:
    """Why a sensitivity table has no tornado chart, or None if it has one."""
    if table is None or not len(table):
        return "There is no tornado chart: no assumption was tested for this option."
    if not (table["swing"].abs() > 0).any():
        npv = float(table["npv_base"].iloc[0])
        return (
            "There is no tornado chart: none of the assumptions tested moves this "
            f"option's net present value, which stays at {_THOUSANDS(npv)} "
            "(as for an option with no savings or costs for them to move)."
        )
    return None


def tornado_chart(
    table: pd.DataFrame, top: int = 15, title: str | None = None
) -> Figure | None:
    """Tornado chart of a sensitivity table (:func:`models.engine.uncertainty.sensitivity_table`).

    Bars run from the NPV at the lowest to the NPV at the highest value tried,
    around the base NPV; the largest swings on top.  None where no assumption
    moves the NPV (:func:`tornado_absent_reason` says so).
    """
    if tornado_absent_reason(table) is not None:
        return None
    rows = table[table["swing"].abs() > 0].head(top).iloc[::-1]
    fig, ax = new_figure((7.5, 0.36 * len(rows) + 2.0))
    with chart_style():
        base = float(rows["npv_base"].iloc[0])
        y = np.arange(len(rows))
        for col, colour, name in (
            ("npv_low", VERMILION, "Lowest value tried"),
            ("npv_high", BLUE, "Highest value tried"),
        ):
            ax.barh(y, rows[col] - base, left=base, color=colour, label=name)
        ax.axvline(base, color=BLACK, linewidth=1)
        ax.set_yticks(y, [plain(x) for x in rows["label"]])
        values = np.concatenate([rows["npv_low"], rows["npv_high"], [base]])
        money_axis(ax.xaxis, values, "Net present value, today's money")
        ax.grid(axis="x", color="#dddddd", linewidth=0.6)
        ax.set_axisbelow(True)
        fig.legend(loc="outside lower center", ncol=2)
        ax.set_title(
            wrapped(title or "Sensitivity of NPV (one assumption at a time)", 7.5)
        )
    return finish(fig)


def histogram_absent_reason(
    result: MonteCarloResult, council: str | None = None
) -> str | None:
    """Why the NPV of a Monte Carlo has no histogram (every draw the same), or None."""
    npv = _npv(result, council)
    if len(npv) and np.ptp(npv) > 0:
        return None
    value = _THOUSANDS(float(npv[0])) if len(npv) else "not known"
    return (
        "There is no histogram: every draw gives the same net present value "
        f"({value}), as none of the uncertain assumptions applies to this option."
    )


def npv_histogram(
    result: MonteCarloResult,
    council: str | None = None,
    bins: int = 60,
    name: str | None = None,
    council_name: str | None = None,
) -> Figure | None:
    """Histogram of the NPV over the Monte Carlo draws, with P10, P50, P90 marked
    (``name``, ``council_name``: the option and council as the reader knows
    them).  None where every draw is the same (:func:`histogram_absent_reason`)."""
    if histogram_absent_reason(result, council) is not None:
        return None
    npv = _npv(result, council)
    fig, ax = new_figure((7.5, 4.2))
    with chart_style():
        # one filled outline, not a rectangle a bin: the same picture, drawn in half the time
        ax.hist(npv, bins=bins, color=BLUE, alpha=0.85, histtype="stepfilled")
        top = ax.get_ylim()[1]
        for q, style in zip((10, 50, 90), (":", "-", ":"), strict=True):
            v = np.percentile(npv, q)
            ax.axvline(v, color=BLACK, linestyle=style, linewidth=1)
            ax.annotate(f"P{q}", (v, top * 0.97), ha="center", va="top", fontsize=8)
        ax.axvline(0, color=VERMILION, linewidth=1.2)
        money_axis(ax.xaxis, npv, "Net present value, today's money")
        ax.set_ylabel("Number of draws")
        who = council_name or (council if council and council != "All" else None)
        ax.set_title(wrapped(_title("NPV distribution", result, name, who), 7.5))
    return finish(fig)


def npv_s_curve(
    results: list[MonteCarloResult] | MonteCarloResult,
    council: str | None = None,
    names: Mapping[str, str] | None = None,
) -> Figure:
    """S-curve (cumulative probability) of the NPV of one or several options
    (``names``: each option's name for the reader)."""
    results = results if isinstance(results, list) else [results]
    names = names or {}
    medians = {i: float(np.median(_npv(r, council))) for i, r in enumerate(results)}
    shown = most_valuable(medians)
    fig, ax = new_figure((7.5, 4.4))
    with chart_style():
        values = []
        for i, k in enumerate(shown):
            r = results[k]
            npv, probability = s_curve_points(_npv(r, council))
            values.append(npv)
            ax.plot(
                npv,
                probability,
                **series_style(i),
                label=plain(display_name(names, r.option)),
            )
        ax.axvline(0, color=ZERO_COLOUR, linewidth=1)
        money_axis(
            ax.xaxis,
            np.concatenate(values) if values else [0.0],
            "Net present value, today's money",
        )
        ax.set_ylabel("Chance the NPV is at most this")
        ax.set_ylim(0, 1)
        ax.yaxis.set_major_formatter(lambda v, _pos: f"{v:.0%}")
        ax.grid(color="#dddddd", linewidth=0.6)
        fig.legend(loc="outside lower center", ncol=min(3, max(1, len(shown))))
        title = "NPV S-curve" + (f": {plain(council)}" if council else "")
        title += shown_of(len(shown), len(results), "the highest median NPV")
        ax.set_title(wrapped(title, 7.5))
    return finish(fig)


S_CURVE_POINTS = 1000
"""Points drawn on each S-curve at most: far more than the picture has pixels."""


def s_curve_points(
    npv: np.ndarray, points: int = S_CURVE_POINTS
) -> tuple[np.ndarray, np.ndarray]:
    """Points of the empirical distribution function of ``npv``: the i-th
    smallest draw and the share of draws at most it, i/n (every k-th draw, and
    the last, where there are more than ``points``).

    >>> s_curve_points(np.array([3.0, 1.0, 2.0, 4.0]), points=2)
    (array([1., 3., 4.]), array([0.25, 0.75, 1.  ]))
    """
    ordered = np.sort(npv)
    n = len(ordered)
    step = max(1, n // points)
    i = np.unique(np.r_[np.arange(0, n, step), n - 1]) if n else np.arange(0)
    return ordered[i], (i + 1) / max(n, 1)


HEAT_MAP_COLOURS = "cividis"
"""Colour map of the risk heat map by score: cividis, readable with any colour
vision (Nuñez, Anderton and Renslow 2018)."""


def risk_heat_map(register: RiskRegister, title: str | None = None) -> Figure:
    """4 x 4 heat map of likelihood against impact, cells coloured by score, each
    risk's ref written in its cell.  Rows with a missing rating are left out (the
    loader refuses them unless acknowledged)."""
    import matplotlib

    fig, ax = new_figure((6.5, 5.5))
    with chart_style():
        score = np.outer(np.arange(1, 5), np.arange(1, 5))  # [likelihood-1, impact-1]
        cmap = matplotlib.colormaps[HEAT_MAP_COLOURS]
        ax.imshow(
            score,
            origin="lower",
            cmap=cmap,
            vmin=1,
            vmax=16,
            extent=(0.5, 4.5, 0.5, 4.5),
        )
        cells: dict[tuple[int, int], list[str]] = {}
        for r in register.risks:
            if r.likelihood is not None and r.impact is not None:
                cells.setdefault((r.likelihood, r.impact), []).append(str(r.ref))
        for (lk, im), refs in cells.items():
            red, green, blue, _ = cmap((lk * im - 1) / 15)
            dark = 0.299 * red + 0.587 * green + 0.114 * blue < 0.5
            ax.text(
                im,
                lk,
                wrapped(", ".join(refs), 1.0, 9),
                ha="center",
                va="center",
                fontsize=9,
                color="white" if dark else "black",
            )
        ax.set_xticks(range(1, 5), [f"{k} {w}" for k, w in IMPACT.items()])
        ax.set_yticks(range(1, 5), [f"{k} {w}" for k, w in LIKELIHOOD.items()])
        ax.set_xlabel("Impact (1 low to 4 critical)")
        ax.set_ylabel("Likelihood (1 low to 4 high)")
        for side in ("top", "right"):
            ax.spines[side].set_visible(True)
        ax.set_title(wrapped(title or f"Risk heat map: {plain(register.title)}", 6.5))
    return finish(fig)


def _npv(result: MonteCarloResult, council: str | None) -> np.ndarray:
    if council is None or council == "All":
        return result.npv
    return result.npv_council[:, result.councils.index(council)]


def _title(
    what: str, result: MonteCarloResult, name: str | None, council: str | None
) -> str:
    who = f", {council}" if council else ""
    return f"{what}: {name or readable(result.option)}{who} ({result.draws:,} draws)"
