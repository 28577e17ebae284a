"""One translator of pydantic validation errors into InputErrors for people.

Each error names the file, the key path (``services.hr.go_live``), what was
expected in words a finance lead reads (``a date written YYYY-MM-DD``) and what
was found; a misspelt key suggests the known key it is closest to."""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from models.core.errors import InputError, InputErrors
from models.inputs.quantities import how_to_write_number


def _field_names(model: type[BaseModel], seen: set[type] | None = None) -> set[str]:
    """Every field name in the schema, for 'did you mean' hints."""
    seen = seen if seen is not None else set()
    if model in seen:
        return set()
    seen.add(model)
    names = set(model.model_fields)
    for f in model.model_fields.values():
        for arg in _type_args(f.annotation):
            if isinstance(arg, type) and issubclass(arg, BaseModel):
                names |= _field_names(arg, seen)
    return names


def _type_args(tp: Any) -> list[Any]:
    args = list(getattr(tp, "__args__", ()) or ())
    out = [tp]
    for a in args:
        out.extend(_type_args(a))
    return out


def _loc_to_path(loc: tuple[Any, ...], data: Any = None) -> str:
    """Dotted key path of an error location; a list item whose mapping in ``data``
    has an ``id`` is named by it (``rows[0] (payroll)``)."""
    parts: list[str] = []
    node = data
    for item in loc:
        if isinstance(item, int):
            node = (
                node[item] if isinstance(node, list) and 0 <= item < len(node) else None
            )
            label = (
                f" ({node['id']})"
                if isinstance(node, dict) and isinstance(node.get("id"), str)
                else ""
            )
            parts[-1:] = [f"{parts[-1]}[{item}]{label}"] if parts else [f"[{item}]"]
        elif "function-" in str(item):
            continue
        else:
            parts.append(str(item))
            node = node.get(item) if isinstance(node, dict) else None
    return ".".join(parts)


_UNION_BRANCHES = ("float", "int", "literal['green_book']", "Rate", "function-after")
"""Names pydantic gives the branches of a union in an error's location."""


def _key_path(loc: tuple[Any, ...], data: Any = None) -> tuple[Any, ...]:
    """The location without pydantic's names of union branches (it repeats a
    location once per branch: ``function-after[...]``, ``Rate``...).

    A key that is in ``data`` (the mapping validated) is a key of the file and
    is kept, even if it looks like a branch name (``sta[ff]``): else a key
    holding ``[`` would be dropped and its error put on its parent.

    >>> _key_path(("a", "function-after[f(), int]", "b"))
    ('a', 'b')
    >>> _key_path(("a", "b[c]"), {"a": {"b[c]": 1}})
    ('a', 'b[c]')
    """
    kept: list[Any] = []
    node = data
    for item in loc:
        if isinstance(item, int):
            kept.append(item)
            is_item = isinstance(node, list) and 0 <= item < len(node)
            node = node[item] if is_item else None
        elif isinstance(node, dict) and item in node:
            kept.append(item)
            node = node[item]
        elif isinstance(item, str) and ("[" in item or item in _UNION_BRANCHES):
            continue  # a union branch: the same place in the file
        else:
            kept.append(item)
            node = None
    return tuple(kept)


_EXPECTED = {
    "int_parsing": "a whole number",
    "int_type": "a whole number",
    "int_from_float": "a whole number",
    "float_parsing": "a number",
    "float_type": "a number",
    "date_parsing": "a date written YYYY-MM-DD",
    "date_from_datetime_parsing": "a date written YYYY-MM-DD",
    "date_type": "a date written YYYY-MM-DD",
    "bool_parsing": "true or false",
    "bool_type": "true or false",
    "string_type": "text",
    "dict_type": "a mapping of keys",
    "model_type": "a mapping of keys",
    "list_type": "a list",
    "finite_number": "an ordinary number (not .nan or .inf)",
    "date_from_datetime_inexact": "a date written YYYY-MM-DD",
}
"""How each kind of pydantic type error is put to a finance lead."""


def validation_errors(
    exc: ValidationError,
    source: str | Path | None,
    model: type[BaseModel],
    prefix: str = "",
    data: Any = None,
) -> InputErrors:
    """Turn a pydantic ValidationError into InputErrors naming each key path.

    The one translator of the package: case files, risk registers, actuals files
    and severance policies all report through it.  ``prefix`` goes before every
    key path (``severance_policies.bdc.``); ``data``, the mapping that was
    validated, lets a path name a list item by its ``id``
    (``rows[0] (payroll).actual``).  An unknown key suggests the closest known
    one; a missing key, a wrong type and a validator's own message each read as
    "expected ..., found ...".
    """
    known = sorted(_field_names(model))
    errors: list[InputError] = []
    # a misspelt key also makes the right one "missing": report it first
    for err in sorted(exc.errors(), key=lambda e: e["type"] != "extra_forbidden"):
        loc = _key_path(tuple(err["loc"]), data)
        path = prefix + (_loc_to_path(loc, data) or "top level")
        kind = err["type"]
        ctx = err.get("ctx") or {}
        if kind == "extra_forbidden":
            key = str(loc[-1]) if loc else "?"
            hint = difflib.get_close_matches(key, known, n=1)
            expected = "a known key" + (f" (did you mean '{hint[0]}'?)" if hint else "")
            errors.append(InputError(source, path, expected, f"unknown key '{key}'"))
        elif kind == "missing":
            errors.append(
                InputError(source, path, "this required key", "it is missing")
            )
        elif kind == "value_error":
            msg = str(ctx.get("error", err["msg"]))
            if isinstance(ctx.get("error"), CrossReferenceError):
                for where, expected, found in ctx["error"].problems:
                    errors.append(InputError(source, prefix + where, expected, found))
                continue
            expected, _, stated = msg.removeprefix("expected ").partition(", found ")
            errors.append(InputError(source, path, expected, _found(err, stated)))
        else:
            expected = _EXPECTED.get(kind)
            if expected is None:
                expected = err["msg"].removeprefix("Input should be ")
                expected = expected[0].lower() + expected[1:] if expected else kind
            if kind in ("float_parsing", "int_parsing") and isinstance(
                err.get("input"), str
            ):
                expected += how_to_write_number(err["input"])
            errors.append(InputError(source, path, expected, _found(err)))
    # de-duplicate (union branches repeat)
    unique: dict[str, InputError] = {}
    for e in errors:
        unique.setdefault(e.message, e)
    return InputErrors(list(unique.values()))


def _found(err: Any, stated: str = "") -> str | None:
    """What a validator found: as its message states it, or the value if it is short
    (never the repr of a whole mapping or list)."""
    if stated:
        return stated
    text = repr(err.get("input"))
    if isinstance(err.get("input"), dict | list) and len(text) > 40:
        return None
    return text[:80]


class CrossReferenceError(ValueError):
    def __init__(self, problems: list[tuple[str, str, str | None]]):
        self.problems = problems
        super().__init__("; ".join(p[1] for p in problems))
