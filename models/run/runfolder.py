"""Run folders: a new folder per run, files written under temporary names.

``outputs/<case>/<run-id>/`` is never overwritten: the run is assembled in a
hidden temporary folder ``outputs/<case>/.<run-id>.partial/`` and renamed into
place when complete; ``latest`` then points at it (a symbolic link, or a text
file where links are not allowed).  Only a complete run ever has the plain
``<run-id>`` name, and its ``manifest.json`` says ``"status": "complete"``.

A run that is interrupted (SIGINT, SIGTERM), fails with an unexpected error
(a full disk, say), or finishes with any part failed (an option, a report or
its export, an uncertainty analysis) is kept as evidence, never as something
that looks complete (:meth:`RunFolder.mark_incomplete`,
:meth:`RunFolder.keep_failed`): it is renamed ``<run-id>.incomplete/``, holds
a plain-text ``INCOMPLETE`` file saying why, and its ``manifest.json`` has
``"status": "interrupted"`` (with the signal) or ``"status": "failed"`` (with
the error, or the parts that failed).  Its scratch (files being written,
``*.part``, and the pickled analysis its reports read) is removed.  ``latest``
is left pointing at the last complete run.  A run killed outright (SIGKILL,
power cut) stays as ``.<run-id>.partial/``.

``latest`` is replaced only when it is the command's own pointer (a link to a
folder beside it, or a one-line text file naming one); anything else of that
name, a real folder copied there by hand say, is left alone and reported, and
nothing the command did not create is ever deleted
(:meth:`RunFolder.latest_problem`).

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
import uuid
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
        self.latest_left_alone: str | None = None
        try:  # a file in the way, a read-only or full disk: nothing left behind
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
        except OSError:
            self._remove_made()
            raise

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
        self.latest_left_alone = None
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
        SIGINT and SIGTERM held off, so the two steps are not split).

        ``latest`` is replaced only if it is a pointer this command writes (see
        :meth:`latest_problem`); otherwise it is left alone and the reason kept
        in ``latest_left_alone`` for the caller to report."""
        if self.final.exists() or self.final.is_symlink():  # appeared meanwhile
            raise FileExistsError(f"{self.final} already exists; not overwritten")
        self.remove_scratch()
        with signals_held(deliver_after=True):
            os.replace(self.tmp, self.final)
            self.tmp = self.final
            if update_latest:
                self.latest_left_alone = self._point_latest()
        return self.final

    def latest_problem(self) -> str | None:
        """Why ``latest`` cannot be pointed at this run, or None.

        ``latest`` is this command's own pointer when it is a symbolic link to
        a plain name (a folder beside it), or, where links are not allowed, a
        one-line text file naming a folder beside it.  Anything else named ``latest``
        (a real folder copied there by hand, a link elsewhere, another file)
        is not the command's to replace, and is never deleted.
        """
        link = self.case_dir / "latest"
        if not (link.exists() or link.is_symlink()):
            return None
        if link.is_symlink():
            target = os.readlink(link)
            if _plain_name(target):
                return None
            return f"{link} is a link to {target}, not to a run beside it"
        if link.is_file() and link.stat().st_size <= LATEST_FILE_MAX:
            with contextlib.suppress(OSError, UnicodeDecodeError):
                name = link.read_text(encoding="utf-8").strip()
                if _plain_name(name) and (self.case_dir / name).is_dir():
                    return None
        kind = "a folder" if link.is_dir() else "a file"
        return f"{link} is {kind} that sharedcase did not write"

    def _point_latest(self) -> str | None:
        """Point ``latest`` at this run; None, or why it was left alone.

        The new link is made under a name of its own and renamed over
        ``latest`` in one step; it never survives (removed if the rename fails).
        """
        problem = self.latest_problem()
        if problem is not None:
            return problem
        link = self.case_dir / "latest"
        tmp_link = self.case_dir / f".latest.{uuid.uuid4().hex[:12]}.tmp"
        try:
            try:
                tmp_link.symlink_to(self.final.name)
            except OSError:  # no symbolic links here: a text file instead
                tmp_link.write_text(self.final.name + "\n", encoding="utf-8")
            os.replace(tmp_link, link)
        finally:
            if tmp_link.is_symlink() or tmp_link.is_file():
                tmp_link.unlink()
        return None

    def abandon(self) -> None:
        """Remove a run that failed before anything worth keeping was written
        (and the folders made for it, if they are empty)."""
        shutil.rmtree(self.tmp, ignore_errors=True)
        self._remove_made()

    def _remove_made(self) -> None:
        """Remove the folders made for this run, if they are empty."""
        for d in self._made:
            with contextlib.suppress(OSError):
                d.rmdir()

    def remove_scratch(self) -> None:
        """Remove what only a run under construction needs: files being written
        (``*.part``, ``*.part.<ext>``) and hidden folders (the analysis the
        report notebooks read, with its pickles).  Never raises."""
        with contextlib.suppress(OSError):
            for p in sorted(self.tmp.rglob("*"), reverse=True):
                if _is_scratch(p.relative_to(self.tmp)):
                    if p.is_dir() and not p.is_symlink():
                        shutil.rmtree(p, ignore_errors=True)
                    else:
                        with contextlib.suppress(OSError):
                            p.unlink()

    def keep_failed(self, why: str, manifest: dict[str, Any]) -> Path:
        """Keep a run that did not complete, marked so it cannot pass for complete.

        Removes its scratch files (:meth:`remove_scratch`: on a full disk they
        would be what filled it), writes ``INCOMPLETE`` (``why``, the first
        sentence of that plain text, e.g. "This run did not complete: 1 of its
        parts failed (...)") and ``manifest.json``, then renames the folder
        ``<run-id>.incomplete`` (left as ``.<run-id>.partial`` if the rename
        fails).  ``latest`` is not touched.  Never raises; returns where the run
        is kept.
        """
        self.remove_scratch()
        with contextlib.suppress(OSError):
            self.write_text(
                "INCOMPLETE",
                f"{why}.\n"
                "Its files are kept as evidence only; they are not a complete run.\n"
                "The last complete run is the one 'latest' points at.\n",
            )
        with contextlib.suppress(OSError, TypeError, ValueError):
            self.write_json("manifest.json", manifest)
        self.remove_scratch()  # a .part of the two above, if the disk is full
        kept = self.case_dir / f"{self.run_id}.incomplete"
        try:
            if kept.exists() or kept.is_symlink():
                raise FileExistsError(kept)
            os.rename(self.tmp, kept)
        except OSError:
            return self.tmp
        self.tmp = kept
        return kept

    def mark_incomplete(
        self, exc: BaseException, info: dict[str, Any] | None = None
    ) -> Path:
        """Keep a run that did not finish, marked so it cannot pass for complete.

        Writes ``INCOMPLETE`` (why, in plain text) and ``manifest.json``
        (``status`` "interrupted" with the ``signal``, or "failed" with the
        ``error``; ``info`` such as the case and start time; ``stopped``; the
        ``files`` written so far), without its scratch files, then renames the
        folder ``<run-id>.incomplete`` (see :meth:`keep_failed`).  ``latest`` is
        not touched.  Never raises; returns where the run is kept.
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
        self.remove_scratch()
        try:
            doc["files"] = sorted(
                str(p.relative_to(self.tmp)) for p in self.tmp.rglob("*") if p.is_file()
            )
        except OSError:  # pragma: no cover
            doc["files"] = []
        return self.keep_failed(f"This run did not finish: it was {why}", doc)


LATEST_FILE_MAX = 256
"""Bytes: the largest ``latest`` text file (a run folder's name) taken as ours."""


def _plain_name(text: str) -> bool:
    """Whether ``text`` is one plain path component (a run folder's name).

    >>> _plain_name("20261123-124005"), _plain_name("../x"), _plain_name("/x")
    (True, False, False)
    """
    return bool(text) and folder_name_problem(text) is None


def _is_scratch(relative: Path) -> bool:
    """Whether a path inside a run folder is scratch of a run under
    construction: a hidden top-level entry, or a file being written (outside
    ``inputs/``, the copies of the input files under their own names).

    >>> _is_scratch(Path(".analysis/option-0.pkl")), _is_scratch(Path("a.part.xlsx"))
    (True, True)
    >>> _is_scratch(Path("results.csv")), _is_scratch(Path("inputs/x.part.csv"))
    (False, False)
    """
    top, name = relative.parts[0], relative.name
    if top.startswith("."):
        return True
    return top != "inputs" and (name.endswith(".part") or ".part." in name)
