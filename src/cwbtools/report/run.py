"""`cwb run`: each city's three notebooks run by Papermill, rendered for readers, indexed.

For each config: validate it and the notebook parameters (Papermill accepts a misspelt parameter
silently, so every name is checked against the notebook's `parameters` cell first), run the
notebooks into a temporary folder beside `reports/<slug>`, render the HTML, and swap the folder in
only when every notebook succeeded, so a failing run leaves the previous report in place. Cities
run in parallel processes (`--jobs`); one failing city does not stop the others; the run ends with
a summary of failures and a non-zero exit when any failed. A city's notebooks share its kernels
(`kernels.Kernel`, one per notebook run at a time), cleared between notebooks.

The build folders' lifecycle (named for their process, swept when it is gone, swapped in, a
failure kept stripped in `reports/.failed/<slug>/`) is `folders.py`; here SIGTERM unwinds like
Ctrl-C, so a run removes its own folder.
"""

from __future__ import annotations

import logging
import os
import shutil
import signal
import sys
import threading
import time
import traceback
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import UTC, datetime
from multiprocessing import get_context
from pathlib import Path
from typing import Any

from ..errors import ConfigError, CwbError
from ..paths import configs_dir, repo_root, reports_dir
from ..publish import write_csv
from . import html, index, kernels, provenance, workbook
from .address_check import address_check_note
from .folders import error_line, keep_failed, swap, sweep, temp_dir
from .kernels import QUIET, Kernel
from .parameters import check_parameters, notebook_paths, parse_parameters

# jsonschema (under nbformat, papermill and nbconvert) imports rfc3987_syntax when it is installed,
# which builds a Lark grammar at import: 1.6 s of CPU in every runner process, for the IRI formats
# no notebook schema uses. Marked absent, jsonschema leaves those two formats unchecked.
if "jsonschema" not in sys.modules:
    sys.modules.setdefault("rfc3987_syntax", None)

DEFAULT_CONFIG = "preston-demo.yml"


@dataclass
class Failure:
    city: str
    notebook: str
    cell: str
    error: str

    def line(self) -> str:
        return f"{self.city}: {self.notebook}, {self.cell}: {self.error}"


@dataclass
class CityPlan:
    config_path: Path
    name: str
    slug: str
    synthetic: bool
    years: list[str] = field(default_factory=list)
    #: The config as loaded when the run was planned (each load resolves its areas again).
    config: Any = field(default=None, repr=False, compare=False)


@dataclass
class CityResult:
    slug: str
    name: str
    ok: bool
    folder: Path | None = None
    failures: list[Failure] = field(default_factory=list)
    seconds: float = 0.0
    #: seconds per notebook and phase: {"01_baseline": {"kernel": .., "analysis": .., "render": ..}}
    timings: dict[str, dict[str, float]] = field(default_factory=dict)
    #: What else the run made for the city (its address-check sheet), one line each, for the terminal.
    notes: list[str] = field(default_factory=list)


# ---------------------------------------------------------------------------------------------
# Notebooks and their parameters (`parameters.py`)


def _check_years(plan: CityPlan, params: dict[str, dict]) -> None:
    for stem, values in params.items():
        for name in ("year", "years"):
            if values.get(name) is None:
                continue
            years = values[name] if isinstance(values[name], list) else [values[name]]
            bad = [str(y) for y in years if str(y) not in plan.years]
            if bad:
                raise ConfigError(
                    f"{stem}: {name} {', '.join(bad)} is not one of {plan.config_path.name}'s "
                    f"years ({', '.join(plan.years)})"
                )


# ---------------------------------------------------------------------------------------------
# Which cities


def load_plan(path: Path, check_inputs: bool | None = None) -> CityPlan:
    from ..config import load_config

    config = load_config(path, check_inputs=check_inputs)
    html.check_slug(config.slug)
    return CityPlan(
        config_path=Path(config.source_path or path).resolve(),
        name=config.name,
        slug=config.slug,
        synthetic=bool(config.synthetic),
        years=list(config.years),
        config=config,
    )


