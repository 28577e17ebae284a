"""Faults of a run: a kill, Ctrl-C at any moment, a failed part, its output folder.

* ``kill -9`` of ``sharedcase run`` while its reports are being rendered leaves
  no process of the run (report worker, Jupyter kernel, Chromium) within 5 s
  (issue 17, item 2): each child dies with its parent
  (:mod:`models.run.orphans`).
* Ctrl-C at any moment, start-up included, ends the command with one line on
  stderr and exit status 130, never a traceback (issue 17, items 2 and 10).
"""

from __future__ import annotations

import copy
import errno
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
import tomllib
import uuid
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

import models.engine.uncertainty as uncertainty
import models.report.export as export
import models.run.stream as stream
from models.cli import main
from models.run.runfolder import RunFolder
from tests.conftest import DEFAULT_CASE, ROOT, SMALL_CASE
from tests.test_faults import (
    _partial_with_notebook,
    _poll,
    _processes_with,
    tree_digest,
)

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
        me = os.getpid()
        if os.fork() == 0:  # a generation of its own: asks for itself
            die_with_parent(me)
            # said only once asked (one write(2) each, so lines never mix)
            os.write(1, f"grandchild {os.getpid()}\\n".encode())
            time.sleep(600)
            os._exit(0)
        os.write(1, f"child {me}\\n".encode())
        time.sleep(600)
        os._exit(0)
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
        # the two lines come from two processes, in either order
        pids = dict(parent.stdout.readline().split() for _ in range(2))
        child, grandchild = int(pids["child"]), int(pids["grandchild"])
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


LAUNCHERS = {
    "python -m models": ["-m", "models"],
    # what the installed ``sharedcase`` script runs (pyproject.toml [project.scripts])
    "sharedcase": [
        "-c",
        "import sys; from models.__main__ import main; sys.exit(main())",
    ],
}


def test_the_sharedcase_script_runs_the_entry_point_that_handles_ctrl_c():
    with (ROOT / "pyproject.toml").open("rb") as f:
        scripts = tomllib.load(f)["project"]["scripts"]
    assert scripts == {"sharedcase": "models.__main__:main"}


