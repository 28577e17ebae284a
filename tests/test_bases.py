"""Cost-sharing bases as a case file declares them (models/inputs/bases.py)."""

from __future__ import annotations

import pytest
from pydantic import TypeAdapter, ValidationError

from models.inputs.bases import Basis, DriverBasis, FixedBasis, HybridBasis

BASIS = TypeAdapter(Basis)

CASE_COUNCILS = ["bdc", "rbc", "wfdc"]


def test_a_fixed_basis_is_one_part_made_of_its_stated_shares():
    basis = BASIS.validate_python({"type": "fixed", "shares": {"bdc": 0.5, "rbc": 0.5}})
    assert isinstance(basis, FixedBasis)
    assert basis.parts() == [(1.0, "shares")]
    assert basis.partners(CASE_COUNCILS) == ["bdc", "rbc"]
    assert basis.share_total() == 1.0


def test_a_basis_without_a_type_is_a_fixed_basis():
    basis = BASIS.validate_python({"shares": {"bdc": 0.25, "rbc": 0.75}})
    assert isinstance(basis, FixedBasis) and basis.parts() == [(1.0, "shares")]


def test_a_driver_basis_is_one_part_made_of_the_driver():
    basis = BASIS.validate_python({"type": "driver", "driver": "payslips"})
    assert isinstance(basis, DriverBasis)
    assert basis.parts() == [(1.0, "driver")]


def test_a_driver_basis_without_a_councils_list_shares_among_every_council():
    basis = BASIS.validate_python({"type": "driver", "driver": "electorate"})
    assert basis.partners(CASE_COUNCILS) == CASE_COUNCILS


def test_a_driver_basis_with_a_councils_list_shares_among_those_only():
    basis = BASIS.validate_python(
        {"type": "driver", "driver": "cameras", "councils": ["rbc", "bdc"]}
    )
    assert basis.partners(CASE_COUNCILS) == ["rbc", "bdc"]


def test_a_driver_basis_with_an_empty_councils_list_has_no_partners():
    # an empty list is a list (no partner), not a missing one (every council)
    basis = BASIS.validate_python(
        {"type": "driver", "driver": "cameras", "councils": []}
    )
    assert basis.partners(CASE_COUNCILS) == []


def test_a_hybrid_of_30_percent_shares_and_70_percent_driver_has_two_parts():
    # share[c] = 0.3 x shares[c] + 0.7 x driver[c] / sum driver
    basis = BASIS.validate_python(
        {
            "type": "hybrid",
            "fixed_weight": 0.3,
            "shares": {"bdc": 0.5, "rbc": 0.5},
            "driver_weight": 0.7,
            "driver": "electorate",
        }
    )
    assert isinstance(basis, HybridBasis)
    assert basis.parts() == [(0.3, "shares"), (0.7, "driver")]
    assert basis.partners(CASE_COUNCILS) == ["bdc", "rbc"]
    assert basis.share_total() == 1.0


def test_a_weight_given_with_its_unit_and_source_reads_as_its_value():
    basis = BASIS.validate_python(
        {
            "type": "hybrid",
            "fixed_weight": {"value": 0.4, "unit": "/1", "source": "seed 002 para 6.3"},
            "shares": {"bdc": 1 / 3, "rbc": 1 / 3, "wfdc": 1 / 3},
            "driver_weight": {"value": 0.6, "unit": "/1"},
            "driver": "electorate",
        }
    )
    assert basis.parts() == [(0.4, "shares"), (0.6, "driver")]


@pytest.mark.parametrize("odd_type", ["formula", 3, None, ["driver"]])
def test_a_basis_of_an_odd_type_is_refused_naming_the_type_key(odd_type):
    with pytest.raises(ValidationError) as error:
        BASIS.validate_python({"type": odd_type, "driver": "payslips"})
    problems = error.value.errors()
    assert [p["loc"][-1] for p in problems] == ["type"]
    assert "'fixed', 'driver' or 'hybrid'" in problems[0]["msg"]


def test_a_driver_basis_without_its_driver_is_refused_naming_the_driver_key():
    with pytest.raises(ValidationError) as error:
        BASIS.validate_python({"type": "driver"})
    assert [p["loc"][-1] for p in error.value.errors()] == ["driver"]


def test_a_basis_that_is_not_a_mapping_is_refused():
    with pytest.raises(ValidationError):
        BASIS.validate_python("by_payslips")
