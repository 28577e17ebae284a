"""Batch runs: a new run folder per run, reports per option, failures isolated."""

from __future__ import annotations

import copy
import json

import nbformat
import pytest
import yaml
from click.testing import CliRunner

import models.engine.projection
from models.cli import main
from models.core.paths import file_sha256
from tests.conftest import DEFAULT_CASE, SMALL_CASE
from tests.report_support import SITECUSTOMIZE, default_run

OPTIONS = ("status_quo", "staged_approach", "single_business_case")


@pytest.fixture(scope="session")
def run(tmp_path_factory):
    return default_run(tmp_path_factory.getbasetemp())


def test_the_default_case_gives_html_and_excel_per_option_and_a_comparison(run):
    status, folder = run
    assert status == 0
    names = {p.name for p in folder.iterdir()}
    for option in OPTIONS:
        assert {f"{option}.html", f"{option}.xlsx", f"{option}.ipynb"} <= names
    assert {"comparison.html", "manifest.json", "results.json"} <= names
    assert not any(n.endswith(".part") for n in names)


def test_latest_points_at_the_completed_run(run):
    _, folder = run
    assert (folder.parent / "latest").resolve() == folder
    assert not folder.name.startswith(".")


def test_the_manifest_records_inputs_versions_times_and_each_option(run):
    _, folder = run
    m = json.loads((folder / "manifest.json").read_text())
    assert m["inputs"][str(DEFAULT_CASE)] == file_sha256(DEFAULT_CASE)
    assert "notebooks/option_report.ipynb" in m["inputs"]
    assert m["package_version"]
    assert {"papermill", "nbconvert", "pandas"} <= set(m["dependencies"])
    assert m["started"] <= m["finished"]
    assert set(m["options"]) == set(OPTIONS)
    for option in OPTIONS:
        assert m["options"][option]["status"] == "ok"
        assert f"{option}.html" in m["options"][option]["files"]
    assert m["comparison"]["notebook"] == "ok"


def test_results_json_keeps_the_core_schema(run):
    _, folder = run
    doc = json.loads((folder / "results.json").read_text())
    assert doc["case"] == "bromsgrove_redditch_2011"
    entry = doc["options"]["single_business_case"]
    for key in ("npv", "payback_year", "target_window_savings", "net_savings_by_year"):
        assert key in entry
    assert set(entry["councils"]) == {"bdc", "rbc"}


def test_bad_options_exit_2_and_write_nothing(tmp_path):
    out = tmp_path / "outputs"
    result = CliRunner().invoke(
        main,
        ["run", str(DEFAULT_CASE), "--options", "no_such_option", "--out", str(out)],
    )
    assert result.exit_code == 2
    assert "no_such_option" in result.output
    assert not out.exists() or not any(out.rglob("*.json"))


@pytest.fixture(scope="module")
def broken_run(tmp_path_factory, monkeypatch_module):
    """A small case whose option `broken` makes the model raise (injected)."""
    base = tmp_path_factory.mktemp("broken")
    raw = copy.deepcopy(SMALL_CASE)
    raw["description"] = "<script>alert(1)</script>"
    raw["options"]["broken"] = {
        "title": "Broken",
        "description": "Makes the model raise.",
    }
    case = base / "small.yaml"
    case.write_text(yaml.safe_dump(raw, sort_keys=False))
    site = base / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(SITECUSTOMIZE)
    import os

    monkeypatch_module.setenv(
        "PYTHONPATH", os.pathsep.join([str(site), os.environ.get("PYTHONPATH", "")])
    )
    monkeypatch_module.setenv("SHAREDCASE_TEST_BROKEN_OPTION", "broken")
    real = models.engine.projection.run_option

    def run_option(c, option):
        if option == "broken":
            raise ZeroDivisionError("model cannot run broken (injected by the test)")
        return real(c, option)

    monkeypatch_module.setattr(models.engine.projection, "run_option", run_option)
    out = base / "outputs"
    result = CliRunner().invoke(
        main, ["run", str(case), "--out", str(out), "--jobs", "3"]
    )
    # a run with a failed part is kept, marked incomplete, and never `latest`
    assert not (out / "small" / "latest").exists()
    (kept,) = (out / "small").glob("*.incomplete")
    return result, kept


@pytest.fixture(scope="module")
def monkeypatch_module():
    mp = pytest.MonkeyPatch()
    yield mp
    mp.undo()


def test_an_option_whose_model_raises_fails_alone_and_the_run_exits_1(broken_run):
    result, folder = broken_run
    assert result.exit_code == 1
    assert "FAILED broken: ZeroDivisionError" in result.output
    assert (folder / "share_payroll.html").exists()
    assert (folder / "status_quo.html").exists()
    assert (folder / "comparison.html").exists()
    assert not (folder / "broken.html").exists()


