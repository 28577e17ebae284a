"""Report tables and charts of the uncertainty analysis (tornado, switching values,
Monte Carlo), in the same style as the other report tables.

Money columns are pounds rounded for display to £'000; factors, months, rates
and probabilities are formatted as text with their unit.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pandas as pd

from models.core.money import pounds
from models.engine import uncertainty as unc
from models.inputs.case import Case
from models.inputs.risk_register import load_risk_register
from models.model.risks import risk_table
from models.report import uncertainty_charts
from models.report.charts import Chart, NoChart, figure_image
from models.report.tables import ReportTable

SWITCHING_LABELS = {
    "savings_achieved": "Savings achieved (factor on every saving)",
    "set_up_costs": "Set-up costs (factor)",
    "severance": "Severance (factor)",
    "go_live_delay_months": "Go-live delay (months)",
    "discount_rate": "Discount rate",
}


FACTORS = ("savings_achieved", "set_up_costs", "severance")
"""Aggregate assumptions that scale the planned figures (shown as x 0.75)."""


def _value_text(value: float, unit: str, parameter: str = "") -> str:
    """A parameter value with its unit: factors as x, months, rates as %, money."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "never within the bounds"
    if parameter in FACTORS:
        return f"x {value:,.3g}"
    if unit == "months":
        return f"{value:,.1f} months"
    if unit == "/1":
        return f"{value:.2%}"
    if unit.startswith("GBP"):
        return pounds(value)
    return f"{value:,.4g} {unit}"


def _change_text(change: float, unit: str) -> str:
    """Change from the planned value: months for a delay, else per cent."""
    if change is None or (isinstance(change, float) and math.isnan(change)):
        return ""
    return f"{change:+,.1f} months" if unit == "months" else f"{change:+,.0f}%"


def tornado_table(sensitivity: pd.DataFrame, top: int = 12) -> ReportTable:
    """The assumptions that move the option's NPV most (one at a time), from
    :func:`models.engine.uncertainty.sensitivity_table`."""
    t = sensitivity.head(top)
    table = pd.DataFrame(
        {
            "Assumption": t["label"].to_numpy(),
            "Low value": [
                _value_text(v, u, p)
                for v, u, p in zip(t["low"], t["unit"], t["parameter"], strict=True)
            ],
            "High value": [
                _value_text(v, u, p)
                for v, u, p in zip(t["high"], t["unit"], t["parameter"], strict=True)
            ],
            "NPV at low": t["npv_low"].to_numpy(),
            "NPV at high": t["npv_high"].to_numpy(),
            "Swing": t["swing"].to_numpy(),
        },
        index=[str(i + 1) for i in range(len(t))],
    )
    return ReportTable(
        key="tornado",
        title="Sensitivity of the NPV to each assumption (largest swing first)",
        table=table,
        text_columns=("Assumption", "Low value", "High value"),
        note="Each assumption is moved on its own, the others held at their values.",
        index_label="Rank",
    )


TORNADO_TOP = 12
"""Assumptions shown in a tornado chart: the largest swings."""


def tornado_image(sensitivity: pd.DataFrame) -> bytes | None:
    """The tornado chart of a sensitivity table as SVG: the picture in the
    report and in the run's ``uncertainty/`` folder alike; None where no
    assumption moves the NPV (:func:`uncertainty_charts.tornado_absent_reason`)."""
    chart = uncertainty_charts.tornado_chart(sensitivity, top=TORNADO_TOP)
    return None if chart is None else figure_image(chart)


def histogram_image(result: Any, name: str | None = None) -> bytes | None:
    """The histogram of one option's Monte Carlo NPV as SVG (report and folder);
    None where every draw is the same."""
    chart = uncertainty_charts.npv_histogram(result, name=name)
    return None if chart is None else figure_image(chart)


def s_curve_image(results: list, names: dict[str, str] | None = None) -> bytes:
    """The S-curves of the options' Monte Carlo NPV as SVG (report and folder)."""
    return figure_image(uncertainty_charts.npv_s_curve(list(results), names=names))


def tornado_chart(
    sensitivity: pd.DataFrame, image: bytes | None = None
) -> Chart | NoChart:
    """The tornado chart (``image``: drawn already by the run), or the sentence
    saying why there is none."""
    reason = uncertainty_charts.tornado_absent_reason(sensitivity)
    if reason is not None:
        return NoChart("tornado", reason)
    return Chart(
        "tornado",
        "Tornado: NPV at low and high values",
        image or tornado_image(sensitivity),
        "Bars of the NPV range for each assumption",
    )


def switching_table(
    case: Case, options: list[str] | None = None, table: pd.DataFrame | None = None
) -> ReportTable:
    """For each key assumption: where NPV reaches zero, and where the best option
    stops being best (vs the runner-up).  ``table``: the
    :func:`models.engine.uncertainty.switching_table` of these options, if computed."""
    t = unc.switching_table(case, options) if table is None else table
    t = t[t["option"].isin(options or list(case.options))]
    rows = pd.DataFrame(
        {
            "Option": t["option"].to_numpy(),
            "Assumption": [SWITCHING_LABELS.get(p, p) for p in t["parameter"]],
            "Planned": [
                _value_text(v, u, p)
                for v, u, p in zip(t["base"], t["unit"], t["parameter"], strict=True)
            ],
            "NPV reaches zero at": [
                _value_text(v, u, p)
                for v, u, p in zip(
                    t["npv_zero"], t["unit"], t["parameter"], strict=True
                )
            ],
            "Change": [
                _change_text(c, u)
                for c, u in zip(t["npv_zero_change"], t["unit"], strict=True)
            ],
            "Stops being best at": [
                "" if pd.isna(vs) else _value_text(v, u, p)
                for v, u, p, vs in zip(
                    t["stops_being_best"],
                    t["unit"],
                    t["parameter"],
                    t["versus"],
                    strict=True,
                )
            ],
        },
        index=[str(i + 1) for i in range(len(t))],
    )
    return ReportTable(
        key="switching-values",
        title="Switching values",
        table=rows,
        text_columns=tuple(rows.columns),
        note="'Never within the bounds': the NPV stays on the same side of zero "
        "(or the option stays best) across the whole range searched.",
        index_label="",
    )


