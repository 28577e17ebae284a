"""The answer first: the sentences that open each report, written from its results.

Nothing here is typed in: every figure, year and name comes from the option's
results (:class:`models.engine.projection.OptionResult`), the case file (titles,
council names, the savings target, the declared recommendation) or the
monitoring table.  Money in sentences is shown by
:func:`models.core.money.money_words` (``£12.5m``, ``£896k``).

Each function returns HTML for one ``<section id="summary">`` (the element the
browser test finds on the first screen), or plain sentences that go in it.
"""

from __future__ import annotations

import html
from collections.abc import Mapping

import pandas as pd

from models.core.money import money_words
from models.engine.projection import OptionResult
from models.inputs.case import Case
from models.report.council_tables import council_summary

NUMBER_WORDS = (
    "no zero one two three four five six seven eight nine ten eleven twelve "
    "thirteen fourteen fifteen sixteen seventeen eighteen nineteen twenty"
).split()[1:]
"""Whole numbers 0-20 as words (a sentence writes 'ten years', not '10 years')."""


def number_word(n: int) -> str:
    """``n`` as a word up to twenty, else as digits.

    >>> number_word(10), number_word(25)
    ('ten', '25')
    """
    return NUMBER_WORDS[n] if 0 <= n < len(NUMBER_WORDS) else str(n)


def option_title(case: Case, option: str) -> str:
    """The option's title as the case gives it (required since issue 14)."""
    chosen = case.options.get(option)
    return (chosen.title if chosen is not None and chosen.title else None) or option


def council_name(case: Case, council: str) -> str:
    """A council's name as the case gives it (its key where unknown)."""
    return case.councils[council].name if council in case.councils else council


def one_off_costs(result: OptionResult) -> pd.Series:
    """Set-up costs plus severance over the whole period, by council and 'All' [GBP].

    ``one_off = set_up_costs + severance_costs`` of
    :func:`models.report.council_tables.council_summary`.
    """
    s = council_summary(result)
    return s["set_up_costs"] + s["severance_costs"]


def target_clause(result: OptionResult, case: Case) -> str:
    """Whether the option meets the savings target, in words ('' without a target).

    Savings over the target window against the target (seed 000 para 7.4).
    """
    tw = case.settings.target_window
    target = result.arrays.target
    saved = result.summary.target_window_savings
    if tw is None or not target or saved is None:
        return ""
    window = f"{tw.first_year} to {tw.last_year}"
    if saved >= target:
        return f"meets the {money_words(target)} savings target for {window}"
    return (
        f"falls {money_words(target - saved)} short of the {money_words(target)} "
        f"savings target for {window}"
    )


def option_sentence(result: OptionResult, case: Case, option: str) -> str:
    """One plain sentence of an option's results, e.g. "Single business case:
    worth £12.5m over the ten years from 2011/12 in today's money, pays back in
    2013/14, £2.1m of one-off costs, of which Bromsgrove District Council pays
    £1.0m; meets the £2m savings target for 2011/12 to 2013/14."

    Worth: the financial net present value (HM Treasury Green Book discounting
    at base-year prices, "today's money"); one-off costs: set-up and severance
    undiscounted over the period, and the largest council share of them.
    """
    s = result.summary
    years = result.arrays.years
    span = f"over the {number_word(len(years))} years from {years[0]}"
    costs = one_off_costs(result)
    total = float(costs["All"])
    if (
        abs(s.npv) < 500
        and abs(total) < 500
        and not float(council_summary(result).loc["All", "savings"])
    ):
        return (
            f"{option_title(case, option)}: no savings and no one-off costs "
            f"{span}; the other options are measured against it."
        )
    worth = (
        f"worth {money_words(s.npv)} {span} in today's money"
        if s.npv >= 0
        else f"costs {money_words(-s.npv)} more than it saves {span} in today's money"
    )
    payback = (
        f"pays back in {s.payback_year}"
        if s.payback_year
        else "does not pay back within the period"
    )
    parts = [worth, payback, f"{money_words(total)} of one-off costs"]
    councils = costs.drop("All")
    if len(councils) > 1 and total > 0:
        top = councils.idxmax()
        parts[-1] += (
            f", of which {council_name(case, top)} pays {money_words(councils[top])}"
        )
    sentence = f"{option_title(case, option)}: " + ", ".join(parts)
    target = target_clause(result, case)
    return sentence + (f"; {target}." if target else ".")


