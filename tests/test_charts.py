"""Every chart of the reports, drawn from the default case, is fit to print: tick
labels that do not overlap, titles inside the figure, titled money axes with
their unit, one colour-blind-safe palette, literal text, no empty chart."""

from __future__ import annotations

import dataclasses
import io

import matplotlib.image as mpimg
import numpy as np
import pytest
from matplotlib.colors import to_hex

from models.engine.bridge import option_bridge
from models.engine.loading import load_case
from models.engine.projection import run_option
from models.engine.uncertainty import monte_carlo, sensitivity_table
from models.inputs.risk_register import load_risk_register
from models.report import charts, uncertainty_charts
from models.report.bridge import BridgeEnd, BridgeNames, bridge_figure, names_of
from models.report.charts import PALETTE, tick_label_boxes
from models.report.uncertainty_tables import tornado_chart as tornado_report_chart
from tests.conftest import DEFAULT_CASE


@pytest.fixture(scope="module")
def case():
    return load_case(DEFAULT_CASE)


@pytest.fixture(scope="module")
def results(case):
    return {o: run_option(case, o) for o in case.options}


@pytest.fixture(scope="module")
def draws(case):
    spec = case.effective_uncertainty()
    return {
        o: monte_carlo(case, o, 2000, spec.seed, spec, False)
        for o in ("staged_approach", "single_business_case")
    }


def _bridge(case):
    councils, services = names_of(case)
    names = BridgeNames(
        case_name=case.name,
        case_title=case.title,
        start=BridgeEnd("status_quo", "Status quo", ""),
        end=BridgeEnd("single_business_case", "Single business case", ""),
        councils=councils,
        services=services,
    )
    return bridge_figure(
        option_bridge(case, "status_quo", "single_business_case"), names
    )


FIGURES = {
    "cash flows": lambda case, results, draws: charts.cash_flow_figure(
        results["single_business_case"]
    ),
    "councils": lambda case, results, draws: charts.council_figure(
        results["single_business_case"], case
    ),
    "cumulative": lambda case, results, draws: charts.cumulative_figure(
        results, charts.option_names(case)
    ),
    "npv": lambda case, results, draws: charts.npv_figure(
        results, charts.option_names(case)
    ),
    "tornado": lambda case, results, draws: uncertainty_charts.tornado_chart(
        sensitivity_table(case, "single_business_case")
    ),
    "histogram": lambda case, results, draws: uncertainty_charts.npv_histogram(
        draws["single_business_case"], name="Single business case"
    ),
    "s-curve": lambda case, results, draws: uncertainty_charts.npv_s_curve(
        list(draws.values()), names=charts.option_names(case)
    ),
    "heat map": lambda case, results, draws: uncertainty_charts.risk_heat_map(
        load_risk_register(DEFAULT_CASE.parent / case.risk_register)
    ),
    "bridge": lambda case, results, draws: _bridge(case),
}


@pytest.fixture(scope="module", params=list(FIGURES))
def drawn(request, case, results, draws):
    fig = FIGURES[request.param](case, results, draws)
    charts.fit_ticks(fig)  # laid out, ticks thinned, as its SVG picture is drawn
    return request.param, fig


def _overlapping(boxes):
    return [
        (i, j)
        for i, a in enumerate(boxes)
        for j, b in enumerate(boxes[i + 1 :], start=i + 1)
        if a.x0 < b.x1 - 0.5
        and b.x0 < a.x1 - 0.5
        and a.y0 < b.y1 - 0.5
        and b.y0 < a.y1 - 0.5
    ]


def test_no_two_tick_labels_overlap(drawn):
    name, fig = drawn
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            boxes = tick_label_boxes(axis)
            assert len(boxes) >= 2, (name, "an axis with fewer than two labels")
            assert not _overlapping(boxes), (
                name,
                [t.get_text() for t in axis.get_ticklabels()],
            )


def test_the_title_and_axis_titles_lie_inside_the_figure(drawn):
    name, fig = drawn
    page = fig.bbox
    for ax in fig.axes:
        texts = [ax.title, ax.xaxis.label, ax.yaxis.label]
        assert ax.get_title(), name
        for text in texts:
            if text.get_text():
                box = text.get_window_extent()
                assert page.x0 - 1 <= box.x0 and box.x1 <= page.x1 + 1, (name, text)
                assert page.y0 - 1 <= box.y0 and box.y1 <= page.y1 + 1, (name, text)
        for legend in [*fig.legends, ax.get_legend()]:
            if legend is not None:
                box = legend.get_window_extent()
                assert page.x0 - 1 <= box.x0 and box.x1 <= page.x1 + 1, name
                assert page.y0 - 1 <= box.y0 and box.y1 <= page.y1 + 1, name


