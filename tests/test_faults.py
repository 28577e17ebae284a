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

import copy
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
import zipfile
from pathlib import Path

import pytest
import yaml

from models.run.runfolder import RunFolder, UnsafePath
from tests.conftest import DEFAULT_CASE, SCENARIOS, SMALL_CASE

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
    """Processes whose environment holds ``marker`` -> their name and command
    line (a kernel forked from the run has the run's command line, and is named
    ``ipykernel``: models.run.kernel_fork)."""
    found = {}
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            if marker.encode() in (d / "environ").read_bytes():
                cmd = (d / "cmdline").read_bytes().replace(b"\0", b" ").decode()
                found[int(d.name)] = f"{(d / 'comm').read_text().strip()}: {cmd}"
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
    """A run part-way: its results written and its report notebooks under way
    (reports start while the results are still being written)."""
    for d in case_dir.glob(".*.partial"):
        if any(d.glob("*.ipynb")) and (d / "results.csv").exists():
            return d
    return None


def _partial_with_results(case_dir: Path) -> Path | None:
    for d in case_dir.glob(".*.partial"):
        if (d / "results.csv").exists():
            return d
    return None


@pytest.mark.skipif(not LINUX_PROC, reason="child processes are found through /proc")
@pytest.mark.parametrize(
    ("signum", "phase"),
    [
        pytest.param(signal.SIGINT, "notebooks", id="SIGINT-notebooks"),
        pytest.param(signal.SIGTERM, "notebooks", id="SIGTERM-notebooks"),
        pytest.param(signal.SIGTERM, "compute", id="SIGTERM-compute"),
    ],
)
def test_an_interrupted_run_is_kept_marked_and_nothing_earlier_changes(
    earlier_run, tmp_path, signum, phase
):
    out = tmp_path / "out"
    shutil.copytree(earlier_run, out, symlinks=True)
    case_dir = out / CASE_NAME
    before = tree_digest(out)
    earlier = (case_dir / "latest").resolve()
    marker = f"SHAREDCASE_FAULT_TEST={uuid.uuid4().hex}"
    env = dict(os.environ, SHAREDCASE_FAULT_TEST=marker.split("=", 1)[1])
    args = ["run", str(DEFAULT_CASE), "--out", str(out)]
    if phase == "compute":
        args.append("--no-notebooks")
    logs = tmp_path / "stdout.txt", tmp_path / "stderr.txt"
    with logs[0].open("w") as stdout, logs[1].open("w") as stderr_file:
        proc = subprocess.Popen(
            [sys.executable, "-m", "models", *args],
            cwd=tmp_path,
            env=env,
            stdout=stdout,
            stderr=stderr_file,
            start_new_session=True,
            # the test may itself run where SIGINT is ignored (a background job)
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
        )
    try:
        if phase == "notebooks":
            # part-way: the option notebooks are being executed (kernels running)
            partial = _poll(
                lambda: proc.poll() is None and _partial_with_notebook(case_dir)
            )
            assert partial, "the run never reached its notebooks"
            kernels = _poll(
                lambda: [
                    c for c in _processes_with(marker).values() if "ipykernel" in c
                ]
            )
            assert kernels, "no Jupyter kernel seen while the notebooks ran"
        else:
            # part-way: results written, the uncertainty tables not yet
            partial = _poll(
                lambda: proc.poll() is None and _partial_with_results(case_dir),
                every=0.02,
            )
            assert partial, "the run never wrote its results"
        assert proc.poll() is None, "the run finished before it could be interrupted"
        os.kill(proc.pid, signum)  # the process itself, not its group
        proc.wait(timeout=TIMEOUT)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        stderr = logs[1].read_text()
        gone = _poll(lambda: not _processes_with(marker), timeout=30)
        for pid in _processes_with(marker):  # only if the test is failing
            os.kill(pid, signal.SIGKILL)

    status = 128 + signum
    assert proc.returncode == status, stderr
    assert "Traceback" not in stderr
    last = stderr.strip().splitlines()[-1]
    assert last.startswith(f"interrupted by {signum.name}:"), stderr
    # no child of the run (worker, kernel, browser) is left running
    assert gone, "a child process of the run was left running"
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
    assert "results.csv" in manifest["files"]
    if phase == "notebooks":
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


