"""Exports of an executed report notebook: HTML (nbconvert), Excel, PDF (Chromium).

HTML: nbconvert's ``basic`` template renders the cell outputs and narrative only
(``exclude_input``), the cells tagged ``parameters`` and ``injected-parameters``
are removed, and the body is placed in ``templates/page.html`` with the report
stylesheet inline.  Nothing is loaded from the network: any ``<script>`` or
``<link>`` pointing at http(s) is stripped, and charts are ``data:`` images.

Excel: one sheet per table with a title row, a units row and bold headers,
frozen below them; money in full pounds with a £ number format; every text
cell a string, never a formula (:mod:`models.core.cells`).

PDF: headless Chromium prints the HTML on A4 (page numbers from CSS ``@page``);
skipped when Chromium is not installed.
"""

from __future__ import annotations

import html
import os
import re
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Sequence
from importlib import resources
from pathlib import Path
from typing import Any

from models.core.cells import text_cells_as_strings
from models.report.tables import ReportTable

GBP_FORMAT = '"£"#,##0;("£"#,##0)'
REMOVED_TAGS = ("parameters", "injected-parameters", "notebook-only")
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "chrome")
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
)

_REMOTE = re.compile(
    r"<script\b[^>]*\bsrc\s*=\s*['\"]?(?:https?:)?//[^>]*>\s*</script>"
    r"|<link\b[^>]*\bhref\s*=\s*['\"]?(?:https?:)?//[^>]*>",
    re.IGNORECASE,
)


def _resource_text(name: str) -> str:
    return resources.files("models.report").joinpath(name).read_text(encoding="utf-8")


def report_css() -> str:
    """The report stylesheet (screen and A4 print)."""
    return _resource_text("report.css")


def strip_remote_resources(text: str) -> str:
    """Remove ``<script src=http...>`` and ``<link href=http...>`` from HTML.

    >>> strip_remote_resources('<p>a</p><script src="https://cdn/x.js"></script>')
    '<p>a</p>'
    """
    return _REMOTE.sub("", text)


_EXPORTERS = threading.local()

MISSING_ALT = "No description has been provided for this image"
"""The alternative text nbconvert gives an image that has none (every chart
of a report has its own)."""
_IMG_WITHOUT_ALT = re.compile(r"<img\b(?![^>]*\balt\s*=)", re.IGNORECASE)
VOID_ELEMENTS = frozenset(
    "area base br col embed hr img input link meta param source track wbr".split()
)
"""HTML elements that have no end tag: only these may be written ``<x/>``."""
_SELF_CLOSED = re.compile(
    r"<([A-Za-z][A-Za-z0-9-]*)"  # the tag, then its attributes, quoted values whole
    r"((?:\s+[^\s\"'<>/=]+(?:\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s\"'<>]+))?)*)\s*/>"
)


def images_given_alt(text: str) -> str:
    """HTML with every ``<img>`` that has no ``alt`` given :data:`MISSING_ALT`.

    >>> images_given_alt('<img src="a.png"/><img alt="Chart" src="b.png"/>')
    '<img alt="No description has been provided for this image" src="a.png"/><img alt="Chart" src="b.png"/>'
    """
    return _IMG_WITHOUT_ALT.sub(f'<img alt="{MISSING_ALT}"', text)


def elements_closed(text: str) -> str:
    """HTML with every non-void element written ``<x .../>`` given its end tag.

    A browser ignores the slash, so an empty heading link written
    ``<a class="anchor-link" href="#h"/>`` (as nbconvert writes one with no
    link text) would hold, and hide, the rest of the page.

    >>> elements_closed('<h2>Title<a class="anchor-link" href="#t" /></h2><br/>')
    '<h2>Title<a class="anchor-link" href="#t"></a></h2><br/>'
    >>> print(elements_closed('<a title="x/>y"/><span data-x=1 hidden/>'))
    <a title="x/>y"></a><span data-x=1 hidden></span>
    """

    def close(m: re.Match[str]) -> str:
        tag, attrs = m.group(1), m.group(2)
        if tag.lower() in VOID_ELEMENTS:
            return m.group(0)
        return f"<{tag}{attrs}></{tag}>"

    return _SELF_CLOSED.sub(close, text)