def default_and_available() -> tuple[list[Path], list[tuple[Path, str]]]:
    """The Preston demo plus every real-data config whose inputs are all on disk; the others
    with the reason they were skipped."""
    from ..config import load_config

    chosen, skipped = [], []
    for path in sorted(configs_dir().glob("*.yml")):
        if path.name == DEFAULT_CONFIG:
            chosen.append(path)
            continue
        try:
            # Whether the data is there needs no area lookups; the run itself checks everything.
            config = load_config(path, check_inputs=False, resolve_areas=False)
        except ConfigError:
            chosen.append(path)  # broken, not absent: let it fail loudly in the run
            continue
        if config.synthetic:
            skipped.append((path, "synthetic, and not the default demo"))
            continue
        missing = config.missing_inputs()
        if missing:
            skipped.append((path, f"{len(missing)} input(s) missing, first: {missing[0]}"))
        else:
            chosen.append(path)
    return chosen, skipped


# ---------------------------------------------------------------------------------------------
# One city


def _execute(nb: Path, out: Path, params: dict, kernel: str | Kernel) -> dict[str, float]:
    """Run one notebook, in a new kernel (`kernel` a kernel name) or in a `Kernel` kept for the
    city's notebooks; time the kernel (start or clearing, and papermill's own work) and the cells
    apart (papermill records each cell's duration in the executed notebook)."""
    import papermill

    # The runner checked every parameter name already; papermill's own warning would be noise.
    logging.getLogger("papermill").setLevel(logging.ERROR)
    start = time.perf_counter()
    kept = kernel if isinstance(kernel, Kernel) else None
    try:
        executed = papermill.execute_notebook(
            str(nb),
            str(out),
            parameters=params,
            kernel_name=kept.name if kept else kernel,
            progress_bar=False,
            log_output=False,
            cwd=str(repo_root()),
            # Written once at the end (and on a failure), not after every cell: saving the whole
            # notebook, images and all, twice per cell cost the runner about a second per city.
            request_save_on_cell_execute=False,
            **({"km": kept.manager()} if kept else {"extra_arguments": list(QUIET)}),
        )
    finally:
        total = time.perf_counter() - start
        if kept:
            kept.done()
    cells = sum(float(c.metadata.get("papermill", {}).get("duration") or 0) for c in executed.cells)
    return {"kernel": max(total - cells, 0.0), "analysis": cells, "total": total}


def _definitions(plan: CityPlan):
    from ..config import load_config

    config = plan.config if plan.config is not None else load_config(plan.config_path, check_inputs=False)
    return config.definitions_table()


def _merge_part(part: Path, build: Path) -> list[str]:
    """Move one notebook's outputs into the city folder; merge its summary.json part. Returns the
    CSVs it wrote (names under data/)."""
    from . import summary

    tables = sorted(p.name for p in (part / "data").glob("*.csv")) if (part / "data").is_dir() else []
    for path in sorted(part.rglob("*")):
        if path.is_dir() or path.relative_to(part) == Path(summary.SUMMARY_FILE) or path.name.startswith(".summary."):
            continue
        target = build / path.relative_to(part)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(path, target)
    own = summary.read(part)
    if own:
        summary.update(build, own)
    return tables


