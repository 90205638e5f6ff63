"""The whole spend corpus (`spend-corpus/`: 86 public bodies, 148 files as published) ingested, as a
benchmark: files per second, rows per second, peak memory. Prints figures; asserts nothing.

    .venv/bin/python benchmarks/bench_corpus.py [--per-file] [--slowest 10] [--no-pyc]

Default: one fresh process reads every file in turn, each with its own `ingest_paths` call and
output folder (parquet, reconciliation, quarantine and column maps written, as `cwb ingest` does),
anchor = the body's folder name, files in `FILES.csv` order. Start-up and imports are inside the
total. Peak memory is the process's VmHWM (the most it ever held at once).

`--per-file`: one `cwb ingest FILE --anchor BODY --out TMP --quiet` process per file, timed from
outside (start-up included every time); peak memory is each process's own (`wait4`), the largest
printed. This is what a user running one file at a time sees.

A file ingest refuses (a PDF, a layout it cannot read) counts as a file done: its time is in the
total, and it is listed with the first words of its error. Children get a bytecode cache of their own
unless `--no-pyc` (see `bench_ingest_vs_duckdb.py`).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path[:0] = [str(HERE), str(REPO / "src")]

from bench_ingest_vs_duckdb import child_env, machine_load  # noqa: E402

from cwbtools.paths import shared_data_dir  # noqa: E402  (CWB_DATA, default ../shared/data)

CORPUS = shared_data_dir() / "spend-corpus"
PYTHON = Path(sys.executable)
CWB = PYTHON.parent / "cwb"

_CHILD = r"""
import json, sys, time
t_start = time.perf_counter()
from pathlib import Path
from cwbtools.errors import CwbError
from cwbtools.ingest import ingest_paths
root, out = Path(sys.argv[1]), Path(sys.argv[2])
print(json.dumps({"imports": time.perf_counter() - t_start}), flush=True)
for name in sys.argv[3:]:
    t0, c0 = time.perf_counter(), time.process_time()
    rec = {"file": name}
    try:
        res = ingest_paths([root / name], anchor=name.split("/")[0], out_dir=out / name.replace("/", "__"))
        r = res.reconciliation
        rec.update(rows_read=int(r.rows_read.sum()), rows_kept=int(r.rows_kept.sum()), balanced=res.balanced())
    except CwbError as exc:
        rec["error"] = str(exc)[:160]
    rec.update(wall=time.perf_counter() - t0, cpu=time.process_time() - c0)
    print(json.dumps(rec), flush=True)
