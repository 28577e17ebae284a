"""Report charts (matplotlib, Agg), embedded in HTML as SVG pictures: sharp on paper.

Each builder returns a :class:`Chart`: the SVG picture and an alternative text
(or a :class:`NoChart`: the sentence saying why there is no chart).  Rendered in
a notebook it shows as an ``<img>`` with a ``data:`` URI, so the exported HTML
carries the picture itself and opens offline.  The figure behind each chart is
built by a ``*_figure`` function, which the chart tests measure.

Every chart follows one style (:data:`CHART_RC`, applied by :func:`chart_style`):

* one colour-blind-safe palette (:data:`PALETTE`, Okabe and Ito) for every
  chart, the S-curve and histogram included;
* text from a case file drawn literally: matplotlib's mathtext is off, so a
  name such as ``Cost $x^$`` is drawn as written;
* money axes in £k or £m (:class:`MoneyFormatter`), with an axis title giving
  the unit; tick labels thinned until none overlaps (:func:`fit_ticks`);
* titles wrapped to the figure's width (:func:`wrapped`), laid out by
  matplotlib's constrained layout so that nothing is clipped;
* SVG (vector, text drawn as outlines so that it looks the same in every
  browser): sharp at any size on paper, and cheaper than PNG at print
  resolution (``benchmarks/charts.py``; see ``benchmarks/README.md``).
"""

from __future__ import annotations

import base64
import contextlib
import html
import io
import math
import re
import struct
import textwrap
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from cycler import cycler  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.text import Text  # noqa: E402
from matplotlib.ticker import FixedLocator, Formatter, MaxNLocator  # noqa: E402

from models.core.money import money_k  # noqa: E402
from models.engine.projection import ALL, OptionResult  # noqa: E402
from models.inputs.case import Case  # noqa: E402

PALETTE = (
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#D55E00",  # vermilion
    "#56B4E9",  # sky blue
    "#000000",  # black
)
"""The colour-blind-safe palette of every chart: Okabe, M. and Ito, K. (2008)
"Color Universal Design", jfly.uni-koeln.de/color (yellow left out: too pale
on white paper)."""
COLOURS = PALETTE
BLUE, ORANGE, GREEN, PURPLE, VERMILION, SKY, BLACK = PALETTE
SAVINGS_COLOUR, SET_UP_COLOUR, SEVERANCE_COLOUR, LINE_COLOUR = (
    GREEN,
    ORANGE,
    PURPLE,
    BLUE,
)
LINE_STYLES = ("-", "--", ":", "-.")
"""Dashes of the lines of a chart of options, after the palette's colours
(:func:`series_style`)."""
MAX_LINES = 12
"""Options a line chart draws at most (:func:`most_valuable`): beyond twelve
the legend outgrows the figure and no reader tells the lines apart."""
INCREASE_COLOUR, DECREASE_COLOUR = BLUE, VERMILION
"""Waterfall steps that raise (lower) the running total."""
ZERO_COLOUR = "#444444"
GRID_COLOUR = "#dddddd"

CHART_RC: dict[str, Any] = {
    "text.parse_math": False,
    "axes.prop_cycle": cycler(color=list(PALETTE)),
    "font.family": "DejaVu Sans",
    "font.size": 9,
    "axes.titlesize": 10,
    "axes.titley": 1.0,
    "axes.labelsize": 9,
    "xtick.labelsize": 8,
    "ytick.labelsize": 8,
    "legend.fontsize": 8,
    "legend.frameon": False,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "figure.dpi": 100,
}
"""The style of every chart: palette, literal text (mathtext off), font sizes.
Titles sit at the top of their axes (``axes.titley`` 1.0, where matplotlib's
automatic placement, the default, measures every y tick label of the axes for
each title as it draws it, to move the title up past tick labels on top or an
offset text: no chart has either, so the pictures are the same, a test checks)."""

