"""The answer-first summary, the assumptions register and the tables of issue 14,
worked by hand on the small case of tests/conftest.py and on the seed figures."""

from __future__ import annotations

import copy

import pytest
import yaml

from models.engine.cases import case_from_dict
from models.engine.monitoring import load_actuals
from models.engine.projection import run_option
from models.model.monitoring import variance_table
from models.report import assumptions as register
from models.report import summary, tables
from models.report.monitoring import status_lights_table
from tests.conftest import DEFAULT_CASE, SMALL_CASE


@pytest.fixture
def small():
    return case_from_dict(copy.deepcopy(SMALL_CASE))


def test_an_options_sentence_is_written_from_its_results(small):
    # savings: 3/12 x 120,000 = 30,000 in 2011/12, then 120,000 a year;
    # one-off: 50,000 set-up + 40,000 + 20,000 severance = 110,000 in 2011/12;
    # net: -80,000, 120,000, 120,000; NPV at 10% = -80,000 + 120,000/1.1
    # + 120,000/1.21 = 128,264 -> £128k; cumulative -80k, +40k: pays back 2012/13;
    # Council A pays 60% of 110,000 = 66,000
    result = run_option(small, "share_payroll")
    assert summary.option_sentence(result, small, "share_payroll") == (
        "Share payroll: worth £128k over the three years from 2011/12 in today's "
        "money, pays back in 2012/13, £110k of one-off costs, of which Council A "
        "pays £66k."
    )


def test_each_councils_share_is_a_sentence(small):
    # Council A: 60% of savings 30,000 + 120,000 + 120,000 = 162,000; of one-off
    # costs 66,000; net 96,000
    first = summary.council_sentences(run_option(small, "share_payroll"), small)[0]
    assert first.startswith(
        "Council A pays £66k of one-off costs and saves £162k over the period: "
        "a net saving of £96k"
    )


def test_an_option_that_changes_nothing_says_so(small):
    result = run_option(small, "status_quo")
    assert summary.option_sentence(result, small, "status_quo") == (
        "Status quo: no savings and no one-off costs over the three years from "
        "2011/12; the other options are measured against it."
    )


def test_without_a_declared_recommendation_the_best_npv_is_named(small):
    results = {o: run_option(small, o) for o in small.options}
    text = summary.recommendation_sentence(results, small)
    assert "declares no recommendation" in text
    assert "Share payroll has the highest net present value, £128k" in text


def test_a_declared_recommendation_is_given_with_its_reason_and_source():
    raw = copy.deepcopy(SMALL_CASE)
    raw["recommendation"] = {
        "option": "status_quo",
        "reason": "the payroll contract runs to 2015",
        "source": "board minute 12",
    }
    case = case_from_dict(raw)
    results = {o: run_option(case, o) for o in case.options}
    text = summary.recommendation_sentence(results, case)
    assert text.startswith(
        "The case recommends Status quo: the payroll contract runs to 2015 "
        "(source: board minute 12)."
    )
    # the reader is told that another option is worth more
    assert "Share payroll has the higher net present value, £128k" in text


def test_the_target_clause_says_by_how_much_an_option_falls_short():
    raw = copy.deepcopy(SMALL_CASE)
    raw["settings"]["target_window"] = {
        "first_year": "2011/12",
        "last_year": "2012/13",
        "target": 200000,
    }
    case = case_from_dict(raw)
    # savings 2011/12 to 2012/13: 30,000 + 120,000 = 150,000; short by 50,000
    clause = summary.target_clause(run_option(case, "share_payroll"), case)
    assert (
        clause == "falls £50k short of the £200k savings target for 2011/12 to 2012/13"
    )


def test_the_summary_is_one_section_with_escaped_sentences(small):
    raw = copy.deepcopy(SMALL_CASE)
    raw["options"]["share_payroll"]["title"] = "<b>Payroll</b>"
    case = case_from_dict(raw)
    html = summary.option_summary(
        run_option(case, "share_payroll"), case, "share_payroll"
    )
    assert html.startswith('<section id="summary"')
    assert html.count("<section") == 1
    assert "&lt;b&gt;Payroll&lt;/b&gt;" in html and "<b>" not in html


def test_the_monitoring_summary_gives_the_seed_position_and_the_lights():
    # seed 000 Appendix A: budget to date £1,106k, actual £1,179k, variance £73k
    # (73 / 1,106 = 6.6%) above budget
    actuals = load_actuals(DEFAULT_CASE.parent / "actuals_2010_11.yaml")
    table = variance_table(actuals)
    html = summary.monitoring_summary(table, "2010/11", "Shared services 2010/11")
    assert "£1.2m achieved against a budget to date of £1.1m, £73k (6.6%) above" in html
    rows = table[table["level"] == "row"]
    assert f"Of its {len(rows)} lines" in html


