"""Scale (issue 9): national-size SYNTHETIC ledgers on one machine. Prints figures; asserts nothing.

    .venv/bin/python benchmarks/bench_scale.py                      # the full run (about 30 minutes)
    .venv/bin/python benchmarks/bench_scale.py --ingest-rows 100000 --memory-rows 200000,800000 \
        --agg-rows 1000000                                          # a quick run (about a minute)

Measures, each in a fresh child process so its peak memory (ru_maxrss) is its own:

1. ingest (`cwbtools.ingest.ingest_paths(..., partition=True)`, anchor by anchor) of generated
   ledgers at each `--ingest-rows`, beside DuckDB `read_csv_auto` on the same files (our floor: one
   call per file, all columns as text, into a table);
2. ingest peak memory on one file at each `--memory-rows` size (streaming: should not grow);
3. the baseline aggregates (`cwbtools.analysis.aggregate.baseline`) over `--agg-rows` payments written as
   partitioned transactions plus a suppliers table.

Targets (issue 9): ingest within 2x DuckDB's scan; peak ingest memory independent of file size;
baseline aggregates over 30M rows in under 10 minutes with peak memory under 8 GB.

The machine is shared: every line carries the 1-minute load average when it started, and CPU
seconds beside wall seconds (CPU time is far less disturbed by other work than wall time).
Generated files go to `--out` (default benchmarks/out/scale, git-ignored) and are deleted at the
end unless `--keep`.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "benchmarks"))
sys.path.insert(0, str(REPO / "src"))

import synth_ledgers as synth  # noqa: E402

ROWS_PER_FILE = 20_000  # a district council's year of payments over £250
YEARS = 5


def _child_result(t0: float, c0: float, **extra) -> None:
    import resource

    out = {
        "wall": time.perf_counter() - t0,
        "cpu": time.process_time() - c0,
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        **extra,
    }
    print(json.dumps(out))


def child_ingest(spec: dict) -> None:
    import cwbtools.individuals as ind
    from cwbtools.ingest import ingest_paths

    if hasattr(ind, "_first_names"):
        ind._first_names()  # a one-off dictionary load, kept off the clock as bench_ingest does
    t0, c0 = time.perf_counter(), time.process_time()
    rows_read = rows_kept = pence_read = pence_kept = 0
    for anchor, folder in spec["anchors"]:
        res = ingest_paths([Path(folder)], anchor=anchor, out_dir=Path(spec["out"]), partition=True)
        r = res.reconciliation
        rows_read += int(r["rows_read"].sum())
        rows_kept += int(r["rows_kept"].sum())
        pence_read += int(r["pence_read"].sum())
        pence_kept += int(r["pence_kept"].sum())
    _child_result(t0, c0, rows=rows_read, rows_kept=rows_kept, pence_read=pence_read, pence_kept=pence_kept)


def child_duckdb(spec: dict) -> None:
    import duckdb

    t0, c0 = time.perf_counter(), time.process_time()
    con = duckdb.connect()
    rows = 0
    for path in spec["files"]:
        with open(path, "rb") as fh:
            head = fh.read(4096)
        # DuckDB reads UTF-8 unless told; a cp1252 header (`£` = 0xA3) needs latin-1.
        try:
            head.decode("utf-8")
            enc = "utf-8"
        except UnicodeDecodeError:
            enc = "latin-1"
        con.execute(
            f"CREATE OR REPLACE TABLE t AS SELECT * FROM read_csv_auto('{path}', all_varchar = true, "
            f"encoding = '{enc}')"
        )
        rows += con.execute("SELECT count(*) FROM t").fetchone()[0]
    _child_result(t0, c0, rows=rows)


def child_generate(spec: dict) -> None:
    plan = synth.Plan(**spec["plan"])
    t0, c0 = time.perf_counter(), time.process_time()
    if spec["format"] == "csv":
        synth.write_csv(plan, Path(spec["out"]))
    else:
        synth.write_parquet(plan, Path(spec["out"]))
    _child_result(t0, c0, rows=plan.rows)


def child_aggregate(spec: dict) -> None:
    from cwbtools.analysis import aggregate

    plan = synth.Plan(**spec["plan"])
    place, wider = synth.synthetic_lads(plan)
    t0, c0 = time.perf_counter(), time.process_time()
    steps = {}
    with aggregate.open_transactions(
        Path(spec["out"]) / "transactions", Path(spec["out"]) / "suppliers.parquet", place, wider
    ) as src:
        t = time.perf_counter()
        src.build_cube()
        steps["cube"] = time.perf_counter() - t
        cube_rows = src.con.execute("SELECT count(*) FROM cube").fetchone()[0]
        years = src.years()
        t = time.perf_counter()
        tables = aggregate.baseline(src, deprived_deciles=(1, 2))  # all years: every payment
        steps["baseline_all_years"] = time.perf_counter() - t
        t = time.perf_counter()
        aggregate.baseline(src, year=years[-1], deprived_deciles=(1, 2))
        steps["baseline_one_year"] = time.perf_counter() - t
        total = int(tables["headline"].loc[0, "total_pence"])
        rows = int(tables["headline"].loc[0, "payments"])
    _child_result(
        t0,
        c0,
        rows=rows,
        total_pence=total,
        cube_rows=int(cube_rows),
        steps=steps,
        tables={k: len(v) for k, v in tables.items()},
    )


CHILDREN = {"ingest": child_ingest, "duckdb": child_duckdb, "generate": child_generate, "aggregate": child_aggregate}


def run_child(kind: str, spec: dict) -> dict:
    load = os.getloadavg()[0]
    proc = subprocess.run(
        [sys.executable, __file__, "--child", kind, json.dumps(spec)], capture_output=True, text=True, cwd=REPO
    )
    if proc.returncode:
        raise SystemExit(f"{kind} failed:\n{proc.stderr[-4000:]}")
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    out["load"] = load
    return out


def line(label: str, r: dict) -> str:
    return (
        f"{label:<46} {r['rows']:>11,} rows {r['wall']:>8.1f} s wall {r['cpu']:>8.1f} s cpu "
        f"{r['rows'] / r['wall']:>10,.0f} rows/s  peak {r['peak_mb']:>6,.0f} MB  load {r['load']:.1f}"
    )


def _plan(rows: int, anchors: int | None = None, years: int = YEARS, **kw) -> synth.Plan:
    anchors = anchors or max(1, round(rows / (ROWS_PER_FILE * years)))
    return synth.Plan(rows=rows, anchors=anchors, years=years, **kw)


def _plan_dict(plan: synth.Plan) -> dict:
    return {k: getattr(plan, k) for k in ("rows", "anchors", "years", "first_year", "seed", "suppliers", "chunk")}


def bench_ingest(out: Path, sizes: list[int]) -> None:
    print("== ingest of SYNTHETIC ledgers (about 20,000 rows per file, 5 years per anchor) vs DuckDB")
    for rows in sizes:
        plan = _plan(rows)
        csv_dir = out / f"csv_{rows}"
        g = run_child("generate", {"plan": _plan_dict(plan), "format": "csv", "out": str(csv_dir)})
        files = sorted(str(p) for p in csv_dir.rglob("*.csv"))
        size_mb = sum(Path(p).stat().st_size for p in files) / 1e6
        print(
            f"-- {rows:,} rows, {plan.anchors} anchors, {len(files)} files, {size_mb:,.0f} MB "
            f"(generated in {g['wall']:.1f} s)"
        )
        d = run_child("duckdb", {"files": files})
        anchors = [(plan.anchor_name(a), str(synth.anchor_folder(csv_dir, a))) for a in range(plan.anchors)]
        c = run_child("ingest", {"anchors": anchors, "out": str(out / f"ingested_{rows}")})
        print(line("duckdb read_csv_auto (floor)", d))
        print(line("cwbtools ingest_paths(partition=True)", c))
        kept = "all" if c["rows_kept"] == c["rows"] else f"{c['rows_kept']:,}"
        print(
            f"   ratio ingest/duckdb: wall {c['wall'] / d['wall']:.2f}x, cpu {c['cpu'] / d['cpu']:.2f}x "
            f"(target <= 2x); rows kept: {kept}; pence read == kept + set aside checked by ingest"
        )
        shutil.rmtree(out / f"ingested_{rows}", ignore_errors=True)


def bench_ingest_memory(out: Path, sizes: list[int]) -> None:
    print("== ingest peak memory on one file of each size (streaming: should not grow with the file)")
    peaks = []
    for rows in sizes:
        plan = _plan(rows, anchors=1, years=1, chunk=500_000)
        csv_dir = out / f"one_file_{rows}"
        run_child("generate", {"plan": _plan_dict(plan), "format": "csv", "out": str(csv_dir)})
        path = next(csv_dir.rglob("*.csv"))
        c = run_child(
            "ingest", {"anchors": [(plan.anchor_name(0), str(path.parent))], "out": str(out / f"ingested_one_{rows}")}
        )
        print(line(f"ingest one {path.stat().st_size / 1e6:,.0f} MB file", c))
        peaks.append(c["peak_mb"])
        shutil.rmtree(out / f"ingested_one_{rows}", ignore_errors=True)
        shutil.rmtree(csv_dir, ignore_errors=True)
    if len(peaks) > 1:
        print(
            f"   peak memory {peaks[0]:,.0f} MB -> {peaks[-1]:,.0f} MB for {sizes[-1] / sizes[0]:.0f}x the rows "
            f"({peaks[-1] / peaks[0]:.2f}x)"
        )


def bench_aggregate(out: Path, rows: int) -> None:
    plan = _plan(rows)
    pq_dir = out / f"parquet_{rows}"
    print(
        f"== baseline aggregates over {rows:,} SYNTHETIC payments ({plan.anchors} anchors x {plan.years} years, "
        f"{plan.pool_size:,} suppliers), partitioned parquet joined to suppliers"
    )
    g = run_child("generate", {"plan": _plan_dict(plan), "format": "parquet", "out": str(pq_dir)})
    size_mb = sum(p.stat().st_size for p in pq_dir.rglob("*.parquet")) / 1e6
    print(line(f"generate parquet ({size_mb:,.0f} MB)", g))
    a = run_child("aggregate", {"plan": _plan_dict(plan), "out": str(pq_dir)})
    print(line("aggregate.baseline, all years then one year", a))
    steps = ", ".join(f"{k} {v:.1f} s" for k, v in a["steps"].items())
    print(f"   {steps}; cube {a['cube_rows']:,} rows; tables {a['tables']}")
    print(f"   target: < 600 s and < 8,192 MB -> {'met' if a['wall'] < 600 and a['peak_mb'] < 8192 else 'MISSED'}")


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--child"]:
        CHILDREN[argv[1]](json.loads(argv[2]))
        return 0
    ap = argparse.ArgumentParser(description="Scale benchmarks on SYNTHETIC ledgers (issue 9).")
    ap.add_argument(
        "--ingest-rows",
        default="100000,1000000,10000000",
        help="comma-separated ledger sizes for the ingest benchmark ('' to skip)",
    )
    ap.add_argument(
        "--memory-rows",
        default="1000000,4000000",
        help="comma-separated single-file sizes for ingest peak memory ('' to skip)",
    )
    ap.add_argument("--agg-rows", type=int, default=30_000_000, help="payments for the aggregates (0 to skip)")
    ap.add_argument("--out", type=Path, default=REPO / "benchmarks" / "out" / "scale")
    ap.add_argument("--keep", action="store_true", help="keep the generated files")
    args = ap.parse_args(argv)
    sizes = [int(x) for x in args.ingest_rows.split(",") if x.strip()]
    mem_sizes = [int(x) for x in args.memory_rows.split(",") if x.strip()]
    args.out.mkdir(parents=True, exist_ok=True)
    print(f"bench_scale: {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}, out {args.out}")
    try:
        if sizes:
            bench_ingest(args.out, sizes)
        if mem_sizes:
            bench_ingest_memory(args.out, mem_sizes)
        if args.agg_rows:
            bench_aggregate(args.out, args.agg_rows)
    finally:
        if not args.keep:
            shutil.rmtree(args.out, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