DPI = 200
"""Resolution of a chart written as PNG (:func:`figure_png`) [dots per inch]:
print resolution at the width of an A4 page.  The reports use SVG."""
CSS_PX_PER_INCH = 96
"""CSS pixels per inch: a chart is shown at its drawn size (``width``)."""
SVG_DPI = 72
"""Resolution matplotlib writes an SVG picture at [dots per inch]: a figure is
made at it (:func:`new_figure`), so that a layout pass without a picture
(:func:`fit_ticks`) measures what the picture shows."""
SVG_RC: dict[str, Any] = {"svg.fonttype": "path", "svg.hashsalt": "sharedcase"}
"""SVG text as outlines (no font needed to show it) and the same element ids
in every run (the same inputs give the same bytes)."""


@contextlib.contextmanager
def chart_style() -> Iterator[None]:
    """Draw inside this: :data:`CHART_RC` applies, outside it nothing changes."""
    with matplotlib.rc_context(CHART_RC):
        yield


@dataclass(repr=False)
class Chart:
    """A rendered chart: the picture (SVG, or PNG), a title and an alternative text."""

    key: str
    title: str
    image: bytes
    alt: str

    @property
    def mime(self) -> str:
        """``image/svg+xml`` or ``image/png``, from the picture's first bytes."""
        return "image/png" if self.image.startswith(PNG_SIGNATURE) else "image/svg+xml"

    def data_uri(self) -> str:
        """``data:<mime>;base64,...`` of the picture."""
        encoded = base64.b64encode(self.image).decode("ascii")
        return f"data:{self.mime};base64,{encoded}"

    @property
    def width(self) -> int:
        """Width to show the picture at [CSS px]: its drawn size."""
        if self.mime == "image/png":
            return round(png_size(self.image)[0] / DPI * CSS_PX_PER_INCH)
        return round(svg_width_points(self.image) / 72 * CSS_PX_PER_INCH)

    def to_html(self) -> str:
        """An HTML ``<figure>`` holding the picture; title and alt text escaped."""
        e = html.escape
        return (
            f'<figure class="chart" id="chart-{e(self.key)}">'
            f'<img src="{self.data_uri()}" width="{self.width}" alt="{e(self.alt)}"/>'
            f"<figcaption>{e(self.title)}</figcaption></figure>"
        )

    def _repr_html_(self) -> str:
        return self.to_html()

    def __repr__(self) -> str:
        return f"[chart: {self.title}]"


@dataclass(repr=False)
class NoChart:
    """Where a chart would show nothing: the sentence saying why, shown instead."""

    key: str
    reason: str

    def to_html(self) -> str:
        """An HTML paragraph with the reason, escaped."""
        return (
            f'<p class="no-chart" id="chart-{html.escape(self.key)}">'
            f"{html.escape(self.reason)}</p>"
        )

    def _repr_html_(self) -> str:
        return self.to_html()

    def __repr__(self) -> str:
        return self.reason


PNG_SIGNATURE = b"\x89PNG"


def png_size(png: bytes) -> tuple[int, int]:
    """(width, height) of a PNG picture [pixels], from its header."""
    return struct.unpack(">II", png[16:24])


_SVG_WIDTH = re.compile(rb'<svg[^>]*?\swidth="([0-9.]+)pt"')


def svg_width_points(svg: bytes) -> float:
    """Width of a matplotlib SVG picture [points], from its ``<svg>`` element.

    >>> svg_width_points(b'<svg xmlns="x" width="540pt" height="288pt">')
    540.0
    """
    found = _SVG_WIDTH.search(svg[:2000])
    return float(found.group(1)) if found else 540.0


def plain(label: object) -> str:
    """A label from a case file as text to draw.  Mathtext is off in every
    chart (:data:`CHART_RC`), so the label is drawn as written.

    >>> print(plain("Cost $x^$"))
    Cost $x^$
    """
    return str(label)


