"""Notebook reports of a run (placeholder until the papermill batch lands)."""

from __future__ import annotations


def render_reports(path, case, names, statuses, folder, jobs):  # noqa: ANN001
    """Execute the option and comparison notebooks into the run folder."""
    return None
