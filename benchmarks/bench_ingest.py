"""Ingest speed and memory beside DuckDB's raw scan of the same files. Prints figures; asserts nothing.

    .venv/bin/python benchmarks/bench_ingest.py [--rows 200000] [--repeat 5] [--skip-shared] [--partition]

Each measurement runs in a fresh subprocess so peak memory (ru_maxrss) is its own. Rows/s for
cwbtools counts rows read (kept + set aside). The generated CSV is SYNTHETIC: a clean Local
Government Transparency Code layout, 8 columns, fixed seed.

On the synthetic CSV each configuration runs `--repeat` times, the configurations interleaved so
that a burst of other work on the shared machine falls on all of them; the median is printed (the
fastest beside it), and the ratios are of medians. Runs of half a second move by 2x with the load.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

_CHILD = r"""
import json, resource, sys, time
mode, out, paths = sys.argv[1], sys.argv[2], sys.argv[3:]
import duckdb
from cwbtools.ingest import ingest_paths
import cwbtools.individuals as ind
ind._first_names()  # load the first-name dictionary before the clock starts: a one-off 0.3 s
t0, c0 = time.perf_counter(), time.process_time()  # imports excluded for both
if mode in ("duckdb", "duckdb_parquet"):
    con = duckdb.connect()
    rows = failed = 0
    for i, p in enumerate(paths):
        try:
            con.execute(f"CREATE OR REPLACE TABLE t AS SELECT * FROM read_csv_auto('{p}', all_varchar=true)")
            rows += con.execute("SELECT count(*) FROM t").fetchone()[0]
            if mode == "duckdb_parquet":  # the same table written out, as ingest writes its own
                con.execute(f"COPY t TO '{p}.{i}.duckdb.parquet' (FORMAT parquet)")
        except duckdb.Error:
            failed += 1
else:
    res = ingest_paths(paths, anchor="bench", out_dir=(out or None) if mode != "memory" else None,
                       partition=(mode == "partition"))
    rows = int(res.reconciliation.rows_read.sum())
    failed = 0
wall, cpu = time.perf_counter() - t0, time.process_time() - c0
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"rows": rows, "wall": wall, "cpu": cpu, "peak_mb": peak, "failed": failed}))
"""


def run(mode: str, paths: list[Path], out: str = "") -> dict:
    proc = subprocess.run(
        [sys.executable, "-c", _CHILD, mode, out, *map(str, paths)], capture_output=True, text=True, cwd=REPO
    )
    if proc.returncode:
        raise SystemExit(proc.stderr)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def synthetic_csv(path: Path, rows: int, seed: int = 2019) -> None:
    rng = random.Random(seed)
    suppliers = [
        f"{w1} {w2} Ltd"
        for w1 in ("Acme", "Pennine", "Ribble", "Northern", "Valley", "Fylde", "Bowland", "Wyre", "Lune", "Calder")
        for w2 in ("Builders", "Care", "Foods", "IT", "Transport", "Cleaning", "Print", "Legal", "Energy", "Security")
    ] * 5
    suppliers = [f"{s} {i}" for i, s in enumerate(suppliers)]
    areas = ["Adult Social Care", "Children's Services", "Highways", "Housing", "Waste", "Leisure", "Finance"]
    cats = ["Agency Staff", "Repairs & Maintenance", "Consultancy", "Grants", "Utilities", "IT Software"]
    with open(path, "w", encoding="utf-8", newline="") as fh:
        fh.write(
            "Body Name,Service Area,Expense Type,Payment Date,Transaction Number,Net Amount,Supplier Name,Supplier ID\n"
        )
        for i in range(rows):
            d = f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/20{rng.randint(19, 24)}"
            amt = f"{rng.randint(50000, 5000000) / 100:.2f}"
            s = rng.randrange(len(suppliers))
            fh.write(f"Synthetic Council,{areas[i % 7]},{cats[i % 6]},{d},INV{i:08d},{amt},{suppliers[s]},S{s:05d}\n")


def median_run(rs: list[dict]) -> dict:
    """The run with the median wall time (its CPU and memory figures with it)."""
    return sorted(rs, key=lambda r: r["wall"])[len(rs) // 2]


def line(label: str, r: dict) -> str:
    failed = f"  ({r['failed']} files failed)" if r.get("failed") else ""
    return (
        f"{label:<44} {r['rows']:>10,} rows {r['wall']:>7.2f} s wall {r['cpu']:>7.2f} s cpu "
        f"{r['rows'] / r['wall']:>10,.0f} rows/s  peak {r['peak_mb']:>6.0f} MB{failed}"
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=200_000)
    ap.add_argument("--skip-shared", action="store_true")
    ap.add_argument("--repeat", type=int, default=5, help="runs of each configuration on the synthetic CSV")
    ap.add_argument("--partition", action="store_true", help="also time partition=True on the synthetic CSV")
    args = ap.parse_args()
    from cwbtools.paths import shared_data_dir

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        if not args.skip_shared:
            spend = shared_data_dir() / "spend"
            print("== all shared ledgers (real data)")
            files = []
            for body in ("oxford", "greater-manchester-2019", "hyndburn", "lancashire-pcc", "lancashire-fire"):
                r = run("cwbtools", [spend / body], str(tmp / body))
                files += sorted((spend / body).glob("*.csv"))
                print(line(f"cwbtools ingest {body}", r))
            print(line("duckdb read_csv_auto (CSV ledgers only)", run("duckdb", files)))
        csv_path = tmp / "synthetic.csv"
        synthetic_csv(csv_path, args.rows)
        print(f"== SYNTHETIC clean CSV, {args.rows:,} rows, {csv_path.stat().st_size / 1e6:.1f} MB")
        modes = [
            ("duckdb", "duckdb read_csv_auto", ""),
            ("duckdb_parquet", "duckdb read_csv_auto -> parquet", ""),
            ("memory", "cwbtools ingest (DataFrame only)", ""),
            ("cwbtools", "cwbtools ingest (writes parquet)", str(tmp / "out")),
        ]
        if args.partition:
            modes.append(("partition", "cwbtools ingest --partition", str(tmp / "part")))
        runs: dict[str, list[dict]] = {m: [] for m, _, _ in modes}
        for _ in range(args.repeat):
            for mode, _, out in modes:
                runs[mode].append(run(mode, [csv_path], out))
        med = {m: median_run(rs) for m, rs in runs.items()}
        for mode, label, _ in modes:
            fastest = min(r["wall"] for r in runs[mode])
            print(line(label, med[mode]) + f"  (median of {args.repeat}; fastest {fastest:.2f} s)")
        d = med["duckdb"]
        for label, r, floor, floor_label in (
            ("DataFrame only", med["memory"], d, "duckdb scan"),
            ("with parquet", med["cwbtools"], d, "duckdb scan"),
            ("with parquet", med["cwbtools"], med["duckdb_parquet"], "duckdb scan -> parquet"),
        ):
            print(
                f"ratio cwbtools ({label}) / {floor_label}: wall {r['wall'] / floor['wall']:.2f}x, "
                f"cpu {r['cpu'] / floor['cpu']:.2f}x  (target <= 2x)"
            )


if __name__ == "__main__":
    main()
