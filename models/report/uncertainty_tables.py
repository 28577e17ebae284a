"""Report tables and charts of the uncertainty analysis (tornado, switching values,
Monte Carlo), in the same style as the other report tables.

Money columns are pounds rounded for display to £'000; factors, months, rates
and probabilities are formatted as text with their unit.
"""

from __future__ import annotations

import html
import math
from pathlib import Path
from typing import Any

import pandas as pd

from models.core.money import money_k, money_words, pounds
from models.engine import uncertainty as unc
from models.inputs.case import Case
from models.inputs.risk_register import load_risk_register
from models.model.risks import risk_table
from models.report import uncertainty_charts
from models.report.charts import Chart, NoChart, figure_image
from models.report.html_text import Html
from models.report.tables import ReportTable

SWITCHING_LABELS = {
    "savings_achieved": "Savings achieved (factor on every saving)",
    "set_up_costs": "Set-up costs (factor)",
    "severance": "Severance (factor)",
    "go_live_delay_months": "Go-live delay (months)",
    "discount_rate": "Discount rate",
}


FACTORS = ("savings_achieved", "set_up_costs", "severance")
"""Aggregate assumptions that scale the planned figures (a factor of 0.75 is
shown as "75% of plan")."""


def _value_text(value: float, unit: str, parameter: str = "") -> str:
    """A parameter value with its unit: factors as x, months, rates as %, money."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "never within the bounds"
    if parameter in FACTORS:
        return f"{value:,.0%} of plan"
    if unit == "months":
        return f"{value:,.1f} months"
    if unit == "/1":
        return f"{value:.1%}"
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


def switching_frame(
    case: Case, options: list[str] | None = None, table: pd.DataFrame | None = None
) -> pd.DataFrame:
    """The :func:`models.engine.uncertainty.switching_table` of ``options``
    (``table``: computed already by the run)."""
    t = unc.switching_table(case, options) if table is None else table
    return t[t["option"].isin(options or list(case.options))]


def _never_switches(rows: pd.DataFrame) -> bool:
    return bool(rows["npv_zero"].isna().all() and rows["stops_being_best"].isna().all())


SWITCHING_COLUMNS = {
    "savings_achieved": "Savings achieved",
    "set_up_costs": "Set-up costs",
    "severance": "Severance",
    "go_live_delay_months": "Go-live delay",
    "discount_rate": "Discount rate",
}
"""Key assumptions as the short column headings of the switching-value table."""


def switching_table(
    case: Case, options: list[str] | None = None, table: pd.DataFrame | None = None
) -> ReportTable | None:
    """Switching values as options x assumptions: a first row of the planned
    values, then for each option the value of each key assumption at which its
    NPV reaches zero (with the change from planned), and a last row where the
    best option stops being best (against the runner-up).  Options whose NPV
    never changes side within the bounds are left out (:func:`switching_section`
    says so in a sentence); None if no option is left.  ``table``: the engine's
    table, if computed."""
    t = switching_frame(case, options, table)
    shown = [
        o
        for o in dict.fromkeys(t["option"])
        if not _never_switches(t[t["option"] == o])
    ]
    if not shown:
        return None
    params = list(dict.fromkeys(t["parameter"]))
    first = t.drop_duplicates("parameter").set_index("parameter")
    rows = {
        "As planned": [
            _value_text(first.loc[p, "base"], first.loc[p, "unit"], p) for p in params
        ]
    }
    for option in shown:
        by = t[t["option"] == option].set_index("parameter")
        rows[f"{_title(case, option)}: NPV reaches zero at"] = [
            _switch_text(
                by.loc[p, "npv_zero"],
                by.loc[p, "npv_zero_change"],
                by.loc[p, "unit"],
                p,
            )
            for p in params
        ]
    best = t.dropna(subset=["versus"])
    if len(best):
        option = best["option"].iloc[0]
        by = best.set_index("parameter")
        rows[f"{_title(case, option)} stops being best at"] = [
            _switch_text(
                by.loc[p, "stops_being_best"],
                by.loc[p, "stops_being_best_change"],
                by.loc[p, "unit"],
                p,
            )
            if p in by.index
            else ""
            for p in params
        ]
    out = pd.DataFrame(rows, index=[SWITCHING_COLUMNS.get(p, p) for p in params]).T
    return ReportTable(
        key="switching-values",
        title="Switching values",
        table=out,
        text_columns=tuple(out.columns),
        note="'Never': the NPV stays on the same side of zero (or the option "
        "stays best) across the whole range searched. Brackets: the change from "
        "the planned value. Savings achieved, set-up costs and severance are "
        "factors on every planned figure: '14% of plan' means savings at 14% of "
        "those planned.",
        index_label="",
    )


def _switch_text(value: float, change: float, unit: str, parameter: str) -> str:
    if value is None or pd.isna(value):
        return "never"
    text = _value_text(value, unit, parameter)
    change_text = _change_text(change, unit)
    return f"{text} ({change_text})" if change_text else text


def _title(case: Case, option: str) -> str:
    chosen = case.options.get(option)
    return (chosen.title if chosen is not None else None) or option


def switching_section(
    case: Case, options: list[str] | None = None, table: pd.DataFrame | None = None
) -> Html:
    """The switching-value table, and a sentence for each option whose NPV
    never reaches zero within the bounds (rather than a row of 'never' for
    each of its assumptions)."""
    t = switching_frame(case, options, table)
    e = html.escape
    sentences = [
        f"{_title(case, o)}: its net present value stays on the same side of zero "
        "across the whole range of every assumption searched, so it has no "
        "switching value."
        for o in dict.fromkeys(t["option"])
        if _never_switches(t[t["option"] == o])
    ]
    shown = switching_table(case, options, table)
    return Html(
        "".join(f"<p>{e(x)}</p>" for x in sentences)
        + (shown.to_html() if shown is not None else "")
    )


SWITCH_WORDS = {
    "savings_achieved": ("savings", "fall"),
    "set_up_costs": ("set-up costs", "rise"),
    "severance": ("severance costs", "rise"),
}


def switching_words(case: Case, option: str, t: pd.DataFrame) -> list[str]:
    """Each switching value of ``option`` as a sentence: "savings would have to
    fall by 86% before its NPV fell to zero"."""
    out = []
    for _, row in t[t["option"] == option].iterrows():
        p, change, value = row["parameter"], row["npv_zero_change"], row["npv_zero"]
        if pd.isna(value):
            continue
        if p in SWITCH_WORDS:
            what, way = SWITCH_WORDS[p]
            out.append(
                f"{what[:1].upper() + what[1:]} would have to {way} by "
                f"{abs(change):,.0f}% before the option's NPV fell to zero."
            )
        elif row["unit"] == "months":
            out.append(
                f"Every go-live date would have to slip by {value:,.0f} months "
                "before the option's NPV fell to zero."
            )
        elif p == "discount_rate":
            out.append(
                f"The discount rate would have to rise to {value:.1%} before the "
                "option's NPV fell to zero."
            )
    return out


