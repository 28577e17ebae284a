"""Batch runs: validate, compute every option, write a new run folder with a manifest.

Each run writes ``outputs/<case>/<run-id>/`` containing ``results.csv`` (the long
table of every option), ``results.json`` and ``manifest.json`` (inputs and their
SHA-256, package version, git commit, dependency versions, start and end times,
status per option).  Nothing is written when validation fails.  A run that is
interrupted or fails unexpectedly is kept as ``<run-id>.incomplete/``, marked so
(see models.run.runfolder), and so is a run with any failed part (an option,
a report or its export, an uncertainty analysis): ``manifest.json`` then says
``"status": "failed"`` and lists what failed, and the command exits 1.
``latest`` keeps pointing at the last complete run.
"""

from __future__ import annotations

import datetime as dt
import difflib
import importlib.metadata as md
import os
import platform
import shutil
import subprocess
from concurrent.futures import Executor, Future
from pathlib import Path
from typing import Any

import click
import pandas as pd

from models.core.cells import write_csv
from models.core.errors import InputError
from models.core.paths import file_sha256
from models.core.version import __version__
from models.core.yamlio import load_yaml
from models.engine.analysis import (
    CaseAnalysis,
    OptionAnalysis,
    analyse_case,
    save_comparison_analysis,
    save_option_analysis,
)
from models.engine.loading import load_case
from models.engine.results import results_json
from models.engine.uncertainty import uncertainty_json
from models.inputs.case import Case
from models.report.council_tables import council_tables
from models.report.export import PDF_HOW_TO, pdf_skip_reason
from models.report.monitoring import monitoring_outputs
from models.report.uncertainty_files import uncertainty_outputs
from models.run.executors import DaskRun, local_mapper
from models.run.interrupt import interrupt_signal, signals_held, stop_children
from models.run.notebooks import display_path, notebook_paths
from models.run.runfolder import RunFolder
from models.run.stream import stream_case

ANALYSIS_DIR = ".analysis"
"""Inside a run folder under construction: the analysis its notebooks read
(:mod:`models.engine.analysis`); removed before the folder is put in place."""

DEPENDENCIES = (
    "numpy",
    "pandas",
    "scipy",
    "pydantic",
    "PyYAML",
    "matplotlib",
    "openpyxl",
    "click",
    "tqdm",
    "papermill",
    "nbconvert",
    "nbformat",
)


def dependency_versions() -> dict[str, str]:
    """Installed versions of the packages a run depends on."""
    out = {"python": platform.python_version()}
    for name in DEPENDENCIES:
        try:
            out[name] = md.version(name)
        except md.PackageNotFoundError:
            out[name] = "not installed"
    return out


def git_commit(path: Path | None = None) -> str | None:
    """Commit of the working tree, or None outside git."""
    try:
        out = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            cwd=path or Path.cwd(),
            timeout=10,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None if out.returncode == 0 else None


def case_inputs(
    case_path: Path, case: Case | None = None, notebooks: bool = False
) -> dict[str, str]:
    """Every input file of a case and its SHA-256 (the case file and files it names,
    and the report notebooks when they are run)."""
    files = [case_path, *(case.input_files() if case is not None else [])]
    inputs = {str(p): file_sha256(p) for p in files if Path(p).exists()}
    if notebooks:
        inputs.update({display_path(p): file_sha256(p) for p in notebook_paths()})
    return inputs


def input_files_read(case_path: Path, case: Case) -> list[Path]:
    """Every file a run of the case reads: the case file, the tables, actuals and
    risk register it names, and the case each actuals file takes its budgets from
    (``approved_case``), each once, in that order."""
    files = [Path(case_path), *case.input_files()]
    for actuals in case.actuals_files():
        link = load_yaml(actuals).get("approved_case")
        if isinstance(link, dict) and isinstance(link.get("file"), str):
            files.append(actuals.parent / link["file"])
    seen: set[Path] = set()
    unique = []
    for file in files:
        if file.is_file() and file.resolve() not in seen:
            seen.add(file.resolve())
            unique.append(file)
    return unique


def keep_inputs(folder: RunFolder, case_path: Path, case: Case) -> dict[str, str]:
    """Copy every input file of the run into its folder under ``inputs/``, laid out
    as beside the case file (so that the copy of the case runs as it is), and
    return ``{"inputs/<file>": SHA-256}`` for the manifest.  A file the case names
    from outside its own folder is kept under its bare name."""
    kept: dict[str, str] = {}
    base = Path(case_path).parent
    for file in input_files_read(case_path, case):
        relative = Path(os.path.relpath(file, base))
        if relative.is_absolute() or ".." in relative.parts:
            relative = Path(file.name)
        name = f"inputs/{relative.as_posix()}"
        shutil.copyfile(file, folder.path(name))
        kept[name] = file_sha256(folder.path(name))
    return kept


