"""What-ifs: an option with a few assumptions changed, and saving one as an option.

The figures of an unchanged what-if come from a real ``results.json``, written by
``sharedcase run`` (models.run.runner.run_cases) on the default case; changed
ones are checked against the arithmetic of optimism bias and against the same
option saved into a copy of the case file and run again.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil

import pytest
import yaml
from click.testing import CliRunner

import models
from models.cli import main
from models.engine.loading import load_case
from models.engine.projection import run_option
from models.run.runner import run_cases
from tests.conftest import DEFAULT_CASE

LOWER_SAVINGS = {
    "settings.optimism_bias.savings": 0.15,
    "services.revenues_benefits.go_live": dt.date(2013, 10, 1),
}
"""A what-if of the staged approach: optimism bias on savings at 15% rather than
5%, and revenues and benefits live six months later than the option has it."""


@pytest.fixture(scope="module")
def results(tmp_path_factory) -> dict:
    """The default case's results.json, from a real run (no notebooks)."""
    out = tmp_path_factory.mktemp("runs")
    assert run_cases([DEFAULT_CASE], out_root=out, notebooks=False) == 0
    latest = out / "bromsgrove_redditch_2011" / "latest"
    return json.loads((latest / "results.json").read_text())


@pytest.fixture(scope="module")
def default_case():
    return load_case(DEFAULT_CASE)


@pytest.fixture
def case_copy(tmp_path, default_case):
    """A copy of the default case file and every file it names, in tmp_path."""
    for path in [DEFAULT_CASE, *default_case.input_files()]:
        shutil.copy(path, tmp_path / path.name)
    return tmp_path / DEFAULT_CASE.name


def _within_a_pound(got: dict, expected: dict) -> None:
    """The headline figures of results.json, to the pound."""
    assert got["npv"] == pytest.approx(expected["npv"], abs=1)
    assert got["npv_economic"] == pytest.approx(expected["npv_economic"], abs=1)
    assert got["payback_year"] == expected["payback_year"]
    assert got["target_window_savings"] == pytest.approx(
        expected["target_window_savings"], abs=1
    )
    assert got["net_savings_by_year"] == pytest.approx(
        expected["net_savings_by_year"], abs=1
    )
    assert got["councils"].keys() == expected["councils"].keys()
    for council, figures in expected["councils"].items():
        assert got["councils"][council]["npv"] == pytest.approx(figures["npv"], abs=1)
        assert got["councils"][council]["net_savings_by_year"] == pytest.approx(
            figures["net_savings_by_year"], abs=1
        )


def test_a_what_if_that_changes_nothing_gives_every_option_its_results_json_figures(
    results, default_case
):
    assert list(results["options"]) == list(default_case.options)
    for option, expected in results["options"].items():
        _within_a_pound(models.WhatIf(default_case, option).evaluate({}), expected)


def test_the_baseline_what_if_is_the_single_business_case_which_overrides_nothing(
    results,
):
    baseline = models.WhatIf.from_file(DEFAULT_CASE).evaluate({})
    _within_a_pound(baseline, results["options"]["single_business_case"])


def test_ten_more_points_of_optimism_bias_on_savings_cost_10_95ths_of_their_value(
    default_case,
):
    # savings are cut by the bias: at 5% they stand at 95% of plan, so raising it
    # to 15% takes away 10/95 of their present value, and nothing else moves
    # (pay harmonisation, a cost that reduces the Savings line, takes no bias)
    what_if = models.WhatIf(default_case, "single_business_case")
    at_5 = what_if.evaluate({})
    at_15 = what_if.evaluate({"settings.optimism_bias.savings": 0.15})
    long = what_if.run({}).long
    everything = long[(long["service"] == "All") & (long["council"] == "All")]
    savings = (
        everything[everything["line_item"] == "Savings"]["value"].to_numpy()
        - everything[everything["line_item"] == "Savings|Pay harmonisation"][
            "value"
        ].to_numpy()
    )
    discount = everything[everything["line_item"] == "Discount factor"]["value"]
    savings_present_value = float(savings @ discount.to_numpy())
    assert at_15["npv"] < at_5["npv"]
    assert at_5["npv"] - at_15["npv"] == pytest.approx(
        savings_present_value * 10 / 95, abs=1
    )


def test_a_wildcard_path_turns_every_service_off_as_the_status_quo_does(
    results, default_case
):
    what_if = models.WhatIf(default_case, "single_business_case")
    nothing_shared = what_if.evaluate({"services.*.enabled": False})
    _within_a_pound(nothing_shared, results["options"]["status_quo"])


def test_a_misspelt_path_is_refused_naming_it(default_case):
    what_if = models.WhatIf(default_case, "staged_approach")
    with pytest.raises(models.InputError) as raised:
        what_if.evaluate({"services.hr_odd.go_live": dt.date(2012, 4, 1)})
    message = str(raised.value)
    assert "services.hr_odd.go_live" in message
    assert "did you mean 'services.hr_od'?" in message


