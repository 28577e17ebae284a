"""Shared by the report tests: one batch run of the default case per test session.

pytest fixtures cannot be shared between test modules without the shared
conftest, so the run is cached on disk under the session's base temporary folder:
the first module to ask runs it, the others reuse the folder.
"""

from __future__ import annotations

import json
from pathlib import Path

from models.runner import run_cases

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CASE = ROOT / "scenarios" / "bromsgrove_redditch_2011.yaml"

# Makes models.projection.run_option raise for the option named in the
# environment, in every Python process (kernels and pool workers included).
SITECUSTOMIZE = '''
import os

_broken = os.environ.get("SHAREDCASE_TEST_BROKEN_OPTION")
if _broken:
    import models.projection as _projection

    _real_run_option = _projection.run_option

    def run_option(case, option):
        if option == _broken:
            raise ZeroDivisionError(f"model cannot run {option} (injected by the test)")
        return _real_run_option(case, option)

    _projection.run_option = run_option
'''


def default_run(base: Path) -> tuple[int, Path]:
    """Exit status and run folder of ``sharedcase run`` on the default case."""
    root = base / "default-run"
    done = root / "done.json"
    if not done.exists():
        status = run_cases([DEFAULT_CASE], out_root=root / "outputs", jobs=3)
        folder = (root / "outputs" / "bromsgrove_redditch_2011" / "latest").resolve()
        done.parent.mkdir(parents=True, exist_ok=True)
        done.write_text(json.dumps({"status": status, "folder": str(folder)}))
    info = json.loads(done.read_text())
    return info["status"], Path(info["folder"])
