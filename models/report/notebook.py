"""What the report notebooks call: one object per report, one method per table or chart.

``OptionReport(case_path, option)`` loads and runs one option of a case;
``ComparisonReport(case_path, options)`` runs every option, keeping going past
an option that fails; ``MonitoringReport(actuals, case_path)`` reports budget
against actual.  Their methods return tables and charts that render as HTML in
JupyterLab and in the nbconvert export: a header (heading and case title), the
answer-first ``<section id="summary">`` (:mod:`models.report.summary`), the
tables and charts, the assumptions register (:mod:`models.report.assumptions`)
and a footer stating exactly what the report was run on: case, option, case
file and its SHA-256, package version, run id and run date.  ``tables()``
returns every table of the report, in report order, for the Excel file.  Every
string taken from a case file is HTML-escaped.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from models.core.money import money_words
from models.core.paths import file_sha256, resolve_input
from models.core.version import __version__
from models.engine import projection
from models.engine.analysis import load_analysis
from models.engine.bridge import option_bridge
from models.engine.loading import load_case
from models.engine.monitoring import load_actuals, monitoring_headline
from models.engine.projection import OptionResult
from models.inputs.case import Case
from models.model.monitoring import variance_table
from models.report import assumptions as register
from models.report import charts, summary, tables, uncertainty_tables
from models.report.affordability import (
    comparison_affordability_tables,
    comparison_financial_implications_html,
    option_affordability_tables,
    option_financial_implications_html,
)
from models.report.bridge import (
    TOTAL,
    BridgeEnd,
    BridgeNames,
    bridge_chart,
    bridge_table,
    names_of,
    option_label,
)
from models.report.charts import Chart
from models.report.export import write_excel
from models.report.html_text import Html
from models.report.monitoring import (
    render_monitoring_html,
    status_lights_table,
    variance_persists_table,
    write_monitoring_excel,
)
from models.report.tables import ReportTable

DEFAULT_CASE = Path("scenarios/bromsgrove_redditch_2011.yaml")


def resolve_case_path(case_path: str | Path | None = None) -> Path:
    """The case file to run: as given if it exists, else relative to the repository.

    Notebooks may run with the working directory at the repository root, in
    ``notebooks/`` (JupyterLab) or anywhere (papermill); a relative path such as
    ``scenarios/bromsgrove_redditch_2011.yaml`` is found in all three.

    >>> resolve_case_path().name
    'bromsgrove_redditch_2011.yaml'
    """
    return resolve_input(case_path or DEFAULT_CASE, must_exist=False)


@dataclass
class ReportMeta:
    """What a report was run on (shown in its header and footer)."""

    case_name: str
    case_title: str
    case_description: str
    case_file: str
    input_hash: str
    option: str
    option_description: str
    run_date: str
    version: str = __version__
    option_label: str = "Option"
    run_id: str = ""
    option_title: str = ""


RUN_FOLDER = re.compile(r"\.?(\d{8}-\d{6}(?:-\d+)?)(?:\.partial)?")
"""A run folder's name (``20261201-031236``), or its name while being written."""


def run_id_of(*paths: str | Path | None) -> str:
    """The id of the run that wrote a report: the run folder holding one of
    ``paths`` (the Excel file or the saved analysis), or '' outside a run.

    >>> run_id_of("/out/case/.20261201-031236.partial/.analysis/x.pkl")
    '20261201-031236'
    >>> run_id_of(None, "notebooks/x.xlsx")
    ''
    """
    for path in paths:
        if not path:
            continue
        for folder in Path(path).parents:
            found = RUN_FOLDER.fullmatch(folder.name)
            if found:
                return found.group(1)
    return ""


def report_meta(
    case: Case, case_path: Path, option: str, run_date: str | None
) -> ReportMeta:
    """Header facts of a report of ``option`` (an option name or a heading)."""
    opt = case.options.get(option)
    return ReportMeta(
        option_title=(opt.title or option) if opt is not None else option,
        case_name=case.name,
        case_title=case.title,
        case_description=case.description or "",
        case_file=case_path.name,
        input_hash=file_sha256(case_path),
        option=option,
        option_description=(opt.description or "") if opt is not None else "",
        run_date=run_date or dt.date.today().isoformat(),
    )