def test_an_option_the_case_does_not_have_is_refused_naming_its_options(
    default_case,
):
    with pytest.raises(models.InputError, match="status_quo, staged_approach"):
        models.WhatIf(default_case, "single_busines_case")


def test_a_savings_bias_above_one_is_refused_naming_its_path(default_case):
    what_if = models.WhatIf(default_case)
    with pytest.raises(models.InputError, match=r"settings\.optimism_bias\.savings"):
        what_if.evaluate({"settings.optimism_bias.savings": 2})


def test_a_bad_what_if_gets_the_message_a_case_file_gets(tmp_path, small_case_dict):
    path = tmp_path / "small.yaml"
    path.write_text(yaml.safe_dump(small_case_dict, sort_keys=False))
    bad = {"services.payrol.go_live": "2012-01-01"}
    with pytest.raises(models.InputError) as what_if:
        models.WhatIf.from_file(path).evaluate(bad)
    small_case_dict["options"]["what_if"] = {
        "title": "What if",
        "description": "x",
        "overrides": bad,
    }
    path.write_text(yaml.safe_dump(small_case_dict, sort_keys=False))
    with pytest.raises(models.InputError) as case_file:
        load_case(path)
    assert str(what_if.value) == str(case_file.value)
    assert "options.what_if.overrides.services.payrol.go_live" in str(what_if.value)


def test_a_saved_what_if_keeps_every_line_and_comment_of_the_case_file(case_copy):
    before = case_copy.read_text()
    models.WhatIf.from_file(case_copy, "staged_approach").save_option(
        "staged_lower_savings",
        "Staged approach, savings 15% short",
        "The staged approach with optimism bias of 15% on savings and revenues "
        "and benefits live in October 2013.",
        LOWER_SAVINGS,
    )
    after = case_copy.read_text()
    remaining = iter(after.splitlines())
    assert all(any(new == old for new in remaining) for old in before.splitlines())

    def comments(text: str) -> set[str]:
        return {line for line in text.splitlines() if line.lstrip().startswith("#")}

    assert comments(after) == comments(before)
    # the block of comments about the uncertainty section still stands above it
    lines = after.splitlines()
    above = lines[lines.index("uncertainty:") - 1]
    assert above == "# labelled an illustrative assumption."


def test_a_saved_what_if_validates_and_runs_to_the_npv_it_was_saved_with(case_copy):
    what_if = models.WhatIf.from_file(case_copy, "staged_approach")
    expected = what_if.evaluate(LOWER_SAVINGS)
    what_if.save_option(
        "staged_lower_savings", "Staged, savings short", "As the title.", LOWER_SAVINGS
    )
    result = CliRunner().invoke(main, ["validate", str(case_copy)])
    assert result.exit_code == 0, result.output
    saved = run_option(load_case(case_copy), "staged_lower_savings")
    assert saved.summary.npv == pytest.approx(expected["npv"], abs=1)
    assert saved.summary.payback_year == expected["payback_year"]
    for council, summary in saved.councils.items():
        assert summary.npv == pytest.approx(expected["councils"][council]["npv"], abs=1)
    option = yaml.safe_load(case_copy.read_text())["options"]["staged_lower_savings"]
    assert option["title"] == "Staged, savings short"
    assert option["description"] == "As the title."
    # the option's own overrides, then the what-if's, which win where both set one
    assert list(option["overrides"])[-2:] == list(LOWER_SAVINGS)
    assert option["overrides"]["services.revenues_benefits.go_live"] == dt.date(
        2013, 10, 1
    )


def test_saving_under_the_name_of_an_existing_option_is_refused_and_writes_nothing(
    case_copy,
):
    before = case_copy.read_bytes()
    files = sorted(case_copy.parent.iterdir())
    what_if = models.WhatIf.from_file(case_copy)
    with pytest.raises(models.InputError, match=r"options\.staged_approach"):
        what_if.save_option("staged_approach", "Again", "Again.", LOWER_SAVINGS)
    assert case_copy.read_bytes() == before
    assert sorted(case_copy.parent.iterdir()) == files


@pytest.mark.parametrize("name", ["../elsewhere", "results", ""])
def test_a_name_that_cannot_name_its_report_files_is_refused_and_writes_nothing(
    case_copy, name
):
    before = case_copy.read_bytes()
    files = sorted(case_copy.parent.iterdir())
    with pytest.raises(models.InputError, match="options"):
        models.WhatIf.from_file(case_copy).save_option(name, "T", "D.", {})
    assert case_copy.read_bytes() == before
    assert sorted(case_copy.parent.iterdir()) == files


def test_a_what_if_with_a_bad_value_is_not_saved(case_copy):
    before = case_copy.read_bytes()
    what_if = models.WhatIf.from_file(case_copy)
    with pytest.raises(models.InputError, match=r"services\.hr_od\.go_live"):
        what_if.save_option(
            "late", "Late", "Too late.", {"services.hr_od.go_live": "2031-01-01"}
        )
    assert case_copy.read_bytes() == before
