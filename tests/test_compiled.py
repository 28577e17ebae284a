"""An option compiled once while its analyses run (models.engine.compiled)."""

from __future__ import annotations

import numpy as np
import pytest

from models.engine import analysis
from models.engine.analysis import analyse_option, case_samples, lean_case
from models.engine.compiled import compiled_once
from models.engine.loading import load_case
from models.engine.projection import compile_option
from models.engine.uncertainty import compile_model
from tests.conftest import DEFAULT_CASE

OPTION = "single_business_case"


@pytest.fixture(scope="module")
def case():
    return load_case(DEFAULT_CASE)


def test_outside_the_block_every_call_compiles_afresh(case):
    first, second = compile_option(case, OPTION), compile_option(case, OPTION)
    assert first is not second
    first.full_year_savings[...] = first.full_year_savings  # writable as before
    assert compile_model(case, OPTION) is not compile_model(case, OPTION)


def test_inside_the_block_an_option_is_compiled_once_and_read_only(case):
    with compiled_once():
        arrays = compile_option(case, OPTION)
        assert compile_option(case, OPTION) is arrays
        assert compile_model(case, OPTION) is compile_model(case, OPTION)
        assert compile_option(case, "status_quo") is not arrays  # per option
        with compiled_once():  # an inner block shares the outer one's
            assert compile_option(case, OPTION) is arrays
        with pytest.raises(ValueError, match="read-only"):
            arrays.full_year_savings[...] = 0.0
    assert compile_option(case, OPTION) is not arrays  # forgotten after the block
    other = case.model_copy(deep=True)
    with compiled_once():
        assert compile_option(case, OPTION) is not compile_option(other, OPTION)


def test_the_same_case_compiled_once_or_each_time_gives_the_same_analyses(case):
    # analyse_option compiles its option once; compiled each time (as before),
    # every figure of its model and analyses is the same
    lean = lean_case(case)
    samples, error = case_samples(lean)
    once = analyse_option(lean, OPTION, samples, error)
    each = analysis._analyse_option(lean, OPTION, samples, error, None)
    assert once.uncertainty_error is None and each.uncertainty_error is None
    assert once.result.long.equals(each.result.long)
    assert once.sensitivity_long.equals(each.sensitivity_long)
    assert once.switching.equals(each.switching)
    mc_once, mc_each = once.monte_carlo[OPTION], each.monte_carlo[OPTION]
    assert np.array_equal(mc_once.npv, mc_each.npv)
    assert np.array_equal(mc_once.npv_council, mc_each.npv_council)
