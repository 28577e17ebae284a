"""Shared by the report tests: one batch run of the default case per test session.

pytest fixtures cannot be shared between test modules without the shared
conftest, so the run is cached on disk under the session's base temporary folder:
the first module to ask runs it, the others reuse the folder.
"""

from __future__ import annotations

import json
from pathlib import Path

from models.run.runner import run_cases

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CASE = ROOT / "scenarios" / "bromsgrove_redditch_2011.yaml"

# Makes models.engine.projection.run_option raise for the option named in the
# environment, in every Python process (kernels and pool workers included).
SITECUSTOMIZE = """
import os

_broken = os.environ.get("SHAREDCASE_TEST_BROKEN_OPTION")
if _broken:
    import models.engine.projection as _projection

    _real_run_option = _projection.run_option

    def run_option(case, option):
        if option == _broken:
            raise ZeroDivisionError(f"model cannot run {option} (injected by the test)")
        return _real_run_option(case, option)

    _projection.run_option = run_option
"""


def default_run(base: Path) -> tuple[int, Path]:
    """Exit status and run folder of ``sharedcase run`` on the default case."""
    root = base / "default-run"
    done = root / "done.json"
    if not done.exists():
        status = run_cases([DEFAULT_CASE], out_root=root / "outputs", jobs=3)
        folder = (root / "outputs" / "bromsgrove_redditch_2011" / "latest").resolve()
        done.parent.mkdir(parents=True, exist_ok=True)
        done.write_text(json.dumps({"status": status, "folder": str(folder)}))
    info = json.loads(done.read_text())
    return info["status"], Path(info["folder"])


class _TableParser:
    """Collects every ``<table data-table=...>`` as {key: {row label: [cells]}}."""

    def __init__(self) -> None:
        from html.parser import HTMLParser

        outer = self
        self.tables: dict[str, dict[str, list[str]]] = {}
        self.headers: dict[str, list[str]] = {}
        self.images: list[dict[str, str]] = []
        self.tags: list[str] = []

        class P(HTMLParser):
            key: str | None = None
            row: list[str] | None = None
            text: list[str] | None = None
            in_head = False

            def handle_starttag(self, tag, attrs):
                a = dict(attrs)
                outer.tags.append(tag)
                if tag == "img":
                    outer.images.append({k: v or "" for k, v in a.items()})
                if tag == "table" and "data-table" in a:
                    self.key = a["data-table"]
                    outer.tables[self.key] = {}
                    outer.headers[self.key] = []
                elif self.key and tag == "thead":
                    self.in_head = True
                elif self.key and tag == "tr":
                    self.row = []
                elif self.key and tag in ("td", "th"):
                    self.text = []

            def handle_endtag(self, tag):
                if not self.key:
                    return
                if tag in ("td", "th") and self.text is not None:
                    self.row.append("".join(self.text).strip())
                    self.text = None
                elif tag == "tr" and self.row is not None:
                    if self.in_head:
                        outer.headers[self.key] = self.row
                    elif self.row:
                        outer.tables[self.key][self.row[0]] = self.row[1:]
                    self.row = None
                elif tag == "thead":
                    self.in_head = False
                elif tag == "table":
                    self.key = None

            def handle_data(self, data):
                if self.text is not None:
                    self.text.append(data)

        self._parser = P(convert_charrefs=True)

    def feed(self, text: str) -> _TableParser:
        self._parser.feed(text)
        self._parser.close()
        return self


def parse_report(text: str) -> _TableParser:
    """Tables (by ``data-table`` key), header rows, images and tags of a report."""
    return _TableParser().feed(text)
