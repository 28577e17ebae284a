"""Finding input files from wherever a notebook or command runs.

JupyterLab runs a notebook with ``notebooks/`` as the working directory,
papermill with the caller's; a relative path such as
``scenarios/bromsgrove_redditch_2011.yaml`` is therefore tried as given, then
against the project root (the folder holding ``scenarios/``).
"""

from __future__ import annotations

import hashlib
import os
import stat
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


MEGABYTE = 1024 * 1024

MAX_YAML_BYTES = 5 * MEGABYTE
"""Largest YAML input file read [bytes]: the biggest case of the project
(``scenarios/county_wide_illustrative.yaml``) is under 100 kB."""

MAX_TABLE_BYTES = 20 * MEGABYTE
"""Largest table (CSV or .xlsx) read [bytes]: about 100,000 staff rows."""


def check_input_file(path: str | Path, what: str, max_bytes: int) -> int:
    """The size [bytes] of the input file ``path``, checked before it is opened.

    Only a regular file (or a symbolic link to one) of at most ``max_bytes`` is
    read: a device (``/dev/zero``), a FIFO, a socket or a folder would block or
    never end, and an oversized file would take the memory of the machine.
    Raises :class:`InputError` naming the file.
    """
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise InputError(path, None, "an existing file", "no such file") from None
    except OSError as exc:
        raise InputError(
            path, None, f"a readable {what} file", exc.strerror or str(exc)
        ) from None
    mode = info.st_mode
    if stat.S_ISDIR(mode):
        raise InputError(path, None, "a file", "a folder")
    if not stat.S_ISREG(mode):
        kind = (
            "a FIFO (named pipe)"
            if stat.S_ISFIFO(mode)
            else "a device"
            if stat.S_ISCHR(mode) or stat.S_ISBLK(mode)
            else "a socket"
            if stat.S_ISSOCK(mode)
            else "a special file"
        )
        raise InputError(path, None, f"an ordinary {what} file", kind)
    if info.st_size > max_bytes:
        raise InputError(
            path,
            None,
            f"a {what} file of at most {max_bytes // MEGABYTE} MB",
            f"{info.st_size / MEGABYTE:.1f} MB",
        )
    return info.st_size


def read_input_bytes(path: str | Path, what: str, max_bytes: int) -> bytes:
    """The bytes of the input file ``path``, after :func:`check_input_file`; at
    most ``max_bytes`` are read even if the file grows meanwhile."""
    check_input_file(path, what, max_bytes)
    try:
        with open(path, "rb") as stream:
            data = stream.read(max_bytes + 1)
    except OSError as exc:
        raise InputError(
            path, None, f"a readable {what} file", exc.strerror or str(exc)
        ) from None
    if len(data) > max_bytes:
        raise InputError(
            path,
            None,
            f"a {what} file of at most {max_bytes // MEGABYTE} MB",
            "a file that grew while it was read",
        )
    return data


ALLOW_OUTSIDE_ENV = "SHAREDCASE_ALLOW_OUTSIDE"
"""Environment variable holding the folders (separated by ``os.pathsep``) from
which a case may read files outside its own folder: set by ``--allow-outside``
of ``sharedcase run`` and ``validate``, and inherited by the run's workers and
kernels."""


def allowed_outside() -> list[Path]:
    """The folders a case may read from besides its own (:data:`ALLOW_OUTSIDE_ENV`)."""
    value = os.environ.get(ALLOW_OUTSIDE_ENV, "")
    return [Path(p).resolve() for p in value.split(os.pathsep) if p]


def allow_outside(folders: list[str | Path]) -> None:
    """Let cases read files under ``folders`` too (adds them to
    :data:`ALLOW_OUTSIDE_ENV`, so the run's workers and kernels allow them too)."""
    known = [str(p) for p in allowed_outside()]
    added = [
        str(Path(f).resolve()) for f in folders if str(Path(f).resolve()) not in known
    ]
    if added:
        os.environ[ALLOW_OUTSIDE_ENV] = os.pathsep.join(known + added)


def outside_case_folder(case_file: str | Path, name: str | Path) -> Path | None:
    """None if the file ``name``, named by ``case_file`` (relative to its folder),
    lies under the case file's folder or a folder of :func:`allowed_outside`,
    symbolic links resolved; else the file as resolved.

    A case file may come from another council: it must not pull other files of
    the machine (``/etc/passwd``, a staff table elsewhere) into a run folder.
    """
    folder = Path(case_file).resolve().parent
    target = (folder / name).resolve()
    for root in (folder, *allowed_outside()):
        if target == root or root in target.parents:
            return None
    return target