def monte_carlo_results(case: Case, options: list[str]) -> dict | None:
    """Monte Carlo of the options on shared draws; None where the case declares no
    distributions (see :func:`models.engine.uncertainty.monte_carlo_case`)."""
    if case.uncertainty is None or not case.uncertainty.parameters:
        return None
    return unc.monte_carlo_case(case, options)


MANY_OPTIONS = 6
"""Above this many options the Monte Carlo table shows one row an option."""


def monte_carlo_table(results: dict | None) -> ReportTable | None:
    """Mean and P10 / P50 / P90 of NPV, and the chance it is positive, per option
    and council, from :func:`monte_carlo_results` (None passes through)."""
    if results is None:
        return None
    frames = [unc.monte_carlo_summary(r) for r in results.values()]
    s = pd.concat(frames, ignore_index=True)
    note = "P10: nine draws in ten give a higher NPV than this; P90: one in ten."
    if len(results) > MANY_OPTIONS:
        # one row an option: options x councils rows would run to pages
        s = s[s["council"] == "All"].reset_index(drop=True)
        note += (
            " With this many options only the partnership ('All') is shown; each "
            "council's figures are in uncertainty/monte_carlo_summary.csv."
        )
    table = pd.DataFrame(
        {
            "Option": s["option"].to_numpy(),
            "Council": s["council"].to_numpy(),
            "Mean NPV": s["npv_mean"].to_numpy(),
            "P10": s["npv_p10"].to_numpy(),
            "P50": s["npv_p50"].to_numpy(),
            "P90": s["npv_p90"].to_numpy(),
            "P(NPV > 0)": [f"{p:.0%}" for p in s["prob_npv_positive"]],
            "Payback P50": s["payback_p50"].fillna("none").to_numpy(),
        },
        index=[str(i + 1) for i in range(len(s))],
    )
    draws = int(s["draws"].iloc[0]) if len(s) else 0
    return ReportTable(
        key="monte-carlo",
        title=f"Monte Carlo: {draws:,} draws",
        table=table,
        text_columns=("Option", "Council", "P(NPV > 0)", "Payback P50"),
        note=note,
        index_label="",
    )


def s_curve_chart(
    results: dict | None,
    image: bytes | None = None,
    names: dict[str, str] | None = None,
) -> Chart | None:
    """S-curves (cumulative probability of NPV) of every option on one chart
    (``image``: drawn already by the run; ``names``: the options' names for the
    reader)."""
    if results is None:
        return None
    return Chart(
        "npv_s_curve",
        "Chance that the NPV is below a value",
        image or s_curve_image(list(results.values()), names),
        "Cumulative distribution of NPV by option",
    )


def histogram_chart(
    results: dict | None,
    option: str,
    image: bytes | None = None,
    name: str | None = None,
) -> Chart | NoChart | None:
    """Histogram of one option's NPV over the draws of :func:`monte_carlo_results`
    (``image``: drawn already by the run), or the sentence saying why there is none."""
    if results is None:
        return None
    reason = uncertainty_charts.histogram_absent_reason(results[option])
    if reason is not None:
        return NoChart("npv_histogram", reason)
    return Chart(
        "npv_histogram",
        "Spread of the NPV over the draws",
        image or histogram_image(results[option], name),
        "Histogram of NPV",
    )


def risk_register_table(case: Case) -> ReportTable | None:
    """The case's risk register, highest score first (likelihood x impact, 1-4
    each, as in the seeds' matrix); None where the case names no register."""
    register = _risk_register(case)
    if register is None:
        return None
    t = risk_table(register)
    rows = pd.DataFrame(
        {
            "Risk": t["risk"].to_numpy(),
            "Likelihood": [
                f"{n} {w}"
                for n, w in zip(t["likelihood"], t["likelihood_rating"], strict=True)
            ],
            "Impact": [
                f"{n} {w}" for n, w in zip(t["impact"], t["impact_rating"], strict=True)
            ],
            "Score": [str(v) for v in t["score"]],
            "Linked to": [p if isinstance(p, str) else "" for p in t["parameter"]],
        },
        index=[str(r) for r in t["ref"]],
    )
    return ReportTable(
        key="risk-register",
        title="Risk register",
        table=rows,
        text_columns=tuple(rows.columns),
        note="Score = likelihood x impact. A risk linked to an assumption widens that "
        "assumption's range in the Monte Carlo where the register says by how much.",
        index_label="Ref",
    )


def risk_heat_map(case: Case) -> Chart | None:
    """Heat map of the risks by likelihood and impact; None without a register."""
    register = _risk_register(case)
    if register is None:
        return None
    fig = uncertainty_charts.risk_heat_map(register)
    return Chart(
        "risk_heat_map",
        "Risks by likelihood and impact",
        figure_image(fig),
        "Heat map of the number of risks in each likelihood and impact cell",
    )


def _risk_register(case: Case):  # noqa: ANN202 - RiskRegister or None
    if not case.risk_register:
        return None
    here = Path(getattr(case, "_source", None) or ".").parent
    return load_risk_register(here / case.risk_register)
