"""Validate any kind of YAML file kept in ``scenarios/`` by its ``kind`` key.

Each kind registers a loader that raises :class:`~models.core.errors.InputError`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from models.core.errors import InputError
from models.core.yamlio import describe, load_yaml

Loader = Callable[[Path], Any]
_KINDS: dict[str, Loader] = {}


def register_kind(kind: str, loader: Loader) -> None:
    """Register the loader of a file kind (``case``, ``actuals``, ``risk_register``...)."""
    _KINDS[kind] = loader


def known_kinds() -> list[str]:
    _register_builtin()
    return sorted(_KINDS)


def _register_builtin() -> None:
    if "case" in _KINDS:
        return
    from models.inputs.case import load_case

    register_kind("case", load_case)
    # later kinds register themselves here (see README "File kinds")
    for module in ("models.model.monitoring", "models.model.risks"):
        try:
            mod = __import__(module, fromlist=["register"])
        except ImportError:
            continue
        reg = getattr(mod, "register_file_kind", None)
        if reg is not None:
            reg(register_kind)


def validate_file(path: str | Path) -> str:
    """Validate one file; return its kind.  Raises InputError on any problem."""
    _register_builtin()
    path = Path(path)
    raw = load_yaml(path)
    if not isinstance(raw, dict):
        raise InputError(
            path,
            None,
            "a mapping with a 'kind' key at the top level",
            describe(raw),
        )
    kind = raw.get("kind")
    if not isinstance(kind, str) or kind not in _KINDS:
        found = "no kind key" if "kind" not in raw else repr(kind)[:80]
        raise InputError(path, "kind", f"one of: {', '.join(sorted(_KINDS))}", found)
    _KINDS[kind](path)
    return kind
