"""Uncertainty: the batch evaluator, sensitivity, switching values, Monte Carlo,
optimism bias and the charts.

The small case (tests/conftest.py) worked by hand, discount rate 10%, go-live
1 January 2012 (month 9), so savings of £120,000 a year give 30,000, 120,000,
120,000; set-up £50,000 and severance £60,000 fall in 2011/12:

    PV of savings  a = 30,000 + 120,000 / 1.1 + 120,000 / 1.21 = 238,264.46
    NPV            = a - 50,000 - 60,000 = 128,264.46
"""

from __future__ import annotations

import copy

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from matplotlib.figure import Figure
from scipy import stats

from models.core.errors import InputError
from models.engine import uncertainty as u
from models.engine.cases import case_from_dict
from models.engine.loading import load_case
from models.engine.projection import run_option
from models.inputs.uncertainty_spec import Distribution, UncertaintySpec
from models.reference.optimism_bias import optimism_bias_bounds, optimism_bias_uplift
from models.report.uncertainty_files import uncertainty_outputs
from tests.conftest import DEFAULT_CASE, SEED_002_CASE, SMALL_CASE

PV_SAVINGS = 30_000 + 120_000 / 1.1 + 120_000 / 1.21  # 238,264.46
SETUP, SEVERANCE = 50_000.0, 60_000.0
SMALL_NPV = PV_SAVINGS - SETUP - SEVERANCE  # 128,264.46


@pytest.fixture(scope="module")
def default_case():
    return load_case(DEFAULT_CASE)


@pytest.fixture
def small(small_case_dict):
    return case_from_dict(small_case_dict)


def _with_uncertainty(case_dict: dict, uncertainty: dict) -> object:
    d = copy.deepcopy(case_dict)
    d["uncertainty"] = uncertainty
    return case_from_dict(d)


# --------------------------------------------------------------------------- evaluator


def test_the_batch_evaluator_reproduces_the_core_npv_payback_and_council_npvs():
    for path in (DEFAULT_CASE, SEED_002_CASE):
        case = load_case(path)
        for option in case.options:
            model = u.compile_model(case, option)
            out = u.evaluate(model, u.base_levers(model))
            core = run_option(case, option)
            assert out.npv[0] == pytest.approx(core.summary.npv, abs=1e-6)
            for i, c in enumerate(model.councils):
                assert out.npv_council[0, i] == pytest.approx(
                    core.councils[c].npv, abs=1e-6
                )
            idx = out.payback_index[0]
            assert (model.years[idx] if idx >= 0 else None) == core.summary.payback_year


def test_the_evaluator_follows_the_core_in_the_nominal_basis_and_with_mixed_bases(
    small_case_dict,
):
    d = small_case_dict
    d["settings"].update(
        price_basis="nominal",
        inflation={"pay": 0.03, "non_pay": 0.02, "general": 0.025},
        optimism_bias={"costs": 0.2, "savings": 0.1},
    )
    d["bases"]["equal"] = {"type": "fixed", "shares": {"a": 0.5, "b": 0.5}}
    d["services"]["payroll"]["set_up_basis"] = "equal"
    d["services"]["payroll"]["savings"]["contracts"] = 10_000
    case = case_from_dict(d)
    model = u.compile_model(case, "share_payroll")
    out = u.evaluate(model, u.base_levers(model))
    core = run_option(case, "share_payroll")
    assert out.npv[0] == pytest.approx(core.summary.npv, abs=1e-6)
    assert out.npv_council[0].tolist() == pytest.approx(
        [core.councils["a"].npv, core.councils["b"].npv], abs=1e-6
    )
    values = {"savings_achieved": [0.8], "severance": [1.3], "set_up_costs": [1.1]}
    slow = u.slow_npv(case, "share_payroll", {k: v[0] for k, v in values.items()})
    assert u.npv_at(model, values)[0] == pytest.approx(slow, abs=1e-6)


