"""Writing an option into a case file, keeping everything else of the file as it was.

A case file is written by people: its comments, key order, quoting, blank lines
and ``source:`` notes are part of it.  :func:`add_option` adds one option under
``options`` with a ruamel.yaml round trip (which keeps all of that), and refuses
to write unless

* every line of the file is still there, in the same order (the new option's
  lines are the only ones added);
* the file read back with the strict loader (:mod:`models.core.yamlio`) means
  what it meant before, plus the new option exactly as given;
* ``check`` (the caller's validation of the whole case) passes on the new file.

The new file is written beside the old one under a temporary name and then
moved over it (``os.replace``), so a reader sees the old file or the new one,
never half of one.  This module writes text; it does no arithmetic and knows
nothing of the model.
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import yaml
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import CommentMark, YAMLError
from ruamel.yaml.representer import RoundTripRepresenter
from ruamel.yaml.scalarstring import (
    FoldedScalarString,
    LiteralScalarString,
    ScalarString,
)
from ruamel.yaml.tokens import CommentToken

from models.core.errors import InputError, InputErrors
from models.core.yamlio import describe, load_yaml, loads_yaml

LINE_WIDTH = 80
"""Width [characters] at which a new option's long description is folded."""

INDENTS = ((2, 4, 2), (2, 2, 0), (4, 4, 2), (4, 6, 4), (4, 4, 0))
"""Layouts tried, (mapping indent, sequence indent, dash offset) [spaces]: the
first that writes the file back unchanged is the file's own."""

_PYYAML = yaml.resolver.Resolver()
"""PyYAML's YAML 1.1 resolver: how the strict loader will read a plain scalar."""


class _Representer(RoundTripRepresenter):
    """Round-trip representer writing new values so the strict loader (PyYAML,
    YAML 1.1) reads them back as the same values."""

    def represent_str(self, data: str) -> Any:
        if isinstance(data, ScalarString):  # as the file had it
            return super().represent_str(data)
        tag = _PYYAML.resolve(yaml.ScalarNode, data, (True, False))
        if tag != "tag:yaml.org,2002:str":  # 'yes', '1e3', '2012-04-01'...
            return self.represent_scalar("tag:yaml.org,2002:str", data, style="'")
        return super().represent_str(data)

    def represent_float(self, data: float) -> Any:
        if type(data) is not float:  # a ScalarFloat keeps the file's own text
            return super().represent_float(data)
        text = repr(data).lower()
        if "e" in text and "." not in text:
            text = text.replace("e", ".0e", 1)  # YAML 1.1 needs a dot: 1.0e-05
        return self.represent_scalar("tag:yaml.org,2002:float", text)


_Representer.add_representer(str, _Representer.represent_str)
_Representer.add_representer(float, _Representer.represent_float)


def add_option(
    path: str | Path,
    name: str,
    option: Mapping[str, Any],
    check: Callable[[Path], object] | None = None,
) -> None:
    """Add the option ``name`` (``{description, overrides}``) to the case file ``path``.

    ``check`` is called with the path of the new file, written beside the case
    file under a temporary name, before it replaces the case file; an
    :class:`InputError` it raises names ``path``, and nothing is written.
    Raises :class:`InputError` naming ``options.<name>`` if the case has an
    option of that name already.
    """
    path = Path(path)
    text = _read_text(path)
    replace_file(path, case_text_with_option(text, name, option, source=path), check)


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        load_yaml(path)  # names the problem as the loader names it
        raise