def report_header(meta: ReportMeta, heading: str) -> Html:
    """Header block: the heading and the case title.  What the report was run on
    (case file, SHA-256, package, run) is in the footer (:func:`report_footer`),
    so the first screen holds the summary."""
    e = html.escape
    return Html(
        '<header class="report-header">'
        f"<h1>{e(heading)}</h1>"
        f'<p class="case-title"><strong>{e(meta.case_title)}</strong></p>'
        "</header>"
    )


def report_footer(meta: ReportMeta) -> Html:
    """Footer block: what the report was run on, at the end of every report:
    case file, its SHA-256, package version, run id and run date."""
    e = html.escape
    items = [
        ("Case", meta.case_title),
        (meta.option_label, meta.option_title or meta.option),
        ("Case file", meta.case_file),
        ("Input SHA-256", meta.input_hash),
        ("Package", f"sharedcase {meta.version}"),
        ("Run", meta.run_id or "not run by sharedcase run"),
        ("Run date", meta.run_date),
    ]
    listed = "".join(f"<dt>{e(k)}</dt><dd>{e(v)}</dd>" for k, v in items)
    return Html(
        '<footer class="report-footer"><h2>What this report was run on</h2>'
        f'<dl class="meta">{listed}</dl></footer>'
    )


def description_html(label: str, text: str | None) -> Html:
    """A paragraph describing the case or option ('' without a description)."""
    if not text:
        return Html("")
    e = html.escape
    return Html(
        f'<p class="description"><strong>{e(label)}:</strong> {e(text.strip())}</p>'
    )


