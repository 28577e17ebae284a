"""Report tables: £k formatting, the seed 002 para 6.9 layout, footing, escaping."""

from __future__ import annotations

import copy

import openpyxl
import pandas as pd
import pytest

from models.core.money import format_thousands, money_k, parse_k
from models.engine.cases import case_from_dict
from models.engine.loading import load_case
from models.engine.projection import run_option
from models.report import tables
from models.report.export import write_excel
from models.report.notebook import (
    ComparisonReport,
    description_html,
    report_footer,
    report_header,
    report_meta,
)
from tests.conftest import DEFAULT_CASE, SEED_002_CASE, SMALL_CASE


@pytest.fixture(scope="module")
def default_case():
    return load_case(DEFAULT_CASE)


@pytest.fixture(scope="module")
def single_business_case(default_case):
    return run_option(default_case, "single_business_case")


def test_money_is_shown_in_thousands_with_a_pound_sign_and_negatives_in_brackets():
    assert money_k(1_016_000.0) == "£1,016k"
    assert money_k(-1_825_187.5) == "(£1,825k)"
    # halves round away from zero: 2,500 is £3k and -2,500 is (£3k)
    assert money_k(2_500.0) == "£3k"
    assert money_k(-2_500.0) == "(£3k)"
    assert money_k(12_040_484.36) == "£12,040k"


def test_a_formatted_figure_reads_back_as_the_same_number_of_thousands():
    for k in (0, 7, -7, 1016, -1825, 12040):
        assert parse_k(format_thousands(k)) == k


def test_the_seed_002_summary_table_shows_the_figures_of_para_6_9():
    # seed 002 para 6.9, SUMMARY SHARED SERVICE FINANCIAL POSITION (£'000):
    #                2008/09  2009/10  2010/11
    # SAVINGS             85      432    1,016
    # SET UP COSTS        18       75      896
    # NET SAVINGS         67      357      120
    result = run_option(load_case(SEED_002_CASE), "as_reported")
    shown = tables.summary_position(result).display()
    assert list(shown.index) == ["SAVINGS", "SET UP COSTS", "NET SAVINGS"]
    assert list(shown.columns) == ["2008/09", "2009/10", "2010/11"]
    assert shown.loc["SAVINGS"].tolist() == ["£85k", "£432k", "£1,016k"]
    assert shown.loc["SET UP COSTS"].tolist() == ["£18k", "£75k", "£896k"]
    assert shown.loc["NET SAVINGS"].tolist() == ["£67k", "£357k", "£120k"]


def _foots(t: tables.ReportTable) -> None:
    """Shown parts add to the shown totals (costs subtracted where signed), and
    every shown figure is within one £'000 of its exact value: footing alone is
    met by construction, closeness to the exact pounds is what can fail."""
    r = t.rounded()
    exact = t.table[t.money_columns].astype(float) / tables.UNIT
    assert ((r - exact).abs() < 1 + 1e-9).all().all(), t.title
    signed = r.mul(pd.Series({i: t.signs.get(i, 1.0) for i in r.index}), axis=0)
    if t.row_total is not None:
        parts = signed.drop(index=t.row_total).sum(axis=0)
        assert (parts == signed.loc[t.row_total]).all(), t.title
    if t.col_total is not None:
        parts = r.drop(columns=t.col_total).sum(axis=1)
        assert (parts == r[t.col_total]).all(), t.title


def test_every_table_of_every_option_of_the_default_case_foots(default_case):
    for option in default_case.options:
        result = run_option(default_case, option)
        for t in tables.option_tables(result, default_case):
            _foots(t)
    for t in ComparisonReport(DEFAULT_CASE).tables():
        _foots(t)


def test_a_total_shows_its_own_rounding_and_the_parts_absorb_the_difference():
    # parts 1,400 + 2,400 = 3,800: rounded separately 1 + 2 = 3, but the total
    # rounds to 4, so one part (the larger remainder, 2,400 -> 0.4) is rounded up.
    t = tables.ReportTable(
        key="t",
        title="t",
        table=pd.DataFrame({"a": [1400.0, 2400.0, 3800.0]}, index=["x", "y", "T"]),
        row_total="T",
    )
    assert t.rounded()["a"].tolist()[2] == 4
    assert sum(t.rounded()["a"].tolist()[:2]) == 4


@pytest.fixture(scope="module")
def small():
    case = case_from_dict(copy.deepcopy(SMALL_CASE))
    return case, run_option(case, "share_payroll")


