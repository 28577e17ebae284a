"""A run without reports, in bounded memory: options computed and written as a stream.

``sharedcase run --no-notebooks`` writes, for every option, its rows of
``results.csv`` and ``council_tables.csv``, its entry of ``results.json`` and
its ``uncertainty/`` files (tornado table and chart, NPV histogram, its rows of
``sensitivity.csv`` and ``monte_carlo_summary.csv``).  Here each option is
reduced, where it is computed, to :class:`OptionOutputs`: those rows, tables,
charts and summaries, and nothing else.  The command appends them to the run
folder as they arrive, in the order of the options, and keeps only what the
comparison needs: each option's ``results.json`` entry, its switching-value
rows and base NPV, and its Monte Carlo NPV draws for the S-curve (one array of
``draws`` floats an option).  So memory grows with one option's arrays (a few
at once, one per worker), not with the number of options.

The files are those the whole-case path writes
(:func:`models.run.runner.write_results` and
:func:`models.report.uncertainty_files.uncertainty_outputs`), byte for byte:
rows are appended in the same order with the header once, and the switching
table of all options is assembled from the per-option rows with the best and
runner-up worked out at the end (:func:`models.engine.uncertainty.switching_table_of`).

Where the options are computed is the mapper's business
(:data:`models.engine.analysis.OptionMapper`): in this process, in forked
worker processes, or on a Dask cluster (:mod:`models.run.executors`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from models.core.cells import csv_safe_frame, write_csv
from models.engine.analysis import (
    OptionAnalysis,
    OptionMapper,
    analyse_option,
    case_samples,
    forget_option,
    has_distributions,
    in_process,
    lean_case,
)
from models.engine.compiled import compiled_once
from models.engine.results import option_json, results_document
from models.engine.uncertainty import (
    MonteCarloResult,
    compile_model,
    monte_carlo_summary,
    npv_at,
    sensitivity_long,
    switching_table_of,
    tornado,
    uncertainty_json,
)
from models.inputs.case import Case
from models.report import uncertainty_tables as pictures
from models.report.analysis_charts import draw_option_charts
from models.report.charts import option_names
from models.report.council_tables import council_tables
from models.report.uncertainty_files import write_tornado


@dataclass
class OptionOutputs:
    """What the run folder keeps of one option (computed where the option was)."""

    name: str
    error: str | None = None
    """The model failed: the error (nothing else is set)."""
    uncertainty_error: str | None = None
    long: pd.DataFrame | None = None
    council: pd.DataFrame | None = None
    entry: dict[str, Any] = field(default_factory=dict)
    """The option's ``results.json`` entry (with its Monte Carlo and switching
    values unless its uncertainty analyses failed)."""
    sensitivity_long: pd.DataFrame | None = None
    tornado: pd.DataFrame | None = None
    switching: pd.DataFrame | None = None
    base_npv: float | None = None
    mc_summary: pd.DataFrame | None = None
    mc_npv: np.ndarray | None = None
    """The Monte Carlo NPV of every draw [GBP] (D,), for the S-curve."""
    charts: dict[str, bytes] = field(default_factory=dict)


def option_outputs(case: Case, a: OptionAnalysis) -> OptionOutputs:
    """Reduce an option's analysis to what the run folder keeps of it."""
    out = OptionOutputs(a.option, uncertainty_error=a.uncertainty_error)
    result = a.result
    out.long = result.long
    out.council = council_tables(result)
    out.entry = option_json(result)
    if a.uncertainty_error is None:
        out.entry.update(uncertainty_json(case, a.option, a))
    out.sensitivity_long, out.tornado = a.sensitivity_long, a.sensitivity
    out.switching = a.switching
    out.charts = dict(a.charts)
    if a.monte_carlo:
        mc = a.monte_carlo[a.option]
        out.mc_summary = monte_carlo_summary(mc)
        out.mc_npv = mc.npv
        out.base_npv = mc.base_npv
    else:
        out.base_npv = float(npv_at(compile_model(case, a.option), {})[0])
    return out


@dataclass(frozen=True)
class OutputsTask:
    """Analyse, draw and reduce options (a picklable call for any worker)."""

    case: Case
    samples: dict[str, np.ndarray] | None
    sampling_error: str | None = None

    def draw(self, a: OptionAnalysis) -> dict[str, bytes]:
        """Draw an option's charts, options named as the reader knows them."""
        return draw_option_charts(a, option_names(self.case))

    def __call__(self, names: list[str]) -> list[OptionOutputs]:
        out = []
        for name in names:
            with compiled_once():  # its analyses and outputs compile it once
                a = analyse_option(
                    self.case, name, self.samples, self.sampling_error, self.draw
                )
                out.append(
                    OptionOutputs(name, error=a)
                    if isinstance(a, str)
                    else option_outputs(self.case, a)
                )
            forget_option(self.case, name)
        return out

    def failed(self, names: list[str], error: str) -> list[OptionOutputs]:
        """Options that could not be computed at all (e.g. their worker died
        more often than retried): failed, with the error."""
        return [OptionOutputs(name, error=error) for name in names]