def _results_dir(out: Path) -> Path:
    return (out / CASE_NAME / "latest").resolve()


def _xlsx_parts(path: Path) -> dict[str, bytes]:
    """The parts of a workbook, less its creation and modification times."""
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist() if n != "docProps/core.xml"}


def test_two_runs_of_the_same_inputs_give_the_same_results(earlier_run, tmp_path):
    # the second run in another process with another hash seed: set and dict
    # order must not leak into the results
    out = tmp_path / "out"
    env = dict(os.environ, PYTHONHASHSEED="12345")
    result = sharedcase(
        "run",
        str(DEFAULT_CASE),
        "--no-notebooks",
        "--out",
        str(out),
        cwd=tmp_path,
        env=env,
    )
    assert result.returncode == 0, result.stderr
    first, second = _results_dir(earlier_run), _results_dir(out)
    names = sorted(str(p.relative_to(first)) for p in first.rglob("*") if p.is_file())
    assert names == sorted(
        str(p.relative_to(second)) for p in second.rglob("*") if p.is_file()
    )
    assert {"results.json", "results.csv", "council_tables.csv"} <= set(names)
    for name in names:
        a, b = first / name, second / name
        if name.endswith(".json"):  # apart from run ids and times
            assert _without_volatile(json.loads(a.read_text())) == _without_volatile(
                json.loads(b.read_text())
            ), name
        elif name.endswith(".xlsx"):
            assert _xlsx_parts(a) == _xlsx_parts(b), name
        else:  # CSV tables, charts, HTML: byte for byte
            assert a.read_bytes() == b.read_bytes(), name
    # results.json holds no time at all: the files are identical
    assert (first / "results.json").read_bytes() == (
        second / "results.json"
    ).read_bytes()


def test_a_run_with_notebooks_gives_the_same_results_json(
    earlier_run, tmp_path_factory
):
    from tests.report_support import default_run  # shared with the report tests

    status, folder = default_run(tmp_path_factory.getbasetemp())
    assert status == 0
    assert (folder / "results.json").read_bytes() == (
        _results_dir(earlier_run) / "results.json"
    ).read_bytes()


# --------------------------------------------------------------------- path safety

BAD_NAMES = [
    pytest.param("../../x", id="dotdot-slash"),
    pytest.param("ABSOLUTE", id="absolute"),  # replaced by a path in the sandbox
    pytest.param("a/b", id="slash"),
    pytest.param("..", id="dotdot"),
    pytest.param(".", id="dot"),
    pytest.param("a\\b", id="backslash"),
    pytest.param("a\0b", id="nul"),
    pytest.param("a\nb", id="newline"),
    pytest.param("x" * 300, id="very-long"),
    pytest.param("", id="empty"),
]


@pytest.fixture
def sandbox(tmp_path, monkeypatch):
    """A folder holding the working folder (cwd) and the --out folder; the test
    checks nothing in it changes apart from what it expects."""
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    return tmp_path


def _bad(name: str, sandbox: Path) -> str:
    return str(sandbox / "abs_x") if name == "ABSOLUTE" else name


def _invoke(*args: str):
    from click.testing import CliRunner

    from models.cli import main

    return CliRunner().invoke(main, list(args))


