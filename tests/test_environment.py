"""environment.yml (conda-forge) and pyproject.toml name the same dependencies."""

import re
import tomllib

import yaml

from tests.conftest import ROOT


def _name(spec: str) -> str:
    return (
        re.split(r"[<>=!~ \[]", spec.strip(), maxsplit=1)[0].lower().replace("_", "-")
    )


def test_environment_yml_and_pyproject_agree():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    pip_names = {_name(s) for s in project["dependencies"]}
    for extra in ("test", "dask"):
        pip_names |= {_name(s) for s in project["optional-dependencies"][extra]}
    conda = yaml.safe_load((ROOT / "environment.yml").read_text())["dependencies"]
    conda_names = {_name(s) for s in conda if isinstance(s, str)} - {"python", "pip"}
    # pip's dask[distributed] is conda-forge's dask and distributed
    assert pip_names | {"distributed"} == conda_names


def test_every_reference_file_has_description_unit_and_reference():
    from models.reference import load_reference, reference_names

    assert reference_names()
    for name in reference_names():
        data = load_reference(name)
        assert data["description"].endswith("."), name
        assert data["metadata"]["unit"], name
        assert data["metadata"]["reference"], name
