"""Cost sharing between partner councils (models/inputs/bases.py, models/model/sharing.py)."""

from __future__ import annotations

import copy
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from models.cli import main
from models.core.errors import InputError
from models.core.rounding import foots
from models.engine.cases import case_from_dict
from models.engine.loading import load_case
from models.engine.projection import check_totals, council_lines, run_option
from models.engine.results import run_case
from models.inputs.bases import FixedBasis
from models.model.sharing import (
    basis_shares,
    proportional_shares,
    true_up,
    unused_bases,
)
from models.report.council_tables import (
    COUNCIL_TABLE_LINES,
    council_summary,
    council_table,
    council_tables,
)
from tests.conftest import DEFAULT_CASE, SEED_002_CASE

BAD = Path(__file__).parent / "bad_inputs" / "sharing"


def one_service_case(
    councils: dict,
    bases: dict,
    basis: str,
    savings: float = 0.0,
    set_up: float = 0.0,
    horizon: int = 3,
    **service,
) -> dict:
    """A case with one service, live from 1 April 2011 (full saving every year),
    no optimism bias, real prices, 10% discount rate."""
    svc = {
        "name": "Shared service",
        "basis": basis,
        "savings": {"staff": savings},
        "go_live": "2011-04-01",
        **service,
    }
    if set_up:
        svc["set_up_costs"] = [{"category": "ict", "amount": set_up, "year": "2011/12"}]
    return {
        "kind": "case",
        "name": "t",
        "title": "t",
        "councils": councils,
        "settings": {
            "base_year": "2011/12",
            "horizon_years": horizon,
            "discount_rate": 0.10,
        },
        "bases": bases,
        "services": {"svc": svc},
        "options": {"share": {"title": "Share", "description": "Shared."}},
    }


def council_savings(result) -> np.ndarray:
    a, p = result.arrays, result.projection
    return council_lines(a, p)["savings"]


# ------------------------------------------------------- seed 000 Appendix A


# CONSTRUCTED to be consistent with seed 000 Appendix A (the seeds give the
# splits, not the driver values): payslips produced a month, BDC 796, RBC 282.
# 65,000 x 796 / 1,078 = 47,996.29 -> 48 (£'000); 65,000 x 282 / 1,078 =
# 17,003.71 -> 17; 48 + 17 = 65, as Appendix A shows.
PAYSLIPS = {"bdc": 796, "rbc": 282}
# Lifeline units are the seed's own (seed 000 Appendix C b: 2,258 and 3,024 homes
# connected).  CONSTRUCTED: the 283 splits as 100 of Lifeline and 183 of CCTV,
# and CCTV cameras BDC 23, RBC 87.
#   Lifeline 100,000 x 2,258 / 5,282 = 42,748.96 (BDC), 57,251.04 (RBC)
#   CCTV     183,000 x 23 / 110     = 38,263.64 (BDC), 144,736.36 (RBC)
#   BDC 42,748.96 + 38,263.64 = 81,012.60 -> 81; RBC 201,987.40 -> 202.
LIFELINE_UNITS = {"bdc": 2258, "rbc": 3024}
CAMERAS = {"bdc": 23, "rbc": 87}


def appendix_a_case() -> dict:
    def drivers(c: str) -> dict:
        constructed = "constructed to be consistent with seed 000 Appendix A"
        return {
            "payslips": {
                "value": PAYSLIPS[c],
                "unit": "payslips a month",
                "source": constructed,
            },
            "lifeline_units": {
                "value": LIFELINE_UNITS[c],
                "year": 2011,
                "source": "seed 000 Appendix C b",
            },
            "cameras": {"value": CAMERAS[c], "source": constructed},
        }

    case = one_service_case(
        {
            "bdc": {"name": "Bromsgrove", "drivers": drivers("bdc")},
            "rbc": {"name": "Redditch", "drivers": drivers("rbc")},
        },
        {
            "by_payslips": {"type": "driver", "driver": "payslips"},
            "by_units": {"type": "driver", "driver": "lifeline_units"},
            "by_cameras": {"type": "driver", "driver": "cameras"},
        },
        "by_payslips",
        savings=65_000,
        horizon=1,
    )
    svc = case["services"].pop("svc")
    case["services"] = {
        "payroll": {**svc, "name": "Payroll"},
        "lifeline": {
            **svc,
            "name": "Lifeline",
            "basis": "by_units",
            "savings": {"staff": 100_000},
        },
        "cctv": {
            **svc,
            "name": "CCTV",
            "basis": "by_cameras",
            "savings": {"staff": 183_000},
        },
    }
    return case


