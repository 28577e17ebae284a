"""The Excel files as a finance lead opens them: per sheet a title row, a units
row, bold headers with the panes frozen below them, numbers as numbers with £
formats, and sheet names that are whole words, unique, within 31 characters."""

from __future__ import annotations

import openpyxl
import pandas as pd
import pytest

from models.engine.loading import load_case
from models.engine.monitoring import load_actuals
from models.engine.projection import run_option
from models.model.monitoring import variance_table
from models.report import tables
from models.report.export import GBP_FORMAT, sheet_name, write_excel
from models.report.monitoring import write_monitoring_excel
from models.report.tables import ReportTable
from tests.conftest import DEFAULT_CASE, SCENARIOS


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    case = load_case(DEFAULT_CASE)
    result = run_option(case, "single_business_case")
    ts = tables.option_tables(result, case)
    path = write_excel(ts, tmp_path_factory.mktemp("xlsx") / "option.xlsx")
    return ts, openpyxl.load_workbook(path)


def test_each_table_has_its_own_sheet_with_a_unique_short_whole_word_name(book):
    ts, wb = book
    assert len(wb.sheetnames) == len(ts)
    assert len({n.lower() for n in wb.sheetnames}) == len(ts)
    for name, t in zip(wb.sheetnames, ts, strict=True):
        assert len(name) <= 31
        # every word of the name is a whole word of the title (no "financia")
        title_words = set(t.title.replace(",", " ").split()) | {"NPV", "&"}
        assert set(name.replace(" (2)", "").split()) <= title_words, (name, t.title)
    assert "Summary financial position" in wb.sheetnames


def test_each_sheet_opens_with_its_title_units_and_bold_headers_frozen_below(book):
    ts, wb = book
    for ws, t in zip(wb.worksheets, ts, strict=True):
        assert ws["A1"].value == t.title and ws["A1"].font.bold
        assert ws["A2"].value.startswith(("Money in pounds (£)", "Text."))
        assert all(c.font.bold for c in ws[3] if c.value)
        assert [c.value for c in ws[3]][1:] == [str(c) for c in t.table.columns]
        assert ws.freeze_panes == "B4"


def test_money_stays_numbers_in_full_pounds_with_a_pound_format(book):
    ts, wb = book
    ws = wb["Yearly cash flows"]
    t = next(t for t in ts if t.title == "Yearly cash flows")
    first = t.table.iloc[0, 0]
    assert ws["B4"].value == pytest.approx(float(first))
    assert ws["B4"].number_format == GBP_FORMAT


def test_sheet_names_are_shortened_at_words_and_kept_unique():
    taken: set[str] = set()
    # 39 characters: "Net present value" shortened to NPV (the title row spells it out)
    long = "Net present value by council and option"
    assert sheet_name(long, taken) == "NPV by council and option"
    # 44 characters, cut after whole words, without a dangling "of"
    assert sheet_name("Savings by category of spend, each service of", taken) == (
        "Savings by category of spend"
    )
    first = sheet_name("Risk register", taken)
    second = sheet_name("Risk register", taken)
    assert (first, second) == ("Risk register", "Risk register (2)")
    assert sheet_name("a/b: c?", set()) == "a b c"


def test_text_cells_that_look_like_formulas_stay_text(tmp_path):
    frame = pd.DataFrame({"Name": ["=1+2", "@SUM(A1)"], "£": [-5.0, 7.0]})
    t = ReportTable(key="t", title="T", table=frame, text_columns=("Name",))
    ws = openpyxl.load_workbook(write_excel([t], tmp_path / "t.xlsx"))["T"]
    assert (ws["B4"].value, ws["B4"].data_type) == ("=1+2", "s")
    assert (ws["C4"].value, ws["C4"].data_type) == (-5.0, "n")


def test_the_monitoring_sheet_has_a_title_units_and_frozen_bold_headers(tmp_path):
    actuals = load_actuals(SCENARIOS / "actuals_2010_11.yaml")
    path = write_monitoring_excel(actuals, variance_table(actuals), tmp_path / "m.xlsx")
    ws = openpyxl.load_workbook(path)["Monitoring"]
    assert ws["A1"].value.startswith("Financial Summary") and ws["A1"].font.bold
    assert "pounds" in ws["A2"].value
    assert ws["A3"].value == "Service" and ws["A3"].font.bold
    assert ws.freeze_panes == "B4"
