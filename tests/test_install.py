"""Installable anywhere: a non-editable install runs a new case from an empty folder.

The wheel is built once; a fresh virtual environment installs it (``pip install``
of the wheel, not editable: the notebooks, reference data and templates must come
with the package); then, in an empty folder, ``sharedcase init my_case`` and
``sharedcase run scenarios/my_case.yaml`` write the full run folder with its HTML
reports.  Slow (a minute or two: pip installs every dependency).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """The bin folder of a fresh environment with the package's wheel installed."""
    work = tmp_path_factory.mktemp("install")
    # nothing of this checkout may be on the path of the new environment
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", work, ROOT],
        check=True,
        cwd=work,
        env=env,
    )
    wheel = next(work.glob("sharedcase-*.whl"))
    venv.EnvBuilder(with_pip=True).create(work / "env")
    bin_dir = work / "env" / "bin"
    subprocess.run(
        [bin_dir / "python", "-m", "pip", "install", "-q", wheel],
        check=True,
        cwd=work,
        env=env,
    )
    return bin_dir


def test_a_wheel_install_runs_a_new_case_from_an_empty_folder(installed, tmp_path):
    folder = tmp_path / "empty"
    folder.mkdir()
    env = {**os.environ, "PATH": f"{installed}{os.pathsep}{os.environ['PATH']}"}
    env.pop("PYTHONPATH", None)
    sharedcase = str(installed / "sharedcase")
    subprocess.run([sharedcase, "init", "my_case"], check=True, cwd=folder, env=env)
    done = subprocess.run(
        [sharedcase, "run", "scenarios/my_case.yaml", "--jobs", "1"],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    run = folder / "outputs" / "my_case" / "latest"
    results = json.loads((run / "results.json").read_text())
    options = list(results["options"])
    assert options
    for name in [*options, "comparison"]:
        page = (run / f"{name}.html").read_text()
        assert "<html" in page.lower() and len(page) > 10_000
        assert (run / f"{name}.xlsx").is_file()
    manifest = json.loads((run / "manifest.json").read_text())
    assert "notebooks/option_report.ipynb" in manifest["inputs"]
    # the package was the installed one, not this checkout
    where = subprocess.run(
        [installed / "python", "-c", "import models; print(models.__file__)"],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert str(ROOT) not in where
