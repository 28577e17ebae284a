"""Faults of a run as a process: a kill, Ctrl-C at any moment.

* ``kill -9`` of ``sharedcase run`` while its reports are being rendered leaves
  no process of the run (report worker, Jupyter kernel, Chromium) within 5 s
  (issue 17, item 2): each child dies with its parent
  (:mod:`models.run.orphans`).
* Ctrl-C at any moment, start-up included, ends the command with one line on
  stderr and exit status 130, never a traceback (issue 17, items 2 and 10).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
import uuid
from pathlib import Path

import pytest

from tests.conftest import DEFAULT_CASE
from tests.test_faults import _partial_with_notebook, _poll, _processes_with

LINUX_PROC = Path("/proc/self/environ").exists()
TIMEOUT = 300  # seconds; generous, the machine may be busy
GONE_WITHIN = 5.0
"""Seconds after ``kill -9`` by which no process of the run may remain (issue 17)."""
CASE_NAME = "bromsgrove_redditch_2011"


def _start(args: list[str], cwd: Path, env: dict[str, str], logs: Path):
    """``python -m models ARGS`` in a session of its own, SIGINT at its default
    (the test may run where SIGINT is ignored, e.g. as a background job)."""
    with (logs / "stdout.txt").open("w") as out, (logs / "stderr.txt").open("w") as err:
        return subprocess.Popen(
            [sys.executable, "-m", "models", *args],
            cwd=cwd,
            env=env,
            stdout=out,
            stderr=err,
            start_new_session=True,
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
        )


# ------------------------------------------------------------ dying with the parent

_PARENT = textwrap.dedent(
    """
    import os, sys, time
    from models.run.orphans import die_with_parent

    parent = os.getpid()
    child = os.fork()
    if child == 0:
        die_with_parent(parent)
        grandchild = os.fork()
        if grandchild == 0:  # a generation of its own: asks for itself
            die_with_parent(os.getppid())
            time.sleep(600)
            os._exit(0)
        print(grandchild, flush=True)
        time.sleep(600)
        os._exit(0)
    print(child, flush=True)
    time.sleep(600)
    """
)


def _alive(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie, killed and not yet reaped, does not)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="prctl is Linux's")
def test_a_child_and_its_child_die_when_the_parent_is_killed():
    parent = subprocess.Popen(
        [sys.executable, "-c", _PARENT], stdout=subprocess.PIPE, text=True
    )
    try:
        child = int(parent.stdout.readline())
        grandchild = int(parent.stdout.readline())
        assert _alive(child) and _alive(grandchild)
        parent.kill()  # SIGKILL: no clean-up of any kind runs in the parent
        parent.wait()
        assert _poll(lambda: not _alive(child), timeout=GONE_WITHIN)
        assert _poll(lambda: not _alive(grandchild), timeout=GONE_WITHIN)
    finally:
        if parent.poll() is None:
            parent.kill()
            parent.wait()


def test_a_child_whose_parent_is_already_gone_leaves_at_once():
    """The parent died before the child asked: the child sees another parent."""
    code = (
        "import os; from models.run.orphans import die_with_parent; "
        "die_with_parent(os.getppid() + 1_000_000); print('still here')"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 1
    assert "still here" not in result.stdout


# --------------------------------------------------------------------- kill -9


@pytest.mark.skipif(not LINUX_PROC, reason="processes are found through /proc")
@pytest.mark.parametrize("fork_kernels", ["1", "0"], ids=["forked", "launched"])
def test_nothing_of_a_run_outlives_a_kill_9_during_its_reports(tmp_path, fork_kernels):
    marker = uuid.uuid4().hex
    env = dict(
        os.environ,
        SHAREDCASE_FAULT_TEST=marker,
        SHAREDCASE_FORK_KERNELS=fork_kernels,
    )
    out = tmp_path / "out"
    proc = _start(
        ["run", str(DEFAULT_CASE), "--out", str(out)], tmp_path, env, tmp_path
    )
    try:
        # part-way: results written, report notebooks under way, kernels running
        assert _poll(
            lambda: proc.poll() is None and _partial_with_notebook(out / CASE_NAME)
        ), "the run never reached its notebooks"
        children = _poll(
            lambda: [
                c
                for pid, c in _processes_with(marker).items()
                if pid != proc.pid and "ipykernel" in c
            ]
        )
        assert children, "no Jupyter kernel seen while the reports ran"
        assert proc.poll() is None, "the run finished before it could be killed"
        tree = _processes_with(marker)
        os.kill(proc.pid, signal.SIGKILL)  # the command only, not its group
        proc.wait()
        gone = _poll(lambda: not _processes_with(marker), timeout=GONE_WITHIN)
        left = _processes_with(marker)
    finally:
        for pid in _processes_with(marker):  # only if the test is failing
            os.kill(pid, signal.SIGKILL)
    assert len(tree) >= 3, tree  # the command, its workers or threads' kernels
    assert gone, f"left running after kill -9: {left}"


# ------------------------------------------------------------------------ Ctrl-C

IMPORT_TIME = "import time:"


def _interrupt_when(args: list[str], imported: str, after: float, cwd: Path):
    """Start ``python -X importtime -m models ARGS``; send SIGINT ``after``
    seconds after the module ``imported`` has been imported (``-X importtime``
    prints each import on stderr as it ends, so the moment is known whatever
    the load of the machine).  The exit status, the lines of stderr that are
    not import times, and whether the command was still running at the signal.
    """
    proc = subprocess.Popen(
        [sys.executable, "-X", "importtime", "-m", "models", *args],
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    lines = []
    try:
        for line in proc.stderr:
            lines.append(line)
            if line.startswith(IMPORT_TIME) and line.rsplit("|", 1)[1].strip() == (
                imported
            ):
                break
        time.sleep(after)
        running = proc.poll() is None
        proc.send_signal(signal.SIGINT)
        lines += proc.stderr.readlines()
        proc.wait(timeout=TIMEOUT)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    return proc.returncode, [x for x in lines if not x.startswith(IMPORT_TIME)], running


@pytest.mark.parametrize(
    ("command", "imported", "after"),
    [
        # the first module the command's entry point imports: its first lines
        pytest.param("run", "models.run.interrupt", 0.0, id="run-at-the-first-line"),
        pytest.param("run", "click", 0.0, id="run-importing-click"),
        pytest.param("run", "pydantic", 0.0, id="run-importing-pydantic"),
        pytest.param("run", "models.run.interrupt", 0.3, id="run-0.3s"),
        pytest.param("run", "models.run.interrupt", 1.0, id="run-1s"),
        pytest.param("run", "pandas", 0.0, id="run-importing-pandas"),
        pytest.param("validate", "models.run.interrupt", 0.05, id="validate-0.05s"),
        pytest.param("validate", "click", 0.0, id="validate-importing-click"),
    ],
)
def test_ctrl_c_at_start_up_gives_one_line_and_exit_130(
    tmp_path, command, imported, after
):
    args = [command, str(DEFAULT_CASE)]
    if command == "run":
        args += ["--no-notebooks", "--out", str(tmp_path / "out")]
    status, stderr, running = _interrupt_when(args, imported, after, tmp_path)
    assert running, f"the command ended before the signal: {stderr}"
    assert status == 130, "".join(stderr)
    assert "Traceback" not in "".join(stderr)
    assert len(stderr) == 1, stderr
    assert stderr[0].startswith("interrupted by SIGINT:")
    # whatever was under way, no run folder passes for complete
    case_dir = tmp_path / "out" / CASE_NAME
    assert not (case_dir / "latest").exists()
