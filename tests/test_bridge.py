"""The NPV bridge (``sharedcase diff``): which inputs differ, and how much of the
change in NPV each makes, one at a time (sequential attribution)."""

from __future__ import annotations

import copy
import json
import shutil
from pathlib import Path

import openpyxl
import pytest
import yaml
from click.testing import CliRunner

from models.cli import main
from models.engine.bridge import (
    ORDER,
    option_bridge,
    option_figures,
    option_state,
    state_figures,
)
from models.engine.cases import case_from_dict
from models.engine.loading import load_case
from models.run.runner import run_cases
from tests.conftest import DEFAULT_CASE, SMALL_CASE


def _diff(*args: str):
    return CliRunner().invoke(main, ["diff", *args])


def _write_case(folder: Path, case: dict, name: str = "small.yaml") -> Path:
    path = folder / name
    path.write_text(yaml.safe_dump(case, sort_keys=False), encoding="utf-8")
    return path


def _bigger_and_sooner() -> dict:
    """The small case with two more options: a bigger saving, live sooner; and a
    later go-live that needs a longer horizon."""
    case = copy.deepcopy(SMALL_CASE)
    case["options"]["bigger_sooner"] = {
        "title": "Bigger and sooner",
        "description": "Payroll saves £180k a year, live from October 2011.",
        "overrides": {
            "services.payroll.savings.staff": 180000,
            "services.payroll.go_live": "2011-10-01",
        },
    }
    case["options"]["longer_later"] = {
        "title": "Longer and later",
        "description": "Payroll live from June 2014, over a four-year horizon.",
        "overrides": {
            "services.payroll.go_live": "2014-06-01",
            "settings.horizon_years": 4,
        },
    }
    return case


@pytest.fixture(scope="module")
def default_run(tmp_path_factory) -> dict:
    """results.json of a run of the default case (no notebooks)."""
    root = tmp_path_factory.mktemp("runs")
    assert run_cases([DEFAULT_CASE], out_root=root, notebooks=False) == 0
    run = root / "bromsgrove_redditch_2011" / "latest"
    return json.loads((run / "results.json").read_text())


def test_the_bridge_from_status_quo_to_the_single_business_case_adds_up_to_results_json(
    default_run,
):
    result = _diff(
        str(DEFAULT_CASE),
        "--from",
        "status_quo",
        "--to",
        "single_business_case",
        "--json",
    )
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    options = default_run["options"]
    assert doc["npv_from"] == options["status_quo"]["npv"]
    assert doc["npv_to"] == options["single_business_case"]["npv"]
    change = doc["npv_to"] - doc["npv_from"]
    assert sum(s["npv_change"] for s in doc["steps"]) == pytest.approx(change, abs=1)
    for council, bridge in doc["councils"].items():
        start = options["status_quo"]["councils"][council]["npv"]
        end = options["single_business_case"]["councils"][council]["npv"]
        assert bridge["npv_from"] == start and bridge["npv_to"] == end
        steps = sum(s["npv_change"] for s in bridge["steps"])
        assert steps == pytest.approx(end - start, abs=1)


def test_the_status_quo_bridge_enables_each_service_in_the_order_of_the_case_file():
    doc = json.loads(
        _diff(
            str(DEFAULT_CASE),
            "--from",
            "status_quo",
            "--to",
            "single_business_case",
            "--json",
        ).output
    )
    services = list(yaml.safe_load(DEFAULT_CASE.read_text())["services"])
    assert [s["path"] for s in doc["steps"]] == [
        f"services.{name}.enabled" for name in services
    ]
    assert all(s["from"] is False and s["to"] is True for s in doc["steps"])
    assert doc["order"] == ORDER


def test_a_state_rebuilt_from_an_options_inputs_has_the_npvs_of_the_option():
    case = load_case(DEFAULT_CASE)
    for option in ("staged_approach", "single_business_case"):
        state, _ = option_state(case, option)
        assert state_figures(state) == option_figures(case, option)


