"""Monitoring report: budget against actual in the layout of seed 000 Appendix A.

:func:`render_monitoring_html` returns a self-contained HTML page (or fragment):
£'000 with negatives in brackets, every string HTML-escaped, inline CSS, no
external resources, the status light as a coloured cell.  The £'000 figures come
from :func:`rounded_thousands`, so the displayed table adds up in every
direction (council budgets to the total, rows to every subtotal, actual less
budget to the variance).
:func:`write_monitoring_excel` writes the same table to one Excel sheet in full
pounds with £ number formats and a frozen header.
"""

from __future__ import annotations

import html
import math
from pathlib import Path

import numpy as np
import pandas as pd

from models.core.cells import text_cells_as_strings
from models.core.money import THOUSAND, format_thousands
from models.core.rounding import footed_round, largest_remainder
from models.engine.monitoring import load_actuals
from models.inputs.actuals import Actuals, period_label
from models.inputs.case import Case
from models.model.monitoring import status_table, variance_table
from models.report.export import GBP_FORMAT
from models.report.tables import ReportTable

LIGHT_COLOURS = {"green": "#2e7d32", "amber": "#f9a825", "red": "#c62828"}
UNIT = THOUSAND
"""Display unit of the monitoring report [GBP]: £'000."""
PERCENT_FORMAT = "0.0%;(0.0%)"

_CSS = """
table.monitoring{border-collapse:collapse;font-family:Arial,Helvetica,sans-serif;
font-size:12px}
.monitoring th,.monitoring td{border:1px solid #999;padding:2px 6px;vertical-align:top}
.monitoring th{background:#e8e8e8}
.monitoring td.num{text-align:right;white-space:nowrap}
.monitoring tr.header td{font-weight:bold;text-decoration:underline}
.monitoring tr.section td,.monitoring tr.group td{font-weight:bold}
.monitoring tr.overall td{font-weight:bold;border-top:2px solid #000}
.monitoring td.light{color:#fff;font-weight:bold;text-align:center}
.monitoring td.flag{color:#c62828;font-weight:bold}
"""


#: Money columns of a variance table shown in £'000.
DISPLAYED_MONEY = [
    "budget_total",
    "budget_to_date",
    "actual",
    "variance",
    "forecast_outturn",
]


def rounded_thousands(actuals: Actuals, table: pd.DataFrame) -> pd.DataFrame:
    """The money of a variance table as displayed: whole £'000 that add up.

    Rounding each cell on its own breaks the sums a reader checks (35.6 + 35.6
    shows as 36 + 36 against a total of 71).  Instead only the service rows are
    rounded, together, and everything else is computed from them:

    * council budgets and row totals: :func:`models.core.rounding.footed_round` of
      service rows x (councils, total) with a grand-total row, so each row's
      councils add to its total and each column adds to the overall figure
      (the overall total is the conventional rounding of the exact one);
    * actual: :func:`models.core.rounding.largest_remainder` to the rounded overall
      actual; budget to date: the row total for a full-year row, else largest
      remainder over the part-year rows;
    * ``variance = actual - budget to date`` and ``forecast outturn = actual +
      total - budget to date`` of the displayed figures;
    * every subtotal (section, group, overall) is the sum of its displayed rows.

    Rounding is half away from zero; a figure already in whole £'000 is never
    moved.  Variance % and the status lights stay computed from exact pounds.

    Parameters
    ----------
    actuals : the loaded actuals file
    table : its :func:`models.model.monitoring.variance_table` [GBP]

    Returns
    -------
    DataFrame on ``table``'s index with ``budget_<council>`` per council and
    :data:`DISPLAYED_MONEY` columns, in whole £'000 (int64).

    >>> from models.engine.monitoring import load_actuals
    >>> from models.model.monitoring import status_table, variance_table
    >>> a = load_actuals("scenarios/actuals_2010_11.yaml")
    >>> k = rounded_thousands(a, variance_table(a))
    >>> k.loc[variance_table(a)["level"] == "overall", "actual"].tolist()
    [1179]
    """
    budgets = actuals.budget_columns
    is_row = (table["level"] == "row").to_numpy()
    rows = table[is_row]
    grand = "__overall__"

    leaf_budgets = rows[budgets].reset_index(drop=True)
    leaf_budgets["budget_total"] = leaf_budgets[budgets].sum(axis=1)
    leaf_budgets.loc[grand] = leaf_budgets.sum()
    rounded = footed_round(
        leaf_budgets, unit=UNIT, row_total=grand, col_total="budget_total"
    ).drop(index=grand)

    leaf = pd.DataFrame(rounded.to_numpy(), columns=rounded.columns)
    leaf["actual"] = largest_remainder(rows["actual"].to_numpy() / UNIT)
    full_year = np.isclose(rows["budget_to_date"], rows["budget_total"], atol=1e-6)
    to_date = leaf["budget_total"].to_numpy(dtype=float)
    if (~full_year).any():
        to_date[~full_year] = largest_remainder(
            rows.loc[~full_year, "budget_to_date"].to_numpy() / UNIT
        )
    leaf["budget_to_date"] = to_date
    leaf["variance"] = leaf["actual"] - leaf["budget_to_date"]
    leaf["forecast_outturn"] = (
        leaf["actual"] + leaf["budget_total"] - leaf["budget_to_date"]
    )

    # Each line of the table is the sum of the service rows it covers.
    level = table["level"].to_numpy()
    group = table["group"].to_numpy()
    section = table["section"].to_numpy()
    row_group, row_section = group[is_row], section[is_row]
    covers = np.where(
        (level == "row")[:, None],
        np.arange(len(table))[:, None] == np.flatnonzero(is_row)[None, :],
        (level == "overall")[:, None]
        | (
            (group[:, None] == row_group[None, :])
            & ((level == "group")[:, None] | (section[:, None] == row_section[None, :]))
        ),
    )
    columns = budgets + DISPLAYED_MONEY
    values = covers.astype(np.int64) @ np.rint(leaf[columns].to_numpy()).astype(
        np.int64
    )
    return pd.DataFrame(values, index=table.index, columns=columns)


