"""Strict YAML: libyaml's parser, where PyYAML has it, reads what the pure one reads.

Every YAML file of the project (cases, actuals, risk registers, reference data
and the bad-input corpus) gives the same data, or fails in both, and a file that
fails is reported in the pure parser's words.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from models.core import yamlio
from models.core.errors import InputError

ROOT = Path(__file__).resolve().parents[1]
FILES = sorted(
    [
        *ROOT.glob("scenarios/*.yaml"),
        *ROOT.glob("models/reference/*.yaml"),
        *ROOT.glob("tests/**/*.yaml"),
    ]
)


def pure_parse(text: str):
    loader = yamlio._StrictLoader(text)
    loader._source, loader._keys = "f.yaml", {}
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()


@pytest.mark.skipif(yamlio._FastStrictLoader is None, reason="PyYAML without libyaml")
@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_the_fast_parser_reads_each_file_as_the_pure_one(path):
    text = path.read_bytes().decode("utf-8", errors="replace")
    try:
        expected = pure_parse(text)
    except Exception as exc:  # noqa: BLE001 - both must fail, in the same words
        with pytest.raises(InputError) as caught:
            yamlio.loads_yaml(text, source="f.yaml")
        if isinstance(exc, InputError):
            assert caught.value.message == exc.message
        return
    assert yamlio.loads_yaml(text, source="f.yaml") == expected
    fast = yamlio._FastStrictLoader(text)  # and libyaml itself read it
    fast._source, fast._keys = "f.yaml", {}
    try:
        assert fast.get_single_data() == expected
    finally:
        fast.dispose()


def test_a_duplicate_key_is_named_with_its_line_by_either_parser():
    text = "a: 1\nb: 2\na: 3\n"
    with pytest.raises(InputError, match="line 3.*repeats the key on line 1"):
        yamlio.loads_yaml(text, source="f.yaml")
