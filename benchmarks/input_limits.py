"""Hostile inputs: how long each refusal takes and how much memory it needs.

``python benchmarks/input_limits.py`` runs each hostile input of issue 17
through the command line in a fresh process, once with no limit (to measure
wall time and peak resident memory) and once under a 500 MB address-space
limit (to show it fits), and prints one line each:

    <input>  exit=<status>  wall=<s>  peak_rss=<MB>  under_500MB_exit=<status>

The issue's bar is exit 2 and one paragraph within 5 s and 500 MB.  The
tests (``tests/test_input_limits.py``) check the exit status and the paragraph
under the limit; time is measured here, not asserted there.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from test_input_limits import zip_bomb  # noqa: E402

POLICY = ROOT / "tests" / "severance_policy.yaml"
ADDRESS_SPACE = 500 * 1024 * 1024


def limited() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, ADDRESS_SPACE))


def measure(args: list[str], cwd: Path) -> tuple[int, float, float, int]:
    """(exit status, wall time [s], peak RSS [MB], exit status under 500 MB)."""
    command = [sys.executable, "-m", "models", *args]
    start = time.perf_counter()
    proc = subprocess.Popen(
        command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    peak_mb = usage.ru_maxrss / 1024  # kB on Linux
    under = subprocess.run(
        command, cwd=cwd, capture_output=True, timeout=300, preexec_fn=limited
    ).returncode
    return os.waitstatus_to_exitcode(status), wall, peak_mb, under


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        fifo = work / "case.yaml"
        os.mkfifo(fifo)
        bomb = zip_bomb(work / "staff.xlsx", 850)
        rows = [
            (
                "alias bomb (1.5 kB)",
                ["validate", str(ROOT / "tests/bad_inputs/case/alias_bomb.yaml")],
            ),
            ("/dev/zero", ["validate", "/dev/zero"]),
            ("FIFO", ["validate", str(fifo)]),
            (
                f"xlsx zip bomb ({bomb.stat().st_size / 2**20:.1f} MB, 850 MB unpacked)",
                [
                    "severance",
                    str(bomb),
                    "--policy",
                    str(POLICY),
                    "--out",
                    str(work / "c.csv"),
                ],
            ),
            (
                "Monte Carlo too big (10,000,000 draws)",
                [
                    "validate",
                    str(ROOT / "tests/bad_inputs/case/monte_carlo_too_big.yaml"),
                ],
            ),
        ]
        for name, args in rows:
            status, wall, peak, under = measure(args, work)
            print(
                f"{name:55s} exit={status} wall={wall:.2f}s peak_rss={peak:.0f}MB "
                f"under_500MB_exit={under}"
            )


if __name__ == "__main__":
    main()