def test_payroll_savings_of_65_thousand_split_48_17_by_payslips_as_in_appendix_a():
    case = case_from_dict(appendix_a_case())
    shares = basis_shares(case, "by_payslips", ["bdc", "rbc"], 1)[:, 0]
    assert 65_000 * shares == pytest.approx([47_996.29, 17_003.71], abs=0.01)
    result = run_option(case, "share")
    table = council_table(result, "Savings")  # all three services, £'000
    assert table.loc[["bdc", "rbc", "Total"], "Total"].tolist() == [129, 219, 348]


def test_cctv_and_lifeline_283_thousand_split_81_202_by_units_and_cameras():
    result = run_option(case_from_dict(appendix_a_case()), "share")
    long = result.long
    sel = long[
        long["service"].isin(["lifeline", "cctv"])
        & (long["line_item"] == "Savings")
        & (long["council"] != "All")
    ]
    by_council = sel.groupby("council")["value"].sum()
    assert by_council["bdc"] == pytest.approx(81_012.60, abs=0.01)
    assert by_council["rbc"] == pytest.approx(201_987.40, abs=0.01)
    assert round(by_council["bdc"] / 1000) == 81
    assert round(by_council["rbc"] / 1000) == 202


# ------------------------------------------------------------- hand-worked


def test_three_partners_on_fixed_shares_of_50_30_20_split_savings_and_set_up():
    # Savings 100,000 a year -> 50,000 / 30,000 / 20,000; set-up 30,000 in
    # 2011/12 -> 15,000 / 9,000 / 6,000.
    case = case_from_dict(
        one_service_case(
            {c: {"name": c.upper()} for c in "abc"},
            {"thirds": {"type": "fixed", "shares": {"a": 0.5, "b": 0.3, "c": 0.2}}},
            "thirds",
            savings=100_000,
            set_up=30_000,
        )
    )
    result = run_option(case, "share")
    lines = council_lines(result.arrays, result.projection)
    np.testing.assert_allclose(lines["savings"][:, 0], [50_000, 30_000, 20_000])
    np.testing.assert_allclose(lines["setup"][:, 0], [15_000, 9_000, 6_000])
    summary = council_summary(result)
    np.testing.assert_allclose(
        summary.loc[["a", "b", "c"], "share_of_set_up_costs"], [0.5, 0.3, 0.2]
    )
    # NPV of a: 2011/12 50,000 - 15,000 = 35,000 (factor 1); then 50,000 / 1.1 and
    # 50,000 / 1.21: 35,000 + 45,454.55 + 41,322.31 = 121,776.86.
    assert summary.loc["a", "npv"] == pytest.approx(121_776.86, abs=0.01)
    assert summary.loc["a", "payback_year"] == "2011/12"


def test_a_hybrid_of_30_percent_equal_and_70_percent_by_electorate():
    # a: 0.3 x 0.5 + 0.7 x 60,000 / 100,000 = 0.15 + 0.42 = 0.57
    # b: 0.3 x 0.5 + 0.7 x 40,000 / 100,000 = 0.15 + 0.28 = 0.43
    # On savings of 200,000: 114,000 and 86,000.
    case = case_from_dict(
        one_service_case(
            {
                "a": {"name": "A", "drivers": {"electorate": 60_000}},
                "b": {"name": "B", "drivers": {"electorate": 40_000}},
            },
            {
                "mixed": {
                    "type": "hybrid",
                    "fixed_weight": 0.3,
                    "shares": {"a": 0.5, "b": 0.5},
                    "driver_weight": 0.7,
                    "driver": "electorate",
                }
            },
            "mixed",
            savings=200_000,
        )
    )
    np.testing.assert_allclose(
        basis_shares(case, "mixed", ["a", "b"], 3), [[0.57] * 3, [0.43] * 3]
    )
    np.testing.assert_allclose(
        council_savings(run_option(case, "share"))[:, 0], [114_000, 86_000]
    )


