"""Mutated copies of the shipped files are accepted or refused cleanly, never crash.

Each example takes a valid shipped file (the default case, the seed 002 case, the
2010/11 actuals, the 2011 risk register), breaks it in one way -- deletes or
renames a key, puts a value of another type in place of one, duplicates a line,
cuts the text short, inserts random bytes -- and loads it as ``sharedcase
validate`` does.  The loader must either accept the file or raise
:class:`~models.core.errors.InputError` whose every message names a file; any other
exception is a crash that would reach the user as a traceback.
"""

from __future__ import annotations

import shutil
import warnings
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from models.core.errors import InputError, InputErrors
from models.engine.validate import validate_file

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = (
    "bromsgrove_redditch_2011.yaml",
    "seed_002_position_2010.yaml",
    "actuals_2010_11.yaml",
    "risk_register_2011.yaml",
)
FUZZ = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


@pytest.fixture(scope="module")
def scenarios(tmp_path_factory) -> Path:
    """A copy of scenarios/, so that files a mutant names resolve beside it."""
    here = tmp_path_factory.mktemp("fuzz") / "scenarios"
    shutil.copytree(ROOT / "scenarios", here)
    return here


def key_paths(node: Any, trail: tuple = ()) -> list[tuple]:
    """Every path to a mapping key or list item in a loaded YAML tree."""
    out: list[tuple] = []
    items = (
        node.items()
        if isinstance(node, dict)
        else enumerate(node)
        if isinstance(node, list)
        else ()
    )
    for key, child in items:
        out.append((*trail, key))
        out.extend(key_paths(child, (*trail, key)))
    return out


ODD_VALUES = st.one_of(
    st.text(max_size=12),
    st.integers(min_value=-(10**6), max_value=10**6),
    st.floats(allow_nan=True, allow_infinity=True),
    st.none(),
    st.booleans(),
    st.dates(),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=6), st.integers(), max_size=2),
    st.sampled_from(
        [
            10**400,
            -(10**400),
            -1,
            -0.5,
            1e308,
            float("nan"),
            "2011/12",
            "9999/00",
            "2011-13-45",
            "",
            "~",
            "yes",
        ]
    ),
)


def _parent(tree: Any, path: tuple) -> Any:
    for key in path[:-1]:
        tree = tree[key]
    return tree


def mutate_tree(tree: Any, path: tuple, how: str, value: Any) -> Any:
    """Delete, rename or replace the key or item at ``path`` (in place)."""
    parent, key = _parent(tree, path), path[-1]
    if how == "delete":
        del parent[key]
    elif how == "rename" and isinstance(parent, dict):
        new = f"{str(key)[1:]}{str(key)[:1]}x"  # a misspelling that never exists
        parent[new] = parent.pop(key)
    else:
        parent[key] = value
    return tree


@st.composite
def mutants(draw) -> tuple[str, bytes]:
    """(shipped file name, bytes of a broken copy)."""
    name = draw(st.sampled_from(SHIPPED))
    text = (ROOT / "scenarios" / name).read_text(encoding="utf-8")
    how = draw(
        st.sampled_from(
            ["delete", "rename", "replace", "replace", "duplicate", "truncate", "bytes"]
        )
    )
    if how in ("delete", "rename", "replace"):
        tree = yaml.safe_load(text)
        path = draw(st.sampled_from(key_paths(tree)))
        value = draw(ODD_VALUES)
        tree = mutate_tree(tree, path, how, value)
        return name, yaml.safe_dump(tree, sort_keys=False, allow_unicode=True).encode()
    data = text.encode("utf-8")
    lines = data.splitlines(keepends=True)
    if how == "duplicate":
        i = draw(st.integers(0, len(lines) - 1))
        return name, b"".join([*lines[: i + 1], lines[i], *lines[i + 1 :]])
    cut = draw(st.integers(0, len(data)))
    if how == "truncate":
        return name, data[:cut]
    junk = draw(st.binary(min_size=1, max_size=16))
    return name, data[:cut] + junk + data[cut:]


def check_loads_or_refuses(path: Path) -> None:
    """Load ``path`` as ``sharedcase validate`` does: accepted, or InputError naming
    a file in every message."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            validate_file(path)
    except InputError as exc:
        errors = exc.errors if isinstance(exc, InputErrors) else [exc]
        assert errors, "an InputErrors with no errors in it"
        for e in errors:
            assert e.file, f"a message that names no file: {e.message}"
            assert e.message.strip()


@FUZZ
@given(mutant=mutants())
def test_a_mutated_shipped_file_is_accepted_or_refused_cleanly(scenarios, mutant):
    name, data = mutant
    path = scenarios / f"mutant_{name}"
    path.write_bytes(data)
    check_loads_or_refuses(path)


def test_the_mutations_do_break_the_files(scenarios):
    # a fuzz test that never produced an invalid file could not fail
    tree = yaml.safe_load((ROOT / "scenarios" / SHIPPED[0]).read_text())
    broken = mutate_tree(tree, ("settings", "horizon_years"), "replace", "ten")
    path = scenarios / "mutant_check.yaml"
    path.write_text(yaml.safe_dump(broken, sort_keys=False))
    with pytest.raises(InputError, match="settings.horizon_years"):
        validate_file(path)
