"""The NPV bridge as people read it: a table, a waterfall chart, HTML and Excel.

:func:`bridge_table` is the bridge of :mod:`models.engine.bridge` as a
:class:`~models.report.tables.ReportTable` in pounds: the NPV of the ``from``
option, one row a step (the input by name, the value before and after, the NPV
change in all and for each council), and the NPV of the ``to`` option, which
the rows above add up to; :func:`inputs_table` gives each step's dotted path and
where its new value comes from.  :func:`bridge_page` is ``bridge.html``: the
options named by their descriptions, the order of the steps, the tables and a
waterfall chart with an alternative text, self-contained and every string
HTML-escaped;
:func:`write_bridge_excel` writes ``bridge.xlsx`` (full pounds);
:func:`bridge_text` is what the command prints (whole pounds).
"""

from __future__ import annotations

import datetime as dt
import html
import textwrap
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from models.core.money import pounds
from models.core.version import __version__
from models.engine.bridge import NOT_SET, Bridge, Difference, Figures, is_quantity
from models.inputs.case import Case
from models.report.export import page_html, write_excel
from models.report.tables import ReportTable, text_table

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from models.report.charts import Chart

TOTAL = "Total"
"""Heading of the column of the whole partnership's NPV change."""


@dataclass(frozen=True)
class BridgeEnd:
    """One end of a bridge as a report names it: the option, a readable label,
    its description, the case file it was read from and that file's SHA-256."""

    option: str
    label: str
    description: str
    case_file: str = ""
    case_sha256: str = ""


@dataclass(frozen=True)
class BridgeNames:
    """What a bridge report shows instead of identifiers: the case's title, the
    two ends, and the names of councils and services by their keys."""

    case_name: str
    case_title: str
    start: BridgeEnd
    end: BridgeEnd
    councils: Mapping[str, str] = field(default_factory=dict)
    services: Mapping[str, str] = field(default_factory=dict)
    run_date: str = field(default_factory=lambda: dt.date.today().isoformat())
    version: str = __version__

    def council(self, key: str) -> str:
        """A council's name (its key if the case gives none)."""
        return self.councils.get(key, key)


def option_label(option: str) -> str:
    """An option's name as words.

    >>> option_label("single_business_case")
    'Single business case'
    """
    words = option.replace("_", " ").replace("-", " ").strip()
    return words[:1].upper() + words[1:]


def names_of(*cases_read: Case) -> tuple[dict[str, str], dict[str, str]]:
    """Council and service names by key, from every case given (later first)."""
    councils: dict[str, str] = {}
    services: dict[str, str] = {}
    for case in cases_read:
        councils.update({k: c.name for k, c in case.councils.items()})
        services.update({k: s.name for k, s in case.services.items()})
    return councils, services


def input_label(path: str, names: BridgeNames) -> str:
    """A dotted path in words: a service or council named, the rest as words.

    >>> n = BridgeNames("c", "C", BridgeEnd("a", "A", ""), BridgeEnd("b", "B", ""),
    ...                 services={"hr_od": "HR"})
    >>> input_label("services.hr_od.severance.year", n)
    'HR: severance year'
    >>> input_label("settings.discount_rate", n)
    'Settings: discount rate'
    """
    parts = path.split(".")
    lookup = {"services": names.services, "councils": names.councils}
    if len(parts) >= 2 and parts[1] in lookup.get(parts[0], {}):
        head, rest = lookup[parts[0]][parts[1]], parts[2:]
    else:
        head, rest = option_label(parts[0]), parts[1:]
    words = " ".join(p.replace("_", " ") for p in rest)
    return f"{head}: {words}" if words else head


