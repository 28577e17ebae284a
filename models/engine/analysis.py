"""Everything a run computes about a case, computed once and shared.

A run needs, for each option, the yearly model, the sensitivity (tornado)
table, the switching values and the Monte Carlo; the comparison needs the same
for all options together.  Without sharing, ``results.json``, the
``uncertainty/`` tables and each report notebook would compute them again: the
Monte Carlo alone three times.  :func:`analyse_case` computes them once, and
draws the tornado, histogram and S-curve once; :func:`save_option_analysis`
and :func:`save_comparison_analysis` write them beside the run for its
notebooks, and :func:`load_analysis` gives them back only if the case's input
files are byte-for-byte those they were computed from (else the report
computes afresh).

The Monte Carlo of all options is run on one shared set of draws; an option's
own Monte Carlo is its slice of it, which is identical to running it alone (the
draws depend only on the case's seed and number of draws).
"""

from __future__ import annotations

import hashlib
import pickle
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from models.core.errors import InputError
from models.core.paths import file_sha256
from models.engine import projection
from models.engine import uncertainty as unc
from models.engine.compiled import compiled_once
from models.engine.projection import OptionResult
from models.inputs.case import Case

FORMAT = 3
"""Version of the saved analysis; bumped when its layout changes."""


def input_paths(case_path: str | Path, case: Case) -> list[Path]:
    """The case file and every file it names."""
    return [Path(case_path), *case.input_files()]


def inputs_digest(case_path: str | Path, case: Case) -> str:
    """SHA-256 over the case file and every file it names (name and content).

    >>> len(inputs_digest("scenarios/bromsgrove_redditch_2011.yaml",
    ...     __import__("models").load_case("scenarios/bromsgrove_redditch_2011.yaml")))
    64
    """
    return _digest(input_paths(case_path, case))


def _digest(paths: list[str] | list[Path]) -> str:
    h = hashlib.sha256()
    for p in map(Path, paths):
        h.update(p.name.encode() + b"\0")
        h.update((file_sha256(p) if p.exists() else "missing").encode() + b"\0")
    return h.hexdigest()


@dataclass
class OptionAnalysis:
    """One option: its yearly model and its uncertainty analyses (None where
    they failed, with the error in ``uncertainty_error``)."""

    option: str
    result: OptionResult
    sensitivity_long: pd.DataFrame | None = None
    sensitivity: pd.DataFrame | None = None
    switching: pd.DataFrame | None = None
    """:func:`models.engine.uncertainty.switching_table` of this option alone."""
    monte_carlo: dict | None = None
    """``{option: MonteCarloResult}``, None when the case declares no distributions."""
    charts: dict[str, bytes] = field(default_factory=dict)
    """Pictures (SVG) of the charts drawn from these analyses (``tornado``,
    ``npv_histogram``): drawn once for the report and the run folder alike."""
    uncertainty_error: str | None = None


@dataclass
class CaseAnalysis:
    """Every option of a run, and what compares them."""

    digest: str
    options: dict[str, OptionAnalysis] = field(default_factory=dict)
    failed: dict[str, str] = field(default_factory=dict)
    """Options whose model failed: the error."""
    switching: pd.DataFrame | None = None
    """:func:`models.engine.uncertainty.switching_table` of all the options that ran."""
    monte_carlo: dict | None = None
    charts: dict[str, bytes] = field(default_factory=dict)
    """Pictures (SVG) of the charts of all options together (``npv_s_curve``)."""
    comparison_error: str | None = None

    @property
    def results(self) -> dict[str, OptionResult]:
        return {n: a.result for n, a in self.options.items()}


def has_distributions(case: Case) -> bool:
    """Whether the case declares distributions for a Monte Carlo."""
    return case.uncertainty is not None and bool(case.uncertainty.parameters)