def run_cases(
    paths: list[Path],
    options: list[str] | None = None,
    jobs: int | None = None,
    out_root: Path = Path("outputs"),
    notebooks: bool = True,
    executor: Executor | None = None,
    cluster: DaskRun | None = None,
) -> int:
    """Run cases; return the exit status (0 all ok, 1 some option failed).

    Validation of every case (and the requested options) happens before anything
    is written; an InputError propagates to the CLI (exit 2).  The reports run
    on ``executor`` when one is given (any :class:`concurrent.futures.Executor`),
    else on ``jobs`` warm worker processes.  ``cluster``: a Dask cluster
    (:class:`models.run.executors.DaskRun`) on which the reports and the
    options are computed.
    """
    if cluster is not None:
        executor = cluster.executor
    cases: list[tuple[Path, Case]] = []
    for p in paths:
        case = load_case(p)
        for o in options or []:
            if o not in case.options:
                hint = difflib.get_close_matches(o, list(case.options), n=1)
                raise InputError(
                    p,
                    "--options",
                    f"an option of the case ({', '.join(case.options)})"
                    + (f" (did you mean '{hint[0]}'?)" if hint else ""),
                    repr(o),
                )
        cases.append((p, case))
    if notebooks:
        for nb in notebook_paths():
            if not nb.exists():
                raise InputError(nb, None, "the report notebook", "no such file")
    status = 0
    for path, case in cases:
        status = max(
            status,
            run_one_case(
                path, case, options, jobs, out_root, notebooks, executor, cluster
            ),
        )
    return status


def run_one_case(
    path: Path,
    case: Case,
    options: list[str] | None,
    jobs: int | None,
    out_root: Path,
    notebooks: bool,
    executor: Executor | None = None,
    cluster: DaskRun | None = None,
) -> int:
    """Compute every option of one case into a new run folder; the exit status."""
    started = dt.datetime.now().astimezone()
    names = options or list(case.options)
    folder = new_run_folder(out_root, case)
    own_workers = None
    try:
        work_case = case  # the case the options are computed from
        if cluster is not None:  # workers elsewhere: files named by absolute path
            work_case = located_case(path, case)
            if notebooks:  # and the workers share our folders
                cluster.check_shared(
                    input_files_read(path, case) + notebook_paths(), folder.tmp
                )
        monitoring: dict[str, Any] | None = None
        comparison: dict[str, Any] | None = None
        tables_error = None
        if not notebooks:  # options computed and written as a stream
            statuses, tables_error = write_streamed(
                folder, path, work_case, names, jobs, cluster
            )
            kept_inputs = keep_inputs(folder, path, case)
        else:
            if executor is None:
                from models.run.report_runner import start_report_workers

                # started first, so that they warm up while the first option is
                # computed
                executor = own_workers = start_report_workers(
                    jobs, len(names) + 1 + len(case.actuals)
                )
            reports = CaseReports(executor, path, case, names, folder, started)
            # Every option and its analyses, computed once for all the outputs
            # below (on the cluster if any); each report's worker draws its charts
            analysis = analyse_case(
                path,
                work_case,
                names,
                reports.on_option,
                mapper=cluster.mapper if cluster is not None else None,
            )
            statuses = option_statuses(analysis, names)
            reports.submit_the_rest(analysis)
            if own_workers is not None:  # they may stop as soon as they are done
                own_workers.last_job_submitted()
            write_results(folder, case, analysis)
            kept_inputs = keep_inputs(folder, path, case)
            comparison, monitoring_reports = reports.collect(statuses, analysis)
            if case.actuals:
                monitoring = monitoring_reports
            try:  # a chart no report drew (one failed) is drawn here
                uncertainty_outputs(case, folder, list(analysis.results), analysis)
            except InputError:
                raise
            except Exception as exc:  # noqa: BLE001 - a failed part, named below
                tables_error = f"{type(exc).__name__}: {exc}"
        manifest = run_manifest(folder, path, case, started, statuses, notebooks)
        manifest["input_copies"] = kept_inputs
        if monitoring is not None:
            manifest["monitoring"] = monitoring
        if comparison is not None:
            manifest["comparison"] = comparison
            manifest["jobs"] = jobs or reports.runner.default_jobs()
        pdf_skipped = pdf_skip_reason() if notebooks else None
        if pdf_skipped:
            manifest["pdf"] = f"skipped: {pdf_skipped}"
        failed = failed_parts(statuses, monitoring, comparison, tables_error)
        manifest.update(run_status(folder, failed))
        if not failed:
            folder.write_json("manifest.json", manifest)
    except InputError:
        folder.abandon()  # bad input: nothing written
        raise
    except BaseException as exc:  # interrupted or failed: kept, marked incomplete
        _keep_incomplete(folder, exc, case, started)
        raise
    finally:
        if own_workers is not None:
            own_workers.close()
    final = put_in_place(folder, manifest, failed, case, started)
    for text, is_error in run_summary(case.name, final, statuses, failed, folder):
        click.echo(text, err=is_error)
    if pdf_skipped:
        click.echo(f"  PDFs were not written: {pdf_skipped}; {PDF_HOW_TO}.", err=True)
    return 1 if failed else 0