class OptionReport:
    """One option of a case: its tables, charts, header, footer and Excel file."""

    def __init__(
        self,
        case_path: str | Path | None = None,
        option: str = "single_business_case",
        run_date: str | None = None,
        analysis: str | Path | None = None,
    ):
        """``analysis``: the option's analysis saved by ``sharedcase run``
        (:mod:`models.engine.analysis`); used only if computed from these very input
        files without error, else everything is computed here."""
        self.case_path = resolve_case_path(case_path)
        self.case, saved = load_analysis(analysis, self.case_path) or (None, None)
        if saved is not None and (saved.option != option or saved.uncertainty_error):
            saved = None
        if saved is None:
            self.case = load_case(self.case_path)
        self.option = option
        self._saved = saved
        self.result: OptionResult = (
            saved.result
            if saved is not None
            else projection.run_option(self.case, option)
        )
        self.meta = report_meta(self.case, self.case_path, option, run_date)
        self.meta.run_id = run_id_of(analysis)
        self.title = summary.option_title(self.case, option)

    def header(self) -> Html:
        return report_header(self.meta, f"Option report: {self.title}")

    def footer(self) -> Html:
        return report_footer(self.meta)

    @cached_property
    def _assumptions(self) -> list[register.Assumption]:
        return register.assumptions(self.case, self.option)

    def summary(self) -> Html:
        """The answer first (:func:`models.report.summary.option_summary`), with
        the banner where the option rests on illustrative figures."""
        banner = register.illustrative_banner(self._assumptions)
        return Html(summary.option_summary(self.result, self.case, self.option, banner))

    def description(self) -> Html:
        """The case and the option in the case file's words."""
        return Html(
            description_html("The case", self.meta.case_description)
            + description_html(self.title, self.meta.option_description)
        )

    def assumptions(self) -> ReportTable | Html:
        """The assumptions register of the option (appendix)."""
        if not self._assumptions:
            return Html("<p>The option rests on no figures with sources.</p>")
        return register.assumptions_table(self._assumptions)

    def what_is_shared(self) -> ReportTable | Html:
        """Today's cost, saving and posts at risk per service and council; a
        sentence where the option shares no service."""
        table = tables.what_is_shared(self.result, self.case)
        if len(table.table) <= 1:  # the total row alone
            return Html("<p>No service is shared under this option.</p>")
        return table

    def uncertainty_in_words(self) -> Html:
        """The tornado's three largest swings, the switching values and the Monte
        Carlo in sentences (:mod:`models.report.uncertainty_tables`)."""
        saved = self._saved.switching if self._saved is not None else None
        return Html(
            uncertainty_tables.uncertainty_words(
                self.case,
                self.option,
                self._sensitivity,
                uncertainty_tables.switching_frame(self.case, [self.option], saved),
                self._monte_carlo,
            )
        )

    def headline(self) -> ReportTable:
        return tables.headline_figures(self.result, self.case)

    def summary_position(self) -> ReportTable:
        return tables.summary_position(self.result)

    def cash_flows(self) -> ReportTable:
        return tables.cash_flows(self.result)

    def savings_by_category(self) -> ReportTable:
        return tables.savings_by_category(self.result)

    def council_net_savings(self) -> ReportTable:
        return tables.council_net_savings(self.result, self.case)

    def council_npv(self) -> ReportTable:
        return tables.council_npv(self.result, self.case)

    def one_off_costs_by_service(self) -> ReportTable:
        return tables.setup_and_severance_by_service(self.result, self.case)

    def cash_flow_chart(self) -> Chart:
        return charts.cash_flow_chart(self.result)

    def council_chart(self) -> Chart:
        return charts.council_chart(self.result, self.case)

    @cached_property
    def _sensitivity(self):  # noqa: ANN202 - DataFrame, computed once per report
        from models.engine.uncertainty import sensitivity_table

        if self._saved is not None:
            return self._saved.sensitivity
        return sensitivity_table(self.case, self.option)

    @cached_property
    def _monte_carlo(self) -> dict | None:
        if self._saved is not None:
            return self._saved.monte_carlo
        return uncertainty_tables.monte_carlo_results(self.case, [self.option])

    def tornado(self) -> ReportTable | Html:
        """The tornado table; a sentence where no assumption moves the NPV."""
        sensitivity = self._sensitivity
        if not len(sensitivity) or not (sensitivity["swing"].abs() > 0.5).any():
            return Html(
                "<p>No assumption moves this option's net present value, so there "
                "is no tornado.</p>"
            )
        return uncertainty_tables.tornado_table(sensitivity)

    def _drawn(self, key: str) -> bytes | None:
        """A chart the run has drawn already (see :mod:`models.engine.analysis`)."""
        return self._saved.charts.get(key) if self._saved is not None else None

    def tornado_chart(self) -> Chart:
        return uncertainty_tables.tornado_chart(
            self._sensitivity, self._drawn("tornado")
        )

    def switching_values(self) -> Html:
        saved = self._saved.switching if self._saved is not None else None
        return uncertainty_tables.switching_section(self.case, [self.option], saved)

    def monte_carlo(self) -> ReportTable | Html:
        return uncertainty_tables.monte_carlo_table(
            self._monte_carlo, self.case
        ) or Html("<p>The case declares no distributions.</p>")

    def monte_carlo_chart(self) -> Chart | Html:
        return uncertainty_tables.histogram_chart(
            self._monte_carlo, self.option, self._drawn("npv_histogram")
        ) or Html("")

    def tables(self) -> list[ReportTable]:
        """Every table of the report, in report order, the assumptions last."""
        out = tables.option_tables(self.result, self.case)
        # in report order: what is shared follows the savings by category
        after = next(i for i, t in enumerate(out) if t.key == "savings-by-category")
        shared = self.what_is_shared()
        if isinstance(shared, ReportTable):
            out.insert(after + 1, shared)
        out += self.financial_implications_tables()
        tornado = self.tornado()
        if isinstance(tornado, ReportTable):
            out.append(tornado)
        saved = self._saved.switching if self._saved is not None else None
        switching = uncertainty_tables.switching_table(self.case, [self.option], saved)
        if switching is not None:
            out.append(switching)
        monte_carlo = self.monte_carlo()
        if isinstance(monte_carlo, ReportTable):
            out.append(monte_carlo)
        if self._assumptions:
            out.append(register.assumptions_table(self._assumptions))
        return out

    def financial_implications(self) -> Html:
        """The "Financial implications for <council>" section of every council."""
        return Html(option_financial_implications_html(self.result, self.case))

    def financial_implications_tables(self) -> list[ReportTable]:
        return option_affordability_tables(self.result, self.case)

    def write_excel(self, path: str | Path | None) -> Html:
        """Write every table to an Excel file (nothing when ``path`` is None)."""
        if not path:
            return Html("")
        self.meta.run_id = self.meta.run_id or run_id_of(path)
        write_excel(self.tables(), path)
        return Html("")


