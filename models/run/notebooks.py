"""The report notebooks a run executes, found wherever the package is installed.

They are package data (``models.notebooks``: the checkout's ``notebooks/``
folder, mapped in ``pyproject.toml``), so that ``pip install .`` and a run from
any folder find them as a source checkout does.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

NOTEBOOKS = Path(str(files("models.notebooks")))
"""The folder of the report notebooks (``notebooks/`` in a source checkout)."""

OPTION_NOTEBOOK = NOTEBOOKS / "option_report.ipynb"
COMPARISON_NOTEBOOK = NOTEBOOKS / "comparison.ipynb"
MONITORING_NOTEBOOK = NOTEBOOKS / "monitoring.ipynb"


def notebook_paths() -> list[Path]:
    """The report notebooks a run executes (inputs of every run)."""
    return [OPTION_NOTEBOOK, COMPARISON_NOTEBOOK, MONITORING_NOTEBOOK]


def display_path(path: Path) -> str:
    """A notebook's name as the manifest shows it: ``notebooks/<file>``, the same
    for a source checkout and an installed package."""
    return f"notebooks/{Path(path).name}"
