"""Shared fixtures: paths to the shipped scenarios and a small hand-worked case."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"
DEFAULT_CASE = SCENARIOS / "bromsgrove_redditch_2011.yaml"
SEED_002_CASE = SCENARIOS / "seed_002_position_2010.yaml"

# A two-council, one-service case small enough to work by hand.
SMALL_CASE = {
    "kind": "case",
    "name": "small",
    "title": "Small hand-worked case",
    "councils": {"a": {"name": "Council A"}, "b": {"name": "Council B"}},
    "settings": {
        "base_year": "2011/12",
        "horizon_years": 3,
        "discount_rate": 0.10,
    },
    "bases": {"sixty_forty": {"type": "fixed", "shares": {"a": 0.6, "b": 0.4}}},
    "services": {
        "payroll": {
            "name": "Payroll",
            "host": "a",
            "basis": "sixty_forty",
            "baseline_cost": {"a": 200000, "b": 100000},
            "savings": {"staff": 120000},
            "go_live": "2012-01-01",
            "set_up_costs": [{"category": "ict", "amount": 50000, "year": "2011/12"}],
            "severance": {
                "redundancy_pay": 40000,
                "pension_strain": 20000,
                "year": "2011/12",
            },
        }
    },
    "options": {
        "share_payroll": {
            "title": "Share payroll",
            "description": "Payroll shared from January 2012.",
        },
        "status_quo": {
            "title": "Status quo",
            "description": "Nothing shared.",
            "overrides": {"services.*.enabled": False},
        },
    },
}


@pytest.fixture
def small_case_dict() -> dict:
    return copy.deepcopy(SMALL_CASE)


@pytest.fixture(autouse=True)
def _no_folder_allowed_outside_a_case(monkeypatch):
    """``--allow-outside`` run in-process (CliRunner) sets an environment variable
    for the run's workers; it must not carry over from one test to the next."""
    from models.core.paths import ALLOW_OUTSIDE_ENV

    monkeypatch.setenv(ALLOW_OUTSIDE_ENV, "")


def pytest_terminal_summary(terminalreporter) -> None:  # noqa: ANN001 - pytest's
    """Say at the end of the session when the browser and accessibility tests
    were skipped for want of Chromium (a skip is easy to miss in ``-q``)."""
    skipped = [
        r
        for r in terminalreporter.stats.get("skipped", [])
        if "chromium is not installed" in str(getattr(r, "longrepr", ""))
    ]
    if skipped:
        terminalreporter.write_line(
            f"NOTE: {len(skipped)} browser and accessibility (axe-core) tests were "
            "SKIPPED: chromium is not installed (apt-get install chromium; .ci/run "
            "does it)."
        )
