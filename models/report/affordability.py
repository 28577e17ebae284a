"""Financial implications for each council: the page a Section 151 officer reads.

For one option and one council (issue 15 item 6): its one-off costs by year and
type (capital against revenue), how they are funded (each reserve, general
fund revenue, capital receipts, borrowing) and any **funding shortfall**
(shown in red with the word, not by colour alone), the reserves' balances, its
share of the savings and what they do to the revenue budget, the budget gap
closed, and the non-cashable benefits beside the cash (not counted).  The
comparison shows the same figures for every option side by side.

Every table is a :class:`~models.report.tables.ReportTable` in pounds, shown in
£'000 that foot, so the same tables go to Excel.  Figures come from
:mod:`models.engine.affordability` (the ``affordability`` entries of
results.json).  Conventions: docs/affordability.md.
"""

from __future__ import annotations

import html
from collections.abc import Mapping

import numpy as np
import pandas as pd

from models.core.money import money_k
from models.engine.affordability import CouncilAffordability
from models.engine.projection import OptionResult, council_lines
from models.inputs.case import Case
from models.model.funding import BORROWING, CAPITAL_RECEIPTS, GENERAL_FUND
from models.report.tables import ReportTable, table_html

SHORTFALL = "Funding shortfall"
ONE_OFF = "One-off costs"
COST_LABELS = {
    "set_up": "Set-up costs (revenue, with pay protection)",
    "redundancy_pay": "Redundancy pay",
    "pension_strain": "Pension strain",
    "capital": "Capital costs",
}
SOURCE_LABELS = {
    GENERAL_FUND: "General fund revenue",
    CAPITAL_RECEIPTS: "Capital receipts",
    BORROWING: "Borrowing",
}


def reserve_label(name: str) -> str:
    """How a reserve is named on the page.

    >>> reserve_label("shared_services_implementation")
    'Reserve: shared services implementation'
    """
    return f"Reserve: {name.replace('_', ' ')}"


def _with_total(table: pd.DataFrame) -> pd.DataFrame:
    out = table.copy()
    out["Total"] = table.sum(axis=1)
    return out


def _frame(rows: Mapping[str, np.ndarray], years: list[str]) -> pd.DataFrame:
    return pd.DataFrame({k: np.asarray(v, float) for k, v in rows.items()}).T.set_axis(
        years, axis=1
    )


def council_name(case: Case, council: str) -> str:
    return case.councils[council].name if council in case.councils else council


def one_off_costs_table(
    item: CouncilAffordability, years: list[str], title: str, key: str
) -> ReportTable:
    """A council's one-off costs by type and year, capital apart from revenue [GBP]."""
    rows = {COST_LABELS[t]: v for t, v in item.costs_by_type.items()}
    rows[ONE_OFF] = item.funding.one_off_costs
    revenue = float(item.revenue_costs.sum())
    capital = float(item.capital_costs.sum())
    return ReportTable(
        key=key,
        title=title,
        table=_with_total(_frame(rows, years)),
        row_total=ONE_OFF,
        col_total="Total",
        note=(
            f"Revenue {money_k(revenue)} and capital {money_k(capital)} over the "
            "period: the council's share on each service's basis; severance and pay "
            "protection where the posts are."
        ),
    )


def funding_table(
    item: CouncilAffordability, years: list[str], title: str, key: str
) -> ReportTable:
    """How a council's one-off costs are funded, by source and year, and the
    shortfall; the sources and the shortfall add to the one-off costs [GBP]."""
    funded = item.funding.funded_by_source
    rows: dict[str, np.ndarray] = {}
    for source, values in funded.items():
        is_reserve = source in item.funding.opening
        if is_reserve or source == GENERAL_FUND or np.any(values):
            label = reserve_label(source) if is_reserve else SOURCE_LABELS[source]
            rows[label] = values
    rows[SHORTFALL] = item.funding.shortfall
    rows[ONE_OFF] = item.funding.one_off_costs
    return ReportTable(
        key=key,
        title=title,
        table=_with_total(_frame(rows, years)),
        row_total=ONE_OFF,
        col_total="Total",
        note=(
            "Each cost type is funded from the sources of the council's funding "
            "order in turn; what none of them can fund is the funding shortfall."
        ),
    )