def _report_exporter_class() -> type:
    """nbconvert's HTML exporter without its last step, which parses the whole
    page with BeautifulSoup to give images without ``alt`` a placeholder and
    make JupyterLab's ``jp-`` cells focusable, then writes it out again (two
    thirds of an export).  What that rewrite did to a report is done by
    regular expressions: images without ``alt`` get the same placeholder
    (:func:`images_given_alt`), elements written self-closed get their end tag
    (:func:`elements_closed`); the ``basic`` template writes no ``jp-`` cell."""
    from nbconvert import HTMLExporter
    from nbconvert.exporters.templateexporter import TemplateExporter

    class ReportHTMLExporter(HTMLExporter):
        def from_notebook_node(self, nb: Any, resources: Any = None, **kw: Any) -> Any:
            try:
                return self._without_rewrite(nb, resources, **kw)
            except (ImportError, AttributeError, TypeError):
                # an nbconvert whose exporter is built otherwise: its own way,
                # the same page, only slower
                return super().from_notebook_node(nb, resources, **kw)

        def _without_rewrite(self, nb: Any, resources: Any, **kw: Any) -> Any:
            # HTMLExporter.from_notebook_node (nbconvert 7) up to its
            # BeautifulSoup pass; a test compares the two on a report
            from nbconvert.filters.highlight import Highlight2HTML
            from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter

            langinfo = nb.metadata.get("language_info", {})
            lexer = langinfo.get("pygments_lexer", langinfo.get("name", None))
            self.register_filter(
                "highlight_code",
                self.filters.get(
                    "highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=self)
                ),
            )
            resources = self._init_resources(resources)
            self.register_filter(
                "filter_data_type",
                WidgetsDataTypeFilter(
                    notebook_metadata=self._nb_metadata,
                    parent=self,
                    resources=resources,
                ),
            )
            body, resources = TemplateExporter.from_notebook_node(
                self, nb, resources, **kw
            )
            return images_given_alt(elements_closed(body)), resources

    return ReportHTMLExporter


def _html_exporter() -> Any:
    """This thread's nbconvert exporter: made once, as compiling its templates
    costs as much as exporting a report."""
    exporter = getattr(_EXPORTERS, "html", None)
    if exporter is None:
        from nbconvert.preprocessors import TagRemovePreprocessor

        remove = TagRemovePreprocessor(remove_cell_tags=set(REMOVED_TAGS), enabled=True)
        exporter = _EXPORTERS.html = _report_exporter_class()(
            template_name="basic",
            exclude_input=True,
            exclude_input_prompt=True,
            exclude_output_prompt=True,
            anchor_link_text="",
        )
        exporter.register_preprocessor(remove, enabled=True)
    return exporter


def notebook_body_html(nb: Any) -> str:
    """HTML of a notebook's narrative and outputs: no code, no parameters cell."""
    body, _ = _html_exporter().from_notebook_node(nb)
    return body


def page_html(body: str, title: str) -> str:
    """A complete, self-contained HTML page around a report body."""
    values = {"title": html.escape(title), "css": report_css(), "body": body}
    page = re.sub(
        r"\{\{(title|css|body)\}\}",
        lambda m: values[m.group(1)],
        _resource_text("templates/page.html"),
    )
    return strip_remote_resources(page)


def export_html(
    notebook_path: str | Path, html_path: str | Path, title: str, nb: Any = None
) -> Path:
    """Write the board-ready HTML of an executed notebook (``nb``: the notebook
    itself, if in hand; else read from ``notebook_path``); return its path."""
    if nb is None:
        import nbformat  # not at the top: notebooks import this module

        nb = nbformat.read(str(notebook_path), as_version=4)
    text = page_html(notebook_body_html(nb), title)
    out = Path(html_path)
    part = out.with_name(out.name + ".part")
    part.write_text(text, encoding="utf-8")
    os.replace(part, out)
    return out


SHEET_NAME_LENGTH = 31
"""Longest sheet name Excel accepts [characters]."""

_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\']")
_DANGLING_WORDS = frozenset(
    {"a", "an", "and", "at", "by", "for", "from", "in", "of", "on", "or", "the", "to"}
)


