"""Strict loading of case files: one test a class of bad input."""

import pytest
import yaml

from models.core.errors import InputError
from models.engine.cases import case_from_dict, option_case
from models.engine.loading import load_case
from models.inputs.case import apply_overrides
from tests.conftest import DEFAULT_CASE, SEED_002_CASE


def _error(case_dict) -> str:
    with pytest.raises(InputError) as info:
        case_from_dict(case_dict, source="case.yaml")
    return info.value.message


def test_shipped_scenarios_load():
    for path in (DEFAULT_CASE, SEED_002_CASE):
        assert load_case(path).options


def test_the_default_case_has_the_three_options_the_issue_asks_for():
    assert {"status_quo", "staged_approach", "single_business_case"} <= set(
        load_case(DEFAULT_CASE).options
    )


def test_every_number_in_the_default_case_cites_its_source():
    # A number is covered by a `source` on its own {value, source} mapping or on
    # an enclosing block (e.g. a severance policy, a basis); bare numbers are
    # allowed only for the horizon, ramp-up fractions, profiles and shares.
    raw = yaml.safe_load(DEFAULT_CASE.read_text())
    missing = []

    def walk(node, path, covered):
        if isinstance(node, dict):
            if "value" in node:
                if not node.get("source"):
                    missing.append(path)
                return
            if "distribution" in node:  # one source cites the whole distribution
                if not node.get("source"):
                    missing.append(path)
                return
            covered = covered or bool(node.get("source"))
            for k, v in node.items():
                walk(v, f"{path}.{k}", covered)
        elif isinstance(node, list):
            for i, v in enumerate(node):
                walk(v, f"{path}[{i}]", covered)
        elif isinstance(node, int | float) and not isinstance(node, bool):
            allowed = (
                "horizon_years",
                "ramp_up",
                "profile",
                "headcount",
                "uncertainty.draws",
                "uncertainty.seed",
                "coefficient",
            )
            if not covered and not any(w in path for w in allowed):
                missing.append(path)

    walk({k: v for k, v in raw.items() if k != "options"}, "", False)
    assert missing == []


def test_a_misspelt_key_is_named_with_a_suggestion(small_case_dict):
    svc = small_case_dict["services"]["payroll"]
    svc["savigns"] = svc.pop("savings")
    msg = _error(small_case_dict)
    assert "services.payroll.savigns" in msg and "did you mean 'savings'" in msg


def test_shares_summing_to_point_nine_are_refused(small_case_dict):
    small_case_dict["bases"]["sixty_forty"]["shares"] = {"a": 0.5, "b": 0.4}
    msg = _error(small_case_dict)
    assert "bases.sixty_forty" in msg and "sum to 1" in msg and "0.9" in msg


def test_a_go_live_outside_the_horizon_is_refused(small_case_dict):
    small_case_dict["services"]["payroll"]["go_live"] = "2015-01-01"
    msg = _error(small_case_dict)
    assert "services.payroll.go_live" in msg and "inside the horizon" in msg


def test_a_negative_cost_is_refused(small_case_dict):
    small_case_dict["services"]["payroll"]["set_up_costs"][0]["amount"] = -5
    msg = _error(small_case_dict)
    assert "services.payroll.set_up_costs[0].amount" in msg and "non-negative" in msg


def test_a_set_up_cost_outside_the_horizon_is_refused(small_case_dict):
    small_case_dict["services"]["payroll"]["set_up_costs"][0]["year"] = "2020/21"
    assert "set_up_costs[0].year" in _error(small_case_dict)


def test_an_undefined_basis_is_named(small_case_dict):
    small_case_dict["services"]["payroll"]["basis"] = "by_payslips"
    msg = _error(small_case_dict)
    assert "services.payroll.basis" in msg and "'by_payslips'" in msg


def test_a_host_that_is_not_a_partner_is_named(small_case_dict):
    small_case_dict["services"]["payroll"]["host"] = "wyre_forest"
    assert "services.payroll.host" in _error(small_case_dict)


