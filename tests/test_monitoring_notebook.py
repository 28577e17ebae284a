"""The monitoring notebook runs under papermill and is stored without outputs."""

import json

import nbformat
import papermill as pm

from tests.conftest import ROOT

NOTEBOOK = ROOT / "notebooks" / "monitoring.ipynb"


def test_monitoring_notebook_is_stored_without_outputs_and_has_a_parameters_cell():
    nb = json.loads(NOTEBOOK.read_text())
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert all(not c.get("outputs") and c.get("execution_count") is None for c in code)
    tagged = [c for c in code if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(tagged) == 1


def test_monitoring_notebook_runs_and_shows_the_seed_totals(tmp_path):
    out = tmp_path / "monitoring.ipynb"
    pm.execute_notebook(
        str(NOTEBOOK),
        str(out),
        cwd=str(ROOT / "notebooks"),
        kernel_name="python3",
        progress_bar=False,
    )
    text = json.dumps(nbformat.read(out, as_version=4)["cells"])
    # seed 000 Appendix A overall position: budget 1,106, actual 1,179 (£'000)
    assert "1,106" in text and "1,179" in text