def test_the_small_case_npv_is_the_hand_worked_128264(small):
    assert u.npv_at(u.compile_model(small, "share_payroll"), {})[0] == pytest.approx(
        SMALL_NPV
    )


def test_a_path_replaces_the_value_and_an_aggregate_scales_it(small):
    model = u.compile_model(small, "share_payroll")
    # staff saving 90,000 instead of 120,000, then savings achieved 0.5: 45,000 a year
    npv = u.npv_at(
        model, {"services.payroll.savings.staff": 90_000, "savings_achieved": 0.5}
    )[0]
    assert npv == pytest.approx(PV_SAVINGS * 45_000 / 120_000 - SETUP - SEVERANCE)


def test_the_fast_evaluator_agrees_with_the_case_overridden_and_run_draw_by_draw(
    default_case,
):
    spec = UncertaintySpec(
        parameters={
            "savings_achieved": {
                "distribution": "pert",
                "min": 0.7,
                "mode": 0.95,
                "max": 1.1,
                "source": "test",
            },
            "set_up_costs": {
                "distribution": "uniform",
                "min": 0.8,
                "max": 1.6,
                "source": "test",
            },
            "severance": {
                "distribution": "triangular",
                "min": 0.9,
                "mode": 1.0,
                "max": 1.4,
                "source": "test",
            },
            "go_live_delay_months": {
                "distribution": "uniform",
                "min": -1,
                "max": 4,
                "source": "test",
            },
            "discount_rate": {
                "distribution": "uniform",
                "min": 0.02,
                "max": 0.06,
                "source": "test",
            },
            "services.hr_od.savings.staff": {
                "distribution": "normal",
                "mean": 95_000,
                "sd": 10_000,
                "source": "test",
            },
            "services.revenues_benefits.set_up_costs[0].amount": {
                "distribution": "uniform",
                "min": 200_000,
                "max": 320_000,
                "source": "test",
            },
            "services.leisure.severance.redundancy_pay": {
                "distribution": "uniform",
                "min": 80_000,
                "max": 120_000,
                "source": "test",
            },
            "services.car_parks.go_live": {
                "distribution": "uniform",
                "min": 0,
                "max": 3,
                "source": "test",
            },
            "settings.optimism_bias.costs": {
                "distribution": "uniform",
                "min": 0.0,
                "max": 0.3,
                "source": "test",
            },
        },
        correlations=[
            {"parameters": ["savings_achieved", "set_up_costs"], "coefficient": -0.4}
        ],
    )
    values = u.sample_parameters(spec, draws=6, seed=7)
    # the case file holds dates, so the obvious path can only delay by whole months
    for key in ("go_live_delay_months", "services.car_parks.go_live"):
        values[key] = np.round(values[key])
    for option in ("single_business_case", "staged_approach"):
        fast = u.npv_at(u.compile_model(default_case, option), values)
        slow = u.slow_npvs(default_case, option, values)
        np.testing.assert_allclose(fast, slow, rtol=1e-10, atol=1e-4)


def test_a_fractional_go_live_delay_lies_half_way_between_the_whole_months(small):
    model = u.compile_model(small, "share_payroll")
    two, half, three = u.npv_at(model, {"go_live_delay_months": [2.0, 2.5, 3.0]})
    assert half == pytest.approx((two + three) / 2)


@settings(max_examples=25, deadline=None)
@given(f=st.floats(min_value=0.0, max_value=3.0))
def test_npv_is_linear_in_the_savings_achieved(f):
    case = case_from_dict(_small())
    model = u.compile_model(case, "share_payroll")
    assert u.npv_at(model, {"savings_achieved": f})[0] == pytest.approx(
        f * PV_SAVINGS - SETUP - SEVERANCE, abs=1e-6
    )


def _small() -> dict:
    return copy.deepcopy(SMALL_CASE)