def test_money_axes_are_titled_with_their_unit(drawn):
    name, fig = drawn
    ax = fig.axes[0]
    money = [
        a
        for a in (ax.xaxis, ax.yaxis)
        if isinstance(a.get_major_formatter(), charts.MoneyFormatter)
    ]
    if name != "heat map":
        assert money, name
    for axis in money:
        label = axis.label.get_text()
        assert label.endswith(("(£k)", "(£m)")), (name, label)
        suffix = label[-2]  # k or m
        shown = [t.get_text() for t in axis.get_ticklabels() if t.get_text()]
        assert all(t == "£0" or t.rstrip(")").endswith(suffix) for t in shown), shown
    for axis in (ax.xaxis, ax.yaxis):
        if axis.get_ticklabels() and axis not in money and name != "npv":
            assert axis.label.get_text() or name in ("tornado", "bridge"), name


def test_bars_and_lines_use_the_one_palette(drawn):
    name, fig = drawn
    if name == "heat map":
        return
    palette = {c.lower() for c in PALETTE} | {"#444444", "#dddddd"}
    ax = fig.axes[0]
    colours = {to_hex(p.get_facecolor()) for p in ax.patches}
    colours |= {to_hex(line.get_color()) for line in ax.get_lines()}
    assert colours <= palette, (name, colours - palette)


def test_the_status_quos_tornado_is_a_sentence_not_an_empty_chart(case):
    table = sensitivity_table(case, "status_quo")
    assert uncertainty_charts.tornado_chart(table) is None
    shown = tornado_report_chart(table)
    assert isinstance(shown, charts.NoChart)
    assert "no tornado chart" in shown.to_html()
    assert "<img" not in shown.to_html()


def test_a_name_with_mathtext_is_drawn_as_written(case, results):
    case = case.model_copy(deep=True)
    case.councils["bdc"].name = "Cost $x^$ {\\frac}"
    fig = charts.council_figure(results["single_business_case"], case)
    labels = [t.get_text() for t in fig.legends[0].get_texts()]
    assert "Cost $x^$ {\\frac}" in labels
    assert charts.figure_image(fig).startswith(b"<?xml")  # drawn, not refused


def test_a_figure_not_finished_is_drawn_with_literal_text_too():
    # finish() makes a chart's texts literal once; a figure drawn without it
    # (texts added outside chart_style parse mathtext) is made literal when drawn
    fig, ax = charts.new_figure((3, 2))
    label = ax.text(0.5, 0.5, "Cost $x^$ {\\frac}")  # invalid mathtext if parsed
    assert label.get_parse_math()
    assert charts.figure_image(fig).startswith(b"<?xml")
    assert not label.get_parse_math()


def test_charts_are_vector_pictures_shown_at_their_drawn_size(results):
    chart = charts.cash_flow_chart(results["single_business_case"])
    assert chart.mime == "image/svg+xml"
    assert chart.data_uri().startswith("data:image/svg+xml;base64,")
    # a 7.5 inch chart: 540 points, shown 720 CSS px wide (96 a inch)
    assert charts.svg_width_points(chart.image) == 540.0
    assert chart.width == 720 and 'width="720"' in chart.to_html()
    # text as outlines: no font needed; and no date, so a run repeats byte for byte
    assert b"<text" not in chart.image and b"<dc:date>" not in chart.image
    assert charts.cash_flow_chart(results["single_business_case"]).image == chart.image


def test_the_picture_is_that_of_the_figure_laid_out_with_its_ticks_fitted(results):
    # figure_image lays a chart out and fits its ticks as it draws it, in one
    # pass: the picture must be the one of the same figure laid out and
    # fitted first (charts.fit_ticks), then drawn
    result = results["single_business_case"]
    one_pass = charts.figure_image(charts.cash_flow_figure(result))
    fig = charts.cash_flow_figure(result)
    charts.fit_ticks(fig)
    assert charts.figure_image(fig) == one_pass


@pytest.mark.parametrize("name", list(FIGURES))
def test_a_title_sits_where_matplotlib_would_place_it(
    name, case, results, draws, monkeypatch
):
    # CHART_RC fixes each title at the top of its axes ("axes.titley": 1.0),
    # which spares matplotlib measuring every y tick label for each title as it
    # draws.  Its automatic placement would move a title up only past tick
    # labels on top or an offset text, which no chart has: so every picture must
    # be byte for byte the one drawn with automatic placement (titley None).
    fixed = charts.figure_image(FIGURES[name](case, results, draws))
    monkeypatch.setitem(charts.CHART_RC, "axes.titley", None)
    automatic = charts.figure_image(FIGURES[name](case, results, draws))
    assert charts.CHART_RC["axes.titley"] is None  # the patch took effect
    assert fixed == automatic


