"""Exported reports: offline, no code, the numbers of results.json, A4 PDF."""

from __future__ import annotations

import json
import re

import pytest

from models import __version__
from models.core.money import parse_k
from models.core.paths import file_sha256
from models.core.rounding import round_half_away
from models.engine.loading import load_case
from models.report.export import export_pdf, find_chromium, strip_remote_resources
from tests.conftest import DEFAULT_CASE
from tests.report_support import default_run, parse_report

OPTION = "single_business_case"


@pytest.fixture(scope="session")
def run(tmp_path_factory):
    return default_run(tmp_path_factory.getbasetemp())


@pytest.fixture(scope="module")
def option_html(run):
    return (run[1] / f"{OPTION}.html").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def results(run):
    return json.loads((run[1] / "results.json").read_text())


def k(pounds: float) -> int:
    """Pounds to whole £'000 the way the report rounds (halves away from zero)."""
    return int(round_half_away(pounds / 1000.0))


REMOTE = re.compile(
    r"<(script|link)\b[^>]*\b(src|href)\s*=\s*['\"]?(https?:)?//", re.IGNORECASE
)


def test_the_html_loads_no_script_or_stylesheet_from_the_network(run):
    for page in run[1].glob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert not REMOTE.search(text), page.name
        assert "<script" not in text, page.name
        assert not re.search(r"(src|href)\s*=\s*['\"]?https?:", text), page.name
        assert not re.search(r"url\(\s*['\"]?https?:", text), page.name


def test_remote_scripts_and_stylesheets_are_stripped():
    text = (
        '<script src="https://cdn.example/require.js"></script>'
        '<link rel="stylesheet" href="//cdn.example/x.css"><p>kept</p>'
    )
    assert strip_remote_resources(text) == "<p>kept</p>"


def test_the_html_body_is_nbconverts_own_without_its_rewrite(run):
    # The report exporter leaves out nbconvert's last step (BeautifulSoup reads
    # the page and writes it out again, to add alt text and jp- tab stops):
    # read the way that step reads it, the body must be nbconvert's very output.
    import nbformat
    from bs4 import BeautifulSoup
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors import TagRemovePreprocessor

    from models.report.export import REMOVED_TAGS, _html_exporter, notebook_body_html

    nb = nbformat.read(run[1] / f"{OPTION}.ipynb", as_version=4)
    ours = notebook_body_html(nb)
    # the export took the fast way, not its fallback for another nbconvert
    assert _html_exporter()._without_rewrite(nb, None)[0] == ours
    theirs = HTMLExporter(
        template_name="basic",
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        anchor_link_text="",
    )
    theirs.register_preprocessor(
        TagRemovePreprocessor(remove_cell_tags=set(REMOVED_TAGS), enabled=True),
        enabled=True,
    )
    expected, _ = theirs.from_notebook_node(nb)
    assert str(BeautifulSoup(ours, "html.parser")) == expected
    assert 'src="data:image/svg+xml;base64,' in ours
    # BeautifulSoup reads <a/> as closed, a browser as open: none may be left
    # (nbconvert writes each heading's empty anchor link so)
    self_closed = re.findall(r"<([A-Za-z][A-Za-z0-9-]*)\b[^<>]*/>", ours)
    assert set(self_closed) <= {"img", "br", "hr", "meta", "link", "input"}
    assert '<a class="anchor-link" href="#About-this-report"></a>' in ours


def test_nbconverts_self_closed_anchor_links_are_given_end_tags():
    from models.report.export import elements_closed

    # nbconvert writes a heading's anchor link with no text as <a .../>; a
    # browser would then put the rest of the page inside the (hidden) link
    assert elements_closed('<h2 id="x">X<a class="anchor-link" href="#x" /></h2>') == (
        '<h2 id="x">X<a class="anchor-link" href="#x"></a></h2>'
    )
    assert elements_closed('<br/><img src="a"/><DIV class="c"/>') == (
        '<br/><img src="a"/><DIV class="c"></DIV>'
    )
    # a quoted value may hold "/>" and ">": the element ends after the value
    assert elements_closed("<a title='1/>2' href=\"x>y\" />") == (
        "<a title='1/>2' href=\"x>y\"></a>"
    )