class CsvAppender:
    """Rows appended to one CSV file, the header written once (as one
    ``pd.concat(frames).to_csv(index=False)`` would write them)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.started = False

    def append(self, frame: pd.DataFrame) -> None:
        csv_safe_frame(frame).to_csv(
            self.path,
            index=False,
            mode="a" if self.started else "w",
            header=not self.started,
        )
        self.started = True


@dataclass
class StreamedCase:
    """What a streamed run kept for the comparison and the manifest."""

    statuses: dict[str, dict[str, Any]]
    uncertainty_error: str | None = None


def stream_case(
    case: Case,
    names: list[str],
    folder: Any,
    mapper: OptionMapper | None = None,
    on_done: Callable[[str], None] | None = None,
) -> StreamedCase:
    """Compute every option and write its files into ``folder`` (a
    :class:`models.run.runfolder.RunFolder`) as it arrives; the statuses.

    ``on_done`` is called with each option's name once it is written (progress).
    An option whose model fails is left out of the files and marked failed;
    one whose uncertainty analyses fail keeps its model, its uncertainty files
    are computed here as the whole-case path would, and if that fails too no
    further uncertainty file is written (``uncertainty_error``).
    """
    spec = case.effective_uncertainty()
    samples, sampling_error = case_samples(case)
    # the options' cases kept on validation are let go: one at a time from now
    getattr(case, "_option_cache", {}).clear()
    case = lean_case(case)
    task = OutputsTask(case, samples, sampling_error)
    results_csv = CsvAppender(folder.path("results.csv"))
    council_csv = CsvAppender(folder.path("council_tables.csv"))
    sensitivity_csv: list[pd.DataFrame] = []
    mc_csv = CsvAppender(folder.path("uncertainty/monte_carlo_summary.csv"))
    entries: dict[str, dict[str, Any]] = {}
    statuses: dict[str, dict[str, Any]] = {}
    switching: dict[str, pd.DataFrame] = {}
    base_npv: dict[str, float] = {}
    npv_draws: dict[str, np.ndarray] = {}
    streamed = StreamedCase(statuses, sampling_error)
    for name, out in zip(names, (mapper or in_process)(task, names), strict=True):
        if out.error is not None:
            statuses[name] = {"status": "failed", "error": out.error}
            if on_done is not None:
                on_done(name)
            continue
        statuses[name] = {"status": "ok"}
        if out.uncertainty_error:
            statuses[name]["uncertainty"] = f"failed: {out.uncertainty_error}"
        results_csv.append(out.long)
        council_csv.append(out.council)
        entries[name] = out.entry
        base_npv[name] = out.base_npv
        if streamed.uncertainty_error is None:
            try:
                _write_uncertainty(case, spec, folder, out, sensitivity_csv)
            except Exception as exc:  # noqa: BLE001 - the appraisal stands
                streamed.uncertainty_error = f"{type(exc).__name__}: {exc}"
        if out.switching is not None:
            switching[name] = out.switching
        if out.mc_summary is not None:
            mc_csv.append(out.mc_summary)
            npv_draws[name] = out.mc_npv
        if on_done is not None:
            on_done(name)
    folder.write_json("results.json", results_document(case, entries))
    if streamed.uncertainty_error is None and entries:
        try:
            _write_comparison(case, folder, switching, base_npv, npv_draws, spec)
        except Exception as exc:  # noqa: BLE001
            streamed.uncertainty_error = f"{type(exc).__name__}: {exc}"
    return streamed


def _write_uncertainty(
    case: Case,
    spec: Any,
    folder: Any,
    out: OptionOutputs,
    sensitivity_csv: list[pd.DataFrame],
) -> None:
    """One option's tornado table and chart, histogram and sensitivity rows."""
    name = out.name
    long, table = out.sensitivity_long, out.tornado
    if table is None:  # its analyses failed: computed here, as the case path does
        long = sensitivity_long(
            case, name, list(spec.sensitivity.changes), spec.sensitivity.ranges
        )
        table = tornado(long)
    write_tornado(lambda f: folder.path(f"uncertainty/{f}"), name, table, out.charts)
    sensitivity = folder.path("uncertainty/sensitivity.csv")
    csv_safe_frame(long.assign(option=name)).to_csv(
        sensitivity,
        index=False,
        mode="a" if sensitivity_csv else "w",
        header=not sensitivity_csv,
    )
    sensitivity_csv.append(long.iloc[:0])  # a marker that the header is written
    if out.mc_npv is not None and np.ptp(out.mc_npv) > 0:
        picture = out.charts.get("npv_histogram")
        if picture is None:
            raise RuntimeError(f"no NPV histogram of {name}")
        folder.path(f"uncertainty/npv_histogram_{name}.svg").write_bytes(picture)


def _write_comparison(
    case: Case,
    folder: Any,
    switching: dict[str, pd.DataFrame],
    base_npv: dict[str, float],
    npv_draws: dict[str, np.ndarray],
    spec: Any,
) -> None:
    """The switching values of all options and the S-curves of their NPV."""
    table = switching_table_of(case, switching, base_npv)
    write_csv(table, folder.path("uncertainty/switching_values.csv"), index=False)
    if spec.parameters and has_distributions(case):
        curves = [_npv_only(name, npv) for name, npv in npv_draws.items()]
        folder.path("uncertainty/npv_s_curve.svg").write_bytes(
            pictures.s_curve_image(curves, option_names(case))
        )


def _npv_only(name: str, npv: np.ndarray) -> MonteCarloResult:
    """A Monte Carlo result holding only the NPV draws (all an S-curve reads)."""
    empty = np.empty((len(npv), 0))
    return MonteCarloResult(
        option=name,
        draws=len(npv),
        seed=0,
        years=[],
        councils=[],
        samples={},
        npv=npv,
        npv_council=empty,
        payback_index=npv.astype(int) * 0,
        payback_index_council=empty,
        window_savings=None,
        target=None,
    )