def test_a_png_is_written_at_print_resolution(results):
    png = charts.figure_png(charts.cash_flow_figure(results["single_business_case"]))
    assert charts.png_size(png)[0] == 1500  # 7.5 inches at 200 dots per inch
    pixels = mpimg.imread(io.BytesIO(png))[..., :3].reshape(-1, 3)
    assert np.unique(pixels, axis=0).shape[0] > 20


def _crowded_figure():
    # forty financial years on a 4 inch axis, and a money axis asked for many
    # ticks on a short figure: both would overlap as drawn
    fig, ax = charts.new_figure((4.0, 1.6))
    with charts.chart_style():
        years = [f"{y}/{(y + 1) % 100:02d}" for y in range(2011, 2051)]
        x = charts.year_axis(ax, years)
        ax.plot(x, np.linspace(-3e7, 9e7, len(x)))
        charts.money_axis(ax.yaxis, [-3e7, 9e7], "Net saving")
        ax.yaxis.get_major_locator().set_params(nbins=30)
        ax.set_title("Crowded")
    return fig, ax


@pytest.mark.parametrize("how", ["fit_ticks", "figure_image"])
def test_crowded_tick_labels_are_thinned_until_none_overlaps(how):
    fig, ax = _crowded_figure()
    fig.draw_without_rendering()
    assert _overlapping(tick_label_boxes(ax.xaxis))  # before
    if how == "fit_ticks":
        charts.fit_ticks(fig)
        fig.draw_without_rendering()
    else:  # thinned as the picture is drawn; the labels as last drawn
        assert charts.figure_image(fig).startswith(b"<?xml")
    for axis in (ax.xaxis, ax.yaxis):
        boxes = tick_label_boxes(axis)
        assert len(boxes) >= 2 and not _overlapping(boxes)
    shown = [t.get_text() for t in ax.xaxis.get_ticklabels() if t.get_visible()]
    assert shown[0] == "2011/12"  # thinned from the first year on


def _options_drawn(case, draws, n):
    """``n`` options' Monte Carlo results: the single business case's draws
    moved by £1,000 times the option's number (option k has the k-th median)."""
    base = draws["single_business_case"]
    return [
        dataclasses.replace(base, option=f"option_{k:03d}", npv=base.npv + 1000.0 * k)
        for k in range(n)
    ]


def _lines(fig):
    return [
        (line.get_label(), line.get_color(), line.get_linestyle())
        for line in fig.axes[0].get_lines()
        if not line.get_label().startswith("_")
    ]


def test_no_two_lines_of_an_s_curve_look_the_same(case, draws):
    # eight options: the palette has seven colours, so the eighth is dashed
    fig = uncertainty_charts.npv_s_curve(_options_drawn(case, draws, 8))
    styles = [(colour, dash) for _, colour, dash in _lines(fig)]
    assert len(styles) == 8 and len(set(styles)) == 8
    assert styles[7] == (styles[0][0], "--")
    assert fig.axes[0].get_title() == "NPV S-curve"  # all shown: nothing to say


def test_an_s_curve_of_many_options_shows_the_twelve_with_the_highest_median(
    case, draws
):
    # 100 options: option k's median is the base median + £1,000 k, so the
    # twelve highest are options 88 to 99; the legend fits the figure
    fig = uncertainty_charts.npv_s_curve(_options_drawn(case, draws, 100))
    labels = [label for label, *_ in _lines(fig)]
    assert labels == [f"Option {k:03d}" for k in range(88, 100)]
    title = fig.axes[0].get_title().replace("\n", " ")
    assert title == ("NPV S-curve (the 12 options of 100 with the highest median NPV)")
    charts.fit_ticks(fig)
    legend = fig.legends[0].get_window_extent()
    axes = fig.axes[0].get_window_extent()
    assert legend.y1 < axes.y0  # below the plot, not over it
    assert legend.y0 >= 0 and axes.height > 100  # inside the figure, laid out


def test_a_cumulative_chart_of_many_options_shows_twelve_and_says_so(results):
    many = {f"option_{k:02d}": results["single_business_case"] for k in range(20)}
    fig = charts.cumulative_figure(many)
    lines = _lines(fig)
    assert len(lines) == 12 and len({(c, d) for _, c, d in lines}) == 12
    title = fig.axes[0].get_title().replace("\n", " ")
    assert title.endswith("(the 12 options of 20 with the highest NPV)")
