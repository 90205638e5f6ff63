"""Whole-process `cwb ingest` beside whole-process DuckDB `read_csv_auto` on the same file. Prints
figures; asserts nothing.

    .venv/bin/python benchmarks/bench_ingest_vs_duckdb.py [--repeat 7] [--largest 4] [--rows 200000]
        [--files PATH ...] [--no-pyc]

Each run is a fresh process timed from outside, start-up and imports included:

- DuckDB: `python -c "import duckdb; duckdb.sql('select * from read_csv_auto(PATH)').fetch_arrow_table()"`
- cwbtools: `cwb ingest PATH --anchor bench --out TMP --quiet` (transactions.parquet, reconciliation,
  quarantine and column maps written, as a user runs it)

The two alternate run by run (`--repeat` each, at least 5) so that a burst of other work on the shared
machine falls on both; the median wall time is printed with the fastest beside it, CPU seconds
(user + system, from `wait4`) and peak RSS of the median run, and the ratio of medians.

Files: the 200k-row SYNTHETIC CSV of `bench_ingest.py` (clean, 8 columns) and the `--largest` biggest
real CSV ledgers in the shared data (`spend/` and `spend-corpus/`), or `--files`. A file DuckDB cannot
read as it is (not UTF-8 throughout) is timed with `encoding = 'latin-1'`, or failing that
`ignore_errors = true` (DuckDB then drops the rows it cannot decode), said beside it.

Python's bytecode cache: this machine sets PYTHONDONTWRITEBYTECODE, so the package under `src/` would
be compiled afresh by every process (about 0.15 s), which no installed copy does. By default the
children get a cache of their own in `benchmarks/out/pycache` (PYTHONPYCACHEPREFIX), warmed by one
untimed run; `--no-pyc` runs them in the environment as found.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path[:0] = [str(HERE), str(REPO / "src")]

from bench_ingest import synthetic_csv  # noqa: E402  (the one generator of the 200k-row CSV)

from cwbtools.paths import shared_data_dir  # noqa: E402  (CWB_DATA, default ../shared/data)

SHARED = shared_data_dir()
PYTHON = Path(sys.executable)
CWB = PYTHON.parent / "cwb"

_DUCK = """
import sys, duckdb
path, opts = sys.argv[1], sys.argv[2]
quoted = path.replace("'", "''")
rel = duckdb.sql(f"select * from read_csv_auto('{quoted}'{opts})")
print((getattr(rel, "to_arrow_table", None) or rel.fetch_arrow_table)().num_rows)
"""

# What DuckDB is told when it refuses a file as it is, tried in this order.
_DUCK_FALLBACKS = ("", ", encoding = 'latin-1'", ", ignore_errors = true")


def child_env(pyc: bool) -> dict:
    env = dict(os.environ)
    if pyc:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(HERE / "out" / "pycache")
    return env


def machine_load() -> str:
    """The load average and, where the kernel has it, the share of the last 10 s some task waited for
    a CPU (PSI): on a shared VM the second moves wall times when the first looks quiet."""
    text = f"load average {os.getloadavg()[0]:.2f}"
    with contextlib.suppress(OSError, ValueError, IndexError):
        some = Path("/proc/pressure/cpu").read_text().split()[1]  # "avg10=12.34"
        text += f", cpu pressure {float(some.split('=')[1]):.0f}%"
    return text


def run_measured(cmd: list[str], env: dict) -> dict:
    """Wall time of one fresh process measured from outside, with its own rusage (os.wait4): CPU
    (user + system) and peak RSS."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, cwd=REPO)
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    return {
        "wall": wall,
        "cpu": usage.ru_utime + usage.ru_stime,
        "peak_mb": usage.ru_maxrss / 1024,
        "rc": proc.returncode,
        "err": err.decode(errors="replace")[-2000:],
    }


def duck_options(path: Path, env: dict) -> str:
    """The first of `_DUCK_FALLBACKS` DuckDB reads the file with (decided before the clock)."""
    for opts in _DUCK_FALLBACKS:
        if run_measured([str(PYTHON), "-c", _DUCK, str(path), opts], env)["rc"] == 0:
            return opts
    raise SystemExit(f"{path}: DuckDB cannot read it with any of {_DUCK_FALLBACKS}")


