"""Optimism bias bounds by edition and the uplift after mitigation
(models/reference/optimism_bias.py)."""

from __future__ import annotations

import copy
import datetime as dt

import numpy as np
import pytest

from models.core.errors import InputError
from models.reference import load_reference
from models.reference import optimism_bias as ob


@pytest.fixture
def two_editions(monkeypatch):
    """The 2003 table and an illustrative later edition in force from 1 April 2030
    (outsourcing opex upper bound 0.30 instead of 0.41; nothing else changes)."""
    data = copy.deepcopy(load_reference("optimism_bias"))
    later = copy.deepcopy(data["values"][dt.date(2003, 1, 1)])
    later["outsourcing"]["opex"] = {"upper": 0.30, "lower": 0.05}
    data["values"][dt.date(2030, 4, 1)] = later
    monkeypatch.setattr(ob, "load_reference", lambda name: data)


# ------------------------------------------------------------------- bounds


def test_non_standard_civil_engineering_capex_is_6_to_66_percent():
    # Green Book supplementary guidance (2003) Table 1
    assert ob.optimism_bias_bounds("non_standard_civil_engineering", "capex") == (
        0.06,
        0.66,
    )


def test_the_edition_in_force_on_its_first_day_is_the_new_one(two_editions):
    on_the_day = dt.date(2030, 4, 1)
    assert ob.optimism_bias_bounds("outsourcing", "opex", on_the_day) == (0.05, 0.30)


def test_the_day_before_a_new_edition_the_old_one_applies(two_editions):
    the_day_before = dt.date(2030, 3, 31)
    assert ob.optimism_bias_bounds("outsourcing", "opex", the_day_before) == (
        0.0,
        0.41,
    )


def test_without_a_date_the_latest_edition_applies(two_editions):
    assert ob.optimism_bias_bounds("outsourcing", "opex") == (0.05, 0.30)
    # the upper bound of the latest edition after no mitigation: 0.30
    assert ob.optimism_bias_uplift("outsourcing", "opex") == 0.30


def test_the_uplift_uses_the_edition_in_force_on_the_date_given(two_editions):
    # 2003 edition: 0.41 x (1 - 0.5) = 0.205; 2030 edition: 0.30 x 0.5 = 0.15
    assert ob.optimism_bias_uplift(
        "outsourcing", "opex", 0.5, dt.date(2029, 6, 30)
    ) == pytest.approx(0.205)
    assert ob.optimism_bias_uplift(
        "outsourcing", "opex", 0.5, dt.date(2030, 6, 30)
    ) == pytest.approx(0.15)


def test_a_date_before_the_first_edition_is_refused():
    with pytest.raises(ValueError, match="no edition in force on 2002-12-31"):
        ob.optimism_bias_bounds("outsourcing", "opex", dt.date(2002, 12, 31))


def test_the_first_edition_is_in_force_from_its_first_day():
    assert ob.optimism_bias_bounds("outsourcing", "opex", dt.date(2003, 1, 1)) == (
        0.0,
        0.41,
    )


def test_an_unknown_project_type_names_the_types_that_are_known():
    with pytest.raises(InputError, match="'bridges'") as error:
        ob.optimism_bias_bounds("bridges", "capex")
    assert "standard_buildings" in error.value.message


def test_a_measure_without_bounds_names_the_measures_that_have_them():
    # outsourcing has opex bounds only (works_duration is null)
    with pytest.raises(InputError, match=r"outsourcing.works_duration") as error:
        ob.optimism_bias_bounds("outsourcing", "works_duration")
    assert "(opex)" in error.value.message


def test_a_measure_not_in_the_table_is_refused():
    with pytest.raises(InputError, match="standard_buildings.opex"):
        ob.optimism_bias_bounds("standard_buildings", "opex")


# ------------------------------------------------------------------- uplift


def test_with_no_mitigation_the_upper_bound_applies():
    # standard buildings capex: 0.24 x (1 - 0) = 0.24
    assert ob.optimism_bias_uplift("standard_buildings", "capex", 0) == 0.24


def test_with_full_mitigation_no_uplift_is_left():
    # 0.24 x (1 - 1) = 0
    assert ob.optimism_bias_uplift("standard_buildings", "capex", 1) == 0.0


def test_a_quarter_mitigated_leaves_three_quarters_of_the_upper_bound():
    # equipment development capex: 2.00 x (1 - 0.25) = 1.50
    assert ob.optimism_bias_uplift(
        "equipment_development", "capex", 0.25
    ) == pytest.approx(1.5)


@pytest.mark.parametrize("mitigation", [-0.1, 1.5])
def test_a_mitigation_outside_0_to_1_is_refused(mitigation):
    with pytest.raises(ValueError, match="between 0 and 1"):
        ob.optimism_bias_uplift("standard_buildings", "capex", mitigation)


def test_one_mitigation_out_of_range_among_several_is_refused():
    # 0.5 is fine, 1.5 is not: the whole array is refused
    with pytest.raises(ValueError, match="between 0 and 1"):
        ob.optimism_bias_uplift("outsourcing", "opex", np.array([0.5, 1.5]))
    with pytest.raises(ValueError, match="between 0 and 1"):
        ob.optimism_bias_uplift("outsourcing", "opex", np.array([-0.1, 0.5]))


def test_mitigations_by_service_give_an_uplift_each():
    # outsourcing opex 0.41 x (1 - [0, 0.5, 1]) = [0.41, 0.205, 0]
    uplift = ob.optimism_bias_uplift("outsourcing", "opex", np.array([0.0, 0.5, 1.0]))
    assert isinstance(uplift, np.ndarray)
    np.testing.assert_allclose(uplift, [0.41, 0.205, 0.0])


def test_a_single_mitigation_gives_a_plain_number():
    assert type(ob.optimism_bias_uplift("outsourcing", "opex", 0.5)) is float