def run_city(
    plan: CityPlan,
    notebooks: list[Path],
    params: dict[str, dict] | None = None,
    root: Path | None = None,
    kernel: str = "python3",
    progress=None,
    notebook_jobs: int = 1,
    address_check: bool = False,
) -> CityResult:
    """Run a city's notebooks into a temporary folder, render them and swap the folder in.
    `notebook_jobs` > 1 runs that many of its notebooks at once, in as many kernels; each kernel
    runs the next notebook when free (`kernels.Kernel`). `address_check`: write the city's
    address-check sheet too (`cwb run` does; `result.notes` says where)."""
    root = Path(root) if root is not None else reports_dir()
    root.mkdir(parents=True, exist_ok=True)
    root = root.resolve()
    params = params or {}
    final = html.city_dir(plan.slug, root)
    result = CityResult(slug=plan.slug, name=plan.name, ok=False)
    started = datetime.now(UTC)
    t0 = time.perf_counter()
    sweep(root, plan.slug)
    build = temp_dir(root, plan.slug, "building")
    html.inside(root, build)
    os.chmod(build, 0o755)
    records: list[html.NotebookRecord] = []
    current = "(setup)"

    def say(text: str, done: bool = False) -> None:
        # `done`: a notebook finished (a progress bar counts it).
        if progress is not None:
            progress(plan.slug, f"[{time.perf_counter() - t0:5.1f} s] {text}", done)

    try:
        # Read once, before the notebooks, so the report states the config they ran on.
        definitions = _definitions(plan)
        config_sha256 = provenance.sha256_file(plan.config_path)
        if len(notebooks) < len(html.NOTEBOOKS) and final.is_dir():
            # Running some notebooks only: start from the current report so the others stay.
            shutil.copytree(final, build, dirs_exist_ok=True)
        # Each notebook writes into a part folder of its own, merged in reading order afterwards:
        # the notebooks can then run side by side, and the merged summary.json is the same as
        # if they had run one after another.
        parts = build / ".parts"
        jobs = [(nb, parts / nb.stem) for nb in notebooks]

        def execute(job, lane_kernel: Kernel):
            nb, part = job
            part.mkdir(parents=True)
            nb_params = {"config_path": str(plan.config_path), "report_dir": str(part), **params.get(nb.stem, {})}
            say(f"{nb.stem} running")
            n0 = time.perf_counter()
            try:
                timing = _execute(nb, build / f"{nb.stem}.ipynb", nb_params, lane_kernel)
            except Exception as exc:  # noqa: BLE001 - reported per notebook
                say(f"{nb.stem} FAILED after {time.perf_counter() - n0:.1f} s")
                return nb, None, exc
            say(
                f"{nb.stem} done in {timing['total']:.1f} s "
                f"(kernel start {timing['kernel']:.1f} s, cells {timing['analysis']:.1f} s)",
                done=True,
            )
            with taking:
                chores.append(lambda: bodies.update({nb.stem: html.page_body(build / f"{nb.stem}.ipynb")}))
            return nb, timing, None

        # A lane is one kernel running notebooks in turn, each taking the next in reading order
        # when free (`kernels.Kernel`: one start and one set of imports serve several notebooks).
        # A lane with no notebook left stops its kernel and takes the city's chores, work that
        # needs the city's tables built (the first notebook builds them) but not the reports, and
        # each finished notebook's page body: on two cores it then runs while the other lane's
        # notebook does.
        lanes = max(1, min(notebook_jobs, len(jobs)))
        waiting, done_by_stem, taking = list(jobs), {}, threading.Lock()
        chores = (
            [lambda: result.notes.append(address_check_note(plan.config or plan.config_path))] if address_check else []
        )
        bodies: dict[str, str] = {}

        def lane() -> None:
            lane_kernel = kernels.take(kernel, repo_root())
            try:
                while True:
                    with taking:
                        failed = any(exc is not None for _, _, exc in done_by_stem.values())
                        if not waiting or (lanes == 1 and failed):  # one after another: stop at a failure
                            break
                        job = waiting.pop(0)
                    outcome = execute(job, lane_kernel)
                    with taking:
                        done_by_stem[job[0].stem] = outcome
            finally:
                kernels.retire(lane_kernel)  # stopped while the chores and pages go on
            while True:
                with taking:
                    if not chores or any(exc is not None for _, _, exc in done_by_stem.values()):
                        return
                    chore = chores.pop(0)
                chore()

        if lanes > 1:
            with ThreadPoolExecutor(max_workers=lanes) as pool:
                for finished in [pool.submit(lane) for _ in range(lanes)]:
                    finished.result()
        else:
            lane()
        outcomes = [done_by_stem[nb.stem] for nb, _ in jobs if nb.stem in done_by_stem]
        for nb, timing, exc in outcomes:
            current = nb.stem
            if exc is not None:
                result.failures.append(_failure(plan, nb.stem, exc))
                continue
            tables = _merge_part(parts / nb.stem, build)
            records.append(
                html.NotebookRecord(
                    stem=nb.stem,
                    executed=build / f"{nb.stem}.ipynb",
                    seconds=timing["total"],
                    tables=tables,
                    body=bodies.get(nb.stem),
                )
            )
            result.timings[nb.stem] = {"kernel": timing["kernel"], "analysis": timing["analysis"]}
        shutil.rmtree(parts, ignore_errors=True)
        if result.failures:
            keep_failed(root, plan.slug, build, result.failures)
            return _finish(result, t0)

        current = "(rendering)"
        say(f"rendering {len(records)} page(s)")
        data = build / "data"
        data.mkdir(exist_ok=True)
        if not (data / html.DEFINITIONS_CSV).exists():  # a notebook's own copy wins
            write_csv(definitions, data / html.DEFINITIONS_CSV)
        seconds = time.perf_counter() - t0
        prov = provenance.build_provenance(
            plan.config_path, started, seconds, {r.stem: r.seconds for r in records}, config_sha256=config_sha256
        )
        prov.update({"city": plan.name, "slug": plan.slug, "synthetic": plan.synthetic})
        # Before the pages: they link to the workbook and the data package.
        workbook.write_downloads(build, plan.config_path, definitions, prov)
        city = html.City(plan.name, plan.slug, plan.synthetic)
        # Siblings: every notebook that has a record in the folder (others kept from an --only run).
        siblings = [
            html.NotebookRecord(stem=s, executed=build / f"{s}.ipynb")
            for s in html.NOTEBOOKS
            if (build / f"{s}.ipynb").is_file()
        ]
        for record in records:
            r0 = time.perf_counter()
            html.render_notebook(
                record,
                build / f"{record.stem}.html",
                city=city,
                siblings=siblings,
                provenance=prov,
                definitions=definitions,
            )
            result.timings[record.stem]["render"] = time.perf_counter() - r0
        provenance.write_provenance(build, prov)
        swap(root, build, final)
        result.ok, result.folder = True, final
    except Exception as exc:  # noqa: BLE001 - one city's failure must not stop the others
        result.failures.append(_failure(plan, current, exc))
        keep_failed(root, plan.slug, build, result.failures)
    except BaseException:  # interrupted: leave no half-built folder behind
        shutil.rmtree(build, ignore_errors=True)
        raise
    return _finish(result, t0)


