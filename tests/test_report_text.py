"""What a reader sees in the reports of the default run (issue 14, "Done when").

The visible text of a report is its text outside ``<script>``, ``<style>``,
``<code>`` and ``<footer>`` (the footer holds the provenance: input SHA-256,
package version, run id).  Each report must open with the answer (a £ figure and
a financial year within its first 1,500 characters, and in the comparison the
word "recommend"), and no report may show an identifier of the case file
(``single_business_case``, ``bdc``), an internal column name (``line_id``), a raw
Python value (``None``, ``NaN``, ``True``, ``False``) or an unformatted float.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import openpyxl
import pytest
import yaml

from tests.report_support import DEFAULT_CASE, default_run, parse_report

HIDDEN = {"script", "style", "code", "footer", "head", "title"}
MONEY = re.compile(r"£\d[\d,.]*(?:k|m|bn)?")
FINANCIAL_YEAR = re.compile(r"\b(?:19|20)\d\d/\d\d\b")
SNAKE_CASE = re.compile(r"\b[a-z][a-z0-9]*_[a-z0-9_]+\b")
RAW_VALUE = re.compile(r"\b(?:None|NaN|nan|True|False)\b")
LONG_FLOAT = re.compile(r"\d\.\d{5,}")


class _Visible(HTMLParser):
    """Collects the text outside the hidden elements, one space between blocks."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.depth = 0
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in HIDDEN:
            self.depth += 1

    def handle_endtag(self, tag):
        if tag in HIDDEN and self.depth:
            self.depth -= 1

    def handle_data(self, data):
        if not self.depth:
            self.parts.append(data)


def visible_text(html: str) -> str:
    """The text a reader sees, whitespace collapsed."""
    parser = _Visible()
    parser.feed(html)
    parser.close()
    return re.sub(r"\s+", " ", " ".join(parser.parts)).strip()


def test_visible_text_leaves_out_code_footer_script_and_style():
    html = (
        "<html><head><style>p{}</style></head><body><h1>A  report</h1>"
        "<script>var x_y = 1</script><p>See <code>status_quo</code>.</p>"
        "<footer>sha256 None</footer></body></html>"
    )
    assert visible_text(html) == "A report See ."


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    status, folder = default_run(tmp_path_factory.getbasetemp())
    assert status == 0
    return Path(folder)


@pytest.fixture(scope="module")
def reports(folder) -> dict[str, str]:
    """Visible text of every HTML report of the default run, by file name."""
    pages = sorted(folder.glob("*.html"))
    assert {p.name for p in pages} >= {
        "comparison.html",
        "single_business_case.html",
        "status_quo.html",
        "monitoring.html",
    }
    return {p.name: visible_text(p.read_text(encoding="utf-8")) for p in pages}


def _identifiers() -> set[str]:
    """Keys of the default case that name options, councils and services."""
    raw = yaml.safe_load(DEFAULT_CASE.read_text(encoding="utf-8"))
    return {*raw["options"], *raw["councils"], *raw["services"]}


def test_each_report_opens_with_a_pound_figure_and_a_financial_year(reports):
    for name, text in reports.items():
        opening = text[:1500]
        assert MONEY.search(opening), (name, opening)
        assert FINANCIAL_YEAR.search(opening), (name, opening)


def test_the_comparison_opens_with_a_recommendation(reports):
    assert "recommend" in reports["comparison.html"][:1500].lower()


def test_no_report_shows_an_identifier_of_the_case_file(reports):
    keys = _identifiers()
    # a key that is also an ordinary word ("leisure") may appear as that word;
    # keys are looked for as written (case-sensitive, whole words)
    words = {k for k in keys if "_" in k or len(k) <= 4}
    assert {"single_business_case", "bdc", "rbc", "hr_od"} <= words
    for name, text in reports.items():
        found = sorted(k for k in words if re.search(rf"\b{re.escape(k)}\b", text))
        assert not found, (name, found)


def test_no_report_shows_an_internal_column_name(reports):
    for name, text in reports.items():
        assert not SNAKE_CASE.findall(text), (name, SNAKE_CASE.findall(text)[:10])


def test_no_report_shows_a_raw_python_value_or_a_long_float(reports):
    for name, text in reports.items():
        assert not RAW_VALUE.findall(text), (name, RAW_VALUE.findall(text)[:10])
        assert not LONG_FLOAT.findall(text), (name, LONG_FLOAT.findall(text)[:10])


def test_the_comparison_says_its_figures_are_illustrative(reports):
    # the default case labels its service budgets "illustrative assumption"
    text = reports["comparison.html"]
    assert "illustrative" in text[:1500].lower()
    assert re.search(r"\b\d+ illustrative figures?\b", text[:1500])
    assert "not for decision until" in text[:1500]


@pytest.mark.parametrize("stem", ["comparison", "single_business_case", "status_quo"])
def test_the_excel_file_holds_every_table_of_the_report_and_the_assumptions(
    folder, stem
):
    shown = list(parse_report((folder / f"{stem}.html").read_text("utf-8")).tables)
    sheets = openpyxl.load_workbook(folder / f"{stem}.xlsx").sheetnames
    assert len(sheets) == len(shown), (sheets, shown)
    assert shown[-1] == "assumptions" and sheets[-1] == "Assumptions"
    if stem == "comparison":
        assert {"switching-values", "monte-carlo", "risk-register"} <= set(shown)