def test_an_image_without_alt_text_is_given_nbconverts_placeholder():
    from models.report.export import MISSING_ALT, images_given_alt

    text = '<IMG src="a.png"/><img\nalt="Chart" src="b.png"/><imgx src="c"/>'
    assert images_given_alt(text) == (
        f'<img alt="{MISSING_ALT}" src="a.png"/><img\nalt="Chart" src="b.png"/>'
        '<imgx src="c"/>'
    )


def test_the_html_shows_no_code_and_no_parameters(option_html):
    body = option_html[option_html.index("<body") :]
    for marker in (
        "jp-InputArea",
        "input_area",
        'class="highlight',
        "OptionReport(",
        "report.headline()",
        "excel_path",
        "Parameters",
        "injected",
        "<pre",
        "<code",
    ):
        assert marker not in body, marker


def test_the_charts_are_embedded_as_svg_pictures(option_html):
    report = parse_report(option_html)
    sources = [img["src"] for img in report.images]
    # cash flows, council split, tornado, Monte Carlo histogram
    assert len(sources) == 4
    assert all(s.startswith("data:image/svg+xml;base64,") for s in sources)


def test_the_header_states_what_the_report_was_run_on(option_html, run):
    assert f"sharedcase {__version__}" in option_html
    assert file_sha256(DEFAULT_CASE) in option_html
    manifest = json.loads((run[1] / "manifest.json").read_text())
    assert manifest["started"][:10] in option_html  # run date
    assert "single business case moving all remaining services" in option_html
    assert "bromsgrove_redditch_2011.yaml" in option_html


def test_the_npv_and_payback_shown_are_those_of_results_json(option_html, results):
    entry = results["options"][OPTION]
    headline = parse_report(option_html).tables["headline"]
    assert parse_k(headline["Net present value"][0]) == k(entry["npv"])
    assert parse_k(headline["Net present value (economic view)"][0]) == k(
        entry["npv_economic"]
    )
    assert headline["Payback year"][0] == entry["payback_year"]
    window = next(r for r in headline if r.startswith("Savings 20"))
    assert parse_k(headline[window][0]) == k(entry["target_window_savings"])


def test_the_net_savings_shown_are_those_of_results_json(option_html, results):
    entry = results["options"][OPTION]
    report = parse_report(option_html)
    years = report.headers["summary-position"][1:]
    shown = [parse_k(v) for v in report.tables["summary-position"]["NET SAVINGS"]]
    assert years == list(entry["net_savings_by_year"])
    assert shown == [k(v) for v in entry["net_savings_by_year"].values()]


def test_each_councils_npv_shown_is_that_of_results_json(option_html, results):
    councils = results["options"][OPTION]["councils"]
    shown = parse_report(option_html).tables["council-npv"]
    assert parse_k(shown["Bromsgrove District Council"][0]) + parse_k(
        shown["Redditch Borough Council"][0]
    ) == parse_k(shown["All councils"][0])
    for name, key in (
        ("Bromsgrove District Council", "bdc"),
        ("Redditch Borough Council", "rbc"),
    ):
        assert abs(parse_k(shown[name][0]) - k(councils[key]["npv"])) <= 1


def test_the_comparison_shows_each_options_npv_from_results_json(run, results):
    text = (run[1] / "comparison.html").read_text(encoding="utf-8")
    shown = parse_report(text).tables["options"]
    # rows are named by the options' titles (issue 14), not their keys
    titles = {k: o.title for k, o in load_case(DEFAULT_CASE).options.items()}
    for option, entry in results["options"].items():
        assert parse_k(shown[titles[option]][0]) == k(entry["npv"])
        assert shown[titles[option]][2] == (
            entry["payback_year"] or "not within the period"
        )