def percent(value: float) -> str:
    """Format a fraction as a percentage to one place, negatives in brackets.

    >>> percent(0.0660), percent(-0.05), percent(float("nan"))
    ('6.6%', '(5.0%)', '')
    """
    if value is None or math.isnan(value):
        return ""
    text = f"{abs(value) * 100:.1f}%"
    return f"({text})" if value < 0 else text


def _light_cell(status: str | None) -> str:
    if not status:
        return "<td></td>"
    colour = LIGHT_COLOURS.get(status, "#777")
    return (
        f'<td class="light" style="background:{colour}">'
        f"{html.escape(status.capitalize())}</td>"
    )


def _has_partial_period(actuals: Actuals) -> bool:
    return bool((actuals.rows["fraction_to_date"] < 1.0).any())


def render_monitoring_html(
    actuals: Actuals, table: pd.DataFrame, full_page: bool = True
) -> str:
    """HTML report of a :func:`models.model.monitoring.variance_table` in Appendix A layout.

    Columns: service, budget per council and total (£'000), budget to date (only
    for a part-year period), actual, variance, variance %, status by rule,
    officer's status (flagged where it disagrees), comment.  The £'000 figures
    are :func:`rounded_thousands`, so the displayed table adds up.  ``full_page=False``
    returns just the ``<style>`` and ``<table>`` for embedding in a notebook.
    """
    spec = actuals.spec
    names = actuals.council_names
    partial = _has_partial_period(actuals)
    fy = html.escape(spec.period.financial_year)
    period = html.escape(period_label(spec))
    n_budget = len(actuals.councils) + 1
    head = [
        "<tr><th rowspan=2></th>"
        f"<th colspan={n_budget}>Budget {fy}</th>"
        f"<th colspan={5 if partial else 4}>{period}</th>"
        "<th colspan=2>Status</th><th rowspan=2>Comments</th></tr>",
        "<tr>"
        + "".join(f"<th>{html.escape(names[c])} £'000</th>" for c in actuals.councils)
        + "<th>TOTAL £'000</th>"
        + ("<th>Budget to date £'000</th>" if partial else "")
        + "<th>Actual £'000</th><th>Variance £'000</th><th>Variance %</th>"
        + "<th>Forecast outturn £'000</th>"
        + "<th>By rule</th><th>Officer</th></tr>",
    ]
    n_cols = 1 + n_budget + (5 if partial else 4) + 3
    body: list[str] = []
    group_labels = {g.id: g.label for g in spec.groups}
    section_labels = {(g.id, s.id): s.label for g in spec.groups for s in g.sections}
    seen_groups: set[str] = set()
    seen_sections: set[tuple[str, str]] = set()
    shown = rounded_thousands(actuals, table).to_dict("records")
    for rec, k in zip(table.to_dict("records"), shown, strict=True):
        group, section = rec["group"], rec["section"]
        if rec["level"] == "row" and group not in seen_groups:
            seen_groups.add(group)
            body.append(
                f'<tr class="header"><td colspan={n_cols}>'
                f"{html.escape(group_labels[group])}</td></tr>"
            )
        if rec["level"] == "row" and (group, section) not in seen_sections:
            seen_sections.add((group, section))
            label = section_labels[(group, section)]
            if label:
                body.append(
                    f'<tr class="header"><td colspan={n_cols}>'
                    f"{html.escape(label)}</td></tr>"
                )
        money = [k[f"budget_{c}"] for c in actuals.councils] + [k["budget_total"]]
        if partial:
            money.append(k["budget_to_date"])
        money += [k["actual"], k["variance"]]
        cells = [f"<td>{html.escape(str(rec['label']))}</td>"]
        cells += [
            f'<td class="num">{format_thousands(v, currency=False)}</td>' for v in money
        ]
        cells.append(f'<td class="num">{percent(rec["variance_pct"])}</td>')
        cells.append(
            f'<td class="num">{format_thousands(k["forecast_outturn"], currency=False)}</td>'
        )
        cells.append(_light_cell(rec["status_rule"]))
        officer = rec["status_officer"]
        if rec["status_disagrees"]:
            cells.append(
                f'<td class="flag" title="officer light differs from the rule">'
                f"{html.escape(str(officer).capitalize())} &#9873; differs</td>"
            )
        else:
            cells.append(_light_cell(officer))
        cells.append(f"<td>{html.escape(str(rec['comment'] or ''))}</td>")
        body.append(
            f'<tr class="{html.escape(rec["level"])}">' + "".join(cells) + "</tr>"
        )
    title = html.escape(spec.title)
    fragment = (
        f"<style>{_CSS}</style>\n"
        f'<table class="monitoring"><caption><b>{title}</b><br>'
        f"Source: {html.escape(spec.source)}. Variance = actual - budget to date; "
        "status by rule: shortfall up to the green threshold green, up to the amber "
        "threshold amber, worse red.</caption>\n<thead>"
        + "\n".join(head)
        + "</thead>\n<tbody>\n"
        + "\n".join(body)
        + "\n</tbody></table>\n"
    )
    if not full_page:
        return fragment
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{title}</title></head>\n<body>\n{fragment}</body></html>\n"
    )


