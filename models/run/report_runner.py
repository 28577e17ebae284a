"""Notebook reports of a run: papermill per option, in parallel, on warm kernels.

For every option, ``notebooks/option_report.ipynb`` is executed with papermill
into the run folder as ``<option>.ipynb`` and exported to ``<option>.html``,
``<option>.xlsx`` and, where Chromium is installed, ``<option>.pdf``.  Then
``notebooks/comparison.ipynb`` gives ``comparison.ipynb/.html/.xlsx/.pdf``, and,
for each actuals file the case lists, ``notebooks/monitoring.ipynb`` gives
``monitoring.ipynb/.html/.xlsx/.pdf``.  One report failing does not stop the
others (its executed notebook is kept, with the error in it).

How a batch stays fast (see ``benchmarks/``): where kernels can be forked
(:mod:`models.run.kernel_fork`: Linux, no other thread, not inside IPython) the
reports run on :class:`ForkedReportWorkers`: ``jobs`` worker processes forked
once the command has imported everything, each with a warm kernel forked from
it (:mod:`models.run.kernels`: reset to a fresh state before each notebook), each
drawing its report's analysis charts, running the notebook and exporting the
HTML; the command prints the PDFs with one headless Chromium
(:mod:`models.report.browser`) and computes the options meanwhile.  Elsewhere
:class:`ReportWorkers` does the same with threads of the command, each driving
a kernel started the usual way.  Either way the seconds of kernel start and
imports are paid once per worker, not once per report.  ``warm=False`` gives
plain papermill: a fresh kernel for the notebook and a Chromium for the PDF.

Any :class:`concurrent.futures.Executor` can run the reports (``executor=``):
every job is a picklable call of :func:`render_notebook` with absolute paths, so
a ``dask.distributed`` client's executor can spread a large batch over several
machines that share the output folder (see README).
"""

from __future__ import annotations

import gc
import itertools
import multiprocessing as mp
import os
import queue
import sys
import threading
import traceback
from collections.abc import Callable, Mapping, MutableMapping
from concurrent.futures import Executor, Future, ThreadPoolExecutor, as_completed
from pathlib import Path
from typing import Any

from models.inputs.case import Case
from models.run.kernels import (
    KERNEL,
    WarmKernel,
    register_engine,
    shutdown_kernels,
    warm_kernel,
)
from models.run.notebooks import (
    COMPARISON_NOTEBOOK,
    MONITORING_NOTEBOOK,
    OPTION_NOTEBOOK,
)
from models.run.orphans import die_with_parent

COMPARISON = "comparison"


def default_jobs() -> int:
    """Parallel processes when ``--jobs`` is not given: the number of cores."""
    return os.cpu_count() or 1


def _error_text(exc: BaseException) -> str:
    ename = getattr(exc, "ename", None)
    if ename:  # papermill.PapermillExecutionError: the error raised in the notebook
        return f"{ename}: {getattr(exc, 'evalue', '')}"
    return f"{type(exc).__name__}: {exc}"


def execute_report(
    notebook: str,
    out_dir: str,
    stem: str,
    parameters: dict[str, Any],
    warm: bool = True,
    kernel: Any = None,
) -> dict[str, Any]:
    """Execute one report notebook into ``out_dir/<stem>.ipynb``; never raises.

    ``warm``: on ``kernel`` (a :class:`models.run.kernels.WarmKernel`), or this
    thread's warm kernel; otherwise plain papermill with a fresh kernel.
    Returns ``{"notebook": "ok"|"failed", "files": [...], "error": ...,
    "charts": {...}, "nb": ...}`` (``nb``: the executed notebook, which
    :func:`export_report` takes off); the executed notebook is kept whatever
    happens.  The charts of the analysis the notebook is given
    (``analysis_path``) are drawn first (:func:`models.report.analysis_charts.draw_charts`)
    and returned as pictures (SVG).
    """
    from models.report.analysis_charts import draw_charts

    out = Path(out_dir)
    executed = out / f"{stem}.ipynb"
    status: dict[str, Any] = {"notebook": "ok", "files": []}
    try:
        # the charts of the run's analysis, drawn here for the report and handed
        # back for the run folder (the run computed the numbers only)
        status["charts"] = draw_charts(parameters.get("analysis_path"))
        if warm:
            kernel = kernel or warm_kernel()
            status["nb"] = kernel.execute_notebook(
                notebook, executed, parameters, cwd=out
            )
        else:
            import papermill as pm

            _quiet_kernel_stderr()
            status["nb"] = pm.execute_notebook(
                notebook,
                str(executed),
                parameters=parameters,
                kernel_name=KERNEL,
                cwd=str(out),
                progress_bar=False,
                log_output=False,
            )
    except Exception as exc:  # noqa: BLE001 - one report failing must not stop others
        status.update(notebook="failed", error=_error_text(exc))
        status["traceback"] = traceback.format_exc()
    if executed.exists():
        status["files"].append(executed.name)
    return status


