"""The sharedcase command: validate, init, run; bad input exits 2 with no traceback."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import yaml
from click.testing import CliRunner

from models.cli import main
from tests.conftest import DEFAULT_CASE, ROOT, SCENARIOS


def _write(tmp_path, name, case):
    p = tmp_path / name
    p.write_text(yaml.safe_dump(case, sort_keys=False))
    return p


def test_validate_accepts_every_shipped_scenario_file():
    files = sorted(str(p) for p in SCENARIOS.glob("*.yaml"))
    result = CliRunner().invoke(main, ["validate", *files])
    assert result.exit_code == 0, result.output


def test_validate_exits_2_naming_a_misspelt_key(tmp_path, small_case_dict):
    small_case_dict["settings"]["horizon_yaers"] = small_case_dict["settings"].pop(
        "horizon_years"
    )
    p = _write(tmp_path, "bad.yaml", small_case_dict)
    result = CliRunner().invoke(main, ["validate", str(p)])
    assert result.exit_code == 2
    assert (
        "settings.horizon_yaers" in result.output and "Traceback" not in result.output
    )


def test_validate_exits_2_for_shares_summing_to_point_nine(tmp_path, small_case_dict):
    small_case_dict["bases"]["sixty_forty"]["shares"]["a"] = 0.5
    p = _write(tmp_path, "bad.yaml", small_case_dict)
    result = CliRunner().invoke(main, ["validate", str(p)])
    assert result.exit_code == 2 and "bases.sixty_forty" in result.output


def test_validate_exits_2_for_a_go_live_outside_the_horizon(tmp_path, small_case_dict):
    small_case_dict["services"]["payroll"]["go_live"] = "2009-06-01"
    p = _write(tmp_path, "bad.yaml", small_case_dict)
    result = CliRunner().invoke(main, ["validate", str(p)])
    assert result.exit_code == 2 and "services.payroll.go_live" in result.output


def test_init_writes_a_case_that_validates_and_refuses_to_overwrite(tmp_path):
    runner = CliRunner()
    assert runner.invoke(main, ["init", "demo", "--dir", str(tmp_path)]).exit_code == 0
    assert runner.invoke(main, ["validate", str(tmp_path / "demo.yaml")]).exit_code == 0
    again = runner.invoke(main, ["init", "demo", "--dir", str(tmp_path)])
    assert again.exit_code == 2 and "not overwritten" in again.output


def test_run_writes_results_json_in_a_new_folder_each_time(tmp_path):
    runner = CliRunner()
    args = ["run", str(DEFAULT_CASE), "--out", str(tmp_path), "--no-notebooks"]
    assert runner.invoke(main, args).exit_code == 0
    assert runner.invoke(main, args).exit_code == 0
    runs = [
        p
        for p in (tmp_path / "bromsgrove_redditch_2011").iterdir()
        if p.is_dir() and p.name != "latest"
    ]
    assert len(runs) == 2
    doc = json.loads((runs[0] / "results.json").read_text())
    opt = doc["options"]["single_business_case"]
    assert set(opt) >= {
        "npv",
        "payback_year",
        "target_window_savings",
        "net_savings_by_year",
        "councils",
    }
    assert set(opt["councils"]["bdc"]) >= {"npv", "net_savings_by_year"}
    assert doc["options"]["status_quo"]["payback_year"] is None


def test_run_writes_nothing_when_the_case_is_bad(tmp_path, small_case_dict):
    small_case_dict["services"]["payroll"]["basis"] = "nowhere"
    p = _write(tmp_path, "bad.yaml", small_case_dict)
    out = tmp_path / "out"
    result = CliRunner().invoke(
        main, ["run", str(p), "--out", str(out), "--no-notebooks"]
    )
    assert result.exit_code == 2
    assert not out.exists()


def test_python_dash_m_models_is_the_same_command(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "models", "validate", str(DEFAULT_CASE)],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stderr


def test_bad_input_gives_no_traceback_in_a_real_process(tmp_path):
    bad = tmp_path / "bad.yaml"
    shutil.copy(DEFAULT_CASE, bad)
    for table in SCENARIOS.glob("*.csv"):
        shutil.copy(table, tmp_path / table.name)
    bad.write_text(bad.read_text().replace("horizon_years: 10", "horizon_years: ten"))
    proc = subprocess.run(
        [sys.executable, "-m", "models", "validate", str(bad)],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert proc.returncode == 2
    assert "settings.horizon_years" in proc.stderr and "Traceback" not in proc.stderr


def test_a_run_of_the_default_case_includes_the_monitoring_report(tmp_path):
    args = ["run", str(DEFAULT_CASE), "--out", str(tmp_path), "--no-notebooks"]
    assert CliRunner().invoke(main, args).exit_code == 0
    latest = tmp_path / "bromsgrove_redditch_2011" / "latest"
    html = (latest / "monitoring.html").read_text()
    # seed 000 Appendix A: overall position 521 / 585 / 1,106 against 1,179
    for figure in ("521", "585", "1,106", "1,179"):
        assert figure in html
    assert (latest / "monitoring.xlsx").stat().st_size > 0
    manifest = json.loads((latest / "manifest.json").read_text())
    assert any(k.endswith("actuals_2010_11.yaml") for k in manifest["inputs"])
    assert any(k.endswith("staff_at_risk_2011.csv") for k in manifest["inputs"])


def test_run_writes_per_council_tables_that_foot_to_the_pound_thousand(tmp_path):
    import pandas as pd

    args = ["run", str(DEFAULT_CASE), "--out", str(tmp_path), "--no-notebooks"]
    assert CliRunner().invoke(main, args).exit_code == 0
    latest = tmp_path / "bromsgrove_redditch_2011" / "latest"
    tables = pd.read_csv(latest / "council_tables.csv")
    years = [c for c in tables.columns if "/" in c]
    for (_option, _line), t in tables.groupby(["option", "line_item"]):
        parts, total = t[t.council != "Total"], t[t.council == "Total"].iloc[0]
        # columns foot: councils add to the Total row in every year and overall
        assert (parts[[*years, "Total"]].sum() == total[[*years, "Total"]]).all()
        # rows foot: years add to each row's Total
        assert (t[years].sum(axis=1) == t["Total"]).all()


# Bad case files (and every other bad input) run through validate and run in
# tests/test_bad_inputs.py, driven by tests/bad_inputs/expected.yaml.


def test_validate_given_a_folder_exits_2():
    result = CliRunner().invoke(main, ["validate", str(SCENARIOS)])
    assert result.exit_code == 2 and "found a folder" in result.output


def test_a_run_that_breaks_part_way_is_kept_marked_incomplete(tmp_path, monkeypatch):
    # an interruption part-way keeps the run as evidence, never as a complete run
    import models.run.stream as stream

    def broken(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(stream, "results_document", broken)
    args = ["run", str(DEFAULT_CASE), "--out", str(tmp_path), "--no-notebooks"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 130
    left = list((tmp_path / "bromsgrove_redditch_2011").iterdir())
    assert [p.name.endswith(".incomplete") for p in left] == [True]  # no latest
    assert "Traceback" not in result.output
    assert f"kept in {left[0]}, marked incomplete" in result.output
    manifest = json.loads((left[0] / "manifest.json").read_text())
    assert manifest["status"] == "interrupted" and manifest["signal"] == "SIGINT"
    assert "results.csv" in manifest["files"]
    assert "SIGINT" in (left[0] / "INCOMPLETE").read_text()


def test_a_run_that_fails_unexpectedly_is_kept_marked_failed(tmp_path, monkeypatch):
    import models.run.stream as stream

    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire (injected by the test)")

    monkeypatch.setattr(stream, "results_document", broken)
    args = ["run", str(DEFAULT_CASE), "--out", str(tmp_path), "--no-notebooks"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 1 and isinstance(result.exception, RuntimeError)
    left = list((tmp_path / "bromsgrove_redditch_2011").iterdir())
    assert [p.name.endswith(".incomplete") for p in left] == [True]  # no latest
    assert "the run failed; its files are kept in" in result.output
    manifest = json.loads((left[0] / "manifest.json").read_text())
    assert manifest["status"] == "failed"
    assert manifest["error"] == "RuntimeError: disk on fire (injected by the test)"


def test_bad_input_found_part_way_still_writes_nothing(tmp_path, monkeypatch):
    import models.run.stream as stream
    from models.core.errors import InputError

    def bad(*args, **kwargs):
        raise InputError("x.yaml", "uncertainty", "a good spec", "a bad one")

    monkeypatch.setattr(stream, "results_document", bad)
    args = ["run", str(DEFAULT_CASE), "--out", str(tmp_path), "--no-notebooks"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert list(tmp_path.iterdir()) == []


def test_the_notebook_schemas_use_no_iri_format():
    """The command leaves jsonschema's IRI format checker out of its process
    (models.cli._without_unused_iri_checker); that changes no notebook
    validation only while nbformat's schemas use no ``iri`` format."""
    import nbformat

    def formats(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "format" and isinstance(value, str):
                    yield value
                yield from formats(value)
        elif isinstance(node, list):
            for item in node:
                yield from formats(item)

    schemas = sorted(Path(nbformat.__file__).parent.rglob("*.json"))
    assert len(schemas) >= 5
    used = {f for s in schemas for f in formats(json.loads(s.read_text()))}
    assert not {f for f in used if f.startswith("iri")}, used


def test_the_command_does_without_the_iri_checker(tmp_path):
    code = (
        "import sys, models.cli\n"
        "try:\n"
        "    models.cli.main(['validate', '--help'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "import papermill\n"
        "print(sys.modules.get('rfc3987_syntax', 'absent'))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip().splitlines()[-1] == "None"