PLAIN_LABELS = {
    "savings_achieved": "savings",
    "set_up_costs": "set-up costs",
    "severance": "severance costs",
    "settings.discount_rate": "the discount rate",
    "discount_rate": "the discount rate",
}
"""Aggregate assumptions as a sentence names them."""


def _plain_label(parameter: str, label: str) -> str:
    """An assumption as a sentence names it: "savings", "the staff savings of
    revenues and benefits" (from the label "Revenues and benefits: staff savings").

    >>> _plain_label("x.y", "Revenues and benefits: staff savings")
    'the staff savings of revenues and benefits'
    """
    if parameter in PLAIN_LABELS:
        return PLAIN_LABELS[parameter]
    head, sep, tail = label.partition(": ")
    if sep:
        return f"the {_lower_first(tail)} of {_lower_first(head)}"
    return _lower_first(label)


def _lower_first(text: str) -> str:
    """Lower-case the first letter unless the first word is an acronym (ICT)."""
    return text if text[:2].isupper() else text[:1].lower() + text[1:]


def tornado_words(sensitivity: pd.DataFrame, top: int = 3) -> list[str]:
    """The assumptions that move the NPV most, as sentences: "If savings
    achieved came in 25% lower, the NPV would still be £8.8m"."""
    out = []
    for _, row in sensitivity.head(top).iterrows():
        if not row["swing"]:
            continue
        base, low, high = row["base"], row["low"], row["high"]
        label = _plain_label(str(row["parameter"]), str(row["label"]))
        worse, better = sorted(
            [(row["npv_low"], low), (row["npv_high"], high)], key=lambda x: x[0]
        )
        for npv, value in (worse,):
            if row["unit"] == "months":
                out.append(
                    f"If every go-live date slipped by {abs(value - base):,.0f} "
                    f"months, the NPV would be {money_words(npv)} (against "
                    f"{money_words(row['npv_base'])} as planned)."
                )
                continue
            if base:
                pct = abs(value - base) / abs(base)
                way = "lower" if value < base else "higher"
                change = f"came in {pct:.0%} {way}"
            else:
                change = f"were {_value_text(value, row['unit'], row['parameter'])}"
            still = "still " if npv > 0 and row["npv_base"] > 0 else ""
            out.append(
                f"If {label} {change}, the NPV would {still}be {money_words(npv)}"
                f" (against {money_words(row['npv_base'])} as planned)."
            )
    return out