def test_the_print_stylesheet_is_a4_with_page_numbers_and_unbroken_tables(option_html):
    assert "size: A4" in option_html
    assert "counter(page)" in option_html
    assert "break-inside: avoid" in option_html


@pytest.mark.skipif(find_chromium() is None, reason="chromium is not installed")
def test_the_pdf_is_printed_on_a4(run, tmp_path):
    pdf = export_pdf(run[1] / f"{OPTION}.html", tmp_path / "report.pdf")
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF")
    boxes = re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", data)
    assert boxes
    # A4 is 210 x 297 mm = 595.3 x 841.9 points
    for w, h in boxes:
        assert float(w) == pytest.approx(595.3, abs=2)
        assert float(h) == pytest.approx(841.9, abs=2)


def test_the_uncertainty_figures_shown_are_those_of_results_json(option_html, results):
    entry = results["options"][OPTION]["monte_carlo"]
    # the row of the option for all councils, named by title and council names
    # (issue 14): mean, P10, P50, P90, chance NPV above zero, median payback
    row = parse_report(option_html).tables["monte-carlo"][
        "Single business case: All councils"
    ]
    assert [parse_k(v) for v in row[1:4]] == [
        k(entry["npv_p10"]),
        k(entry["npv_p50"]),
        k(entry["npv_p90"]),
    ]
    assert "tornado" in parse_report(option_html).tables
    switching = parse_report(option_html).tables["switching-values"]
    # options x assumptions (issue 14): a row an option, a column an assumption
    assert "Single business case: NPV reaches zero at" in switching
    headers = parse_report(option_html).headers["switching-values"]
    assert "Savings achieved" in headers


def test_the_run_folder_has_the_monitoring_report_from_its_notebook(run):
    folder = run[1]
    text = (folder / "monitoring.html").read_text(encoding="utf-8")
    # seed 000 Appendix A overall position: budget 521 / 585 / 1,106, actual 1,179
    for figure in ("521", "585", "1,106", "1,179"):
        assert figure in text
    assert file_sha256(DEFAULT_CASE.parent / "actuals_2010_11.yaml") in text
    assert "<script" not in text.lower()
    assert (folder / "monitoring.xlsx").stat().st_size > 0
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["monitoring"]["actuals_2010_11.yaml"]["notebook"] == "ok"


def test_the_comparison_shows_the_risk_register_and_its_heat_map(run):
    text = (run[1] / "comparison.html").read_text(encoding="utf-8")
    report = parse_report(text)
    # seed 000 Appendix B ref 6: likelihood 3 x impact 4 = 12, the highest score
    assert report.tables["risk-register"]["6"][3] == "12"
    assert any("likelihood and impact" in i["alt"] for i in report.images)


def test_each_council_has_its_financial_implications_in_html_and_excel(run, results):
    # issue 15 item 6: the page a Section 151 officer reads, in the HTML (which
    # the PDF prints) and in the Excel workbook, with the figures of results.json
    import openpyxl

    html_text = (run[1] / f"{OPTION}.html").read_text(encoding="utf-8")
    tables = parse_report(html_text).tables
    for name, key in (
        ("Bromsgrove District Council", "bdc"),
        ("Redditch Borough Council", "rbc"),
    ):
        assert f"Financial implications for {name}" in html_text
        funding = tables[f"affordability-{OPTION}-{key}-funding"]
        entry = results["options"][OPTION]["councils"][key]["affordability"]
        total = sum(entry["one_off_costs_by_year"].values())
        assert abs(parse_k(funding["One-off costs"][-1]) - k(total)) <= 1
    sheets = openpyxl.load_workbook(run[1] / f"{OPTION}.xlsx").sheetnames
    assert any(s.startswith("Funding Bromsgrove") for s in sheets)
    comparison = (run[1] / "comparison.html").read_text(encoding="utf-8")
    assert "Financial implications for Redditch Borough Council" in comparison
