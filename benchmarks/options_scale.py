"""Benchmark: time and peak memory of ``sharedcase run --no-notebooks`` for many options (issue 18).

``measure_options(n)`` gives the default case ``n`` options
(:func:`benchmarks.cases.case_with_options`: its own three, cycled, each doing
the work a real option does), runs the real command on it in a subprocess and
returns::

    {"options": n, "seconds": ...,          # wall time of the whole command
     "cpu_seconds": ...,                    # user + system time of the command
                                            # and all its workers
     "peak_mib": ...,                       # peak of the summed proportional set
                                            # size (PSS) of the command and its workers
     "command_peak_mib": ...}               # peak of the command process alone

Memory is sampled every 0.1 s with psutil over the command's process tree, as
PSS (a page shared by the command and its forked workers counts once in all,
split between them; where PSS cannot be read, resident size, which counts a
shared page in each process and so overstates).  CPU seconds are less
disturbed than wall time by other work on a shared machine.

Run from the repository root::

    python benchmarks/options_scale.py [N ...] [--jobs J] [--executor local|dask]
"""

from __future__ import annotations

import argparse
import resource
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


def _memory(proc: psutil.Process) -> int:
    """Proportional set size of one process [bytes] (resident size without PSS)."""
    try:
        return getattr(proc.memory_full_info(), "pss", None) or proc.memory_info().rss
    except psutil.AccessDenied:
        return proc.memory_info().rss


def _tree_memory(proc: psutil.Process) -> tuple[int, int]:
    """Memory of ``proc`` and of it with all its descendants [bytes]."""
    try:
        own = _memory(proc)
        total = own
        for child in proc.children(recursive=True):
            try:
                total += _memory(child)
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
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        proc = subprocess.Popen(
            cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        watched = psutil.Process(proc.pid)
        own_peak = tree_peak = 0
        while proc.poll() is None:
            own, tree = _tree_memory(watched)
            own_peak, tree_peak = max(own_peak, own), max(tree_peak, tree)
            time.sleep(0.1)
        seconds = time.perf_counter() - start
        out, err = proc.communicate()
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{out}\n{err[-4000:]}")
    return {
        "options": n,
        "seconds": seconds,
        "cpu_seconds": (after.ru_utime + after.ru_stime)
        - (before.ru_utime + before.ru_stime),
        "peak_mib": tree_peak / 2**20,
        "command_peak_mib": own_peak / 2**20,
    }


def report_line(m: dict) -> str:
    """One line of figures, per option too."""
    n = m["options"]
    return (
        f"   {n:5d} options: {m['seconds']:7.1f} s ({m['seconds'] / n:.3f} s an option; "
        f"CPU {m['cpu_seconds']:.0f} s), "
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