class ComparisonReport:
    """Every option of a case side by side; options that fail are listed, not fatal."""

    def __init__(
        self,
        case_path: str | Path | None = None,
        options: list[str] | str | None = None,
        run_date: str | None = None,
        analysis: str | Path | None = None,
    ):
        """``analysis``: the run's analysis saved by ``sharedcase run``
        (:mod:`models.engine.analysis`); used only if computed from these very input
        files, for these options and without error."""
        self.case_path = resolve_case_path(case_path)
        self.case, saved = load_analysis(analysis, self.case_path) or (None, None)
        if saved is None:
            self.case = load_case(self.case_path)
        if isinstance(options, str):
            options = [o.strip() for o in options.split(",") if o.strip()]
        names = list(options) if options else list(self.case.options)
        if saved is not None and (
            saved.comparison_error or {*saved.options, *saved.failed} != set(names)
        ):
            saved = None
        self._saved = saved
        self.results: dict[str, OptionResult] = {}
        self.failed: dict[str, str] = {}
        for name in names if saved is None else []:
            try:
                self.results[name] = projection.run_option(self.case, name)
            except Exception as exc:  # noqa: BLE001 - reported in the document
                self.failed[name] = f"{type(exc).__name__}: {exc}"
        if saved is not None:
            self.results, self.failed = saved.results, dict(saved.failed)
        self.meta = report_meta(self.case, self.case_path, "all options", run_date)
        self.meta.option = ", ".join(names)
        self.meta.option_label = "Options"
        self.meta.option_title = ", ".join(
            summary.option_title(self.case, n) for n in names
        )
        self.meta.run_id = run_id_of(analysis)

    def header(self) -> Html:
        return report_header(self.meta, "Comparison of options")

    def footer(self) -> Html:
        return report_footer(self.meta)

    @cached_property
    def _assumptions(self) -> list[register.Assumption]:
        return register.assumptions(self.case)

    def summary(self) -> Html:
        """The answer first: the recommendation and a sentence an option
        (:func:`models.report.summary.comparison_summary`), with the banner where
        the case rests on illustrative figures."""
        banner = register.illustrative_banner(self._assumptions)
        return Html(
            summary.comparison_summary(self.results, self.case, self.failed, banner)
        )

    def description(self) -> Html:
        """The case in the case file's words."""
        return description_html("The case", self.meta.case_description)

    def assumptions(self) -> ReportTable | Html:
        """The assumptions register of the whole case (appendix)."""
        if not self._assumptions:
            return Html("<p>The case gives no figures with sources.</p>")
        return register.assumptions_table(self._assumptions)

    def option_list(self) -> Html:
        """The options compared, with their descriptions; failed ones named."""
        e = html.escape
        items = [
            f"<li><strong>{e(summary.option_title(self.case, n))}</strong>: "
            f"{e(self.case.options[n].description or '')}"
            + (
                f' <span class="failed">(failed: {e(self.failed[n])})</span>'
                if n in self.failed
                else ""
            )
            + "</li>"
            for n in [*self.results, *self.failed]
        ]
        return Html(f'<ul class="options">{"".join(items)}</ul>')

    def options_table(self) -> ReportTable:
        return tables.options_comparison(self.results, self.case)

    def target_table(self) -> ReportTable | Html:
        return tables.target_comparison(self.results, self.case) or Html("")

    def council_npv_table(self) -> ReportTable:
        return tables.council_npv_by_option(self.results, self.case)

    def cumulative_chart(self) -> Chart:
        return charts.cumulative_chart(self.results, charts.option_names(self.case))

    def npv_chart(self) -> Chart:
        return charts.npv_chart(self.results, charts.option_names(self.case))

    STATUS_QUO = "status_quo"
    """The option a bridge starts from where the case has it."""

    def bridge_options(self) -> tuple[str, str] | None:
        """The options the NPV bridge runs between: from the status quo (the
        option ``status_quo``, else the case's first option that ran) to the
        option the case recommends (``recommendation.option``) where it ran and
        is not the start, else the highest financial NPV of the other options
        that ran.  None if fewer than two ran."""
        ran = list(self.results)
        if len(ran) < 2:
            return None
        start = self.STATUS_QUO if self.STATUS_QUO in ran else ran[0]
        others = [o for o in ran if o != start]
        declared = self.case.recommendation
        if declared is not None and declared.option in others:
            return start, declared.option
        return start, max(others, key=lambda o: self.results[o].summary.npv)

    def _bridge_end(self, option: str) -> BridgeEnd:
        chosen = self.case.options[option]
        return BridgeEnd(
            option=option,
            label=chosen.title or option_label(option),
            description=(chosen.description or "").strip(),
            case_file=self.meta.case_file,
            case_sha256=self.meta.input_hash,
        )

    @cached_property
    def _bridge(self):  # noqa: ANN202 - (Bridge, BridgeNames) or None
        """The bridge between :meth:`bridge_options` and its names, once."""
        ends = self.bridge_options()
        if ends is None:
            return None
        result = option_bridge(self.case, *ends)
        councils, services = names_of(self.case)
        names = BridgeNames(
            case_name=self.case.name,
            case_title=self.case.title,
            start=self._bridge_end(ends[0]),
            end=self._bridge_end(ends[1]),
            councils=councils,
            services=services,
            run_date=self.meta.run_date,
        )
        return result, names

    def bridge_table(self) -> ReportTable | None:
        """The table of the NPV bridge (None with fewer than two options)."""
        if self._bridge is None:
            return None
        return bridge_table(*self._bridge)

    def npv_bridge(self) -> Html:
        """The NPV bridge from the status quo to the recommended option
        (:meth:`bridge_options`): a sentence, the table of steps (each council
        and the total, in £'000 that add up) and the waterfall chart with its
        alternative text (:mod:`models.report.bridge`, arithmetic in
        :func:`models.engine.bridge.option_bridge`)."""
        e = html.escape
        if self._bridge is None:
            return Html("<p>A bridge needs two options that ran.</p>")
        result, names = self._bridge
        table = bridge_table(result, names)
        shown = list(table.display()[TOTAL])
        best = max(self.results, key=lambda o: self.results[o].summary.npv)
        others = "" if best == names.end.option else f" other than {names.start.label}"
        end = names.end.label
        declared = self.case.recommendation
        if declared is not None and declared.option == names.end.option:
            chosen = (
                f"The option the case recommends, {end}, has a net present value of"
            )
        else:
            chosen = (
                f"{end} has the highest net present value of the options "
                f"compared{others},"
            )
        summary_text = (
            f"{chosen} {shown[-1]}, against {shown[0]} for {names.start.label}, "
            f"a difference of {money_words(result.total_change)}. The table and "
            "chart attribute the "
            "difference to the inputs that differ between the two, one at a time."
        )
        return Html(
            f"<p>{e(summary_text)}</p>{table.to_html()}"
            f"{bridge_chart(result, names).to_html()}"
            f'<p class="note">{e(result.order)}</p>'
        )

    def switching_values(self) -> Html:
        saved = self._saved.switching if self._saved is not None else None
        return uncertainty_tables.switching_section(
            self.case, list(self.results), saved
        )

    @cached_property
    def _monte_carlo(self) -> dict | None:
        if self._saved is not None:
            return self._saved.monte_carlo
        return uncertainty_tables.monte_carlo_results(self.case, list(self.results))

    def monte_carlo(self) -> ReportTable | Html:
        return uncertainty_tables.monte_carlo_table(
            self._monte_carlo, self.case
        ) or Html("<p>The case declares no distributions.</p>")

    def s_curve_chart(self) -> Chart | Html:
        drawn = (
            self._saved.charts.get("npv_s_curve") if self._saved is not None else None
        )
        names = charts.option_names(self.case)
        return uncertainty_tables.s_curve_chart(
            self._monte_carlo, drawn, names
        ) or Html("")

    def risk_register(self) -> ReportTable | Html:
        return uncertainty_tables.risk_register_table(self.case) or Html(
            "<p>The case names no risk register.</p>"
        )

    def risk_heat_map(self) -> Chart | Html:
        return uncertainty_tables.risk_heat_map(self.case) or Html("")

    def tables(self) -> list[ReportTable]:
        """Every table of the comparison report, in report order: options,
        target, councils, switching values, Monte Carlo, risks, assumptions."""
        out = tables.comparison_tables(self.results, self.case)
        out += self.financial_implications_tables()
        bridge = self.bridge_table()
        if bridge is not None:
            out.append(bridge)
        saved = self._saved.switching if self._saved is not None else None
        switching = uncertainty_tables.switching_table(
            self.case, list(self.results), saved
        )
        if switching is not None:
            out.append(switching)
        for table in (self.monte_carlo(), self.risk_register()):
            if isinstance(table, ReportTable):
                out.append(table)
        if self._assumptions:
            out.append(register.assumptions_table(self._assumptions))
        return out

    def financial_implications(self) -> Html:
        """Each council's financial implications under every option."""
        return Html(comparison_financial_implications_html(self.results, self.case))

    def financial_implications_tables(self) -> list[ReportTable]:
        return comparison_affordability_tables(self.results, self.case)

    def write_excel(self, path: str | Path | None) -> Html:
        """Write every table to an Excel file (nothing when ``path`` is None)."""
        if path:
            self.meta.run_id = self.meta.run_id or run_id_of(path)
            write_excel(self.tables(), path)
        return Html("")


