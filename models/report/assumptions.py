"""The assumptions register: every input a report rests on, with its source.

A case file gives each figure as ``{value, unit, source, note}`` (see
:class:`models.inputs.quantities.Quantity`); distributions, sharing bases and
severance policies carry a ``source`` of their own, and the staff-at-risk table
a ``source`` column.  :func:`assumptions` lists them as a reader needs them: a
plain label, the value with its unit, the source and note, grouped by the whole
case, each council and each service, with figures whose source says
"illustrative" marked.  :func:`illustrative_banner` says how many there are.

Only what the option uses is listed: a service the option switches off
(``enabled: false``) contributes nothing, so its figures are left out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from models.core.names import words_of
from models.engine.cases import option_case
from models.inputs.case import Case, Service
from models.inputs.quantities import Quantity
from models.inputs.tableio import read_text_table
from models.report.tables import ReportTable

ILLUSTRATIVE = "illustrative"
"""A source containing this word (any case) marks an invented figure."""

WHOLE_CASE = "Whole case"
SHARING = "Sharing between the councils"
SEVERANCE_POLICIES = "Severance policies"
UNCERTAINTY = "Uncertainty ranges"

CATEGORY_WORDS = {
    "ict": "ICT",
    "staff": "staff",
    "contracts": "contracts",
    "accommodation": "accommodation",
    "other": "other",
    "project_team": "project team",
    "training": "training",
    "transitional_support": "transitional support",
}
"""Savings and set-up cost categories as words."""

PARAMETER_WORDS = {
    "savings_achieved": "Savings achieved (factor on every saving)",
    "set_up_costs": "Set-up costs (factor on every set-up cost)",
    "severance": "Severance (factor on every severance cost)",
    "go_live_delay_months": "Go-live delay (months added to every date)",
    "discount_rate": "Discount rate",
}
"""Uncertain parameters of the case as words (the others are dotted paths)."""


@dataclass(frozen=True)
class Assumption:
    """One row of the register."""

    group: str
    label: str
    value: str
    source: str
    note: str = ""

    @property
    def is_illustrative(self) -> bool:
        return ILLUSTRATIVE in f"{self.source} {self.note}".lower()


def quantity_text(q: Quantity, unit: str | None = None) -> str:
    """A figure with its unit in words: pounds with separators, rates as %.

    >>> quantity_text(Quantity(value=95000, unit="GBP/year"))
    '£95,000 a year'
    >>> quantity_text(Quantity(value=0.025, unit="/1 a year"))
    '2.5% a year'
    >>> quantity_text(Quantity(value=2258, unit="homes connected"))
    '2,258 homes connected'
    """
    unit = (q.unit or unit or "").strip()
    value = float(q.value)
    if unit.startswith("GBP"):
        per = unit.removeprefix("GBP").strip()
        rest = {"/year": " a year", "/person": " a person", "": ""}.get(per, f" {per}")
        return f"£{value:,.0f}{rest}"
    if unit.startswith("/1"):
        rest = unit.removeprefix("/1").strip()
        return f"{value * 100:,.3g}%" + (f" {rest}" if rest else "")
    number = f"{value:,.0f}" if value.is_integer() else f"{value:,.4g}"
    return f"{number} {unit}".strip()


OVERRIDE = re.compile(r"override in options\.([A-Za-z0-9_-]+)\.overrides")
"""The source :func:`models.inputs.case.apply_overrides` gives a bare number an
option writes over a quantity."""


def _source_text(source: str | None, case: Case | None = None) -> str:
    """A source as the reader sees it: an option's override named by its title.

    >>> _source_text("override in options.late.overrides")
    'set by the option Late'
    """
    if not source:
        return "not given"
    found = OVERRIDE.fullmatch(source.strip())
    if found is None:
        return source
    key = found.group(1)
    option = case.options.get(key) if case is not None else None
    title = option.title if option is not None and option.title else words_of(key)
    extra = f" ({option.source})" if option is not None and option.source else ""
    return f"set by the option {title}{extra}"


def _row(
    group: str,
    label: str,
    q: Quantity,
    unit: str | None = None,
    case: Case | None = None,
) -> Assumption:
    return Assumption(
        group, label, quantity_text(q, unit), _source_text(q.source, case), q.note or ""
    )


def _settings_rows(case: Case) -> list[Assumption]:
    s = case.settings
    out = []
    if isinstance(s.discount_rate, Quantity):
        out.append(
            _row(WHOLE_CASE, "Discount rate", s.discount_rate, "/1 a year", case)
        )
    else:
        out.append(
            Assumption(
                WHOLE_CASE,
                "Discount rate",
                "HM Treasury Green Book schedule",
                "HM Treasury Green Book (2003), Annex 6",
            )
        )
    for key, label in (
        ("pay", "Pay inflation"),
        ("non_pay", "Non-pay inflation"),
        ("general", "General inflation"),
    ):
        q = getattr(s.inflation, key)
        if q.value or q.source:
            out.append(_row(WHOLE_CASE, label, q, "/1 a year", case))
    for key, label in (
        ("costs", "Optimism bias on costs"),
        ("savings", "Optimism bias on savings"),
    ):
        q = getattr(s.optimism_bias, key)
        if q.value or q.source:
            out.append(_row(WHOLE_CASE, label, q, "/1", case))
    tw = s.target_window
    if tw is not None and tw.target is not None:
        label = f"Savings target, {tw.first_year} to {tw.last_year}"
        out.append(_row(WHOLE_CASE, label, tw.target, "GBP", case))
    return out


def _council_rows(case: Case) -> list[Assumption]:
    return [
        _row(council.name, words_of(key), q, None, case)
        for council in case.councils.values()
        for key, q in council.drivers.items()
    ]


def _timing(item) -> str:  # noqa: ANN001 - a SetupCost
    if item.year:
        return item.year
    return ", ".join(f"{y} {share:.0%}" for y, share in (item.profile or {}).items())


def _service_rows(case: Case, service: Service) -> list[Assumption]:
    group = service.name
    councils = {k: c.name for k, c in case.councils.items()}
    out = [
        _row(group, f"Today's annual cost, {councils.get(c, c)}", q, "GBP/year", case)
        for c, q in service.baseline_cost.items()
    ]
    for key in type(service.savings).model_fields:
        q = getattr(service.savings, key)
        if q.value or q.source:
            label = f"Full-year saving: {CATEGORY_WORDS.get(key, words_of(key))}"
            out.append(_row(group, label, q, "GBP/year", case))
    for item in service.set_up_costs:
        category = CATEGORY_WORDS.get(item.category, words_of(item.category))
        label = f"Set-up cost: {category} ({_timing(item)})"
        out.append(_row(group, label, item.amount, "GBP", case))
    sev = service.severance
    if sev is not None:
        for key, label in (
            ("redundancy_pay", "Severance: redundancy pay"),
            ("pension_strain", "Severance: pension strain"),
            ("average_cost", "Severance: average cost a person"),
        ):
            q = getattr(sev, key)
            if q is not None and (q.value or q.source):
                out.append(_row(group, label, q, "GBP", case))
        if sev.headcount is not None:
            out.append(
                Assumption(
                    group, "Severance: posts at risk", f"{sev.headcount}", "not given"
                )
            )
    bias = service.optimism_bias
    if bias is not None:
        out.append(
            _row(
                group,
                "Optimism bias: share of risks mitigated",
                bias.mitigation,
                None,
                case,
            )
        )
    return out


def _basis_rows(case: Case, used: set[str]) -> list[Assumption]:
    names = {k: c.name for k, c in case.councils.items()}
    out = []
    for key, basis in case.bases.items():
        if key not in used:
            continue
        shares = getattr(basis, "shares", None) or {}
        value = ", ".join(
            f"{names.get(c, c)} {float(q):.0%}" for c, q in shares.items()
        )
        driver = getattr(basis, "driver", None)
        if driver:
            value = (value + "; " if value else "") + f"by {words_of(driver).lower()}"
        label = basis.description or words_of(key)
        out.append(Assumption(SHARING, label, value, basis.source or "not given"))
    return out


def _policy_rows(case: Case) -> list[Assumption]:
    names = {k: c.name for k, c in case.councils.items()}
    out = []
    for key, policy in case.severance_policies.items():
        value = (
            f"{policy.multiplier:g} times statutory weeks, at most "
            f"{policy.maximum_weeks:g} weeks, on "
            + ("actual pay" if policy.pay_basis == "actual" else "capped pay")
        )
        label = f"Severance policy, {names.get(key, words_of(key))}"
        source = getattr(policy, "source", None) or "not given"
        out.append(Assumption(SEVERANCE_POLICIES, label, value, source))
    return out


def _uncertainty_rows(case: Case) -> list[Assumption]:
    spec = case.uncertainty
    if spec is None:
        return []
    out = []
    for key, d in spec.parameters.items():
        shown = [
            f"{k} {getattr(d, k):g}"
            for k in ("min", "mode", "max", "mean", "sd")
            if getattr(d, k) is not None
        ]
        value = f"{d.distribution}: " + ", ".join(shown)
        label = PARAMETER_WORDS.get(key, key.replace(".", " ").replace("_", " "))
        out.append(Assumption(UNCERTAINTY, label, value, d.source, d.note or ""))
    return out


def _staff_rows(case: Case, enabled: list[str]) -> list[Assumption]:
    """One row a service and council of the staff table: posts and their source."""
    if not case.staff_at_risk:
        return []
    here = Path(getattr(case, "_source", None) or ".").parent
    raw = read_text_table(here / case.staff_at_risk, "staff table")
    if "source" not in raw.columns:
        raw["source"] = "not given"
    raw = raw[raw["service"].isin(enabled)]
    names = {k: c.name for k, c in case.councils.items()}
    out = []
    for (service, council), rows in raw.groupby(["service", "council"], sort=False):
        sources = "; ".join(dict.fromkeys(str(s) for s in rows["source"]))
        label = f"Posts at risk, {names.get(council, council)} (staff table)"
        out.append(
            Assumption(
                case.services[service].name,
                label,
                f"{len(rows)} post" + ("" if len(rows) == 1 else "s"),
                sources,
            )
        )
    return out


def assumptions(case: Case, option: str | None = None) -> list[Assumption]:
    """Every input of ``case`` as the option sees it (the whole case if None)."""
    seen = option_case(case, option) if option is not None else case
    enabled = [k for k, s in seen.services.items() if s.enabled]
    used_bases = {
        b
        for k in enabled
        for b in (
            seen.services[k].basis,
            getattr(seen.services[k], "savings_basis", None),
            getattr(seen.services[k], "set_up_basis", None),
        )
        if b
    }
    rows = _settings_rows(seen) + _council_rows(seen)
    staff = _staff_rows(seen, enabled)
    for key in enabled:
        service = seen.services[key]
        rows += _service_rows(seen, service)
        rows += [r for r in staff if r.group == service.name]
    rows += _basis_rows(seen, used_bases)
    if staff:
        rows += _policy_rows(seen)
    rows += _uncertainty_rows(seen)
    return rows


def illustrative_count(rows: list[Assumption]) -> int:
    """How many inputs of the register are labelled illustrative."""
    return sum(r.is_illustrative for r in rows)


def assumptions_table(rows: list[Assumption]) -> ReportTable:
    """The register as a report table (and the Excel ``Assumptions`` sheet)."""
    table = pd.DataFrame(
        {
            "Group": [r.group for r in rows],
            "Assumption": [r.label for r in rows],
            "Value": [r.value for r in rows],
            "Source": [r.source for r in rows],
            "Note": [r.note for r in rows],
            "Illustrative": ["illustrative" if r.is_illustrative else "" for r in rows],
        },
        index=[str(i) for i in range(1, len(rows) + 1)],
    )
    return ReportTable(
        key="assumptions",
        title="Assumptions",
        table=table,
        text_columns=tuple(table.columns),
        index_label="No.",
        note="Every input the figures rest on, with its source. A figure marked "
        "illustrative was invented to complete the case: replace it with the "
        "councils' own figure before the report is used for a decision.",
    )


def illustrative_banner(rows: list[Assumption]) -> str:
    """HTML of the warning at the top of a report resting on illustrative
    figures (empty when none is)."""
    n = illustrative_count(rows)
    if not n:
        return ""
    figures = "illustrative figure" if n == 1 else "illustrative figures"
    return (
        '<p class="banner illustrative" role="note"><strong>Not for decision: '
        f"</strong>this report rests on {n} {figures} (of its {len(rows)} "
        "inputs), invented to complete the case, not the councils' own figures; "
        "they are marked in the assumptions appendix. The report is not for "
        "decision until they are replaced.</p>"
    )


def register_html(rows: list[Assumption]) -> str:
    """The register as HTML: the table, or a sentence where there is nothing."""
    if not rows:
        return "<p>The case gives no inputs with sources.</p>"
    return assumptions_table(rows).to_html()
