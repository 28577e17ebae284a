"""A new user's first steps: each slip gets a message that says how to fix it."""

from __future__ import annotations

import shutil

import pytest
from click.testing import CliRunner

from models.cli import main
from models.core.errors import InputError
from models.core.yamlio import loads_yaml
from tests.conftest import DEFAULT_CASE


def run_cli(*args: str):
    return CliRunner().invoke(main, list(args))


def test_a_misspelt_option_on_the_command_line_gets_a_did_you_mean(tmp_path):
    result = run_cli(
        "run",
        str(DEFAULT_CASE),
        "--options",
        "single_busines_case",
        "--no-notebooks",
        "--out",
        str(tmp_path),
    )
    assert result.exit_code == 2
    assert "did you mean 'single_business_case'?" in result.output
    assert not any(tmp_path.iterdir())


@pytest.mark.parametrize(
    ("text", "line", "advice"),
    [
        # a nested key written on the same line as its parent's value
        ("settings:\n  base_year: 2011/12\n    horizon_years: 5\n", 3, "indentation"),
        # a key indented less than its siblings, more than its parent
        ("settings:\n    base_year: 2011/12\n  horizon_years: 5\n", 3, "indented"),
        ("settings:\n\tbase_year: 2011/12\n", 2, "spaces"),
    ],
)
def test_an_indentation_slip_names_the_line_and_what_to_fix(text, line, advice):
    with pytest.raises(InputError) as caught:
        loads_yaml(text, source="case.yaml")
    message = caught.value.message
    assert f"line {line}, column" in message
    assert advice in message
    assert "<block" not in message


@pytest.mark.parametrize("written", ["£30000", "30,000", "£30,000"])
def test_money_written_with_a_pound_sign_or_commas_says_how_to_write_it(
    tmp_path, written
):
    shutil.copytree(DEFAULT_CASE.parent, tmp_path / "scenarios")
    case = tmp_path / "scenarios" / DEFAULT_CASE.name
    text = case.read_text().replace(
        "staff: {value: 95000", f"staff: {{value: '{written}'", 1
    )
    assert text != DEFAULT_CASE.read_text()
    case.write_text(text)
    result = run_cli("validate", str(case))
    assert result.exit_code == 2
    assert "written as 30000, without a £ sign or commas" in result.output


def test_run_with_the_name_given_to_init_suggests_the_file_init_wrote(
    tmp_path, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    assert run_cli("init", "my_case").exit_code == 0
    result = run_cli("run", "my_case")
    assert result.exit_code == 2
    assert "did you mean scenarios/my_case.yaml?" in result.output
    assert not (tmp_path / "outputs").exists()


def test_run_with_no_case_says_it_runs_the_default_case(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run_cli("run", "--no-notebooks")
    assert result.exit_code == 2  # no default case here: it asks for one
    assert "a case file to run" in result.output
