"""The `cwb` command: the only module that knows argparse.

Each stage exposes plain functions; here they become sub-commands whose `func(args)` returns an
exit code. User mistakes raise `CwbError` and end as a one-line message, never a traceback; so
does a file-system refusal naming a path (a file where a folder is wanted, no permission, a full
disk).
"""

from __future__ import annotations

import argparse
import errno
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

# Only what every command, or building the parser, needs is imported here: `cwb ingest` is a
# process of a second or so, and config (pydantic), report, suppliers and reference cost it a
# third of that. Each command imports the rest itself.
from . import ingest
from .city import demo
from .errors import ConfigError, CwbError, InputFileError
from .ingest.limits import Limits
from .ingest.limits import using as using_limits
from .paths import configs_dir, reports_dir

if TYPE_CHECKING:
    import pandas as pd

MAX_MESSAGE = 3000  # characters of an error message shown; the rest is cut, never a wall of text

# What to do about an OSError naming a path, by errno.
_OS_HINTS = {
    errno.EEXIST: "a file is in the way where a folder is wanted: name a folder, or move the file",
    errno.ENOTDIR: "part of the path is a file, not a folder: name a folder",
    errno.EISDIR: "is a folder where a file is wanted: name a file",
    errno.ENOENT: "no such file or folder: check the path",
    errno.EACCES: "permission denied: choose a path you may read and write, or change its permissions",
    errno.EPERM: "operation not permitted: choose a path you may read and write",
    errno.EROFS: "the file system is read-only: choose a writable folder",
    errno.ENOSPC: "no space left on the disk: free some space or choose another folder",
    errno.ENAMETOOLONG: "the name is too long: choose a shorter path",
}


def one_line(text: str, limit: int = MAX_MESSAGE) -> str:
    """A message as one terminal line: line breaks and control characters escaped, length capped."""
    out = "".join(ch if ch.isprintable() else ascii(ch)[1:-1] for ch in str(text))
    return out if len(out) <= limit else out[:limit] + "... (cut)"


def os_message(exc: OSError) -> str:
    """`path: what is wrong; what to do`, for an OSError about a path."""
    paths = " -> ".join(str(p) for p in (exc.filename, exc.filename2) if p is not None)
    hint = _OS_HINTS.get(exc.errno, exc.strerror or type(exc).__name__)
    return f"{paths}: {hint}"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cwb", description="Community wealth building supply-chain analysis.")
    parser.add_argument("--version", action=_Version, help="show the version and exit")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for add in (_add_ingest, _add_inspect, _add_reference, _add_suppliers, _add_config, _add_demo, _add_run):
        add(sub)
    return parser


class _Version(argparse.Action):
    """`--version`, the package metadata read only when asked for (it costs every other command 50 ms)."""

    def __init__(self, option_strings, dest=argparse.SUPPRESS, default=argparse.SUPPRESS, help=None):
        super().__init__(option_strings, dest=dest, default=default, nargs=0, help=help)

    def __call__(self, parser, namespace, values, option_string=None):
        from . import __version__

        print(f"cwbtools {__version__}")  # on stdout, as argparse's own version action
        parser.exit()


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 1
    try:
        return int(args.func(args) or 0)
    except CwbError as exc:
        print(f"cwb: error: {one_line(exc)}", file=sys.stderr)
        return exc.exit_code
    except OSError as exc:
        if exc.filename is None:  # not about a path the user named: our bug, with its traceback
            raise
        print(f"cwb: error: {one_line(os_message(exc))}", file=sys.stderr)
        return CwbError.exit_code
    except KeyboardInterrupt:
        print("cwb: interrupted", file=sys.stderr)
        return 130


# ---------------------------------------------------------------------------------------------
# cwb ingest PATH... --anchor NAME --out DIR
# ---------------------------------------------------------------------------------------------
def _parse_overrides(items: list[str] | None) -> dict[str, str]:
    out = {}
    for item in items or []:
        if "=" not in item:
            raise CwbError(f"--column {item!r}: expected FIELD=HEADER, e.g. supplier_name='Payee Name'")
        fld, header = item.split("=", 1)
        if fld.strip() in out:
            raise CwbError(f"--column {item!r}: {fld.strip()} is named twice; give one header per field")
        out[fld.strip()] = header
    return out


def _parse_limits(items: list[str] | None) -> Limits:
    try:
        return Limits().parse(items)
    except ValueError as exc:
        raise CwbError(f"--limit: {exc}") from None


