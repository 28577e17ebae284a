"""Report tables of an option or of a whole case, in pounds, shown in £'000.

Every builder returns a :class:`ReportTable`: a DataFrame in full-precision pounds
with the names of its total row and total column.  Display rounds to £'000 with
:func:`footed`, so the rounded parts add to the rounded totals on the page, and
formats money as ``£1,016k`` with negatives in brackets (``(£65k)``).  Every
label that can come from a case file is HTML-escaped when rendered.

Line items are read from the long results table (``OptionResult.long``), so the
report shows exactly the figures in ``results.csv`` and ``results.json``.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd

from models.core.money import THOUSAND, format_thousands, money_k
from models.core.rounding import footed_round
from models.engine.cases import option_case
from models.engine.projection import (
    ALL,
    PAY_HARMONISATION,
    SAVINGS_LABELS,
    SETUP_LABELS,
    OptionResult,
)
from models.inputs.case import Case
from models.inputs.tableio import read_text_table
from models.report.tables_core import summary_position as core_summary_position

UNIT = THOUSAND
"""Display unit of the report tables [GBP]: £'000."""


def cell_text(value: object) -> str:
    """Text of a cell in a text column: numbers are money, shown as ``£1,016k``.

    >>> cell_text(1_016_000.0), cell_text("2013/14"), cell_text(None)
    ('£1,016k', '2013/14', '')
    """
    if value is None:
        return ""
    if isinstance(value, int | float | np.floating):
        return money_k(float(value))
    return str(value)


def footed(
    table: pd.DataFrame,
    unit: float = UNIT,
    row_total: str | None = None,
    col_total: str | None = None,
) -> pd.DataFrame:
    """Round a table of pounds to whole ``unit`` s so that it foots.

    Uses :func:`models.core.rounding.footed_round` (parts add to the totals after
    rounding).  Returns whole numbers of ``unit`` [GBP], e.g. 1016 for £1,016k.

    Parameters: ``table`` [GBP]; ``unit`` [GBP]; ``row_total`` label of the row
    that is the sum of the other rows; ``col_total`` label of the column that is
    the sum of the other columns.

    >>> t = pd.DataFrame({"a": [1400.0, 2400.0, 3800.0]}, index=["x", "y", "Total"])
    >>> r = footed(t, row_total="Total")["a"]
    >>> bool(r["x"] + r["y"] == r["Total"])
    True
    """
    out = footed_round(table, unit=unit, row_total=row_total, col_total=col_total)
    return pd.DataFrame(out, index=table.index, columns=table.columns).astype(float)


@dataclass(repr=False)
class ReportTable:
    """A report table in pounds, with how to round, sign and label it for display.

    ``table`` holds money in pounds (full precision), except ``text_columns``.
    ``signs`` gives -1 for rows shown as positive costs that are subtracted in
    the total row (e.g. SET UP COSTS above NET SAVINGS): footing is done on the
    signed figures.
    """

    key: str
    title: str
    table: pd.DataFrame
    row_total: str | None = None
    col_total: str | None = None
    signs: Mapping[str, float] = field(default_factory=dict)
    text_columns: Sequence[str] = ()
    note: str | None = None
    index_label: str = ""
    rag_columns: Sequence[str] = ()
    """Text columns holding a RAG light (green, amber, red): shown as a
    coloured cell with the word."""

    @property
    def money_columns(self) -> list[str]:
        return [c for c in self.table.columns if c not in self.text_columns]

    def rounded(self) -> pd.DataFrame:
        """Money columns in whole £'000 that foot (the figures shown)."""
        money = self.table[self.money_columns].astype(float)
        if money.shape[1] == 0:
            return money
        sign = pd.Series(
            [self.signs.get(r, 1.0) for r in money.index], index=money.index
        )
        out = footed(
            money.mul(sign, axis=0),
            unit=UNIT,
            row_total=self.row_total,
            col_total=self.col_total,
        )
        return out.mul(sign, axis=0)

    def display(self) -> pd.DataFrame:
        """The table as shown: strings, money as ``£1,016k``."""
        return self._shown.copy()

    @cached_property
    def _shown(self) -> pd.DataFrame:
        """Worked out once (a notebook shows a table as HTML and as text): a
        ReportTable is not changed once built."""
        shown = self.rounded().map(format_thousands)
        for c in self.text_columns:
            shown[c] = self.table[c].map(cell_text)
        return shown[list(self.table.columns)]

    def to_html(self) -> str:
        """The table as an HTML ``<table>``; every label HTML-escaped."""
        return table_html(self)

    def _repr_html_(self) -> str:
        return self.to_html()

    def __repr__(self) -> str:
        return f"{self.title}\n{text_table(self.display(), self.index_label)}"