def value_text(leaf: Any, default: Any = NOT_SET, unit: bool = True) -> str:
    """A leaf of a case as text: yes/no, dates as ISO, numbers with thousands
    separators (and the quantity's unit); a leaf not set shows the schema's
    ``default``.

    >>> value_text({"value": 95000, "unit": "GBP/year"}), value_text(True)
    ('95,000 GBP/year', 'yes')
    >>> value_text(NOT_SET, True), value_text(NOT_SET, None), value_text(0.05)
    ('yes (default)', 'not set', '0.05')
    """
    if leaf is NOT_SET:
        if default is NOT_SET or default is None:
            return "not set"
        return f"{value_text(default, unit=unit)} (default)"
    if is_quantity(leaf):
        text = value_text(leaf["value"])
        return f"{text} {leaf['unit']}" if unit and leaf.get("unit") else text
    if isinstance(leaf, bool):
        return "yes" if leaf else "no"
    if isinstance(leaf, int | float):
        return format(leaf, ",.12g")
    if isinstance(leaf, dt.date | dt.datetime):
        return leaf.isoformat()
    if leaf is None:
        return "none"
    if isinstance(leaf, dict):
        return "{" + ", ".join(f"{k}: {value_text(v)}" for k, v in leaf.items()) + "}"
    if isinstance(leaf, list):
        return "[" + ", ".join(value_text(v) for v in leaf) + "]"
    return str(leaf)


def _values(differences: tuple[Difference, ...], side: str) -> str:
    if side == "before":
        shown = [value_text(d.before, d.before_default) for d in differences]
    else:
        shown = [value_text(d.after, d.after_default) for d in differences]
    return "; ".join(shown)


def step_label(
    number: int, differences: tuple[Difference, ...], names: BridgeNames
) -> str:
    """A step's row heading: its number and its input(s) by name."""
    inputs = " + ".join(input_label(d.path, names) for d in differences)
    merged = " (one step: not valid apart)" if len(differences) > 1 else ""
    return f"{number}. {inputs}{merged}"


def start_label(names: BridgeNames) -> str:
    """Heading of the row of the ``from`` option's NPV."""
    return f"NPV of {names.start.label} (from)"


def end_label(names: BridgeNames) -> str:
    """Heading of the row of the ``to`` option's NPV (the total of the rows above)."""
    return f"NPV of {names.end.label} (to)"


def bridge_table(result: Bridge, names: BridgeNames) -> ReportTable:
    """The bridge as a report table in pounds (shown in £'000, footed).

    Rows: the NPV of the ``from`` option, each step, the NPV of the ``to``
    option (the sum of the rows above).  Columns: the value before and after,
    each council's NPV change and the total [GBP].  Each step's dotted path and
    source are in :func:`inputs_table`.
    """
    keys = result.councils
    councils = [names.council(c) for c in keys]

    def npvs(figures: Figures) -> dict[str, Any]:
        by_council = [figures.councils.get(c, 0.0) for c in keys]
        return {"Before": None, "After": None} | dict(
            zip([*councils, TOTAL], [*by_council, figures.npv], strict=True)
        )

    rows = [npvs(result.npv_from)]
    for step in result.steps:
        by_council = [step.councils[c] for c in keys]
        rows.append(
            {
                "Before": _values(step.differences, "before"),
                "After": _values(step.differences, "after"),
            }
            | dict(zip([*councils, TOTAL], [*by_council, step.npv_change], strict=True))
        )
    rows.append(npvs(result.npv_to))
    index = [start_label(names), *_step_labels(result, names), end_label(names)]
    return ReportTable(
        key="npv-bridge",
        title=f"NPV bridge from {names.start.label} to {names.end.label}",
        table=pd.DataFrame(rows, index=index),
        row_total=end_label(names),
        col_total=TOTAL,
        text_columns=("Before", "After"),
        note="NPV change of each step, by council and in total; the steps in the "
        "order stated above.",
        index_label="Step",
    )


def _step_labels(result: Bridge, names: BridgeNames) -> list[str]:
    return [step_label(n, s.differences, names) for n, s in enumerate(result.steps, 1)]


def inputs_table(result: Bridge, names: BridgeNames) -> ReportTable:
    """The inputs of each step: its dotted path and where the new value comes
    from (text only); why a step holds several inputs, in the note."""
    table = pd.DataFrame(
        {
            "Dotted path": [s.path for s in result.steps],
            "Source": [
                "; ".join(d.source for d in s.differences) for s in result.steps
            ],
        },
        index=_step_labels(result, names),
    )
    merged = [
        f"step {n}: {s.merged_because}"
        for n, s in enumerate(result.steps, start=1)
        if s.merged_because
    ]
    note = None
    if merged:
        note = "A step of more than one input: the state between them is not a "
        note += "valid case (" + "; ".join(merged) + ")."
    return ReportTable(
        key="npv-bridge-inputs",
        title="The inputs that differ, and their sources",
        table=table,
        text_columns=("Dotted path", "Source"),
        note=note,
        index_label="Step",
    )


