"""The uncertainty tables and charts of a case, written into its run folder (``uncertainty/``)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from models.core.cells import write_csv
from models.engine.uncertainty import (
    monte_carlo_case,
    monte_carlo_summary,
    sensitivity_long,
    switching_table,
    tornado,
)
from models.inputs.case import Case
from models.report import uncertainty_tables as pictures
from models.report.charts import option_names


def write_tornado(
    out: Callable[[str], Path], option: str, table: pd.DataFrame, drawn: dict
) -> None:
    """An option's tornado table and, where anything moves its NPV, its chart
    (the picture ``drawn`` already, else drawn here); ``out`` names a file of
    ``uncertainty/``.  Used by the reported and the streamed run alike."""
    write_csv(table, out(f"tornado_{option}.csv"), index=False)
    if len(table) and table["swing"].max() > 0:
        picture = drawn.get("tornado") or pictures.tornado_image(table)
        if picture is not None:  # none where nothing moves the NPV
            out(f"tornado_{option}.svg").write_bytes(picture)


def uncertainty_outputs(
    case: Case, folder: Any, options: list[str] | None = None, analysis: Any = None
) -> list[str]:
    """Write the uncertainty tables and charts of a case into a run folder.

    Files (under ``uncertainty/``): ``sensitivity.csv`` (every scenario, long),
    ``tornado_<option>.csv`` and ``.svg``, ``switching_values.csv``, and, when the
    case declares distributions, ``monte_carlo_summary.csv``,
    ``npv_histogram_<option>.svg`` and ``npv_s_curve.svg``.  ``folder`` is a
    :class:`models.run.runfolder.RunFolder` (anything with ``path(name)``).  Returns the
    names written.  ``analysis``: the run's :class:`models.engine.analysis.CaseAnalysis`
    of these options, when computed already.
    """
    names = options if options is not None else list(case.options)
    spec = case.effective_uncertainty()
    written: list[str] = []

    def out(name: str) -> Path:
        written.append(f"uncertainty/{name}")
        return folder.path(f"uncertainty/{name}")

    longs = []
    done = analysis.options if analysis is not None else {}
    for o in names:
        a = done.get(o)
        if a is not None and a.sensitivity is not None:
            long, table = a.sensitivity_long, a.sensitivity
        else:
            long = sensitivity_long(
                case, o, list(spec.sensitivity.changes), spec.sensitivity.ranges
            )
            table = tornado(long)  # = sensitivity_table(case, o), not computed twice
        longs.append(long.assign(option=o))
        write_tornado(out, o, table, a.charts if a is not None else {})
    write_csv(pd.concat(longs, ignore_index=True), out("sensitivity.csv"), index=False)
    ready = analysis is not None and list(analysis.options) == list(names)
    switching = analysis.switching if ready else None
    if switching is None:
        switching = switching_table(case, names)
    write_csv(switching, out("switching_values.csv"), index=False)
    if spec.parameters:
        runs = analysis.monte_carlo if ready else None
        if runs is None:
            runs = monte_carlo_case(case, names, progress=False)
        write_csv(
            pd.concat([monte_carlo_summary(r) for r in runs.values()]),
            out("monte_carlo_summary.csv"),
            index=False,
        )
        for o, r in runs.items():
            if np.ptp(r.npv) > 0:
                a = done.get(o)
                picture = (a.charts.get("npv_histogram") if a else None) or (
                    pictures.histogram_image(r, option_names(case).get(o))
                )
                if picture is not None:
                    out(f"npv_histogram_{o}.svg").write_bytes(picture)
        picture = (analysis.charts.get("npv_s_curve") if ready else None) or (
            pictures.s_curve_image(list(runs.values()), option_names(case))
        )
        out("npv_s_curve.svg").write_bytes(picture)
    return written