def reserve_table(
    item: CouncilAffordability, name: str, years: list[str], title: str, key: str
) -> ReportTable:
    """A reserve's balance by year: start, drawn, replenished, end [GBP]; the end
    balance is the start less drawn plus replenished."""
    funding = item.funding
    closing = funding.closing[name]
    start = np.concatenate([[funding.opening[name]], closing[:-1]])
    rows = {
        "Balance at start of year": start,
        "Drawn for one-off costs": funding.drawn[name],
        "Replenished from savings": funding.replenished[name],
        "Balance at end of year": closing,
    }
    return ReportTable(
        key=key,
        title=title,
        table=_frame(rows, years),
        row_total="Balance at end of year",
        signs={"Drawn for one-off costs": -1.0},
        note="A reserve never goes below zero; an invest-to-save reserve is "
        "replenished from the council's share of savings until repaid.",
    )


def revenue_budget_table(
    item: CouncilAffordability,
    non_cashable: np.ndarray,
    years: list[str],
    title: str,
    key: str,
) -> ReportTable:
    """A council's share of savings, what the one-off costs take from the
    revenue budget, and the budget gap closed [GBP]."""
    funding = item.funding
    repaid = sum(funding.replenished.values(), np.zeros(len(years)))
    rows = {
        "Share of cash savings": item.cash_savings,
        "One-off costs met from general fund revenue": funding.funded_by_source[
            GENERAL_FUND
        ],
        SHORTFALL: funding.shortfall,
        "Repaid to invest-to-save reserves": repaid,
        "Net effect on the revenue budget": item.cash_savings
        - funding.funded_by_source[GENERAL_FUND]
        - funding.shortfall
        - repaid,
    }
    costs = ("One-off costs met from general fund revenue", SHORTFALL)
    signs = {r: -1.0 for r in (*costs, "Repaid to invest-to-save reserves")}
    return ReportTable(
        key=key,
        title=title,
        table=_with_total(_frame(rows, years)),
        row_total="Net effect on the revenue budget",
        col_total="Total",
        signs=signs,
        note=(
            "Non-cashable benefits (not counted here, nor in the NPV or payback): "
            f"{money_k(float(np.sum(non_cashable)))} over the period."
        ),
    )


def budget_gap_table(
    item: CouncilAffordability, years: list[str], title: str, key: str
) -> ReportTable:
    """The budget gap, the part the savings close and what remains [GBP]."""
    rows = {
        "Budget gap": item.budget_gap,
        "Closed by the savings": item.gap_closed,
        "Gap remaining": item.gap_remaining,
    }
    return ReportTable(
        key=key,
        title=title,
        table=_with_total(_frame(rows, years)),
        row_total="Gap remaining",
        col_total="Total",
        signs={"Closed by the savings": -1.0},
        note="The gap closed is the net effect on the revenue budget, when "
        "positive, up to the gap; it never exceeds the gap.",
    )


def council_tables(result: OptionResult, case: Case, council: str) -> list[ReportTable]:
    """The financial implications of one option for one council, in page order."""
    item = result.affordability[council]
    years = list(result.arrays.years)
    name = council_name(case, council)
    option = result.arrays.option
    key = f"affordability-{option}-{council}"
    c = list(result.arrays.councils).index(council)
    non_cashable = council_lines(result.arrays, result.projection)["non_cashable"][c]
    tables = [
        one_off_costs_table(item, years, f"One-off costs: {name}", f"{key}-costs"),
        funding_table(item, years, f"Funding: {name}", f"{key}-funding"),
    ]
    for reserve in item.funding.opening:
        tables.append(
            reserve_table(
                item,
                reserve,
                years,
                f"Reserve balance: {name} ({reserve.replace('_', ' ')})",
                f"{key}-reserve-{reserve}",
            )
        )
    tables.append(
        revenue_budget_table(
            item,
            non_cashable,
            years,
            f"Revenue budget: {name} (savings and one-off costs)",
            f"{key}-revenue",
        )
    )
    if np.any(item.budget_gap):
        tables.append(
            budget_gap_table(item, years, f"Budget gap: {name}", f"{key}-gap")
        )
    return tables


def option_affordability_tables(result: OptionResult, case: Case) -> list[ReportTable]:
    """Every council's financial implications tables of one option (for Excel)."""
    if not result.affordability:
        return []
    return [
        table
        for council in result.arrays.councils
        for table in council_tables(result, case, council)
    ]


def _shortfall_html(item: CouncilAffordability, years: list[str], name: str) -> str:
    """The sentence on the shortfall: in red, with the word, where there is one."""
    short = item.funding.shortfall
    if not np.any(short > 0.5):
        return (
            '<p class="funded">No funding shortfall: every one-off cost of '
            f"{html.escape(name)} is funded by the sources named.</p>"
        )
    by_year = ", ".join(
        f"{money_k(float(v))} in {y}"
        for y, v in zip(years, short, strict=True)
        if v > 0.5
    )
    return (
        '<p class="shortfall"><strong>Funding shortfall:</strong> '
        f"{html.escape(by_year)} of {html.escape(name)}'s one-off costs are not "
        "funded by any source in its funding order.</p>"
    )