def text_table(shown: pd.DataFrame, index_label: str = "") -> str:
    """A table of strings as plain text: labels left, figures right-aligned
    (what a notebook shows where it cannot show HTML; a tenth of the time of
    ``DataFrame.to_string``).

    >>> print(text_table(pd.DataFrame({"NPV": ["£1k", "(£20k)"]}, index=["a", "bb"])))
            NPV
    a       £1k
    bb   (£20k)
    """
    rows = [[index_label, *map(str, shown.columns)]]
    rows += [
        [str(i), *map(str, r)]
        for i, r in zip(shown.index, shown.to_numpy(), strict=True)
    ]
    widths = [max(len(r[j]) for r in rows) for j in range(len(rows[0]))]
    return "\n".join(
        "  ".join(
            [r[0].ljust(widths[0])]
            + [c.rjust(w) for c, w in zip(r[1:], widths[1:], strict=True)]
        ).rstrip()
        for r in rows
    )


LONG_TEXT = 30
"""A text column with a cell longer than this many characters wraps, left-aligned."""


def _column_classes(t: ReportTable, shown: pd.DataFrame) -> dict[str, str]:
    out = {}
    for c in shown.columns:
        if c not in t.text_columns:
            out[c] = "num"
        elif shown[c].astype(str).str.len().max() > LONG_TEXT:
            out[c] = "text long"
        else:
            out[c] = "text"
    return out


RAG_BACKGROUNDS = {"green": "#c8e6c9", "amber": "#ffe0b2", "red": "#ffcdd2"}
"""Light backgrounds of RAG cells: black text on them passes WCAG AA contrast."""


def _rag_style(t: ReportTable, column: str, value: str) -> str:
    colour = RAG_BACKGROUNDS.get(str(value).strip().lower())
    if column not in t.rag_columns or colour is None:
        return ""
    return f' style="background:{colour};color:#000;font-weight:bold"'


def table_html(t: ReportTable) -> str:
    """HTML of a :class:`ReportTable`: caption, header, money right-aligned."""
    e = html.escape
    shown = t.display()
    classes = _column_classes(t, shown)
    head = "".join(
        f'<th scope="col" class="{classes[c]}">{e(str(c))}</th>' for c in shown.columns
    )
    rows = []
    for label, row in shown.iterrows():
        cls = ' class="total"' if label == t.row_total else ""
        cells = "".join(
            f'<td class="{classes[c]}'
            f'{" total" if c == t.col_total else ""}"{_rag_style(t, c, v)}>{e(v)}</td>'
            for c, v in row.items()
        )
        rows.append(f'<tr{cls}><th scope="row">{e(str(label))}</th>{cells}</tr>')
    note = f'<p class="note">{e(t.note)}</p>' if t.note else ""
    return (
        f'<div class="report-table" id="table-{e(t.key)}">'
        f'<table class="money" data-table="{e(t.key)}">'
        f"<caption>{e(t.title)}</caption>"
        f'<thead><tr><th scope="col">{e(t.index_label)}</th>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>{note}</div>"
    )


# --- option tables -------------------------------------------------------------


def _lines(
    result: OptionResult, council: str = ALL, service: str = ALL
) -> pd.DataFrame:
    """Wide line items x financial years [GBP] for one council and service."""
    sel = result.long[
        (result.long["council"] == council) & (result.long["service"] == service)
    ]
    wide = sel.pivot(index="line_item", columns="financial_year", values="value")
    return wide[list(result.arrays.years)]


def summary_position(result: OptionResult) -> ReportTable:
    """Summary shared service financial position in the layout of seed 002 para 6.9.

    SAVINGS, SET UP COSTS (set-up costs plus severance: redundancy pay and pension
    strain) and NET SAVINGS = SAVINGS - SET UP COSTS, by financial year [GBP].
    """
    table = core_summary_position(result.long)
    table.columns.name = None
    return ReportTable(
        key="summary-position",
        title="Summary shared service financial position",
        table=table,
        row_total="NET SAVINGS",
        signs={"SET UP COSTS": -1.0},
        note="SET UP COSTS include severance (redundancy pay and pension strain).",
    )


def _with_total_column(table: pd.DataFrame, name: str = "Total") -> pd.DataFrame:
    out = table.copy()
    out[name] = table.sum(axis=1)
    return out


