"""Benchmark: wall time and peak memory of the county-wide case at scale (issue 8).

``measure_county(case_path)`` runs, in a fresh Python process, exactly what
``sharedcase run <case> --no-notebooks`` runs (``models.run.runner.run_cases``:
load and validate the case, evaluate every option, write ``results.csv``, the
per-council tables that foot, ``results.json`` with each option's Monte Carlo
and switching values, and the uncertainty tables and charts) into a temporary
folder, and returns::

    {"case": ..., "options": 20, "options_ok": 20,
     "wall_seconds": ...,      # the whole process: start-up, imports, run
     "run_seconds": ...,       # run_cases alone, measured inside the process
     "peak_rss_mib": ...,      # the process's own peak resident set size
     "children_peak_rss_mib": ...}  # its largest child (notebook kernels), if any

Peak memory is ``resource.getrusage(RUSAGE_SELF).ru_maxrss`` of the measured
process, reported by that process itself (so it is not mixed up with any other
child the caller has run), in MiB.  With ``notebooks=True`` the reports are
rendered too (``sharedcase run`` without ``--no-notebooks``); the notebook
kernels are child processes, reported as ``children_peak_rss_mib``.

Run from the repository root::

    python benchmarks/county_scale.py [case.yaml] [--notebooks]

Times depend on the machine and on what else it is doing; this prints the
figures of one run and makes no claim against a fixed threshold.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CASE = ROOT / "scenarios" / "county_wide_illustrative.yaml"

_CHILD = r"""
import json, resource, sys, time
from pathlib import Path

t0 = time.perf_counter()
from models.engine.loading import load_case
from models.run.runner import run_cases

case_path, out, notebooks = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3] == "1"
t1 = time.perf_counter()
status = run_cases([case_path], out_root=out, notebooks=notebooks)
t2 = time.perf_counter()
case = load_case(case_path)
manifest = json.loads((out / case.name / "latest" / "manifest.json").read_text())
ok = sum(1 for s in manifest["options"].values() if s["status"] == "ok")
self_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
children_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print("COUNTY_SCALE " + json.dumps({
    "case": case.name, "status": status, "options": len(case.options),
    "options_ok": ok, "import_seconds": t1 - t0, "run_seconds": t2 - t1,
    "peak_rss_mib": self_kib / 1024, "children_peak_rss_mib": children_kib / 1024,
}))
"""


def measure_county(
    case_path: str | Path = DEFAULT_CASE, notebooks: bool = False
) -> dict:
    """Run the case end to end in a fresh process; return its times and peak memory.

    Raises RuntimeError if the process fails or any option is not ok.
    """
    case_path = Path(case_path).resolve()
    with tempfile.TemporaryDirectory(prefix="county_scale_") as out:
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(
            [str(ROOT), *filter(None, [env.get("PYTHONPATH")])]
        )
        start = time.perf_counter()
        proc = subprocess.run(
            [
                sys.executable,
                "-c",
                _CHILD,
                str(case_path),
                out,
                "1" if notebooks else "0",
            ],
            capture_output=True,
            text=True,
            cwd=ROOT,
            env=env,
        )
        wall = time.perf_counter() - start
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("COUNTY_SCALE ")]
    if proc.returncode != 0 or not lines:
        raise RuntimeError(
            f"the measured run failed (exit {proc.returncode}):\n{proc.stderr[-4000:]}"
        )
    result = json.loads(lines[-1].removeprefix("COUNTY_SCALE "))
    if result["status"] != 0 or result["options_ok"] != result["options"]:
        raise RuntimeError(
            f"{result['options_ok']} of {result['options']} options ok:\n"
            f"{proc.stderr[-4000:]}"
        )
    result["wall_seconds"] = wall
    result["notebooks"] = notebooks
    return result


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    notebooks = "--notebooks" in args
    paths = [a for a in args if a != "--notebooks"]
    r = measure_county(paths[0] if paths else DEFAULT_CASE, notebooks=notebooks)
    what = "sharedcase run" + ("" if notebooks else " --no-notebooks")
    print(f"{r['case']}: {what}, {r['options_ok']} of {r['options']} options ok")
    print(f"  wall time (whole process)  {r['wall_seconds']:8.1f} s")
    print(f"  of which run_cases         {r['run_seconds']:8.1f} s")
    print(f"  peak memory (RSS)          {r['peak_rss_mib']:8.0f} MiB")
    if notebooks:
        print(f"  largest child (kernel)     {r['children_peak_rss_mib']:8.0f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