def _error(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"


OptionMapper = Callable[[Callable[[list[str]], list[Any]], list[str]], Iterable[Any]]
"""How the options are computed: ``mapper(task, names)`` applies ``task`` (a
picklable callable taking a list of option names and returning one result per
name) to the names and yields each name's result, in the order of ``names``.
The default, :func:`in_process`, computes them here one at a time; the run
layer gives one that sends chunks of names to worker processes or a Dask
cluster (:mod:`models.run.executors`)."""


def in_process(
    task: Callable[[list[str]], list[Any]], names: list[str]
) -> Iterator[Any]:
    """Compute each option in this process, one at a time, as it is asked for."""
    for name in names:
        yield from task([name])


@dataclass(frozen=True)
class OptionTask:
    """One option's analyses as a picklable call (:func:`analyse_option` for
    each name given): what a worker needs and nothing else."""

    case: Case
    samples: dict[str, Any] | None
    sampling_error: str | None = None
    draw_option: Callable[[OptionAnalysis], Any] | None = None

    def __call__(self, names: list[str]) -> list[OptionAnalysis | str]:
        out = []
        for name in names:
            a = analyse_option(
                self.case, name, self.samples, self.sampling_error, self.draw_option
            )
            forget_option(self.case, name)
            if not isinstance(a, str) and a.monte_carlo:
                # the shared draws go back with no option: the caller has them
                a.monte_carlo[name].samples = {}
            out.append(a)
        return out

    def failed(self, names: list[str], error: str) -> list[str]:
        """The results of options that could not be computed at all (e.g. the
        worker computing them died more often than retried): their error."""
        return [error for _ in names]


def lean_case(case: Case) -> Case:
    """A shallow copy of the case without the options it has validated so far
    (:func:`models.engine.cases.option_case` keeps each option's case on it:
    after validation, every option's), for a task that computes a few options:
    pickled, it weighs kilobytes instead of megabytes, and each option's case
    is dropped once its analyses are done (:func:`forget_option`)."""
    lean = case.model_copy()
    lean._option_cache = {}  # type: ignore[attr-defined]
    return lean


def forget_option(case: Case, name: str) -> None:
    """Drop the option's case kept on ``case`` (its analyses are done)."""
    getattr(case, "_option_cache", {}).pop(name, None)


def case_samples(case: Case) -> tuple[dict[str, Any] | None, str | None]:
    """The Monte Carlo draws of every declared parameter, made once for the
    whole run from the case's seed (so every option, wherever it is computed,
    sees the same draws), or None and why sampling failed.  None without
    distributions.  An :class:`InputError` (the case file) propagates."""
    if not has_distributions(case):
        return None, None
    spec = case.effective_uncertainty()
    try:
        return unc.sample_parameters(spec, spec.draws, spec.seed), None
    except InputError:  # a problem with the case file: the run stops (exit 2)
        raise
    except Exception as exc:  # noqa: BLE001
        return None, f"Monte Carlo sampling failed: {_error(exc)}"


def analyse_option(
    case: Case,
    name: str,
    samples: dict[str, Any] | None,
    sampling_error: str | None = None,
    draw_option: Callable[[OptionAnalysis], Any] | None = None,
) -> OptionAnalysis | str:
    """One option's model and analyses (sensitivity, switching values, its
    slice of the shared Monte Carlo draws ``samples``), and its charts drawn
    by ``draw_option``; or the error text if its model fails.  An option
    whose uncertainty analyses fail keeps its model, with the error in
    ``uncertainty_error``.  An :class:`InputError` propagates."""
    with compiled_once():  # its model and analyses compile the option once
        return _analyse_option(case, name, samples, sampling_error, draw_option)


def _analyse_option(
    case: Case,
    name: str,
    samples: dict[str, Any] | None,
    sampling_error: str | None,
    draw_option: Callable[[OptionAnalysis], Any] | None,
) -> OptionAnalysis | str:
    spec = case.effective_uncertainty()
    try:
        a = OptionAnalysis(name, projection.run_option(case, name))
    except InputError:
        raise
    except Exception as exc:  # noqa: BLE001 - one option failing must not stop others
        return _error(exc)
    try:
        a.sensitivity_long = unc.sensitivity_long(
            case, name, list(spec.sensitivity.changes), spec.sensitivity.ranges
        )
        a.sensitivity = unc.sensitivity_table(case, name, long=a.sensitivity_long)
        a.switching = unc.switching_table(case, [name])
        if has_distributions(case):
            if samples is None:
                raise RuntimeError(sampling_error)
            a.monte_carlo = {
                name: unc.monte_carlo(
                    case, name, spec.draws, spec.seed, spec, False, samples
                )
            }
        if draw_option is not None:
            draw_option(a)
    except InputError:
        raise
    except Exception as exc:  # noqa: BLE001
        a.uncertainty_error = _error(exc)
    return a


def analyse_case(
    case_path: str | Path,
    case: Case,
    names: list[str],
    on_option: Callable[[OptionAnalysis], None] | None = None,
    draw_option: Callable[[OptionAnalysis], Any] | None = None,
    draw_comparison: Callable[[CaseAnalysis], Any] | None = None,
    mapper: OptionMapper | None = None,
) -> CaseAnalysis:
    """Run every named option and its analyses, each once.

    An option whose model fails is recorded in ``failed`` and left out of the
    comparisons; one whose uncertainty analyses fail keeps its model, with the
    error in ``uncertainty_error`` (the appraisal stands without them).
    ``on_option`` is called with each option's analysis as soon as it is
    complete, so that its report can start while the next option is computed.
    The Monte Carlo draws are sampled once and shared by every option.
    ``draw_option`` and ``draw_comparison`` draw the charts of an option and of
    the comparison as soon as their analyses are done
    (:mod:`models.report.analysis_charts`); without them the charts are left to
    :func:`models.report.analysis_charts.draw_charts` (a run with reports draws
    each option's charts in the worker that makes its report).  A chart that
    cannot be drawn counts as a failed uncertainty analysis.  ``mapper``: where
    the options are computed (:data:`OptionMapper`; default: here).
    """
    out = CaseAnalysis(digest=inputs_digest(case_path, case))
    samples, out.comparison_error = case_samples(case)
    task = OptionTask(lean_case(case), samples, out.comparison_error, draw_option)
    for name, a in zip(names, (mapper or in_process)(task, names), strict=True):
        if isinstance(a, str):
            out.failed[name] = a
            continue
        if a.monte_carlo:
            a.monte_carlo[name].samples = dict(samples or {})
        out.options[name] = a
        if on_option is not None:
            on_option(a)
    ok = list(out.options)
    try:
        out.switching = unc.switching_table(case, ok) if ok else None
    except InputError:
        raise
    except Exception as exc:  # noqa: BLE001
        out.comparison_error = _error(exc)
    if has_distributions(case):
        if all(out.options[n].monte_carlo for n in ok):
            out.monte_carlo = {n: out.options[n].monte_carlo[n] for n in ok}
            if ok and draw_comparison is not None:
                draw_comparison(out)
        else:
            out.comparison_error = out.comparison_error or "Monte Carlo failed"
    return out


def save_option_analysis(
    analysis: OptionAnalysis, case_path: str | Path, case: Case, folder: Path
) -> Path:
    """Write one option's analysis, with the case it was computed from, into
    ``folder``; returns the file.  ``case_path`` is absolute (the notebooks run
    elsewhere) and ``case`` was read from it."""
    folder.mkdir(parents=True, exist_ok=True)
    n = len(list(folder.glob("option-*.pkl")))
    return _dump(folder / f"option-{n}.pkl", case_path, case, analysis)


def save_comparison_analysis(
    analysis: CaseAnalysis, case_path: str | Path, case: Case, folder: Path
) -> Path:
    """Write the whole analysis (for the comparison report) into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    return _dump(folder / "comparison.pkl", case_path, case, analysis)


def _dump(path: Path, case_path: str | Path, case: Case, payload: Any) -> Path:
    files = [str(p) for p in input_paths(case_path, case)]
    saved = {
        "format": FORMAT,
        "files": files,
        "digest": _digest(files),
        "case": case,
        "payload": payload,
    }
    with open(path, "wb") as f:
        pickle.dump(saved, f)
    return path


def load_analysis(
    path: str | Path | None, case_path: str | Path
) -> tuple[Case, Any] | None:
    """The case and the analysis that :func:`save_option_analysis` or
    :func:`save_comparison_analysis` wrote at ``path``, if written by this
    version of the package for this case file, and if the case file and every
    file it names are still byte for byte what they were; else None (the report
    reads the case and computes afresh).

    The file is one the same run wrote into its own folder moments before.  The
    case comes with it so that no report parses and validates it again.
    """
    if not path or not Path(path).is_file():
        return None
    with open(path, "rb") as f:
        saved = pickle.load(f)  # noqa: S301 - written by this run, see docstring
    files = saved.get("files") or [""]
    if (
        saved.get("format") != FORMAT
        or Path(files[0]) != Path(case_path)
        or saved.get("digest") != _digest(files)
    ):
        return None
    return saved["case"], saved["payload"]
