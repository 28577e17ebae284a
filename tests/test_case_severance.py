"""Severance lines of a case: from the staff-at-risk table, or flat, or aggregate."""

import shutil

import numpy as np
import pytest

from models.core.errors import InputError
from models.engine.cases import case_from_dict
from models.engine.loading import load_case
from models.engine.projection import run_option, yearly_table
from models.inputs.severance import load_staff_table
from models.model import severance as sev
from tests.conftest import DEFAULT_CASE, SCENARIOS


def test_the_default_case_takes_its_severance_from_the_staff_table_by_policy():
    case = load_case(DEFAULT_CASE)
    staff = load_staff_table(SCENARIOS / case.staff_at_risk)
    costed = sev.cost_staff(staff, case.severance_policies)
    hr = costed[costed["service"] == "hr_od"]
    r = run_option(case, "single_business_case")
    long = r.long
    ob = (
        1 + case.settings.optimism_bias.costs.value
    )  # one-off costs carry optimism bias
    for council in ("bdc", "rbc"):
        # the cost falls where the post was: council lines equal that council's posts
        posts = hr[hr["council"] == council]
        expected = (
            posts["statutory_pay"]
            + posts["discretionary_top_up"]
            + posts["pay_in_lieu"]
        ).sum() * ob
        got = long[
            (long.service == "hr_od")
            & (long.council == council)
            & (long.line_item == "Costs|Severance|Redundancy pay")
        ]["value"].sum()
        assert got == pytest.approx(expected, abs=1e-6)
        strain = long[
            (long.service == "hr_od")
            & (long.council == council)
            & (long.line_item == "Costs|Severance|Pension strain")
        ]["value"].sum()
        assert strain == pytest.approx(posts["pension_strain"].sum() * ob, abs=1e-6)


def test_a_staged_option_can_move_staff_severance_into_a_later_year():
    r = run_option(load_case(DEFAULT_CASE), "staged_approach")
    t = yearly_table(r.long, service="revenues_benefits")
    # the staged option sets services.revenues_benefits.severance.year: 2012/13
    assert t.loc["Costs|Severance", "2011/12"] == 0
    assert t.loc["Costs|Severance", "2012/13"] > 0


def test_aggregate_mode_is_headcount_times_average_cost(small_case_dict):
    small_case_dict["services"]["payroll"]["severance"] = {
        "headcount": 8,
        "average_cost": 13750,
        "year": "2011/12",
    }
    t = yearly_table(run_option(case_from_dict(small_case_dict), "share_payroll").long)
    # 8 x £13,750 = £110,000 (the CCTV & Lifeline VCR cost, seed 002 para 3.1.5 e)
    np.testing.assert_allclose(t.loc["Costs|Severance|Redundancy pay"], [110_000, 0, 0])


def _copy_default(tmp_path):
    for f in SCENARIOS.glob("*"):
        if f.suffix in (".yaml", ".csv"):
            shutil.copy(f, tmp_path / f.name)
    return tmp_path / DEFAULT_CASE.name


def test_a_service_with_both_staff_rows_and_a_flat_figure_is_refused(tmp_path):
    case = _copy_default(tmp_path)
    text = case.read_text().replace(
        "      description: Costed person by person from the staff-at-risk table "
        "(staff_at_risk_2011.csv).\n",
        "      redundancy_pay: {value: 1000, source: test}\n      year: 2011/12\n",
        1,
    )
    case.write_text(text)
    with pytest.raises(InputError, match=r"services\.hr_od\.severance.*not both"):
        load_case(case)


def test_a_staff_row_naming_an_unknown_service_names_row_and_column(tmp_path):
    case = _copy_default(tmp_path)
    table = tmp_path / "staff_at_risk_2011.csv"
    lines = table.read_text().splitlines()
    lines[2] = lines[2].replace(",hr_od,", ",payroll,", 1)
    table.write_text("\n".join(lines) + "\n")
    with pytest.raises(InputError, match=r"data row 2 \(file line 3\), column service"):
        load_case(case)


def test_two_cases_sharing_a_staff_table_are_each_checked_against_it(tmp_path):
    # the costed table is cached; the checks against each case must still run
    case = _copy_default(tmp_path)
    assert load_case(case).staff_at_risk
    other = tmp_path / "other.yaml"
    other.write_text(
        case.read_text().replace("  bereavement:\n", "  bereavement_renamed:\n", 1)
    )
    with pytest.raises(InputError, match=r"column service.*'bereavement'"):
        load_case(other)
