"""Strict YAML reading: ``yaml.safe_load`` semantics, duplicate keys rejected.

PyYAML silently keeps the last of two equal keys; a misplaced copy-paste in a
case file would then change a figure without anyone noticing.  This loader
refuses it and names the line.  It also refuses tags (``!!python/object``,
``!!binary``, ``!custom``...): input files hold text, numbers, dates, lists and
mappings only.  Every problem is an :class:`InputError` naming the file and the
line (and the key, where there is one); nothing PyYAML raises gets through.
"""

from __future__ import annotations

import codecs
import copy
import hashlib
from pathlib import Path
from typing import Any

import yaml

from models.core.errors import InputError

PLAIN_VALUES = "plain values (text, numbers, dates, lists and mappings)"

_REFUSED_TAGS = {f"tag:yaml.org,2002:{t}" for t in ("binary", "set", "omap", "pairs")}
"""Tags SafeLoader would read into bytes, sets or pairs: no input file needs them."""


class _StrictConstruction:
    """The strict constructors, for either parser: duplicate and unhashable keys,
    tags and impossible values are refused, naming the line and key."""

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        if node.tag not in self.yaml_constructors or node.tag in _REFUSED_TAGS:
            raise InputError(
                self._source,
                self._where(node),
                PLAIN_VALUES,
                f"the tag '{_short_tag(node.tag)}'",
            )
        try:
            return super().construct_object(node, deep=deep)
        except (ValueError, OverflowError) as exc:
            # a scalar that matches a YAML type but cannot be built, such as
            # 2011-13-45 (read as a date) or !!float xx
            raise InputError(
                self._source,
                self._where(node),
                _expected_for(node.tag),
                f"{node.value!r} ({exc})",
            ) from None

    def _where(self, node: yaml.Node) -> str:
        where = f"line {node.start_mark.line + 1}"
        key = self._keys.get(id(node))
        return where if key is None else f"{where}, key '{key}'"


class _StrictLoader(_StrictConstruction, yaml.SafeLoader):
    """SafeLoader (pure Python) with the strict constructors."""


def _short_tag(tag: str) -> str:
    return tag.replace("tag:yaml.org,2002:", "!!")


def _expected_for(tag: str) -> str:
    kind = _short_tag(tag).removeprefix("!!")
    return {
        "timestamp": "a real date written YYYY-MM-DD",
        "int": "a whole number",
        "float": "a number",
    }.get(kind, PLAIN_VALUES)


def _construct_mapping(
    loader: _StrictLoader, node: yaml.MappingNode, deep: bool = False
):
    seen: dict[Any, int] = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        line = key_node.start_mark.line + 1
        try:
            hash(key)
        except TypeError:
            raise InputError(
                loader._source,
                f"line {line}",
                "a key of text or a number",
                f"a {type(key).__name__} used as a key",
            ) from None
        if key in seen:
            raise InputError(
                loader._source,
                f"line {line}",
                f"each key once in a mapping, but {key!r} repeats the key on line "
                f"{seen[key]}",
            )
        seen[key] = line
        loader._keys[id(value_node)] = key
    return yaml.SafeLoader.construct_mapping(loader, node, deep=deep)


_StrictLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping
)

_NON_PRINTABLE = yaml.reader.Reader.NON_PRINTABLE
"""Characters the pure-Python reader refuses (it names them)."""

if getattr(yaml, "__with_libyaml__", False):

    class _FastStrictLoader(_StrictConstruction, yaml.CSafeLoader):
        """The strict constructors on libyaml's parser."""

    _FastStrictLoader.add_constructor(
        yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping
    )
else:  # pragma: no cover - PyYAML built without libyaml
    _FastStrictLoader = None