def test_a_three_partner_hybrid_of_40_percent_thirds_and_60_percent_by_electorate():
    # electorates 50,000 / 30,000 / 20,000 (of 100,000):
    # a: 0.4 / 3 + 0.6 x 0.5 = 0.43333; b: 0.4 / 3 + 0.6 x 0.3 = 0.31333;
    # c: 0.4 / 3 + 0.6 x 0.2 = 0.25333.  On 300,000: 130,000, 94,000, 76,000.
    electorate = {"a": 50_000, "b": 30_000, "c": 20_000}
    case = case_from_dict(
        one_service_case(
            {
                c: {"name": c, "drivers": {"electorate": v}}
                for c, v in electorate.items()
            },
            {
                "mixed": {
                    "type": "hybrid",
                    "fixed_weight": 0.4,
                    "shares": {"a": 1 / 3, "b": 1 / 3, "c": 1 / 3},
                    "driver_weight": 0.6,
                    "driver": "electorate",
                }
            },
            "mixed",
            savings=300_000,
        )
    )
    np.testing.assert_allclose(
        council_savings(run_option(case, "share"))[:, 0], [130_000, 94_000, 76_000]
    )


def wyre_forest_joins_case(basis: dict) -> dict:
    return one_service_case(
        {
            "a": {"name": "A", "drivers": {"payslips": 800}},
            "b": {"name": "B", "drivers": {"payslips": 300}},
            "c": {"name": "C", "drivers": {"payslips": 900}, "joins": "2013/14"},
        },
        {"payroll_basis": basis},
        "payroll_basis",
        savings=110_000,
        horizon=4,
    )


def test_a_partner_joining_in_2013_14_pays_nothing_before_and_its_share_after():
    # seed 000 Appendix A: payroll "providing service for Wyre Forest" from
    # 2011/12.  Payslips a month a 800, b 300, c 900 (illustrative).
    # 2011/12-2012/13 (c not yet a partner): a 800 / 1,100 = 8/11, b 3/11 ->
    #   of 110,000: 80,000 and 30,000.
    # From 2013/14: a 800 / 2,000 = 0.40, b 0.15, c 0.45 ->
    #   44,000, 16,500, 49,500.
    case = case_from_dict(
        wyre_forest_joins_case({"type": "driver", "driver": "payslips"})
    )
    savings = council_savings(run_option(case, "share"))
    np.testing.assert_allclose(
        savings,
        [
            [80_000, 80_000, 44_000, 44_000],
            [30_000, 30_000, 16_500, 16_500],
            [0, 0, 49_500, 49_500],
        ],
    )


def test_fixed_shares_of_a_partner_not_yet_joined_go_to_the_others_in_proportion():
    # {a 0.4, b 0.3, c 0.3}, c from 2013/14: before, a 0.4 / 0.7 = 4/7, b 3/7.
    case = case_from_dict(
        wyre_forest_joins_case(
            {"type": "fixed", "shares": {"a": 0.4, "b": 0.3, "c": 0.3}}
        )
    )
    shares = basis_shares(case, "payroll_basis", ["a", "b", "c"], 4)
    np.testing.assert_allclose(
        shares,
        [[4 / 7, 4 / 7, 0.4, 0.4], [3 / 7, 3 / 7, 0.3, 0.3], [0, 0, 0.3, 0.3]],
    )
    np.testing.assert_allclose(shares.sum(axis=0), 1.0)


def test_a_basis_naming_two_of_three_councils_leaves_the_third_out_of_that_service():
    case = case_from_dict(
        one_service_case(
            {c: {"name": c} for c in "abc"},
            {"ab": {"type": "fixed", "shares": {"a": 0.5, "b": 0.5}}},
            "ab",
            savings=10_000,
        )
    )
    np.testing.assert_allclose(
        council_savings(run_option(case, "share"))[:, 0], [5_000, 5_000, 0]
    )