def test_an_unknown_parameter_path_is_an_input_error_naming_it(small):
    model = u.compile_model(small, "share_payroll")
    with pytest.raises(InputError, match="services.payrol.savings.staff"):
        u.npv_at(model, {"services.payrol.savings.staff": 1.0})


def test_a_path_to_a_service_the_option_disables_changes_nothing(small):
    model = u.compile_model(small, "status_quo")
    assert u.npv_at(model, {"services.payroll.savings.staff": 1e6})[0] == 0.0


# --------------------------------------------------------------------------- sensitivity


def test_sensitivity_lists_every_numeric_assumption_ranked_by_swing(small):
    table = u.sensitivity_table(small, "share_payroll")
    assert set(table["parameter"]) == {
        "services.payroll.savings.staff",
        "services.payroll.set_up_costs[0].amount",
        "services.payroll.severance.redundancy_pay",
        "services.payroll.severance.pension_strain",
        "services.payroll.go_live",
        "settings.discount_rate",
        "savings_achieved",
        "set_up_costs",
        "severance",
        "go_live_delay_months",
    }
    assert list(table["swing"]) == sorted(table["swing"], reverse=True)


def test_a_quarter_more_set_up_cost_takes_12500_off_the_npv(small):
    # set-up £50,000 in year 0 (factor 1): +25% = +£12,500 of cost
    table = u.sensitivity_table(small, "share_payroll").set_index("parameter")
    row = table.loc["services.payroll.set_up_costs[0].amount"]
    assert (row["low"], row["high"]) == (37_500, 62_500)
    assert row["npv_high"] == pytest.approx(SMALL_NPV - 12_500)
    assert row["swing"] == pytest.approx(25_000)


def test_a_range_per_parameter_replaces_the_default_changes(small):
    table = u.sensitivity_table(
        small, "share_payroll", ranges={"go_live_delay_months": [0, 12]}
    ).set_index("parameter")
    row = table.loc["go_live_delay_months"]
    assert (row["low"], row["high"]) == (0, 12)
    # a year's delay: savings 0, 30,000, 120,000 instead of 30,000, 120,000,
    # 120,000: loss = 30,000 + 90,000 / 1.1 = 111,818.18
    assert row["npv_high"] == pytest.approx(SMALL_NPV - (30_000 + 90_000 / 1.1))


def test_sensitivity_agrees_with_rerunning_the_overridden_case(default_case):
    long = u.sensitivity_long(default_case, "single_business_case", [-0.25, 0.25])
    for _, row in long.sample(6, random_state=1).iterrows():
        if row["unit"] == "months" or row["parameter"] == "settings.discount_rate":
            continue
        slow = u.slow_npv(
            default_case, "single_business_case", {row["parameter"]: row["value"]}
        )
        assert row["npv"] == pytest.approx(slow, abs=1e-4)


# --------------------------------------------------------------------------- switching


def test_switching_values_of_the_small_case_match_the_hand_worked_roots(small):
    sv = u.switching_values(small, "share_payroll")
    # NPV = f a - 50,000 - 60,000 = 0  =>  f = 110,000 / a
    assert sv["savings_achieved"] == pytest.approx(110_000 / PV_SAVINGS)
    # a - 50,000 g - 60,000 = 0  =>  g = (a - 60,000) / 50,000 = 3.565
    assert sv["set_up_costs"] == pytest.approx((PV_SAVINGS - 60_000) / 50_000)
    assert sv["severance"] == pytest.approx((PV_SAVINGS - 50_000) / 60_000)
    # go-live g in months 12-24: R = (0, (24 - g)/12, 1); -110,000 + 120,000
    # ((24 - g)/13.2 + 1/1.21) = 0  =>  g = 24 - 13.2 (11/12 - 1/1.21); delay g - 9
    assert sv["go_live_delay_months"] == pytest.approx(
        24 - 13.2 * (110_000 / 120_000 - 1 / 1.21) - 9
    )
    # the IRR: -80,000 + 120,000 x + 120,000 x^2 = 0 with x = 1/(1+r): r = 118.6%,
    # beyond the upper bound of 100%, so "never switches within the bounds"
    assert sv["discount_rate"] is None