@pytest.mark.parametrize("where", ["name", "options"])
@pytest.mark.parametrize("name", BAD_NAMES)
def test_a_case_or_option_name_cannot_write_outside_the_out_folder(
    sandbox, where, name
):
    name = _bad(name, sandbox)
    raw = copy.deepcopy(SMALL_CASE)
    if where == "name":
        raw["name"] = name
    else:
        raw["options"][name] = raw["options"].pop("share_payroll")
    case = sandbox / "case.yaml"
    case.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    before = tree_digest(sandbox)
    out = sandbox / "out" / "deeper"
    for command in (
        ["run", str(case), "--out", str(out), "--no-notebooks"],
        ["run", str(case), "--out", str(out)],
        ["validate", str(case)],
    ):
        result = _invoke(*command)
        assert result.exit_code == 2, result.output
        assert "Traceback" not in result.output
        if "\0" in name:  # refused as the file is read, naming its line
            assert "text without control characters" in result.stderr
        else:
            assert f"{case}: {where}: expected" in result.stderr
            assert "letters (A-Z, a-z), digits or '_'" in result.stderr
        assert tree_digest(sandbox) == before
        assert not (sandbox / "out").exists()


@pytest.mark.parametrize("name", BAD_NAMES)
def test_init_refuses_a_name_that_is_not_a_plain_name(sandbox, name):
    name = _bad(name, sandbox)
    before = tree_digest(sandbox)
    result = _invoke("init", name, "--dir", str(sandbox / "scenarios" / "deeper"))
    assert result.exit_code == 2, result.output
    assert "NAME: expected a case name of 1 to 64 letters" in result.stderr
    assert tree_digest(sandbox) == before
    assert not (sandbox / "scenarios").exists()


@pytest.mark.parametrize("stem", [".", "a\nb", "a\\b"])
def test_monitor_refuses_an_actuals_file_name_that_cannot_name_a_folder(sandbox, stem):
    actuals = sandbox / f"{stem}.yaml"
    shutil.copyfile(SCENARIOS / "actuals_2010_11.yaml", actuals)
    before = tree_digest(sandbox)
    result = _invoke("monitor", str(actuals))
    assert result.exit_code == 2, result.output
    assert f"error: {actuals}: expected a file name that can name a folder" in (
        result.stderr
    )
    assert tree_digest(sandbox) == before


def test_monitor_writes_its_run_folder_under_outputs(sandbox):
    actuals = sandbox / "actuals 2010-11.yaml"  # spaces are fine in a folder name
    shutil.copyfile(SCENARIOS / "actuals_2010_11.yaml", actuals)
    result = _invoke("monitor", str(actuals))
    assert result.exit_code == 0, result.output
    (run,) = [
        p
        for p in (sandbox / "work" / "outputs" / actuals.stem).iterdir()
        if p.name != "latest"
    ]
    assert sorted(p.name for p in run.iterdir()) == [
        "monitoring.html",
        "monitoring.xlsx",
    ]


def test_severance_out_never_overwrites_a_file(sandbox):
    out = sandbox / "costed.csv"
    args = [
        "severance",
        str(SCENARIOS / "staff_at_risk_2011.csv"),
        "--policy",
        str(DEFAULT_CASE),
        "--out",
        str(out),
    ]
    first = _invoke(*args)
    assert first.exit_code == 0, first.output
    before = tree_digest(sandbox)
    again = _invoke(*args)
    assert again.exit_code == 2
    assert f"error: {out}: --out: expected a file that does not exist yet" in (
        again.stderr
    )
    assert tree_digest(sandbox) == before  # and no .part file left behind


@pytest.mark.parametrize("name", ["../x", "..", "a/b", "/tmp/x", "a\0b", ""])
def test_a_run_folder_refuses_names_that_leave_its_root(tmp_path, name):
    root = tmp_path / "out"
    with pytest.raises(UnsafePath):
        RunFolder(root, name)
    folder = RunFolder(root, "case")
    with pytest.raises(UnsafePath):
        folder.path(name if name not in ("a/b", "") else "a/../../b")
    assert sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*")) == [
        "out",
        "out/case",
        f"out/case/.{folder.run_id}.partial",
    ]


# --------------------------------------------------------------- the mechanism

