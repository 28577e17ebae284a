"""Benchmark: time and peak memory of ``sharedcase run --no-notebooks`` for many options (issue 18).

``measure_options(n)`` gives the default case ``n`` options
(:func:`benchmarks.cases.case_with_options`: its own three, cycled, each doing
the work a real option does), runs the real command on it in a subprocess and
returns::

    {"options": n, "seconds": ...,          # wall time of the whole command
     "peak_mib": ...,                       # peak of the summed resident memory
                                            # of the command and its workers
     "command_peak_mib": ...}               # peak of the command process alone

Memory is sampled every 0.05 s with psutil over the command's process tree.
The summed figure counts pages the forked workers share with the command once
in each process, so it is an upper bound of what the run takes.

Run from the repository root::

    python benchmarks/options_scale.py [N ...] [--jobs J] [--executor local|dask]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.cases import case_with_options  # noqa: E402

SIZES = (10, 100, 1000)
PEAK_GOAL_MIB = 1024


def _tree_rss(proc: psutil.Process) -> tuple[int, int]:
    """Resident bytes of ``proc`` and of it with all its descendants."""
    try:
        own = proc.memory_info().rss
        total = own
        for child in proc.children(recursive=True):
            try:
                total += child.memory_info().rss
            except psutil.Error:
                pass
        return own, total
    except psutil.Error:
        return 0, 0


def measure_options(
    n: int, jobs: int | None = None, executor: str = "local", work: Path | None = None
) -> dict:
    """Run ``sharedcase run`` with ``n`` options and ``--no-notebooks``; its
    wall time and peak memory.  Raises RuntimeError if the command fails."""
    with tempfile.TemporaryDirectory(prefix="sharedcase-options-") as tmp:
        base = Path(work or tmp)
        case = case_with_options(n, base / f"case_{n}")
        cmd = [sys.executable, "-m", "models", "run", str(case), "--no-notebooks"]
        cmd += ["--out", str(base / f"out_{n}"), "--executor", executor]
        if jobs:
            cmd += ["--jobs", str(jobs)]
        start = time.perf_counter()
        proc = subprocess.Popen(
            cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        watched = psutil.Process(proc.pid)
        own_peak = tree_peak = 0
        while proc.poll() is None:
            own, tree = _tree_rss(watched)
            own_peak, tree_peak = max(own_peak, own), max(tree_peak, tree)
            time.sleep(0.05)
        seconds = time.perf_counter() - start
        out, err = proc.communicate()
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{out}\n{err[-4000:]}")
    return {
        "options": n,
        "seconds": seconds,
        "peak_mib": tree_peak / 2**20,
        "command_peak_mib": own_peak / 2**20,
    }


def report_line(m: dict) -> str:
    """One line of figures, per option too."""
    n = m["options"]
    return (
        f"   {n:5d} options: {m['seconds']:7.1f} s ({m['seconds'] / n:.3f} s an option), "
        f"peak memory {m['peak_mib']:6.0f} MiB "
        f"({m['peak_mib'] / n:.2f} MiB an option; command alone "
        f"{m['command_peak_mib']:.0f} MiB)"
    )


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("sizes", nargs="*", type=int, default=list(SIZES))
    ap.add_argument("--jobs", type=int, default=None)
    ap.add_argument("--executor", default="local")
    args = ap.parse_args(argv)
    for n in args.sizes:
        print(report_line(measure_options(n, args.jobs, args.executor)), flush=True)


if __name__ == "__main__":
    main()
