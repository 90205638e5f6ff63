"""Where a whole `cwb ingest` process spends its time: cProfile from before the first import to exit.
Prints; asserts nothing.

    .venv/bin/python benchmarks/profile_ingest.py FILE [--top 40] [--threads] [--out prof.pstats]

Chunks are interpreted on one thread here (`ingest.core.WORKERS = 1`), so that cProfile, which sees
only the thread it runs on, sees every call; `--threads` keeps the worker threads (wall time as a
user gets it, calls on the workers unseen). Imports are timed apart, and summed by top-level package
from `-X importtime` in a second process.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def import_costs(module: str = "cwbtools.cli") -> Counter:
    """Self time of every import `python -c "import module"` makes, summed by top-level package (ms)."""
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", f"import {module}"], capture_output=True, text=True, cwd=REPO
    )
    costs: Counter = Counter()
    for line in proc.stderr.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        self_us, _, name = (x.strip() for x in line[len("import time:") :].split("|"))
        top = name.split(".")[0]
        costs[name if top == "cwbtools" else top] += int(self_us) / 1000
    return costs


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("file", type=Path)
    ap.add_argument("--top", type=int, default=40)
    ap.add_argument("--threads", action="store_true", help="keep the worker threads")
    ap.add_argument("--out", type=Path, help="also save the pstats file here")
    args = ap.parse_args()

    costs = import_costs()
    print(f"== imports of `import cwbtools.cli`, self time by package: {sum(costs.values()):.0f} ms in all")
    for name, ms in costs.most_common(15):
        print(f"    {ms:7.1f} ms  {name}")

    t0, c0 = time.perf_counter(), time.process_time()
    from cwbtools import cli
    from cwbtools.ingest import core

    t1, c1 = time.perf_counter(), time.process_time()
    if not args.threads:
        core.WORKERS = 1
    prof = cProfile.Profile()
    prof.enable()  # the run only: imports are summed above, and cProfile would blur them
    with tempfile.TemporaryDirectory() as out:
        rc = cli.main(["ingest", str(args.file), "--anchor", "profile", "--out", out, "--quiet"])
    prof.disable()
    t2, c2 = time.perf_counter(), time.process_time()
    print(
        f"== {args.file}: exit {rc}; importing cwbtools.cli {t1 - t0:.2f} s wall {c1 - c0:.2f} s cpu; "
        f"the run {t2 - t1:.2f} s wall {c2 - c1:.2f} s cpu under the profiler; load average {os.getloadavg()[0]:.2f}"
    )
    if args.out:
        prof.dump_stats(args.out)
    for key in ("cumulative", "tottime"):
        buf = io.StringIO()
        stats = pstats.Stats(prof, stream=buf).strip_dirs().sort_stats(key)
        stats.print_stats(args.top)
        text = buf.getvalue()
        print(f"== by {key}")
        print(text[text.index("   ncalls") :].rstrip())


if __name__ == "__main__":
    main()
