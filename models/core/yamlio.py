"""Strict YAML reading: ``yaml.safe_load`` semantics, duplicate keys rejected.

PyYAML silently keeps the last of two equal keys; a misplaced copy-paste in a
case file would then change a figure without anyone noticing.  This loader
refuses it and names the line.  It also refuses tags (``!!python/object``,
``!!binary``, ``!custom``...): input files hold text, numbers, dates, lists and
mappings only.  Every problem is an :class:`InputError` naming the file and the
line (and the key, where there is one); nothing PyYAML raises gets through.

Resources are bounded: a file of more than :data:`~models.core.paths.MAX_YAML_BYTES`,
a device or a FIFO is refused before it is read, and aliases (``*name``) may
add at most :data:`ALIAS_BUDGET` nodes to what the file spells out, so that a
2 kB "billion laughs" cannot take the memory of the machine.

YAML 1.1 reads some plain text as numbers a person would not expect: ``1:30``
(sexagesimal, 90), ``010`` (octal, 8), ``0x1F`` and ``0b101``.  Here a plain
number is decimal (``330000``, ``330_000``, ``0.035``, ``1.0e+6``); anything
else is text, which a key that wants a number refuses.  Text holding a control
character (written with an escape such as ``"\\e"`` or ``"\\a"``) is refused too.
"""

from __future__ import annotations

import codecs
import copy
import hashlib
import re
from pathlib import Path
from typing import Any

import yaml

from models.core.errors import InputError
from models.core.names import control_character
from models.core.paths import MAX_YAML_BYTES, read_input_bytes

PLAIN_VALUES = "plain values (text, numbers, dates, lists and mappings)"

_REFUSED_TAGS = {f"tag:yaml.org,2002:{t}" for t in ("binary", "set", "omap", "pairs")}
"""Tags SafeLoader would read into bytes, sets or pairs: no input file needs them."""

ALIAS_BUDGET = 10_000
"""Most nodes that aliases may add to a file [nodes]: each ``*name`` counts the
nodes of what it stands for.  An anchor reused for a handful of settings costs
tens; a "billion laughs" costs billions and is refused before it is built."""

_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_DECIMAL_INT = re.compile(r"^[-+]?(?:0|[1-9][0-9_]*)$")
"""A plain whole number: decimal only (no octal, hex, binary or sexagesimal)."""
_DECIMAL_FLOAT = re.compile(
    r"""^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?
    |\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?
    |[-+]?\.(?:inf|Inf|INF)
    |\.(?:nan|NaN|NAN))$""",
    re.X,
)
"""A plain decimal number with a point (YAML 1.1 without sexagesimal ``1:30.5``)."""


def _strict_implicit_resolvers() -> dict[str, list[tuple[str, re.Pattern]]]:
    """PyYAML's implicit resolvers with :data:`_DECIMAL_INT` and
    :data:`_DECIMAL_FLOAT` in place of YAML 1.1's int and float patterns."""
    table: dict[str, list[tuple[str, re.Pattern]]] = {}
    for first, resolvers in yaml.resolver.Resolver.yaml_implicit_resolvers.items():
        kept = [(tag, rx) for tag, rx in resolvers if tag not in (_INT, _FLOAT)]
        if first in "-+0123456789":
            kept.append((_INT, _DECIMAL_INT))
        if first in "-+.0123456789":
            kept.append((_FLOAT, _DECIMAL_FLOAT))
        table[first] = kept
    return table


class _StrictConstruction:
    """The strict constructors, for either parser: duplicate and unhashable keys,
    tags, impossible values, control characters and alias bombs are refused,
    naming the line and key."""

    yaml_implicit_resolvers = _strict_implicit_resolvers()

    def construct_document(self, node: yaml.Node) -> Any:
        _check_alias_budget(node, self._source)
        return super().construct_document(node)

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        if node.tag not in self.yaml_constructors or node.tag in _REFUSED_TAGS:
            raise InputError(
                self._source,
                self._where(node),
                PLAIN_VALUES,
                f"the tag '{_short_tag(node.tag)}'",
            )
        try:
            value = super().construct_object(node, deep=deep)
        except (ValueError, OverflowError) as exc:
            # a scalar that matches a YAML type but cannot be built, such as
            # 2011-13-45 (read as a date) or !!float xx
            raise InputError(
                self._source,
                self._where(node),
                _expected_for(node.tag),
                f"{str(node.value)[:40]!r} ({exc})",
            ) from None
        if isinstance(value, str) and (character := control_character(value)):
            raise InputError(
                self._source,
                self._where(node),
                "text without control characters",
                f"the character {character}",
            )
        return value

    def _where(self, node: yaml.Node) -> str:
        where = f"line {node.start_mark.line + 1}"
        key = self._keys.get(id(node))
        return where if key is None else f"{where}, key '{key}'"


class _StrictLoader(_StrictConstruction, yaml.SafeLoader):
    """SafeLoader (pure Python) with the strict constructors."""


def _check_alias_budget(root: yaml.Node, source: str | None) -> None:
    """Refuse a document whose aliases stand for more than :data:`ALIAS_BUDGET`
    nodes in all (or for themselves: an anchor inside its own value).

    The size of each node, aliases expanded, is counted once (memoised), so a
    bomb is measured in a few thousand steps without being built.
    """
    expanded: dict[int, int] = {}
    building: set[int] = set()

    def size(node: yaml.Node) -> int:
        known = expanded.get(id(node))
        if known is not None:
            return known
        if id(node) in building:
            raise InputError(
                source,
                f"line {node.start_mark.line + 1}",
                "an alias to a value defined before it, not inside it",
                "an alias inside its own anchor",
            )
        building.add(id(node))
        total = 1
        if isinstance(node, yaml.SequenceNode):
            total += sum(size(item) for item in node.value)
        elif isinstance(node, yaml.MappingNode):
            total += sum(size(k) + size(v) for k, v in node.value)
        building.discard(id(node))
        expanded[id(node)] = total
        return total

    spelled_out = size(root)
    written = len(expanded)
    if spelled_out - written > ALIAS_BUDGET:
        raise InputError(
            source,
            None,
            f"aliases (*name) adding at most {ALIAS_BUDGET:,} values to the file",
            f"aliases adding {spelled_out - written:,} (an alias bomb?)",
        )


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
    data = read_input_bytes(path, "YAML", MAX_YAML_BYTES)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(path, None, "UTF-8 text", undecodable(data, exc)) from None
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
    """What was found where a mapping of keys was expected, in words, without
    echoing it: a file that is not the input the key wants (``/etc/passwd`` as
    a risk register) must not have its content printed.

    >>> describe(None), describe([1]), describe("root:x:0:0:root")
    ('an empty file (nothing but blank lines or comments)', 'a list', 'a single value (text of 15 characters)')
    """
    if value is None:
        return "an empty file (nothing but blank lines or comments)"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return f"a single value (text of {len(value)} characters)"
    return f"a single value (a {type(value).__name__})"
