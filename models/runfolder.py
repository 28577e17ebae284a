"""Run folders: a new folder per run, files written under temporary names.

``outputs/<case>/<run-id>/`` is never overwritten: the run is assembled in a
hidden temporary folder and renamed into place when complete; ``latest`` then
points at it (a symbolic link, or a text file where links are not allowed).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
from pathlib import Path
from typing import Any


def new_run_id(now: dt.datetime | None = None) -> str:
    """Run identifier from the start time, e.g. ``20261123-124005``."""
    now = now or dt.datetime.now()
    return now.strftime("%Y%m%d-%H%M%S")


class RunFolder:
    """A run folder under construction; ``commit()`` renames it into place."""

    def __init__(self, root: str | Path, case_name: str, run_id: str | None = None):
        self.case_dir = Path(root) / case_name
        self.case_dir.mkdir(parents=True, exist_ok=True)
        base = run_id or new_run_id()
        rid, n = base, 1
        while (self.case_dir / rid).exists() or (
            self.case_dir / f".{rid}.partial"
        ).exists():
            n += 1
            rid = f"{base}-{n}"
        self.run_id = rid
        self.final = self.case_dir / rid
        self.tmp = self.case_dir / f".{rid}.partial"
        self.tmp.mkdir()

    def path(self, name: str) -> Path:
        """Path of a file inside the (temporary) run folder."""
        p = self.tmp / name
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
        """Move the finished run into place and point ``latest`` at it."""
        os.replace(self.tmp, self.final)
        if update_latest:
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
        return self.final

    def abandon(self) -> None:
        """Remove a run that failed before anything worth keeping was written."""
        shutil.rmtree(self.tmp, ignore_errors=True)
