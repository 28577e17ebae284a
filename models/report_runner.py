"""Notebook reports of a run: papermill per option in parallel, then the comparison.

For every option, ``notebooks/option_report.ipynb`` is executed with papermill
into the run folder as ``<option>.ipynb`` and exported to ``<option>.html``,
``<option>.xlsx`` and, where Chromium is installed, ``<option>.pdf``.  Options
run in parallel across ``jobs`` processes; one option failing does not stop the
others (its executed notebook is kept, with the error in it).  Then
``notebooks/comparison.ipynb`` gives ``comparison.ipynb/.html/.xlsx/.pdf``, and,
for each actuals file the case lists, ``notebooks/monitoring.ipynb`` gives
``monitoring.ipynb/.html/.xlsx/.pdf``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import multiprocessing as mp
import os
import sys
import traceback
from collections.abc import MutableMapping
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path
from typing import Any

from models.case import Case
from models.runfolder import RunFolder

REPO_ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = REPO_ROOT / "notebooks"
OPTION_NOTEBOOK = NOTEBOOKS / "option_report.ipynb"
COMPARISON_NOTEBOOK = NOTEBOOKS / "comparison.ipynb"
MONITORING_NOTEBOOK = NOTEBOOKS / "monitoring.ipynb"
COMPARISON = "comparison"
KERNEL = "python3"


def notebook_paths() -> list[Path]:
    """The report notebooks a run executes (inputs of every run)."""
    return [OPTION_NOTEBOOK, COMPARISON_NOTEBOOK, MONITORING_NOTEBOOK]


def display_path(path: Path) -> str:
    """A path relative to the repository where it lies inside it."""
    try:
        return str(path.resolve().relative_to(REPO_ROOT))
    except ValueError:
        return str(path)


def default_jobs() -> int:
    """Parallel processes when ``--jobs`` is not given: the number of cores."""
    return os.cpu_count() or 1


def _error_text(exc: BaseException) -> str:
    ename = getattr(exc, "ename", None)
    if ename:  # papermill.PapermillExecutionError: the error raised in the notebook
        return f"{ename}: {getattr(exc, 'evalue', '')}"
    return f"{type(exc).__name__}: {exc}"


def render_notebook(
    notebook: str,
    out_dir: str,
    stem: str,
    title: str,
    parameters: dict[str, Any],
    pdf: bool = True,
) -> dict[str, Any]:
    """Execute one report notebook into ``out_dir`` and export it; never raises.

    Returns ``{"notebook": "ok"|"failed", "files": [...], "error": ...}``; the
    executed notebook is kept whatever happens.
    """
    import papermill as pm

    from models.report.export import export_html, export_pdf, find_chromium

    out = Path(out_dir)
    executed = out / f"{stem}.ipynb"
    status: dict[str, Any] = {"notebook": "ok", "files": []}
    try:
        _quiet_kernel_stderr()
        pm.execute_notebook(
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
    if status["notebook"] != "ok":
        return status
    try:
        export_html(executed, out / f"{stem}.html", title)
        status["files"].append(f"{stem}.html")
        if (out / f"{stem}.xlsx").exists():
            status["files"].append(f"{stem}.xlsx")
    except Exception as exc:  # noqa: BLE001
        status.update(notebook="failed", error=f"export: {_error_text(exc)}")
        status["traceback"] = traceback.format_exc()
        return status
    if pdf and find_chromium():
        try:  # the PDF is a convenience copy: its failure leaves the report standing
            export_pdf(out / f"{stem}.html", out / f"{stem}.pdf")
            status["files"].append(f"{stem}.pdf")
        except Exception as exc:  # noqa: BLE001
            status["pdf"] = f"failed: {_error_text(exc)}"
    return status


def _quiet_kernel_stderr() -> None:
    """Send this worker's stderr (inherited by the kernel) to /dev/null.

    The kernel prints a transport warning at start; errors raised in a notebook
    are kept in the executed notebook, so nothing is lost.  Only ever called in
    a pool worker process, never in the process running the command.
    """
    if mp.parent_process() is None:
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    os.close(devnull)


def _option_job(
    case_path: Path, case: Case, option: str, out: Path, run_date: str
) -> dict[str, Any]:
    return {
        "notebook": str(OPTION_NOTEBOOK),
        "out_dir": str(out),
        "stem": option,
        "title": f"{case.title} - {option}",
        "parameters": {
            "case_path": str(case_path.resolve()),
            "option": option,
            "excel_path": str(out / f"{option}.xlsx"),
            "run_date": run_date,
        },
    }


def render_reports(
    path: Path,
    case: Case,
    names: list[str],
    statuses: MutableMapping[str, dict[str, Any]],
    folder: RunFolder,
    jobs: int | None,
    run_date: str | None = None,
    progress: bool = True,
) -> dict[str, Any]:
    """Execute the option notebooks in parallel, then the comparison notebook.

    Updates ``statuses`` in place (``notebook``, ``files``, and ``status``/
    ``error`` when the notebook fails) and returns the comparison's status.
    """
    from tqdm import tqdm

    out = folder.tmp.resolve()  # the run folder under its temporary name
    run_date = run_date or dt.date.today().isoformat()
    workers = max(1, min(jobs or default_jobs(), len(names) or 1))
    ctx = mp.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
        futures = {
            pool.submit(render_notebook, **_option_job(path, case, n, out, run_date)): n
            for n in names
        }
        with tqdm(
            total=len(names),
            desc=f"{case.name}: options",
            unit="option",
            file=sys.stderr,
            disable=not progress,
        ) as bar:
            for fut in as_completed(futures):
                name = futures[fut]
                try:
                    result = fut.result()
                except Exception as exc:  # noqa: BLE001 - e.g. the worker died
                    result = {
                        "notebook": "failed",
                        "files": [],
                        "error": _error_text(exc),
                    }
                _merge_status(statuses.setdefault(name, {"status": "ok"}), result)
                bar.update(1)
        comparison_job = pool.submit(
            render_notebook,
            notebook=str(COMPARISON_NOTEBOOK),
            out_dir=str(out),
            stem=COMPARISON,
            title=f"{case.title} - comparison of options",
            parameters={
                "case_path": str(path.resolve()),
                "options": ",".join(names),
                "excel_path": str(out / f"{COMPARISON}.xlsx"),
                "run_date": run_date,
            },
        )
        try:
            comparison = comparison_job.result()
        except Exception as exc:  # noqa: BLE001
            comparison = {"notebook": "failed", "files": [], "error": _error_text(exc)}
    comparison.pop("traceback", None)
    return comparison


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


def render_monitoring(
    path: Path, case: Case, folder: RunFolder, run_date: str | None = None
) -> dict[str, Any]:
    """Execute the monitoring notebook for each actuals file the case lists and
    export it (``monitoring.ipynb/.html/.xlsx/.pdf``, or ``monitoring-<name>.*``
    when there are several).  Returns the status of each, keyed by file name."""
    out = folder.tmp.resolve()
    run_date = run_date or dt.date.today().isoformat()
    statuses: dict[str, Any] = {}
    for actuals in case.actuals_files():
        stem = "monitoring" if len(case.actuals) == 1 else f"monitoring-{actuals.stem}"
        with _kernel_stderr_silenced():
            result = render_notebook(
                notebook=str(MONITORING_NOTEBOOK),
                out_dir=str(out),
                stem=stem,
                title=f"{case.title} - monitoring",
                parameters={
                    "actuals_file": str(actuals.resolve()),
                    "case_path": str(path.resolve()),
                    "excel_path": str(out / f"{stem}.xlsx"),
                    "run_date": run_date,
                },
            )
        result.pop("traceback", None)
        statuses[actuals.name] = result
    return statuses


@contextlib.contextmanager
def _kernel_stderr_silenced():
    """Silence fd 2 while a kernel starts in this process (its transport warning);
    errors raised in the notebook are kept in the executed notebook."""
    sys.stderr.flush()
    saved = os.dup(2)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    try:
        yield
    finally:
        sys.stderr.flush()
        os.dup2(saved, 2)
        os.close(devnull)
        os.close(saved)
