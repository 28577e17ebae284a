"""The illustrative county-wide case (issue 8): its shape, its generator, its totals."""

from __future__ import annotations

import importlib.util

import numpy as np
import pytest

from models.engine.cases import option_case
from models.engine.loading import load_case
from models.engine.projection import ALL, check_totals, run_option
from models.report.council_tables import council_tables
from tests.conftest import ROOT, SCENARIOS

COUNTY_CASE = SCENARIOS / "county_wide_illustrative.yaml"
GENERATOR = SCENARIOS / "tools" / "make_county_case.py"


def _generator():
    spec = importlib.util.spec_from_file_location("make_county_case", GENERATOR)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def county():
    return load_case(COUNTY_CASE)


def test_regenerating_the_county_case_gives_the_committed_files_byte_for_byte():
    files = _generator().build()
    assert set(files) == {
        "county_wide_illustrative.yaml",
        "county_wide_illustrative_baselines.csv",
        "county_wide_illustrative_staff_at_risk.csv",
    }
    for name, text in files.items():
        assert (SCENARIOS / name).read_bytes() == text.encode(), name


def test_the_county_case_has_the_scale_issue_8_asks_for(county):
    assert len(county.councils) == 7
    assert len(county.services) == 40
    assert county.settings.horizon_years == 10
    assert len(county.options) == 20
    # every basis type, and a partner joining later
    assert {b.type for b in county.bases.values()} == {"fixed", "driver", "hybrid"}
    assert [c for c, v in county.councils.items() if v.joins] == ["sdc"]
    # the baseline costs table covers every service
    assert all(svc.baseline_cost for svc in county.services.values())
    assert county.uncertainty is not None and county.uncertainty.parameters


def test_the_county_case_says_it_is_synthetic(county):
    text = COUNTY_CASE.read_text()
    label = "illustrative: generated for the scale benchmark, not from a council"
    assert label.lower() in (county.description or "").lower()
    for name, svc in county.services.items():
        for cat in ("staff", "contracts", "accommodation", "ict", "other"):
            q = getattr(svc.savings, cat)
            if q.value:
                assert q.source == label, f"{name}.savings.{cat}"
        for council, q in svc.baseline_cost.items():
            assert q.source == label, f"{name}.baseline_cost.{council}"
    assert "source: illustrative assumption" not in text  # not the seeds' wording


def test_options_change_what_they_say(county):
    assert not any(
        s.enabled for s in option_case(county, "status_quo").services.values()
    )
    assert (
        option_case(county, "saltmarsh_from_start").councils["sdc"].joins == "2015/16"
    )
    later = option_case(county, "one_year_later").services["payroll"].go_live
    assert later.year == county.services["payroll"].go_live.year + 1
    subset = option_case(county, "ict_and_digital_only").services
    assert sorted(s for s, v in subset.items() if v.enabled) == [
        "digital_web",
        "ict_applications",
        "ict_infrastructure",
    ]


@pytest.mark.parametrize("option", ["full_partnership", "hybrid_shares"])
def test_county_options_foot_councils_and_services_to_the_totals(county, option):
    result = run_option(county, option)
    long = result.long
    assert check_totals(long).empty
    # seven councils' net savings add to the partnership's, year by year
    net = long[(long["service"] == ALL) & (long["line_item"] == "Net saving")]
    by_council = net[net["council"] != ALL].groupby("financial_year")["value"].sum()
    whole = net[net["council"] == ALL].set_index("financial_year")["value"]
    np.testing.assert_allclose(by_council[whole.index], whole, rtol=1e-12)
    assert abs(whole.sum()) > 1e6  # a real programme, not an empty one
    # and the councils' NPVs add to the partnership NPV
    assert sum(s.npv for s in result.councils.values()) == pytest.approx(
        result.summary.npv, rel=1e-12
    )
    # the rounded per-council tables foot too
    tables = council_tables(result)
    for _, t in tables.groupby("line_item"):
        body = t.set_index("council").drop(columns=["option", "line_item"])
        assert (body.drop(index="Total").sum() == body.loc["Total"]).all()
        assert (body.drop(columns="Total").sum(axis=1) == body["Total"]).all()


def test_a_late_joiner_pays_nothing_before_it_joins(county):
    result = run_option(county, "full_partnership")
    long = result.long
    sdc = long[
        (long["council"] == "sdc")
        & (long["service"] != ALL)
        & (long["line_item"] == "Savings")
    ]
    before = sdc[sdc["financial_year"].isin(["2015/16", "2016/17"])]["value"]
    after = sdc[sdc["financial_year"] == "2017/18"]["value"]
    assert (before == 0).all() and after.sum() > 0


def test_the_generator_check_mode_reports_a_stale_file(tmp_path):
    gen = _generator()
    assert gen.main(["--out", str(tmp_path)]) == 0
    assert gen.main(["--check", "--out", str(tmp_path)]) == 0
    (tmp_path / "county_wide_illustrative_baselines.csv").write_text("stale\n")
    assert gen.main(["--check", "--out", str(tmp_path)]) == 1


def test_the_benchmark_script_is_importable():
    spec = importlib.util.spec_from_file_location(
        "county_scale", ROOT / "benchmarks" / "county_scale.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert callable(module.measure_county)
