"""A batch on warm kernels gives exactly what plain papermill gives, report by report.

``sharedcase run`` executes every report on a kernel that has already run other
notebooks (reset in between, :mod:`models.run.kernels`) and hands each notebook the
analysis the run computed (:mod:`models.engine.analysis`).  Here each report of the
default case's batch is run again alone, the plain way: a fresh kernel, no
shared analysis (the notebook computes everything itself).  The executed
notebooks must have the same outputs and execution counts, the HTML must be the
same bytes, and the Excel files the same cells.
"""

from __future__ import annotations

import json
import shutil
import sys
import threading
from pathlib import Path

import nbformat
import openpyxl
import pytest

from models.run.report_runner import execute_report, export_report, report_jobs
from tests.report_support import DEFAULT_CASE, default_run

OPTIONS = ["status_quo", "staged_approach", "single_business_case"]


@pytest.fixture(scope="module")
def batch(tmp_path_factory) -> Path:
    status, folder = default_run(tmp_path_factory.getbasetemp())
    assert status == 0
    return folder


@pytest.fixture(scope="module")
def alone(batch, tmp_path_factory) -> Path:
    """Every report of the batch, each run alone with a fresh kernel."""
    from models.engine.loading import load_case

    # a folder of the batch's run id: the footer names the run (issue 14)
    out = tmp_path_factory.mktemp("alone") / batch.name
    out.mkdir()
    case = load_case(DEFAULT_CASE)
    manifest = json.loads((batch / "manifest.json").read_text())
    run_date = manifest["started"][:10]
    jobs = report_jobs(DEFAULT_CASE, case, OPTIONS, out, run_date)
    for job in jobs.values():
        assert job["parameters"].get("analysis_path") is None  # computes for itself
        status = execute_report(
            job["notebook"], job["out_dir"], job["stem"], job["parameters"], warm=False
        )
        status = export_report(
            status, job["out_dir"], job["stem"], job["title"], pdf=False, warm=False
        )
        assert status["notebook"] == "ok", status
    return out


def _cells(path: Path) -> list[tuple]:
    """(source, execution count, outputs) of every code cell but the injected
    parameters, whose paths differ between the two runs by design."""
    nb = nbformat.read(path, as_version=4)
    out = []
    for c in nb.cells:
        if c.cell_type != "code" or "injected-parameters" in c.metadata.get("tags", []):
            continue
        out.append((c.source, c.execution_count, json.dumps(c.outputs, sort_keys=True)))
    return out


REPORTS = [*OPTIONS, "comparison", "monitoring"]


@pytest.mark.parametrize("stem", REPORTS)
def test_each_report_of_the_batch_is_what_a_fresh_kernel_gives(batch, alone, stem):
    warm, fresh = _cells(batch / f"{stem}.ipynb"), _cells(alone / f"{stem}.ipynb")
    assert len(warm) == len(fresh) > 3
    for w, f in zip(warm, fresh, strict=True):
        assert w == f, f"{stem}: cell {w[0]!r} differs"
    # the counts start again at 1: the warm kernel was reset like a new one
    counts = [c[1] for c in warm]
    assert counts[0] == 1 and counts == sorted(counts)


@pytest.mark.parametrize("stem", REPORTS)
def test_each_html_report_is_byte_for_byte_the_same(batch, alone, stem):
    assert (batch / f"{stem}.html").read_bytes() == (
        alone / f"{stem}.html"
    ).read_bytes()


def _workbook(path: Path) -> dict[str, list[tuple]]:
    wb = openpyxl.load_workbook(path)
    return {ws.title: [tuple(r) for r in ws.iter_rows(values_only=True)] for ws in wb}


@pytest.mark.parametrize("stem", REPORTS)
def test_each_excel_file_has_the_same_cells(batch, alone, stem):
    warm, fresh = _workbook(batch / f"{stem}.xlsx"), _workbook(alone / f"{stem}.xlsx")
    assert warm == fresh and sum(len(v) for v in warm.values()) > 5


def test_the_shared_analysis_is_not_left_in_the_run_folder(batch):
    assert not (batch / ".analysis").exists()
    assert not list(batch.glob("*.pkl"))


