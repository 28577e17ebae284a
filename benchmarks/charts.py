"""Benchmark: the report charts as PNG at screen resolution, PNG at print
resolution and SVG: time to draw and write, and bytes (what the HTML carries).

Run: ``python benchmarks/charts.py [repeats]``.  Not a test (no timed tests).
The default case's five charts of an option report and comparison (cash flows,
councils, cumulative, tornado, histogram) are built once per repeat and written
each way; the figure is built again for each format, as a report does.  SVG is
written as the reports write it (:func:`models.report.charts.figure_image`: laid
out, fitted and drawn in one pass); PNG by ``savefig`` after the ticks are
fitted.
"""

from __future__ import annotations

import io
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

FORMATS = (("png", 110), ("png", 200), ("svg", 72))


def figures(case, results, draws) -> list:
    """Fresh figures of the charts measured."""
    from models.engine.uncertainty import sensitivity_table
    from models.report import charts, uncertainty_charts

    sbc = results["single_business_case"]
    return [
        charts.cash_flow_figure(sbc),
        charts.council_figure(sbc, case),
        charts.cumulative_figure(results, charts.option_names(case)),
        uncertainty_charts.tornado_chart(
            sensitivity_table(case, "single_business_case")
        ),
        uncertainty_charts.npv_histogram(draws),
    ]


def main(repeats: int = 3) -> dict[str, tuple[float, int]]:
    """Seconds per chart and bytes per chart of each format, printed."""
    from models.engine.loading import load_case
    from models.engine.projection import run_option
    from models.engine.uncertainty import monte_carlo
    from models.report.charts import chart_style, figure_image, fit_ticks

    case = load_case(ROOT / "scenarios" / "bromsgrove_redditch_2011.yaml")
    results = {o: run_option(case, o) for o in case.options}
    spec = case.effective_uncertainty()
    draws = monte_carlo(
        case, "single_business_case", spec.draws, spec.seed, spec, False
    )
    out: dict[str, tuple[float, int]] = {}
    t0 = time.perf_counter()
    for _ in range(repeats):
        built = figures(case, results, draws)
    build = (time.perf_counter() - t0) / (repeats * len(built))
    print(f"building a chart (laid out when written): {build * 1000:.0f} ms")
    for fmt, dpi in FORMATS:
        seconds, size, n = 0.0, 0, 0
        for _ in range(repeats):
            for fig in figures(case, results, draws):
                buf = io.BytesIO()
                t0 = time.perf_counter()
                if fmt == "svg":  # as the reports write it
                    buf.write(figure_image(fig))
                else:
                    with chart_style():
                        fit_ticks(fig)
                        fig.savefig(buf, format=fmt, dpi=dpi)
                seconds += time.perf_counter() - t0
                size += len(buf.getvalue())
                n += 1
        name = f"{fmt}@{dpi}" if fmt == "png" else fmt
        out[name] = (seconds / n, size // n)
        print(
            f"{name:8s} {seconds / n * 1000:7.0f} ms a chart {size / n / 1024:8.0f} kB a chart"
        )
    base = out["png@110"]
    for name, (s, b) in out.items():
        print(
            f"{name:8s} time x{s / base[0]:.2f}  size x{b / base[1]:.2f}  (against png@110)"
        )
    return out


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3)
