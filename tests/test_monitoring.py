"""Monitoring: budget against actual, per council, with RAG status (issue 7).

Golden figures come from seed 000 Appendix A ("Financial Summary - Shared
Services - 2010/11 Quarter 4"); RAG boundaries and forecasts are worked by hand.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml
from click.testing import CliRunner

from models.cli.monitor import monitor
from models.core.errors import InputError
from models.engine.monitoring import load_actuals
from models.inputs.actuals import Thresholds
from models.model.monitoring import (
    forecast_outturn,
    rag_status,
    status_table,
    variance_table,
)
from models.report.monitoring import (
    render_monitoring_html,
    rounded_thousands,
    write_monitoring_excel,
)

ROOT = Path(__file__).resolve().parents[1]
SEED_ACTUALS = ROOT / "scenarios" / "actuals_2010_11.yaml"
FROM_CASE = ROOT / "tests" / "data" / "actuals_2012_13_from_case.yaml"
BAD = ROOT / "tests" / "bad_inputs" / "monitoring"


@pytest.fixture(scope="module")
def seed_table() -> pd.DataFrame:
    return variance_table(load_actuals(SEED_ACTUALS)).set_index("line_id")


def _line(table: pd.DataFrame, line_id: str) -> list[float]:
    row = table.loc[line_id]
    return [
        row["budget_bdc"],
        row["budget_rbc"],
        row["budget_total"],
        row["actual"],
        row["variance"],
    ]


# ------------------------------------------------------------- seed reproduction
def test_the_seed_cashable_savings_total_450_514_964_against_1037(seed_table):
    # seed 000 Appendix A, "Overall position - cashable savings": 450 / 514 / 964,
    # actual 1,037, variance 73 (£'000)
    assert _line(seed_table, "cashable") == [
        450_000,
        514_000,
        964_000,
        1_037_000,
        73_000,
    ]


def test_the_seed_non_cashable_savings_total_71_71_142(seed_table):
    # seed 000 Appendix A, "Non Cashable Savings": 71 / 71 / 142, actual 142
    assert _line(seed_table, "non_cashable") == [71_000, 71_000, 142_000, 142_000, 0]


def test_the_seed_overall_position_is_1106_against_1179(seed_table):
    # seed 000 Appendix A, "Overall position": 521 / 585 / 1,106, actual 1,179, var 73
    assert _line(seed_table, "overall") == [
        521_000,
        585_000,
        1_106_000,
        1_179_000,
        73_000,
    ]


def test_the_single_management_team_nets_off_transitional_support_costs(seed_table):
    # seed 000 Appendix A: 247/213/460 actual 478, less -65/-65/-130 actual -75,
    # net 182 / 148 / 330 against 403, variance 18 + 55 = 73
    assert _line(seed_table, "single_management_team") == [
        247_000,
        213_000,
        460_000,
        478_000,
        18_000,
    ]
    assert _line(seed_table, "transitional_support_costs") == [
        -65_000,
        -65_000,
        -130_000,
        -75_000,
        55_000,
    ]
    assert _line(seed_table, "cashable.single_management_team") == [
        182_000,
        148_000,
        330_000,
        403_000,
        73_000,
    ]


def test_the_other_shared_services_subtotal_is_268_366_634(seed_table):
    # seed 000 Appendix A: 48+81+63+6+70 = 268; 17+202+63+6+78 = 366; 634 = actual
    assert _line(seed_table, "cashable.other_shared_services") == [
        268_000,
        366_000,
        634_000,
        634_000,
        0,
    ]


def test_the_seed_report_lists_every_appendix_a_line_in_order(seed_table):
    assert list(seed_table["label"]) == [
        "Single Management Team",
        "Less: Transitional Support costs",
        "Net Savings from single management team",
        "Payroll",
        "CCTV & Lifeline",
        "ICT",
        "Abandoned Vehicles Joint Contract",
        "Insurance Joint Contract",
        "Savings/ costs (-) from Other Shared Services",
        "Overall position - cashable savings",
        "Web Developer",
        "Procurement",
        "Dog Warden joint contract",
        "Joint Sustainability Officer",
        "Non Cashable Savings",
        "Overall position",
    ]


def test_the_overall_variance_is_73_over_1106_of_budget(seed_table):
    # 73 / 1,106 = 0.066003616...
    assert seed_table.loc["overall", "variance_pct"] == pytest.approx(73 / 1106)


def test_every_seed_service_is_green_and_agrees_with_the_officers_lights(seed_table):
    # all Appendix A lines meet or beat budget; paras 16.5-16.9 set those lights green
    assert set(seed_table["status_rule"]) == {"green"}
    assert not seed_table["status_disagrees"].any()


# -------------------------------------------------------------------- RAG rule
def test_a_shortfall_of_exactly_5_percent_is_green():
    # budget 100,000, actual 95,000: shortfall 5,000 / 100,000 = 5% -> within 5%
    assert rag_status(95_000.0, 100_000.0).tolist() == "green"


def test_a_shortfall_just_over_5_percent_is_amber():
    # actual 94,999: shortfall 5,001 / 100,000 = 5.001% > 5%
    assert rag_status(94_999.0, 100_000.0).tolist() == "amber"


def test_a_shortfall_of_exactly_15_percent_is_amber():
    # actual 85,000: shortfall 15,000 / 100,000 = 15% -> still amber
    assert rag_status(85_000.0, 100_000.0).tolist() == "amber"


def test_a_shortfall_just_over_15_percent_is_red():
    # actual 84,999: shortfall 15.001% > 15%
    assert rag_status(84_999.0, 100_000.0).tolist() == "red"


def test_over_delivery_is_green():
    # actual 130,000 against 100,000: shortfall -30%
    assert rag_status(130_000.0, 100_000.0).tolist() == "green"


def test_a_cost_line_overspent_by_10_percent_is_amber():
    # costs are negative: budget -100,000, actual -110,000, variance -10,000,
    # shortfall 10,000 / 100,000 = 10% -> amber; underspend -75,000 -> green
    assert rag_status([-110_000.0, -75_000.0], [-100_000.0, -100_000.0]).tolist() == [
        "amber",
        "green",
    ]


def test_a_zero_budget_is_green_unless_the_actual_falls_below_it():
    assert rag_status([0.0, 10.0, -1.0], [0.0, 0.0, 0.0]).tolist() == [
        "green",
        "green",
        "red",
    ]


def test_thresholds_are_configurable():
    # with 10% / 20%: shortfall 8% green, 18% amber, 21% red
    t = Thresholds(green_max_shortfall=0.10, amber_max_shortfall=0.20)
    assert rag_status([92.0, 82.0, 79.0], [100.0] * 3, t).tolist() == [
        "green",
        "amber",
        "red",
    ]


def test_thresholds_in_the_wrong_order_are_refused():
    with pytest.raises(ValueError):
        Thresholds(green_max_shortfall=0.2, amber_max_shortfall=0.1)


# ------------------------------------------------- officer-set lights and flags
def _seed_data() -> dict:
    return yaml.safe_load(SEED_ACTUALS.read_text(encoding="utf-8"))


def _write(tmp_path: Path, data: dict, name: str = "actuals.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def test_a_hand_set_light_that_disagrees_with_the_rule_is_flagged(tmp_path):
    data = _seed_data()
    payroll = data["groups"][0]["sections"][1]["rows"][0]
    assert payroll["id"] == "payroll"
    payroll["status"] = "amber"  # the officer says amber; 65 against 65 is green
    table = status_table(variance_table(load_actuals(_write(tmp_path, data))))
    flagged = table[table["status_disagrees"]]
    assert flagged["line_id"].tolist() == ["payroll"]
    assert flagged.iloc[0][["status_officer", "status_rule"]].tolist() == [
        "amber",
        "green",
    ]


def test_a_red_rule_against_a_green_officer_light_is_flagged_in_the_html(tmp_path):
    data = {
        "kind": "actuals",
        "title": "Test",
        "description": "Hand-worked.",
        "source": "hand-worked",
        "unit": "GBP",
        "period": {"financial_year": "2011/12"},
        "councils": [{"id": "a", "name": "A"}],
        "groups": [
            {
                "id": "cashable",
                "label": "Cashable",
                "subtotal_label": "Total",
                "sections": [
                    {
                        "id": "s",
                        "rows": [
                            {
                                "id": "svc",
                                "label": "Service <b>",
                                "budget": {"a": 100_000},
                                "actual": 80_000,
                                "status": "green",
                                "source": "hand",
                            }
                        ],
                    }
                ],
            }
        ],
    }
    actuals = load_actuals(_write(tmp_path, data))
    table = variance_table(actuals)
    # shortfall 20,000 / 100,000 = 20% > 15% -> red, officer said green
    assert table.loc[0, "status_rule"] == "red" and table.loc[0, "status_disagrees"]
    page = render_monitoring_html(actuals, table)
    assert "differs" in page
    assert "Service &lt;b&gt;" in page and "Service <b>" not in page
    assert "(20)" in page  # variance -20,000 shown as (20) in £'000


# ------------------------------------------------------------- quarterly periods
def test_a_half_year_is_measured_against_half_the_budget_and_forecast_to_outturn(
    tmp_path,
):
    data = {
        "kind": "actuals",
        "title": "Q2",
        "description": "Hand-worked.",
        "source": "hand-worked",
        "unit": "GBP",
        "period": {"financial_year": "2011/12", "quarter": 2},
        "councils": [{"id": "a", "name": "A"}, {"id": "b", "name": "B"}],
        "groups": [
            {
                "id": "cashable",
                "label": "Cashable",
                "subtotal_label": "Total",
                "sections": [
                    {
                        "id": "s",
                        "rows": [
                            {
                                "id": "svc",
                                "label": "Svc",
                                "budget": {"a": 60_000, "b": 40_000},
                                "actual": 45_000,
                                "source": "hand",
                            }
                        ],
                    }
                ],
            }
        ],
    }
    row = variance_table(load_actuals(_write(tmp_path, data))).iloc[0]
    # budget 100,000, even quarters: to date 50,000; actual 45,000 -> variance
    # -5,000 = -10% -> amber; outturn 45,000 + 50,000 = 95,000, 5,000 short of budget
    assert row["budget_to_date"] == 50_000
    assert row["variance"] == -5_000 and row["variance_pct"] == pytest.approx(-0.10)
    assert row["status_rule"] == "amber"
    assert row["forecast_outturn"] == 95_000 and row["forecast_variance"] == -5_000


def test_forecast_outturn_uses_the_remaining_budget_profile():
    # Q1 of profile 10/20/30/40%: actual 12,000 + 100,000 * 90% = 102,000
    assert forecast_outturn(12_000.0, 100_000.0, 0.1) == pytest.approx(102_000.0)


# ------------------------------------------------------------------ bad inputs
def test_a_stated_subtotal_that_does_not_foot_names_the_subtotal_and_column():
    with pytest.raises(InputError) as err:
        load_actuals(BAD / "subtotal_does_not_foot.yaml")
    message = str(err.value)
    assert "subtotal_does_not_foot.yaml" in message
    assert "subtotal 'Savings/ costs (-) from Other Shared Services', column rbc" in (
        message
    )
    assert "stated 360" in message and "366" in message


def test_a_row_total_that_does_not_foot_names_the_row():
    with pytest.raises(InputError, match=r"insurance_joint_contract.*column total"):
        load_actuals(BAD / "row_total_does_not_foot.yaml")


def test_a_misspelt_key_is_refused_with_its_key_path():
    with pytest.raises(InputError) as err:
        load_actuals(BAD / "misspelt_key.yaml")
    assert "rows[0] (payroll).budjet" in str(err.value)
    assert "misspelt_key.yaml" in str(err.value)


def test_a_row_without_a_budget_for_every_council_is_refused():
    with pytest.raises(InputError, match=r"abandoned_vehicles_joint_contract.*budget"):
        load_actuals(BAD / "council_budget_missing.yaml")


def test_a_file_of_another_kind_is_refused(tmp_path):
    data = _seed_data()
    data["kind"] = "case"
    with pytest.raises(InputError, match="kind"):
        load_actuals(_write(tmp_path, data))


# --------------------------------------------------------------------- exports
def test_the_excel_sheet_holds_the_seed_totals_in_pounds(tmp_path):
    actuals = load_actuals(SEED_ACTUALS)
    path = write_monitoring_excel(actuals, variance_table(actuals), tmp_path / "m.xlsx")
    sheet = pd.read_excel(path, header=2).set_index("Service")
    assert sheet.loc["Overall position", "Actual £"] == 1_179_000
    assert sheet.loc["Overall position - cashable savings", "Budget total £"] == 964_000


# ------------------------------------------------------------ display rounding
def _shown_lines(page: str, n_councils: int, partial: bool) -> list[tuple[str, list]]:
    """(line type, £'000 figures) of every line of the rendered table, in order:
    council budgets, total, [budget to date], actual, variance, forecast outturn."""
    import re

    def number(text: str) -> int:
        text = text.replace(",", "")
        return -int(text[1:-1]) if text.startswith("(") else int(text)

    n_money = n_councils + 1 + (1 if partial else 0) + 2
    lines = []
    for level, cells in re.findall(
        r'<tr class="(row|section|group|overall)">(.*?)</tr>', page
    ):
        nums = re.findall(r'<td class="num">([^<]*)</td>', cells)
        lines.append((level, [number(t) for t in nums[:n_money] + nums[-1:]]))
    return lines


def _from_case_data(**changes) -> dict:
    data = yaml.safe_load(FROM_CASE.read_text(encoding="utf-8"))
    data["approved_case"]["file"] = str(
        ROOT / "scenarios" / "bromsgrove_redditch_2011.yaml"
    )
    data.update(changes)
    return data


def _assert_foots(lines: list[tuple[str, list]], n_councils: int, partial: bool):
    """Every displayed line adds across, and every subtotal is the sum of the
    service rows above it since the previous subtotal of the same or higher
    level (true of these files: no unsubtotalled section precedes a section
    subtotal in its group)."""
    to_date = n_councils + 1 if partial else n_councils
    for _, v in lines:
        councils, total = v[:n_councils], v[n_councils]
        actual, variance, outturn = v[-3], v[-2], v[-1]
        assert sum(councils) == total
        assert variance == actual - v[to_date]
        assert outturn == actual + total - v[to_date]
    since = {"section": [], "group": [], "overall": []}
    for level, v in lines:
        if level == "row":
            for rows in since.values():
                rows.append(v)
            continue
        rows = since[level]
        assert v == [sum(col) for col in zip(*rows, strict=True)], level
        for lower in {"section": ["section"], "group": ["section", "group"]}.get(
            level, []
        ):
            since[lower] = []


def test_a_table_of_figures_not_in_whole_thousands_adds_up_as_displayed():
    # hr_od 35,625 + 35,625 = 71,250: rounding each alone shows 36 + 36 against 71
    a = load_actuals(FROM_CASE)
    table = variance_table(a)
    page = render_monitoring_html(a, table)
    lines = _shown_lines(page, n_councils=2, partial=False)
    _assert_foots(lines, n_councils=2, partial=False)
    # 71.25 -> 71 (one council 36, the other 35); land charges 12.5 + 12.5 = 25;
    # overall budget 96,250 -> 96; actual 60 + 25 = 85; variance 85 - 96 = -11
    assert lines[0][1][2:] == [71, 60, -11, 60]
    assert sorted(lines[0][1][:2]) == [35, 36]
    assert lines[-1] == ("overall", [48, 48, 96, 85, -11, 85])
    k = rounded_thousands(a, table)
    assert k.loc[table["level"] == "overall", "budget_total"].item() == 96


def test_a_part_year_table_of_odd_pounds_adds_up_as_displayed(tmp_path):
    # Quarter 1 of 2012/13, even profile: budget to date 71,250 / 4 = 17,812.50
    # and 25,000 / 4 = 6,250; actuals 17,500 and 6,500
    data = _from_case_data(period={"financial_year": "2012/13", "quarter": 1})
    rows = data["groups"][0]["sections"][0]["rows"]
    rows[0]["actual"], rows[1]["actual"] = 17_500, 6_500
    a = load_actuals(_write(tmp_path, data))
    lines = _shown_lines(render_monitoring_html(a, variance_table(a)), 2, True)
    _assert_foots(lines, n_councils=2, partial=True)
    # overall budget to date 24,062.50 -> 24; actual 24,000 -> 24; variance 0
    assert lines[-1][1][3:6] == [24, 24, 0]


def test_two_and_a_half_thousand_pounds_shows_as_3_not_2(tmp_path):
    # Python's round(2.5) is 2 (halves to even); reports round halves away from
    # zero: 2,500 -> 3.  Land charges actual 2,500; hr_od actual 60,000;
    # overall actual 62,500 -> 63 = 60 + 3.
    data = _from_case_data()
    data["groups"][0]["sections"][0]["rows"][1]["actual"] = 2_500
    a = load_actuals(_write(tmp_path, data))
    lines = _shown_lines(render_monitoring_html(a, variance_table(a)), 2, False)
    assert lines[1][1][3] == 3
    assert lines[-1][1][3] == 63
    _assert_foots(lines, n_councils=2, partial=False)


def test_the_seed_table_shows_the_seed_figures_and_adds_up():
    # seed 000 Appendix A: already whole £'000, so rounding moves nothing
    a = load_actuals(SEED_ACTUALS)
    lines = _shown_lines(render_monitoring_html(a, variance_table(a)), 2, False)
    _assert_foots(lines, n_councils=2, partial=False)
    assert lines[-1] == ("overall", [521, 585, 1_106, 1_179, 73, 1_179])


def test_the_excel_sheet_keeps_full_pounds_for_odd_figures(tmp_path):
    a = load_actuals(FROM_CASE)
    path = write_monitoring_excel(a, variance_table(a), tmp_path / "m.xlsx")
    sheet = pd.read_excel(path, header=2).set_index("Service")
    # 35,625 each council, 71,250 in total: not rounded to £'000
    assert sheet.loc["HR and OD", "Budget Bromsgrove £"] == pytest.approx(35_625)
    assert sheet.loc["Overall position", "Budget total £"] == pytest.approx(96_250)


# ------------------------------------------------------------------------- CLI
@pytest.mark.parametrize("bad", sorted(p.name for p in BAD.glob("*.yaml")))
def test_the_cli_exits_2_on_bad_input_and_writes_nothing(tmp_path, monkeypatch, bad):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(monitor, [str(BAD / bad)])
    assert result.exit_code == 2
    assert result.stderr.startswith("error: ")
    assert "Traceback" not in result.output
    assert list(tmp_path.iterdir()) == []


def _run_folders(case_dir: Path) -> list[Path]:
    return [p for p in case_dir.iterdir() if p.name != "latest"]


def test_the_cli_writes_html_and_excel_whose_totals_match_the_seed(
    tmp_path, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(monitor, [str(SEED_ACTUALS)])
    assert result.exit_code == 0, result.output
    runs = _run_folders(tmp_path / "outputs" / "actuals_2010_11")
    assert len(runs) == 1
    run = runs[0]
    assert sorted(p.name for p in run.iterdir()) == [
        "monitoring.html",
        "monitoring.xlsx",
    ]
    sheet = pd.read_excel(run / "monitoring.xlsx", header=2).set_index("Service")
    # seed 000 Appendix A overall: 521 / 585 / 1,106 against 1,179, variance 73
    assert sheet.loc[
        "Overall position",
        [
            "Budget Bromsgrove £",
            "Budget Redditch £",
            "Budget total £",
            "Actual £",
            "Variance £",
        ],
    ].tolist() == [521_000, 585_000, 1_106_000, 1_179_000, 73_000]
    page = (run / "monitoring.html").read_text(encoding="utf-8")
    assert ">1,106<" in page and ">1,179<" in page and ">(130)<" in page
    assert "http" not in page  # self-contained, no CDN
    assert "actual £1,179,000; variance £73,000" in result.output
    # a second run never overwrites the first
    again = CliRunner().invoke(monitor, [str(SEED_ACTUALS)])
    assert again.exit_code == 0
    assert len(_run_folders(tmp_path / "outputs" / "actuals_2010_11")) == 2


def test_actuals_files_are_a_kind_that_sharedcase_validate_knows():
    from models.engine.validate import validate_file

    assert validate_file(SEED_ACTUALS) == "actuals"
    with pytest.raises(InputError, match="budjet"):
        validate_file(BAD / "misspelt_key.yaml")


def test_the_cli_refuses_an_existing_out_folder(tmp_path):
    (tmp_path / "taken").mkdir()
    result = CliRunner().invoke(
        monitor, [str(SEED_ACTUALS), "--out", str(tmp_path / "taken")]
    )
    assert result.exit_code == 2
    assert list((tmp_path / "taken").iterdir()) == []