def _marked(t: ReportTable) -> str:
    """A table's HTML with its funding shortfall row marked (red, bold) when the
    shortfall is not zero."""
    out = table_html(t)
    if SHORTFALL in t.table.index and np.any(t.table.loc[SHORTFALL].abs() > 0.5):
        row = f'<tr><th scope="row">{SHORTFALL}</th>'
        out = out.replace(
            row, f'<tr class="shortfall"><th scope="row">{SHORTFALL}</th>'
        )
    return out


def option_financial_implications_html(result: OptionResult, case: Case) -> str:
    """The "Financial implications for <council>" sections of one option (HTML)."""
    if not result.affordability:
        return "<p>No council figures.</p>"
    years = list(result.arrays.years)
    parts = []
    for council in result.arrays.councils:
        name = council_name(case, council)
        item = result.affordability[council]
        tables = council_tables(result, case, council)
        parts.append(
            '<section class="financial-implications">'
            f"<h3>Financial implications for {html.escape(name)}</h3>"
            + _shortfall_html(item, years, name)
            + "".join(_marked(t) for t in tables)
            + "</section>"
        )
    return "".join(parts)


COMPARISON_ROWS = (
    "One-off costs",
    "of which capital",
    "Funded from reserves",
    "Funded from general fund revenue",
    "Funded from capital receipts",
    "Funded by borrowing",
    SHORTFALL,
    "Reserves at the end of the period",
    "Share of cash savings",
    "Budget gap",
    "Budget gap closed",
    "Non-cashable benefits (not counted)",
)


def _option_column(result: OptionResult, council: str) -> list[float]:
    item = result.affordability[council]
    funding = item.funding
    funded = funding.funded_by_source
    c = list(result.arrays.councils).index(council)
    non_cashable = council_lines(result.arrays, result.projection)["non_cashable"][c]
    return [
        float(funding.one_off_costs.sum()),
        float(item.capital_costs.sum()),
        float(sum(funded[r].sum() for r in funding.opening)),
        float(funded[GENERAL_FUND].sum()),
        float(funded[CAPITAL_RECEIPTS].sum()),
        float(funded[BORROWING].sum()),
        float(funding.shortfall.sum()),
        float(sum(v[-1] for v in funding.closing.values())),
        float(item.cash_savings.sum()),
        float(item.budget_gap.sum()),
        float(item.gap_closed.sum()),
        float(non_cashable.sum()),
    ]


def _option_title(case: Case, option: str) -> str:
    """An option as the reader knows it: its title (its key where it has none)."""
    found = case.options.get(option)
    return (found.title if found is not None else None) or option


def comparison_council_table(
    results: Mapping[str, OptionResult], case: Case, council: str
) -> ReportTable:
    """One council's financial implications under every option, over the whole
    period [GBP] (options as columns)."""
    name = council_name(case, council)
    table = pd.DataFrame(
        {
            _option_title(case, option): _option_column(result, council)
            for option, result in results.items()
            if result.affordability and council in result.affordability
        },
        index=list(COMPARISON_ROWS),
    )
    return ReportTable(
        key=f"affordability-comparison-{council}",
        title=f"Affordability: {name} (every option)",
        table=table,
        note="Totals over the period; non-cashable benefits are shown, not counted.",
    )


def comparison_affordability_tables(
    results: Mapping[str, OptionResult], case: Case
) -> list[ReportTable]:
    """Every council's comparison table (for Excel and the page)."""
    if not results:
        return []
    councils = list(next(iter(results.values())).arrays.councils)
    return [comparison_council_table(results, case, c) for c in councils]


def comparison_financial_implications_html(
    results: Mapping[str, OptionResult], case: Case
) -> str:
    """The "Financial implications for <council>" sections of the comparison."""
    parts = []
    for t in comparison_affordability_tables(results, case):
        council = t.key.removeprefix("affordability-comparison-")
        name = council_name(case, council)
        short = [
            o
            for o, r in results.items()
            if r.affordability
            and np.any(r.affordability[council].funding.shortfall > 0.5)
        ]
        warning = (
            '<p class="shortfall"><strong>Funding shortfall</strong> under '
            + html.escape(", ".join(_option_title(case, o) for o in short))
            + ".</p>"
            if short
            else '<p class="funded">No funding shortfall under any option.</p>'
        )
        parts.append(
            '<section class="financial-implications">'
            f"<h3>Financial implications for {html.escape(name)}</h3>"
            + warning
            + _marked(t)
            + "</section>"
        )
    return "".join(parts)
