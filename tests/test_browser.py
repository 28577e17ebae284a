"""The exported HTML in a real browser: headless Chromium renders it, with the
tables and charts visible and no code; every report passes axe-core's WCAG 2.0
and 2.1 A and AA rules; each report's summary lies on the first screen.

Skipped only where Chromium is not installed (the test session says so at its
end, see ``tests/conftest.py``).  axe-core is vendored in ``tests/vendor/axe-core``
(MPL 2.0, unmodified; see its README), so neither node nor the network is needed.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import matplotlib.image as mpimg
import numpy as np
import pytest

from models.report.browser import WCAG_TAGS, HeadlessChromium
from models.report.export import find_chromium, run_chromium
from tests.report_support import default_run, parse_report

CHROMIUM = find_chromium()
SKIP_REASON = "chromium is not installed (apt-get install chromium; .ci/run does it)"
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason=SKIP_REASON)

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
AXE_SHA256 = "29348999450cdf2849a8e70b7912fc2da85a849da39c0d0d5394f51d4a9ed95c"
"""axe-core 4.14.1, as tests/vendor/axe-core/README.md records it."""
REPORTS = (
    "comparison",
    "status_quo",
    "staged_approach",
    "single_business_case",
    "monitoring",
)
"""Every HTML report of the default run."""
FIRST_SCREEN = (1366, 768)
"""The window a board member opens a report in [CSS px]: a common laptop."""


@pytest.fixture(scope="session")
def run(tmp_path_factory):
    return default_run(tmp_path_factory.getbasetemp())


@pytest.fixture(scope="module")
def browser():
    with HeadlessChromium() as b:
        yield b


@pytest.fixture(scope="module")
def page(run):
    return run[1] / "single_business_case.html"


def test_chromium_renders_the_report_as_a_non_blank_page(page, tmp_path):
    shot = tmp_path / "shot.png"
    proc = run_chromium(
        ["--window-size=1000,1400", f"--screenshot={shot}", page.as_uri()]
    )
    assert shot.exists(), proc.stderr[-500:]
    pixels = mpimg.imread(shot)[..., :3]
    assert pixels.shape[:2] == (1400, 1000)
    not_white = (pixels < 0.95).any(axis=-1).mean()
    assert not_white > 0.02  # text, tables and the header rule
    assert np.unique(pixels.reshape(-1, 3), axis=0).shape[0] > 50  # not one colour


def test_the_charts_are_painted_on_the_page(page, tmp_path):
    shot = tmp_path / "tall.png"
    run_chromium(["--window-size=1000,5000", f"--screenshot={shot}", page.as_uri()])
    rgb = np.round(mpimg.imread(shot)[..., :3] * 255).astype(int)
    # the savings bars are drawn in #009E73 (0, 158, 115), a colour only the
    # charts use; an image that failed to load would leave none of it
    green = (np.abs(rgb - np.array([0, 158, 115])).sum(axis=-1) <= 6).sum()
    assert green > 2000


def test_the_rendered_dom_has_the_key_tables_and_charts_and_no_code(page):
    proc = run_chromium(["--dump-dom", page.as_uri()])
    dom = proc.stdout
    assert "<main" in dom, proc.stderr[-500:]
    report = parse_report(dom)
    for key in (
        "headline",
        "summary-position",
        "cash-flows",
        "council-net-savings",
        "council-npv",
        "one-off-costs-by-service",
        "tornado",
        "switching-values",
        "monte-carlo",
    ):
        assert report.tables.get(key), key
    assert list(report.tables["summary-position"]) == [
        "SAVINGS",
        "SET UP COSTS",
        "NET SAVINGS",
    ]
    charts = [i for i in report.images if i["src"].startswith("data:image/svg+xml")]
    # cash flows, council split, tornado, Monte Carlo histogram
    assert len(charts) == 4
    assert all(i["alt"] for i in charts)
    assert "script" not in report.tags
    assert "pre" not in report.tags and "code" not in report.tags
    assert "OptionReport" not in dom


@pytest.mark.parametrize("stem", REPORTS)
def test_the_whole_report_is_visible_text_down_to_its_footer(run, browser, stem):
    # a tag the browser reads as left open (an <a/>, say) would swallow the
    # rest of the page: still in the DOM, but hidden with the element
    text = browser.evaluate(run[1] / f"{stem}.html", "document.body.innerText")
    assert "What this report was run on" in text  # the footer, last on the page
    assert browser.evaluate(
        run[1] / f"{stem}.html", "document.querySelector('a div, a table') === null"
    )


def test_the_comparison_renders_every_option_and_the_cumulative_chart(run):
    proc = run_chromium(["--dump-dom", (run[1] / "comparison.html").as_uri()])
    report = parse_report(proc.stdout)
    # options by their titles (scenarios/bromsgrove_redditch_2011.yaml)
    assert set(report.tables["options"]) == {
        "Status quo",
        "Staged approach",
        "Single business case",
    }
    assert report.tables.get("target") and report.tables.get("council-npv-by-option")
    assert any("cumulative net saving" in i["alt"] for i in report.images)


# ----------------------------------------------------------------- accessibility
def test_the_vendored_axe_core_is_the_recorded_release():
    assert hashlib.sha256(AXE.read_bytes()).hexdigest() == AXE_SHA256


def test_every_html_report_of_the_run_is_checked(run):
    assert {p.stem for p in run[1].glob("*.html")} == set(REPORTS)


def _violations_text(violations):
    return "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']}: "
        + "; ".join(f"{n['target']} {n['html'][:120]}" for n in v["nodes"][:5])
        for v in violations
    )


@pytest.mark.parametrize("stem", REPORTS)
def test_axe_core_finds_no_wcag_21_a_or_aa_violation(run, browser, stem):
    violations = browser.axe_violations(
        run[1] / f"{stem}.html", AXE.read_text(encoding="utf-8"), WCAG_TAGS
    )
    assert violations == [], _violations_text(violations)


def test_axe_core_does_find_a_violation_where_there_is_one(browser, tmp_path):
    # the check can fail: an image without alternative text, a table cell
    # without contrast
    page = tmp_path / "bad.html"
    page.write_text(
        '<!DOCTYPE html><html lang="en"><head><title>t</title></head><body><main>'
        '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw="><p style="color:#ccc;'
        'background:#fff">pale</p></main></body></html>',
        encoding="utf-8",
    )
    found = {v["id"] for v in browser.axe_violations(page, AXE.read_text(), WCAG_TAGS)}
    assert {"image-alt", "color-contrast"} <= found


# ------------------------------------------------------------ the first screen
SUMMARY_BOX = """(() => {
  const e = document.querySelector('section#summary');
  if (!e) return null;
  const r = e.getBoundingClientRect();
  return {top: r.top, bottom: r.bottom, left: r.left, right: r.right,
          height: r.height, width: r.width};
})()"""


@pytest.mark.parametrize("stem", ["comparison", "single_business_case", "monitoring"])
def test_the_summary_lies_within_the_first_screen(run, browser, stem):
    box = browser.evaluate(run[1] / f"{stem}.html", SUMMARY_BOX, viewport=FIRST_SCREEN)
    assert box is not None, f'{stem}.html has no <section id="summary">'
    width, height = FIRST_SCREEN
    assert box["height"] > 0 and box["width"] > 0
    assert 0 <= box["top"] and box["bottom"] <= height, box
    assert 0 <= box["left"] and box["right"] <= width, box
