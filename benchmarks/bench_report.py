"""Benchmark: one place's three reports as a user makes them, `cwb run CONFIG --jobs 2`, whole
process, warm cache. Target (issue 22): at most 10 s wall on this 2-core machine, quiet.

Each run is a fresh `cwb run` process into a scratch folder (benchmarks/out/bench-report-*, deleted
at the end). Printed per run: wall time, CPU seconds of the whole process tree (the runner and its
kernels: on two cores, wall cannot fall below half of it), the load average before and after, and
from `cwb run`'s own progress lines each notebook's time (kernel start or clearing, cells), the
rendering tail and what follows the city (index, address-check sheet). Then the medians.

Warm cache: a first, untimed run builds `data/processed/<slug>/` when it is stale. The cache is keyed
by the package's code, so an edit anywhere in src/ (another session at work) rebuilds it: a run
during which the city was rebuilt is flagged `REBUILT` and left out of the medians.

Run: `.venv/bin/python benchmarks/bench_report.py [--config configs/oldham.yml] [--jobs 2]
[--repeat 5] [--no-warm-up]`.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
OUT = HERE / "out"
CWB = [sys.executable, "-m", "cwbtools.cli"]
# `--before`: the same `cwb run` with the runner as it was before issue 22's speed work (a new kernel
# per notebook, the notebook saved after every cell, jsonschema's rfc3987_syntax imported), for a
# before-and-after on the same code and data.
BEFORE = """
import jsonschema, logging, sys, time  # jsonschema first: rfc3987_syntax is imported as it was
import papermill
from cwbtools.report import run

def execute(nb, out, params, kernel):
    logging.getLogger("papermill").setLevel(logging.ERROR)
    start = time.perf_counter()
    try:
        executed = papermill.execute_notebook(
            str(nb), str(out), parameters=params, kernel_name=getattr(kernel, "name", kernel),
            progress_bar=False, log_output=False, cwd=str(run.repo_root()),
            extra_arguments=["--IPKernelApp.log_level=CRITICAL"])
    finally:
        total = time.perf_counter() - start
    cells = sum(float(c.metadata.get("papermill", {}).get("duration") or 0) for c in executed.cells)
    return {"kernel": max(total - cells, 0.0), "analysis": cells, "total": total}

run._execute = execute
from cwbtools.cli import main
sys.exit(main(sys.argv[1:]))
"""
TARGET = 10.0

_DONE = re.compile(r"\[\s*([\d.]+) s\] (\S+) done in ([\d.]+) s \(kernel start ([\d.]+) s, cells ([\d.]+) s\)")
_STEP = re.compile(r"\[\s*([\d.]+) s\] (rendering|writing)")
_CITY = re.compile(r"^ok\s+\S+: .* \(([\d.]+) s\)", re.M)


def _load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def _built(slug: str) -> str | None:
    stamp = REPO / "data" / "processed" / slug / "inputs.json"
    try:
        return json.loads(stamp.read_text()).get("built")
    except (OSError, ValueError):
        return None


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def one_run(config: str, jobs: int, root: Path, slug: str, old_runner: bool = False) -> dict:
    before, load_before = _built(slug), _load()
    cpu0, t0 = _children_cpu(), time.perf_counter()
    proc = subprocess.run(
        [
            *([sys.executable, "-c", BEFORE] if old_runner else CWB),
            "run",
            config,
            "--jobs",
            str(jobs),
            "--reports",
            str(root),
        ],
        cwd=REPO,
        # As installed copies run: with a bytecode cache (this machine's shell sets
        # PYTHONDONTWRITEBYTECODE; the runner and each kernel would compile the package again).
        env={k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"},
        capture_output=True,
        text=True,
        check=False,
    )
    wall, cpu = time.perf_counter() - t0, _children_cpu() - cpu0
    if proc.returncode != 0:
        print(proc.stderr[-3000:], file=sys.stderr)
        raise SystemExit(f"cwb run failed ({proc.returncode})")
    text = proc.stderr + proc.stdout
    notebooks = {
        m[1]: {"end": float(m[0]), "total": float(m[2]), "kernel": float(m[3]), "cells": float(m[4])}
        for m in _DONE.findall(text)
    }
    steps = [float(m.group(1)) for m in _STEP.finditer(text)]
    city = _CITY.search(text)
    city_s = float(city.group(1)) if city else float("nan")
    last_nb = max((n["end"] for n in notebooks.values()), default=float("nan"))
    return {
        "wall": wall,
        "cpu": cpu,
        "city": city_s,
        "notebooks_done": last_nb,
        "render": city_s - (steps[0] if steps else last_nb),
        "outside_city": wall - city_s,
        "notebooks": notebooks,
        "rebuilt": _built(slug) != before,
        "load": f"{load_before} -> {_load()}",
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--config", default="configs/oldham.yml")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--no-warm-up", action="store_true", help="time the first run too")
    ap.add_argument("--before", action="store_true", help="the runner as it was before (see BEFORE)")
    args = ap.parse_args()
    sys.path.insert(0, str(REPO / "src"))
    from cwbtools.config import load_config

    slug = load_config(args.config, check_inputs=False).slug
    OUT.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(dir=OUT, prefix="bench-report-"))
    runs = []
    try:
        if not args.no_warm_up:
            one_run(args.config, args.jobs, scratch / "warm", slug, args.before)
        for i in range(args.repeat):
            r = one_run(args.config, args.jobs, scratch / f"run{i}", slug, args.before)
            runs.append(r)
            nbs = ", ".join(
                f"{stem[:2]} {n['total']:.1f} s (kernel {n['kernel']:.1f}, cells {n['cells']:.1f})"
                for stem, n in sorted(r["notebooks"].items())
            )
            print(
                f"run {i + 1}: {r['wall']:5.1f} s wall, {r['cpu']:5.1f} s CPU | city {r['city']:.1f} s: notebooks "
                f"done at {r['notebooks_done']:.1f} s, then pages {r['render']:.1f} s | outside the city "
                f"{r['outside_city']:.1f} s | {nbs} | load {r['load']}" + ("  REBUILT" if r["rebuilt"] else ""),
                flush=True,
            )
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    warm = [r for r in runs if not r["rebuilt"]] or runs
    med = {
        k: statistics.median(r[k] for r in warm)
        for k in ("wall", "cpu", "city", "notebooks_done", "render", "outside_city")
    }
    verdict = "met" if med["wall"] <= TARGET else "not met"
    print(
        f"\n{slug}{' (runner as before)' if args.before else ''}, --jobs {args.jobs}, median of {len(warm)} warm run(s): {med['wall']:.1f} s wall "
        f"(target {TARGET:.0f} s: {verdict}), {med['cpu']:.1f} s CPU; city {med['city']:.1f} s (notebooks "
        f"{med['notebooks_done']:.1f} s, pages {med['render']:.1f} s); outside the city {med['outside_city']:.1f} s"
    )


if __name__ == "__main__":
    main()