def export_report(
    status: dict[str, Any],
    out_dir: str,
    stem: str,
    title: str,
    pdf: bool = True,
    warm: bool = True,
) -> dict[str, Any]:
    """Export an executed report (``status`` from :func:`execute_report`) to
    HTML, and to PDF where Chromium is installed (``warm``: with this process's
    open browser); never raises.  Returns the updated status."""
    from models.report.export import export_html

    nb = status.pop("nb", None)  # the executed notebook, as written
    if status["notebook"] != "ok":
        return status
    out = Path(out_dir)
    try:
        export_html(out / f"{stem}.ipynb", out / f"{stem}.html", title, nb=nb)
        status["files"].append(f"{stem}.html")
        if (out / f"{stem}.xlsx").exists():
            status["files"].append(f"{stem}.xlsx")
    except Exception as exc:  # noqa: BLE001
        status.update(notebook="failed", error=f"export: {_error_text(exc)}")
        status["traceback"] = traceback.format_exc()
        return status
    return print_report_pdf(status, out_dir, stem, warm) if pdf else status


def print_report_pdf(
    status: dict[str, Any], out_dir: str, stem: str, warm: bool = True
) -> dict[str, Any]:
    """Print an exported report's HTML to PDF where Chromium is installed
    (``warm``: with this process's open browser); never raises.  The PDF is a
    convenience copy: its failure is noted in ``pdf`` and the report stands."""
    from models.report.export import export_pdf, find_chromium

    if status["notebook"] != "ok" or not find_chromium():
        return status
    out = Path(out_dir)
    try:
        browser = None
        if warm:
            from models.report.browser import shared_browser

            browser = shared_browser()
        export_pdf(out / f"{stem}.html", out / f"{stem}.pdf", browser=browser)
        status["files"].append(f"{stem}.pdf")
    except Exception as exc:  # noqa: BLE001
        status["pdf"] = f"failed: {_error_text(exc)}"
    return status


def render_notebook(
    notebook: str,
    out_dir: str,
    stem: str,
    title: str,
    parameters: dict[str, Any],
    pdf: bool = True,
    warm: bool = True,
) -> dict[str, Any]:
    """Execute one report notebook and export it (:func:`execute_report` then
    :func:`export_report`); never raises.  One picklable call: the job any
    executor runs (``warm=False``: plain papermill and a Chromium of its own)."""
    status = execute_report(notebook, out_dir, stem, parameters, warm)
    return export_report(status, out_dir, stem, title, pdf, warm)


def _freeze_imports() -> None:
    """Leave what exists now (mostly the modules just imported) out of garbage
    collection: each full collection of the batch then scans only what the
    batch made.  Not in an IPython session: its user's objects are not ours to
    keep."""
    from models.run import kernel_fork

    if not kernel_fork.in_ipython():
        gc.freeze()


def _passed_on_to(done: Future) -> Callable[[Future], None]:
    """A callback handing a finished future's result, or error, on to ``done``."""

    def pass_on(f: Future) -> None:
        try:
            done.set_result(f.result())
        except BaseException as exc:  # noqa: BLE001 - handed to the collector
            if not done.done():
                done.set_exception(exc)

    return pass_on


