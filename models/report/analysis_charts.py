"""The charts of a run's analyses, drawn once and shared by the reports and ``uncertainty/``.

A run computes every option's analyses (:mod:`models.engine.analysis`); the
tornado and histogram of each option and the S-curve of all options are drawn
here, once, by whichever worker makes the report, and handed back for the run
folder's ``uncertainty/`` pictures."""

from __future__ import annotations

import pickle
from pathlib import Path

from models.engine.analysis import FORMAT, CaseAnalysis, OptionAnalysis
from models.inputs.case import Case
from models.report import uncertainty_tables as pictures
from models.report.charts import option_names


def draw_option_charts(
    a: OptionAnalysis, names: dict[str, str] | None = None
) -> dict[str, bytes]:
    """Draw the tornado and (with a Monte Carlo) the histogram of an option
    into ``a.charts``, unless drawn already or empty (the report then says why);
    ``names``: the options' names for the reader; returns ``a.charts``."""
    if a.sensitivity is not None and "tornado" not in a.charts:
        picture = pictures.tornado_image(a.sensitivity)
        if picture is not None:  # none where nothing moves the NPV: the report says so
            a.charts["tornado"] = picture
    if a.monte_carlo and "npv_histogram" not in a.charts:
        picture = pictures.histogram_image(
            a.monte_carlo[a.option], (names or {}).get(a.option)
        )
        if picture is not None:
            a.charts["npv_histogram"] = picture
    return a.charts


def draw_comparison_charts(
    analysis: CaseAnalysis, names: dict[str, str] | None = None
) -> dict[str, bytes]:
    """Draw the S-curves of all options into ``analysis.charts``, unless drawn
    already or there is no Monte Carlo (``names``: the options' names for the
    reader); returns ``analysis.charts``."""
    if analysis.monte_carlo and "npv_s_curve" not in analysis.charts:
        analysis.charts["npv_s_curve"] = pictures.s_curve_image(
            list(analysis.monte_carlo.values()), names
        )
    return analysis.charts


def draw_charts(path: str | Path | None) -> dict[str, bytes]:
    """Draw the charts missing from the analysis saved at ``path`` (an option's
    or the comparison's), write them into it for the report, and return them
    (for the run folder's ``uncertainty/``).  Nothing is drawn where the
    analyses failed, or if the file is not this version's; a chart that cannot
    be drawn is left to the report, which draws it itself or shows why not.
    """
    if not path or not Path(path).is_file():
        return {}
    with open(path, "rb") as f:
        saved = pickle.load(f)  # noqa: S301 - written by this run (load_analysis)
    payload = saved.get("payload") if saved.get("format") == FORMAT else None
    case = saved.get("case")
    names = option_names(case) if isinstance(case, Case) else None
    before = dict(getattr(payload, "charts", {}))
    try:
        if isinstance(payload, OptionAnalysis) and payload.uncertainty_error is None:
            draw_option_charts(payload, names)
        elif isinstance(payload, CaseAnalysis) and payload.comparison_error is None:
            draw_comparison_charts(payload, names)
    except Exception:  # noqa: BLE001 - left to the report, see docstring
        pass
    drawn = dict(getattr(payload, "charts", {}))
    if drawn != before:
        part = Path(path).with_name(Path(path).name + ".part")
        with open(part, "wb") as f:
            pickle.dump(saved, f)
        part.replace(path)
    return drawn