def new_run_folder(out_root: Path, case: Case) -> RunFolder:
    """A new run folder for ``case`` under ``out_root``; if none can be made
    there (``--out`` is a file, or on a read-only or full disk) an InputError
    naming the folder (exit 2), and nothing is written."""
    try:
        return RunFolder(out_root, case.name)
    except OSError as exc:
        raise InputError(
            out_root,
            "--out",
            "a folder where a new run folder can be written",
            os_problem(exc, out_root),
        ) from None


def os_problem(exc: OSError, folder: Path | None = None) -> str:
    """An operating-system error in words, naming the file or folder.

    >>> import errno
    >>> os_problem(OSError(errno.ENOSPC, "No space left on device", "out/a.csv"))
    'No space left on device (errno 28): out/a.csv'
    """
    if folder is not None and isinstance(exc, FileExistsError | NotADirectoryError):
        # mkdir of a folder whose name, or a parent's, is taken by a file
        for p in (folder, *folder.parents):
            if p.exists() and not p.is_dir():
                return f"a file at {p}"
    where = exc.filename if exc.filename is not None else folder
    what = exc.strerror or type(exc).__name__
    errno_text = f" (errno {exc.errno})" if exc.errno else ""
    return f"{what}{errno_text}" + (f": {where}" if where else "")


def located_case(path: Path, case: Case) -> Case:
    """The case as read from its absolute path, so that the files it names are
    found from any working folder (a Dask worker's is not the command's)."""
    located = Path(path).resolve()
    return case if Path(path) == located else load_case(located)


def write_streamed(
    folder: RunFolder,
    path: Path,
    case: Case,
    names: list[str],
    jobs: int | None,
    cluster: DaskRun | None,
) -> tuple[dict[str, dict], str | None]:
    """A run without reports: every option computed (on local worker processes
    or the cluster) and written as it arrives (:mod:`models.run.stream`), then
    the monitoring reports; each option's status, and why the uncertainty
    tables were not written (None when they were)."""
    pool = None
    if cluster is not None:
        mapper = cluster.mapper
    else:
        mapper, pool = local_mapper(jobs, len(names))
    try:
        streamed = stream_case(case, names, folder, mapper)
    finally:
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
    if case.actuals:
        monitoring_outputs(case, folder)
    return streamed.statuses, streamed.uncertainty_error