SHEET_SHORTER = (
    ("Net present value", "NPV"),
    ("shared service ", ""),
    (" and ", " & "),
)
"""Shortenings tried, in order, on a table title longer than a sheet name may
be: every table of the case is about a shared service, and NPV is spelt out
in the title row."""


def _shorter(title: str, length: int) -> str:
    """``title`` with :data:`SHEET_SHORTER` applied until it fits in ``length``.

    >>> _shorter("Summary shared service financial position", 31)
    'Summary financial position'
    """
    for long, short in SHEET_SHORTER:
        if len(title) <= length:
            break
        title = title.replace(long, short)
    return title


def _words_within(text: str, length: int) -> str:
    """The leading whole words of ``text`` that fit in ``length`` characters,
    without a dangling ``of``, ``and``, ``by`` ... at the end; a first word
    longer than ``length`` is cut.

    >>> _words_within("Cumulative net saving of each option by year", 31)
    'Cumulative net saving of each'
    >>> _words_within("Net saving by council and year", 22)
    'Net saving by council'
    """
    words = text.split()
    kept: list[str] = []
    for word in words:
        if len(" ".join([*kept, word])) > length:
            break
        kept.append(word)
    while len(kept) > 1 and kept[-1].lower().strip(",;:-") in _DANGLING_WORDS:
        kept.pop()
    return " ".join(kept).rstrip(",;:- ") if kept else text[:length]


def sheet_name(title: str, taken: set[str]) -> str:
    """A sheet name for a table titled ``title``: the characters Excel refuses
    removed, shortened (:func:`_shorter`), whole words within 31 characters, unique (without regard to case)
    among ``taken`` by a number in brackets; the name is added to ``taken``.

    >>> taken = set()
    >>> sheet_name("Summary shared service financial position", taken)
    'Summary financial position'
    >>> sheet_name("Summary shared service financial position, Bromsgrove", taken)
    'Summary financial position (2)'
    """
    clean = " ".join(_SHEET_FORBIDDEN.sub(" ", str(title)).split()) or "Table"
    name, n = _words_within(_shorter(clean, SHEET_NAME_LENGTH), SHEET_NAME_LENGTH), 1
    while name.lower() in taken:
        n += 1
        suffix = f" ({n})"
        room = SHEET_NAME_LENGTH - len(suffix)
        name = _words_within(_shorter(clean, room), room) + suffix
    taken.add(name.lower())
    return name


UNITS_MONEY = "Money in pounds (£), full precision; negatives in brackets."
UNITS_TEXT = "Text."
TITLE_ROW, UNITS_ROW, HEADER_ROW = 1, 2, 3
"""Rows of each sheet: the table's title, its units (and note), the headers;
the figures start below the headers."""


def table_units(t: ReportTable) -> str:
    """The units row of a table's sheet: what its figures are, then its note."""
    units = UNITS_MONEY if t.money_columns else UNITS_TEXT
    return f"{units} {t.note}" if t.note else units


def _cell_value(value: Any) -> Any:
    """A value as an Excel cell holds it: numbers as numbers, missing as empty,
    anything else as text."""
    if value is None or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, int | float):
        return value
    if hasattr(value, "dtype") and getattr(value.dtype, "kind", "") in "iuf":
        number = value.item()
        return None if number != number else number
    return str(value)


def write_table_sheet(ws: Any, t: ReportTable) -> None:
    """Fill an empty worksheet with one table: a title row, a units row, bold
    headers, the rows (money as numbers in full pounds with a £ format, text
    as string cells, never formulas), panes frozen below the headers and right
    of the row labels."""
    from openpyxl.styles import Alignment, Font

    frame = t.table
    ws.cell(row=TITLE_ROW, column=1, value=str(t.title)).font = Font(bold=True, size=13)
    ws.cell(row=UNITS_ROW, column=1, value=table_units(t)).font = Font(italic=True)
    headers = [t.index_label or "", *(str(c) for c in frame.columns)]
    for j, header in enumerate(headers, start=1):
        cell = ws.cell(row=HEADER_ROW, column=j, value=header)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="left" if j == 1 else "right")
    money = set(t.money_columns)
    for i, (label, row) in enumerate(frame.iterrows(), start=HEADER_ROW + 1):
        ws.cell(row=i, column=1, value=_cell_value(label))
        for j, (column, value) in enumerate(row.items(), start=2):
            cell = ws.cell(row=i, column=j, value=_cell_value(value))
            if column in money and isinstance(cell.value, int | float):
                cell.number_format = GBP_FORMAT
    ws.freeze_panes = ws.cell(row=HEADER_ROW + 1, column=2).coordinate
    ws.column_dimensions["A"].width = min(
        max([len(str(i)) for i in frame.index] + [len(headers[0]), 12]) + 2, 60
    )
    for j, header in enumerate(headers[1:], start=2):
        letter = ws.cell(row=HEADER_ROW, column=j).column_letter
        ws.column_dimensions[letter].width = min(max(len(header) + 2, 14), 40)
    text_cells_as_strings(ws)


