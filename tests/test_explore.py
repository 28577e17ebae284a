"""The what-if explorer: controls become overrides, figures follow, the bridge adds up.

Also the comparison report's bridge from the status quo to the recommended option.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import shutil

import nbformat
import papermill as pm
import pytest

from models.core.errors import InputError
from models.core.money import money_k
from models.engine.loading import load_case
from models.engine.projection import run_option
from models.report.explore import Explorer, months_later
from models.report.notebook import ComparisonReport
from tests.conftest import DEFAULT_CASE, ROOT
from tests.report_support import default_run

NOTEBOOK = ROOT / "notebooks" / "explore.ipynb"
OPTION = "single_business_case"


@pytest.fixture(scope="module")
def explorer() -> Explorer:
    return Explorer.from_file(DEFAULT_CASE, OPTION)


@pytest.fixture
def fresh_explorer(explorer) -> Explorer:
    """The module's explorer, put back at its starting option after the test."""
    yield explorer
    explorer.move({})


def _outputs(path) -> str:
    nb = nbformat.read(path, as_version=4)
    return "".join(
        str(o.get("data", {}).get(kind, ""))
        for c in nb.cells
        if c.cell_type == "code"
        for o in c.outputs
        for kind in ("text/html", "text/plain")
    )


# --- the notebook --------------------------------------------------------------


def test_the_explore_notebook_run_headless_shows_the_starting_options_npv(tmp_path):
    out = tmp_path / "explore.ipynb"
    pm.execute_notebook(
        str(NOTEBOOK),
        str(out),
        cwd=str(ROOT / "notebooks"),  # as in JupyterLab
        kernel_name="python3",
        progress_bar=False,
    )
    shown = _outputs(out)
    npv = Explorer.from_file(DEFAULT_CASE, OPTION).start_figures["npv"]
    assert money_k(npv) in shown
    assert "Single business case" in shown
    assert "data:image/svg+xml;base64," in shown
    assert "Bromsgrove District Council" in shown


