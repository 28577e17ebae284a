"""The exported HTML in a real browser: headless Chromium renders it, with the
tables and charts visible and no code."""

from __future__ import annotations

import matplotlib.image as mpimg
import numpy as np
import pytest

from models.report.export import find_chromium, run_chromium
from tests.report_support import default_run, parse_report

CHROMIUM = find_chromium()
pytestmark = pytest.mark.skipif(
    CHROMIUM is None,
    reason="chromium is not installed (apt-get install chromium; .ci/run does it)",
)


@pytest.fixture(scope="session")
def run(tmp_path_factory):
    return default_run(tmp_path_factory.getbasetemp())


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
    # the savings bars are drawn in #548235 (84, 130, 53), a colour only the
    # charts use; an image that failed to load would leave none of it
    green = (np.abs(rgb - np.array([84, 130, 53])).sum(axis=-1) <= 6).sum()
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
    charts = [i for i in report.images if i["src"].startswith("data:image/png")]
    # cash flows, council split, tornado, Monte Carlo histogram
    assert len(charts) == 4
    assert all(i["alt"] for i in charts)
    assert "script" not in report.tags
    assert "pre" not in report.tags and "code" not in report.tags
    assert "OptionReport" not in dom


def test_the_comparison_renders_every_option_and_the_cumulative_chart(run):
    proc = run_chromium(["--dump-dom", (run[1] / "comparison.html").as_uri()])
    report = parse_report(proc.stdout)
    assert set(report.tables["options"]) == {
        "status_quo",
        "staged_approach",
        "single_business_case",
    }
    assert report.tables.get("target") and report.tables.get("council-npv-by-option")
    assert any("cumulative net saving" in i["alt"] for i in report.images)
