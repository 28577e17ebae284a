"""Benchmark: 100,000 Monte Carlo draws of the default case, against a plain loop.

Run: ``python benchmarks/montecarlo.py [draws] [loop_draws]`` (``make bench``
reports :func:`mc_speedup`).  Not a test (no timed tests); prints times and
speed-up ratios measured in this one run:

* vectorised: :func:`models.engine.uncertainty.monte_carlo` (sampling included) for
  each option of the default case;
* plain loop A: the obvious way, one draw at a time -- write the draw into the
  case, re-validate it and run the core model (:func:`slow_npv`), on a
  subsample, extrapolated to the full number of draws;
* plain loop B: the vectorised evaluator called once per draw (a Python loop
  over draws of the fast code), on a subsample, extrapolated.

Go-live delays are rounded to whole months for loop A (the case file holds dates).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def per_draw_loop_seconds(case, option: str, samples: dict, n: int) -> float:
    """Seconds to evaluate the first ``n`` draws one at a time (a Python loop
    over draws calling the vectorised evaluator with one draw each)."""
    from models.engine import uncertainty as u

    model = u.compile_model(case, option)
    sub = {k: v[:n] for k, v in samples.items()}
    t0 = time.perf_counter()
    for d in range(n):
        u.evaluate(
            model, u.levers_from_values(model, {k: v[d] for k, v in sub.items()})
        )
    return time.perf_counter() - t0


def mc_speedup(case, option: str, draws: int = 100_000, loop_draws: int = 2000) -> dict:
    """Seconds for ``draws`` vectorised draws (sampling included) and for the same
    draws one at a time through the same evaluator (a Python loop over draws,
    timed on ``loop_draws`` of them and extrapolated); ``speedup`` = loop / vectorised."""
    from models.engine import uncertainty as u

    u.monte_carlo(case, option, draws=1000, progress=False)  # warm up imports, caches
    t0 = time.perf_counter()
    mc = u.monte_carlo(case, option, draws=draws, progress=False)
    fast = time.perf_counter() - t0
    n = min(draws, loop_draws)
    loop = per_draw_loop_seconds(case, option, mc.samples, n) / n * draws
    return {
        "draws": draws,
        "vectorised_s": fast,
        "loop_s": loop,
        "loop_draws": n,
        "speedup": loop / fast,
    }


def main(draws: int = 100_000, loop_draws: int = 20) -> None:
    from models.engine import uncertainty as u
    from models.engine.loading import load_case

    case = load_case(ROOT / "scenarios" / "bromsgrove_redditch_2011.yaml")
    option = "single_business_case"
    u.monte_carlo(case, option, draws=1000, progress=False)  # warm up imports, caches

    print(
        f"default case, {draws:,} draws, parameters: {', '.join(case.uncertainty.parameters)}"
    )
    t0 = time.perf_counter()
    samples = u.sample_parameters(case.uncertainty, draws)
    total = time.perf_counter() - t0
    print(f"  sampling (shared by the options)   {total:7.3f} s")
    for name in case.options:
        t0 = time.perf_counter()
        mc = u.monte_carlo(case, name, progress=False, samples=samples)
        dt_ = time.perf_counter() - t0
        total += dt_
        print(
            f"  evaluate {name:<25} {dt_:7.3f} s  (NPV P50 £{np.median(mc.npv):,.0f})"
        )
    print(f"  all {len(case.options)} options, sampling included {total:7.3f} s")

    t0 = time.perf_counter()
    mc = u.monte_carlo(case, option, draws=draws, progress=False)
    fast = time.perf_counter() - t0

    sub = {k: v[:loop_draws].copy() for k, v in mc.samples.items()}
    for k in sub:
        if k == "go_live_delay_months" or k.endswith(".go_live"):
            sub[k] = np.round(sub[k])
    t0 = time.perf_counter()
    slow = u.slow_npvs(case, option, sub)
    loop_a = (time.perf_counter() - t0) / loop_draws * draws

    n_b = min(draws, 50 * loop_draws)
    loop_b = per_draw_loop_seconds(case, option, mc.samples, n_b) / n_b * draws
    model = u.compile_model(case, option)

    agree = np.max(np.abs(u.npv_at(model, sub) - slow))
    print(f"{option}: vectorised {draws:,} draws, sampling included: {fast:.3f} s")
    print(
        f"  plain loop A (override case + validate + run), {loop_draws} draws timed, "
        f"extrapolated: {loop_a:,.0f} s  -> speed-up x{loop_a / fast:,.0f}"
    )
    print(
        f"  plain loop B (fast evaluator, one draw a call), {n_b} draws timed, "
        f"extrapolated: {loop_b:,.1f} s  -> speed-up x{loop_b / fast:,.0f}"
    )
    print(f"  fast and loop A agree on the subsample within £{agree:.2e}")
    print(f"  target 100,000 draws under 2 s: {'met' if fast < 2 else 'NOT met'}")


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:]]
    main(*args)