def _cmd_ingest(args) -> int:
    result = ingest.ingest_paths(
        args.paths,
        anchor=args.anchor,
        overrides=_parse_overrides(args.column),
        overrides_from="--column",
        out_dir=Path(args.out),
        partition=args.partition,
        progress=not args.quiet,
        limits=_parse_limits(args.limit),
    )
    if not args.quiet:
        print(ingest.summary_text(result))
        print(
            f"wrote {Path(args.out) / ('transactions/' if args.partition else 'transactions.parquet')}, "
            f"reconciliation.csv, quarantine.csv, column_maps.csv"
        )
    return 0 if result.balanced() else 1


def _add_ingest(subparsers) -> None:
    p = subparsers.add_parser(
        "ingest",
        help="read anchor spend ledgers (CSV, XLSX, XLS, ODS) into transactions.parquet",
        description=ingest.__doc__,
    )
    p.add_argument("paths", nargs="+", metavar="PATH", help="ledger files or folders (searched recursively)")
    p.add_argument("--anchor", required=True, help="anchor institution name, e.g. 'Hyndburn Borough Council'")
    p.add_argument("--out", required=True, help="output folder")
    p.add_argument(
        "--partition",
        action="store_true",
        help="stream to DIR/transactions/anchor=/financial_year=/part-*.parquet (national-size input)",
    )
    p.add_argument(
        "--column",
        action="append",
        metavar="FIELD=HEADER",
        help="read FIELD from the column headed HEADER, detecting the other fields as usual (repeatable); "
        "FIELD is one of " + ", ".join(ingest.override_fields()),
    )
    _add_limit_argument(p)
    p.add_argument("--quiet", action="store_true", help="no progress bar or summary")
    p.set_defaults(func=_cmd_ingest)


def _add_limit_argument(p) -> None:
    p.add_argument(
        "--limit",
        action="append",
        metavar="NAME=VALUE",
        help="raise or lower a resource bound of the read (repeatable; docs/SECURITY.md); NAME is one of "
        + ", ".join(f"{n} (default {getattr(Limits(), n):,})" for n in Limits.names()),
    )


# ---------------------------------------------------------------------------------------------
# cwb inspect FILE...
# ---------------------------------------------------------------------------------------------
def _cmd_inspect(args) -> int:
    from .ingest.inspect import inspect_text

    with using_limits(_parse_limits(args.limit)):
        print(inspect_text(args.paths, overrides=_parse_overrides(args.column), rows=args.rows))
    return 0


def _add_inspect(subparsers) -> None:
    p = subparsers.add_parser(
        "inspect",
        help="show how ledger files would be read (header row, column map, first rows), writing nothing",
        description="Read ledgers as `cwb ingest` would and show, writing nothing: each sheet's header row, the "
        "column map and the evidence for it, the first rows as read, and what would be set aside.",
    )
    p.add_argument("paths", nargs="+", metavar="PATH", help="ledger files or folders")
    p.add_argument("--column", action="append", metavar="FIELD=HEADER", help="as for `cwb ingest`")
    p.add_argument("--rows", type=int, default=5, help="how many first rows to show (default 5)")
    _add_limit_argument(p)
    p.set_defaults(func=_cmd_inspect)


# ---------------------------------------------------------------------------------------------
# cwb reference build | download NAME
# ---------------------------------------------------------------------------------------------
def _cmd_reference_build(args: argparse.Namespace) -> int:
    from .reference.build import build as build_reference

    build_reference(companies=args.companies, postcodes_file=args.postcodes, force=args.force)
    return 0


def _cmd_download(args: argparse.Namespace) -> int:
    from .reference import download

    download.download(args.name, url=args.url, dest=args.dest, sha256=args.sha256)
    return 0


class _LateDescription(argparse.ArgumentParser):
    """A parser whose description may be a function, called only when its help is shown."""

    def format_help(self) -> str:
        if callable(self.description):
            self.description = self.description()
        return super().format_help()


def _download_names() -> str:
    # The catalogue lives in the reference package (DuckDB and all): 0.1 s that `cwb ingest` need not pay.
    from .reference import download

    return "Names: " + ", ".join(f"{k} ({v.about})" for k, v in download.catalogue().items()) + "."


