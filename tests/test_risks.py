"""Risk registers: the seeds' 4 x 4 matrix, the L x I check, links to the Monte Carlo."""

from __future__ import annotations

import copy

import pytest
from click.testing import CliRunner
from matplotlib.figure import Figure

from models.core.errors import InputError
from models.engine.validate import validate_file
from models.inputs.risk_register import (
    apply_risks,
    load_risk_register,
    register_problems,
    risk_register_from_dict,
)
from models.inputs.uncertainty_spec import UncertaintySpec
from models.model.risks import risk_table
from tests.conftest import ROOT, SCENARIOS

REGISTER_2011 = SCENARIOS / "risk_register_2011.yaml"
REGISTER_2010 = ROOT / "tests" / "data" / "risk_register_2010.yaml"

VALID = {
    "kind": "risk_register",
    "name": "r",
    "title": "A register",
    "source": "test",
    "risks": [
        {"ref": 1, "risk": "Staff capacity", "likelihood": 2, "impact": 4, "score": 8},
        {"ref": 2, "risk": "Union support", "likelihood": 2, "impact": 3, "score": 6},
    ],
}


def _register(**row_changes) -> dict:
    d = copy.deepcopy(VALID)
    d["risks"][1].update(row_changes)
    return d


def test_the_2011_register_has_the_fourteen_rows_of_seed_000_appendix_b():
    reg = load_risk_register(REGISTER_2011)
    assert [r.ref for r in reg.risks] == list(range(1, 15))
    row6 = reg.risks[5]  # seed 000 Appendix B row 6: L 3, I 4, score 12
    assert (row6.likelihood, row6.impact, row6.score) == (3, 4, 12)


def test_the_2011_register_keeps_row_10s_published_score_as_an_acknowledged_mismatch():
    # seed 000 Appendix B row 10 prints 1 x 1 with a score of 2
    problems = register_problems(load_risk_register(REGISTER_2011))
    assert [(p.ref, p.key, p.acknowledged) for p in problems] == [(10, "score", True)]


def test_the_2010_register_is_refused_naming_row_6_and_its_missing_impact():
    # seed 002 Appendix A row 6: likelihood 2, impact blank, score 8
    with pytest.raises(InputError) as err:
        load_risk_register(REGISTER_2010)
    message = err.value.message
    assert "row 6 (ref 6), column impact" in message
    assert "stated score 8 is not used" in message
    assert len(message.splitlines()) == 1  # row 6 is the only problem


def test_a_score_that_is_not_likelihood_times_impact_is_refused():
    with pytest.raises(
        InputError,
        match=r"row 2 \(ref 2\), column score: expected likelihood x impact = 2 x 3 = 6, found 9",
    ):
        risk_register_from_dict(_register(score=9))


def test_a_missing_likelihood_is_refused():
    d = _register()
    del d["risks"][1]["likelihood"]
    with pytest.raises(InputError, match=r"row 2 \(ref 2\), column likelihood"):
        risk_register_from_dict(d)


def test_a_discrepancy_note_on_a_row_whose_score_agrees_is_refused():
    with pytest.raises(InputError, match="column score_discrepancy"):
        risk_register_from_dict(_register(score_discrepancy="as published"))


def test_a_valid_register_loads_and_scores_every_row():
    reg = risk_register_from_dict(VALID)
    assert [r.computed_score for r in reg.risks] == [8, 6]
    assert register_problems(reg) == []
    assert list(risk_table(reg)["ref"]) == [1, 2]  # highest score first


def test_ratings_may_be_written_as_the_seeds_words():
    reg = risk_register_from_dict(
        _register(likelihood="significant", impact="major", score=9)
    )
    assert (reg.risks[1].likelihood, reg.risks[1].impact) == (3, 3)


def test_a_rating_of_five_is_refused():
    with pytest.raises(InputError, match="risks\\[1\\].impact"):
        risk_register_from_dict(_register(impact=5, score=10))


def test_a_misspelt_key_is_refused():
    d = _register()
    d["risks"][1]["likelyhood"] = d["risks"][1].pop("likelihood")
    with pytest.raises(InputError, match="did you mean 'likelihood'"):
        risk_register_from_dict(d)


def test_validate_knows_risk_registers():
    assert validate_file(REGISTER_2011) == "risk_register"


def test_the_cli_rejects_the_2010_register_with_exit_status_2_and_no_traceback():
    from models.cli import main

    result = CliRunner().invoke(main, ["validate", str(REGISTER_2010)])
    assert result.exit_code == 2
    assert "row 6 (ref 6), column impact" in result.output
    assert "Traceback" not in result.output


def test_a_linked_risk_widens_its_parameters_distribution():
    spec = UncertaintySpec(
        parameters={
            "severance": {
                "distribution": "triangular",
                "min": 0.9,
                "mode": 1.0,
                "max": 1.2,
                "source": "t",
            }
        }
    )
    reg = risk_register_from_dict(_register(parameter="severance", widen=0.5))
    d = apply_risks(spec, reg).parameters["severance"]
    # spread about the mode 1.0 grows by half: 1 - 0.1 x 1.5, 1 + 0.2 x 1.5
    assert (d.min, d.mode, d.max) == pytest.approx((0.85, 1.0, 1.3))


def test_a_risk_linked_to_a_parameter_without_a_distribution_is_refused():
    reg = risk_register_from_dict(_register(parameter="set_up_costs", widen=0.5))
    with pytest.raises(InputError, match=r"row 2 \(ref 2\), column parameter"):
        apply_risks(UncertaintySpec(), reg)


def test_the_heat_map_writes_each_ref_in_its_cell():
    from models.report.uncertainty_charts import risk_heat_map

    fig = risk_heat_map(load_risk_register(REGISTER_2011))
    assert isinstance(fig, Figure)
    texts = {t.get_text() for t in fig.axes[0].texts}
    assert "6" in texts and "2, 14" in texts  # row 6 at 3 x 4; rows 2 and 14 at 2 x 4