class ReportWorkers:
    """Reports where kernels cannot be forked: ``jobs`` threads, each driving
    one warm kernel, and one more thread exporting (HTML, then PDF with the one
    browser).

    The notebooks run in the kernels (a process each), so the threads only send
    cells and write files; exports run apart so that a kernel starts its next
    notebook while the last one is printed.  Workers start warming up (kernel
    started, package imported, browser opened) as soon as this is created.
    """

    def __init__(self, jobs: int | None, reports: int, pdf: bool = True) -> None:
        workers = max(1, min(jobs or default_jobs(), reports or 1))
        # The kernels start now and import the package while this process goes on.
        self._all = [WarmKernel() for _ in range(workers)]
        self._idle: queue.SimpleQueue = queue.SimpleQueue()
        self._mine = threading.local()
        for k in self._all:
            self._idle.put(k)
        # Everything the threads use is imported here, in this thread, first:
        # two threads importing at once can meet a half-initialised module.
        import nbconvert  # noqa: F401
        import papermill  # noqa: F401

        # and what every kernel preloads (models.run.kernels.PRELOAD)
        from models.report import browser, export, monitoring, notebook  # noqa: F401

        _freeze_imports()
        self.kernels = ThreadPoolExecutor(workers, thread_name_prefix="kernel")
        self.exports = ThreadPoolExecutor(1, thread_name_prefix="export")
        if pdf and export.find_chromium():
            self.exports.submit(browser.shared_browser)

    def _execute(self, job: dict[str, Any]) -> dict[str, Any]:
        """Run one notebook on whichever kernel is free (a dead one is replaced)."""
        # Each thread keeps the kernel it first takes: a kernel's client belongs
        # to the event loop of one thread (models.run.kernels).
        kernel = getattr(self._mine, "kernel", None) or self._idle.get()
        if not kernel.alive():
            kernel.shutdown()
            self._all.append(kernel := WarmKernel())
        self._mine.kernel = kernel
        return execute_report(
            job["notebook"],
            job["out_dir"],
            job["stem"],
            job["parameters"],
            kernel=kernel,
        )

    def submit(self, job: dict[str, Any]) -> Future:
        """Run one report job (keyword arguments of :func:`render_notebook`)."""
        done: Future = Future()
        export_args = {k: job[k] for k in ("out_dir", "stem", "title") if k in job}
        export_args["pdf"] = job.get("pdf", True)

        def executed(f: Future) -> None:
            try:
                status = f.result()
                self.exports.submit(
                    export_report, status, **export_args
                ).add_done_callback(_passed_on_to(done))
            except BaseException as exc:  # noqa: BLE001 - cancelled, or pool shut down
                if not done.done():
                    done.set_exception(exc)

        self.kernels.submit(self._execute, job).add_done_callback(executed)
        return done

    def last_job_submitted(self) -> None:
        """No job will follow (the threads stop at :meth:`close`)."""

    def close(self) -> None:
        """Stop the threads, then the kernels and the browser."""
        from models.report.browser import close_shared_browser

        self.kernels.shutdown(wait=True, cancel_futures=True)
        self.exports.shutdown(wait=True, cancel_futures=True)
        for k in self._all:
            k.shutdown()
        shutdown_kernels()
        close_shared_browser()