def test_savings_set_up_and_severance_can_each_have_their_own_basis():
    # Savings 60/40 (a, b); set-up 50/50; severance 100% a (where the post was).
    d = one_service_case(
        {"a": {"name": "A"}, "b": {"name": "B"}},
        {
            "sixty_forty": {"shares": {"a": 0.6, "b": 0.4}},
            "equal": {"shares": {"a": 0.5, "b": 0.5}},
            "all_a": {"shares": {"a": 1.0, "b": 0.0}},
        },
        "sixty_forty",
        savings=100_000,
        set_up=20_000,
        set_up_basis="equal",
        severance={"redundancy_pay": 30_000, "year": "2011/12", "basis": "all_a"},
    )
    lines = council_lines(*_arrays(run_option(case_from_dict(d), "share")))
    np.testing.assert_allclose(lines["savings"][:, 0], [60_000, 40_000])
    np.testing.assert_allclose(lines["setup"][:, 0], [10_000, 10_000])
    np.testing.assert_allclose(lines["severance"][:, 0], [30_000, 0])


def _arrays(result):
    return result.arrays, result.projection


def test_proportional_shares_with_no_partner_present_are_zero_not_nan():
    shares = proportional_shares(np.array([1.0, 0.0]), np.array([[False], [True]]))
    assert shares.tolist() == [[0.0], [0.0]]


# ------------------------------------------------------------ council views


def test_council_views_of_the_default_case_sum_to_the_whole_in_full_precision():
    case = load_case(DEFAULT_CASE)
    for option, result in run_case(case).items():
        lines = council_lines(result.arrays, result.projection)
        p = result.projection
        whole = {
            "savings": p["savings_total"].sum(axis=0),
            "setup": p["setup_total"].sum(axis=0),
            "net": p["net"].sum(axis=0),
        }
        for key, total in whole.items():
            # no rounding anywhere: floating-point error only (1e-12 relative)
            np.testing.assert_allclose(
                lines[key].sum(axis=0), total, rtol=1e-12, atol=1e-6, err_msg=option
            )
        assert check_totals(result.long, tolerance=1e-6).empty
        summary = council_summary(result)
        money = ["savings", "set_up_costs", "severance_costs", "net_saving", "npv"]
        np.testing.assert_allclose(
            summary.drop(index="All")[money].sum(),
            summary.loc["All", money],
            rtol=1e-12,
            atol=1e-6,
        )


def test_default_case_council_tables_foot_to_the_thousand():
    from models.core.rounding import round_half_away
    from models.report.council_tables import council_yearly

    case = load_case(DEFAULT_CASE)
    for result in run_case(case).values():
        for line in ("Savings", "Costs|Set-up", "Costs|Severance", "Net saving"):
            table = council_table(result, line)
            assert foots(table, row_total="Total", col_total="Total")
            # footing holds by construction; what can fail is closeness to the
            # exact pounds: each council-year within one £'000, and the grand
            # total the conventional rounding of the exact grand total
            exact = council_yearly(result, line).drop(index="All") / 1000.0
            shown = table.drop(index="Total", columns="Total")
            shown = shown.loc[exact.index, exact.columns]
            assert ((shown - exact).abs() < 1 + 1e-9).all().all()
            assert table.loc["Total", "Total"] == round_half_away(
                exact.to_numpy().sum()
            )


def test_default_case_shares_revenues_and_benefits_by_dwellings():
    # councils.*.drivers.dwellings: bdc 40,000, rbc 36,000 (illustrative) ->
    # bdc 40,000 / 76,000 = 0.526316 of revenues and benefits savings.
    result = run_option(load_case(DEFAULT_CASE), "single_business_case")
    a = result.arrays
    i = a.services.index("revenues_benefits")
    np.testing.assert_allclose(a.savings_shares[i, :, 0], [40 / 76, 36 / 76])


