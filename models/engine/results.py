"""Results of a whole case: the long table for every option and ``results.json``.

``results.json`` schema (later issues add keys; none removes these)::

    {"case": name,
     "options": {option: {"npv": pounds, "payback_year": "2012/13" or null,
                          "target_window_savings": pounds,
                          "net_savings_by_year": {"2011/12": pounds, ...},
                          "non_cashable_benefits_by_year": {...},
                          "councils": {council: {"npv": pounds,
                                                 "net_savings_by_year": {...},
                                                 "affordability": {...}}}}}}

(``affordability``: :mod:`models.engine.affordability`.)

Each run adds, per option (models.engine.uncertainty.uncertainty_json)::

    "monte_carlo": {"draws": n, "seed": s, "npv_mean": pounds, "npv_p10": pounds,
                    "npv_p50": pounds, "npv_p90": pounds,
                    "prob_npv_positive": p, "prob_target_met": p} or null,
    "switching_values": {parameter: value or null}

and the per-council tables that foot are written to ``council_tables.csv``.
Money is in pounds at full precision.
"""

from __future__ import annotations

from typing import Any

from models.engine.affordability import affordability_json
from models.engine.projection import OptionResult, OptionSummary, run_option
from models.inputs.case import Case


def run_case(case: Case, options: list[str] | None = None) -> dict[str, OptionResult]:
    """Run every option (or the named ones) of a case."""
    names = options if options is not None else list(case.options)
    return {name: run_option(case, name) for name in names}


def _summary_json(summary: OptionSummary) -> dict[str, Any]:
    return {
        "npv": summary.npv,
        "npv_economic": summary.npv_economic,
        "payback_year": summary.payback_year,
        "target_window_savings": summary.target_window_savings,
        "target_window_net_savings": summary.target_window_net_savings,
        "net_savings_by_year": summary.net_savings_by_year,
    }


def option_json(result: OptionResult) -> dict[str, Any]:
    """The ``results.json`` entry of one option."""
    years = result.arrays.years
    out = _summary_json(result.summary)
    out["non_cashable_benefits_by_year"] = {
        year: float(value)
        for year, value in zip(
            years,
            result.projection["non_cashable_benefits"].sum(axis=-2),
            strict=True,
        )
    }
    out["councils"] = {
        council: _summary_json(summary) for council, summary in result.councils.items()
    }
    for council, item in (result.affordability or {}).items():
        out["councils"][council]["affordability"] = affordability_json(item, years)
    return out


def results_json(case: Case, results: dict[str, OptionResult]) -> dict[str, Any]:
    """The whole ``results.json`` document for a case."""
    return results_document(
        case, {option: option_json(result) for option, result in results.items()}
    )


def results_document(case: Case, entries: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The whole ``results.json`` document from each option's entry
    (:func:`option_json`, with what later issues add), in the options' order:
    what a run that streams its options assembles at the end."""
    return {"case": case.name, "options": dict(entries)}