def test_a_notebook_is_not_fooled_by_an_analysis_of_other_inputs(tmp_path):
    """A saved analysis is used only for the very input files it was computed from."""
    from models.engine.analysis import analyse_case, load_analysis, save_option_analysis
    from models.engine.loading import load_case

    src = tmp_path / "case"
    shutil.copytree(DEFAULT_CASE.parent, src)
    case_path = src / DEFAULT_CASE.name
    case = load_case(case_path)
    analysis = analyse_case(case_path, case, ["status_quo"])
    saved = save_option_analysis(
        analysis.options["status_quo"], case_path, case, tmp_path / "a"
    )
    saved_case, saved_analysis = load_analysis(saved, case_path)
    assert saved_analysis.option == "status_quo"
    assert saved_case.model_dump() == case.model_dump()
    assert load_analysis(saved, src / "other.yaml") is None  # another case file
    baselines = src / "bromsgrove_redditch_2011_baselines.csv"
    baselines.write_text(baselines.read_text() + "\n")  # one byte more in a named file
    assert load_analysis(saved, case_path) is None


def test_the_batch_runs_on_any_executor_such_as_a_process_pool(tmp_path):
    """``run_cases(executor=...)`` sends each report as one picklable call: what a
    Dask client's executor would receive.  Here: two spawned worker processes,
    each keeping its own warm kernel and browser."""
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor

    import yaml

    from models.run.runner import run_cases
    from tests.conftest import SMALL_CASE

    case = tmp_path / "small.yaml"
    case.write_text(yaml.safe_dump(SMALL_CASE, sort_keys=False))
    with ProcessPoolExecutor(2, mp_context=mp.get_context("spawn")) as pool:
        status = run_cases([case], out_root=tmp_path / "out", executor=pool)
    folder = tmp_path / "out" / "small" / "latest"
    assert status == 0
    names = list(SMALL_CASE["options"])
    for stem in [*names, "comparison"]:
        assert (folder / f"{stem}.html").exists() and (folder / f"{stem}.xlsx").exists()
    manifest = json.loads((folder / "manifest.json").read_text())
    assert all(manifest["options"][n]["notebook"] == "ok" for n in names)


def _children() -> set[int]:
    """This process's descendants (the test process may keep others, such as
    multiprocessing's resource tracker, from earlier tests)."""
    import psutil

    return {p.pid for p in psutil.Process().children(recursive=True)}


def _fake_render(**job):
    """Stands in for render_notebook in a forked worker: records when it ran."""
    import time

    started = time.monotonic()
    time.sleep(0.4 if job["stem"] == "first" else 0.05)
    return {"notebook": "ok", "files": [], "stem": job["stem"], "started": started}


def test_forked_workers_start_the_comparison_first_and_leave_nothing_running(
    monkeypatch,
):
    """With one worker busy, the comparison submitted last starts before the
    option reports still waiting; once the last job is in and done, the workers
    stop, and nothing of the batch is left running."""
    from models.run import kernel_fork, report_runner

    if not kernel_fork.can_fork():
        pytest.skip("workers are forked on Linux only")
    # the workers are forked after this, so they run the stand-in
    monkeypatch.setattr(report_runner, "render_notebook", _fake_render)
    before = _children()
    workers = report_runner.ForkedReportWorkers(1, 4, pdf=False)
    try:
        jobs = [{"stem": s, "out_dir": "/tmp"} for s in ("first", "b", "c")]
        futures = [workers.submit(j) for j in jobs]
        futures.append(
            workers.submit({"stem": report_runner.COMPARISON, "out_dir": "/tmp"})
        )
        workers.last_job_submitted()
        done = sorted(
            (f.result(timeout=60) for f in futures), key=lambda r: r["started"]
        )
    finally:
        workers.close()
    assert [r["stem"] for r in done] == ["first", report_runner.COMPARISON, "b", "c"]
    assert _children() == before  # workers and their kernels stopped


def test_where_kernels_cannot_be_forked_the_batch_runs_on_threads(
    tmp_path, monkeypatch
):
    """Off Linux (or with SHAREDCASE_FORK_KERNELS=0) the reports run on threads
    of the command, each driving a kernel started as a new interpreter."""
    import yaml

    from models.run import kernel_fork, report_runner
    from models.run.runner import run_cases
    from tests.conftest import SMALL_CASE

    monkeypatch.setenv(kernel_fork.ENV_SWITCH, "0")
    assert not kernel_fork.can_fork()
    started = []
    monkeypatch.setattr(
        report_runner.ReportWorkers,
        "__init__",
        lambda self, *a, _init=report_runner.ReportWorkers.__init__, **k: (
            started.append(self),
            _init(self, *a, **k),
        )[1],
    )
    case = tmp_path / "small.yaml"
    case.write_text(yaml.safe_dump(SMALL_CASE, sort_keys=False))
    before = _children()
    assert run_cases([case], out_root=tmp_path / "out") == 0
    assert len(started) == 1  # the thread workers, not the forked ones
    folder = tmp_path / "out" / "small" / "latest"
    for stem in [*SMALL_CASE["options"], "comparison"]:
        assert (folder / f"{stem}.html").exists()
    assert _children() == before  # kernels and browser stopped