def cash_flows(result: OptionResult) -> ReportTable:
    """Yearly cash flows: savings less set-up costs, redundancy pay and pension
    strain, giving the net saving, with a total over the period [GBP]."""
    w = _lines(result)
    table = pd.DataFrame(
        [
            w.loc["Savings"],
            w.loc["Costs|Set-up"],
            w.loc["Costs|Severance|Redundancy pay"],
            w.loc["Costs|Severance|Pension strain"],
            w.loc["Net saving"],
        ],
        index=[
            "Savings",
            "Set-up costs",
            "Redundancy pay",
            "Pension strain",
            "Net saving",
        ],
    )
    costs = ("Set-up costs", "Redundancy pay", "Pension strain")
    return ReportTable(
        key="cash-flows",
        title="Yearly cash flows",
        table=_with_total_column(table),
        row_total="Net saving",
        col_total="Total",
        signs={r: -1.0 for r in costs},
        note="Costs are shown as positive figures and deducted from savings.",
    )


def savings_by_category(result: OptionResult) -> ReportTable:
    """Gross savings by category and year, less the pay harmonisation of posts
    moving onto higher grades (a negative row), with totals [GBP]."""
    w = _lines(result)
    rows = {label: w.loc[f"Savings|{label}"] for label in SAVINGS_LABELS.values()}
    rows["Pay harmonisation (new pay above old)"] = w.loc[PAY_HARMONISATION]
    table = pd.DataFrame(rows).T
    table = table[(table.abs() > 0).any(axis=1)]
    table.loc["Total savings"] = w.loc["Savings"]
    return ReportTable(
        key="savings-by-category",
        title="Savings by category",
        table=_with_total_column(table),
        row_total="Total savings",
        col_total="Total",
    )


def council_names(case: Case) -> dict[str, str]:
    """Display name of each council key."""
    return {k: c.name for k, c in case.councils.items()}


def council_net_savings(result: OptionResult, case: Case) -> ReportTable:
    """Each council's share of the net saving by year, with totals [GBP]."""
    names = council_names(case)
    rows = {
        names.get(c, c): _lines(result, council=c).loc["Net saving"]
        for c in result.arrays.councils
    }
    table = pd.DataFrame(rows).T
    table.loc["All councils"] = _lines(result).loc["Net saving"]
    return ReportTable(
        key="council-net-savings",
        title="Net saving by council",
        table=_with_total_column(table),
        row_total="All councils",
        col_total="Total",
        note="Savings, set-up costs and severance are shared on each service's basis.",
    )


def council_npv(result: OptionResult, case: Case) -> ReportTable:
    """Each council's net present value (financial view), with the total [GBP]."""
    names = council_names(case)
    values = {names.get(c, c): s.npv for c, s in result.councils.items()}
    values["All councils"] = result.summary.npv
    table = pd.DataFrame({"Net present value": values})
    return ReportTable(
        key="council-npv",
        title="Net present value by council",
        table=table,
        row_total="All councils",
    )


def setup_and_severance_by_service(result: OptionResult, case: Case) -> ReportTable:
    """One-off costs over the period by service: set-up by category, redundancy
    pay and pension strain, with totals [GBP] (services with none left out)."""
    long = result.long
    sel = long[(long["council"] == ALL) & (long["service"] != ALL)]
    wanted = [f"Costs|Set-up|{v}" for v in SETUP_LABELS.values()] + [
        "Costs|Severance|Redundancy pay",
        "Costs|Severance|Pension strain",
    ]
    sel = sel[sel["line_item"].isin(wanted)]
    table = sel.pivot_table(
        index="service", columns="line_item", values="value", aggfunc="sum"
    ).reindex(index=list(result.arrays.services), columns=wanted, fill_value=0.0)
    table.columns = [c.split("|")[-1] for c in table.columns]
    table = table.loc[(table.abs() > 0).any(axis=1), (table.abs() > 0).any(axis=0)]
    table.index = [
        case.services[s].name if s in case.services else s for s in table.index
    ]
    table = _with_total_column(table)
    note = None
    if len(table) > MAX_SERVICE_ROWS:
        # the largest one-off costs by name, the rest summed in one row
        order = table["Total"].abs().sort_values(ascending=False, kind="stable")
        keep = [i for i in table.index if i in set(order.index[: MAX_SERVICE_ROWS - 1])]
        rest = [i for i in table.index if i not in set(keep)]
        other = table.loc[rest].sum(axis=0)
        table = table.loc[keep]
        table.loc[f"Other services ({len(rest)})"] = other
        note = (
            f"The {len(keep)} services with the largest one-off costs; the other "
            f"{len(rest)} are summed in one row (every service is in results.csv)."
        )
    table.loc["Total"] = table.sum(axis=0)
    return ReportTable(
        key="one-off-costs-by-service",
        title="Set-up costs and severance by service (whole period)",
        table=table,
        row_total="Total",
        col_total="Total",
        index_label="Service",
        note=note,
    )