def write_excel(tables: Sequence[ReportTable], path: str | Path) -> Path:
    """One sheet per table (:func:`write_table_sheet`), named by
    :func:`sheet_name`; written to a part file, then moved into place."""
    from openpyxl import Workbook

    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    part = out.with_name(out.name + ".part.xlsx")
    book = Workbook()
    book.remove(book.active)
    taken: set[str] = set()
    for t in tables:
        write_table_sheet(book.create_sheet(sheet_name(t.title, taken)), t)
    if not tables:
        book.create_sheet("Empty").cell(row=1, column=1, value="No tables.")
    try:
        book.save(part)
        os.replace(part, out)
    finally:
        part.unlink(missing_ok=True)
    return out


def find_chromium() -> str | None:
    """Path of a Chromium executable (``SHAREDCASE_CHROMIUM`` first), or None."""
    explicit = os.environ.get("SHAREDCASE_CHROMIUM")
    if explicit:
        return explicit if Path(explicit).exists() else shutil.which(explicit)
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


PDF_HOW_TO = (
    "install Chromium (e.g. apt-get install chromium) or set SHAREDCASE_CHROMIUM "
    "to its path, then run again"
)
"""How to get the PDFs that a run without Chromium does not write."""


def pdf_skip_reason() -> str | None:
    """Why no PDF can be printed on this machine, or None where Chromium is found
    (:func:`find_chromium`)."""
    if find_chromium() is not None:
        return None
    explicit = os.environ.get("SHAREDCASE_CHROMIUM")
    if explicit:
        return f"SHAREDCASE_CHROMIUM ({explicit}) is not a program that exists"
    return f"Chromium was not found (none of {', '.join(CHROMIUM_NAMES)} on PATH)"


def run_chromium(
    args: Sequence[str], chromium: str | None = None, timeout: float = 120.0
) -> subprocess.CompletedProcess:
    """Run headless Chromium with a fresh profile and no background networking."""
    exe = chromium or find_chromium()
    if exe is None:
        raise FileNotFoundError("chromium is not installed")
    with tempfile.TemporaryDirectory(prefix="sharedcase-chromium-") as profile:
        return subprocess.run(
            [exe, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )


def export_pdf(
    html_path: str | Path,
    pdf_path: str | Path,
    chromium: str | None = None,
    browser: Any = None,
) -> Path | None:
    """Print an HTML report to an A4 PDF with Chromium; None if Chromium is missing.

    With ``browser`` (a :class:`models.report.browser.HeadlessChromium` kept
    open across reports) the page is printed by it; otherwise a Chromium is
    started for this one page.
    """
    if browser is not None:
        return browser.print_pdf(html_path, pdf_path)
    exe = chromium or find_chromium()
    if exe is None:
        return None
    src = Path(html_path).resolve()
    out = Path(pdf_path).resolve()
    part = out.with_name(out.name + ".part.pdf")
    proc = run_chromium(
        [
            f"--print-to-pdf={part}",
            "--no-pdf-header-footer",
            src.as_uri(),
        ],
        chromium=exe,
    )
    if not part.exists() or part.stat().st_size == 0:
        raise RuntimeError(
            f"chromium did not print {src.name} (exit {proc.returncode}): "
            f"{proc.stderr.strip()[-500:]}"
        )
    os.replace(part, out)
    return out
