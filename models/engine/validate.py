"""Validate any kind of YAML file kept in ``scenarios/`` by its ``kind`` key.

One loader a kind, in the static table :data:`LOADERS`; each raises
:class:`~models.core.errors.InputError` on any problem.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from models.core.errors import InputError
from models.core.yamlio import describe, load_yaml
from models.engine.loading import load_case
from models.engine.monitoring import load_actuals
from models.inputs.risk_register import load_risk_register

LOADERS: dict[str, Callable[[Path], Any]] = {
    "actuals": load_actuals,
    "case": load_case,
    "risk_register": load_risk_register,
}
"""The loader of each file kind (``kind:`` at the top of the file)."""


def validate_file(path: str | Path) -> str:
    """Validate one file; return its kind.  Raises InputError on any problem."""
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
    if not isinstance(kind, str) or kind not in LOADERS:
        found = "no kind key" if "kind" not in raw else repr(kind)[:80]
        raise InputError(path, "kind", f"one of: {', '.join(sorted(LOADERS))}", found)
    LOADERS[kind](path)
    return kind