def monte_carlo_words(results: dict | None, case: Case, option: str) -> list[str]:
    """The Monte Carlo spread of one option's NPV in words, explaining P10, P50
    and P90 and the chance of a positive NPV as they are first used."""
    if results is None or option not in results:
        return []
    s = unc.monte_carlo_summary(results[option])
    row = s[s["council"] == "All"].iloc[0]
    return [
        f"Drawing all the uncertain assumptions together {int(row['draws']):,} "
        f"times, the NPV of {_title(case, option)} was above "
        f"{money_words(row['npv_p10'])} in nine draws out of ten (the P10), above "
        f"{money_words(row['npv_p50'])} in half of them (the P50, or median) and "
        f"above {money_words(row['npv_p90'])} in only one in ten (the P90). The "
        f"chance of a positive NPV, the share of draws in which the option saves "
        f"more than it costs, is {row['prob_npv_positive']:.0%}."
    ]


def uncertainty_words(
    case: Case,
    option: str,
    sensitivity: pd.DataFrame,
    switching: pd.DataFrame,
    monte_carlo: dict | None,
) -> str:
    """HTML paragraphs of the option's uncertainty in words: the three
    assumptions that move its NPV most, its switching values and the Monte
    Carlo spread (all from results computed already)."""
    e = html.escape
    moves = bool(len(sensitivity)) and bool((sensitivity["swing"].abs() > 0.5).any())
    parts = tornado_words(sensitivity) + switching_words(case, option, switching)
    parts += monte_carlo_words(monte_carlo, case, option) if moves else []
    if not moves:
        return (
            "<p>No assumption moves this option's net present value: it has no "
            "savings and no costs to be uncertain about.</p>"
        )
    return "".join(f"<p>{e(x)}</p>" for x in parts)


def monte_carlo_results(case: Case, options: list[str]) -> dict | None:
    """Monte Carlo of the options on shared draws; None where the case declares no
    distributions (see :func:`models.engine.uncertainty.monte_carlo_case`)."""
    if case.uncertainty is None or not case.uncertainty.parameters:
        return None
    return unc.monte_carlo_case(case, options)


MANY_OPTIONS = 6
"""Above this many options the Monte Carlo table shows one row an option."""