def case_text_with_option(
    text: str, name: str, option: Mapping[str, Any], source: str | Path | None = None
) -> str:
    """The case file ``text`` with the option ``name`` added at the end of ``options``.

    Comments, blank lines, key order and quoting are kept (a ruamel.yaml round
    trip); a comment block that stood between the last option and the next key
    stays above that key.  Raises :class:`InputError` if the case has the option
    already, or if the file cannot be written back line for line.

    >>> text = "options:\\n  a:\\n    description: A.  # kept\\n# next\\nnext: 1\\n"
    >>> print(case_text_with_option(text, "b", {"description": "B."}), end="")
    options:
      a:
        description: A.  # kept
      b:
        description: B.
    # next
    next: 1
    """
    before = loads_yaml(text, source=source)
    options = before.get("options") if isinstance(before, dict) else None
    if not isinstance(options, dict):
        found = describe(options) if options is not None else "no 'options'"
        raise InputError(source, "options", "a mapping of options", found)
    if name in options:
        raise InputError(
            source,
            f"options.{name}",
            f"the name of a new option (the case has {', '.join(options)})",
            f"an option '{name}' already in the file",
        )
    round_trip, data = _round_trip(text, source)
    _keep_comment_above_next_key(data, "options")
    data["options"][name] = _commented(_plain(dict(option)))
    out = io.StringIO()
    round_trip.dump(data, out)
    new_text = out.getvalue()
    _check_lines_kept(text, new_text, source)
    _check_meaning_kept(before, new_text, name, _plain(dict(option)), source)
    return new_text