def test_the_irr_is_found_when_the_bounds_reach_it(small):
    model = u.compile_model(small, "share_payroll")
    x = (-1 + np.sqrt(1 + 8 / 3)) / 2
    assert u.switching_value([model], "discount_rate", bounds=(0, 2)) == pytest.approx(
        1 / x - 1
    )


def test_the_npv_at_each_switching_value_is_zero(default_case):
    for option in ("single_business_case", "staged_approach"):
        model = u.compile_model(default_case, option)
        found = {k: v for k, v in u.switching_values(default_case, option).items() if v}
        assert {"savings_achieved", "set_up_costs", "severance"} <= set(found)
        for name, value in found.items():
            assert abs(u.npv_at(model, {name: value})[0]) < 1e-3, name


def test_the_case_rerun_at_the_savings_switching_value_has_zero_npv(default_case):
    sv = u.switching_values(default_case, "single_business_case")["savings_achieved"]
    slow = u.slow_npv(default_case, "single_business_case", {"savings_achieved": sv})
    assert abs(slow) < 1e-3


def test_at_the_best_option_switching_value_the_runner_up_draws_level(default_case):
    table = u.switching_table(default_case)
    best = table[table["versus"].notna()]
    assert set(best["option"]) == {"single_business_case"}
    m_best = u.compile_model(default_case, "single_business_case")
    m_next = u.compile_model(default_case, best["versus"].iloc[0])
    found = 0
    for _, row in best.iterrows():
        if row["stops_being_best"] is None or np.isnan(row["stops_being_best"]):
            continue
        x = {row["parameter"]: row["stops_being_best"]}
        assert u.npv_at(m_best, x)[0] == pytest.approx(u.npv_at(m_next, x)[0], abs=1e-3)
        found += 1
    assert found >= 1


def test_status_quo_never_switches(default_case):
    assert set(u.switching_values(default_case, "status_quo").values()) == {None}


def test_switching_changes_are_percentages_and_months(small):
    table = u.switching_table(small, ["share_payroll"]).set_index("parameter")
    assert table.loc["savings_achieved", "npv_zero_change"] == pytest.approx(
        100 * (110_000 / PV_SAVINGS - 1)
    )
    assert table.loc["go_live_delay_months", "npv_zero_change"] == pytest.approx(
        table.loc["go_live_delay_months", "npv_zero"]
    )


# --------------------------------------------------------------------------- Monte Carlo


def _linear_case(small_case_dict: dict) -> object:
    d = copy.deepcopy(small_case_dict)
    d["settings"]["target_window"] = {
        "first_year": "2011/12",
        "last_year": "2012/13",
        "target": 100_000,
    }
    d["uncertainty"] = {
        "draws": 200_000,
        "seed": 11,
        "parameters": {
            "savings_achieved": {
                "distribution": "normal",
                "mean": 1.0,
                "sd": 0.5,
                "source": "test",
            },
            "severance": {
                "distribution": "normal",
                "mean": 1.0,
                "sd": 0.2,
                "source": "test",
            },
        },
        "correlations": [
            {"parameters": ["savings_achieved", "severance"], "coefficient": 0.5}
        ],
    }
    return case_from_dict(d)


