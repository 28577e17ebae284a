"""Run folders: a new folder per run, files written under temporary names.

``outputs/<case>/<run-id>/`` is never overwritten: the run is assembled in a
hidden temporary folder ``outputs/<case>/.<run-id>.partial/`` and renamed into
place when complete; ``latest`` then points at it (a symbolic link, or a text
file where links are not allowed).  Only a complete run ever has the plain
``<run-id>`` name, and its ``manifest.json`` says ``"status": "complete"``.

A run that is interrupted (SIGINT, SIGTERM) or fails with an unexpected error
is kept as evidence, never as something that looks complete
(:meth:`RunFolder.mark_incomplete`): it is renamed ``<run-id>.incomplete/``,
holds a plain-text ``INCOMPLETE`` file saying why, and its ``manifest.json``
has ``"status": "interrupted"`` (with the signal) or ``"status": "failed"``
(with the error), the start and stop times and the files written so far.
``latest`` is left pointing at the last complete run.  A run killed outright
(SIGKILL, power cut) stays as ``.<run-id>.partial/``.

Names are checked twice: a case file's ``name`` and option names must be
:data:`models.core.names.SAFE_NAME` (see :func:`models.core.names.name_problem`), and RunFolder itself refuses any
folder or file name that would resolve outside its root.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from models.core.names import folder_name_problem
from models.run.interrupt import interrupt_signal, signal_name, signals_held


class UnsafePath(ValueError):
    """A name that would put a run folder or file outside its root."""


def _inside(path: Path, root: Path) -> Path:
    """``path`` if it lies strictly inside ``root`` once ``..`` and ``.`` are
    taken out (a lexical check: a folder the user linked elsewhere still works);
    else UnsafePath."""
    if "\x00" in str(path):
        raise UnsafePath(f"{str(path)!r}: a path with a NUL character")
    top = os.path.abspath(root)
    target = os.path.abspath(path)
    if target == top or os.path.commonpath([top, target]) != top:
        raise UnsafePath(f"{str(path)!r} is not inside {top!r}")
    return path


def _component(name: str, what: str) -> str:
    """``name`` if it is one plain path component, else UnsafePath."""
    problem = folder_name_problem(name)
    if problem is not None:
        raise UnsafePath(f"{what}: {problem}")
    return name


def new_run_id(now: dt.datetime | None = None) -> str:
    """Run identifier from the start time, e.g. ``20261123-124005``."""
    now = now or dt.datetime.now()
    return now.strftime("%Y%m%d-%H%M%S")


class RunFolder:
    """A run folder under construction; ``commit()`` renames it into place."""

    def __init__(self, root: str | Path, case_name: str, run_id: str | None = None):
        root = Path(root)
        self.case_dir = root / _component(case_name, "case name")
        _inside(self.case_dir, root)  # defence in depth: names are validated earlier
        base = _component(run_id or new_run_id(), "run id")
        self._made = [d for d in (self.case_dir, root) if not d.exists()]
        self.case_dir.mkdir(parents=True, exist_ok=True)
        rid, n = base, 1
        while any(
            (self.case_dir / name).exists() or (self.case_dir / name).is_symlink()
            for name in (rid, f".{rid}.partial", f"{rid}.incomplete")
        ):
            n += 1
            rid = f"{base}-{n}"
        self.run_id = rid
        self.final = self.case_dir / rid
        self.tmp = self.case_dir / f".{rid}.partial"
        self.tmp.mkdir()

    @classmethod
    def at(cls, target: str | Path) -> RunFolder:
        """A folder to be renamed to ``target`` itself (a new folder the user
        named, e.g. ``sharedcase monitor --out DIR``) when complete; assembled
        beside it as ``.<name>.<random>.partial``.  ``commit(update_latest=False)``.
        """
        target = Path(target)
        _component(target.name, "folder name")
        if target.exists() or target.is_symlink():
            raise FileExistsError(f"{target} already exists; it is never overwritten")
        self = cls.__new__(cls)
        self.case_dir = target.parent
        self._made = [d for d in (self.case_dir,) if not d.exists()]
        self.case_dir.mkdir(parents=True, exist_ok=True)
        self.run_id = target.name
        self.final = target
        self.tmp = Path(
            tempfile.mkdtemp(
                prefix=f".{target.name}.", suffix=".partial", dir=target.parent
            )
        )
        return self

    @classmethod
    @contextlib.contextmanager
    def writing(cls, target: str | Path) -> Iterator[RunFolder]:
        """A new folder ``target`` to write into: assembled beside it and renamed
        into place when the block ends, or abandoned (nothing left) if it fails.

        >>> import tempfile
        >>> with RunFolder.writing(Path(tempfile.mkdtemp()) / "new") as folder:
        ...     _ = folder.write_text("a.txt", "a")
        >>> folder.final.joinpath("a.txt").read_text()
        'a'
        """
        folder = cls.at(target)
        try:
            yield folder
            folder.commit(update_latest=False)
        except BaseException:
            folder.abandon()
            raise

    def path(self, name: str) -> Path:
        """Path of a file inside the (temporary) run folder (never outside it)."""
        p = self.tmp / name
        _inside(p, self.tmp)
        p.parent.mkdir(parents=True, exist_ok=True)
        return p

    def write_text(self, name: str, text: str) -> Path:
        p = self.path(name)
        part = p.with_name(p.name + ".part")
        part.write_text(text, encoding="utf-8")
        os.replace(part, p)
        return p

    def write_json(self, name: str, data: Any) -> Path:
        return self.write_text(name, json.dumps(data, indent=2, sort_keys=False) + "\n")

    def commit(self, update_latest: bool = True) -> Path:
        """Move the finished run into place and point ``latest`` at it (with
        SIGINT and SIGTERM held off, so the two steps are not split)."""
        if self.final.exists() or self.final.is_symlink():  # appeared meanwhile
            raise FileExistsError(f"{self.final} already exists; not overwritten")
        with signals_held(deliver_after=True):
            os.replace(self.tmp, self.final)
            if update_latest:
                self._point_latest()
        return self.final

    def _point_latest(self) -> None:
        link = self.case_dir / "latest"
        tmp_link = self.case_dir / ".latest.tmp"
        if tmp_link.is_symlink() or tmp_link.exists():
            tmp_link.unlink()
        try:
            tmp_link.symlink_to(self.final.name)
            os.replace(tmp_link, link)
        except OSError:
            if link.is_dir() and not link.is_symlink():
                shutil.rmtree(link)
            (self.case_dir / "latest").write_text(self.final.name + "\n")

    def abandon(self) -> None:
        """Remove a run that failed before anything worth keeping was written
        (and the folders made for it, if they are empty)."""
        shutil.rmtree(self.tmp, ignore_errors=True)
        for d in self._made:
            with contextlib.suppress(OSError):
                d.rmdir()

    def mark_incomplete(
        self, exc: BaseException, info: dict[str, Any] | None = None
    ) -> Path:
        """Keep a run that did not finish, marked so it cannot pass for complete.

        Writes ``INCOMPLETE`` (why, in plain text) and ``manifest.json``
        (``status`` "interrupted" with the ``signal``, or "failed" with the
        ``error``; ``info`` such as the case and start time; ``stopped``; the
        ``files`` written so far), then renames the folder ``<run-id>.incomplete``
        (left as ``.<run-id>.partial`` if the rename fails).  ``latest`` is not
        touched.  Never raises; returns where the run is kept.
        """
        import traceback

        signum = interrupt_signal(exc)
        stopped = dt.datetime.now().astimezone().isoformat(timespec="seconds")
        doc: dict[str, Any] = {"run_id": self.run_id, **(info or {})}
        if signum is not None:
            doc.update(status="interrupted", signal=signal_name(signum))
            why = f"interrupted by {signal_name(signum)} at {stopped}"
        else:
            error = f"{type(exc).__name__}: {exc}"
            doc.update(status="failed", error=error)
            doc["traceback"] = "".join(traceback.format_exception(exc))
            why = f"stopped by an unexpected error at {stopped}: {error}"
        doc["stopped"] = stopped
        try:
            doc["files"] = sorted(
                str(p.relative_to(self.tmp)) for p in self.tmp.rglob("*") if p.is_file()
            )
        except OSError:  # pragma: no cover
            doc["files"] = []
        with contextlib.suppress(OSError):
            self.write_text(
                "INCOMPLETE",
                f"This run did not finish: it was {why}.\n"
                "Its files are kept as evidence only; they are not a complete run.\n"
                "The last complete run is the one 'latest' points at.\n",
            )
        with contextlib.suppress(OSError, TypeError, ValueError):
            self.write_json("manifest.json", doc)
        kept = self.case_dir / f"{self.run_id}.incomplete"
        try:
            if kept.exists() or kept.is_symlink():
                raise FileExistsError(kept)
            os.rename(self.tmp, kept)
        except OSError:
            return self.tmp
        self.tmp = kept
        return kept