class MoneyFormatter(Formatter):
    """Tick labels of a money axis [GBP]: £k, or £m where the axis reaches a
    million; negatives in brackets; as many decimals as the tick step needs.

    >>> f = MoneyFormatter(1e6); f.set_locs([0.0, 5e5, 1e6])
    >>> f(1.5e6), f(-5e5), f(0.0)
    ('£1.5m', '(£0.5m)', '£0')
    >>> MoneyFormatter(1e3)(1_016_000.0)
    '£1,016k'
    """

    def __init__(self, unit: float = 1e3) -> None:
        self.unit = unit
        self.ticks: np.ndarray = np.array([])

    def set_locs(self, locs: Any) -> None:
        """Remember the tick positions: the decimals follow their step."""
        self.ticks = np.asarray(locs, dtype=float)

    @property
    def suffix(self) -> str:
        return "m" if self.unit >= 1e6 else "k"

    def __call__(self, x: float, pos: int | None = None) -> str:
        if abs(x) < 1e-9 * self.unit:
            return "£0"
        if self.unit < 1e6:
            return money_k(x)
        locs = self.ticks
        step = float(np.min(np.diff(np.sort(locs)))) if len(locs) > 1 else abs(x)
        decimals = min(2, max(0, -math.floor(math.log10(step / self.unit) + 1e-9)))
        text = f"£{abs(x) / self.unit:,.{decimals}f}m"
        return f"({text})" if x < 0 else text


MONEY_K = MoneyFormatter(1e3)
"""Axis labels in £'000 as the tables show them: £1,016k, negatives in brackets."""


def money_unit(values: Any) -> float:
    """The unit of a money axis showing ``values`` [GBP]: £m (1e6) where the
    largest reaches £10m, else £k (1e3): labels stay short either way.

    >>> money_unit([0, 12_500_000]), money_unit([-900_000, 2_000_000])
    (1000000.0, 1000.0)
    """
    finite = np.asarray(values, dtype=float).ravel()
    finite = finite[np.isfinite(finite)]
    biggest = float(np.max(np.abs(finite))) if finite.size else 0.0
    return 1e6 if biggest >= 1e7 else 1e3


def money_axis(axis: Any, values: Any, what: str) -> None:
    """Format a money axis (``ax.xaxis`` or ``ax.yaxis``) in £k or £m for
    ``values`` [GBP], with at most 7 ticks at round steps and the axis title
    ``what (£k)`` or ``what (£m)``."""
    formatter = MoneyFormatter(money_unit(values))
    axis.set_major_formatter(formatter)
    axis.set_major_locator(MaxNLocator(nbins=7, steps=[1, 2, 5, 10]))
    axis.set_label_text(f"{what} (£{formatter.suffix})")


def wrapped(title: str, width_inches: float, fontsize: float = 10) -> str:
    """A title broken into lines that fit ``width_inches`` at ``fontsize`` points
    (a character is taken as 0.6 of the font size wide, generous for DejaVu Sans).

    >>> print(wrapped("Net present value of each option", 2.0))
    Net present value of
    each option
    """
    per_line = max(10, int(width_inches * 72 / (fontsize * 0.6)))
    return textwrap.fill(str(title), per_line)


def _boxes_overlap(boxes: list[Any]) -> bool:
    """Whether any two of ``boxes`` (matplotlib Bbox) overlap (touching is fine)."""
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            if (
                a.x0 < b.x1 - 0.5
                and b.x0 < a.x1 - 0.5
                and a.y0 < b.y1 - 0.5
                and (b.y0 < a.y1 - 0.5)
            ):
                return True
    return False


def tick_label_boxes(axis: Any, renderer: Any = None) -> list[Any]:
    """Window extents of the visible, non-empty tick labels of an axis, as
    last laid out (``renderer``: measured with that one instead)."""
    return [
        t.get_window_extent(renderer)
        for t in axis.get_ticklabels()
        if t.get_visible() and t.get_text()
    ]


def fit_ticks(fig: Figure) -> None:
    """Thin the tick labels of every axis of ``fig`` until none overlaps: fewer
    ticks on a numeric axis (its ``MaxNLocator``), every second, third ...
    label on a category axis (years, names).  One layout pass where nothing
    overlaps (the usual case), one more for each thinning; the figure is left
    laid out for its last tick labels.  :func:`figure_image` does the same
    while it draws the picture, without a pass of its own."""
    for _ in range(12):
        fig.draw_without_rendering()
        if not thinned_where_crowded(fig):
            return
    fig.draw_without_rendering()  # thinned twelve times: lay out the last thinning


def thinned_where_crowded(fig: Figure) -> bool:
    """Thin (:func:`_thin`) every axis of a laid-out ``fig`` whose tick labels
    overlap; whether any was thinned (then the figure must be laid out again)."""
    crowded = [
        axis
        for ax in fig.axes
        for axis in (ax.xaxis, ax.yaxis)
        if _boxes_overlap(tick_label_boxes(axis))
    ]
    return any([_thin(axis) for axis in crowded])