def test_monte_carlo_of_a_linear_case_has_the_closed_form_mean_and_variance(
    small_case_dict,
):
    # NPV = a f - 60,000 h - 50,000, f ~ N(1, 0.5), h ~ N(1, 0.2), corr 0.5:
    # mean = a - 110,000; var = (0.5 a)^2 + (0.2 x 60,000)^2 - 2 x 0.5 x 0.5 a x 12,000
    case = _linear_case(small_case_dict)
    mc = u.monte_carlo(case, "share_payroll")
    mean = PV_SAVINGS - 110_000
    sd = np.sqrt((0.5 * PV_SAVINGS) ** 2 + 12_000**2 - 0.5 * PV_SAVINGS * 12_000)
    se = sd / np.sqrt(mc.draws)
    assert abs(mc.npv.mean() - mean) < 4 * se
    assert mc.npv.std() == pytest.approx(sd, rel=0.01)
    summary = u.monte_carlo_summary(mc).set_index("council")
    p = stats.norm.cdf(mean / sd)
    assert abs(summary.loc["All", "prob_npv_positive"] - p) < 4 * np.sqrt(
        p * (1 - p) / mc.draws
    )
    # council a pays and gains 60% of everything
    assert summary.loc["a", "npv_mean"] == pytest.approx(
        0.6 * summary.loc["All", "npv_mean"]
    )
    # target: 150,000 f >= 100,000  <=>  f >= 2/3: P = 1 - Phi((2/3 - 1) / 0.5)
    q = 1 - stats.norm.cdf((2 / 3 - 1) / 0.5)
    assert abs(summary.loc["All", "prob_target_met"] - q) < 4 * np.sqrt(
        q * (1 - q) / mc.draws
    )
    # P50 of a normal is its mean
    assert summary.loc["All", "npv_p50"] == pytest.approx(mean, abs=6 * se * 1.25)


def test_the_same_seed_gives_the_same_draws_and_another_seed_does_not(default_case):
    a = u.monte_carlo(default_case, "single_business_case", draws=2000)
    b = u.monte_carlo(default_case, "single_business_case", draws=2000)
    c = u.monte_carlo(default_case, "single_business_case", draws=2000, seed=1)
    np.testing.assert_array_equal(a.npv, b.npv)
    assert not np.array_equal(a.npv, c.npv)
    assert a.seed == default_case.uncertainty.seed


def test_draws_evaluated_in_batches_equal_draws_evaluated_at_once(
    default_case, monkeypatch
):
    whole = u.monte_carlo(default_case, "single_business_case", draws=3000)
    monkeypatch.setattr(u, "CHUNK", 700)
    chunked = u.monte_carlo(default_case, "single_business_case", draws=3000)
    np.testing.assert_allclose(whole.npv, chunked.npv, rtol=1e-12)
    np.testing.assert_array_equal(whole.payback_index, chunked.payback_index)


def test_monte_carlo_npvs_agree_with_the_slow_loop_on_the_same_draws(default_case):
    spec = default_case.uncertainty
    mc = u.monte_carlo(default_case, "single_business_case", draws=5)
    values = {k: v.copy() for k, v in mc.samples.items()}
    # whole months only for the obvious path: compare the fast one on the same
    values["go_live_delay_months"] = np.round(values["go_live_delay_months"])
    fast = u.npv_at(u.compile_model(default_case, "single_business_case"), values)
    slow = u.slow_npvs(default_case, "single_business_case", values)
    np.testing.assert_allclose(fast, slow, rtol=1e-10)
    assert set(mc.samples) == set(spec.parameters)


def test_pert_and_triangular_have_their_textbook_means():
    pert = Distribution(distribution="pert", min=0.6, mode=0.95, max=1.05, source="t")
    tri = Distribution(
        distribution="triangular", min=0.9, mode=1.0, max=1.5, source="t"
    )
    # PERT mean (min + 4 mode + max) / 6; triangular (min + mode + max) / 3
    assert pert.frozen().mean() == pytest.approx((0.6 + 4 * 0.95 + 1.05) / 6)
    assert tri.frozen().mean() == pytest.approx((0.9 + 1.0 + 1.5) / 3)