def excel_frame(actuals: Actuals, table: pd.DataFrame) -> pd.DataFrame:
    """The variance table as the Excel sheet shows it: labelled columns, pounds."""
    names = actuals.council_names
    columns = {"label": "Service"}
    columns.update({f"budget_{c}": f"Budget {names[c]} £" for c in actuals.councils})
    columns.update(
        {
            "budget_total": "Budget total £",
            "budget_to_date": "Budget to date £",
            "actual": "Actual £",
            "variance": "Variance £",
            "variance_pct": "Variance %",
            "forecast_outturn": "Forecast outturn £",
            "status_rule": "Status by rule",
            "status_officer": "Officer status",
            "status_disagrees": "Officer differs from rule",
            "comment": "Comments",
            "level": "Line type",
        }
    )
    frame = table[list(columns)].rename(columns=columns)
    return frame


def write_monitoring_excel(
    actuals: Actuals, table: pd.DataFrame, path: str | Path
) -> Path:
    """Write the monitoring table to one Excel sheet at ``path``.

    A title row (the report's title and period), a units row, bold headers
    with the panes frozen below them; money in full pounds with £ formats
    (negatives in brackets), variance as a percentage, status cells coloured,
    every text cell a string, never a formula.
    """
    from openpyxl.styles import Font, PatternFill

    path = Path(path)
    frame = excel_frame(actuals, table)
    header_row = 3
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        frame.to_excel(
            writer, sheet_name="Monitoring", index=False, startrow=header_row - 1
        )
        sheet = writer.sheets["Monitoring"]
        title = f"{actuals.spec.title}: {period_label(actuals.spec)}"
        sheet.cell(row=1, column=1, value=title).font = Font(bold=True, size=13)
        sheet.cell(row=2, column=1, value=EXCEL_UNITS).font = Font(italic=True)
        sheet.freeze_panes = sheet.cell(row=header_row + 1, column=2).coordinate
        headers = list(frame.columns)
        first = header_row + 1
        for col_idx, name in enumerate(headers, start=1):
            letter = sheet.cell(row=header_row, column=col_idx).column_letter
            sheet.column_dimensions[letter].width = 44 if col_idx == 1 else 16
            sheet.cell(row=header_row, column=col_idx).font = Font(bold=True)
            for row_idx in range(first, len(frame) + first):
                cell = sheet.cell(row=row_idx, column=col_idx)
                if name.endswith("£"):
                    cell.number_format = GBP_FORMAT
                elif name == "Variance %":
                    cell.number_format = PERCENT_FORMAT
                elif name in ("Status by rule", "Officer status") and cell.value:
                    colour = LIGHT_COLOURS.get(str(cell.value), "777777").lstrip("#")
                    cell.fill = PatternFill("solid", start_color=colour)
        levels = frame["Line type"].tolist()
        for row_idx, level in enumerate(levels, start=first):
            if level != "row":
                for col_idx in range(1, len(headers) + 1):
                    sheet.cell(row=row_idx, column=col_idx).font = Font(bold=True)
        text_cells_as_strings(sheet)
    return path