def _thin(axis: Any) -> bool:
    """Show fewer tick labels on ``axis``; False if it cannot show fewer."""
    locator = axis.get_major_locator()
    if isinstance(locator, MaxNLocator):
        nbins = locator._nbins  # noqa: SLF001 - no public getter
        if nbins == "auto" or nbins <= 2:
            return False
        locator.set_params(nbins=max(2, min(nbins - 1, round(nbins * 0.75))))
        return True
    if isinstance(locator, FixedLocator):
        labels = axis.get_ticklabels()
        shown = sum(1 for t in labels if t.get_visible())
        if shown <= 2:
            return False
        every = max(2, math.ceil(len(labels) / max(shown - 1, 1)))
        for i, t in enumerate(labels):
            t.set_visible(i % every == 0)
        return True
    return False


LITERAL = "_sharedcase_literal_text"
"""Marks a figure whose texts :func:`literal_text` has made literal."""


def literal_text(fig: Figure) -> None:
    """Every text of ``fig`` drawn as written (mathtext off), tick labels too."""
    for t in fig.findobj(Text):
        t.set_parse_math(False)
    setattr(fig, LITERAL, True)


def _literal_once(fig: Figure) -> None:
    """:func:`literal_text`, unless the figure was finished (:func:`finish`)
    already: its texts were made literal there, and any text made later, inside
    :func:`chart_style` (``text.parse_math`` off), is born literal.  Walking
    every artist again cost about a tenth of drawing a chart."""
    if not getattr(fig, LITERAL, False):
        literal_text(fig)


def new_figure(size: tuple[float, float]) -> tuple[Figure, Any]:
    """A figure on the SVG canvas, outside pyplot (no global state, nothing
    shown), in the chart style with constrained layout, and its one axes.

    On the SVG canvas, the layout measures text as the SVG picture draws it
    (its own text metrics, at 72 dpi): the tick labels that :func:`fit_ticks`
    finds clear of each other are those of the picture."""
    from matplotlib.backends.backend_svg import FigureCanvasSVG

    with chart_style():
        fig = Figure(figsize=size, dpi=SVG_DPI, layout="constrained")
        FigureCanvasSVG(fig)
        ax = fig.subplots()
    return fig, ax


def finish(fig: Figure) -> Figure:
    """Make a built figure print-ready: literal text.  Tick labels are thinned
    where they would overlap as the picture is drawn (:func:`figure_image`),
    or by :func:`fit_ticks` for a figure wanted laid out without a picture."""
    literal_text(fig)
    return fig


def figure_image(fig: Figure) -> bytes:
    """The picture of a figure for a report: SVG bytes (text as outlines, no
    date, the same bytes for the same figure); the figure is closed.

    Drawing the picture lays the figure out (constrained layout); where tick
    labels then overlap they are thinned and the picture drawn again
    (:func:`thinned_where_crowded`).  So a chart whose labels fit, the usual
    case, is laid out and drawn in one pass, where laying it out first to fit
    its ticks (:func:`fit_ticks`), then saving it (``savefig`` lays a figure
    out once more before it draws) took three."""
    from matplotlib.backends.backend_svg import FigureCanvasSVG

    try:
        with chart_style(), matplotlib.rc_context(SVG_RC):
            _literal_once(fig)
            canvas = fig.canvas
            if not isinstance(canvas, FigureCanvasSVG):
                canvas = FigureCanvasSVG(fig)
            for _ in range(13):  # at most twelve thinnings, as fit_ticks
                buf = io.BytesIO()
                canvas.print_svg(buf, metadata={"Date": None})
                if not thinned_where_crowded(fig):
                    break
    finally:
        plt.close(fig)
    return buf.getvalue()


PNG_COMPRESSION = 3
"""zlib level of the PNG files: as small as the default level here (flat colours
compress well at any level) and a third faster to write."""


