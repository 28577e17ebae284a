"""The report notebooks: stored clean, thin, one parameters cell, run by papermill."""

from __future__ import annotations

import nbformat
import papermill as pm
import pytest

from tests.conftest import ROOT

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
REPORTS = [ROOT / "notebooks" / n for n in ("option_report.ipynb", "comparison.ipynb")]


def _nb(path):
    return nbformat.read(path, as_version=4)


def test_both_report_notebooks_are_shipped():
    assert all(p.exists() for p in REPORTS)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_a_notebook_is_stored_without_outputs(path):
    for cell in _nb(path).cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None


@pytest.mark.parametrize("path", REPORTS, ids=lambda p: p.name)
def test_a_report_notebook_has_exactly_one_parameters_cell_naming_the_case(path):
    tagged = [c for c in _nb(path).cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1
    assert 'case_path = "scenarios/bromsgrove_redditch_2011.yaml"' in tagged[0].source


@pytest.mark.parametrize("path", REPORTS, ids=lambda p: p.name)
def test_a_report_notebook_stays_thin_and_calls_the_package(path):
    code = [
        c
        for c in _nb(path).cells
        if c.cell_type == "code" and "parameters" not in c.metadata.get("tags", [])
    ]
    for cell in code:
        lines = [line for line in cell.source.splitlines() if line.strip()]
        assert len(lines) <= 3, cell.source
        assert "import matplotlib" not in cell.source
        assert "pd.DataFrame" not in cell.source
    assert "from models.report" in code[0].source


def test_the_option_notebook_defaults_to_the_single_business_case():
    source = next(
        c.source
        for c in _nb(ROOT / "notebooks" / "option_report.ipynb").cells
        if "parameters" in c.metadata.get("tags", [])
    )
    assert 'option = "single_business_case"' in source


def test_the_option_notebook_finds_the_default_case_from_the_notebooks_folder(
    tmp_path,
):
    # as in JupyterLab: working directory notebooks/, the case path relative to the
    # repository; papermill injects the option as `-p option ...` would.
    out = tmp_path / "out.ipynb"
    pm.execute_notebook(
        str(ROOT / "notebooks" / "option_report.ipynb"),
        str(out),
        parameters={"option": "staged_approach"},
        cwd=str(ROOT / "notebooks"),
        kernel_name="python3",
        progress_bar=False,
    )
    nb = _nb(out)
    html = "".join(
        o.get("data", {}).get("text/html", "")
        for c in nb.cells
        if c.cell_type == "code"
        for o in c.outputs
    )
    assert "Option report: Staged approach" in html  # its title (issue 14)
    assert 'data-table="summary-position"' in html
    assert "data:image/svg+xml;base64," in html