def test_the_explore_notebook_has_one_parameters_cell_and_one_thin_code_cell():
    cells = nbformat.read(NOTEBOOK, as_version=4).cells
    tagged = [c for c in cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1
    assert 'case_path = "scenarios/bromsgrove_redditch_2011.yaml"' in tagged[0].source
    assert 'option = "single_business_case"' in tagged[0].source
    code = [c for c in cells if c.cell_type == "code" and c not in tagged]
    assert len(code) == 1
    lines = [line for line in code[0].source.splitlines() if line.strip()]
    assert lines == [
        "from models.report.explore import Explorer",
        "Explorer.from_file(case_path, option).show()",
    ]


# --- controls to overrides -----------------------------------------------------


def test_moving_the_savings_optimism_bias_to_a_fifth_overrides_that_path_alone(
    explorer,
):
    assert explorer.overrides_for({"settings.optimism_bias.savings": 0.2}) == {
        "settings.optimism_bias.savings": 0.2
    }


def test_every_control_at_its_starting_value_makes_no_override(explorer):
    starts = {key: control.start for key, control in explorer.controls.items()}
    assert explorer.overrides_for(starts) == {}


def test_a_higher_optimism_bias_on_savings_lowers_the_npv(fresh_explorer):
    planned = fresh_explorer.start_figures["npv"]
    cautious = fresh_explorer.move({"settings.optimism_bias.savings": 0.2})
    assert cautious["npv"] < planned
    assert fresh_explorer.overrides == {"settings.optimism_bias.savings": 0.2}


def test_savings_at_eighty_percent_scale_each_saving_of_that_service(explorer):
    hr = explorer.start.option_case.services["hr_od"]
    overrides = explorer.overrides_for({"services.hr_od.savings": 0.8})
    assert overrides == {
        "services.hr_od.savings.staff": round(hr.savings.staff.value * 0.8, 2)
    }


def test_the_savings_achieved_factor_of_the_case_scales_every_shared_service(
    explorer,
):
    overrides = explorer.overrides_for({"uncertainty.savings_achieved": 0.9})
    for key, service in explorer.start.option_case.services.items():
        for category in ("staff", "contracts", "accommodation", "ict", "other"):
            value = getattr(service.savings, category).value
            path = f"services.{key}.savings.{category}"
            assert overrides.get(path, 0.0) == pytest.approx(value * 0.9)


def test_a_go_live_delay_of_two_months_moves_every_go_live_by_two_months(explorer):
    overrides = explorer.overrides_for({"uncertainty.go_live_delay_months": 2})
    services = explorer.start.option_case.services
    assert {
        path.split(".")[1]: value
        for path, value in overrides.items()
        if path.endswith(".go_live")
    } == {key: months_later(s.go_live, 2) for key, s in services.items()}


def test_a_go_live_date_and_a_sharing_basis_are_written_as_an_option_writes_them(
    explorer,
):
    overrides = explorer.overrides_for(
        {
            "services.leisure.go_live": dt.date(2012, 4, 1),
            "services.revenues_benefits.basis": "equal",
        }
    )
    assert overrides == {
        "services.leisure.go_live": dt.date(2012, 4, 1),
        "services.revenues_benefits.basis": "equal",
    }


def test_set_up_costs_at_one_and_a_half_times_rewrite_the_services_list_of_items(
    explorer,
):
    items = explorer.start.option_case.services["leisure"].set_up_costs
    overrides = explorer.overrides_for({"services.leisure.set_up_costs": 1.5})
    written = overrides["services.leisure.set_up_costs"]
    assert [i["amount"]["value"] for i in written] == [
        round(i.amount.value * 1.5, 2) for i in items
    ]
    assert [i["category"] for i in written] == [i.category for i in items]


def test_a_control_the_explorer_does_not_have_is_refused_naming_it(explorer):
    with pytest.raises(InputError, match="'settings.optimism_bias.saving'"):
        explorer.overrides_for({"settings.optimism_bias.saving": 0.2})


def test_the_uncertain_assumptions_take_their_ranges_from_the_case(explorer):
    declared = explorer.start.option_case.uncertainty.parameters
    for name in ("savings_achieved", "set_up_costs", "severance"):
        control = explorer.controls[f"uncertainty.{name}"]
        assert (control.low, control.high) == (
            min(declared[name].min, 1.0),
            max(declared[name].max, 1.0),
        )
        assert control.start == 1.0
        assert declared[name].source in control.note


def test_services_and_councils_are_named_by_their_names(explorer):
    sections = {c.section for c in explorer.controls.values() if c.section}
    assert "Revenues and benefits" in sections and "revenues_benefits" not in sections
    labels = [c.label for c in explorer.controls.values()]
    assert any(label.startswith("Bromsgrove District Council") for label in labels)


def test_a_what_if_the_case_would_refuse_is_an_input_error_and_keeps_the_figures(
    fresh_explorer,
):
    before = fresh_explorer.figures
    with pytest.raises(InputError, match="horizon"):
        fresh_explorer.move({"services.hr_od.go_live": dt.date(2040, 4, 1)})
    assert fresh_explorer.figures is before


# --- the bridge ----------------------------------------------------------------

MOVES = {
    "services.hr_od.savings": 0.8,
    "services.leisure.set_up_costs": 1.5,
    "uncertainty.go_live_delay_months": 2,
    "severance_policies.bdc.multiplier": 2.0,
    "services.revenues_benefits.basis": "equal",
    "settings.optimism_bias.costs": 0.2,
}


def test_the_bridge_steps_add_up_to_the_change_in_npv_in_all_and_by_council(
    fresh_explorer,
):
    figures = fresh_explorer.move(MOVES)
    result = fresh_explorer.bridge()
    change = figures["npv"] - fresh_explorer.start_figures["npv"]
    assert result.total_change == pytest.approx(change)
    assert math.fsum(s.npv_change for s in result.steps) == pytest.approx(
        change, abs=1e-6
    )
    for council in result.councils:
        by_council = math.fsum(s.councils[council] for s in result.steps)
        assert by_council == pytest.approx(
            figures["councils"][council]["npv"]
            - fresh_explorer.start_figures["councils"][council]["npv"],
            abs=1e-6,
        )


def test_the_bridge_takes_the_moved_assumptions_in_the_order_of_the_overrides(
    fresh_explorer,
):
    fresh_explorer.move(MOVES)
    paths = [s.path for s in fresh_explorer.bridge().steps]
    assert paths == list(fresh_explorer.overrides)


def test_with_nothing_moved_the_bridge_says_so(fresh_explorer):
    assert "No assumption has moved" in fresh_explorer.bridge_html()


# --- the widgets and saving ----------------------------------------------------


def test_the_widgets_start_at_the_starting_option_and_follow_a_moved_slider():
    explorer = Explorer.from_file(DEFAULT_CASE, OPTION)
    view = explorer.view
    assert explorer.overrides == {}
    start_npv = money_k(explorer.start_figures["npv"])
    assert start_npv in view.figures.value
    view.inputs["settings.optimism_bias.savings"].value = 30  # per cent
    assert explorer.overrides == {"settings.optimism_bias.savings": 0.3}
    assert money_k(explorer.figures["npv"]) in view.figures.value
    assert explorer.figures["npv"] < explorer.start_figures["npv"]
    view.outputs.selected_index = view.BRIDGE_TAB
    assert "Settings: optimism bias savings" in view.bridge.value
    view.reset_button.click()
    assert explorer.overrides == {}
    assert view.inputs["settings.optimism_bias.savings"].value == pytest.approx(
        100 * explorer.controls["settings.optimism_bias.savings"].start
    )


@pytest.fixture
def case_copy(tmp_path):
    """A copy of the default case file and every file it names, in tmp_path."""
    for path in DEFAULT_CASE.parent.iterdir():
        if path.is_file():
            shutil.copy(path, tmp_path / path.name)
    return tmp_path / DEFAULT_CASE.name


def test_a_what_if_saved_from_the_explorer_runs_to_the_npv_it_showed(case_copy):
    explorer = Explorer.from_file(case_copy, "staged_approach")
    shown = explorer.move(MOVES)["npv"]
    explorer.save_option("explored", "Explored", "Moved in the explorer.")
    assert run_option(load_case(case_copy), "explored").summary.npv == pytest.approx(
        shown, abs=0.01
    )


def test_saving_under_a_name_the_case_has_is_refused_from_the_form(case_copy):
    explorer = Explorer.from_file(case_copy, OPTION)
    view = explorer.view
    before = case_copy.read_bytes()
    view.name.value = "status_quo"
    view.save_button.click()
    assert "Not saved" in view.saved.value and "status_quo" in view.saved.value
    assert case_copy.read_bytes() == before


# --- the comparison report's bridge --------------------------------------------


@pytest.fixture(scope="module")
def comparison() -> ComparisonReport:
    return ComparisonReport(DEFAULT_CASE)


def test_the_comparison_bridges_from_the_status_quo_to_the_highest_npv(comparison):
    best = max(comparison.results, key=lambda o: comparison.results[o].summary.npv)
    assert comparison.bridge_options() == ("status_quo", best)


def test_the_comparison_bridge_has_a_captioned_table_and_a_described_chart(
    comparison,
):
    shown = comparison.npv_bridge()
    assert "<caption>NPV bridge from Status quo to Single business case</caption>" in (
        shown
    )
    assert '<th scope="col">Step</th>' in shown
    alts = re.findall(r'<img [^>]*alt="([^"]+)"', shown)
    assert len(alts) == 1 and alts[0].startswith("Waterfall chart")
    assert "Revenues and benefits" in shown  # services by name


def test_the_batch_comparison_html_holds_the_bridge(tmp_path_factory):
    status, folder = default_run(tmp_path_factory.getbasetemp())
    text = (folder / "comparison.html").read_text(encoding="utf-8")
    assert "From the status quo to the recommended option" in text
    assert 'data-table="npv-bridge"' in text