def test_correlated_draws_have_the_copula_rank_correlation():
    spec = UncertaintySpec(
        parameters={
            "savings_achieved": {
                "distribution": "uniform",
                "min": 0,
                "max": 1,
                "source": "t",
            },
            "set_up_costs": {
                "distribution": "triangular",
                "min": 0,
                "mode": 1,
                "max": 3,
                "source": "t",
            },
        },
        correlations=[
            {"parameters": ["savings_achieved", "set_up_costs"], "coefficient": 0.6}
        ],
    )
    x = u.sample_parameters(spec, 100_000, 3)
    rho = stats.spearmanr(x["savings_achieved"], x["set_up_costs"]).statistic
    assert rho == pytest.approx(6 / np.pi * np.arcsin(0.3), abs=0.01)


def test_contradictory_correlations_are_refused_by_the_schema():
    import pydantic

    dist = {"distribution": "uniform", "min": 0, "max": 1, "source": "t"}
    with pytest.raises(pydantic.ValidationError, match="positive definite"):
        UncertaintySpec(
            parameters={
                "savings_achieved": dist,
                "set_up_costs": dist,
                "severance": dist,
            },
            correlations=[
                {
                    "parameters": ["savings_achieved", "set_up_costs"],
                    "coefficient": 0.9,
                },
                {"parameters": ["set_up_costs", "severance"], "coefficient": 0.9},
                {"parameters": ["savings_achieved", "severance"], "coefficient": -0.9},
            ],
        )


def test_a_triangular_distribution_without_its_mode_is_rejected_naming_the_path(
    small_case_dict,
):
    with pytest.raises(InputError, match="uncertainty.parameters.severance"):
        _with_uncertainty(
            small_case_dict,
            {
                "parameters": {
                    "severance": {
                        "distribution": "triangular",
                        "min": 0,
                        "max": 2,
                        "source": "t",
                    }
                }
            },
        )


def test_a_misspelt_uncertainty_key_is_rejected(small_case_dict):
    with pytest.raises(InputError, match="unknown key 'seeed'"):
        _with_uncertainty(small_case_dict, {"seeed": 1})


def test_uncertainty_problems_names_a_parameter_the_case_does_not_have(small):
    spec = UncertaintySpec(
        parameters={
            "services.payroll.savings.staf": {
                "distribution": "uniform",
                "min": 0,
                "max": 1,
                "source": "t",
            }
        }
    )
    case = small.model_copy(update={"uncertainty": spec})  # as if loaded unchecked
    problems = u.uncertainty_problems(case)
    assert len(problems) == 1
    assert "uncertainty.parameters.services.payroll.savings.staf" in problems[0].message


def test_uncertainty_json_carries_the_monte_carlo_summary_and_switching_values(
    default_case,
):
    out = u.uncertainty_json(default_case, "single_business_case")
    mc = out["monte_carlo"]
    assert mc["draws"] == default_case.uncertainty.draws
    assert mc["seed"] == default_case.uncertainty.seed
    assert mc["npv_p10"] <= mc["npv_p50"] <= mc["npv_p90"]
    assert 0 <= mc["prob_npv_positive"] <= 1
    assert set(out["switching_values"]) == set(u.AGGREGATES)


def test_uncertainty_json_has_no_monte_carlo_without_an_uncertainty_section(small):
    out = u.uncertainty_json(small, "share_payroll")
    assert out["monte_carlo"] is None
    assert out["switching_values"]["savings_achieved"] == pytest.approx(
        110_000 / PV_SAVINGS
    )


# --------------------------------------------------------------------------- optimism bias


def test_optimism_bias_bounds_are_the_green_book_table_1_figures():
    assert optimism_bias_bounds("outsourcing", "opex") == (0.0, 0.41)
    assert optimism_bias_bounds("equipment_development", "capex") == (0.10, 2.00)
    assert optimism_bias_bounds("standard_buildings", "works_duration") == (
        0.01,
        0.04,
    )


