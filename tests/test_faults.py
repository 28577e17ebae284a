"""Faults: an interrupted run, two runs of the same inputs, names that try to escape.

* SIGINT or SIGTERM part-way through ``sharedcase run``: earlier runs are
  byte-for-byte untouched, ``latest`` still points at the last complete run, the
  interrupted run is kept as ``<run-id>.incomplete/`` and marked so, no child
  process (pool worker, Jupyter kernel, Chromium) is left running, and the
  command exits 130 or 143 with one line and no traceback.
* Two runs of the same inputs give the same results apart from run ids and times.
* A case or option name such as ``../../x`` is refused (exit 2, naming the key)
  and nothing is written outside the ``--out`` folder.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from tests.conftest import DEFAULT_CASE

CASE_NAME = "bromsgrove_redditch_2011"
TIMEOUT = 300  # seconds; generous, the machine may be busy
LINUX_PROC = Path("/proc/self/environ").exists()


def sharedcase(*args: str, cwd: Path, **kw) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "models", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        **kw,
    )


def tree_digest(folder: Path) -> dict[str, str]:
    """Every file and link under ``folder`` -> SHA-256 (or link target)."""
    out = {}
    for p in sorted(folder.rglob("*")):
        rel = str(p.relative_to(folder))
        if p.is_symlink():
            out[rel] = "-> " + os.readlink(p)
        elif p.is_file():
            out[rel] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out


# --------------------------------------------------------------------- interruption


@pytest.fixture(scope="module")
def earlier_run(tmp_path_factory) -> Path:
    """An out folder holding one complete run (without notebooks, to save time)."""
    base = tmp_path_factory.mktemp("earlier")
    result = sharedcase(
        "run", str(DEFAULT_CASE), "--no-notebooks", "--out", str(base / "out"), cwd=base
    )
    assert result.returncode == 0, result.stderr
    return base / "out"


def _processes_with(marker: str) -> dict[int, str]:
    """Processes whose environment holds ``marker`` -> their command line."""
    found = {}
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            if marker.encode() in (d / "environ").read_bytes():
                cmd = (d / "cmdline").read_bytes().replace(b"\0", b" ").decode()
                found[int(d.name)] = cmd
        except OSError:  # gone, or not ours
            continue
    return found


def _poll(condition, timeout: float = TIMEOUT, every: float = 0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(every)
    return condition()


def _partial_with_notebook(case_dir: Path) -> Path | None:
    for d in case_dir.glob(".*.partial"):
        if any(d.glob("*.ipynb")):
            return d
    return None


@pytest.mark.skipif(not LINUX_PROC, reason="child processes are found through /proc")
@pytest.mark.parametrize(
    ("signum", "status"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)]
)
def test_an_interrupted_run_is_kept_marked_and_nothing_earlier_changes(
    earlier_run, tmp_path, signum, status
):
    out = tmp_path / "out"
    shutil.copytree(earlier_run, out, symlinks=True)
    case_dir = out / CASE_NAME
    before = tree_digest(out)
    earlier = (case_dir / "latest").resolve()
    marker = f"SHAREDCASE_FAULT_TEST={uuid.uuid4().hex}"
    env = dict(os.environ, SHAREDCASE_FAULT_TEST=marker.split("=", 1)[1])
    proc = subprocess.Popen(
        [sys.executable, "-m", "models", "run", str(DEFAULT_CASE), "--out", str(out)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        # the test may itself run where SIGINT is ignored (a background job)
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    try:
        # part-way: the option notebooks are being executed (kernels running)
        partial = _poll(
            lambda: proc.poll() is None and _partial_with_notebook(case_dir)
        )
        assert partial, "the run never reached its notebooks"
        children = _poll(
            lambda: {
                pid: cmd
                for pid, cmd in _processes_with(marker).items()
                if pid != proc.pid and "ipykernel" in cmd
            }
        )
        assert children, "no Jupyter kernel seen while the notebooks ran"
        assert proc.poll() is None, "the run finished before it could be interrupted"
        os.kill(proc.pid, signum)  # the process itself, not its group
        _, stderr = proc.communicate(timeout=TIMEOUT)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()

    assert proc.returncode == status, stderr
    assert "Traceback" not in stderr
    last = stderr.strip().splitlines()[-1]
    assert last.startswith(f"interrupted by {signum.name}:"), stderr
    # no child of the run (worker, kernel, browser) is left running
    gone = _poll(lambda: not _processes_with(marker), timeout=30)
    assert gone, f"still running: {_processes_with(marker)}"
    # earlier runs untouched, latest unchanged
    after = tree_digest(out)
    assert {k: v for k, v in after.items() if k in before} == before
    assert (case_dir / "latest").resolve() == earlier
    # the interrupted run is kept, marked incomplete, and nothing else looks complete
    kept = [p for p in case_dir.iterdir() if p.name.endswith(".incomplete")]
    assert len(kept) == 1, sorted(p.name for p in case_dir.iterdir())
    kept = kept[0]
    assert kept.name in last
    assert (kept / "INCOMPLETE").read_text().startswith("This run did not finish")
    manifest = json.loads((kept / "manifest.json").read_text())
    assert manifest["status"] == "interrupted"
    assert manifest["signal"] == signum.name
    assert manifest["case"] == CASE_NAME and manifest["stopped"] >= manifest["started"]
    assert any(f.endswith(".ipynb") for f in manifest["files"])
    assert not list(case_dir.glob(".*.partial"))
    for run in case_dir.iterdir():
        if run.is_dir() and not run.is_symlink() and run != kept:
            m = json.loads((run / "manifest.json").read_text())
            assert run == earlier and m.get("status", "complete") == "complete"


# --------------------------------------------------------------------- determinism

VOLATILE = {"run_id", "started", "finished", "stopped", "run_date", "generated"}


def _without_volatile(doc):
    if isinstance(doc, dict):
        return {k: _without_volatile(v) for k, v in doc.items() if k not in VOLATILE}
    if isinstance(doc, list):
        return [_without_volatile(v) for v in doc]
    return doc
