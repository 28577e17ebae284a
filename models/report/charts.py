"""Report charts (matplotlib, Agg), embedded in HTML as base64 PNG images.

Each builder returns a :class:`Chart`: the PNG bytes and an alternative text.
Rendered in a notebook it shows as an ``<img>`` with a ``data:`` URI, so the
exported HTML carries the picture itself and opens offline.
"""

from __future__ import annotations

import base64
import html
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.ticker import FuncFormatter  # noqa: E402

from models.core.money import money_k  # noqa: E402
from models.engine.projection import ALL, OptionResult  # noqa: E402
from models.inputs.case import Case  # noqa: E402

MONEY_K = FuncFormatter(lambda v, _pos: money_k(v))
"""Axis labels in £'000 as the tables show them: £1,016k, negatives in brackets."""

COLOURS = ("#1f4e79", "#c55a11", "#548235", "#7f6000", "#7030a0", "#2f5597")
DPI = 110


@dataclass(repr=False)
class Chart:
    """A rendered chart: PNG bytes, a title and an alternative text."""

    key: str
    title: str
    png: bytes
    alt: str

    def data_uri(self) -> str:
        """``data:image/png;base64,...`` of the picture."""
        return "data:image/png;base64," + base64.b64encode(self.png).decode("ascii")

    def to_html(self) -> str:
        """An HTML ``<figure>`` holding the picture; title and alt text escaped."""
        e = html.escape
        return (
            f'<figure class="chart" id="chart-{e(self.key)}">'
            f'<img src="{self.data_uri()}" alt="{e(self.alt)}"/>'
            f"<figcaption>{e(self.title)}</figcaption></figure>"
        )

    def _repr_html_(self) -> str:
        return self.to_html()

    def __repr__(self) -> str:
        return f"[chart: {self.title}]"


def plain(label: str) -> str:
    r"""A label from a case file as literal text (no matplotlib mathtext).

    >>> print(plain("Cost $x$"))
    Cost \$x\$
    """
    return str(label).replace("$", r"\$")


def _k_axis(ax: plt.Axes) -> None:
    """Label a money axis in £'000, negatives in brackets."""

    ax.yaxis.set_major_formatter(MONEY_K)
    ax.axhline(0, color="#444", linewidth=0.8)
    ax.grid(axis="y", color="#ddd", linewidth=0.6)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


PNG_COMPRESSION = 3
"""zlib level of the PNG files: as small as the default level here (flat colours
compress well at any level) and a third faster to write."""


def figure_png(fig: plt.Figure, crop: bool = True) -> bytes:
    """PNG bytes of a figure; the figure is closed.  ``crop=False`` for a figure
    laid out already (``tight_layout``): cropping lays it out again, a fifth of
    the time a chart takes."""
    buf = io.BytesIO()
    save_png(fig, buf, DPI, crop)
    return buf.getvalue()


def save_png(fig: plt.Figure, target: Any, dpi: int, crop: bool = True) -> None:
    """Write a figure as PNG to a path or file object, cropped to its content
    unless ``crop`` is False, and close it (open figures would pile up over a
    batch)."""
    try:
        fig.savefig(
            target,
            format="png",
            dpi=dpi,
            bbox_inches="tight" if crop else None,
            pil_kwargs={"compress_level": PNG_COMPRESSION},
        )
    finally:
        plt.close(fig)


def _line(result: OptionResult, item: str, council: str = ALL) -> np.ndarray:
    long = result.long
    sel = long[
        (long["service"] == ALL)
        & (long["council"] == council)
        & (long["line_item"] == item)
    ].set_index("financial_year")["value"]
    return sel.reindex(result.arrays.years).to_numpy(dtype=float)


def cash_flow_chart(result: OptionResult) -> Chart:
    """Savings (up) and one-off costs (down) by year, with the cumulative net saving."""
    years = list(result.arrays.years)
    x = np.arange(len(years))
    savings = _line(result, "Savings")
    setup = _line(result, "Costs|Set-up")
    severance = _line(result, "Costs|Severance")
    cumulative = _line(result, "Cumulative net saving")
    fig, ax = plt.subplots(figsize=(7.5, 3.6))
    ax.bar(x, savings, color=COLOURS[2], label="Savings")
    ax.bar(x, -setup, color=COLOURS[1], label="Set-up costs")
    ax.bar(x, -severance, bottom=-setup, color=COLOURS[3], label="Severance")
    ax.plot(x, cumulative, color=COLOURS[0], marker="o", label="Cumulative net saving")
    ax.set_xticks(x, years, rotation=45, ha="right")
    _k_axis(ax)
    ax.legend(frameon=False, fontsize=8, ncol=2)
    ax.set_title("Savings, one-off costs and cumulative net saving", fontsize=10)
    return Chart(
        key="cash-flows",
        title="Savings and one-off costs by year, and the cumulative net saving",
        png=figure_png(fig),
        alt="Bar chart of savings and one-off costs by financial year with a line "
        "for the cumulative net saving.",
    )