def council_sentences(result: OptionResult, case: Case) -> list[str]:
    """Each council's one-off cost and saving under the option, e.g.
    "Bromsgrove District Council pays £1.0m of one-off costs and saves £5.9m
    over the period, £3.1m in today's money."."""
    s = council_summary(result)
    out = []
    for council in result.arrays.councils:
        row = s.loc[council]
        one_off = row["set_up_costs"] + row["severance_costs"]
        out.append(
            f"{council_name(case, council)} pays {money_words(one_off)} of one-off "
            f"costs and saves {money_words(row['savings'])} over the period: a net "
            f"saving of {money_words(row['net_saving'])}, worth "
            f"{money_words(row['npv'])} in today's money."
        )
    return out


def best_option(results: Mapping[str, OptionResult]) -> str | None:
    """The option with the highest financial NPV (None if none ran)."""
    if not results:
        return None
    return max(results, key=lambda o: results[o].summary.npv)


def recommendation_sentence(results: Mapping[str, OptionResult], case: Case) -> str:
    """The recommendation the case declares, with its reason and source; without
    one, which option has the highest NPV and that none was declared."""
    best = best_option(results)
    rec = case.recommendation
    if rec is not None:
        title = option_title(case, rec.option)
        source = f" (source: {rec.source})" if rec.source else ""
        text = f"The case recommends {title}: {rec.reason.strip().rstrip('.')}{source}."
        if best is not None and best != rec.option:
            text += (
                f" Note that {option_title(case, best)} has the higher net present "
                f"value, {money_words(results[best].summary.npv)}."
            )
        elif rec.option not in results:
            text += " That option did not run, so its figures are not shown."
        return text
    if best is None:
        return "No option ran, so there is nothing to recommend."
    return (
        f"The case file declares no recommendation. Of the options compared, "
        f"{option_title(case, best)} has the highest net present value, "
        f"{money_words(results[best].summary.npv)}; the board decides which to "
        "recommend."
    )


def section(paragraphs: list[str], items: list[str], banner: str = "") -> str:
    """The ``<section id="summary">`` of a report: heading, banner (HTML, may be
    empty), paragraphs and a list, every sentence HTML-escaped."""
    e = html.escape
    body = "".join(f"<p>{e(p)}</p>" for p in paragraphs)
    listed = "".join(f"<li>{e(i)}</li>" for i in items)
    return (
        '<section id="summary" class="summary" aria-labelledby="summary-heading">'
        '<h2 id="summary-heading">Summary</h2>'
        f"{banner}{body}" + (f"<ul>{listed}</ul>" if listed else "") + "</section>"
    )


def comparison_summary(
    results: Mapping[str, OptionResult],
    case: Case,
    failed: Mapping[str, str] | None = None,
    banner: str = "",
) -> str:
    """The comparison's opening: the recommendation, then a sentence an option."""
    items = [option_sentence(r, case, o) for o, r in results.items()]
    items += [
        f"{option_title(case, o)}: could not be run (see the end of the report)."
        for o in failed or {}
    ]
    return section([recommendation_sentence(results, case)], items, banner)


def option_summary(
    result: OptionResult, case: Case, option: str, banner: str = ""
) -> str:
    """An option report's opening: the option's sentence and each council's."""
    s = council_summary(result).loc["All"]
    moves = any(
        abs(float(s[k])) >= 500 for k in ("savings", "set_up_costs", "severance_costs")
    )
    return section(
        [option_sentence(result, case, option)],
        council_sentences(result, case) if moves else [],
        banner,
    )


def monitoring_summary(table: pd.DataFrame, period: str, title: str) -> str:
    """The monitoring report's opening: the overall position against budget to
    date and the count of green, amber and red lines.

    ``table``: :func:`models.model.monitoring.variance_table` [GBP]; the overall
    row gives ``actual``, ``budget_to_date`` and ``variance``; the service rows
    their ``status_rule``.
    """
    overall = table[table["level"] == "overall"].iloc[0]
    variance = float(overall["variance"])
    budget = float(overall["budget_to_date"])
    side = "above" if variance >= 0 else "below"
    share = f" ({abs(variance) / abs(budget):.1%})" if budget else ""
    heading = title if period in title else f"{title}, {period}"
    position = (
        f"{heading}: {money_words(float(overall['actual']))} achieved against "
        f"a budget to date of {money_words(budget)}, {money_words(abs(variance))}"
        f"{share} {side} budget."
    )
    rows = table[table["level"] == "row"]
    counts = rows["status_rule"].value_counts()
    lights = ", ".join(
        f"{int(counts.get(light, 0))} {light}" for light in ("green", "amber", "red")
    )
    lines = f"Of its {len(rows)} lines, {lights} by the rule of the status lights."
    return section([position, lines], [])