def _finish(result: CityResult, t0: float) -> CityResult:
    kernels.settle()  # the city's kernels, stopped in the background, are gone when it is done
    result.seconds = time.perf_counter() - t0
    return result


def _failure(plan: CityPlan, notebook: str, exc: BaseException) -> Failure:
    from papermill.exceptions import PapermillExecutionError

    if isinstance(exc, PapermillExecutionError):
        # exec_count is the In [n] a reader of the executed notebook sees.
        cell = f"cell In [{exc.exec_count}]" if exc.exec_count else f"cell {exc.cell_index}"
        return Failure(plan.name, notebook, cell, f"{exc.ename}: {error_line(exc.evalue)}")
    if isinstance(exc, CwbError):
        return Failure(plan.name, notebook, "-", f"{type(exc).__name__}: {error_line(str(exc))}")
    tb = traceback.extract_tb(exc.__traceback__)
    where = f" ({Path(tb[-1].filename).name}:{tb[-1].lineno})" if tb else ""
    return Failure(plan.name, notebook, "-", f"{type(exc).__name__}: {error_line(str(exc))}{where}")


def _exit_on_sigterm() -> None:
    """SIGTERM unwinds like Ctrl-C (cleanup handlers run) instead of ending the process on the
    spot with its temporary folder left behind. Main thread only, as Python requires."""

    def stop(signum, frame):
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, stop)