class ForkedReportWorkers:
    """The default where kernels can be forked (:mod:`models.run.kernel_fork`):
    ``jobs`` worker processes forked from this one once it has imported
    everything; each runs notebooks on a warm kernel of its own (forked from
    it) and exports them to HTML; this process prints the PDFs with its one
    browser.  Driving kernels and exporting then take no time from this
    process, which computes the options meanwhile, and nothing is imported
    twice.
    """

    def __init__(self, jobs: int | None, reports: int, pdf: bool = True) -> None:
        from concurrent.futures import ProcessPoolExecutor

        import nbconvert  # noqa: F401 - imported here once, for every worker
        import papermill  # noqa: F401

        # what every forked kernel preloads (models.run.kernels.PRELOAD), once
        from models.report import browser, export, monitoring, notebook  # noqa: F401
        from models.run import kernel_fork

        kernel_fork.prepare_to_fork()
        register_engine()
        _freeze_imports()  # forked processes then share these pages, too
        self.workers = max(1, min(jobs or default_jobs(), reports or 1))
        self.pool = ProcessPoolExecutor(
            self.workers, mp.get_context("fork"), initializer=_start_worker
        )
        # jobs wait here, not in the pool, so that the longest goes first
        self._waiting: list[tuple[int, int, dict[str, Any], Future]] = []
        self._order = itertools.count()
        self._running = 0
        self._lock = threading.Lock()
        self._last_submitted = False
        self._stopping: threading.Thread | None = None
        # the first job forks every worker, now, while no other thread runs
        self.pool.submit(int)
        self.exports = ThreadPoolExecutor(1, thread_name_prefix="pdf")
        self.pdf = pdf and export.find_chromium() is not None
        if self.pdf:
            self.exports.submit(browser.shared_browser)

    def submit(self, job: dict[str, Any]) -> Future:
        """Run one report job (keyword arguments of :func:`render_notebook`).

        Jobs start in the order given, but the comparison before any other
        that is still waiting: it is the longest report and comes last, and
        would otherwise run alone at the end while the other workers idle.
        """
        done: Future = Future()
        first = 0 if job.get("stem") == COMPARISON else 1
        with self._lock:
            self._waiting.append((first, next(self._order), job, done))
            self._waiting.sort(key=lambda w: w[:2])
        self._start_waiting()
        return done

    def last_job_submitted(self) -> None:
        """No job will follow: the workers stop (and stop their kernels) as soon
        as the last notebook is rendered, while its PDF is printed."""
        with self._lock:
            self._last_submitted = True
        self._start_waiting()

    def _start_waiting(self) -> None:
        """Hand waiting jobs to the pool while a worker is free; once the last
        job is rendered, stop the workers in the background."""
        while True:
            with self._lock:
                if not self._waiting and not self._running and self._last_submitted:
                    if self._stopping is None:
                        self._stopping = threading.Thread(
                            target=self.pool.shutdown, name="stop-workers"
                        )
                        self._stopping.start()
                    return
                if self._running >= self.workers or not self._waiting:
                    return
                _, _, job, done = self._waiting.pop(0)
                self._running += 1
            try:
                rendering = self.pool.submit(render_notebook, **{**job, "pdf": False})
            except BaseException as exc:  # noqa: BLE001 - the pool was shut down
                with self._lock:
                    self._running -= 1
                done.set_exception(exc)
                continue
            rendering.add_done_callback(
                lambda f, job=job, done=done: self._rendered(f, job, done)
            )

    def _rendered(self, f: Future, job: dict[str, Any], done: Future) -> None:
        """A worker is done with ``job``: print its PDF here, start the next."""
        with self._lock:
            self._running -= 1
        self._start_waiting()
        if f.exception() is not None or not (self.pdf and job.get("pdf", True)):
            _passed_on_to(done)(f)
            return
        try:
            self.exports.submit(
                print_report_pdf, f.result(), job["out_dir"], job["stem"]
            ).add_done_callback(_passed_on_to(done))
        except BaseException as exc:  # noqa: BLE001 - the pool was shut down
            if not done.done():
                done.set_exception(exc)

    def close(self) -> None:
        """Stop the workers (each stops its kernel), then the browser."""
        from models.report.browser import close_shared_browser

        with self._lock:
            waiting, self._waiting = self._waiting, []
            stopping = self._stopping
        for *_, done in waiting:
            done.cancel()
        if stopping is not None:
            stopping.join()
        self.pool.shutdown(wait=True, cancel_futures=True)
        self.exports.shutdown(wait=True, cancel_futures=True)
        close_shared_browser()


def _start_worker() -> None:
    """In a forked worker: start its warm kernel, stopped when the worker exits.

    Interrupts are the parent's to handle: it stops every child (a worker
    would only print a traceback).  A worker dies with the command however the
    command ends, SIGKILL included (:mod:`models.run.orphans`).
    """
    import signal
    from multiprocessing import util

    parent = mp.parent_process()
    die_with_parent(parent.pid if parent is not None else os.getppid())
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    warm_kernel()
    util.Finalize(None, shutdown_kernels, exitpriority=10)


def start_report_workers(
    jobs: int | None, reports: int, pdf: bool = True
) -> ForkedReportWorkers | ReportWorkers:
    """Forked worker processes where kernels can be forked, else threads."""
    from models.run import kernel_fork

    if kernel_fork.can_fork():
        return ForkedReportWorkers(jobs, reports, pdf)
    return ReportWorkers(jobs, reports, pdf)


def submit_job(
    runner: ForkedReportWorkers | ReportWorkers | Executor, job: dict[str, Any]
) -> Future:
    """Submit one report job to warm workers, or to any executor (one picklable
    :func:`render_notebook` call: e.g. a Dask client's executor)."""
    if isinstance(runner, ForkedReportWorkers | ReportWorkers):
        return runner.submit(job)
    return runner.submit(render_notebook, **job)


def _quiet_kernel_stderr() -> None:
    """Send this worker's stderr (inherited by kernels and Chromium) to /dev/null.

    A kernel prints a transport warning at start; errors raised in a notebook
    are kept in the executed notebook, so nothing is lost.  Only ever called in
    a pool worker process, never in the process running the command.
    """
    if mp.parent_process() is None:
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    os.close(devnull)