def undecodable(data: bytes, exc: UnicodeDecodeError) -> str:
    """What a file that is not UTF-8 text looks like, in words."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "UTF-16 text (save the file as UTF-8)"
    if b"\x00" in data[:4096]:
        return "binary data, not text (is this the right file?)"
    line = data[: exc.start].count(b"\n") + 1
    return f"bytes that are not UTF-8 on line {line} (save the file as UTF-8)"


def load_yaml(path: str | Path) -> Any:
    """Read a YAML file strictly; raise :class:`InputError` naming the file and line.

    Text parsed already is not parsed again (the same bytes give the same data);
    the caller gets its own copy of what was read.  A command reads a case file
    more than once (its kind, then the case; an actuals file's approved case),
    and parsing is most of the time it takes.
    """
    path = Path(path)
    try:
        data = path.read_bytes()
        text = data.decode("utf-8")
    except FileNotFoundError:
        raise InputError(path, None, "an existing file", "no such file") from None
    except UnicodeDecodeError as exc:
        raise InputError(path, None, "UTF-8 text", undecodable(data, exc)) from None
    except IsADirectoryError:
        raise InputError(path, None, "a file", "a folder") from None
    except OSError as exc:
        raise InputError(
            path, None, "a readable file", exc.strerror or str(exc)
        ) from None
    key = hashlib.sha256(data).digest()
    if key not in _PARSED:
        parsed = loads_yaml(text, source=path)
        if len(_PARSED) >= 32:
            _PARSED.clear()
        _PARSED[key] = parsed
    return copy.deepcopy(_PARSED[key])


_PARSED: dict[bytes, Any] = {}
"""What each text held when parsed, by the SHA-256 of its bytes."""


def loads_yaml(text: str, source: str | Path | None = None) -> Any:
    """Parse YAML text strictly (see :func:`load_yaml`).

    Text of printable characters is parsed by libyaml (PyYAML's C parser, with
    the same strict constructors) where PyYAML has it: about ten times faster.
    Anything it refuses is parsed again by the pure-Python parser, whose
    messages (line, column, what to fix) are the ones a user sees.
    """
    if _FastStrictLoader is not None and not _NON_PRINTABLE.search(text):
        fast = _FastStrictLoader(text)
        fast._source = str(source) if source is not None else None  # type: ignore[attr-defined]
        fast._keys = {}  # type: ignore[attr-defined]
        try:
            return fast.get_single_data()
        except Exception:  # noqa: BLE001 - the pure parser names the problem
            pass
        finally:
            fast.dispose()
    loader = None
    try:
        loader = _StrictLoader(text)  # checks the characters already
        loader._source = str(source) if source is not None else None  # type: ignore[attr-defined]
        loader._keys = {}  # type: ignore[attr-defined]
        return loader.get_single_data()
    except InputError:
        raise
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1
        raise InputError(
            source,
            f"line {line}",
            "text without control characters",
            f"the character #x{exc.character:04x}"
            if isinstance(exc.character, int)
            else str(exc.reason),
        ) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = (
            f"line {mark.line + 1}, column {mark.column + 1}"
            if mark is not None
            else None
        )
        problem = getattr(exc, "problem", None) or str(exc)
        expected, found = _syntax_problem(problem)
        raise InputError(source, where, expected, found) from None
    except RecursionError:
        raise InputError(
            source, None, "YAML nested a few dozen levels at most", "deeper nesting"
        ) from None
    finally:
        if loader is not None:
            loader.dispose()


_SYNTAX_PROBLEMS = {
    "mapping values are not allowed here": (
        "valid YAML: one 'key: value' a line, a nested key indented under its "
        "parent (check the indentation of this line and the one above)",
        "a second ':' where a value was expected",
    ),
    "expected <block end>, but found '<block mapping start>'": (
        "valid YAML: the keys of one mapping indented by the same number of "
        "spaces (check the indentation of this line against the keys above)",
        "a line whose indentation matches none of the keys above it",
    ),
    "could not find expected ':'": (
        "valid YAML: a ':' after each key (and a space after the ':')",
        "a line with no ':'",
    ),
    "found character '\\t' that cannot start any token": (
        "valid YAML: indentation with spaces",
        "a tab character",
    ),
}
"""The parser's words for common slips, put as what to fix (expected, found)."""


def _syntax_problem(problem: str) -> tuple[str, str]:
    """(expected, found) for a YAML syntax error, in words a finance lead reads."""
    for words, meaning in _SYNTAX_PROBLEMS.items():
        if words in problem:
            return meaning
    return "valid YAML", problem.removeprefix("found ")


def describe(value: Any) -> str:
    """What was found where a mapping of keys was expected, in words.

    >>> describe(None), describe([1]), describe("x")
    ('an empty file (nothing but blank lines or comments)', 'a list', "a single value 'x'")
    """
    if value is None:
        return "an empty file (nothing but blank lines or comments)"
    if isinstance(value, list):
        return "a list"
    return f"a single value {value!r}"[:80]