def about_table(result: Bridge, names: BridgeNames) -> ReportTable:
    """What the bridge was run on, and the order of its steps (text only)."""
    facts = {
        "Case": f"{names.case_title} ({names.case_name})",
        "From": f"{names.start.label} ({names.start.option}): "
        f"{names.start.description}",
        "To": f"{names.end.label} ({names.end.option}): {names.end.description}",
        "Order of the steps": result.order,
        "Run date": names.run_date,
        "Package": f"sharedcase {names.version}",
    }
    for end, role in ((names.start, "From"), (names.end, "To")):
        if end.case_file:
            facts[f"{role} case file"] = end.case_file
            facts[f"{role} case file SHA-256"] = end.case_sha256
    table = pd.DataFrame({"Value": list(facts.values())}, index=list(facts))
    return ReportTable(
        key="about",
        title="About this bridge",
        table=table,
        text_columns=("Value",),
        index_label="Item",
    )


def bridge_figure(result: Bridge, names: BridgeNames) -> Figure:
    """The figure of :func:`bridge_chart` (the chart tests measure it)."""
    from models.report.charts import waterfall_figure

    return waterfall_figure(*_waterfall_parts(result, names))


def _waterfall_parts(result: Bridge, names: BridgeNames) -> tuple:
    """(start, steps, end, title, value labels) of the bridge's waterfall."""
    shown = list(bridge_table(result, names).display()[TOTAL])
    steps = [
        (step_label(n, s.differences, names), s.npv_change)
        for n, s in enumerate(result.steps, start=1)
    ]
    return (
        (start_label(names), result.npv_from.npv),
        steps,
        (end_label(names), result.npv_to.npv),
        f"NPV bridge from {names.start.label} to {names.end.label}",
        shown,
    )


def bridge_chart(result: Bridge, names: BridgeNames) -> Chart:
    """The bridge as a waterfall chart, bars labelled with the figures of
    :func:`bridge_table` (which foot); the alternative text gives the two NPVs
    and the largest steps."""
    from models.report.charts import waterfall_chart

    start, steps, end, title, shown = _waterfall_parts(result, names)
    largest = sorted(range(len(steps)), key=lambda i: -abs(steps[i][1]))[:3]
    count = f"{len(steps)} step{'s' if len(steps) != 1 else ''}"
    alt = (
        f"Waterfall chart of the net present value, from {shown[0]} for "
        f"{names.start.label} to {shown[-1]} for {names.end.label}, in {count}"
    )
    if largest:
        alt += "; the largest: " + "; ".join(
            f"{steps[i][0]} {shown[i + 1]}" for i in largest
        )
    alt += ". The table gives every step."
    return waterfall_chart(
        start,
        steps,
        end,
        title=title,
        alt=alt,
        key="npv-bridge",
        value_labels=shown,
    )


def _header(result: Bridge, names: BridgeNames) -> str:
    e = html.escape
    ends = "".join(
        f'<p class="description option-description"><strong>{role}: '
        f"{e(end.label)}</strong> ({e(end.option)}). {e(end.description)}</p>"
        for role, end in (("From", names.start), ("To", names.end))
    )
    facts = [
        ("Case", f"{names.case_title} ({names.case_name})"),
        ("Run date", names.run_date),
        ("Package", f"sharedcase {names.version}"),
    ]
    for role, end in (("From", names.start), ("To", names.end)):
        if end.case_file:
            facts.append((f"{role} case file", end.case_file))
            facts.append((f"{role} SHA-256", end.case_sha256))
    meta = "".join(f"<dt>{e(k)}</dt><dd>{e(v)}</dd>" for k, v in facts)
    return (
        '<header class="report-header">'
        f"<h1>NPV bridge: {e(names.start.label)} to {e(names.end.label)}</h1>"
        f'<p class="case-title"><strong>{e(names.case_title)}</strong></p>'
        f'{ends}<dl class="meta">{meta}</dl></header>'
    )