def test_optimism_bias_falls_as_risks_are_mitigated():
    # the guidance's example: non-standard buildings capex 51% x (1 - 92%) = 4.08%
    assert optimism_bias_uplift(
        "non_standard_buildings", "capex", 0.92
    ) == pytest.approx(0.0408)
    assert optimism_bias_uplift("outsourcing", "opex", 0.5) == pytest.approx(0.205)


def test_outsourcing_has_no_works_duration_bound():
    with pytest.raises(InputError, match="outsourcing.works_duration"):
        optimism_bias_uplift("outsourcing", "works_duration")


def test_an_unknown_project_type_is_an_input_error():
    with pytest.raises(InputError, match="'bridges'"):
        optimism_bias_uplift("bridges", "capex")


def test_per_service_optimism_bias_feeds_the_evaluator(small):
    model = u.compile_model(small, "share_payroll")
    ob = u.service_optimism_bias(model, {"payroll": ("outsourcing", "opex", 0.0)})
    lv = u.base_levers(model)
    lv.optimism_bias_costs = ob[None, :]
    # set-up costs 50,000 in year 0 raised by 41%; severance keeps the case-wide
    # uplift (none here), issue 15 item 5
    assert u.evaluate(model, lv).npv[0] == pytest.approx(SMALL_NPV - 0.41 * 50_000)


# --------------------------------------------------------------------------- charts


def test_the_charts_are_figures(default_case):
    from models.report import uncertainty_charts as ch

    table = u.sensitivity_table(default_case, "single_business_case")
    mc = u.monte_carlo(default_case, "single_business_case", draws=500)
    fig = ch.tornado_chart(table, top=5)
    assert isinstance(fig, Figure) and len(fig.axes[0].patches) == 10
    assert isinstance(ch.npv_histogram(mc, council="bdc"), Figure)
    assert len(ch.npv_s_curve([mc, mc]).axes[0].lines) == 3  # two curves and NPV = 0


def test_every_option_of_a_case_sees_the_same_draws(default_case):
    runs = u.monte_carlo_case(default_case, draws=1000)
    assert set(runs) == set(default_case.options)
    single = u.monte_carlo(default_case, "single_business_case", draws=1000)
    np.testing.assert_array_equal(runs["single_business_case"].npv, single.npv)
    np.testing.assert_array_equal(
        runs["staged_approach"].samples["severance"], single.samples["severance"]
    )


@settings(max_examples=40, deadline=None)
@given(
    month=st.integers(min_value=-30, max_value=130),
    ramp=st.lists(st.floats(min_value=0, max_value=1), min_size=1, max_size=3),
)
def test_whole_month_go_lives_give_the_core_realisation_factor(month, ramp):
    from models.model.savings import realisation_factor

    table = u._realisation_table(9, ramp, 10)
    np.testing.assert_allclose(
        u.realisation_with_delay(table, np.array([float(month)]))[0],
        realisation_factor(month, ramp, 10),
        atol=1e-12,
    )


def test_the_run_folder_gets_the_tables_and_charts(default_case, tmp_path):
    class Folder:
        def path(self, name):
            p = tmp_path / name
            p.parent.mkdir(parents=True, exist_ok=True)
            return p

    written = uncertainty_outputs(default_case, Folder())
    for name in (
        "uncertainty/switching_values.csv",
        "uncertainty/monte_carlo_summary.csv",
        "uncertainty/tornado_single_business_case.svg",
        "uncertainty/npv_s_curve.svg",
    ):
        assert name in written and (tmp_path / name).stat().st_size > 0
    assert "uncertainty/npv_histogram_status_quo.svg" not in written  # NPV always 0


def test_a_sensitivity_range_needs_a_low_and_a_high_value(small_case_dict):
    with pytest.raises(InputError, match="at least two values"):
        _with_uncertainty(
            small_case_dict, {"sensitivity": {"ranges": {"severance": [1.2]}}}
        )