def _add_reference(subparsers) -> None:
    p = subparsers.add_parser("reference", help="build and download reference tables (postcodes, IMD, SIC, registers)")
    sub = p.add_subparsers(dest="reference_command", metavar="ACTION", parser_class=_LateDescription)
    b = sub.add_parser("build", help="build every reference table (skips what is up to date)")
    b.add_argument("--companies", metavar="FILE", help="Companies House BasicCompanyData (zip or csv)")
    b.add_argument("--postcodes", metavar="FILE", help="your own ONSPD / NSPL / PCD_OA_LSOA postcode file (csv or zip)")
    b.add_argument("--force", action="store_true", help="rebuild every table")
    b.set_defaults(func=_cmd_reference_build)
    # `cwb reference download NAME [--url URL] [--dest DIR] [--sha256 HEX]`
    d = sub.add_parser(
        "download", help="download an official data file (only when you ask)", description=_download_names
    )
    d.add_argument("name", metavar="NAME", help="what to download: one of the names above")
    d.add_argument("--url", help="download from this URL instead (publishers move files)")
    d.add_argument("--dest", metavar="DIR", help="folder to save into (default data/raw)")
    d.add_argument("--sha256", metavar="HEX", help="expected SHA-256 of the file")
    d.set_defaults(func=_cmd_download)


# ---------------------------------------------------------------------------------------------
# cwb suppliers resolve TRANSACTIONS --out DIR | review DIR
# ---------------------------------------------------------------------------------------------
def _read_transactions(path: str) -> pd.DataFrame:
    import pandas as pd

    p = Path(path)
    if p.is_dir():
        p = p / "transactions.parquet"
    if not p.exists():
        raise InputFileError(f"{p}: transactions file not found (run `cwb ingest` first)")
    try:
        return pd.read_parquet(p)
    except Exception as exc:  # noqa: BLE001 - any unreadable file is the user's input
        raise InputFileError(f"{p}: not a transactions parquet file ({exc})") from None


def _cmd_suppliers_resolve(args: argparse.Namespace) -> int:
    from .publish import write_csv
    from .suppliers import format_coverage, resolve_suppliers

    tx = _read_transactions(args.transactions)
    out = Path(args.out)
    crosswalk = args.crosswalk
    if crosswalk is None and (out / "crosswalk.csv").exists():
        crosswalk = out / "crosswalk.csv"
    res = resolve_suppliers(tx, companies=args.companies, crosswalk=crosswalk, review_dir=out)
    out.mkdir(parents=True, exist_ok=True)
    tmp = out / "suppliers.parquet.tmp"
    res.suppliers.to_parquet(tmp, index=False)
    tmp.replace(out / "suppliers.parquet")
    write_csv(res.coverage, out / "coverage.csv")
    print(format_coverage(res.coverage))
    print(
        f"{len(res.suppliers)} suppliers -> {out / 'suppliers.parquet'}; {len(res.review)} to review in "
        f"{out / 'review.csv'}"
    )
    return 0


def _cmd_suppliers_review(args: argparse.Namespace) -> int:
    from .suppliers import fold_review

    folder = Path(args.dir)
    crosswalk = Path(args.crosswalk) if args.crosswalk else folder / "crosswalk.csv"
    accepted, rejected = fold_review(folder / "review.csv", crosswalk)
    print(
        f"{accepted} accepted into {crosswalk}; {rejected} rejected. "
        f"Run `cwb suppliers resolve ... --crosswalk {crosswalk}` to use them."
    )
    return 0


def _cmd_suppliers_check(args: argparse.Namespace) -> int:
    from .config import load_config
    from .report.address_check import write_address_check

    config = load_config(args.config)
    path, sheet = write_address_check(config, top=args.top)
    pounds = sheet["spend_gbp"].sum()
    print(
        f"{len(sheet)} suppliers to check (£{pounds:,.0f} of {config.baseline_year} procurement spend) -> {path}\n"
        "Fill in, for each one you check: branch_postcode (the branch or site that serves the place), sme, vcse "
        "(yes/no), note, checked_by, checked_on (YYYY-MM-DD). Then name the filled file as `address_check:` in "
        f"{config.source_path or 'the config'} and run again: checked rows place their suppliers first."
    )
    return 0


