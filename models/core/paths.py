"""Finding input files from wherever a notebook or command runs.

JupyterLab runs a notebook with ``notebooks/`` as the working directory,
papermill with the caller's; a relative path such as
``scenarios/bromsgrove_redditch_2011.yaml`` is therefore tried as given, then
against the project root (the folder holding ``scenarios/``).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from models.core.errors import InputError

PACKAGE_DIR = Path(__file__).resolve().parents[1]


def project_root() -> Path:
    """The source checkout's root (parent of ``models/``), or the working directory."""
    root = PACKAGE_DIR.parent
    return root if (root / "scenarios").is_dir() else Path.cwd()


def resolve_input(path: str | Path, must_exist: bool = True) -> Path:
    """An input file: as given if it exists, else relative to the project root.

    With ``must_exist=False`` a path found nowhere is returned as given, so that
    the loader reports it with its own message.
    """
    p = Path(path)
    for candidate in (p, Path.cwd().parent / p, project_root() / p):
        if candidate.exists():
            return candidate.resolve()
    if not must_exist:
        return p
    raise InputError(
        p,
        None,
        "an existing file (looked in the working directory "
        f"and under {project_root()})",
        "no such file",
    )


def file_sha256(path: str | Path) -> str:
    """SHA-256 of a file's bytes (inputs are hashed into every export)."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()