def test_cumulative_net_saving_by_council_ends_at_its_total_net_saving():
    result = run_option(load_case(SEED_002_CASE), "as_reported")
    summary = council_summary(result)
    last = f"cumulative_net_saving {result.arrays.years[-1]}"
    np.testing.assert_allclose(summary[last], summary["net_saving"])


# ----------------------------------------------------------------- true-up


def test_drivers_within_3_percent_restate_nothing():
    # a +2%, b -1%: neither driver differs from its estimate by more than 3%.
    t = true_up({"a": 1000, "b": 1000}, {"a": 1020, "b": 990}, 65_000)
    assert not t["beyond_tolerance"].any()
    assert t["restated_share"].tolist() == [0.5, 0.5]
    assert t["re_allocation"].tolist() == [0.0, 0.0]


def test_a_driver_exactly_3_percent_off_is_not_restated():
    t = true_up({"a": 1000, "b": 1000}, {"a": 1030, "b": 970}, 65_000)
    assert t["re_allocation"].abs().sum() == 0


def test_drivers_10_percent_off_restate_every_share_and_sum_to_nothing():
    # actual shares 1,100 / 2,000 = 0.55 and 0.45; on 65,000 a now pays 35,750
    # against 32,500 charged: owes 3,250; b is owed 3,250.
    t = true_up({"a": 1000, "b": 1000}, {"a": 1100, "b": 900}, 65_000)
    assert t["restated_share"].tolist() == pytest.approx([0.55, 0.45])
    assert t["re_allocation"].tolist() == pytest.approx([3_250, -3_250])
    assert t["re_allocation"].sum() == pytest.approx(0, abs=1e-9)


def test_one_driver_beyond_tolerance_restates_all_shares():
    # a +2.5% (within), b +5% (beyond): all shares restated on actuals.
    # a 1,025 / 2,075 = 0.4939759; of 100,000: 49,397.59 against 50,000 -> -602.41.
    t = true_up({"a": 1000, "b": 1000}, {"a": 1025, "b": 1050}, 100_000)
    assert t["beyond_tolerance"].tolist() == [False, True]
    assert t.loc["a", "re_allocation"] == pytest.approx(-602.41, abs=0.01)
    assert t.loc["b", "re_allocation"] == pytest.approx(602.41, abs=0.01)


def test_comparing_shares_ignores_growth_that_leaves_the_shares_unchanged():
    # every driver +10%: drivers are beyond 3% but the shares do not move.
    est, act = {"a": 600, "b": 400}, {"a": 660, "b": 440}
    by_driver = true_up(est, act, 10_000)
    by_share = true_up(est, act, 10_000, compare="share")
    assert by_driver["beyond_tolerance"].all()
    assert by_driver["re_allocation"].to_numpy() == pytest.approx([0, 0], abs=1e-9)
    assert not by_share["beyond_tolerance"].any()


def test_true_up_refuses_different_councils_in_estimate_and_actual():
    with pytest.raises(ValueError, match="same councils"):
        true_up({"a": 1, "b": 1}, {"a": 1, "c": 1}, 100)


# --------------------------------------------------------------- bad inputs

BAD_INPUTS = {
    "shares_do_not_sum_to_one": "bases.sixty_forty.shares: expected shares that sum to 1, found 0.9",
    "missing_driver_value": "councils.b.drivers.payslips: expected a value of the driver 'payslips'",
    "negative_driver": "councils.b.drivers.payslips.value: expected a non-negative driver value",
    "undefined_basis": "services.payroll.set_up_basis: expected a basis defined under 'bases'",
    "partner_not_in_case": "bases.sixty_forty.shares.c: expected a council of the case",
    "unknown_basis_type": "bases.by_payslips.type",
    "hybrid_weights_do_not_sum_to_one": "bases.mixed.driver_weight: expected fixed_weight + driver_weight = 1",
    "joins_outside_horizon": "councils.b.joins: expected a financial year inside the horizon",
    "misspelt_basis_key": "bases.by_payslips.driver_name: expected a known key (did you mean 'driver'?)",
}