def _add_suppliers(subparsers) -> None:
    p = subparsers.add_parser("suppliers", help="resolve supplier names to located, classified suppliers")
    sub = p.add_subparsers(dest="suppliers_command", metavar="ACTION")
    r = sub.add_parser("resolve", help="write DIR/suppliers.parquet, DIR/coverage.csv and DIR/review.csv")
    r.add_argument("transactions", help="transactions.parquet (or the folder holding it)")
    r.add_argument("--out", required=True, help="output folder")
    r.add_argument("--companies", help="Companies House BasicCompanyData (zip or CSV)")
    r.add_argument("--crosswalk", help="CSV: supplier_name, company_number, postcode, supplier_type")
    r.set_defaults(func=_cmd_suppliers_resolve)
    v = sub.add_parser("review", help="fold accepted rows of DIR/review.csv into the crosswalk")
    v.add_argument("dir", help="the folder `resolve` wrote")
    v.add_argument("--crosswalk", help="crosswalk CSV to update (default DIR/crosswalk.csv)")
    v.set_defaults(func=_cmd_suppliers_review)
    c = sub.add_parser(
        "check",
        help="write the address-check sheet (data/processed/<slug>/address-check.csv) for officers to fill",
        description="The CLES address check: the top suppliers by procurement spend in the baseline year that "
        "are unlocated, placed only by a head or registered office, or matched by a fuzzy name match with much "
        "spend, prefilled with candidate register matches and hints, with empty columns for an officer. Payments "
        "to individuals are left out.",
    )
    c.add_argument("config", metavar="CONFIG", help="city config YAML file (or a name in configs/)")
    c.add_argument("--top", type=int, default=300, help="how many suppliers at most (default 300)")
    c.set_defaults(func=_cmd_suppliers_check)


# ---------------------------------------------------------------------------------------------
# cwb config check CONFIG...
# ---------------------------------------------------------------------------------------------
def _cmd_config_check(args) -> int:
    from .config import load_config, shipped_configs

    paths = args.configs or [str(p) for p in shipped_configs()]
    failed = 0
    for item in paths:
        try:
            # Synthetic ledgers are written on first use, so only real configs must have them now.
            config = load_config(item, check_inputs=None if not args.no_inputs else False)
        except ConfigError as exc:
            if len(paths) == 1:
                raise  # one config, one line: the reason itself
            failed += 1
            print(f"FAIL {exc}" if str(item) in str(exc) else f"FAIL {item}: {exc}", file=sys.stderr)
            continue
        label = " (synthetic)" if config.synthetic else ""
        files = "inputs not checked" if args.no_inputs else f"{len(config.input_files())} input file(s)"
        print(
            f"ok   {item}: {config.name}{label}; place {len(config.place.lad_codes)} district(s), "
            f"wider area {len(config.wider_area.lad_codes)}; {len(config.anchors)} anchor(s); "
            f"years {', '.join(config.years)}; {files}"
        )
        if config.synthetic and not args.no_inputs:
            for line in config.missing_inputs():
                print(f"     note: not there yet: {line}")
    if failed:
        raise ConfigError(f"{failed} of {len(paths)} config(s) failed")
    return 0


def _cmd_config_doc(args) -> int:
    from .config.docs import config_reference

    text = config_reference()
    if args.check:
        path = Path(args.check)
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            raise ConfigError(f"{path} is out of date with the config models: run `cwb config doc --out {path}`")
        print(f"{path} is up to date")
    elif args.out:
        Path(args.out).write_text(text, encoding="utf-8")
        print(f"wrote {args.out}")
    else:
        print(text, end="")
    return 0


def _add_config(subparsers) -> None:
    parser = subparsers.add_parser("config", help="check city configuration files and document their keys")
    sub = parser.add_subparsers(dest="config_command", metavar="ACTION")
    check = sub.add_parser("check", help="validate configs (default: every file in configs/)")
    check.add_argument("configs", nargs="*", metavar="CONFIG", help="YAML files or names in configs/")
    check.add_argument("--no-inputs", action="store_true", help="do not check that ledgers exist on disk")
    check.set_defaults(func=_cmd_config_check)
    doc = sub.add_parser("doc", help="the config reference (docs/CONFIG.md), written from the config models")
    where = doc.add_mutually_exclusive_group()
    where.add_argument("--out", metavar="FILE", help="write it to FILE (default: print it)")
    where.add_argument("--check", metavar="FILE", help="fail (exit 2) when FILE differs from it")
    doc.set_defaults(func=_cmd_config_doc)
    parser.set_defaults(func=lambda args: (parser.print_help(), 1)[1])


# ---------------------------------------------------------------------------------------------
# cwb demo
# ---------------------------------------------------------------------------------------------
def _cmd_demo(args) -> int:
    out = demo.write_demo(args.out, seed=args.seed)
    files = sorted(p for p in out.rglob("*.csv"))
    print(f"wrote {len(files)} synthetic files to {out} (SYNTHETIC demonstration data; see docs/DEMO.md)")
    return 0


