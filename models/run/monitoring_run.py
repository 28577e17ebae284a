"""Monitoring reports inside a case's run folder (budget against actual).

A case may list ``actuals:`` files (``kind: actuals``); each run of the case
renders, for each, the variance report as HTML and Excel into the run folder
(``monitoring.html`` / ``monitoring.xlsx``, or ``monitoring-<name>.*`` when
there are several).
"""

from __future__ import annotations

from models.inputs.case import Case
from models.model.monitoring import load_actuals, variance_table
from models.report.monitoring import render_monitoring_html, write_monitoring_excel


def monitoring_outputs(case: Case, folder) -> list[str]:  # noqa: ANN001 - RunFolder
    """Write the monitoring report of every actuals file the case lists."""
    written: list[str] = []
    for path in case.actuals_files():
        actuals = load_actuals(path)
        table = variance_table(actuals)
        stem = "monitoring" if len(case.actuals) == 1 else f"monitoring-{path.stem}"
        html = folder.path(f"{stem}.html")
        html.write_text(render_monitoring_html(actuals, table), encoding="utf-8")
        write_monitoring_excel(actuals, table, folder.path(f"{stem}.xlsx"))
        written += [html.name, f"{stem}.xlsx"]
    return written


def variance_persists(result, variance_ratio: float, from_year: str) -> dict:  # noqa: ANN001
    """Effect on an option's NPV and payback if a savings variance persists.

    Gross savings from ``from_year`` on are scaled by ``1 + variance_ratio``;
    one-off costs are unchanged; net savings, NPV and payback are recomputed:

    ``net'[t] = savings[t] x (1 + v x [t >= from]) - setup[t] - severance[t]``

    Parameters
    ----------
    result : models.engine.projection.OptionResult of the approved case's option
    variance_ratio : (actual - budget) / |budget| of savings so far [/1]
    from_year : first financial year the variance carries into, e.g. '2011/12'

    Returns
    -------
    dict with planned and forecast ``npv`` [GBP], ``npv_effect`` [GBP] and
    planned and forecast ``payback_year``.
    """
    import numpy as np

    from models.core import calendar
    from models.model import appraisal

    a, p = result.arrays, result.projection
    t = np.array([calendar.fy_index(y, a.years[0]) for y in a.years])
    start = calendar.fy_index(from_year, a.years[0])
    savings = p["savings_total"].sum(axis=0)
    net = p["net"].sum(axis=0)
    forecast = net + savings * np.where(t >= start, variance_ratio, 0.0)
    planned_npv = float(appraisal.net_present_value(net, a.discount_factor))
    forecast_npv = float(appraisal.net_present_value(forecast, a.discount_factor))

    def payback(values: np.ndarray) -> str | None:
        i = int(appraisal.payback_index(values))
        return a.years[i] if i >= 0 else None

    return {
        "planned_npv": planned_npv,
        "forecast_npv": forecast_npv,
        "npv_effect": forecast_npv - planned_npv,
        "planned_payback_year": payback(net),
        "forecast_payback_year": payback(forecast),
    }


def monitoring_headline(actuals, table, case_path, option: str | None = None):  # noqa: ANN001
    """Overall variance, and its effect on each option of the case if it persists.

    The overall variance ratio (actual / budget - 1 of the overall position) is
    carried from the year after the monitored one (or the case's first year).
    One row per option (or only ``option``).
    """
    import pandas as pd

    from models.core import calendar
    from models.engine.projection import run_option
    from models.inputs.case import load_case
    from models.model.monitoring import totals

    overall = totals(table).set_index("level").loc["overall"]
    ratio = float(overall["variance_pct"])
    period = actuals.spec.period.financial_year
    case = load_case(case_path)
    rows = []
    for name in [option] if option else list(case.options):
        result = run_option(case, name)
        first = result.arrays.years[0]
        from_year = max(
            calendar.fy_label(calendar.fy_start_year(period) + 1),
            first,
            key=calendar.fy_start_year,
        )
        effect = variance_persists(result, ratio, from_year)
        rows.append(
            {
                "option": name,
                "monitored year": period,
                "variance %": round(100 * ratio, 1),
                "from": from_year,
                "planned NPV £": round(effect["planned_npv"]),
                "NPV if variance persists £": round(effect["forecast_npv"]),
                "planned payback": effect["planned_payback_year"],
                "payback if variance persists": effect["forecast_payback_year"],
            }
        )
    return pd.DataFrame(rows).set_index("option")
