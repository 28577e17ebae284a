"""Strict YAML reading: ``yaml.safe_load`` semantics, duplicate keys rejected.

PyYAML silently keeps the last of two equal keys; a misplaced copy-paste in a
case file would then change a figure without anyone noticing.  This loader
refuses it and names the line.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from models.errors import InputError


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that rejects duplicate mapping keys."""


def _construct_mapping(
    loader: _StrictLoader, node: yaml.MappingNode, deep: bool = False
):
    seen: dict[Any, int] = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        line = key_node.start_mark.line + 1
        if key in seen:
            raise InputError(
                getattr(loader, "_source", None),
                f"line {line}",
                f"each key once in a mapping, but {key!r} repeats the key on line "
                f"{seen[key]}",
            )
        seen[key] = line
    return yaml.SafeLoader.construct_mapping(loader, node, deep=deep)


_StrictLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping
)


def load_yaml(path: str | Path) -> Any:
    """Read a YAML file strictly; raise :class:`InputError` naming the file and line."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(path, None, "an existing file", "no such file") from None
    except UnicodeDecodeError:
        raise InputError(path, None, "UTF-8 text", "undecodable bytes") from None
    except IsADirectoryError:
        raise InputError(path, None, "a file", "a folder") from None
    except OSError as exc:
        raise InputError(
            path, None, "a readable file", exc.strerror or str(exc)
        ) from None
    return loads_yaml(text, source=path)


def loads_yaml(text: str, source: str | Path | None = None) -> Any:
    """Parse YAML text strictly (see :func:`load_yaml`)."""
    loader = _StrictLoader(text)
    loader._source = str(source) if source is not None else None  # type: ignore[attr-defined]
    try:
        return loader.get_single_data()
    except InputError:
        raise
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc)
        raise InputError(source, where, "valid YAML", problem) from None
    finally:
        loader.dispose()