class CaseReports:
    """The report notebooks of one case, each sent to ``executor`` as soon as
    what it reads is ready: monitoring at once, an option's report when its
    analysis is saved (:meth:`on_option`), the comparison when all are."""

    def __init__(
        self,
        executor: Executor,
        path: Path,
        case: Case,
        names: list[str],
        folder: RunFolder,
        started: dt.datetime,
    ) -> None:
        from models.run import report_runner

        self.runner = report_runner
        self.executor = executor
        self.names = names
        self.case_name = case.name
        self.analysis_dir = folder.tmp / ANALYSIS_DIR
        # the notebooks get the case as read from its resolved path, which is how
        # they name it (they run in the run folder)
        self.located = path.resolve()
        self.case = case if path == self.located else load_case(self.located)
        self.jobs = report_runner.report_jobs(
            path, case, names, folder.tmp.resolve(), started.date().isoformat()
        )
        self.pending: dict[Future, str] = {}
        for key in self.jobs:
            if key.startswith("monitoring:"):  # needs no analysis: start now
                self.submit(key)

    def submit(self, key: str, analysis_file: Path | None = None) -> None:
        """Send one report's job, pointing it at its saved analysis."""
        job = self.jobs[key]
        if analysis_file is not None:
            job["parameters"]["analysis_path"] = str(analysis_file.resolve())
        self.pending[self.runner.submit_job(self.executor, job)] = key

    def on_option(self, analysis: OptionAnalysis) -> None:
        """An option's analysis is complete: its report starts at once."""
        saved = save_option_analysis(
            analysis, self.located, self.case, self.analysis_dir
        )
        self.submit(f"option:{analysis.option}", saved)

    def submit_the_rest(self, analysis: CaseAnalysis) -> None:
        """The reports of options that failed (their notebook shows the error)
        and the comparison of all options."""
        for name in analysis.failed:
            self.submit(f"option:{name}")
        saved = save_comparison_analysis(
            analysis, self.located, self.case, self.analysis_dir
        )
        self.submit(self.runner.COMPARISON, saved)

    def collect(
        self, statuses: dict[str, dict], analysis: CaseAnalysis
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        """Wait for every report; the comparison's status and the monitoring
        reports'.  The charts the reports drew are handed
        to the analysis, for the run folder's ``uncertainty/``."""
        drawn: dict[str, dict[str, bytes]] = {}
        comparison, reports = self.runner.collect_reports(
            self.pending,
            self.names,
            statuses,
            f"{self.case_name}: reports",
            charts=drawn,
        )
        for name, option in analysis.options.items():
            option.charts.update(drawn.get(f"option:{name}", {}))
        analysis.charts.update(drawn.get(self.runner.COMPARISON, {}))
        shutil.rmtree(self.analysis_dir, ignore_errors=True)
        return comparison, reports


def option_statuses(analysis: CaseAnalysis, names: list[str]) -> dict[str, dict]:
    """Each option's status for the manifest: ``ok`` or ``failed`` with the error;
    an option whose uncertainty analyses failed is ok (the appraisal stands
    without them) and says so under ``uncertainty`` (the run, though, is not
    complete: :func:`failed_parts`)."""
    statuses: dict[str, dict[str, Any]] = {}
    for name in names:
        if name in analysis.failed:
            statuses[name] = {"status": "failed", "error": analysis.failed[name]}
        else:
            statuses[name] = {"status": "ok"}
            error = analysis.options[name].uncertainty_error
            if error:
                statuses[name]["uncertainty"] = f"failed: {error}"
    return statuses


def write_results(folder: RunFolder, case: Case, analysis: CaseAnalysis) -> None:
    """Write ``results.csv`` (the long table), ``council_tables.csv`` (per-council
    tables in £'000, rounded so that every row and column foots) and
    ``results.json`` (with each option's Monte Carlo and switching values)."""
    results = analysis.results
    if results:
        long = pd.concat([r.long for r in results.values()], ignore_index=True)
        write_csv(long, folder.path("results.csv"), index=False)
        write_csv(
            pd.concat([council_tables(r) for r in results.values()]),
            folder.path("council_tables.csv"),
            index=False,
        )
    doc = results_json(case, results)
    for name, a in analysis.options.items():
        if a.uncertainty_error is None:
            doc["options"][name].update(uncertainty_json(case, name, a))
    folder.write_json("results.json", doc)


def run_manifest(
    folder: RunFolder,
    path: Path,
    case: Case,
    started: dt.datetime,
    statuses: dict[str, dict],
    notebooks: bool,
) -> dict[str, Any]:
    """The provenance of a run: its inputs and their SHA-256, the package version,
    git commit and dependency versions, its times and each option's status."""
    finished = dt.datetime.now().astimezone()
    return {
        "case": case.name,
        "run_id": folder.run_id,
        "inputs": case_inputs(path, case, notebooks),
        "package_version": __version__,
        "git_commit": git_commit(),
        "dependencies": dependency_versions(),
        "started": started.isoformat(timespec="seconds"),
        "finished": finished.isoformat(timespec="seconds"),
        "options": {
            n: {k: v for k, v in s.items() if k != "traceback"}
            for n, s in statuses.items()
        },
    }


def failed_parts(
    statuses: dict[str, dict],
    monitoring: dict[str, Any] | None,
    comparison: dict[str, Any] | None,
    tables_error: str | None = None,
) -> list[str]:
    """Every part of a run that failed, one line each (``<option>: <error>``,
    ``uncertainty of <option>: ...``, ``monitoring of <file>: ...``,
    ``comparison: ...``, ``uncertainty tables: ...``); empty when the run is
    complete.  A run with any failed part is kept but never becomes ``latest``.

    A PDF that could not be printed is not a failed part: the PDF is a
    convenience copy of the HTML report, which stands (the manifest and the
    summary say the PDF is missing).

    >>> failed_parts({"a": {"status": "ok", "uncertainty": "failed: MemoryError"},
    ...               "b": {"status": "failed", "error": "KeyError: 'x'"}},
    ...              None, {"notebook": "ok"})
    ["b: KeyError: 'x'", 'uncertainty of a: MemoryError']
    """
    failed = [f"{n}: {s['error']}" for n, s in statuses.items() if s["status"] != "ok"]
    failed += [
        f"uncertainty of {n}: {s['uncertainty'].removeprefix('failed: ')}"
        for n, s in statuses.items()
        if str(s.get("uncertainty", "")).startswith("failed")
    ]
    failed += [
        f"monitoring of {name}: {report.get('error')}"
        for name, report in (monitoring or {}).items()
        if report["notebook"] != "ok"
    ]
    if comparison is not None and comparison["notebook"] != "ok":
        failed.append(f"comparison: {comparison.get('error')}")
    if tables_error is not None:
        failed.append(f"uncertainty tables: {tables_error}")
    return failed


def run_status(folder: RunFolder, failed: list[str]) -> dict[str, Any]:
    """The manifest's ``status`` ("complete", or "failed" with the ``failed``
    parts), and why ``latest`` will not point at a complete run, if it will
    not (:meth:`RunFolder.latest_problem`)."""
    if failed:
        return {"status": "failed", "failed": failed}
    status: dict[str, Any] = {"status": "complete"}
    problem = folder.latest_problem()
    if problem is not None:
        status["latest"] = f"not updated: {problem}"
    return status


def put_in_place(
    folder: RunFolder,
    manifest: dict[str, Any],
    failed: list[str],
    case: Case,
    started: dt.datetime,
) -> Path:
    """A complete run renamed into place and ``latest`` pointed at it; a run
    with a failed part kept as ``<run-id>.incomplete`` with its manifest
    (``latest`` untouched).  Where the run now is."""
    if failed:
        why = (
            f"This run did not complete: {len(failed)} of its parts failed "
            f"({'; '.join(failed)})"
        )
        return folder.keep_failed(why, manifest)
    try:
        return folder.commit()
    except BaseException as exc:  # e.g. the folder cannot be renamed
        _keep_incomplete(folder, exc, case, started)
        raise


def run_summary(
    case_name: str,
    final: Path,
    statuses: dict[str, dict],
    failed: list[str],
    folder: RunFolder | None = None,
) -> list[tuple[str, bool]]:
    """The lines the command prints after a case (text, whether it is an error
    or warning for stderr)."""
    ok = sum(s["status"] == "ok" for s in statuses.values())
    lines = [(f"{case_name}: {ok} of {len(statuses)} options ok -> {final}", False)]
    lines += [(f"  FAILED {what}", True) for what in failed]
    lines += [
        (f"  warning: no PDF of {n}: {s['pdf']}", True)
        for n, s in statuses.items()
        if "pdf" in s
    ]
    if failed:
        latest = final.parent / "latest"
        where = (
            "'latest' still points at the last complete run"
            if latest.exists() or latest.is_symlink()
            else "no run of the case is complete yet, so there is no 'latest'"
        )
        lines.append(
            (f"  the run is kept in {final}, marked incomplete; {where}", True)
        )
    elif folder is not None and folder.latest_left_alone:
        lines.append(
            (
                f"  warning: 'latest' was left alone, not pointed at this run: "
                f"{folder.latest_left_alone}",
                True,
            )
        )
    return lines


def _keep_incomplete(
    folder: RunFolder, exc: BaseException, case: Case, started: dt.datetime
) -> None:
    """Stop child processes, then keep the unfinished run marked incomplete
    (``<run-id>.incomplete``, see models.run.runfolder); ``latest`` is not touched.
    The folder kept is recorded on the exception (``kept_folder``) for the CLI."""

    with signals_held():
        stop_children(since=started.timestamp())  # nothing may go on writing
        kept = folder.mark_incomplete(
            exc,
            {"case": case.name, "started": started.isoformat(timespec="seconds")},
        )
    exc.kept_folder = kept  # type: ignore[attr-defined]
    if isinstance(exc, OSError):  # a full or read-only disk, say: one paragraph
        click.echo(
            f"error: {case.name}: the run stopped: {os_problem(exc)}; its files "
            f"so far are kept in {kept}, marked incomplete (without the files "
            "it was writing); earlier runs and 'latest' are unchanged",
            err=True,
        )
    elif interrupt_signal(exc) is None:
        click.echo(
            f"error: {case.name}: the run failed; its files are kept in {kept}, "
            "marked incomplete",
            err=True,
        )