@pytest.mark.parametrize("name", sorted(BAD_INPUTS))
def test_a_bad_basis_is_refused_naming_the_key(name):
    path = BAD / f"{name}.yaml"
    with pytest.raises(InputError) as err:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            load_case(path)
    assert BAD_INPUTS[name] in err.value.message


def test_every_bad_sharing_input_has_a_test():
    assert sorted(p.stem for p in BAD.glob("*.yaml")) == sorted(BAD_INPUTS)


def test_validate_exits_2_on_a_missing_driver_without_a_traceback():
    result = CliRunner().invoke(
        main, ["validate", str(BAD / "missing_driver_value.yaml")]
    )
    assert result.exit_code == 2
    assert "councils.b.drivers.payslips" in result.output
    assert "Traceback" not in result.output


def test_a_partner_with_a_zero_share_before_another_joins_is_refused():
    d = wyre_forest_joins_case(
        {"type": "fixed", "shares": {"a": 0.0, "b": 0.0, "c": 1.0}}
    )
    with pytest.raises(InputError, match="none in 2011/12"):
        case_from_dict(d)


def test_an_unused_basis_is_a_warning_not_an_error():
    d = one_service_case(
        {"a": {"name": "A"}},
        {"all_a": {"shares": {"a": 1}}, "spare": {"shares": {"a": 1}}},
        "all_a",
    )
    with pytest.warns(UserWarning, match="bases.spare: no service uses this basis"):
        case = case_from_dict(copy.deepcopy(d))
    assert unused_bases(case) == ["spare"]


def test_a_basis_without_a_type_is_read_as_fixed_shares():
    d = one_service_case({"a": {"name": "A"}}, {"all_a": {"shares": {"a": 1}}}, "all_a")
    assert case_from_dict(d).bases["all_a"].type == "fixed"


def test_council_table_rows_are_councils_and_total():
    case = case_from_dict(appendix_a_case())
    table = council_table(run_option(case, "share"), "Savings")
    assert list(table.index) == ["bdc", "rbc", "Total"]
    assert isinstance(table, pd.DataFrame) and list(table.columns) == [
        "2011/12",
        "Total",
    ]


def test_council_tables_stack_one_footing_table_per_line_item():
    result = run_option(case_from_dict(appendix_a_case()), "share")
    tables = council_tables(result)
    assert tables["line_item"].unique().tolist() == list(COUNCIL_TABLE_LINES)
    for _, table in tables.groupby("line_item"):
        wide = table.set_index("council")[["2011/12", "Total"]]
        assert foots(wide, row_total="Total", col_total="Total")
    savings = tables[tables["line_item"] == "Savings"].set_index("council")
    assert savings["Total"].tolist() == [129, 219, 348]


# ------------------------------------------------- true-up: drivers at the edges


def test_a_share_exactly_3_percent_off_is_not_restated():
    # shares 0.5 -> 1,030 / 2,000 = 0.515: (0.515 - 0.5) / 0.5 = 3%, which floating
    # point makes 3.0000000000000027%; exactly the tolerance is not beyond it
    t = true_up({"a": 1000, "b": 1000}, {"a": 1030, "b": 970}, 65_000, compare="share")
    assert not t["beyond_tolerance"].any()
    assert t["re_allocation"].abs().sum() == 0


def test_a_council_with_no_estimated_activity_that_now_has_some_restates_the_shares():
    # b was expected to produce no payslips and produced 100: an infinite relative
    # change; shares restated to 900 / 1,000 and 100 / 1,000 of 10,000
    t = true_up({"a": 1000, "b": 0}, {"a": 900, "b": 100}, 10_000)
    assert t.loc["b", "relative_change"] == np.inf
    assert t["beyond_tolerance"].tolist() == [True, True]
    assert t["re_allocation"].tolist() == pytest.approx([-1_000, 1_000])