def figure_png(fig: Figure, crop: bool = False) -> bytes:
    """PNG bytes of a figure at :data:`DPI`; the figure is closed.  Figures are
    laid out by constrained layout, so nothing needs cropping (``crop=True``
    crops to the content, as a figure laid out by hand may need)."""
    buf = io.BytesIO()
    save_png(fig, buf, DPI, crop)
    return buf.getvalue()


def save_png(fig: Figure, target: Any, dpi: int, crop: bool = False) -> None:
    """Write a figure as PNG to a path or file object, cropped to its content
    if ``crop``, and close it (open figures would pile up over a batch)."""
    try:
        with chart_style():
            _literal_once(fig)
            fit_ticks(fig)
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


def year_axis(ax: Any, years: Sequence[str]) -> np.ndarray:
    """Financial years as the labels of the x axis (thinned by :func:`fit_ticks`
    where they would overlap), titled; returns their positions."""
    x = np.arange(len(years))
    ax.set_xticks(x, [str(y) for y in years])
    ax.set_xlabel("Financial year")
    return x


def _money_grid(ax: Any, axis: str = "y") -> None:
    """A zero line and a light grid across a money axis."""
    if axis == "y":
        ax.axhline(0, color=ZERO_COLOUR, linewidth=0.8)
    else:
        ax.axvline(0, color=ZERO_COLOUR, linewidth=0.8)
    ax.grid(axis=axis, color=GRID_COLOUR, linewidth=0.6)
    ax.set_axisbelow(True)


def _legend_below(ax: Any, ncol: int) -> None:
    """The legend at the foot of the figure, outside the plotted area (placed
    by constrained layout)."""
    ax.figure.legend(loc="outside lower center", ncol=max(1, ncol), fontsize=8)


def cash_flow_figure(result: OptionResult) -> Figure:
    """Savings (up) and one-off costs (down) by year, with the cumulative net saving."""
    years = list(result.arrays.years)
    savings = _line(result, "Savings")
    setup = _line(result, "Costs|Set-up")
    severance = _line(result, "Costs|Severance")
    cumulative = _line(result, "Cumulative net saving")
    fig, ax = new_figure((7.5, 4.0))
    with chart_style():
        x = year_axis(ax, years)
        ax.bar(x, savings, color=SAVINGS_COLOUR, label="Savings")
        ax.bar(x, -setup, color=SET_UP_COLOUR, label="Set-up costs")
        ax.bar(x, -severance, bottom=-setup, color=SEVERANCE_COLOUR, label="Severance")
        ax.plot(
            x, cumulative, color=LINE_COLOUR, marker="o", label="Cumulative net saving"
        )
        values = np.concatenate([savings, -setup - severance, cumulative])
        money_axis(ax.yaxis, values, "Savings and costs a year; cumulative")
        _money_grid(ax)
        _legend_below(ax, 4)
        ax.set_title(wrapped("Savings, one-off costs and cumulative net saving", 7.5))
    return finish(fig)


def cash_flow_chart(result: OptionResult) -> Chart:
    """:func:`cash_flow_figure` as a chart."""
    return Chart(
        key="cash-flows",
        title="Savings and one-off costs by year, and the cumulative net saving",
        image=figure_image(cash_flow_figure(result)),
        alt="Bar chart of savings and one-off costs by financial year with a line "
        "for the cumulative net saving.",
    )


def council_figure(result: OptionResult, case: Case) -> Figure:
    """Each council's net saving by year, bars side by side, councils by name."""
    years = list(result.arrays.years)
    councils = list(result.arrays.councils)
    width = 0.8 / max(len(councils), 1)
    fig, ax = new_figure((7.5, 3.8))
    with chart_style():
        x = year_axis(ax, years)
        values = []
        for i, c in enumerate(councils):
            name = case.councils[c].name if c in case.councils else c
            line = _line(result, "Net saving", council=c)
            values.append(line)
            ax.bar(
                x + (i - (len(councils) - 1) / 2) * width,
                line,
                width=width,
                color=PALETTE[i % len(PALETTE)],
                label=plain(name),
            )
        money_axis(ax.yaxis, values, "Net saving a year")
        _money_grid(ax)
        _legend_below(ax, min(len(councils), 3))
        ax.set_title(wrapped("Net saving by council", 7.5))
    return finish(fig)