def _print_progress(slug: str, text: str, done: bool = False) -> None:
    """One line per step of a city's run on stderr, as it happens (each city in its own process)."""
    print(f"       {slug}: {text}", file=sys.stderr, flush=True)


def _run_city_job(job: tuple) -> CityResult:
    plan, notebooks, params, root, kernel, notebook_jobs, show, checks = job
    progress = _print_progress if show else None
    return run_city(
        plan, notebooks, params, root, kernel, progress=progress, notebook_jobs=notebook_jobs, address_check=checks
    )


# ---------------------------------------------------------------------------------------------
# Many cities


def run_cities(
    plans: list[CityPlan],
    notebooks: list[Path],
    params: dict[str, dict] | None = None,
    jobs: int = 1,
    root: Path | None = None,
    kernel: str = "python3",
    show_progress: bool | None = None,
    address_checks: bool = False,
) -> list[CityResult]:
    """Run every city (in `jobs` processes), then rewrite `reports/index.html`. `address_checks`:
    write each city's address-check sheet too (`run_city`)."""
    from tqdm import tqdm

    root = Path(root) if root is not None else reports_dir()
    results: list[CityResult] = []
    disable = None if show_progress is None else not show_progress
    # Slots that no city needs go to running a city's notebooks side by side.
    notebook_jobs = max(1, jobs // max(1, len(plans)))
    if jobs <= 1 or len(plans) <= 1:
        with tqdm(
            total=len(plans) * len(notebooks), desc="notebooks", unit="nb", disable=disable, file=sys.stderr
        ) as bar:

            def step(slug, text, done=False):
                if show_progress is not False:
                    bar.write(f"       {slug}: {text}", file=sys.stderr)
                if done:
                    bar.update(1)

            for plan in plans:
                result = run_city(
                    plan,
                    notebooks,
                    params,
                    root,
                    kernel,
                    progress=step,
                    notebook_jobs=notebook_jobs,
                    address_check=address_checks,
                )
                bar.update(len(notebooks) - len(result.timings))  # a failed city's remaining steps
                results.append(result)
                _print_result(result, bar)
    else:
        ctx = get_context("spawn")  # no forking of a parent that runs threads (tqdm's monitor)
        with (
            ProcessPoolExecutor(max_workers=jobs, mp_context=ctx, initializer=_exit_on_sigterm) as pool,
            tqdm(total=len(plans), desc="cities", unit="city", disable=disable, file=sys.stderr) as bar,
        ):
            futures = {
                pool.submit(
                    _run_city_job,
                    (p, notebooks, params, root, kernel, notebook_jobs, show_progress is not False, address_checks),
                ): p
                for p in plans
            }
            try:
                for future in as_completed(futures):
                    plan = futures[future]
                    try:
                        result = future.result()
                    except Exception as exc:  # noqa: BLE001 - a worker died: still one city only
                        result = CityResult(plan.slug, plan.name, False, failures=[_failure(plan, "(worker)", exc)])
                    results.append(result)
                    bar.update(1)
                    _print_result(result, bar)
            except BaseException:
                # Interrupted: the workers stop now and remove their own folders (SIGTERM above),
                # rather than the pool waiting for every city to finish.
                for proc in list(getattr(pool, "_processes", {}).values()):
                    proc.terminate()
                raise
    order = {p.slug: i for i, p in enumerate(plans)}
    results.sort(key=lambda r: order.get(r.slug, 0))
    index.write_index(root)
    return results


def _print_result(result: CityResult, bar) -> None:
    if result.ok:
        bar.write(f"ok     {result.slug}: {result.name} ({result.seconds:.1f} s) -> {_where(result.folder)}")
    else:
        first = result.failures[0] if result.failures else None
        detail = f"{first.notebook}, {first.cell}: {first.error}" if first else ""
        bar.write(f"FAILED {result.slug}: {result.name}: {detail}")


def _where(folder: Path | None) -> str:
    """Where a city's report went, as the person who ran `cwb run` would type it."""
    if folder is None:
        return "?"
    pages = ", ".join(f"{s}.html" for s in html.NOTEBOOKS if (folder / f"{s}.html").is_file())
    try:
        shown = Path(folder).resolve().relative_to(Path.cwd().resolve())
    except ValueError:
        shown = Path(folder)
    return f"{shown}/ ({pages})" if pages else f"{shown}/"


def run_configs(
    config_paths: list[Path],
    *,
    skipped: list[tuple[Path, str]] | None = None,
    notebooks_folder: Path | None = None,
    only: list[str] | None = None,
    parameters: list[str] | None = None,
    jobs: int = 1,
    root: Path | None = None,
    kernel: str = "python3",
    address_checks: bool = False,
) -> tuple[list[CityResult], list[Failure]]:
    """Run the report notebooks for every config named: the results, and every failure (a config
    that does not load, a slug used twice, a year the notebooks cannot take, a notebook that failed).
    With one config named, its mistake is raised instead: its reason, in one line, is the answer.
    `skipped` configs (path, reason) are listed on stderr before the notebooks run."""
    # Cities run in this process (one city, or one at a time): its kernels start now, on the other
    # core, while the configs are read (`kernels.warm`).
    if len(config_paths) == 1 or jobs <= 1:
        try:
            notebooks = notebook_paths(notebooks_folder, only)
        except CwbError:
            notebooks = []  # said below, in its turn
        if notebooks:
            lanes = min(max(1, jobs), len(notebooks))
            kernels.warm(lanes, kernel, repo_root(), kernels.preload_code(notebooks))
    try:
        return _run_configs(
            config_paths, skipped, notebooks_folder, only, parameters, jobs, root, kernel, address_checks
        )
    finally:
        kernels.cool()


def _run_configs(config_paths, skipped, notebooks_folder, only, parameters, jobs, root, kernel, address_checks):
    root = root if root is not None else reports_dir()
    skipped = skipped or []
    failures: list[Failure] = []
    plans: list[CityPlan] = []
    named: dict[Path, Path] = {}
    for path in config_paths:
        try:
            plan = load_plan(path)
        except CwbError as exc:
            if len(config_paths) == 1:
                raise  # the one config named is wrong: its reason, in one line, is the whole answer
            failures.append(Failure(str(path), "(config)", "-", error_line(str(exc))))
            continue
        if plan.config_path in named:
            continue
        named[plan.config_path] = path
        if any(p.slug == plan.slug for p in plans):
            failures.append(Failure(str(path), "(config)", "-", f"slug {plan.slug!r} is used by another config"))
            continue
        plans.append(plan)

    notebooks = notebook_paths(notebooks_folder, only)
    per_notebook = check_parameters(notebooks, parse_parameters(parameters))
    for plan in list(plans):
        try:
            _check_years(plan, per_notebook)
        except CwbError as exc:
            if len(config_paths) == 1:
                raise
            failures.append(Failure(str(named[plan.config_path]), "(config)", "-", error_line(str(exc))))
            plans.remove(plan)

    for path, reason in skipped:
        print(f"skipped {path.name}: {reason}", file=sys.stderr)
    main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.getsignal(signal.SIGTERM) if main_thread else None
    if main_thread:
        _exit_on_sigterm()
    try:
        results = run_cities(
            plans, notebooks, per_notebook, jobs=max(1, jobs), root=root, kernel=kernel, address_checks=address_checks
        )
    finally:
        if main_thread:
            signal.signal(signal.SIGTERM, previous if previous is not None else signal.SIG_DFL)
    for result in results:
        failures.extend(result.failures)
    return results, failures