def monte_carlo_table(results: dict | None, case: Case) -> ReportTable | None:
    """Mean and P10 / P50 / P90 of NPV, and the chance it is positive, per option
    and council (by their titles and names), from :func:`monte_carlo_results`
    (None passes through)."""
    if results is None:
        return None
    frames = [unc.monte_carlo_summary(r) for r in results.values()]
    s = pd.concat(frames, ignore_index=True)
    # an option whose NPV is nil in every draw (the status quo) is a sentence
    spread = s.groupby("option")[["npv_p10", "npv_p90", "npv_mean"]].apply(
        lambda g: bool((g.abs() > 0.5).to_numpy().any())
    )
    still = [o for o in dict.fromkeys(s["option"]) if not spread.get(o, True)]
    if still and len(still) < s["option"].nunique():
        s = s[~s["option"].isin(still)].reset_index(drop=True)
    else:
        still = []
    councils = {k: c.name for k, c in case.councils.items()} | {"All": "All councils"}
    note = (
        "P10: nine draws in ten give a higher NPV than this; P50: the median, "
        "half the draws give more; P90: only one draw in ten gives more. Chance "
        "NPV above zero: the share of draws in which the option saves more than "
        "it costs."
    )
    if still:
        names = ", ".join(_title(case, o) for o in still)
        note += f" Not shown: {names}, whose NPV is nil in every draw."
    if len(results) > MANY_OPTIONS:
        # one row an option: options x councils rows would run to pages
        s = s[s["council"] == "All"].reset_index(drop=True)
        note += (
            " With this many options only the partnership (all councils) is shown; "
            "each council's figures are in the run's Monte Carlo summary file."
        )
    one_council = s["council"].nunique() == 1
    table = pd.DataFrame(
        {
            "Mean NPV": s["npv_mean"].to_numpy(),
            "P10": s["npv_p10"].to_numpy(),
            "P50 (median)": s["npv_p50"].to_numpy(),
            "P90": s["npv_p90"].to_numpy(),
            "Chance NPV above zero": [f"{p:.0%}" for p in s["prob_npv_positive"]],
            "Median payback year": s["payback_p50"]
            .fillna("not within the period")
            .to_numpy(),
        },
        index=[
            _title(case, o)
            if one_council
            else f"{_title(case, o)}: {councils.get(c, c)}"
            for o, c in zip(s["option"], s["council"], strict=True)
        ],
    )
    draws = int(s["draws"].iloc[0]) if len(s) else 0
    return ReportTable(
        key="monte-carlo",
        title=f"Monte Carlo: {draws:,} draws",
        table=table,
        text_columns=("Chance NPV above zero", "Median payback year"),
        note=note,
        index_label="Option",
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
                _rating_text(n, w)
                for n, w in zip(t["likelihood"], t["likelihood_rating"], strict=True)
            ],
            "Impact": [
                _rating_text(n, w)
                for n, w in zip(t["impact"], t["impact_rating"], strict=True)
            ],
            "Score": [
                _whole(v) or _whole(c)
                for v, c in zip(t["score"], t["computed_score"], strict=True)
            ],
            "Owner": [o if isinstance(o, str) else "" for o in t["owner"]],
            "Mitigation": [m if isinstance(m, str) else "" for m in t["mitigation"]],
            "Exposure": [
                money_k(x) if x is not None and x == x else "" for x in t["exposure"]
            ],
            "Linked to": [
                SWITCHING_LABELS.get(p, p) if isinstance(p, str) else ""
                for p in t["parameter"]
            ],
        },
        index=[str(r) for r in t["ref"]],
    )
    return ReportTable(
        key="risk-register",
        title="Risk register",
        table=rows,
        text_columns=tuple(rows.columns),
        note="Score = likelihood x impact. Exposure: the money at stake if the "
        "risk happens, where the register gives it. A risk linked to an assumption widens that "
        "assumption's range in the Monte Carlo where the register says by how much.",
        index_label="Ref",
    )


def _whole(value: object) -> str:
    """A whole number as text; '' where missing (None or NaN)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(int(value))


def _rating_text(number: object, word: object) -> str:
    """A rating as "3 significant"; "not rated" where the register gives none."""
    shown = _whole(number)
    return f"{shown} {word}" if shown and isinstance(word, str) else "not rated"


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