def test_a_hand_worked_bridge_gives_each_input_its_own_change(tmp_path):
    # The small case: councils a and b share payroll 60:40, 3 years from 2011/12,
    # discount 10% (factors 1, 1/1.1, 1/1.21), no optimism bias.  share_payroll
    # saves £120k a year live from January 2012 (3 of 12 months in 2011/12).
    # bigger_sooner overrides the saving to £180k, then the go-live to October
    # 2011 (6 of 12 months), in that order (the order of its overrides).
    #   NPV from = -80,000 + 120,000/1.1 + 120,000/1.21     = 128,264.46
    #     (2011/12: 0.25 x 120,000 - 50,000 ICT - 60,000 severance = -80,000)
    #   step 1, saving 120k -> 180k with go-live still January 2012:
    #     60,000 x (0.25 + 1/1.1 + 1/1.21) = 60,000 x 1.9855372 = 119,132.23
    #   step 2, go-live January -> October 2011 at £180k:
    #     180,000 x (0.50 - 0.25) in 2011/12 (undiscounted)    =  45,000.00
    #   NPV to = 128,264.46 + 119,132.23 + 45,000.00            = 292,396.69
    #   each council 60:40: a 71,479.34 + 27,000; b 47,652.89 + 18,000.
    path = _write_case(tmp_path, _bigger_and_sooner())
    result = _diff(
        str(path), "--from", "share_payroll", "--to", "bigger_sooner", "--json"
    )
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    assert doc["npv_from"] == pytest.approx(128_264.46, abs=0.01)
    assert doc["npv_to"] == pytest.approx(292_396.69, abs=0.01)
    assert [s["path"] for s in doc["steps"]] == [
        "services.payroll.savings.staff",
        "services.payroll.go_live",
    ]
    assert [(s["from"], s["to"]) for s in doc["steps"]] == [
        (120000, 180000),
        ("2012-01-01", "2011-10-01"),
    ]
    changes = [s["npv_change"] for s in doc["steps"]]
    assert changes == pytest.approx([119_132.23, 45_000.00], abs=0.01)
    for council, share in (("a", 0.6), ("b", 0.4)):
        steps = [s["npv_change"] for s in doc["councils"][council]["steps"]]
        assert steps == pytest.approx([share * 119_132.23, share * 45_000], abs=0.01)


def test_the_to_options_overrides_come_first_then_the_from_options_undone(tmp_path):
    # From status_quo (payroll disabled) to bigger_sooner: the two overrides of
    # bigger_sooner change nothing while payroll is still disabled; enabling it
    # (undoing status_quo's override) then makes the whole change.
    path = _write_case(tmp_path, _bigger_and_sooner())
    doc = json.loads(
        _diff(
            str(path), "--from", "status_quo", "--to", "bigger_sooner", "--json"
        ).output
    )
    assert [s["path"] for s in doc["steps"]] == [
        "services.payroll.savings.staff",
        "services.payroll.go_live",
        "services.payroll.enabled",
    ]
    assert [s["npv_change"] for s in doc["steps"]] == pytest.approx(
        [0, 0, 292_396.69], abs=0.01
    )
    assert (
        "undoes options.status_quo.overrides: services.*.enabled"
        in (doc["steps"][2]["source"])
    )


def test_a_state_that_is_not_a_valid_case_on_its_own_is_merged_with_the_next_input():
    # A go-live in June 2014 lies outside the three-year horizon until the
    # horizon is four years: the two are one step.
    case = case_from_dict(_bigger_and_sooner())
    bridge = option_bridge(case, "share_payroll", "longer_later")
    (step,) = bridge.steps
    assert step.path == "services.payroll.go_live + settings.horizon_years"
    assert "go_live" in step.merged_because
    assert step.npv_change == pytest.approx(bridge.total_change)