class MonitoringReport:
    """Budget against actual of the live services (seed 000 Appendix A layout),
    with status lights and the effect on the approved case if the variance
    persists."""

    def __init__(
        self,
        actuals_path: str | Path,
        case_path: str | Path | None = None,
        run_date: str | None = None,
    ):
        self.actuals_path = resolve_input(actuals_path)
        self.actuals = load_actuals(self.actuals_path)
        self.table = variance_table(self.actuals)
        self.case_path = resolve_case_path(case_path)
        self.case = load_case(self.case_path)
        meta = report_meta(self.case, self.case_path, "", run_date)
        spec = self.actuals.spec
        meta.option_label = "Period"
        meta.option = f"{spec.title} ({spec.period.financial_year})"
        meta.option_description = spec.description
        meta.case_file = f"{self.actuals_path.name}, {self.case_path.name}"
        meta.input_hash = file_sha256(self.actuals_path)
        meta.option_title = meta.option
        self.meta = meta

    def summary(self) -> Html:
        """The answer first: the overall position against budget and the count
        of green, amber and red lines (:func:`models.report.summary.monitoring_summary`)."""
        spec = self.actuals.spec
        return Html(
            summary.monitoring_summary(
                self.table, spec.period.financial_year, spec.title
            )
        )

    def description(self) -> Html:
        return description_html("The period", self.meta.option_description)

    def header(self) -> Html:
        return report_header(self.meta, "Monitoring report: budget against actual")

    def footer(self) -> Html:
        return report_footer(self.meta)

    def financial_summary(self) -> Html:
        return Html(render_monitoring_html(self.actuals, self.table, full_page=False))

    def status_lights(self) -> ReportTable:
        return status_lights_table(self.table)

    def if_variance_persists(self) -> ReportTable:
        headline = monitoring_headline(self.actuals, self.table, self.case_path, None)
        return variance_persists_table(headline, self.case)

    def write_excel(self, path: str | Path | None) -> Html:
        """Write the variance report to an Excel file (nothing when ``path`` is None)."""
        if path:
            self.meta.run_id = self.meta.run_id or run_id_of(path)
            write_monitoring_excel(self.actuals, self.table, Path(path))
        return Html("")