def council_chart(result: OptionResult, case: Case) -> Chart:
    """:func:`council_figure` as a chart."""
    return Chart(
        key="councils",
        title="Net saving by council and year",
        image=figure_image(council_figure(result, case)),
        alt="Bar chart of each council's net saving by financial year.",
    )


def option_names(case: Case) -> dict[str, str]:
    """Each option's name for the reader: its ``title``, else its identifier
    as words (:func:`readable`)."""
    return {n: (o.title or readable(n)) for n, o in case.options.items()}


def readable(identifier: str) -> str:
    """An identifier as words, for a chart given no name for it.

    >>> readable("single_business_case")
    'Single business case'
    """
    words = str(identifier).replace("_", " ").strip()
    return words[:1].upper() + words[1:]


def display_name(names: Mapping[str, str] | None, key: str) -> str:
    """The reader's name of ``key``: from ``names``, else :func:`readable`."""
    return (names or {}).get(key) or readable(key)


def series_style(i: int) -> dict[str, Any]:
    """Colour and dash of the ``i``-th line of a chart: the palette's seven
    colours solid, then dashed, dotted and dash-dotted, so that up to 28 lines
    each look different and colour is never the only difference between two
    (WCAG 2.1, 1.4.1 Use of Color).

    >>> series_style(0), series_style(7)
    ({'color': '#0072B2', 'linestyle': '-'}, {'color': '#0072B2', 'linestyle': '--'})
    """
    dash = LINE_STYLES[(i // len(PALETTE)) % len(LINE_STYLES)]
    return {"color": PALETTE[i % len(PALETTE)], "linestyle": dash}


def most_valuable(values: Mapping[str, float], limit: int = MAX_LINES) -> list[str]:
    """The keys of the ``limit`` highest ``values``, in their given order (all
    of them where there are no more than ``limit``; ties go to the earlier).

    >>> most_valuable({"a": 1.0, "b": 3.0, "c": 2.0, "d": 3.0}, limit=2)
    ['b', 'd']
    """
    keys = list(values)
    if len(keys) <= limit:
        return keys
    ranked = sorted(range(len(keys)), key=lambda i: (-values[keys[i]], i))
    return [keys[i] for i in sorted(ranked[:limit])]


def shown_of(shown: int, total: int, what: str) -> str:
    """Words for a title when a chart shows only some options: "" where it
    shows all.

    >>> shown_of(12, 100, "the highest NPV")
    ' (the 12 options of 100 with the highest NPV)'
    >>> shown_of(3, 3, "the highest NPV")
    ''
    """
    return "" if shown >= total else f" (the {shown} options of {total} with {what})"


def cumulative_figure(
    results: Mapping[str, OptionResult], names: Mapping[str, str] | None = None
) -> Figure:
    """Cumulative net saving of every option on one chart (``names``: each
    option's name for the reader, :func:`option_names`)."""
    names = names or {}
    shown = most_valuable({name: r.summary.npv for name, r in results.items()})
    fig, ax = new_figure((7.5, 4.2))
    with chart_style():
        years: list[str] = []
        values = []
        for i, name in enumerate(shown):
            r = results[name]
            years = list(r.arrays.years)
            line = _line(r, "Cumulative net saving")
            values.append(line)
            ax.plot(
                np.arange(len(years)),
                line,
                marker="o",
                **series_style(i),
                label=plain(display_name(names, name)),
            )
        year_axis(ax, years)
        money_axis(ax.yaxis, values, "Cumulative net saving")
        _money_grid(ax)
        _legend_below(ax, min(len(shown), 3))
        title = "Cumulative net saving by option"
        title += shown_of(len(shown), len(results), "the highest NPV")
        ax.set_title(wrapped(title, 7.5))
    return finish(fig)


def cumulative_chart(
    results: Mapping[str, OptionResult], names: Mapping[str, str] | None = None
) -> Chart:
    """:func:`cumulative_figure` as a chart."""
    return Chart(
        key="cumulative",
        title="Cumulative net saving of each option",
        image=figure_image(cumulative_figure(results, names)),
        alt="Line chart of the cumulative net saving of each option by financial year.",
    )


def npv_figure(
    results: Mapping[str, OptionResult], names: Mapping[str, str] | None = None
) -> Figure:
    """Net present value of every option, horizontal bars."""
    names = names or {}
    keys = list(results)
    values = [results[n].summary.npv for n in keys]
    fig, ax = new_figure((7.5, 1.4 + 0.45 * max(len(keys), 1)))
    with chart_style():
        y = np.arange(len(keys))
        ax.barh(y, values, color=[PALETTE[i % len(PALETTE)] for i in range(len(keys))])
        ax.set_yticks(y, [plain(_cut(display_name(names, n))) for n in keys])
        ax.invert_yaxis()
        money_axis(ax.xaxis, values, "Net present value, today's money")
        _money_grid(ax, "x")
        ax.set_title(wrapped("Net present value by option", 7.5))
    return finish(fig)


def npv_chart(
    results: Mapping[str, OptionResult], names: Mapping[str, str] | None = None
) -> Chart:
    """:func:`npv_figure` as a chart."""
    return Chart(
        key="npv",
        title="Net present value of each option",
        image=figure_image(npv_figure(results, names)),
        alt="Bar chart of the net present value of each option.",
    )


WATERFALL_LABEL_LENGTH = 48
"""Longest bar label of a waterfall chart [characters]; longer ones are cut."""


def waterfall_figure(
    start: tuple[str, float],
    steps: Sequence[tuple[str, float]],
    end: tuple[str, float],
    title: str,
    value_labels: Sequence[str] | None = None,
    axis_title: str = "Net present value",
) -> Figure:
    """A waterfall (bridge) chart: a total bar, one floating bar a step, a total.

    Horizontal bars read top to bottom: ``start`` (label, value [GBP]) from zero,
    then each step (label, change [GBP]) from the running total before it
    (increases blue, decreases vermilion), then ``end`` from zero.  Each bar is
    labelled with its ``value_labels`` entry (the figures of a footed table, say),
    else its value in £'000.
    """
    labels = [start[0], *(label for label, _ in steps), end[0]]
    changes = np.array([change for _, change in steps], dtype=float)
    running = start[1] + np.concatenate([[0.0], np.cumsum(changes)])[:-1]
    lefts = np.concatenate([[0.0], running, [0.0]])
    widths = np.concatenate([[start[1]], changes, [end[1]]])
    colours = [BLACK]
    colours += [INCREASE_COLOUR if c >= 0 else DECREASE_COLOUR for c in changes]
    colours += [BLACK]
    y = np.arange(len(labels))
    fig, ax = new_figure((7.5, 1.4 + 0.32 * len(labels)))
    with chart_style():
        ax.barh(y, widths, left=lefts, color=colours, height=0.6)
        if value_labels is None:
            value_labels = [money_k(width) for width in widths]
        for i, (left, width) in enumerate(zip(lefts, widths, strict=True)):
            ax.annotate(
                plain(value_labels[i]),
                (max(left, left + width), i),
                xytext=(3, 0),
                textcoords="offset points",
                va="center",
                fontsize=7,
            )
        ax.set_yticks(y, [plain(_cut(label)) for label in labels], fontsize=7.5)
        ax.invert_yaxis()
        money_axis(ax.xaxis, np.concatenate([lefts, lefts + widths]), axis_title)
        _money_grid(ax, "x")
        ax.margins(x=0.18)
        ax.set_title(wrapped(plain(title), 7.5))
    return finish(fig)


def waterfall_chart(
    start: tuple[str, float],
    steps: Sequence[tuple[str, float]],
    end: tuple[str, float],
    title: str,
    alt: str,
    key: str = "waterfall",
    value_labels: Sequence[str] | None = None,
) -> Chart:
    """:func:`waterfall_figure` as a chart; ``alt`` is the alternative text."""
    fig = waterfall_figure(start, steps, end, title, value_labels)
    return Chart(key=key, title=title, image=figure_image(fig), alt=alt)


def _cut(label: str, length: int = WATERFALL_LABEL_LENGTH) -> str:
    """A bar label no longer than ``length`` characters.

    >>> _cut("x" * 60, 10)
    'xxxxxxxxx…'
    """
    label = str(label)
    return label if len(label) <= length else label[: length - 1] + "…"