def test_a_forked_kernel_is_a_copy_of_this_process_that_stops_with_it(tmp_path):
    """A kernel forked from a process that imported the package: a child of
    it, named ipykernel, that knows its parent (it stops if the parent dies) and
    runs notebooks as a fresh kernel does."""
    import psutil

    from models.run import kernel_fork
    from models.run.kernels import WarmKernel

    if not sys.platform.startswith("linux"):
        pytest.skip("kernels are forked on Linux only")
    # nothing this package ran before (batches included) left a thread running
    assert kernel_fork.can_fork(), threading.enumerate()
    kernel = WarmKernel()
    try:
        assert isinstance(kernel.km.provisioner, kernel_fork.ForkProvisioner)
        child = psutil.Process(kernel.km.provisioner.pid)
        assert child.ppid() == psutil.Process().pid
        nb = _notebook(
            tmp_path / "n.ipynb",
            "import os, sys, ipykernel.kernelapp as k\n"
            "app = k.IPKernelApp.instance()\n"
            "print(app.parent_handle == os.getppid(), sys.argv[0].endswith("
            "'ipykernel_launcher.py'), 'get_ipython' in dir(__builtins__))",
        )
        kernel.execute_notebook(nb, tmp_path / "n.out.ipynb", {}, cwd=tmp_path)
        assert _text(tmp_path / "n.out.ipynb") == ["True True True\n"]
        assert child.name() == "ipykernel"
    finally:
        kernel.shutdown()
    assert not psutil.pid_exists(child.pid) or child.status() == psutil.STATUS_ZOMBIE


def _notebook(path: Path, *sources: str) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(s) for s in sources]
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nbformat.write(nb, str(path))
    return path


def _text(path: Path) -> list[str]:
    nb = nbformat.read(path, as_version=4)
    return ["".join(o.get("text", "") for o in c.outputs) for c in nb.cells]


def test_a_warm_kernel_forgets_everything_a_notebook_did(tmp_path):
    """Names, the execution counter, warning filters, figures and the working
    directory are those of a new kernel at the start of every notebook."""
    from models.run.kernels import WarmKernel

    first = _notebook(
        tmp_path / "first.ipynb",
        "secret = 42\nimport warnings, os\nwarnings.simplefilter('ignore')\n"
        "import matplotlib.pyplot as plt\nplt.figure()\nos.chdir('/')",
    )
    second = _notebook(
        tmp_path / "second.ipynb",
        "print('secret' in dir(), len(__import__('warnings').filters) > 1)",
        "import matplotlib.pyplot as plt, os\nprint(plt.get_fignums(), os.getcwd())",
    )
    kernel = WarmKernel()
    try:
        kernel.execute_notebook(first, tmp_path / "first.out.ipynb", {}, cwd=tmp_path)
        (tmp_path / "b").mkdir()
        kernel.execute_notebook(
            second, tmp_path / "second.out.ipynb", {}, cwd=tmp_path / "b"
        )
    finally:
        kernel.shutdown()
    shown = _text(tmp_path / "second.out.ipynb")
    # no name left over; the filters are the kernel's own, not 'ignore' alone
    assert shown[0].split() == ["False", "True"]
    assert shown[1].split() == ["[]", str(tmp_path / "b")]
    counts = [
        c.execution_count
        for c in nbformat.read(tmp_path / "second.out.ipynb", as_version=4).cells
    ]
    assert counts == [1, 2]


def test_a_kernel_that_died_is_replaced(tmp_path):
    from models.run.kernels import shutdown_kernels, warm_kernel

    nb = _notebook(tmp_path / "n.ipynb", "print(6 * 7)")
    try:
        kernel = warm_kernel()
        kernel.km.provisioner.process.kill()
        kernel.km.provisioner.process.wait()
        again = warm_kernel()
        assert again is not kernel
        again.execute_notebook(nb, tmp_path / "n.out.ipynb", {}, cwd=tmp_path)
        assert _text(tmp_path / "n.out.ipynb") == ["42\n"]
    finally:
        shutdown_kernels()
