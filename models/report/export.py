"""Exports of an executed report notebook: HTML (nbconvert), Excel, PDF (Chromium).

HTML: nbconvert's ``basic`` template renders the cell outputs and narrative only
(``exclude_input``), the cells tagged ``parameters`` and ``injected-parameters``
are removed, and the body is placed in ``templates/page.html`` with the report
stylesheet inline.  Nothing is loaded from the network: any ``<script>`` or
``<link>`` pointing at http(s) is stripped, and charts are ``data:`` images.

Excel: one sheet per table, money in full pounds with a £ number format, the
header row frozen.

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

import pandas as pd

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


def _html_exporter() -> Any:
    """This thread's nbconvert exporter: made once, as compiling its templates
    costs as much as exporting a report."""
    exporter = getattr(_EXPORTERS, "html", None)
    if exporter is None:
        from nbconvert import HTMLExporter
        from nbconvert.preprocessors import TagRemovePreprocessor

        remove = TagRemovePreprocessor(remove_cell_tags=set(REMOVED_TAGS), enabled=True)
        exporter = _EXPORTERS.html = HTMLExporter(
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


def _sheet_name(title: str, taken: set[str]) -> str:
    base = re.sub(r"[\[\]:*?/\\']", "", title)[:31] or "Sheet"
    name, n = base, 1
    while name.lower() in taken:
        n += 1
        name = f"{base[: 31 - len(str(n)) - 1]} {n}"
    taken.add(name.lower())
    return name


def write_excel(tables: Sequence[ReportTable], path: str | Path) -> Path:
    """One sheet per table, money in full pounds with a £ format, frozen header."""
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    part = out.with_name(out.name + ".part.xlsx")
    taken: set[str] = set()
    with pd.ExcelWriter(part, engine="openpyxl") as writer:
        for t in tables:
            name = _sheet_name(t.title, taken)
            frame = t.table.copy()
            frame.index.name = t.index_label or ""
            frame.to_excel(writer, sheet_name=name)
            ws = writer.sheets[name]
            ws.freeze_panes = "B2"
            ws.column_dimensions["A"].width = max(
                [len(str(i)) for i in frame.index] + [12]
            )
            for j, col in enumerate(frame.columns, start=2):
                letter = ws.cell(row=1, column=j).column_letter
                ws.column_dimensions[letter].width = max(len(str(col)) + 2, 14)
                for i in range(len(frame)):
                    cell = ws.cell(row=i + 2, column=j)
                    if isinstance(cell.value, int | float):
                        cell.number_format = GBP_FORMAT
    os.replace(part, out)
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