GRANDPARENT = """
import subprocess, sys, time
# like a pool worker starting a Jupyter kernel: the grandchild has its own session
subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"],
                 start_new_session=True)
print("ready", flush=True)
time.sleep(600)
"""


@pytest.mark.skipif(not LINUX_PROC, reason="processes are found through /proc")
def test_stop_children_stops_the_runs_tree_and_spares_older_children(tmp_path):
    from models.run.interrupt import stop_children

    marker = uuid.uuid4().hex
    env = dict(os.environ, SHAREDCASE_FAULT_TEST=marker)
    sleep = [sys.executable, "-c", "import time; time.sleep(600)"]
    older = subprocess.Popen(sleep, env=env)  # not the run's: must be spared
    try:
        since = time.time() + 2 * interrupt_clock_slack()
        _poll(lambda: time.time() >= since, timeout=30)
        worker = subprocess.Popen(
            [sys.executable, "-c", GRANDPARENT], env=env, stdout=subprocess.PIPE
        )
        assert worker.stdout.readline().strip() == b"ready"
        tree = _poll(lambda: len(_processes_with(marker)) == 3)
        assert tree, _processes_with(marker)
        stop_children(since=since)
        worker.wait(timeout=30)
        assert _poll(lambda: set(_processes_with(marker)) == {older.pid}, timeout=30)
    finally:
        for pid in _processes_with(marker):
            os.kill(pid, signal.SIGKILL)
        older.wait()


def interrupt_clock_slack() -> float:
    from models.run.interrupt import CLOCK_SLACK

    return CLOCK_SLACK


@pytest.fixture
def sigint_live():
    """Ctrl-C live in this process for the test: a process started in the
    background by a non-interactive shell inherits SIGINT ignored, and
    ``signals_raise`` rightly leaves an ignored signal ignored."""
    before = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, before)


def test_sigterm_raises_terminated_inside_the_block_only(sigint_live):
    from models.run.interrupt import Terminated, exit_status, signals_raise

    before = signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGINT)
    with pytest.raises(Terminated) as caught, signals_raise():
        os.kill(os.getpid(), signal.SIGTERM)
        _poll(lambda: False, timeout=30)  # the handler raises while this waits
    assert exit_status(caught.value) == 143
    assert (signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGINT)) == before
    with pytest.raises(KeyboardInterrupt), signals_raise():
        os.kill(os.getpid(), signal.SIGINT)
        _poll(lambda: False, timeout=30)


def test_monitor_out_writes_exactly_the_folder_named_and_nothing_beside_it(sandbox):
    out = sandbox / "reports" / "monitoring"
    result = _invoke(
        "monitor", str(SCENARIOS / "actuals_2010_11.yaml"), "--out", str(out)
    )
    assert result.exit_code == 0, result.output
    assert sorted(str(p.relative_to(sandbox)) for p in sandbox.rglob("*")) == [
        "reports",
        "reports/monitoring",
        "reports/monitoring/monitoring.html",
        "reports/monitoring/monitoring.xlsx",
        "work",
    ]
    bad = _invoke(
        "monitor",
        str(SCENARIOS / "actuals_2010_11.yaml"),
        "--out",
        str(sandbox / "a\nb"),
    )
    assert bad.exit_code == 2 and "--out: expected a plain folder name" in bad.stderr


def test_a_signal_during_the_commit_is_delivered_after_it(tmp_path, sigint_live):
    # the rename and the move of `latest` are not split by an interruption
    from models.run.interrupt import signals_raise

    folder = RunFolder(tmp_path, "case")
    folder.write_text("results.json", "{}\n")
    real_replace = os.replace

    def replace_then_interrupt(src, dst):
        real_replace(src, dst)
        if Path(dst) == folder.final:
            os.kill(os.getpid(), signal.SIGINT)

    with pytest.raises(KeyboardInterrupt), signals_raise():
        try:
            os.replace = replace_then_interrupt
            folder.commit()
        finally:
            os.replace = real_replace
    assert (tmp_path / "case" / "latest").resolve() == folder.final
