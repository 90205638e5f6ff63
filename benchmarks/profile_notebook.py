"""Where a report notebook's cell time goes: its code cells run in this process (no kernel), each
display formatted as the kernel would (`IPython`'s DisplayFormatter), timed per cell, optionally
under cProfile.

Run: `.venv/bin/python benchmarks/profile_notebook.py notebooks/01_baseline.ipynb
[--config configs/oldham.yml] [--profile 30]`. Output goes to a scratch folder under
benchmarks/out/ (deleted at the end). Cell times here leave out the kernel's start and messaging,
which `bench_report.py` measures.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import shutil
import tempfile
import time
from pathlib import Path

import nbformat

OUT = Path(__file__).resolve().parent / "out"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("notebook")
    ap.add_argument("--config", default="configs/preston-demo.yml")
    ap.add_argument("--profile", type=int, default=0, help="print the N costliest functions (cumulative)")
    ap.add_argument("--top", type=int, default=12, help="cells shown, slowest first")
    args = ap.parse_args()

    from IPython.core.formatters import DisplayFormatter

    formatter = DisplayFormatter()
    OUT.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(dir=OUT, prefix="profile-nb-"))
    nb = nbformat.read(args.notebook, as_version=4)
    cells = [c for c in nb.cells if c.cell_type == "code"]
    ns: dict = {}
    exec(cells[0].source, ns)  # the parameters cell, then papermill's override
    ns.update(config_path=args.config, report_dir=str(scratch))

    import cwbtools.report.context as context

    context._display = lambda obj: formatter.format(obj)
    profiler = cProfile.Profile() if args.profile else None
    times = []
    try:
        for i, cell in enumerate(cells[1:], 1):
            t0, c0 = time.perf_counter(), time.process_time()
            if profiler:
                profiler.enable()
            exec(compile(cell.source, f"<cell {i}>", "exec"), ns)
            if profiler:
                profiler.disable()
            times.append((time.process_time() - c0, time.perf_counter() - t0, i, cell.source.splitlines()[0][:70]))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    cpu, wall = sum(t[0] for t in times), sum(t[1] for t in times)
    print(f"{args.notebook}: {len(times)} cells, {cpu:.2f} s CPU, {wall:.2f} s wall")
    for c, w, i, first in sorted(times, reverse=True)[: args.top]:
        print(f"{c:6.2f} s CPU {w:6.2f} s wall  cell {i:>2}  {first}")
    if profiler:
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(args.profile)


if __name__ == "__main__":
    main()