def replace_file(
    path: str | Path, text: str, check: Callable[[Path], object] | None = None
) -> None:
    """Write ``text`` over the file ``path`` atomically, after ``check`` passes.

    The text goes to a temporary file in the same folder (with the file's
    permissions), ``check`` reads it there (files it names resolve as they would
    for ``path``), and ``os.replace`` moves it over ``path``.  On any failure
    the temporary file is removed and ``path`` is untouched.
    """
    path = Path(path)
    handle, name = tempfile.mkstemp(
        dir=path.parent, prefix=f".{path.name}.", suffix=".tmp"
    )
    temporary = Path(name)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        with contextlib.suppress(OSError):
            shutil.copymode(path, temporary)
        if check is not None:
            try:
                check(temporary)
            except InputError as exc:
                raise _naming(exc, temporary, path) from None
        os.replace(temporary, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()


def _naming(exc: InputError, temporary: Path, path: Path) -> InputError:
    """The error ``check`` raised about the temporary file, naming ``path``."""
    if isinstance(exc, InputErrors):
        return InputErrors([_naming(e, temporary, path) for e in exc.errors])

    def named(text: str | None) -> str | None:
        return text.replace(str(temporary), str(path)) if text is not None else None

    return InputError(
        named(exc.file), named(exc.where), named(exc.expected) or "", named(exc.found)
    )


def _round_trip(text: str, source: str | Path | None) -> tuple[YAML, CommentedMap]:
    """A round-trip YAML that writes ``text`` back unchanged, in the file's layout,
    and the text as it reads it."""
    data = None
    for mapping, sequence, offset in INDENTS:
        round_trip = YAML()
        round_trip.Representer = _Representer
        round_trip.preserve_quotes = True
        round_trip.width = 1_000_000  # never re-wrap a line of the file
        round_trip.indent(mapping=mapping, sequence=sequence, offset=offset)
        out = io.StringIO()
        try:
            data = round_trip.load(text) if data is None else data
            round_trip.dump(data, out)
        except YAMLError:
            break
        if out.getvalue() in (text, text + "\n"):  # a missing last newline is added
            return round_trip, data
    raise InputError(
        source,
        None,
        "a case file that can be written back line for line (keys indented by 2 "
        "or 4 spaces throughout, lists alike), to add an option to it",
        "a layout that writing would change; add the option by hand",
    )


def _keep_comment_above_next_key(data: CommentedMap, key: str) -> None:
    """Move the comment lines after the last line of ``data[key]`` onto the next
    top-level key, so that a new last entry goes above them, not below.

    ruamel.yaml keeps the lines between a block and the next key with the last
    value of the block (after its end-of-line comment, if it has one)."""
    keys = list(data)
    following = keys.index(key) + 1
    if following == len(keys):
        return  # nothing after the block: its trailing comment stays at the end
    node, last = _last_entry(data[key])
    if node is None:
        return
    position = 2 if isinstance(node, CommentedMap) else 0
    comments = node.ca.items.get(last)
    token = comments[position] if comments else None
    if token is None:
        return
    if isinstance(node[last], LiteralScalarString | FoldedScalarString):
        end_of_line, lines = "", token.value  # a block scalar ends its own line
    else:
        end_of_line, _, lines = token.value.partition("\n")
        end_of_line = end_of_line + "\n" if end_of_line else ""
    comments[position] = (
        CommentToken(end_of_line, token.start_mark, None) if end_of_line else None
    )
    before_next = data.ca.items.setdefault(keys[following], [None, None, None, None])
    before_next[1] = [
        CommentToken(lines, CommentMark(0), None),
        *(before_next[1] or []),
    ]


def _last_entry(node: Any) -> tuple[Any, Any]:
    """The innermost block mapping or list holding the last value of ``node``, and
    that value's key or index; (None, None) if ``node`` is empty or not a block."""
    found: tuple[Any, Any] = (None, None)
    while isinstance(node, CommentedMap | CommentedSeq) and len(node):
        if node.fa.flow_style():
            break  # a flow collection keeps its comments itself
        last = next(reversed(node)) if isinstance(node, CommentedMap) else len(node) - 1
        found = (node, last)
        node = node[last]
    return found


def _plain(value: Any) -> Any:
    """``value`` as plain YAML data: mappings with text keys, lists, and numpy
    numbers as Python numbers."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if type(value).__module__ == "numpy" and hasattr(value, "item"):
        return value.item()
    return value


def _commented(value: Any, indent: int = 4) -> Any:
    """Plain data as ruamel.yaml writes it in block style; a long description is
    folded at :data:`LINE_WIDTH` (``>-``), as the case files write theirs."""
    if isinstance(value, dict):
        out = CommentedMap()
        for key, item in value.items():
            out[key] = _commented(item, indent + 2)
        return out
    if isinstance(value, list):
        return CommentedSeq(_commented(v, indent + 2) for v in value)
    if isinstance(value, str) and "\n" not in value and len(value) > LINE_WIDTH:
        return _folded(value, LINE_WIDTH - indent)
    return value


def _folded(text: str, width: int) -> FoldedScalarString:
    """``text`` as a folded block scalar broken at single spaces before ``width``."""
    folded = FoldedScalarString(text)
    positions, start = [], 0
    while len(text) - start > width:
        cut = text.rfind(" ", start + 1, start + width)
        while cut > start and (text[cut - 1] == " " or text[cut + 1] == " "):
            cut = text.rfind(" ", start + 1, cut)
        if cut <= start:
            break
        positions.append(cut)
        start = cut + 1
    folded.fold_pos = positions
    return folded


def _check_lines_kept(text: str, new_text: str, source: str | Path | None) -> None:
    """Every line of ``text`` is in ``new_text``, in the same order."""
    new_lines = iter(new_text.splitlines())
    for number, line in enumerate(text.splitlines(), 1):
        if not any(new == line for new in new_lines):
            raise InputError(
                source,
                f"line {number}",
                "a case file that can be written back line for line, to add an "
                "option to it",
                f"writing would change {line.strip()[:60]!r}; add the option by hand",
            )


def _check_meaning_kept(
    before: dict, new_text: str, name: str, option: dict, source: str | Path | None
) -> None:
    """The new text, read strictly, is the old case plus ``option`` as given."""
    after = loads_yaml(new_text, source=source)
    added = after["options"].pop(name, None)
    if after != before:
        raise InputError(
            source,
            None,
            "the rest of the case unchanged by adding an option",
            "a change elsewhere in the file; add the option by hand",
        )
    for key in set(option) | set(added or {}):
        if not _same(option.get(key), (added or {}).get(key)):
            raise InputError(
                source,
                f"options.{name}.{key}",
                "values that YAML writes and reads back unchanged",
                repr(option.get(key))[:80],
            )


def _same(given: Any, read: Any) -> bool:
    """Whether a value read back is the value given, type and all."""
    if isinstance(given, dict) and isinstance(read, dict):
        return given.keys() == read.keys() and all(
            _same(v, read[k]) for k, v in given.items()
        )
    if isinstance(given, list) and isinstance(read, list):
        return len(given) == len(read) and all(map(_same, given, read))
    return type(given) is type(read) and given == read