EXCEL_UNITS = (
    "Money in pounds (£), full precision; negatives in brackets. "
    "Variance = actual - budget to date; Variance % = variance / budget to date."
)
"""The units row of the monitoring sheet."""


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


def status_lights_table(table: pd.DataFrame) -> ReportTable:
    """The status lights of the service lines as a report table: the line, its
    variance against budget to date (one decimal), the light by rule and the
    officer's light as coloured cells with the word, and whether they differ.

    ``table``: :func:`models.model.monitoring.variance_table`; the rule is
    :func:`models.model.monitoring.rag_status` (seed 000 para 3.1).
    """
    rows = status_table(table)
    shown = pd.DataFrame(
        {
            "Variance against budget": [percent(v) for v in rows["variance_pct"]],
            "Light by rule": [_word(v) for v in rows["status_rule"]],
            "Officer's light": [_word(v) for v in rows["status_officer"]],
            "Lights differ": [
                "yes" if d is True else "" for d in rows["status_disagrees"]
            ],
        },
        index=[str(label) for label in rows["label"]],
    )
    return ReportTable(
        key="status-lights",
        title="Status lights of the service lines",
        table=shown,
        text_columns=tuple(shown.columns),
        rag_columns=("Light by rule", "Officer's light"),
        index_label="Line",
        note="A variance is the saving achieved against the budget to date; "
        "'not set' where the officer gave no light.",
    )


def _word(value: object) -> str:
    """A light as a word with a capital (Green), "not set" where none was given."""
    return value.capitalize() if isinstance(value, str) and value else "not set"


def variance_persists_table(headline: pd.DataFrame, case: Case) -> ReportTable:
    """The effect on each option of the case if this year's overall variance
    persisted (:func:`models.engine.monitoring.monitoring_headline`), by option
    title: planned NPV, NPV if the variance persists and the difference [GBP],
    and the payback year either way."""
    titles = {k: o.title or k for k, o in case.options.items()}
    planned = headline["planned NPV £"].astype(float)
    forecast = headline["NPV if variance persists £"].astype(float)
    shown = pd.DataFrame(
        {
            "Variance carried": [f"{v:.1f}%" for v in headline["variance %"]],
            "From": [str(v) for v in headline["from"]],
            "Planned NPV": planned.to_numpy(),
            "NPV if it persists": forecast.to_numpy(),
            "Difference": (forecast - planned).to_numpy(),
            "Planned payback": [
                v if isinstance(v, str) else "not within the period"
                for v in headline["planned payback"]
            ],
            "Payback if it persists": [
                v if isinstance(v, str) else "not within the period"
                for v in headline["payback if variance persists"]
            ],
        },
        index=[titles.get(o, o) for o in headline.index],
    )
    return ReportTable(
        key="variance-persists",
        title="If the variance persists: effect on each option",
        table=shown,
        text_columns=(
            "Variance carried",
            "From",
            "Planned payback",
            "Payback if it persists",
        ),
        index_label="Option",
        note="The overall variance of the monitored year carried on every "
        "year's savings from the year shown; one-off costs unchanged.",
    )