MAX_SERVICE_ROWS = 15
"""Rows of services a report table shows before the rest are summed as 'Other'."""


def headline_figures(result: OptionResult, case: Case) -> ReportTable:
    """Key figures: NPV (financial and economic), payback year, target window."""
    s = result.summary
    rows: dict[str, object] = {
        "Net present value": s.npv,
        "Net present value (economic view)": s.npv_economic,
        "Payback year": s.payback_year or "not within the period",
    }
    tw = case.settings.target_window
    if tw is not None and s.target_window_savings is not None:
        window = f"{tw.first_year} to {tw.last_year}"
        rows[f"Savings {window}"] = s.target_window_savings
        rows[f"Net savings {window}"] = s.target_window_net_savings
        if result.arrays.target is not None:
            rows["Savings target"] = result.arrays.target
    table = pd.DataFrame({"Figure": pd.Series(rows, dtype=object)})
    return ReportTable(
        key="headline",
        title="Key figures",
        table=table,
        text_columns=("Figure",),
        note=(
            "Net present value at the case's discount rate; the economic view "
            "leaves out redundancy pay and pension strain (transfers)."
        ),
    )


def full_year_saving_shares(result: OptionResult) -> dict[tuple[str, str], float]:
    """Each council's share of each service's savings in the last year of the
    period, when every service is fully live [/1], by (service, council)."""
    a = result.arrays
    last = a.savings_shares[:, :, -1]
    return {
        (s, c): float(last[i, j])
        for i, s in enumerate(a.services)
        for j, c in enumerate(a.councils)
    }


def posts_at_risk(case: Case) -> dict[tuple[str, str], str]:
    """Posts at risk by (service, council): the staff table's rows counted; a
    service's own severance estimate (``headcount``) where it has no rows, shown
    against its host council as a headcount for all councils."""
    out: dict[tuple[str, str], str] = {}
    if case.staff_at_risk:
        here = Path(getattr(case, "_source", None) or ".").parent
        raw = read_text_table(here / case.staff_at_risk, "staff table")
        counts = raw.groupby(["service", "council"]).size()
        out.update({(s, c): str(int(n)) for (s, c), n in counts.items()})
    for key, service in case.services.items():
        sev = service.severance
        if sev is not None and sev.headcount and not any(k[0] == key for k in out):
            host = service.host or next(iter(case.councils))
            out[(key, host)] = f"{sev.headcount} (all councils)"
    return out


def what_is_shared(result: OptionResult, case: Case) -> ReportTable:
    """What is being shared, per service and council: today's annual cost, the
    full-year saving, the saving as a share of today's cost, and the posts at
    risk (headcount; the staff table gives no FTE) [GBP/year].

    ``full-year saving`` is the service's savings by category at base-year
    prices, before ramp-up and optimism bias, shared on the service's savings
    basis at its first year live; ``% of today's cost = saving / today's cost``.
    Services the option switches off are left out.
    """
    option = option_case(case, result.arrays.option)
    staff = posts_at_risk(option)
    shares = full_year_saving_shares(result)
    councils = list(result.arrays.councils)
    rows = []
    for key, service in option.services.items():
        if not service.enabled:
            continue
        saving = service.savings.total()
        for council in councils:
            today = (
                float(service.baseline_cost[council].value)
                if council in service.baseline_cost
                else float("nan")
            )
            share = shares.get((key, council), 0.0)
            posts = staff.get((key, council))
            rows.append(
                {
                    "Service": service.name,
                    "Council": case.councils[council].name,
                    "Today's annual cost": today,
                    "Full-year saving": saving * share,
                    "posts": posts or "",
                }
            )
    frame = pd.DataFrame(rows)
    if frame.empty:
        frame = pd.DataFrame(
            columns=[
                "Service",
                "Council",
                "Today's annual cost",
                "Full-year saving",
                "posts",
            ]
        )
    today = frame["Today's annual cost"].astype(float)
    saving = frame["Full-year saving"].astype(float)
    table = pd.DataFrame(
        {
            "Council": frame["Council"].to_numpy(),
            "Today's annual cost": today.fillna(0.0).to_numpy(),
            "Full-year saving": saving.to_numpy(),
            "Saving as % of today's cost": [
                f"{s / t:.1%}" if t and t == t else ""
                for s, t in zip(saving, today, strict=True)
            ],
            "Posts at risk": [p or "" for p in frame["posts"]],
        },
        index=[
            f"{s}: {c}" for s, c in zip(frame["Service"], frame["Council"], strict=True)
        ],
    ).drop(columns="Council")
    total_today = float(today.fillna(0.0).sum())
    total_saving = float(saving.sum())
    total_posts = sum(int(str(p).split()[0]) for p in frame["posts"] if p)
    table.loc["All services"] = [
        total_today,
        total_saving,
        f"{total_saving / total_today:.1%}" if total_today else "",
        str(total_posts) if total_posts else "",
    ]
    return ReportTable(
        key="what-is-shared",
        title="What is being shared: today's cost, saving and posts at risk",
        table=table,
        row_total="All services",
        text_columns=("Saving as % of today's cost", "Posts at risk"),
        index_label="Service and council",
        note="Today's annual cost and the full-year saving once the service is "
        "fully live, at base-year prices, before optimism bias. Posts at risk: "
        "headcount from the staff-at-risk table or the case's severance estimate "
        "(the table gives no full-time equivalents).",
    )