def test_the_failed_option_keeps_its_executed_notebook_with_the_error(broken_run):
    _, folder = broken_run
    nb = nbformat.read(folder / "broken.ipynb", as_version=4)
    errors = [
        o
        for c in nb.cells
        if c.cell_type == "code"
        for o in c.get("outputs", [])
        if o.output_type == "error"
    ]
    assert errors and errors[0].ename == "ZeroDivisionError"


def test_the_manifest_names_the_failed_option_and_why(broken_run):
    _, folder = broken_run
    m = json.loads((folder / "manifest.json").read_text())
    assert m["status"] == "failed"
    assert m["failed"] == [
        "broken: ZeroDivisionError: model cannot run broken (injected by the test)"
    ]
    assert "1 of its parts failed" in (folder / "INCOMPLETE").read_text()
    assert m["options"]["broken"]["status"] == "failed"
    assert "ZeroDivisionError" in m["options"]["broken"]["error"]
    assert m["options"]["share_payroll"]["status"] == "ok"
    assert "broken" not in json.loads((folder / "results.json").read_text())["options"]


def test_the_comparison_names_the_failed_option(broken_run):
    _, folder = broken_run
    text = (folder / "comparison.html").read_text()
    assert "failed: ZeroDivisionError" in text


def test_a_script_in_the_case_description_shows_as_text_in_the_export(broken_run):
    _, folder = broken_run
    text = (folder / "share_payroll.html").read_text()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "<script" not in text


def test_a_pdf_that_cannot_be_printed_leaves_the_report_standing(tmp_path, monkeypatch):
    # a "browser" that exits 1 without printing: the HTML and Excel stand, the run
    # succeeds, and the manifest and the summary say the PDF is missing
    import json

    from click.testing import CliRunner

    from models.cli import main
    from tests.conftest import DEFAULT_CASE

    monkeypatch.setenv("SHAREDCASE_CHROMIUM", "/bin/false")
    args = [
        "run",
        str(DEFAULT_CASE),
        "--options",
        "status_quo",
        "--jobs",
        "1",
        "--out",
        str(tmp_path),
    ]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    latest = tmp_path / "bromsgrove_redditch_2011" / "latest"
    assert (latest / "status_quo.html").exists()
    assert not (latest / "status_quo.pdf").exists()
    manifest = json.loads((latest / "manifest.json").read_text())
    assert manifest["options"]["status_quo"]["pdf"].startswith("failed")
    assert "no PDF of status_quo" in result.output


def test_a_run_without_chromium_says_the_pdfs_were_not_written(tmp_path, monkeypatch):
    # no browser at all: one line says so and how to get the PDFs, the manifest
    # records why, and the run still succeeds with its HTML and Excel
    monkeypatch.setenv("SHAREDCASE_CHROMIUM", str(tmp_path / "no-such-chromium"))
    args = ["run", str(DEFAULT_CASE), "--options", "status_quo", "--jobs", "1"]
    result = CliRunner().invoke(main, [*args, "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    latest = tmp_path / "bromsgrove_redditch_2011" / "latest"
    assert (latest / "status_quo.html").exists()
    assert not list(latest.glob("*.pdf"))
    manifest = json.loads((latest / "manifest.json").read_text())
    assert manifest["pdf"].startswith("skipped: SHAREDCASE_CHROMIUM")
    said = [line for line in result.output.splitlines() if "PDF" in line]
    assert len(said) == 1
    assert "PDFs were not written" in said[0] and "install Chromium" in said[0]


def test_a_run_keeps_a_copy_of_every_input_it_read(run):
    """Seed 000 para 6.4: the board's case is re-run and compared later, so each
    run folder keeps the case file and the tables, actuals and risk register it
    names under inputs/, each listed in the manifest with its SHA-256."""
    _, folder = run
    manifest = json.loads((folder / "manifest.json").read_text())
    kept = manifest["input_copies"]
    case_copy = f"inputs/{DEFAULT_CASE.name}"
    assert case_copy in kept
    named = {
        "bromsgrove_redditch_2011_baselines.csv",
        "staff_at_risk_2011.csv",
        "risk_register_2011.yaml",
        "actuals_2010_11.yaml",
    }
    assert {f"inputs/{name}" for name in named} <= set(kept)
    for name, sha in kept.items():
        original = DEFAULT_CASE.parent / name.removeprefix("inputs/")
        assert sha == file_sha256(folder / name) == file_sha256(original)


def test_the_kept_inputs_run_again_to_the_same_results(run, tmp_path):
    _, folder = run
    kept_case = folder / "inputs" / DEFAULT_CASE.name
    result = CliRunner().invoke(
        main, ["run", str(kept_case), "--no-notebooks", "--out", str(tmp_path)]
    )
    assert result.exit_code == 0, result.output
    again = tmp_path / "bromsgrove_redditch_2011" / "latest" / "results.json"
    assert again.read_bytes() == (folder / "results.json").read_bytes()