def bridge_page(result: Bridge, names: BridgeNames) -> str:
    """``bridge.html``: header naming the options by their descriptions, the
    change in NPV, the order of the steps, the table, the waterfall chart and a
    footer.  Self-contained (the chart is a ``data:`` image); every string from
    a case file is HTML-escaped."""
    e = html.escape
    table = bridge_table(result, names)
    shown = list(table.display()[TOTAL])
    summary = (
        f"The net present value is {shown[0]} for {names.start.label} and "
        f"{shown[-1]} for {names.end.label}: a change of "
        f"{pounds(result.total_change)}, made up of the {len(result.steps)} "
        "steps below (figures in £'000, rounded so that the table adds up)."
    )
    body = "".join(
        [
            _header(result, names),
            "<h2>The change in net present value</h2>",
            f"<p>{e(summary)}</p>",
            f"<p>{e(result.order)}</p>",
            table.to_html(),
            "<h2>The bridge as a chart</h2>",
            bridge_chart(result, names).to_html(),
            "<h2>The inputs that differ</h2>",
            inputs_table(result, names).to_html(),
            '<footer class="report-footer">'
            f"{e(names.case_title)} &middot; NPV bridge {e(names.start.option)} "
            f"to {e(names.end.option)} &middot; run {e(names.run_date)} &middot; "
            f"sharedcase {e(names.version)}</footer>",
        ]
    )
    return page_html(body, f"NPV bridge: {names.start.label} to {names.end.label}")


def write_bridge_excel(result: Bridge, names: BridgeNames, path: str | Path) -> Path:
    """``bridge.xlsx``: the bridge table in full pounds, the inputs and their
    sources, and what the bridge was run on."""
    tables = [bridge_table(result, names), inputs_table(result, names)]
    return write_excel([*tables, about_table(result, names)], path)


def bridge_text(result: Bridge, names: BridgeNames) -> str:
    """The bridge as the command prints it, money in whole pounds
    (:func:`models.core.money.pounds`): the two options, the steps (dotted path,
    before, after, NPV change in all and by council), their sources and the
    order."""
    councils = [names.council(c) for c in result.councils]
    columns = ["Before", "After", "NPV change", *councils]
    rows: dict[str, list[str]] = {
        start_label(names): [
            "",
            "",
            pounds(result.npv_from.npv),
            *(pounds(result.npv_from.councils.get(c, 0.0)) for c in result.councils),
        ]
    }
    for number, step in enumerate(result.steps, start=1):
        rows[f"{number:>2}. {step.path}"] = [
            _cut(_values(step.differences, "before")),
            _cut(_values(step.differences, "after")),
            pounds(step.npv_change),
            *(pounds(step.councils[c]) for c in result.councils),
        ]
    rows[end_label(names)] = [
        "",
        "",
        pounds(result.npv_to.npv),
        *(pounds(result.npv_to.councils.get(c, 0.0)) for c in result.councils),
    ]
    shown = pd.DataFrame(list(rows.values()), index=list(rows), columns=columns)
    start, end = names.start, names.end
    lines = [
        f"NPV bridge: {names.case_title}",
        f"from {start.label} ({start.option}): {start.description}",
        f"to   {end.label} ({end.option}): {end.description}",
        "",
        text_table(shown, "Step (dotted path)"),
        f"Change in NPV: {pounds(result.total_change)}",
        "",
        "Sources:",
    ]
    for first, last, text in _runs_of_sources(result):
        numbers = f"{first}" if first == last else f"{first}-{last}"
        lines.append(f"{numbers:>5}. {text}")
    lines += ["", textwrap.fill(result.order, width=88)]
    return "\n".join(lines)


def _runs_of_sources(result: Bridge) -> list[tuple[int, int, str]]:
    """The source of each step (and why it holds several inputs), as (first
    step, last step, text) for runs of steps with the same text."""
    runs: list[tuple[int, int, str]] = []
    for number, step in enumerate(result.steps, start=1):
        text = "; ".join(d.source for d in step.differences)
        if step.merged_because:
            text += f" (one step, as not valid apart: {step.merged_because})"
        if runs and runs[-1][2] == text and runs[-1][1] == number - 1:
            runs[-1] = (runs[-1][0], number, text)
        else:
            runs.append((number, number, text))
    return runs


TEXT_VALUE_LENGTH = 24
"""Longest value the command prints in its table [characters]."""


def _cut(text: str, length: int = TEXT_VALUE_LENGTH) -> str:
    """Text no longer than ``length`` characters.

    >>> _cut("abcdef", 4)
    'abc…'
    """
    return text if len(text) <= length else text[: length - 1] + "…"
