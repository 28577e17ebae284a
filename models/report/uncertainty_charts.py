"""Charts of the uncertainty analysis: tornado, histogram, S-curve, risk heat map.

Each function takes the table or result from :mod:`models.engine.uncertainty` or
:mod:`models.model.risks` and returns a matplotlib ``Figure`` drawn on the Agg canvas
without pyplot (no global state; nothing is shown or written; a notebook shows
the returned figure, ``fig.savefig(path)`` writes it).  Money on axes is in £'000 for display; the data stay in
pounds.
"""

from __future__ import annotations

import textwrap

import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from models.engine.uncertainty import MonteCarloResult
from models.inputs.risk_register import IMPACT, LIKELIHOOD, RiskRegister
from models.report.charts import MONEY_K

_THOUSANDS = MONEY_K


def tornado_chart(
    table: pd.DataFrame, top: int = 15, title: str | None = None
) -> Figure:
    """Tornado chart of a sensitivity table (:func:`models.engine.uncertainty.sensitivity_table`).

    Bars run from the NPV at the lowest to the NPV at the highest value tried,
    around the base NPV; the largest swings on top.
    """
    rows = table.head(top).iloc[::-1]
    fig, ax = _figure((8, 0.4 * max(len(rows), 1) + 1.5))
    if len(rows):
        base = float(rows["npv_base"].iloc[0])
        y = np.arange(len(rows))
        for col, colour, name in (
            ("npv_low", "#c62828", "lowest value tried"),
            ("npv_high", "#1565c0", "highest value tried"),
        ):
            ax.barh(y, rows[col] - base, left=base, color=colour, alpha=0.8, label=name)
        ax.axvline(base, color="black", linewidth=1)
        ax.set_yticks(y, [str(x) for x in rows["label"]])
        ax.legend(loc="lower right", fontsize=8)
    ax.xaxis.set_major_formatter(_THOUSANDS)
    ax.set_xlabel("Net present value")
    ax.set_title(title or "Sensitivity of NPV (one assumption at a time)")
    fig.tight_layout()
    return fig


def npv_histogram(
    result: MonteCarloResult, council: str | None = None, bins: int = 60
) -> Figure:
    """Histogram of the NPV over the Monte Carlo draws, with P10, P50, P90 marked."""
    npv = _npv(result, council)
    fig, ax = _figure((7, 4))
    # one filled outline, not a rectangle a bin: the same picture, drawn in half the time
    ax.hist(npv, bins=bins, color="#1565c0", alpha=0.8, histtype="stepfilled")
    for q, style in zip((10, 50, 90), (":", "-", ":"), strict=True):
        v = np.percentile(npv, q)
        ax.axvline(v, color="black", linestyle=style, linewidth=1)
        ax.annotate(f"P{q}", (v, ax.get_ylim()[1] * 0.95), ha="center", fontsize=8)
    ax.axvline(0, color="#c62828", linewidth=1)
    ax.xaxis.set_major_formatter(_THOUSANDS)
    ax.set_xlabel("Net present value")
    ax.set_ylabel("Draws")
    ax.set_title(_title("NPV distribution", result, council))
    fig.tight_layout()
    return fig


def npv_s_curve(
    results: list[MonteCarloResult] | MonteCarloResult, council: str | None = None
) -> Figure:
    """S-curve (cumulative probability) of the NPV of one or several options."""
    results = results if isinstance(results, list) else [results]
    fig, ax = _figure((7, 4))
    for r in results:
        npv, probability = s_curve_points(_npv(r, council))
        ax.plot(npv, probability, label=r.option)
    ax.axvline(0, color="#c62828", linewidth=1)
    ax.xaxis.set_major_formatter(_THOUSANDS)
    ax.set_xlabel("Net present value")
    ax.set_ylabel("Probability NPV is at most this")
    ax.set_ylim(0, 1)
    ax.legend(fontsize=8)
    ax.set_title("NPV S-curve" + (f": {council}" if council else ""))
    fig.tight_layout()
    return fig


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


def risk_heat_map(register: RiskRegister, title: str | None = None) -> Figure:
    """4 x 4 heat map of likelihood against impact, cells coloured by score, each
    risk's ref written in its cell.  Rows with a missing rating are left out (the
    loader refuses them unless acknowledged)."""
    fig, ax = _figure((6, 5))
    score = np.outer(np.arange(1, 5), np.arange(1, 5))  # [likelihood-1, impact-1]
    ax.imshow(
        score,
        origin="lower",
        cmap="RdYlGn_r",
        vmin=1,
        vmax=16,
        extent=(0.5, 4.5, 0.5, 4.5),
    )
    cells: dict[tuple[int, int], list[str]] = {}
    for r in register.risks:
        if r.likelihood is not None and r.impact is not None:
            cells.setdefault((r.likelihood, r.impact), []).append(str(r.ref))
    for (lk, im), refs in cells.items():
        ax.text(
            im, lk, ", ".join(refs), ha="center", va="center", fontsize=9, wrap=True
        )
    ax.set_xticks(range(1, 5), [f"{k} {w}" for k, w in IMPACT.items()])
    ax.set_yticks(range(1, 5), [f"{k} {w}" for k, w in LIKELIHOOD.items()])
    ax.set_xlabel("Impact")
    ax.set_ylabel("Likelihood")
    ax.set_title(
        title or textwrap.fill(f"Risk heat map: {register.title}", 60), fontsize=10
    )
    fig.tight_layout()
    return fig


def _figure(size: tuple[float, float]) -> tuple[Figure, object]:
    """A figure on the Agg canvas, outside pyplot (no global state, nothing shown)."""
    fig = Figure(figsize=size)
    FigureCanvasAgg(fig)
    return fig, fig.subplots()


def _npv(result: MonteCarloResult, council: str | None) -> np.ndarray:
    if council is None or council == "All":
        return result.npv
    return result.npv_council[:, result.councils.index(council)]


def _title(what: str, result: MonteCarloResult, council: str | None) -> str:
    who = f", {council}" if council and council != "All" else ""
    return f"{what}: {result.option}{who} ({result.draws:,} draws)"