def test_an_unknown_option_exits_2_naming_it_and_writes_nothing(tmp_path):
    out = tmp_path / "bridge"
    result = _diff(
        str(DEFAULT_CASE), "--from", "status_quo", "--to", "big_bang", "--out", str(out)
    )
    assert result.exit_code == 2
    assert "'big_bang'" in result.output and "--to" in result.output
    assert "Traceback" not in result.output
    assert not out.exists()


def test_bridge_html_and_xlsx_are_written_and_name_the_options_by_their_descriptions(
    tmp_path,
):
    path = _write_case(tmp_path, _bigger_and_sooner())
    out = tmp_path / "bridge"
    result = _diff(
        str(path), "--from", "share_payroll", "--to", "bigger_sooner", "--out", str(out)
    )
    assert result.exit_code == 0, result.output
    assert "£119,132" in result.output and "£292,397" in result.output
    page = (out / "bridge.html").read_text(encoding="utf-8")
    assert "Payroll shared from January 2012." in page
    assert "Payroll saves £180k a year, live from October 2011." in page
    assert '<th scope="col">' in page and '<th scope="row">' in page
    assert "Council A" in page and "Payroll: savings staff" in page
    assert 'alt="Waterfall chart of the net present value' in page
    assert "http://" not in page and "https://" not in page
    book = openpyxl.load_workbook(out / "bridge.xlsx")
    sheet = book.worksheets[0]
    header = [c.value for c in sheet[3]]  # below the title and units rows
    assert header[-3:] == ["Council A", "Council B", "Total"]
    totals = [row[-1] for row in sheet.iter_rows(min_row=4, values_only=True)]
    assert totals == pytest.approx(
        [128_264.46, 119_132.23, 45_000, 292_396.69], abs=0.01
    )


def test_no_file_is_overwritten(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = _write_case(tmp_path, _bigger_and_sooner())
    args = [str(path), "--from", "share_payroll", "--to", "bigger_sooner"]
    assert _diff(*args).exit_code == 0
    written = tmp_path / "outputs/small/bridges/share_payroll-to-bigger_sooner"
    before = {p.name: p.read_bytes() for p in written.iterdir()}
    assert sorted(before) == ["bridge.html", "bridge.xlsx"]
    again = _diff(*args)
    assert again.exit_code == 2 and "already exists" in again.output
    assert {p.name: p.read_bytes() for p in written.iterdir()} == before
    assert _diff(*args, "--out", str(written)).exit_code == 2


def _run(case_path: Path, root: Path) -> Path:
    assert run_cases([case_path], out_root=root, notebooks=False) == 0
    return (root / "small" / "latest").resolve()


def test_a_bridge_between_two_runs_compares_the_copies_of_the_case_they_kept(tmp_path):
    case = _bigger_and_sooner()
    path = _write_case(tmp_path, case)
    first = _run(path, tmp_path / "outputs")
    case["services"]["payroll"]["savings"]["staff"] = 150000
    _write_case(tmp_path, case)
    second = _run(path, tmp_path / "outputs")
    result = _diff(str(first), str(second), "--option", "share_payroll", "--json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    (step,) = doc["steps"]
    assert (step["path"], step["from"], step["to"]) == (
        "services.payroll.savings.staff",
        120000,
        150000,
    )
    # 30,000 x (0.25 + 1/1.1 + 1/1.21) = 59,566.12
    assert step["npv_change"] == pytest.approx(59_566.12, abs=0.01)


def test_a_run_folder_that_keeps_no_copy_of_its_inputs_is_refused_naming_it(tmp_path):
    path = _write_case(tmp_path, _bigger_and_sooner())
    run = _run(path, tmp_path / "outputs")
    bare = tmp_path / "bare_run"
    shutil.copytree(run, bare)
    shutil.rmtree(bare / "inputs")
    result = _diff(str(bare), str(run), "--option", "share_payroll", "--json")
    assert result.exit_code == 2
    assert str(bare) in result.output
    assert "keeps no copy of its inputs" in result.output
    assert "Traceback" not in result.output
