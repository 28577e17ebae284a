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


def fast_parse(text: str):
    loader = yamlio._FastStrictLoader(text)
    loader._source, loader._keys = "f.yaml", {}
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()


PLAIN_NUMBERS = (
    "sexagesimal: 1:30\nfloat_sexagesimal: 1:30.5\noctal: 010\nhex: 0x1F\n"
    "binary: 0b101\nunderscores: 330_000\nwhole: -12\npoint: .5\n"
    "exponent: 1.0e+6\nzero: 0\n"
)


@pytest.mark.skipif(yamlio._FastStrictLoader is None, reason="PyYAML without libyaml")
def test_only_decimal_numbers_are_numbers_for_either_parser():
    # YAML 1.1 would read 1:30 as 90, 010 as 8, 0x1F as 31 and 0b101 as 5
    expected = {
        "sexagesimal": "1:30",
        "float_sexagesimal": "1:30.5",
        "octal": "010",
        "hex": "0x1F",
        "binary": "0b101",
        "underscores": 330000,
        "whole": -12,
        "point": 0.5,
        "exponent": 1000000.0,
        "zero": 0,
    }
    assert pure_parse(PLAIN_NUMBERS) == expected
    assert fast_parse(PLAIN_NUMBERS) == expected


def billion_laughs(levels: int) -> str:
    """A YAML 'billion laughs': each level lists the one before nine times."""
    lines = ['l0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, levels):
        lines.append(f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 9) + "]")
    return "\n".join(lines) + "\n"


@pytest.mark.skipif(yamlio._FastStrictLoader is None, reason="PyYAML without libyaml")
def test_an_alias_bomb_is_refused_by_either_parser_without_being_built():
    text = billion_laughs(12)  # 9**12 'lol's: 282 billion, in under 1 kB
    for parse in (pure_parse, fast_parse):
        with pytest.raises(InputError, match="an alias bomb"):
            parse(text)


def test_a_few_aliases_are_read_and_the_budget_counts_what_they_add():
    # l0 is 10 nodes (a list of nine); l1 stands for 1 + 9 x 10 = 91 of which
    # 1 is written (aliases add 90), l2 for 1 + 9 x 91 = 820 (add 819), l3 for
    # 1 + 9 x 820 = 7,381 (add 7,380): four levels add 8,289, within 10,000
    four = yamlio.loads_yaml(billion_laughs(4))
    assert four["l3"][0][0][0] == ["lol"] * 9
    # l4 stands for 1 + 9 x 7,381 = 66,430: five levels add 74,718, over it
    with pytest.raises(InputError, match="found aliases adding 74,718"):
        yamlio.loads_yaml(billion_laughs(5))


def test_text_with_a_control_character_is_refused_naming_the_key():
    with pytest.raises(InputError, match=r"line 2, key 'name'.*#x001b"):
        yamlio.loads_yaml('a: 1\nname: "\\e[31mCouncil"\n', source="f.yaml")


def test_a_mark_that_reverses_text_is_refused_like_a_control_character():
    # U+202E (right-to-left override) shows the text after it backwards
    with pytest.raises(InputError, match=r"key 'name'.*#x202e"):
        yamlio.loads_yaml('name: "Council A\\u202e1 lionuoC"\n', source="f.yaml")
