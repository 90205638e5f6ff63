"""Loss-free ingest of anchor institutions' published spend ledgers (CONTRACTS §1).

`ingest_paths(paths, anchor, ...)` reads CSV/XLSX ledgers as councils publish them into one
canonical transactions table, with a per-file reconciliation and a quarantine of set-aside rows.
`cwb ingest PATH... --anchor NAME --out DIR` is the same from the command line.
"""

from __future__ import annotations

import sys
from pathlib import Path

from ..errors import CwbError
from ..individuals import is_redacted, looks_like_individual
from .core import (
    QUARANTINE_COLUMNS,
    REASONS,
    TRANSACTION_COLUMNS,
    IngestResult,
    expand_paths,
    find_duplicates,
    ingest_paths,
    period_financial_year,
)
from .parsing import amounts_to_pence, financial_year, is_time_only, parse_amount_pence, parse_date

__all__ = [
    "IngestResult", "ingest_paths", "register", "parse_amount_pence", "parse_date", "financial_year",
    "is_time_only", "amounts_to_pence", "looks_like_individual", "is_redacted",
    "period_financial_year", "find_duplicates", "expand_paths",
    "TRANSACTION_COLUMNS", "QUARANTINE_COLUMNS", "REASONS",
]


def _parse_overrides(items: list[str] | None) -> dict[str, str]:
    out = {}
    for item in items or []:
        if "=" not in item:
            raise CwbError(f"--column {item!r}: expected FIELD=HEADER, e.g. supplier_name='Payee Name'")
        fld, header = item.split("=", 1)
        out[fld.strip()] = header
    return out


def summary_text(result: IngestResult) -> str:
    r = result.reconciliation
    lines = [f"{'source_file':<48} {'rows_read':>9} {'kept':>9} {'set_aside':>9} {'£ read':>16} {'£ set aside':>14}"]
    for rec in r.itertuples(index=False):
        lines.append(f"{rec.source_file[:48]:<48} {rec.rows_read:>9} {rec.rows_kept:>9} {rec.rows_set_aside:>9} "
                     f"{rec.pence_read / 100:>16,.2f} {rec.pence_set_aside / 100:>14,.2f}")
    tot = r[["rows_read", "rows_kept", "rows_set_aside", "pence_read", "pence_kept", "pence_set_aside"]].sum()
    lines.append(f"{'TOTAL (' + str(len(r)) + ' files)':<48} {tot.rows_read:>9} {tot.rows_kept:>9} "
                 f"{tot.rows_set_aside:>9} {tot.pence_read / 100:>16,.2f} {tot.pence_set_aside / 100:>14,.2f}")
    reasons = {c[len("reason_"):]: int(r[c].sum()) for c in r.columns if c.startswith("reason_") and r[c].sum()}
    if reasons:
        lines.append("set aside: " + ", ".join(f"{k} {v}" for k, v in reasons.items()))
    lines.append("balanced: " + ("yes, every file to the penny" if result.balanced() else "NO"))
    return "\n".join(lines)


def _run(args) -> int:
    result = ingest_paths(args.paths, anchor=args.anchor, overrides=_parse_overrides(args.column),
                          out_dir=Path(args.out), partition=args.partition, progress=not args.quiet)
    if not args.quiet:
        print(summary_text(result))
        print(f"wrote {Path(args.out) / ('transactions/' if args.partition else 'transactions.parquet')}, "
              f"reconciliation.csv, quarantine.csv")
    return 0 if result.balanced() else 1


def register(subparsers) -> None:
    p = subparsers.add_parser("ingest", help="read anchor spend ledgers (CSV/XLSX) into transactions.parquet",
                              description=__doc__)
    p.add_argument("paths", nargs="+", metavar="PATH", help="ledger files or folders (searched recursively)")
    p.add_argument("--anchor", required=True, help="anchor institution name, e.g. 'Hyndburn Borough Council'")
    p.add_argument("--out", required=True, help="output folder")
    p.add_argument("--partition", action="store_true",
                   help="stream to DIR/transactions/anchor=/financial_year=/part-*.parquet (national-size input)")
    p.add_argument("--column", action="append", metavar="FIELD=HEADER",
                   help="override detection: the source header holding FIELD (repeatable)")
    p.add_argument("--quiet", action="store_true", help="no progress bar or summary")
    p.set_defaults(func=_run)


if __name__ == "__main__":  # pragma: no cover
    from ..cli import main

    sys.exit(main(["ingest", *sys.argv[1:]]))
