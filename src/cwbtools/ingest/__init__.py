"""Loss-free ingest of anchor institutions' published spend ledgers (CONTRACTS §1).

`ingest_paths(paths, anchor, ...)` reads CSV/XLSX ledgers as councils publish them into one
canonical transactions table, with a per-file reconciliation and a quarantine of set-aside rows.
`cwb ingest PATH... --anchor NAME --out DIR` is the same from the command line.
"""

from __future__ import annotations

from ..individuals import is_redacted, looks_like_individual
from ..schema import INGEST_REASONS as REASONS
from ..schema import QUARANTINE_COLUMNS, TRANSACTION_COLUMNS
from .columns import check_overrides, override_fields
from .core import IngestResult, find_duplicates, ingest_paths
from .folders import FILE_REASONS, expand_paths
from .parsing import amounts_to_pence, financial_year, is_time_only, parse_amount_pence, parse_date
from .periods import period_financial_year

__all__ = [
    "IngestResult",
    "ingest_paths",
    "override_fields",
    "check_overrides",
    "summary_text",
    "parse_amount_pence",
    "parse_date",
    "financial_year",
    "is_time_only",
    "amounts_to_pence",
    "looks_like_individual",
    "is_redacted",
    "period_financial_year",
    "find_duplicates",
    "expand_paths",
    "TRANSACTION_COLUMNS",
    "QUARANTINE_COLUMNS",
    "REASONS",
]


def summary_text(result: IngestResult) -> str:
    from .inspect import maps_text

    r = result.reconciliation
    lines = [maps_text(result.column_maps)] if len(result.column_maps) else []
    lines += [f"{'source_file':<48} {'rows_read':>9} {'kept':>9} {'set_aside':>9} {'£ read':>16} {'£ set aside':>14}"]
    for rec in r.itertuples(index=False):
        lines.append(
            f"{rec.source_file[:48]:<48} {rec.rows_read:>9} {rec.rows_kept:>9} {rec.rows_set_aside:>9} "
            f"{rec.pence_read / 100:>16,.2f} {rec.pence_set_aside / 100:>14,.2f}"
        )
    tot = r[["rows_read", "rows_kept", "rows_set_aside", "pence_read", "pence_kept", "pence_set_aside"]].sum()
    lines.append(
        f"{'TOTAL (' + str(len(r)) + ' files)':<48} {tot.rows_read:>9} {tot.rows_kept:>9} "
        f"{tot.rows_set_aside:>9} {tot.pence_read / 100:>16,.2f} {tot.pence_set_aside / 100:>14,.2f}"
    )
    reasons = {c[len("reason_") :]: int(r[c].sum()) for c in r.columns if c.startswith("reason_") and r[c].sum()}
    if reasons:
        lines.append("set aside: " + ", ".join(f"{k} {v}" for k, v in reasons.items()))
    q = result.quarantine
    for rec in q[q["reason"].isin(FILE_REASONS)].itertuples(index=False):
        lines.append(f"not read: {rec.source_file}: {rec.raw} ({rec.reason})")
    lines.append("balanced: " + ("yes, every file to the penny" if result.balanced() else "NO"))
    return "\n".join(lines)
