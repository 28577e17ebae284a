"""Monitoring reports inside a case's run folder (budget against actual).

A case may list ``actuals:`` files (``kind: actuals``); each run of the case
renders, for each, the variance report as HTML and Excel into the run folder
(``monitoring.html`` / ``monitoring.xlsx``, or ``monitoring-<name>.*`` when
there are several).
"""

from __future__ import annotations

from models.case import Case
from models.monitoring import load_actuals, variance_table
from models.report.monitoring import render_monitoring_html, write_monitoring_excel


def monitoring_outputs(case: Case, folder) -> list[str]:  # noqa: ANN001 - RunFolder
    """Write the monitoring report of every actuals file the case lists."""
    written: list[str] = []
    for path in case.input_files():
        if path.name not in case.actuals:
            continue
        actuals = load_actuals(path)
        table = variance_table(actuals)
        stem = "monitoring" if len(case.actuals) == 1 else f"monitoring-{path.stem}"
        html = folder.path(f"{stem}.html")
        html.write_text(render_monitoring_html(actuals, table), encoding="utf-8")
        write_monitoring_excel(actuals, table, folder.path(f"{stem}.xlsx"))
        written += [html.name, f"{stem}.xlsx"]
    return written