def test_savings_larger_than_the_baseline_are_refused(small_case_dict):
    small_case_dict["services"]["payroll"]["savings"]["staff"] = 400000
    assert "no larger than the baseline cost" in _error(small_case_dict)


def test_a_misspelt_override_path_is_named(small_case_dict):
    small_case_dict["options"]["bad"] = {
        "title": "Bad",
        "description": "x",
        "overrides": {"services.payrol.go_live": "2012-04-01"},
    }
    msg = _error(small_case_dict)
    assert "options.bad.overrides.services.payrol.go_live" in msg
    assert "did you mean 'services.payroll'" in msg


def test_an_override_that_breaks_the_case_is_reported_with_its_option(small_case_dict):
    small_case_dict["options"]["bad"] = {
        "title": "Bad",
        "description": "x",
        "overrides": {"services.payroll.go_live": "2030-01-01"},
    }
    msg = _error(small_case_dict)
    assert "option 'bad'" in msg and "services.payroll.go_live" in msg


def test_duplicate_keys_are_refused(tmp_path):
    f = tmp_path / "dup.yaml"
    f.write_text("kind: case\nname: a\nname: b\n")
    with pytest.raises(InputError, match="line 3.*'name' repeats the key on line 2"):
        load_case(f)


def test_overriding_a_quantity_keeps_its_unit_and_records_the_override():
    raw = {"x": {"value": 1, "unit": "GBP", "source": "seed"}}
    out = apply_overrides(raw, {"x": 2}, None, "options.o.overrides")
    assert out == {
        "x": {"value": 2, "unit": "GBP", "source": "override in options.o.overrides"}
    }
    assert raw["x"]["value"] == 1  # the baseline is not touched


def test_the_wildcard_reaches_every_service(small_case_dict):
    case = case_from_dict(small_case_dict)
    assert not option_case(case, "status_quo").services["payroll"].enabled
    assert case.services["payroll"].enabled


def test_baseline_costs_can_live_in_a_csv_table_beside_the_case():
    case = load_case(DEFAULT_CASE)
    assert case.baseline_costs_file
    # bromsgrove_redditch_2011_baselines.csv, row 1: hr_od, bdc, 520000
    assert case.services["hr_od"].baseline_cost["bdc"].value == 520_000


def test_a_bad_baseline_table_names_the_row_and_column(tmp_path):
    import shutil

    shutil.copy(DEFAULT_CASE, tmp_path / "case.yaml")
    table = (DEFAULT_CASE.parent / "bromsgrove_redditch_2011_baselines.csv").read_text()
    lines = table.splitlines()
    lines[3] = lines[3].replace("1900000", "-5")  # data row 3
    (tmp_path / "bromsgrove_redditch_2011_baselines.csv").write_text("\n".join(lines))
    with pytest.raises(InputError, match=r"baselines.csv: row 3, column baseline_cost"):
        load_case(tmp_path / "case.yaml")


def test_a_reversed_target_window_is_refused(small_case_dict):
    small_case_dict["settings"]["target_window"] = {
        "first_year": "2013/14",
        "last_year": "2011/12",
    }
    msg = _error(small_case_dict)
    assert "settings.target_window.last_year" in msg and "no earlier than" in msg


def test_a_folder_given_as_a_case_file_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="expected a file, found a folder"):
        load_case(tmp_path)


def test_a_baseline_cost_table_without_a_column_names_the_file_and_the_column(
    tmp_path,
):
    from models.inputs.case import merge_baseline_costs

    table = tmp_path / "baseline.csv"
    table.write_text("service,council\nhr,bromsgrove\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        merge_baseline_costs({}, table)
    assert err.value.file == str(table) and err.value.where == "header"
    assert err.value.expected == "columns service, council, baseline_cost"
    assert err.value.found == "no column baseline_cost"