def test_a_council_with_no_estimated_share_that_now_has_a_fifth_is_beyond_tolerance():
    # drivers as shares: b was expected to have none and has 0.2: infinite change
    t = true_up({"a": 1.0, "b": 0.0}, {"a": 0.8, "b": 0.2}, 10_000)
    assert t.loc["b", "relative_change"] == np.inf
    assert t["re_allocation"].tolist() == pytest.approx([-2_000, 2_000])


def test_a_council_with_no_activity_estimated_or_actual_has_no_change():
    # c: 0 then 0 -> relative change 0, within tolerance; a and b within 3%
    t = true_up({"a": 500, "b": 500, "c": 0}, {"a": 505, "b": 495, "c": 0}, 10_000)
    assert t.loc["c", "relative_change"] == 0.0
    assert not t["beyond_tolerance"].any()


def test_drivers_may_be_fractions_such_as_shares():
    # estimated 0.6 / 0.4, actual 0.5 / 0.5: a -16.7%, beyond 3%; on 1,000
    # a is owed (0.5 - 0.6) x 1,000 = -100 and b owes +100
    t = true_up({"a": 0.6, "b": 0.4}, {"a": 0.5, "b": 0.5}, 1_000)
    assert t["re_allocation"].tolist() == pytest.approx([-100, 100])


@pytest.mark.parametrize(
    "estimated, actual",
    [
        ({"a": -1, "b": 10}, {"a": 1, "b": 10}),
        ({"a": 1, "b": 10}, {"a": 1, "b": -10}),
    ],
    ids=["a_negative_estimate", "a_negative_actual"],
)
def test_a_negative_driver_value_is_refused(estimated, actual):
    with pytest.raises(ValueError, match="non-negative driver values"):
        true_up(estimated, actual, 100)


@pytest.mark.parametrize(
    "estimated, actual",
    [({"a": 0, "b": 0}, {"a": 1, "b": 1}), ({"a": 1, "b": 1}, {"a": 0, "b": 0})],
    ids=["no_estimated_activity", "no_actual_activity"],
)
def test_drivers_that_are_all_zero_are_refused(estimated, actual):
    with pytest.raises(ValueError, match="some positive driver value"):
        true_up(estimated, actual, 100)


def test_a_zero_driver_among_positive_ones_is_accepted():
    t = true_up({"a": 0, "b": 100}, {"a": 0, "b": 100}, 100)
    assert t["restated_share"].tolist() == [0.0, 1.0]


# --------------------------------------------- shares: parts of weight zero


def test_a_hybrid_weighting_its_fixed_part_0_needs_no_fixed_share_before_a_join():
    # fixed part {a 0, b 0, c 1} weighted 0: before c joins (2013/14) it has no
    # partner present, which does not matter; shares are the driver part alone:
    # 2011/12-2012/13: a 800 / 1,100, b 300 / 1,100; then 800, 300, 900 of 2,000
    case = case_from_dict(
        wyre_forest_joins_case(
            {
                "type": "hybrid",
                "fixed_weight": 0.0,
                "shares": {"a": 0.0, "b": 0.0, "c": 1.0},
                "driver_weight": 1.0,
                "driver": "payslips",
            }
        )
    )
    shares = basis_shares(case, "payroll_basis", ["a", "b", "c"], 4)
    np.testing.assert_allclose(
        shares,
        [
            [8 / 11, 8 / 11, 0.40, 0.40],
            [3 / 11, 3 / 11, 0.15, 0.15],
            [0, 0, 0.45, 0.45],
        ],
    )


def test_basis_shares_refuses_a_year_without_a_partner_present_even_unchecked():
    # the case check refuses it first (see above); basis_shares refuses it too,
    # for a case changed after it was checked: only c has a share, and c joins
    # in 2013/14, so 2011/12 has no partner to share among
    case = case_from_dict(
        wyre_forest_joins_case(
            {"type": "fixed", "shares": {"a": 0.4, "b": 0.3, "c": 0.3}}
        )
    )
    case.bases["payroll_basis"] = FixedBasis(shares={"a": 0.0, "b": 0.0, "c": 1.0})
    with pytest.raises(InputError, match="none in 2011/12"):
        basis_shares(case, "payroll_basis", ["a", "b", "c"], 4)
