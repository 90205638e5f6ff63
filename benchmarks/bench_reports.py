"""Benchmark: one city's three reports (one notebook at a time, then two side by side as
`cwb run CITY --jobs 2` does), then a batch of configs two at a time.

Prints, per notebook, where the time goes: kernel start (and papermill's own overhead: wall time
minus the cells' time), analysis (the cells, as papermill records them) and rendering (nbconvert
and the page). Target: under 30 s per city for the demo on a 2-core machine. The machine's load
average is printed too: other work on the same two cores inflates every figure.

Run: `.venv/bin/python benchmarks/bench_reports.py [--city preston-demo] [--batch all|available|none]
[--jobs 2]`. Reports go to a scratch folder of the run's own (benchmarks/out/reports-*), never to reports/.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from cwbtools.report import parameters, run

OUT = Path(__file__).resolve().parent / "out" / "reports"  # runs go beside it, in reports-*


def _load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def one_city(config: str, root: Path, notebook_jobs: int = 1) -> float:
    plan = run.load_plan(Path(config))
    notebooks = parameters.notebook_paths()
    # A warm-up would hide the first kernel's cold start, which a user does pay: measure it as is.
    result = run.run_city(plan, notebooks, {}, root, notebook_jobs=notebook_jobs)
    if not result.ok:
        for failure in result.failures:
            print(f"FAILED {failure.line()}")
        raise SystemExit(1)
    how = "one notebook at a time" if notebook_jobs == 1 else f"{notebook_jobs} notebooks at a time"
    print(f"\none city: {plan.slug} ({'synthetic' if plan.synthetic else 'real data'}), {how}, load average {_load()}")
    print(f"{'notebook':<22}{'kernel':>9}{'analysis':>10}{'render':>9}{'total':>9}")
    sums = {"kernel": 0.0, "analysis": 0.0, "render": 0.0}
    for stem, t in result.timings.items():
        total = t["kernel"] + t["analysis"] + t.get("render", 0.0)
        print(f"{stem:<22}{t['kernel']:>8.1f}s{t['analysis']:>9.1f}s{t.get('render', 0.0):>8.1f}s{total:>8.1f}s")
        for k in sums:
            sums[k] += t.get(k, 0.0)
    other = result.seconds - sum(sums.values()) if notebook_jobs == 1 else None
    print(f"{'all three':<22}{sums['kernel']:>8.1f}s{sums['analysis']:>9.1f}s{sums['render']:>8.1f}s")
    if other is None:
        print(f"city wall time {result.seconds:.1f} s (notebooks overlapped: the columns add up to more)")
    else:
        print(f"city wall time {result.seconds:.1f} s (of which set-up, definitions, provenance, swap {other:.1f} s)")
    return result.seconds


def batch(which: str, jobs: int, root: Path) -> None:
    if which == "available":
        paths, skipped = run.default_and_available()
    else:
        paths, skipped = sorted(run.configs_dir().glob("*.yml")), []
    plans = []
    for path in paths:
        try:
            plans.append(run.load_plan(path))
        except Exception as exc:  # noqa: BLE001 - a benchmark reports, it does not stop
            skipped.append((path, str(exc).splitlines()[0][:120]))
    for path, reason in skipped:
        print(f"skipped {path.name}: {reason}")
    started = time.perf_counter()
    results = run.run_cities(plans, parameters.notebook_paths(), {}, jobs=jobs, root=root, show_progress=False)
    wall = time.perf_counter() - started
    print(f"\nbatch of {len(plans)} config(s), --jobs {jobs}: {wall:.1f} s wall, load average {_load()}")
    for r in results:
        status = "ok" if r.ok else f"FAILED ({r.failures[0].line() if r.failures else ''})"
        print(f"  {r.slug:<24}{r.seconds:>7.1f} s  {status}")
    ok = sum(r.ok for r in results)
    print(f"{ok} of {len(results)} succeeded; {wall / max(len(plans), 1):.1f} s per city on average")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--city", default="preston-demo", help="config for the one-city timing")
    ap.add_argument(
        "--batch",
        choices=["all", "available", "none"],
        default="available",
        help="configs for the batch: every one, the demo plus those whose data is present, or none",
    )
    ap.add_argument("--jobs", type=int, default=2)
    args = ap.parse_args()
    # A folder of this run's own: two benchmarks at once must not delete each other's reports.
    OUT.parent.mkdir(parents=True, exist_ok=True)
    out = Path(tempfile.mkdtemp(dir=OUT.parent, prefix="reports-"))
    print(f"reports in {out}")
    one_city(args.city, out / "one")
    one_city(args.city, out / "one-side-by-side", notebook_jobs=2)  # `cwb run CITY --jobs 2`
    if args.batch != "none":
        batch(args.batch, args.jobs, out / "batch")


if __name__ == "__main__":
    main()