def council_chart(result: OptionResult, case: Case) -> Chart:
    """Each council's net saving by year, bars side by side."""
    years = list(result.arrays.years)
    councils = list(result.arrays.councils)
    x = np.arange(len(years))
    width = 0.8 / max(len(councils), 1)
    fig, ax = plt.subplots(figsize=(7.5, 3.4))
    for i, c in enumerate(councils):
        name = case.councils[c].name if c in case.councils else c
        ax.bar(
            x + (i - (len(councils) - 1) / 2) * width,
            _line(result, "Net saving", council=c),
            width=width,
            color=COLOURS[i % len(COLOURS)],
            label=plain(name),
        )
    ax.set_xticks(x, years, rotation=45, ha="right")
    _k_axis(ax)
    ax.legend(frameon=False, fontsize=8)
    ax.set_title("Net saving by council", fontsize=10)
    return Chart(
        key="councils",
        title="Net saving by council and year",
        png=figure_png(fig),
        alt="Bar chart of each council's net saving by financial year.",
    )


def cumulative_chart(results: Mapping[str, OptionResult]) -> Chart:
    """Cumulative net saving of every option on one chart."""
    fig, ax = plt.subplots(figsize=(7.5, 3.8))
    years: list[str] = []
    for i, (name, r) in enumerate(results.items()):
        years = list(r.arrays.years)
        ax.plot(
            np.arange(len(years)),
            _line(r, "Cumulative net saving"),
            marker="o",
            color=COLOURS[i % len(COLOURS)],
            label=plain(name),
        )
    ax.set_xticks(np.arange(len(years)), years, rotation=45, ha="right")
    _k_axis(ax)
    ax.legend(frameon=False, fontsize=8)
    ax.set_title("Cumulative net saving by option", fontsize=10)
    return Chart(
        key="cumulative",
        title="Cumulative net saving of each option",
        png=figure_png(fig),
        alt="Line chart of the cumulative net saving of each option by financial year.",
    )


def npv_chart(results: Mapping[str, OptionResult]) -> Chart:
    """Net present value of every option, horizontal bars."""
    names = list(results)
    values = [results[n].summary.npv for n in names]
    fig, ax = plt.subplots(figsize=(7.5, 0.6 + 0.5 * max(len(names), 1)))
    y = np.arange(len(names))
    ax.barh(y, values, color=[COLOURS[i % len(COLOURS)] for i in range(len(names))])
    ax.set_yticks(y, [plain(n) for n in names])
    ax.invert_yaxis()
    ax.xaxis.set_major_formatter(MONEY_K)
    ax.axvline(0, color="#444", linewidth=0.8)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.set_title("Net present value by option", fontsize=10)
    return Chart(
        key="npv",
        title="Net present value of each option",
        png=figure_png(fig),
        alt="Bar chart of the net present value of each option.",
    )


WATERFALL_LABEL_LENGTH = 48
"""Longest bar label of a waterfall chart [characters]; longer ones are cut."""


def waterfall_chart(
    start: tuple[str, float],
    steps: Sequence[tuple[str, float]],
    end: tuple[str, float],
    title: str,
    alt: str,
    key: str = "waterfall",
    value_labels: Sequence[str] | None = None,
) -> Chart:
    """A waterfall (bridge) chart: a total bar, one floating bar a step, a total.

    Horizontal bars read top to bottom: ``start`` (label, value [GBP]) from zero,
    then each step (label, change [GBP]) from the running total before it
    (increases green, decreases orange), then ``end`` from zero.  Each bar is
    labelled with its ``value_labels`` entry (the figures of a footed table, say),
    else its value in £'000; ``alt`` is the alternative text.
    """
    labels = [start[0], *(label for label, _ in steps), end[0]]
    changes = np.array([change for _, change in steps], dtype=float)
    running = start[1] + np.concatenate([[0.0], np.cumsum(changes)])[:-1]
    lefts = np.concatenate([[0.0], running, [0.0]])
    widths = np.concatenate([[start[1]], changes, [end[1]]])
    colours = [COLOURS[0]]
    colours += [COLOURS[2] if c >= 0 else COLOURS[1] for c in changes]
    colours += [COLOURS[0]]
    y = np.arange(len(labels))
    fig, ax = plt.subplots(figsize=(7.5, 0.9 + 0.32 * len(labels)))
    ax.barh(y, widths, left=lefts, color=colours, height=0.6)
    if value_labels is None:
        value_labels = [money_k(width) for width in widths]
    for i, (left, width) in enumerate(zip(lefts, widths, strict=True)):
        ax.annotate(
            value_labels[i],
            (max(left, left + width), i),
            xytext=(3, 0),
            textcoords="offset points",
            va="center",
            fontsize=7,
        )
    ax.set_yticks(y, [plain(_cut(label)) for label in labels], fontsize=7.5)
    ax.invert_yaxis()
    ax.xaxis.set_major_formatter(MONEY_K)
    ax.axvline(0, color="#444", linewidth=0.8)
    ax.grid(axis="x", color="#ddd", linewidth=0.6)
    ax.set_axisbelow(True)
    ax.margins(x=0.12)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.set_title(plain(title), fontsize=10)
    return Chart(key=key, title=title, png=figure_png(fig), alt=alt)


def _cut(label: str, length: int = WATERFALL_LABEL_LENGTH) -> str:
    """A bar label no longer than ``length`` characters.

    >>> _cut("x" * 60, 10)
    'xxxxxxxxx…'
    """
    return label if len(label) <= length else label[: length - 1] + "…"