def test_payback_probability_of_the_linear_case_has_its_closed_form(small_case_dict):
    # horizon of three years: payback within it iff the cumulative net saving at
    # the end is >= 0: 270,000 f - 50,000 - 60,000 h >= 0, a normal with mean
    # 160,000 and variance (135,000)^2 + 12,000^2 - 2 x 0.5 x 135,000 x 12,000
    mc = u.monte_carlo(_linear_case(small_case_dict), "share_payroll")
    sd = np.sqrt(135_000**2 + 12_000**2 - 135_000 * 12_000)
    p = stats.norm.cdf(160_000 / sd)
    row = u.monte_carlo_summary(mc).set_index("council").loc["All"]
    assert abs(row["prob_payback_within_horizon"] - p) < 4 * np.sqrt(
        p * (1 - p) / mc.draws
    )
    # the median draw pays back in 2012/13: cumulative 150,000 - 110,000 > 0
    assert row["payback_p50"] == "2012/13"
    assert row["payback_p90"] is None  # over 10% of draws never pay back


def test_a_cctv_style_redundancy_overrun_cuts_that_years_net_saving_by_30k():
    # seed 002 para 3.1.5 e-f: redundancy budgeted at £80,000 cost £110,000
    # (a factor of 1.375), cutting the year's savings of £262,000 to £232,000
    case = case_from_dict(
        {
            **_small(),
            "services": {
                "cctv_lifeline": {
                    "name": "CCTV and Lifeline",
                    "basis": "sixty_forty",
                    "savings": {"staff": 262_000},
                    "go_live": "2011-04-01",
                    "severance": {"redundancy_pay": 80_000, "year": "2011/12"},
                }
            },
        }
    )
    model = u.compile_model(case, "share_payroll")
    lv = u.levers_from_values(model, {"severance": [1.0, 110_000 / 80_000]})
    net = u.evaluate(model, lv).net[:, 0]
    assert net.tolist() == pytest.approx([262_000 - 80_000, 262_000 - 110_000])
    assert net[0] - net[1] == pytest.approx(30_000)


def test_contradictory_correlations_are_refused_when_the_case_is_validated():
    # a and b and c each 0.9-correlated with a, but b and c -0.3 with each other:
    # the matrix has a negative eigenvalue, so no draws can have these correlations
    import copy

    import yaml as _yaml

    from models.core.errors import InputError
    from models.engine.cases import case_from_dict
    from tests.conftest import DEFAULT_CASE

    raw = _yaml.safe_load(DEFAULT_CASE.read_text())
    raw.pop("baseline_costs_file", None)
    raw.pop("staff_at_risk", None)
    raw.pop("actuals", None)
    spec = copy.deepcopy(raw["uncertainty"])
    names = list(spec["parameters"])[:3]
    spec["correlations"] = [
        {"parameters": [names[0], names[1]], "coefficient": 0.9},
        {"parameters": [names[0], names[2]], "coefficient": 0.9},
        {"parameters": [names[1], names[2]], "coefficient": -0.3},
    ]
    raw["uncertainty"] = spec
    with pytest.raises(InputError, match="uncertainty.*contradict"):
        case_from_dict(raw, source="case.yaml")


def test_the_switching_table_assembled_from_each_options_own_equals_the_whole(
    default_case,
):
    """A streamed run keeps each option's own switching rows and base NPV and
    works out only the best option's 'stops being best' at the end: the same
    table, value for value, as computing all options together."""
    names = list(default_case.options)
    own = {name: u.switching_table(default_case, [name]) for name in names}
    base = {
        name: float(u.npv_at(u.compile_model(default_case, name), {})[0])
        for name in names
    }
    whole = u.switching_table(default_case, names)
    assembled = u.switching_table_of(default_case, own, base)
    assert whole["versus"].notna().any()  # the best option has a runner-up
    assert assembled.to_csv(index=False) == whole.to_csv(index=False)
