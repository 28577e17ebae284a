"""Results of a whole case: the long table for every option and ``results.json``.

``results.json`` schema (later issues add keys; none removes these)::

    {"case": name,
     "options": {option: {"npv": pounds, "payback_year": "2012/13" or null,
                          "target_window_savings": pounds,
                          "net_savings_by_year": {"2011/12": pounds, ...},
                          "councils": {council: {"npv": pounds,
                                                 "net_savings_by_year": {...}}}}}}

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

import pandas as pd

from models.engine.projection import OptionResult, OptionSummary, run_option
from models.inputs.case import Case


def run_case(case: Case, options: list[str] | None = None) -> dict[str, OptionResult]:
    """Run every option (or the named ones) of a case."""
    names = options if options is not None else list(case.options)
    return {name: run_option(case, name) for name in names}


def results_long(results: dict[str, OptionResult]) -> pd.DataFrame:
    """One long table for all options: option, service, council, line_item,
    financial_year, value, unit."""
    return pd.concat([r.long for r in results.values()], ignore_index=True)


def _summary_json(s: OptionSummary) -> dict[str, Any]:
    return {
        "npv": s.npv,
        "npv_economic": s.npv_economic,
        "payback_year": s.payback_year,
        "target_window_savings": s.target_window_savings,
        "target_window_net_savings": s.target_window_net_savings,
        "net_savings_by_year": s.net_savings_by_year,
    }


def option_json(result: OptionResult) -> dict[str, Any]:
    """The ``results.json`` entry of one option."""
    out = _summary_json(result.summary)
    out["councils"] = {c: _summary_json(s) for c, s in result.councils.items()}
    return out


def results_json(case: Case, results: dict[str, OptionResult]) -> dict[str, Any]:
    """The whole ``results.json`` document for a case."""
    return {
        "case": case.name,
        "options": {o: option_json(r) for o, r in results.items()},
    }
