"""Monitoring against an approved case: budgets from the case, and the effect of a variance that persists."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from pydantic import ValidationError

from models.core import calendar
from models.core.errors import InputError, InputErrors
from models.core.yamlio import describe, load_yaml
from models.engine.cases import read_case
from models.engine.projection import compile_option, long_table, project, run_option
from models.inputs.actuals import (
    UNIT_FACTOR,
    Actuals,
    ActualsFile,
    check_councils_of_case,
    check_structure,
    dicts,
)
from models.inputs.pydantic_errors import validation_errors
from models.model import appraisal
from models.model.monitoring import footing_problems, line_rows, totals


def load_actuals(path: str | Path) -> Actuals:
    """Load and check an actuals file (``kind: actuals``); money converted to pounds.

    Raises :class:`InputError` naming the file and key path for unknown or
    missing keys, wrong types, councils that do not match, and any stated total,
    variance or subtotal that does not foot (naming the subtotal, the column,
    stated against computed).

    >>> a = load_actuals("scenarios/actuals_2010_11.yaml")
    >>> a.councils, float(a.rows["actual"].sum())
    (['bdc', 'rbc'], 1179000.0)
    """
    path = Path(path)
    data = load_yaml(path)
    if not isinstance(data, dict):
        raise InputError(
            path, "top level", "a mapping of keys (kind: actuals, ...)", describe(data)
        )
    if data.get("kind") != "actuals":
        raise InputError(path, "kind", "'actuals'", repr(data.get("kind")))
    data = budgets_from_approved_case(path, data)
    try:
        spec = ActualsFile.model_validate(data)
    except ValidationError as exc:
        raise validation_errors(exc, path, ActualsFile, data=data) from None
    errors = check_structure(path, spec)
    if errors:
        raise errors[0] if len(errors) == 1 else InputErrors(errors)
    actuals = Actuals(file=str(path), spec=spec, rows=line_rows(spec))
    problems = footing_problems(actuals)
    if problems:
        raise problems[0] if len(problems) == 1 else InputErrors(problems)
    return actuals


def case_budget(
    case: Any, option: str, financial_year: str, line_item: str = "Savings"
) -> pd.DataFrame:
    """Budget of each service for each council in one financial year, from an
    approved case: the option's yearly line split by each service's sharing basis.

    The budget is the planned saving *before* the appraisal's optimism bias: the
    option is projected with ``optimism_bias_savings = 0`` (the appraisal's
    ``Savings`` line is ``planned x (1 - optimism bias)``, a prudent figure for
    deciding, not the target the service is monitored against).

    ``budget[service, council] = line_item[service, council, financial_year]``
    of the option projected without optimism bias on savings.

    Parameters
    ----------
    case : the approved :class:`models.inputs.case.Case`
    option : option id of the case
    financial_year : financial year label, e.g. '2012/13'
    line_item : 'Savings' or 'Net saving' of the long results table

    Returns a frame indexed by service with one column per council [GBP].
    Source: issue 7 (budgets from the approved case).
    """

    arrays = compile_option(case, option)
    planned = arrays.replaced(
        optimism_bias_savings=np.zeros_like(arrays.optimism_bias_savings)
    )
    long = long_table(planned, project(planned))
    sel = long[
        (long["line_item"] == line_item)
        & (long["financial_year"] == financial_year)
        & (long["service"] != "All")
        & (long["council"] != "All")
    ]
    return sel.pivot(index="service", columns="council", values="value")


def budgets_from_approved_case(path: Path, data: dict) -> dict:
    """Fill ``budget`` of rows that name a ``service`` of the ``approved_case``.

    A row with ``service:`` and no ``budget:`` takes as its budget that service's
    line (default ``Savings``) for the file's financial year in the approved case's
    option, split per council by the service's basis, in the file's unit.  Rows
    with a stated budget keep it.
    """
    link = data.get("approved_case")
    if not isinstance(link, dict):
        return data

    name = link.get("file")
    case_path = path.parent / str(name)
    if not isinstance(name, str) or not case_path.is_file():
        raise InputError(
            path,
            "approved_case.file",
            "the name of an existing case file (relative to this file)",
            f"no file {case_path}" if isinstance(name, str) else repr(name)[:80],
        )
    case = read_case(case_path)
    check_councils_of_case(path, data.get("councils"), list(case.councils), case_path)
    option = str(link.get("option", ""))
    if option not in case.options:
        raise InputError(
            path,
            "approved_case.option",
            f"an option of {case_path.name} ({', '.join(case.options)})",
            repr(option),
        )
    period = data.get("period")
    fy = str(period.get("financial_year", "")) if isinstance(period, dict) else ""
    if fy not in case.settings.years():
        raise InputError(
            path,
            "period.financial_year",
            f"a year of the approved case ({case.settings.years()[0]} to "
            f"{case.settings.years()[-1]})",
            repr(fy),
        )
    budgets = case_budget(case, option, fy, str(link.get("line_item", "Savings")))
    factor = UNIT_FACTOR.get(str(data.get("unit")), 1.0)
    out = copy.deepcopy(data)
    # anything not shaped as expected is left for the schema to name
    for g, group in enumerate(dicts(out.get("groups"))):
        for s_, section in enumerate(dicts(group.get("sections"))):
            for r, row in enumerate(dicts(section.get("rows"))):
                if "budget" in row or "service" not in row:
                    continue
                where = f"groups[{g}].sections[{s_}].rows[{r}].service"
                if not isinstance(row["service"], str) or (
                    row["service"] not in budgets.index
                ):
                    raise InputError(
                        path,
                        where,
                        f"a service of {case_path.name} live in {fy} "
                        f"({', '.join(budgets.index)})",
                        repr(row["service"]),
                    )
                row["budget"] = {
                    c: float(v) / factor for c, v in budgets.loc[row["service"]].items()
                }
    return out


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

    overall = totals(table).set_index("level").loc["overall"]
    ratio = float(overall["variance_pct"])
    period = actuals.spec.period.financial_year
    case = read_case(case_path)
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