def test_status_lights_are_words_in_coloured_cells_without_raw_values():
    actuals = load_actuals(DEFAULT_CASE.parent / "actuals_2010_11.yaml")
    shown = status_lights_table(variance_table(actuals))
    html = shown.to_html()
    # Single Management Team: actual 478 against budget 460: +3.9%
    assert shown.display().loc["Single Management Team"].tolist()[:2] == [
        "3.9%",
        "Green",
    ]
    assert "background:#c8e6c9" in html
    for raw in ("None", "False", "True", "nan", "line_id", "0.039"):
        assert raw not in html


def test_the_register_lists_each_input_with_its_source_and_marks_illustrative():
    raw = copy.deepcopy(SMALL_CASE)
    raw["services"]["payroll"]["savings"]["staff"] = {
        "value": 120000,
        "unit": "GBP/year",
        "source": "illustrative assumption",
    }
    raw["services"]["payroll"]["baseline_cost"]["a"] = {
        "value": 200000,
        "unit": "GBP/year",
        "source": "budget book 2011/12 p.4",
    }
    case = case_from_dict(raw)
    rows = register.assumptions(case, "share_payroll")
    by_label = {(r.group, r.label): r for r in rows}
    saving = by_label[("Payroll", "Full-year saving: staff")]
    assert (saving.value, saving.is_illustrative) == ("£120,000 a year", True)
    cost = by_label[("Payroll", "Today's annual cost, Council A")]
    assert (cost.source, cost.is_illustrative) == ("budget book 2011/12 p.4", False)
    assert register.illustrative_count(rows) == 1
    banner = register.illustrative_banner(rows)
    assert "1 illustrative figure " in banner and "not for decision until" in banner
    # the status quo switches payroll off: none of its figures is used
    assert not [
        r for r in register.assumptions(case, "status_quo") if r.group == "Payroll"
    ]


def test_a_case_without_illustrative_figures_has_no_banner(small):
    assert register.illustrative_banner(register.assumptions(small)) == ""


def test_what_is_shared_gives_todays_cost_the_saving_and_its_share(small):
    # Council A: 60% of 120,000 = 72,000 against 200,000 today = 36.0%;
    # Council B: 48,000 against 100,000 = 48.0%; all: 120,000 / 300,000 = 40.0%
    shown = tables.what_is_shared(run_option(small, "share_payroll"), small).display()
    assert shown.loc["Payroll: Council A"].tolist()[:3] == ["£200k", "£72k", "36.0%"]
    assert shown.loc["Payroll: Council B"].tolist()[:3] == ["£100k", "£48k", "48.0%"]
    assert shown.loc["All services"].tolist()[:3] == ["£300k", "£120k", "40.0%"]


def test_an_option_without_a_title_is_refused_naming_it():
    from models.core.errors import InputErrors

    raw = copy.deepcopy(SMALL_CASE)
    del raw["options"]["share_payroll"]["title"]
    with pytest.raises(InputErrors) as info:
        case_from_dict(raw)
    assert "options.share_payroll.title" in str(info.value)
    assert "a title for option 'share_payroll'" in str(info.value)


def test_a_new_case_from_init_has_titles_a_target_and_a_plain_summary(tmp_path):
    from models.inputs.templates import new_case_text
    from models.report.notebook import ComparisonReport

    path = tmp_path / "my_case.yaml"
    path.write_text(new_case_text("my_case"))
    report = ComparisonReport(path, run_date="2026-12-01")
    assert [o.title for o in report.case.options.values()] == [
        "Status quo",
        "Shared payroll",
    ]
    text = report.header() + report.summary()
    # the template's target is £50,000 over 2026/27 to 2028/29, not nil
    assert "the £50k savings target for 2026/27 to 2028/29" in text
    assert "my_case" not in text
    assert "declares no recommendation" in text


def test_the_bridge_runs_to_the_declared_recommendation(tmp_path):
    from models.report.notebook import ComparisonReport

    raw = copy.deepcopy(SMALL_CASE)
    raw["options"]["bigger"] = {
        "title": "Bigger saving",
        "description": "Payroll saves £180k a year.",
        "overrides": {"services.payroll.savings.staff": 180000},
    }
    raw["recommendation"] = {"option": "share_payroll", "reason": "it is agreed"}
    case_file = tmp_path / "small.yaml"
    case_file.write_text(yaml.safe_dump(raw))
    report = ComparisonReport(case_file)
    # from the status quo to the recommended option, not the highest NPV (bigger)
    assert report.bridge_options() == ("status_quo", "share_payroll")
    assert "The option the case recommends, Share payroll" in report.npv_bridge()
