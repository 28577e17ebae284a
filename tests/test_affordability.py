"""Affordability for each council (issue 15 items 1-4 and 7): the funding of
one-off costs, reserves, the budget gap, pay protection and non-cashable benefits.

Hand-worked figures use the small case of tests/conftest.py: one service
(payroll), councils a and b sharing 60:40, savings £120,000 a year from
1 January 2012 (a quarter of a year in 2011/12: £30,000), set-up £50,000,
redundancy pay £40,000 and pension strain £20,000 in 2011/12, no optimism bias.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from models.engine.cases import case_from_dict
from models.engine.loading import load_case
from models.engine.projection import run_option, yearly_table
from models.engine.results import option_json, run_case
from models.model.funding import ReserveSpec, budget_gap_closed, fund_one_off_costs
from models.model.pay_protection import pay_harmonisation_cost, pay_protection_cost
from models.reference.capital_receipts import may_fund_from_capital_receipts
from tests.conftest import DEFAULT_CASE

COST_TYPES = ("set_up", "redundancy_pay", "pension_strain", "capital")
POLICY = {
    "pay_basis": "capped",
    "multiplier": 1.5,
    "maximum_weeks": 45,
    "pays_in_lieu_of_notice": True,
    "employer_on_cost_rate": 0.128,
    "strain": {
        "normal_pension_age": 65,
        "reduction_per_year_early": 0.05,
        "capitalisation_factor": 20,
    },
    "pay_protection": {"taper": [1.0, 0.5], "source": "test"},
}


# ------------------------------------------------------------------ the model


def test_a_reserve_pays_first_and_the_general_fund_meets_the_rest():
    # reserve 120: year 1 cost 100 all from it (20 left); year 2 cost 50: 20 from
    # the reserve (now 0), 30 from the general fund
    f = fund_one_off_costs(
        {"set_up": np.array([100.0, 50.0])},
        {"set_up": ["r", "general_fund"]},
        {"r": ReserveSpec(120.0, 0)},
        np.zeros(2),
        {"set_up": np.zeros(2, bool)},
        np.zeros(2),
    )
    assert f.drawn["r"].tolist() == [100.0, 20.0]
    assert f.closing["r"].tolist() == [20.0, 0.0]
    assert f.funded_by_source["general_fund"].tolist() == [0.0, 30.0]
    assert f.shortfall.tolist() == [0.0, 0.0]


def test_what_no_source_can_fund_is_a_shortfall_and_the_reserve_stops_at_zero():
    # reserve 60 against costs 100: 60 drawn, closing 0, shortfall 40
    f = fund_one_off_costs(
        {"redundancy_pay": np.array([100.0])},
        {"redundancy_pay": ["r"]},
        {"r": ReserveSpec(60.0, 0)},
        np.zeros(1),
        {"redundancy_pay": np.zeros(1, bool)},
        np.zeros(1),
    )
    assert f.drawn["r"].tolist() == [60.0]
    assert f.closing["r"].tolist() == [0.0]
    assert f.shortfall.tolist() == [40.0]


def test_a_reserve_cannot_be_drawn_before_the_year_of_its_balance():
    # the reserve's balance is at the start of year 2: year 1's 10 goes short
    f = fund_one_off_costs(
        {"set_up": np.array([10.0, 10.0])},
        {"set_up": ["r"]},
        {"r": ReserveSpec(50.0, 1)},
        np.zeros(2),
        {"set_up": np.zeros(2, bool)},
        np.zeros(2),
    )
    assert f.shortfall.tolist() == [10.0, 0.0]
    assert f.closing["r"].tolist() == [50.0, 40.0]


def test_an_invest_to_save_reserve_is_repaid_from_savings_until_repaid():
    # drawn 80 in year 1; savings 30, 70, 70: repaid 30, then the 50 still owed,
    # then nothing: closing 100 - 80 + 30 = 50, then 100, 100
    f = fund_one_off_costs(
        {"set_up": np.array([80.0, 0.0, 0.0])},
        {"set_up": ["fund"]},
        {"fund": ReserveSpec(100.0, 0, invest_to_save=True)},
        np.zeros(3),
        {"set_up": np.zeros(3, bool)},
        np.array([30.0, 70.0, 70.0]),
    )
    assert f.replenished["fund"].tolist() == [30.0, 50.0, 0.0]
    assert f.closing["fund"].tolist() == [50.0, 100.0, 100.0]


def test_capital_receipts_fund_only_costs_that_qualify_and_carry_forward():
    # receipts 100 in year 1; the set-up cost of 40 in year 1 does not qualify
    # (general fund pays); the 70 of year 2 qualifies: 70 from the 100 carried
    f = fund_one_off_costs(
        {"set_up": np.array([40.0, 70.0])},
        {"set_up": ["capital_receipts", "general_fund"]},
        {},
        np.array([100.0, 0.0]),
        {"set_up": np.array([False, True])},
        np.zeros(2),
    )
    assert f.funded_by_source["capital_receipts"].tolist() == [0.0, 70.0]
    assert f.funded_by_source["general_fund"].tolist() == [40.0, 0.0]


def test_capital_receipts_follow_the_flexible_use_directions():
    # none before 2016/17; from 2016/17 revenue costs of transformation; from
    # 2022/23 to 2024/25 discretionary redundancy excluded (the model's one
    # redundancy line then does not qualify), strain still does; from 2025/26 all
    assert not may_fund_from_capital_receipts("set_up", 2015)
    assert may_fund_from_capital_receipts("set_up", 2016)
    assert may_fund_from_capital_receipts("redundancy_pay", 2021)
    assert not may_fund_from_capital_receipts("redundancy_pay", 2022)
    assert may_fund_from_capital_receipts("pension_strain", 2024)
    assert may_fund_from_capital_receipts("redundancy_pay", 2025)
    assert may_fund_from_capital_receipts("capital", 2011)  # ordinary use


def test_the_gap_closed_is_what_savings_leave_after_revenue_charges_up_to_the_gap():
    # year 1: 30 - 50 < 0 -> 0; year 2: 150 - 20 = 130, capped at the gap 100;
    # year 3: no gap -> 0
    closed = budget_gap_closed(
        np.array([100.0, 100.0, 0.0]),
        np.array([30.0, 150.0, 40.0]),
        np.array([50.0, 20.0, 0.0]),
    )
    assert closed.tolist() == [0.0, 100.0, 0.0]


def test_protection_tapers_and_harmonisation_recurs():
    # cut 30,000 -> 27,000 from year 1 with taper 100%, 50%: 3,000 then 1,500;
    # rise 20,000 -> 21,500 from year 1: 1,500 every year from then
    protection = pay_protection_cost(
        np.array([30_000.0]), np.array([27_000.0]), np.array([1]), [[1.0, 0.5]], 4
    )
    assert protection.tolist() == [[0.0, 3_000.0, 1_500.0, 0.0]]
    rise = pay_harmonisation_cost(
        np.array([20_000.0]), np.array([21_500.0]), np.array([1]), 4
    )
    assert rise.tolist() == [[0.0, 1_500.0, 1_500.0, 1_500.0]]


money = st.floats(min_value=0, max_value=1e7, allow_nan=False)


@settings(max_examples=60, deadline=None)
@given(
    costs=st.lists(st.lists(money, min_size=5, max_size=5), min_size=4, max_size=4),
    opening=st.lists(money, min_size=2, max_size=2),
    receipts=st.lists(money, min_size=5, max_size=5),
    savings=st.lists(st.floats(-1e6, 1e7, allow_nan=False), min_size=5, max_size=5),
    orders=st.lists(
        st.lists(
            st.sampled_from(["r1", "r2", "general_fund", "capital_receipts"]),
            max_size=3,
        ),
        min_size=4,
        max_size=4,
    ),
    qualifies=st.lists(st.booleans(), min_size=5, max_size=5),
)
def test_sources_and_shortfall_equal_costs_and_reserves_balance_for_any_inputs(
    costs, opening, receipts, savings, orders, qualifies
):
    f = fund_one_off_costs(
        {t: np.array(c) for t, c in zip(COST_TYPES, costs, strict=True)},
        dict(zip(COST_TYPES, orders, strict=True)),
        {
            "r1": ReserveSpec(opening[0], 0, invest_to_save=True),
            "r2": ReserveSpec(opening[1], 2),
        },
        np.array(receipts),
        {t: np.array(qualifies) for t in COST_TYPES},
        np.array(savings),
    )
    sources = sum(f.funded_by_source.values())
    assert sources + f.shortfall == pytest.approx(f.one_off_costs, abs=1e-6)
    assert np.all(f.shortfall >= -1e-9)
    for name in ("r1", "r2"):
        expected = (
            f.opening[name] - np.cumsum(f.drawn[name]) + np.cumsum(f.replenished[name])
        )
        assert f.closing[name] == pytest.approx(expected, abs=1e-6)
        assert np.all(f.closing[name] >= -1e-6)
        assert f.funded_by_source[name] == pytest.approx(f.drawn[name])
    # receipts used never exceed receipts received so far
    used = np.cumsum(f.funded_by_source["capital_receipts"])
    assert np.all(used <= np.cumsum(receipts) + 1e-6)


# ------------------------------------------------------------ the small case


def _small_case_with_funding(small_case_dict):
    small_case_dict["councils"]["a"].update(
        reserves={
            "transformation": {
                "opening_balance": 50_000,
                "at": "2011/12",
                "invest_to_save": True,
                "source": "test",
            }
        },
        funding_order={
            "set_up": ["transformation"],
            "redundancy_pay": ["transformation"],
            "pension_strain": ["transformation"],
        },
        budget_gap={"2011/12": 10_000, "2012/13": 100_000, "2013/14": 50_000},
    )
    return case_from_dict(small_case_dict)


def test_council_a_funds_its_share_from_its_reserve_and_shows_the_shortfall(
    small_case_dict,
):
    # a's 60% of 2011/12: set-up 30,000, redundancy 24,000, strain 12,000.
    # reserve 50,000: set-up 30,000 (20,000 left), redundancy 20,000 of 24,000
    # (4,000 short), strain 0 of 12,000 (12,000 short): shortfall 16,000.
    # a's savings 60% x 30,000 = 18,000 repay the reserve: closing 18,000;
    # 2012/13 savings 72,000 repay the 32,000 still owed: closing 50,000.
    result = run_option(_small_case_with_funding(small_case_dict), "share_payroll")
    a = option_json(result)["councils"]["a"]["affordability"]
    assert a["one_off_costs_by_year"]["2011/12"] == pytest.approx(66_000)
    assert a["funded_by_source_by_year"]["transformation"]["2011/12"] == (
        pytest.approx(50_000)
    )
    assert a["funding_shortfall_by_year"] == pytest.approx(
        {"2011/12": 16_000, "2012/13": 0, "2013/14": 0}
    )
    reserve = a["reserves"]["transformation"]
    assert reserve["opening"] == 50_000
    assert reserve["replenished_by_year"] == pytest.approx(
        {"2011/12": 18_000, "2012/13": 32_000, "2013/14": 0}
    )
    assert reserve["closing_by_year"] == pytest.approx(
        {"2011/12": 18_000, "2012/13": 50_000, "2013/14": 50_000}
    )
    # gap closed: 2011/12 savings 18,000 less shortfall 16,000 and repayment
    # 18,000 < 0 -> 0; 2012/13 72,000 - 32,000 = 40,000 of 100,000; 2013/14
    # 72,000, capped at the gap of 50,000
    assert a["gap_closed_by_year"] == pytest.approx(
        {"2011/12": 0, "2012/13": 40_000, "2013/14": 50_000}
    )
    # b has no funding order: its 40% (20,000 + 16,000 + 8,000) from the general fund
    b = option_json(result)["councils"]["b"]["affordability"]
    assert b["funded_by_source_by_year"]["general_fund"]["2011/12"] == (
        pytest.approx(44_000)
    )
    assert b["reserves"] == {}


def test_pay_protection_and_harmonisation_fall_on_the_employing_council(
    small_case_dict,
):
    small_case_dict["severance_policies"] = {"a": POLICY, "b": POLICY}
    small_case_dict["services"]["payroll"]["regraded_posts"] = [
        {
            "post": "Payroll Officer",
            "council": "b",
            "current_annual_pay": 30_000,
            "new_annual_pay": 27_000,
            "year": "2012/13",
            "source": "test",
        },
        {
            "post": "Payroll Assistant",
            "council": "a",
            "current_annual_pay": 20_000,
            "new_annual_pay": 21_500,
            "year": "2012/13",
            "source": "test",
        },
    ]
    base = run_option(case_from_dict(_without_posts(small_case_dict)), "share_payroll")
    result = run_option(case_from_dict(small_case_dict), "share_payroll")
    b = yearly_table(result.long, council="b")
    a = yearly_table(result.long, council="a")
    # protection of b's post: 3,000 x 100% in 2012/13, x 50% = 1,500 in 2013/14
    assert b.loc["Costs|Set-up|Pay protection"].tolist() == [0, 3_000, 1_500]
    assert a.loc["Costs|Set-up|Pay protection"].tolist() == [0, 0, 0]
    # harmonisation of a's post: 1,500 a year from 2012/13, off a's savings
    assert a.loc["Savings|Pay harmonisation"].tolist() == [0, -1_500, -1_500]
    # net saving: 2012/13 down 3,000 + 1,500 = 4,500; 2013/14 1,500 + 1,500
    change = np.subtract(
        list(result.summary.net_savings_by_year.values()),
        list(base.summary.net_savings_by_year.values()),
    )
    assert change.tolist() == pytest.approx([0, -4_500, -3_000])
    # b funds its protection as a set-up cost (general fund by default)
    afford = option_json(result)["councils"]["b"]["affordability"]
    assert afford["one_off_costs_by_year"]["2012/13"] == pytest.approx(3_000)


def _without_posts(case: dict) -> dict:
    out = {**case, "services": {k: dict(v) for k, v in case["services"].items()}}
    out["services"]["payroll"].pop("regraded_posts", None)
    return out


def test_non_cashable_benefits_count_in_the_economic_view_only(small_case_dict):
    small_case_dict["services"]["payroll"]["non_cashable_benefits"] = [
        {
            "amount": 10_000,
            "description": "Resilience",
            "from_year": "2012/13",
            "source": "test",
        }
    ]
    base = run_option(
        case_from_dict(_without_benefits(small_case_dict)), "share_payroll"
    )
    result = run_option(case_from_dict(small_case_dict), "share_payroll")
    entry = option_json(result)
    assert entry["non_cashable_benefits_by_year"] == pytest.approx(
        {"2011/12": 0, "2012/13": 10_000, "2013/14": 10_000}
    )
    assert result.summary.npv == pytest.approx(base.summary.npv)
    assert result.summary.payback_year == base.summary.payback_year
    # economic NPV up by 10,000 / 1.1 + 10,000 / 1.1^2 = 9,090.91 + 8,264.46
    assert result.summary.npv_economic - base.summary.npv_economic == pytest.approx(
        17_355.37, abs=0.01
    )
    assert (
        entry["councils"]["a"]["affordability"]
        == option_json(base)["councils"]["a"]["affordability"]
    )


def _without_benefits(case: dict) -> dict:
    out = {**case, "services": {k: dict(v) for k, v in case["services"].items()}}
    out["services"]["payroll"].pop("non_cashable_benefits", None)
    return out


# ---------------------------------------------------------- the default case


@pytest.fixture(scope="module")
def default_results():
    case = load_case(DEFAULT_CASE)
    return case, run_case(case)


def test_the_default_case_declares_a_reserve_and_a_budget_gap_for_every_council(
    default_results,
):
    case, _ = default_results
    for council in case.councils.values():
        assert council.reserves
        assert council.budget_gap


def test_every_option_and_council_of_the_default_case_keeps_the_identities(
    default_results,
):
    case, results = default_results
    for option, result in results.items():
        entry = option_json(result)
        assert "non_cashable_benefits_by_year" in entry
        for council in case.councils:
            a = entry["councils"][council]["affordability"]
            years = list(a["one_off_costs_by_year"])
            costs = np.array(list(a["one_off_costs_by_year"].values()))
            sources = sum(
                np.array(list(by_year.values()))
                for by_year in a["funded_by_source_by_year"].values()
            )
            shortfall = np.array(list(a["funding_shortfall_by_year"].values()))
            assert np.abs(sources + shortfall - costs).max() < 1, (option, council)
            for name, r in a["reserves"].items():
                assert name in a["funded_by_source_by_year"]
                drawn = np.cumsum(list(r["drawn_by_year"].values()))
                back = np.cumsum(list(r["replenished_by_year"].values()))
                closing = np.array(list(r["closing_by_year"].values()))
                assert np.abs(r["opening"] - drawn + back - closing).max() < 1
                assert closing.min() >= 0
            gap = np.array([a["budget_gap_by_year"][y] for y in years])
            closed = np.array([a["gap_closed_by_year"][y] for y in years])
            assert np.all(closed <= gap + 1) and np.all(closed >= 0)
            # the one-off costs are the council's set-up and severance lines
            lines = yearly_table(result.long, council=council)
            assert costs == pytest.approx(
                (lines.loc["Costs|Set-up"] + lines.loc["Costs|Severance"]).to_numpy(),
                abs=1e-6,
            )


# ------------------------------------------------------------------ refusals


def _refusal(case: dict) -> str:
    from models.core.errors import InputError

    with pytest.raises(InputError) as info:
        case_from_dict(case, source="case.yaml")
    return info.value.message


def test_a_pay_cut_without_the_councils_pay_protection_policy_is_refused(
    small_case_dict,
):
    small_case_dict["services"]["payroll"]["regraded_posts"] = [
        {
            "post": "Payroll Officer",
            "council": "b",
            "current_annual_pay": 30_000,
            "new_annual_pay": 27_000,
            "year": "2012/13",
            "source": "test",
        }
    ]
    message = _refusal(small_case_dict)
    assert "severance_policies.b.pay_protection" in message
    assert "'Payroll Officer'" in message


def test_a_reserve_balance_outside_the_horizon_is_refused(small_case_dict):
    small_case_dict["councils"]["a"]["reserves"] = {
        "fund": {"opening_balance": 1, "at": "2030/31", "source": "test"}
    }
    message = _refusal(small_case_dict)
    assert "councils.a.reserves.fund.at" in message
    assert "inside the horizon 2011/12 to 2013/14" in message


def test_a_reserve_may_not_take_the_name_of_another_funding_source(small_case_dict):
    small_case_dict["councils"]["a"]["reserves"] = {
        "general_fund": {"opening_balance": 1, "at": "2011/12", "source": "test"}
    }
    assert "councils.a.reserves.general_fund" in _refusal(small_case_dict)


def test_the_default_case_reads_its_posts_moving_grades_from_its_staff_table(
    default_results,
):
    # scenarios/staff_moving_grades_2011.csv: row 1 an RBC HR post, 27,000 ->
    # 25,000 in 2011/12 (seed 000 para 3.2), row 2 an RBC Leisure post 17,500 ->
    # 18,100; with RBC's taper 100%, 50%: protection 2,000 in 2011/12 and 1,000
    # in 2012/13; harmonisation 600 a year from 2011/12
    case, results = default_results
    (post,) = case.services["hr_od"].regraded_posts
    assert (post.council, post.current_annual_pay.value, post.new_annual_pay.value) == (
        "rbc",
        27_000,
        25_000,
    )
    assert "seed 000 para 3.2" in post.source
    lines = yearly_table(results["single_business_case"].long, council="rbc")
    assert lines.loc["Costs|Set-up|Pay protection"].tolist()[:3] == [2_000, 1_000, 0]
    assert lines.loc["Savings|Pay harmonisation"].tolist()[:2] == [-600, -600]


def test_a_staff_table_row_naming_an_unknown_service_is_refused(tmp_path):
    from models.core.errors import InputError
    from models.inputs.affordability import merge_posts_moving_grades

    table = tmp_path / "moving.csv"
    table.write_text(
        "post,service,council,current_annual_pay,new_annual_pay,year,source\n"
        "Officer,payrol,a,1,2,2011/12,test\n"
    )
    raw = {"services": {"payroll": {}}, "councils": {"a": {}}}
    with pytest.raises(InputError) as info:
        merge_posts_moving_grades(raw, table)
    assert "row 1, column service" in info.value.message
    assert "'payrol'" in info.value.message