def largest_csvs(n: int) -> list[Path]:
    files = [p for d in ("spend", "spend-corpus") for p in (SHARED / d).rglob("*") if p.suffix.lower() == ".csv"]
    return sorted(files, key=lambda p: p.stat().st_size, reverse=True)[:n]


def compare(path: Path, repeat: int, env: dict, tmp: Path) -> dict:
    opts = duck_options(path, env)
    duck_cmd = [str(PYTHON), "-c", _DUCK, str(path), opts]
    out = tmp / "out"

    def cwb_cmd() -> list[str]:
        shutil.rmtree(out, ignore_errors=True)
        return [str(CWB), "ingest", str(path), "--anchor", "bench", "--out", str(out), "--quiet"]

    run_measured(cwb_cmd(), env)  # warm the page cache and the bytecode cache: not counted
    run_measured(duck_cmd, env)
    runs: dict[str, list[dict]] = {"duckdb": [], "cwb": []}
    for _ in range(repeat):
        runs["duckdb"].append(run_measured(duck_cmd, env))
        runs["cwb"].append(run_measured(cwb_cmd(), env))
    for name, rs in runs.items():
        # cwb exits 1 when a file does not balance; so does Python on an uncaught exception
        bad = [r for r in rs if r["rc"] not in (0, 1) or "Traceback" in r["err"]]
        if bad:
            raise SystemExit(f"{name} failed on {path}: {bad[0]['err']}")
    return {
        "duck_options": opts,
        **{k: summary(v) for k, v in runs.items()},
        "cwb_rc": max(r["rc"] for r in runs["cwb"]),
    }


def summary(rs: list[dict]) -> dict:
    walls = [r["wall"] for r in rs]
    med = sorted(rs, key=lambda r: r["wall"])[len(rs) // 2]
    return {"wall": statistics.median(walls), "fastest": min(walls), "cpu": med["cpu"], "peak_mb": med["peak_mb"]}


def show(label: str, size: int, res: dict) -> None:
    d, c = res["duckdb"], res["cwb"]
    enc = f" (DuckDB told{res['duck_options'][1:]}: it refuses the file otherwise)" if res["duck_options"] else ""
    unbalanced = "  [cwb: not balanced, exit 1]" if res["cwb_rc"] else ""
    print(f"{label}  {size / 1e6:.1f} MB{enc}{unbalanced}")
    for name, r in (("duckdb read_csv_auto", d), ("cwb ingest", c)):
        print(
            f"    {name:<22} median {r['wall']:5.2f} s (fastest {r['fastest']:5.2f})  "
            f"cpu {r['cpu']:5.2f} s  peak {r['peak_mb']:5.0f} MB"
        )
    print(f"    ratio cwb / duckdb: wall {c['wall'] / d['wall']:.2f}x, cpu {c['cpu'] / d['cpu']:.2f}x  (target <= 2x)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeat", type=int, default=7, help="runs of each (at least 5)")
    ap.add_argument("--largest", type=int, default=4, help="how many of the biggest real CSV ledgers")
    ap.add_argument("--rows", type=int, default=200_000, help="rows of the synthetic CSV (0: none)")
    ap.add_argument("--files", nargs="*", type=Path, help="these files instead of the biggest real ones")
    ap.add_argument("--no-pyc", action="store_true", help="no bytecode cache for the children (as found)")
    args = ap.parse_args()
    if args.repeat < 5:
        ap.error("--repeat: at least 5 runs of each")
    env = child_env(pyc=not args.no_pyc)
    print(f"{machine_load()}; {args.repeat} interleaved runs each; bytecode cache: {'no' if args.no_pyc else 'yes'}")
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        targets: list[tuple[str, Path]] = []
        if args.rows:
            synth = tmp / "SYNTHETIC_ledger.csv"
            synthetic_csv(synth, args.rows)
            targets.append((f"SYNTHETIC clean CSV, {args.rows:,} rows", synth))
        for p in args.files if args.files is not None else largest_csvs(args.largest):
            targets.append((str(p.relative_to(SHARED)) if p.is_relative_to(SHARED) else str(p), p))
        ratios = []
        for label, path in targets:
            res = compare(path, args.repeat, env, tmp)
            show(label, path.stat().st_size, res)
            ratios.append(res["cwb"]["wall"] / res["duckdb"]["wall"])
        print(f"{machine_load()}; worst wall ratio {max(ratios):.2f}x")


if __name__ == "__main__":
    main()