def _interrupt_when(
    args: list[str], imported: str, after: float, cwd: Path, launcher: str
):
    """Start ``python -X importtime -m models ARGS``; send SIGINT ``after``
    seconds after the module ``imported`` has been imported (``-X importtime``
    prints each import on stderr as it ends, so the moment is known whatever
    the load of the machine).  The exit status, the lines of stderr that are
    not import times, and whether the command was still running at the signal.
    """
    proc = subprocess.Popen(
        [sys.executable, "-X", "importtime", *LAUNCHERS[launcher], *args],
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
@pytest.mark.parametrize("launcher", list(LAUNCHERS))
def test_ctrl_c_at_start_up_gives_one_line_and_exit_130(
    tmp_path, command, imported, after, launcher
):
    args = [command, str(DEFAULT_CASE)]
    if command == "run":
        args += ["--no-notebooks", "--out", str(tmp_path / "out")]
    status, stderr, running = _interrupt_when(args, imported, after, tmp_path, launcher)
    assert running, f"the command ended before the signal: {stderr}"
    assert status == 130, "".join(stderr)
    assert "Traceback" not in "".join(stderr)
    assert len(stderr) == 1, stderr
    assert stderr[0].startswith("interrupted by SIGINT:")
    # whatever was under way, no run folder passes for complete
    case_dir = tmp_path / "out" / CASE_NAME
    assert not (case_dir / "latest").exists()


# ------------------------------------------------- a run folder is latest only if complete


def _small_case(folder: Path) -> Path:
    """The small hand-worked case as a file (each option with its title)."""
    raw = copy.deepcopy(SMALL_CASE)
    raw["options"]["share_payroll"]["title"] = "Shared payroll"
    raw["options"]["status_quo"]["title"] = "Status quo"
    path = folder / "small.yaml"
    path.write_text(yaml.safe_dump(raw, sort_keys=False))
    return path


def _run(case: Path, out: Path, *extra: str):
    return CliRunner().invoke(main, ["run", str(case), "--out", str(out), *extra])


@pytest.fixture
def earlier(tmp_path) -> tuple[Path, Path, dict[str, str]]:
    """The small case, an out folder holding one complete run of it (``latest``
    points at it), and a digest of everything in the out folder."""
    case = _small_case(tmp_path)
    out = tmp_path / "out"
    result = _run(case, out, "--no-notebooks")
    assert result.exit_code == 0, result.output
    return case, out, tree_digest(out)


def _kept(out: Path) -> Path:
    """The one run kept as incomplete; nothing being written is left beside it."""
    case_dir = out / "small"
    (kept,) = case_dir.glob("*.incomplete")
    assert not list(case_dir.glob(".*")), sorted(p.name for p in case_dir.iterdir())
    return kept


def _no_scratch(folder: Path) -> None:
    """No file being written (``*.part``, ``*.part.xlsx``), no pickled analysis."""
    left = [
        str(p.relative_to(folder))
        for p in folder.rglob("*")
        if ".part" in p.name or p.suffix == ".pkl" or p.name.startswith(".")
    ]
    assert left == []


def _unchanged(out: Path, before: dict[str, str]) -> None:
    """Earlier runs byte for byte, and ``latest`` still points at the earlier run."""
    after = tree_digest(out)
    assert {k: v for k, v in after.items() if k in before} == before


def test_a_failed_uncertainty_table_keeps_the_run_out_of_latest(earlier, monkeypatch):
    case, out, before = earlier

    def fails(*args, **kwargs):
        raise RuntimeError("tornado table cannot be written (injected by the test)")

    # a run without reports writes its uncertainty tables as each option arrives
    monkeypatch.setattr(stream, "_write_uncertainty", fails)
    result = _run(case, out, "--no-notebooks")
    assert result.exit_code == 1, result.output
    _unchanged(out, before)
    kept = _kept(out)
    manifest = json.loads((kept / "manifest.json").read_text())
    assert manifest["status"] == "failed"
    assert manifest["failed"] == [
        "uncertainty tables: RuntimeError: tornado table cannot be written "
        "(injected by the test)"
    ]
    assert "results.json" in {p.name for p in kept.iterdir()}
    assert "1 of its parts failed" in (kept / "INCOMPLETE").read_text()
    assert "FAILED uncertainty tables: RuntimeError" in result.stderr
    assert f"kept in {kept}, marked incomplete" in result.stderr
    assert "Traceback" not in result.output


def test_a_failed_uncertainty_analysis_of_an_option_keeps_the_run_out_of_latest(
    earlier, monkeypatch
):
    # the appraisal of each option stands, but the run is not complete without
    # its switching values (e.g. MemoryError with very many draws)
    case, out, before = earlier

    def fails(*args, **kwargs):
        raise MemoryError("injected by the test")

    monkeypatch.setattr(uncertainty, "switching_table", fails)
    result = _run(case, out, "--no-notebooks")
    assert result.exit_code == 1, result.output
    _unchanged(out, before)
    manifest = json.loads((_kept(out) / "manifest.json").read_text())
    assert manifest["status"] == "failed"
    assert manifest["options"]["share_payroll"] == {
        "status": "ok",
        "uncertainty": "failed: MemoryError: injected by the test",
    }
    assert (
        "uncertainty of share_payroll: MemoryError: injected by the test"
        in (manifest["failed"])
    )


def test_a_failed_export_keeps_the_run_out_of_latest_without_its_part_files(
    earlier, monkeypatch
):
    # the HTML export of one report fails half-way (a full disk, say), leaving a
    # part file: the report is a failed part, and no part file is kept
    case, out, before = earlier
    real = export.export_html

    def fails_for_status_quo(notebook, html, *args, **kwargs):
        if Path(html).stem != "status_quo":
            return real(notebook, html, *args, **kwargs)
        Path(f"{html}.part").write_text("<html>half")
        raise OSError(errno.ENOSPC, "No space left on device", f"{html}.part")

    monkeypatch.setattr(export, "export_html", fails_for_status_quo)
    monkeypatch.setenv("SHAREDCASE_CHROMIUM", "/nonexistent")  # no PDFs: faster
    result = _run(case, out, "--jobs", "1")
    assert result.exit_code == 1, result.output
    _unchanged(out, before)
    kept = _kept(out)
    _no_scratch(kept)
    manifest = json.loads((kept / "manifest.json").read_text())
    assert manifest["status"] == "failed"
    (failed,) = manifest["failed"]
    assert failed.startswith(
        "status_quo: notebook: export: OSError: [Errno 28] No space left on device"
    )
    assert failed.endswith("status_quo.html.part'")
    assert (kept / "share_payroll.html").exists()
    assert (kept / "status_quo.ipynb").exists()


def test_a_real_folder_named_latest_is_left_alone_and_reported(tmp_path):
    case = _small_case(tmp_path)
    out = tmp_path / "out"
    mine = out / "small" / "latest"
    mine.mkdir(parents=True)
    (mine / "board_pack.txt").write_text("copied here by hand")
    result = _run(case, out, "--no-notebooks")
    assert result.exit_code == 0, result.output
    assert (mine / "board_pack.txt").read_text() == "copied here by hand"
    assert not mine.is_symlink()
    assert f"'latest' was left alone, not pointed at this run: {mine} is a folder" in (
        result.stderr
    )
    (run,) = [p for p in (out / "small").iterdir() if p != mine]
    manifest = json.loads((run / "manifest.json").read_text())
    assert manifest["status"] == "complete"
    assert manifest["latest"].startswith(f"not updated: {mine} is a folder")
    assert sorted(p.name for p in (out / "small").iterdir()) == sorted(
        ["latest", run.name]
    )


@pytest.mark.parametrize(
    "text", ["notes of the finance team\n", "../elsewhere\n", "x" * 300]
)
def test_a_file_named_latest_that_is_not_a_pointer_is_left_alone(tmp_path, text):
    case_dir = tmp_path / "out" / "small"
    case_dir.mkdir(parents=True)
    (case_dir / "latest").write_text(text)
    folder = RunFolder(tmp_path / "out", "small")
    assert folder.latest_problem() == (
        f"{case_dir / 'latest'} is a file that sharedcase did not write"
    )
    final = folder.commit()
    assert (case_dir / "latest").read_text() == text
    assert folder.latest_left_alone and final.is_dir()
    assert sorted(p.name for p in case_dir.iterdir()) == sorted(["latest", final.name])


def test_where_links_are_not_allowed_latest_is_a_text_file_replaced_by_the_next_run(
    tmp_path, monkeypatch
):
    def no_links(self, target):
        raise OSError(errno.EPERM, "Operation not permitted", str(self))

    monkeypatch.setattr(Path, "symlink_to", no_links)
    first = RunFolder(tmp_path, "small", run_id="20261201-000001").commit()
    latest = tmp_path / "small" / "latest"
    assert latest.read_text() == "20261201-000001\n"
    second = RunFolder(tmp_path, "small", run_id="20261201-000002").commit()
    assert latest.read_text() == "20261201-000002\n"
    assert sorted(p.name for p in (tmp_path / "small").iterdir()) == sorted(
        ["latest", first.name, second.name]
    )


def test_a_link_named_latest_that_points_elsewhere_is_left_alone(tmp_path):
    elsewhere = tmp_path / "published"
    elsewhere.mkdir()
    case_dir = tmp_path / "out" / "small"
    case_dir.mkdir(parents=True)
    (case_dir / "latest").symlink_to(elsewhere)
    folder = RunFolder(tmp_path / "out", "small")
    folder.commit()
    assert (case_dir / "latest").resolve() == elsewhere
    assert "not to a run beside it" in folder.latest_left_alone


# ----------------------------------------------------------- output-folder faults


def test_out_naming_a_file_exits_2_naming_it_and_writes_nothing(tmp_path):
    case = _small_case(tmp_path)
    a_file = tmp_path / "results.txt"
    a_file.write_text("not a folder")
    for out in (a_file, a_file / "sub"):
        result = _run(case, out, "--no-notebooks")
        assert result.exit_code == 2, result.output
        assert result.stderr == (
            f"error: {out}: --out: expected a folder where a new run folder can be "
            f"written, found a file at {a_file}.\n"
        )
    assert a_file.read_text() == "not a folder"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["results.txt", "small.yaml"]


@pytest.mark.parametrize(
    ("code", "words"),
    [(errno.EROFS, "Read-only file system"), (errno.EACCES, "Permission denied")],
)
def test_out_on_a_read_only_disk_exits_2_naming_the_folder_and_writes_nothing(
    tmp_path, monkeypatch, code, words
):
    # root ignores permissions, so the refusal is injected where the folder is made
    case = _small_case(tmp_path)
    out = tmp_path / "out"
    real = Path.mkdir

    def refused(self, *args, **kwargs):
        if self == out / "small":
            raise OSError(code, words, str(self))
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Path, "mkdir", refused)
    result = _run(case, out, "--no-notebooks")
    assert result.exit_code == 2, result.output
    assert result.stderr == (
        f"error: {out}: --out: expected a folder where a new run folder can be "
        f"written, found {words} (errno {code}): {out / 'small'}.\n"
    )
    assert not out.exists()  # the folder made for the run is removed again


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores folder permissions")
def test_out_in_a_read_only_folder_exits_2_and_writes_nothing(tmp_path):
    case = _small_case(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    out.chmod(0o555)
    try:
        result = _run(case, out, "--no-notebooks")
    finally:
        out.chmod(0o755)
    assert result.exit_code == 2, result.output
    assert f"error: {out}: --out: expected a folder where" in result.stderr
    assert list(out.iterdir()) == []


def test_a_full_disk_part_way_keeps_the_run_marked_incomplete_without_scratch(
    earlier, monkeypatch
):
    # the disk fills while results.json is written: its part file is half
    # written and the analysis the reports read is pickled in the folder
    case, out, before = earlier
    real = RunFolder.write_json

    def disk_full(self, name, data):
        if name != "results.json":
            return real(self, name, data)
        assert list(self.tmp.glob(".analysis/*.pkl")), "pickles are being read"
        self.path(f"{name}.part").write_text('{"case": ')
        raise OSError(errno.ENOSPC, "No space left on device", str(self.path(name)))

    monkeypatch.setattr(RunFolder, "write_json", disk_full)
    monkeypatch.setenv("SHAREDCASE_CHROMIUM", "/nonexistent")  # no PDFs: faster
    result = _run(case, out, "--jobs", "1", "--options", "status_quo")
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    _unchanged(out, before)
    kept = _kept(out)
    _no_scratch(kept)
    errors = [line for line in result.stderr.splitlines() if "error" in line]
    assert errors == [
        f"error: small: the run stopped: No space left on device (errno 28): "
        f"{kept.parent / ('.' + kept.name.replace('.incomplete', '.partial'))}"
        f"/results.json; its files so far are kept in {kept}, marked incomplete "
        "(without the files it was writing); earlier runs and 'latest' are unchanged"
    ]
    manifest = json.loads((kept / "manifest.json").read_text())
    assert manifest["status"] == "failed"
    assert manifest["error"].startswith("OSError: [Errno 28] No space left on device")
    assert "results.csv" in manifest["files"]
    assert "results.json" not in manifest["files"]
    assert (
        (kept / "INCOMPLETE")
        .read_text()
        .startswith("This run did not finish: it was stopped by an unexpected error")
    )
