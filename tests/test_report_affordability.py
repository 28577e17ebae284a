"""The "Financial implications for <council>" section (issue 15 item 6).

The tables come from the same figures as results.json; the shortfall is shown
in red *and* with the word; the colour passes WCAG AA contrast on white; the
tables foot and go to Excel with the others.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from models.engine.cases import case_from_dict
from models.engine.loading import load_case
from models.engine.projection import run_option
from models.engine.results import option_json
from models.report.affordability import (
    comparison_affordability_tables,
    comparison_financial_implications_html,
    option_affordability_tables,
    option_financial_implications_html,
)
from models.report.export import report_css
from tests.conftest import DEFAULT_CASE


@pytest.fixture(scope="module")
def default_case():
    return load_case(DEFAULT_CASE)


@pytest.fixture(scope="module")
def single(default_case):
    return run_option(default_case, "single_business_case")


def _short_case(small_case_dict):
    # council a funds everything from a reserve of 50,000 and nothing else: its
    # 60% of the 110,000 of 2011/12 (66,000) leaves 16,000 short
    small_case_dict["councils"]["a"].update(
        reserves={
            "transformation": {
                "opening_balance": 50_000,
                "at": "2011/12",
                "source": "test",
            }
        },
        funding_order={
            "set_up": ["transformation"],
            "redundancy_pay": ["transformation"],
            "pension_strain": ["transformation"],
        },
    )
    return case_from_dict(small_case_dict)


def test_each_council_has_its_financial_implications_section(default_case, single):
    page = option_financial_implications_html(single, default_case)
    for council in default_case.councils.values():
        assert f"Financial implications for {council.name}" in page
    assert "Reserve: shared services implementation" in page
    assert "Budget gap" in page and "Capital costs" in page
    assert "No funding shortfall" in page
    assert 'class="shortfall"' not in page


def test_a_shortfall_is_shown_in_red_and_with_the_word(small_case_dict):
    case = _short_case(small_case_dict)
    result = run_option(case, "share_payroll")
    page = option_financial_implications_html(result, case)
    assert (
        '<p class="shortfall"><strong>Funding shortfall:</strong> £16k in 2011/12'
        in page
    )
    assert '<tr class="shortfall"><th scope="row">Funding shortfall</th>' in page
    comparison = comparison_financial_implications_html({"share_payroll": result}, case)
    # the option by its title (tests/conftest.py SMALL_CASE), not its key
    assert "<strong>Funding shortfall</strong> under Share payroll." in comparison


def test_the_shortfall_colour_passes_wcag_aa_contrast_on_white():
    rule = re.search(r"\.shortfall,[^{]*\{([^}]*)\}", report_css())
    assert rule, "report.css has no .shortfall rule"
    colour = re.search(r"color:\s*#([0-9a-fA-F]{6})", rule.group(1)).group(1)

    def luminance(hex_colour: str) -> float:
        # WCAG 2.1 relative luminance of an sRGB colour
        channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (0, 2, 4)]
        linear = [
            c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
            for c in channels
        ]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    contrast = (1.0 + 0.05) / (luminance(colour) + 0.05)
    assert contrast >= 4.5


def test_the_funding_table_shows_the_figures_of_results_json(default_case, single):
    entry = option_json(single)["councils"]["bdc"]["affordability"]
    tables = {t.key: t for t in option_affordability_tables(single, default_case)}
    funding = tables["affordability-single_business_case-bdc-funding"].table
    reserve = entry["funded_by_source_by_year"]["shared_services_implementation"]
    assert funding.loc["Reserve: shared services implementation", "2011/12"] == (
        pytest.approx(reserve["2011/12"])
    )
    assert funding.loc["One-off costs", "Total"] == pytest.approx(
        sum(entry["one_off_costs_by_year"].values())
    )
    gap = tables["affordability-single_business_case-bdc-gap"].table
    assert gap.loc["Closed by the savings", "2012/13"] == pytest.approx(
        entry["gap_closed_by_year"]["2012/13"]
    )


def test_every_affordability_table_foots_when_rounded(default_case):
    results = {o: run_option(default_case, o) for o in default_case.options}
    tables = [
        t
        for r in results.values()
        for t in option_affordability_tables(r, default_case)
    ] + comparison_affordability_tables(results, default_case)
    assert tables
    for t in tables:
        shown = t.rounded()  # raises if a total is not the sum of its parts
        if t.row_total is not None:
            signs = np.array([t.signs.get(r, 1.0) for r in shown.index])
            parts = shown.index != t.row_total
            money = shown[t.money_columns].to_numpy()
            np.testing.assert_allclose(
                (money[parts] * signs[parts, None]).sum(axis=0),
                money[~parts][0],
                atol=1e-9,
                err_msg=t.key,
            )


def test_the_option_and_comparison_excel_tables_include_them(tmp_path):
    from models.report.notebook import ComparisonReport, OptionReport

    option = OptionReport(DEFAULT_CASE, "single_business_case")
    keys = [t.key for t in option.tables()]
    assert "affordability-single_business_case-rbc-funding" in keys
    comparison = ComparisonReport(DEFAULT_CASE)
    assert "affordability-comparison-bdc" in [t.key for t in comparison.tables()]
    path = Path(tmp_path) / "option.xlsx"
    option.write_excel(path)
    import openpyxl

    sheets = openpyxl.load_workbook(path).sheetnames
    assert any(s.startswith("Funding Bromsgrove") for s in sheets)
