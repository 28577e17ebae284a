"""A case that names its risk register: linked risks widen the Monte Carlo."""

import shutil

import pytest

from models.core.errors import InputError
from models.engine.loading import load_case
from tests.conftest import DEFAULT_CASE, SCENARIOS


def test_a_linked_risk_widens_its_parameter_in_the_monte_carlo():
    case = load_case(DEFAULT_CASE)
    own = case.uncertainty.parameters["savings_achieved"]
    widened = case.effective_uncertainty().parameters["savings_achieved"]
    # risk_register_2011.yaml ref 12 -> savings_achieved, widen 0.2: PERT
    # min 0.75 mode 0.95 max 1.05, widened about the mode:
    # min' = 0.95 - (0.95 - 0.75) x 1.2 = 0.71; max' = 0.95 + (1.05 - 0.95) x 1.2 = 1.07
    assert widened.min == pytest.approx(0.71, abs=1e-9)
    assert widened.max == pytest.approx(1.07, abs=1e-9)
    assert widened.mode == own.mode


def _copy_scenarios(folder):
    """The shipped case files and tables, copied into ``folder`` to be edited."""
    for f in SCENARIOS.glob("*"):
        if f.suffix in (".yaml", ".csv"):
            shutil.copy(f, folder / f.name)


def test_a_risk_linked_to_a_parameter_without_a_distribution_fails_validation(tmp_path):
    _copy_scenarios(tmp_path)
    register = tmp_path / "risk_register_2011.yaml"
    register.write_text(
        register.read_text().replace(
            "parameter: savings_achieved", "parameter: discount_rate", 1
        )
    )
    with pytest.raises(
        InputError,
        match=r"risk_register_2011.yaml: row \d+ \(ref 12\), column parameter",
    ):
        load_case(tmp_path / DEFAULT_CASE.name)


def test_the_register_table_shows_owner_mitigation_and_exposure(tmp_path):
    from models.report.uncertainty_tables import risk_register_table

    _copy_scenarios(tmp_path)
    register = tmp_path / "risk_register_2011.yaml"
    register.write_text(
        register.read_text().replace(
            "- ref: 3\n",
            "- ref: 3\n  owner: Head of Transformation\n"
            "  exposure: {value: 250000, unit: GBP, source: illustrative assumption}\n",
            1,
        )
    )
    shown = risk_register_table(load_case(tmp_path / DEFAULT_CASE.name)).display()
    row = shown.loc["3"]
    assert row["Owner"] == "Head of Transformation"
    assert row["Exposure"] == "£250k"
    assert row["Mitigation"]  # the register's own mitigation text
    # linked parameters are named in words, not by their keys
    assert "savings_achieved" not in set(shown["Linked to"])
    assert "Savings achieved (factor on every saving)" in set(shown["Linked to"])