hwm = next(l for l in open("/proc/self/status") if l.startswith("VmHWM:")).split()[1]
print(json.dumps({"peak_mb": int(hwm) / 1024, "cpu_total": time.process_time()}), flush=True)
"""


def corpus_files() -> list[tuple[str, int]]:
    """(slug/file, bytes) for every file of the corpus, in FILES.csv order."""
    with (CORPUS / "FILES.csv").open(newline="", encoding="utf-8") as fh:
        return [(f"{r['slug']}/{r['file']}", int(r["bytes"])) for r in csv.DictReader(fh)]


def one_process(names: list[str], tmp: Path, env: dict) -> tuple[list[dict], dict]:
    subprocess.run([str(PYTHON), "-c", "import cwbtools.ingest"], env=env, cwd=REPO)  # warm the bytecode cache
    t0 = time.perf_counter()
    proc = subprocess.run(
        [str(PYTHON), "-c", _CHILD, str(CORPUS), str(tmp), *names], capture_output=True, text=True, cwd=REPO, env=env
    )
    wall = time.perf_counter() - t0
    if proc.returncode:
        raise SystemExit(proc.stderr[-3000:])
    lines = [json.loads(x) for x in proc.stdout.splitlines() if x.startswith("{")]
    head, *files, tail = lines
    return files, {"wall": wall, "imports": head["imports"], "cpu": tail["cpu_total"], "peak_mb": tail["peak_mb"]}


def per_file(names: list[str], tmp: Path, env: dict) -> tuple[list[dict], dict]:
    subprocess.run([str(CWB), "--help"], env=env, cwd=REPO, stdout=subprocess.DEVNULL)  # warm the bytecode cache
    files, t_all = [], time.perf_counter()
    for i, name in enumerate(names):
        out = tmp / f"f{i}"
        t0 = time.perf_counter()
        proc = subprocess.Popen(
            [str(CWB), "ingest", str(CORPUS / name), "--anchor", name.split("/")[0], "--out", str(out), "--quiet"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            cwd=REPO,
            env=env,
        )
        err = proc.stderr.read().decode(errors="replace")
        _, status, usage = os.wait4(proc.pid, 0)
        rec = {
            "file": name,
            "wall": time.perf_counter() - t0,
            "cpu": usage.ru_utime + usage.ru_stime,
            "peak_mb": usage.ru_maxrss / 1024,
        }
        rc = os.waitstatus_to_exitcode(status)
        if rc == 2 or "Traceback" in err:
            rec["error"] = err.strip().splitlines()[-1][:160] if err.strip() else f"exit {rc}"
        else:
            recon = out / "reconciliation.csv"
            with recon.open(newline="", encoding="utf-8") as fh:
                rows = list(csv.DictReader(fh))
            rec.update(
                rows_read=sum(int(r["rows_read"]) for r in rows),
                rows_kept=sum(int(r["rows_kept"]) for r in rows),
                balanced=rc == 0,
            )
        files.append(rec)
    totals = {
        "wall": time.perf_counter() - t_all,
        "cpu": sum(f["cpu"] for f in files),
        "peak_mb": max(f["peak_mb"] for f in files),
        "median_peak_mb": statistics.median(f["peak_mb"] for f in files),
        "median_wall": statistics.median(f["wall"] for f in files),
        "median_cpu": statistics.median(f["cpu"] for f in files),
    }
    return files, totals


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--per-file", action="store_true", help="one `cwb ingest` process per file")
    ap.add_argument("--slowest", type=int, default=10, help="list this many slowest files")
    ap.add_argument("--no-pyc", action="store_true", help="no bytecode cache for the children (as found)")
    args = ap.parse_args()
    env = child_env(pyc=not args.no_pyc)

    listed = corpus_files()
    names = [n for n, _ in listed]
    size = dict(listed)
    env_note = "one process per file" if args.per_file else "one process"
    print(f"{len(names)} files, {sum(size.values()) / 1e6:.1f} MB, {env_note}; {machine_load()}")
    with tempfile.TemporaryDirectory() as tmp:
        files, tot = (per_file if args.per_file else one_process)(names, Path(tmp), env)
    read = [f for f in files if "error" not in f]
    refused = [f for f in files if "error" in f]
    rows = sum(f["rows_read"] for f in read)
    print(
        f"{len(read)} read ({sum(not f['balanced'] for f in read)} not balanced), {len(refused)} refused; "
        f"{rows:,} rows read, {sum(f['rows_kept'] for f in read):,} kept"
    )
    line = (
        f"total {tot['wall']:.1f} s wall, {tot['cpu']:.1f} s cpu: {len(files) / tot['wall']:.2f} files/s, "
        f"{rows / tot['wall']:,.0f} rows/s, {sum(size.values()) / 1e6 / tot['wall']:.2f} MB/s"
    )
    if args.per_file:
        print(line + f"; per file: median {tot['median_wall']:.2f} s wall, {tot['median_cpu']:.2f} s cpu")
        print(f"peak memory: largest process {tot['peak_mb']:.0f} MB, median {tot['median_peak_mb']:.0f} MB")
    else:
        print(line + f" (of which start-up and imports {tot['imports']:.2f} s)")
        print(f"peak memory of the process: {tot['peak_mb']:.0f} MB")
    by_format: dict[str, list[dict]] = {}
    for f in files:
        by_format.setdefault(Path(f["file"]).suffix.lower(), []).append(f)
    for ext, fs in sorted(by_format.items()):
        print(
            f"    {ext:<6} {len(fs):>4} files {sum(size[f['file']] for f in fs) / 1e6:7.1f} MB "
            f"{sum(f['wall'] for f in fs):7.1f} s  {sum(f.get('rows_read', 0) for f in fs):>10,} rows"
        )
    print(f"slowest {args.slowest}:")
    for f in sorted(files, key=lambda f: f["wall"], reverse=True)[: args.slowest]:
        what = f"refused: {f['error']}" if "error" in f else f"{f['rows_read']:,} rows"
        peak = f"  peak {f['peak_mb']:.0f} MB" if "peak_mb" in f else ""
        print(f"    {f['wall']:6.2f} s  {size[f['file']] / 1e6:6.2f} MB  {f['file']}  ({what}){peak}")
    if refused:
        print("refused:")
        for f in refused:
            print(f"    {f['file']}: {f['error']}")
    print(machine_load())


if __name__ == "__main__":
    main()
