"""A case that lists actuals files, one of which takes its budgets from the case."""


def test_a_case_whose_actuals_take_budgets_from_it_loads_without_looping(tmp_path):
    import shutil

    from models.engine.loading import load_case
    from tests.conftest import DEFAULT_CASE, SCENARIOS

    for f in SCENARIOS.glob("*"):
        if f.suffix in (".yaml", ".csv"):
            shutil.copy(f, tmp_path / f.name)
    fixture = SCENARIOS.parent / "tests" / "data" / "actuals_2012_13_from_case.yaml"
    text = fixture.read_text().replace(
        "../../scenarios/bromsgrove_redditch_2011.yaml", DEFAULT_CASE.name
    )
    (tmp_path / "actuals_2012_13.yaml").write_text(text)
    case = tmp_path / DEFAULT_CASE.name
    case.write_text(
        case.read_text().replace(
            "actuals: [actuals_2010_11.yaml]",
            "actuals: [actuals_2010_11.yaml, actuals_2012_13.yaml]",
        )
    )
    assert len(load_case(case).actuals) == 2