def _add_demo(subparsers) -> None:
    parser = subparsers.add_parser("demo", help="write the synthetic Preston demo ledgers (seeded)")
    parser.add_argument("--out", metavar="DIR", help=f"folder to write to (default {demo.demo_dir()})")
    parser.add_argument("--seed", type=int, default=demo.SEED, help=f"random seed (default {demo.SEED})")
    parser.set_defaults(func=_cmd_demo)


# ---------------------------------------------------------------------------------------------
# cwb run CONFIG... | --all | --default-and-available
# ---------------------------------------------------------------------------------------------
def _cmd_run(args) -> int:
    from .report import run

    root = Path(args.reports).expanduser() if args.reports else reports_dir()
    config_paths: list[Path] = [Path(c) for c in args.configs]
    skipped: list[tuple[Path, str]] = []
    if args.all:
        config_paths += sorted(configs_dir().glob("*.yml"))
    if args.default_and_available:
        chosen, skipped = run.default_and_available()
        config_paths += chosen
    if not config_paths:
        raise CwbError("name at least one config (or --all, or --default-and-available)")
    results, failures = run.run_configs(
        config_paths,
        skipped=skipped,
        notebooks_folder=Path(args.notebooks) if args.notebooks else None,
        only=args.only,
        parameters=args.parameter,
        jobs=args.jobs,
        root=root,
        kernel=args.kernel,
        address_checks=True,
    )
    for result in results:
        for note in result.notes:
            print(note, file=sys.stderr if note.startswith("address check not written") else sys.stdout)
    index = (root / "index.html").resolve()
    ran = sum(r.ok for r in results)
    print(f"{ran} of {len(results)} city report(s) written; index: {index}")
    if skipped:
        print(f"{len(skipped)} config(s) skipped (listed above)")
    if failures:
        print(f"\n{len(failures)} failure(s):", file=sys.stderr)
        for failure in failures:
            print(f"  {failure.line()}", file=sys.stderr)
        if any(not r.ok for r in results):
            print(f"executed notebooks of failed runs are kept in {root.resolve() / '.failed'}", file=sys.stderr)
        return 1
    return 0


def _add_run(subparsers) -> None:
    parser = subparsers.add_parser(
        "run",
        help="run the report notebooks for one or more cities and write reports/",
        description="Run the three report notebooks for each city config with Papermill, render "
        "HTML for readers and rewrite reports/index.html.",
    )
    parser.add_argument("configs", nargs="*", metavar="CONFIG", help="city config YAML files (or names in configs/)")
    parser.add_argument("--all", action="store_true", help="every config in configs/")
    parser.add_argument(
        "--default-and-available",
        action="store_true",
        help="the Preston demo plus every real-data config whose data is present (make report)",
    )
    parser.add_argument(
        "--jobs",
        "-j",
        type=int,
        default=1,
        help="cities run in parallel (processes); slots no city needs run a city's notebooks side by side",
    )
    parser.add_argument(
        "--only",
        action="append",
        metavar="NOTEBOOK",
        help="run only this notebook (01_baseline or 01; repeatable); the rest of the report is kept",
    )
    parser.add_argument(
        "-p",
        "--parameter",
        action="append",
        metavar="NAME=VALUE",
        help="a notebook parameter, e.g. -p year=2019/20 (checked against the parameters cell)",
    )
    parser.add_argument("--reports", metavar="DIR", help="reports folder (default reports/ or CWB_REPORTS)")
    parser.add_argument("--notebooks", metavar="DIR", help=argparse.SUPPRESS)
    parser.add_argument("--kernel", default="python3", help="Jupyter kernel name (default python3)")
    parser.set_defaults(func=_cmd_run)


# Commands that have written and closed every file they make before `main` returns (`run` has
# stopped its kernels and joined its threads and processes by then, `report.kernels.cool`).
_QUICK_EXIT = {"ingest", "inspect", "run"}


def run() -> None:
    """The `cwb` command. After `ingest`, `inspect` or `run` the process ends at once, without the
    interpreter's teardown: freeing pandas', numpy's and Arrow's objects module by module took
    0.37 s of a 1.62 s `cwb ingest` of 200k rows (1.25 s without; benchmarks/README.md), 0.2 s of
    a place's `cwb run`. Their files are closed by then; streams are flushed here."""
    argv = sys.argv[1:]
    code = main(argv)
    if argv and argv[0] in _QUICK_EXIT:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    sys.exit(code)


if __name__ == "__main__":
    run()