def test_the_cash_flow_table_nets_costs_off_savings_in_the_first_year(small):
    # small case, payroll live from 1 January 2012: 3 months of the 120,000 a
    # year staff saving in 2011/12 = 30,000; set-up 50,000, redundancy pay
    # 40,000, pension strain 20,000, all in 2011/12;
    # net = 30,000 - 50,000 - 40,000 - 20,000 = -80,000, shown (£80k);
    # over the period savings 30,000 + 120,000 + 120,000 = 270,000 and
    # net = 270,000 - 110,000 = 160,000
    t = tables.cash_flows(small[1])
    assert t.table.loc["Net saving", "2011/12"] == pytest.approx(-80_000.0)
    shown = t.display()
    assert shown.loc["Net saving"].tolist() == ["(£80k)", "£120k", "£120k", "£160k"]
    assert shown.loc["Savings", "Total"] == "£270k"
    assert shown.loc["Redundancy pay", "2011/12"] == "£40k"


def test_the_headline_npv_is_the_option_npv_in_thousands(single_business_case):
    shown = tables.headline_figures(single_business_case, load_case(DEFAULT_CASE))
    npv = single_business_case.summary.npv
    assert shown.display().loc["Net present value", "Figure"] == money_k(npv)
    assert shown.display().loc["Payback year", "Figure"] == "2013/14"


def test_council_npvs_add_up_to_the_partnership_npv(single_business_case, default_case):
    t = tables.council_npv(single_business_case, default_case)
    assert t.table.iloc[:-1, 0].sum() == pytest.approx(t.table.iloc[-1, 0])
    assert t.table.iloc[-1, 0] == pytest.approx(single_business_case.summary.npv)


def test_a_script_in_a_case_description_is_shown_as_text(tmp_path):
    raw = copy.deepcopy(SMALL_CASE)
    raw["description"] = "<script>alert(1)</script>"
    raw["options"]["share_payroll"]["description"] = "<script>alert(2)</script>"
    case = case_from_dict(raw)
    path = tmp_path / "small.yaml"
    path.write_text("kind: case\n")  # only hashed here
    meta = report_meta(case, path, "share_payroll", "2026-01-01")
    # the descriptions follow the summary (issue 14), the header holds the title
    shown = (
        report_header(meta, "x")
        + description_html("The case", meta.case_description)
        + description_html("Share payroll", meta.option_description)
        + report_footer(meta)
    )
    assert "<script" not in shown
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in shown
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in shown


def test_labels_from_the_case_are_escaped_in_tables():
    raw = copy.deepcopy(SMALL_CASE)
    raw["councils"]["a"]["name"] = "A & <b>B</b>"
    case = case_from_dict(raw)
    t = tables.council_npv(run_option(case, "share_payroll"), case)
    assert "A &amp; &lt;b&gt;B&lt;/b&gt;" in t.to_html()
    assert "<b>" not in t.to_html()


def test_the_excel_file_has_a_sheet_per_table_with_pound_formats_and_frozen_headers(
    small, tmp_path
):
    ts = tables.option_tables(small[1], small[0])
    path = write_excel(ts, tmp_path / "option.xlsx")
    wb = openpyxl.load_workbook(path)
    assert len(wb.sheetnames) == len(ts)
    ws = wb["Yearly cash flows"]
    # title row, units row, bold headers, panes frozen below the headers
    assert ws["A1"].value == "Yearly cash flows" and ws["A1"].font.bold
    assert "pounds" in ws["A2"].value
    assert ws["B3"].font.bold
    assert ws.freeze_panes == "B4"
    assert ws["A8"].value == "Net saving"
    assert ws["B8"].value == pytest.approx(-80_000.0)  # 2011/12
    assert "£" in ws["B8"].number_format
    npv = wb["Net present value by council"]
    assert npv["A4"].value == "Council A"
    # full pounds, not rounded to £'000
    assert npv["B4"].value == pytest.approx(small[1].councils["a"].npv)
    assert npv["B4"].value % 1000 != 0


def test_the_comparison_keeps_going_past_an_option_that_fails(monkeypatch):
    import models.engine.projection as projection

    real = projection.run_option

    def failing(case, option):
        if option == "staged_approach":
            raise ZeroDivisionError("boom")
        return real(case, option)

    monkeypatch.setattr(projection, "run_option", failing)
    report = ComparisonReport(DEFAULT_CASE)
    assert list(report.results) == ["status_quo", "single_business_case"]
    assert report.failed == {"staged_approach": "ZeroDivisionError: boom"}
    assert "failed: ZeroDivisionError: boom" in report.option_list()