def report_jobs(
    case_path: Path,
    case: Case,
    names: list[str],
    out: Path,
    run_date: str,
    analysis: Mapping[str, Path] | None = None,
) -> dict[str, dict[str, Any]]:
    """Every report of a run as keyword arguments of :func:`render_notebook`,
    keyed ``option:<name>``, ``comparison`` and ``monitoring:<actuals file>``;
    paths are absolute so that any worker can run any job.  ``analysis``: the
    files of :func:`models.engine.analysis.save_option_analysis` and :func:`models.engine.analysis.save_comparison_analysis` (by option, and
    ``comparison``), passed to the notebooks so that they compute nothing twice."""
    case_file = str(case_path.resolve())
    analysis = analysis or {}

    def analysis_path(key: str) -> str | None:
        return str(analysis[key].resolve()) if key in analysis else None

    jobs: dict[str, dict[str, Any]] = {
        COMPARISON: {
            "notebook": str(COMPARISON_NOTEBOOK),
            "out_dir": str(out),
            "stem": COMPARISON,
            "title": f"{case.title} - comparison of options",
            "parameters": {
                "case_path": case_file,
                "options": ",".join(names),
                "excel_path": str(out / f"{COMPARISON}.xlsx"),
                "run_date": run_date,
                "analysis_path": analysis_path(COMPARISON),
            },
        }
    }
    for option in names:
        jobs[f"option:{option}"] = {
            "notebook": str(OPTION_NOTEBOOK),
            "out_dir": str(out),
            "stem": option,
            "title": f"{case.title} - {case.options[option].title or option}",
            "parameters": {
                "case_path": case_file,
                "option": option,
                "excel_path": str(out / f"{option}.xlsx"),
                "run_date": run_date,
                "analysis_path": analysis_path(option),
            },
        }
    for actuals in case.actuals_files():
        stem = "monitoring" if len(case.actuals) == 1 else f"monitoring-{actuals.stem}"
        jobs[f"monitoring:{actuals.name}"] = {
            "notebook": str(MONITORING_NOTEBOOK),
            "out_dir": str(out),
            "stem": stem,
            "title": f"{case.title} - monitoring",
            "parameters": {
                "actuals_file": str(actuals.resolve()),
                "case_path": case_file,
                "excel_path": str(out / f"{stem}.xlsx"),
                "run_date": run_date,
            },
        }
    return jobs


def collect_reports(
    futures: Mapping[Future, str],
    names: list[str],
    statuses: MutableMapping[str, dict[str, Any]],
    desc: str = "reports",
    progress: bool = True,
    charts: MutableMapping[str, dict[str, bytes]] | None = None,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Wait for the reports sent by :func:`submit_job`.  Updates ``statuses`` in
    place (``notebook``, ``files``, and ``status``/``error`` when an option's
    notebook fails) and returns the comparison's status and the monitoring
    statuses keyed by actuals file.  The charts each job drew go into
    ``charts`` by job key (``option:<name>``, ``comparison``)."""
    from models.run.progress import progress_bar

    results: dict[str, dict[str, Any]] = {}
    with progress_bar(
        total=len(futures),
        desc=desc,
        unit="report",
        file=sys.stderr,
        disable=not progress,
    ) as bar:
        for fut in as_completed(futures):
            key = futures[fut]
            try:
                result = fut.result()
            except Exception as exc:  # noqa: BLE001 - e.g. the worker died
                result = {"notebook": "failed", "files": [], "error": _error_text(exc)}
            drawn = result.pop("charts", None) or {}
            if charts is not None:
                charts[key] = drawn
            results[key] = result
            bar.update(1)
    for name in names:
        _merge_status(
            statuses.setdefault(name, {"status": "ok"}), results[f"option:{name}"]
        )
    comparison = results[COMPARISON]
    comparison.pop("traceback", None)
    monitoring = {}
    for key, result in results.items():
        if key.startswith("monitoring:"):
            result.pop("traceback", None)
            monitoring[key.split(":", 1)[1]] = result
    return comparison, monitoring


def _merge_status(status: dict[str, Any], result: dict[str, Any]) -> None:
    status["notebook"] = result["notebook"]
    status["files"] = result["files"]
    if "pdf" in result:
        status["pdf"] = result["pdf"]
    if result["notebook"] != "ok":
        if status.get("status") == "ok":  # the model ran but the notebook failed
            status["status"] = "failed"
            status["error"] = f"notebook: {result.get('error', 'unknown error')}"
            status["traceback"] = result.get("traceback", "")
        else:
            status.setdefault("notebook_error", result.get("error"))
