"""The map of where the money went: seconds to draw it (aggregation, figure, PNG and SVG; CPU and
wall) and the SVG's size, per place; must stay under 2 s of CPU and 1 MB. Reads the built spend,
suppliers and reference (a place whose build is stale is rebuilt first, outside the clock).

Run: .venv/bin/python benchmarks/bench_map.py [config ...]   (default: the demo and every real config)
"""

import io
import sys
import time
from pathlib import Path

from cwbtools import reference
from cwbtools.analysis import districts
from cwbtools.report import charts
from cwbtools.report.context import open_report

ROOT = Path(__file__).resolve().parents[1]
CONFIGS = sys.argv[1:] or [
    "preston-demo",
    "bolton",
    "hyndburn",
    "lancashire-blue-light",
    "oldham",
    "oxford",
    "salford",
]


def draw(r, outline, centres):
    spend, suppliers = r.year_spend, r.suppliers  # loaded before the clock starts: the map's cost only
    started, cpu = time.perf_counter(), time.process_time()
    by_district = districts.spend_by_district(spend, suppliers, centres)
    land = districts.areas(outline, r.defs.place_lads, r.defs.wider_lads)
    chart = charts.where_the_money_went(by_district, land, r.place, r.wider)
    svg = io.BytesIO()
    chart.figure.savefig(svg, format="svg", bbox_inches="tight")
    return time.process_time() - cpu, time.perf_counter() - started, len(svg.getvalue()), len(chart.png), by_district


if __name__ == "__main__":
    started = time.perf_counter()
    outline, centres = reference.load_outline(), reference.load_postcode_districts()
    print(f"reference outline and district centres read in {time.perf_counter() - started:.2f}s")
    print(f"{'place':24} {'CPU s':>6} {'wall s':>6} {'svg KB':>7} {'png KB':>7} {'districts':>9}  holds")
    worst = 0.0
    for name in CONFIGS:
        r = open_report(ROOT / "configs" / f"{name}.yml")
        cpu, wall, svg, png, by_district = draw(r, outline, centres)
        ok = cpu < 2 and svg < 1_000_000
        worst = max(worst, cpu)
        print(
            f"{name:24} {cpu:6.2f} {wall:6.2f} {svg / 1000:7.0f} {png / 1000:7.0f} {len(by_district):9d}  "
            f"{'yes' if ok else 'NO'}"
        )
    print(f"slowest: {worst:.2f}s CPU")