def option_tables(result: OptionResult, case: Case) -> list[ReportTable]:
    """Every table of the option report, in report order."""
    return [
        headline_figures(result, case),
        summary_position(result),
        cash_flows(result),
        savings_by_category(result),
        council_net_savings(result, case),
        council_npv(result, case),
        setup_and_severance_by_service(result, case),
    ]


# --- comparison tables ---------------------------------------------------------


def option_titles(case: Case) -> dict[str, str]:
    """Each option's title by key (the key where a title is missing)."""
    return {k: o.title or k for k, o in case.options.items()}


def options_comparison(
    results: Mapping[str, OptionResult], case: Case | None = None
) -> ReportTable:
    """All options side by side, by title: NPV (financial, economic) and payback
    year [GBP]."""
    table = pd.DataFrame(
        {
            "Net present value": {o: r.summary.npv for o, r in results.items()},
            "NPV (economic view)": {
                o: r.summary.npv_economic for o, r in results.items()
            },
            "Payback year": {
                o: r.summary.payback_year or "not within the period"
                for o, r in results.items()
            },
        }
    )
    if case is not None:
        table = table.rename(index=option_titles(case))
    return ReportTable(
        key="options",
        title="Options compared",
        table=table,
        text_columns=("Payback year",),
        index_label="Option",
    )


def target_comparison(
    results: Mapping[str, OptionResult], case: Case
) -> ReportTable | None:
    """Savings in the target window against the target, per option [GBP].

    Savings in window = target + over/(under) target.  None if the case sets no
    target window.
    """
    tw = case.settings.target_window
    if tw is None or not results:
        return None
    target = {o: r.arrays.target or 0.0 for o, r in results.items()}
    saved = {o: r.summary.target_window_savings or 0.0 for o, r in results.items()}
    table = pd.DataFrame(
        {
            "Target": target,
            "Over/(under) target": {o: saved[o] - target[o] for o in results},
            f"Savings {tw.first_year} to {tw.last_year}": saved,
        }
    )
    table = table.rename(index=option_titles(case))
    if not any(target.values()):
        # no target set: a column of "£0k" targets would read as a target of nil
        window = f"Savings {tw.first_year} to {tw.last_year}"
        return ReportTable(
            key="target",
            title="Savings in the target window",
            table=table[[window]],
            index_label="Option",
            note="The case sets no savings target.",
        )
    return ReportTable(
        key="target",
        title="Savings against the target",
        table=table,
        col_total=f"Savings {tw.first_year} to {tw.last_year}",
        index_label="Option",
    )


def council_npv_by_option(
    results: Mapping[str, OptionResult], case: Case
) -> ReportTable:
    """Each council's NPV under each option, with the total [GBP]."""
    names = council_names(case)
    table = pd.DataFrame(
        {
            o: {names.get(c, c): s.npv for c, s in r.councils.items()}
            for o, r in results.items()
        }
    ).T
    table["All councils"] = pd.Series({o: r.summary.npv for o, r in results.items()})
    table = table.rename(index=option_titles(case))
    return ReportTable(
        key="council-npv-by-option",
        title="Net present value by council",
        table=table,
        col_total="All councils",
        index_label="Option",
    )


def comparison_tables(
    results: Mapping[str, OptionResult], case: Case
) -> list[ReportTable]:
    """Every table of the comparison report, in report order."""
    tables = [options_comparison(results, case)]
    target = target_comparison(results, case)
    if target is not None:
        tables.append(target)
    tables.append(council_npv_by_option(results, case))
    return tables
