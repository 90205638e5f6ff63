"""What a ledger reads as, shown before (`cwb inspect`) or after (`cwb ingest`) it is read.

`maps_text` prints column maps (`IngestResult.column_maps`) a short block per layout: files read
the same way share one block. `inspect_text` reads files as ingest would and writes nothing: per
table the header row, the column map with its evidence, the first rows as read and what would be
set aside. Payees are shown only with evidence of an organisation (never a person's name).
"""

from __future__ import annotations

import pandas as pd

from ..errors import InputFileError
from ..schema import INDIVIDUAL_LABEL
from . import sheets
from .columns import CORE_FIELDS
from .evidence import column_map_rows, describe_amounts, describe_payees, weigh
from .periods import undated_ledgers
from .readers import read_tables

_SHOWN = ("payment_date", "amount_pence", "supplier_name", "transaction_ref")


def _where(sheet: str, header_row, by_content: bool = False) -> str:
    if by_content:
        at = "no header row: columns read by content"
    elif pd.isna(header_row):
        at = "header at the foot"
    else:
        at = f"header row {int(header_row)}"
    return (f"sheet {sheet!r}, " if sheet else "") + at


def maps_text(maps: pd.DataFrame, limit: int = 12) -> str:
    """Column maps as `field <- 'Header' (how)` lines, one block per distinct layout."""
    if maps is None or maps.empty:
        return ""
    blocks: dict[tuple, list[str]] = {}
    for (source, sheet), g in maps.groupby(["source_file", "sheet"], sort=False, dropna=False):
        key = tuple(g[["field", "column", "read_from", "note"]].itertuples(index=False, name=None)) + (
            _where(sheet, g["header_row"].iloc[0], bool((g["read_from"] == "content").any())),
        )
        blocks.setdefault(key, []).append(source + (f" [{sheet}]" if sheet else ""))
    lines = ["columns read:"]
    for n, (key, sources) in enumerate(blocks.items()):
        if n == limit:
            lines.append(f"  ... and {len(blocks) - limit} more layouts (see column_maps.csv)")
            break
        *fields, where = key
        who = sources[0] if len(sources) == 1 else f"{len(sources)} files/sheets like {sources[0]}"
        lines.append(f"  {who} ({where})")
        core = [f"{f} <- {c!r} ({how})" for f, c, how, _ in fields if f in CORE_FIELDS]
        lines.append("    " + "; ".join(core))
        rest = [f"{f} <- {c!r}" for f, c, _, _ in fields if f not in CORE_FIELDS]
        if rest:
            lines.append("    also: " + ", ".join(rest))
        lines.extend(f"    note: {note}" for _, _, _, note in fields if note)
    return "\n".join(lines)


def _payee(name) -> str:
    from .rows import _quarantine_payee

    return _quarantine_payee(name)


def inspect_text(paths, overrides: dict[str, str] | None = None, rows: int = 5) -> str:
    """How each file would be read, writing nothing: sheets, header row, column map and evidence,
    the first `rows` payments as read and the set-aside reasons of the first chunk."""
    from .folders import list_entries
    from .rows import process_block

    out: list[str] = []
    for entry in list_entries(paths):
        path, source_file = entry.path, entry.source_file
        if entry.reason is not None:
            out.append(f"{source_file}: not read, would be set aside ({entry.reason}): {entry.why}")
            continue
        out.append(f"{source_file}:")
        try:
            tables = read_tables(path, source_file, overrides, chunk_rows=max(rows, 1000))
        except InputFileError as exc:
            out.append(f"  cannot be read: {exc}")
            continue
        dateless = {id(t) for t in undated_ledgers(tables)}
        first_kept: dict[int, object] = {}  # id(table) -> its first block's kept rows
        for t in tables:
            name = f"sheet {t.sheet!r}" if t.sheet else "table"
            cm = t.colmap
            if (cm is None or cm.missing_core()) and id(t) not in dateless:
                missing = ", ".join(cm.missing_core()) if cm is not None else "supplier, amount and date"
                out.append(f"  {name}: not a ledger (no {missing} column); would be set aside")
                continue
            try:
                notes = weigh(t, overrides).notes
            except InputFileError as exc:
                out.append(f"  {name}: would be refused: {exc}")
                continue
            maps = pd.DataFrame(column_map_rows(t, overrides, notes))
            out.append(f"  {name}: {_where('', t.header_row, cm.inferred)}")
            for rec in maps.itertuples(index=False):
                j = rec.column_number - 1
                vals = [r[j] for r in t.sample if j < len(r)]
                held = ""
                if rec.field == "amount":
                    held = f" [{describe_amounts([v for v in vals if v not in (None, '')])}]"
                elif rec.field == "supplier_name":
                    held = f" [{describe_payees([v for v in vals if v not in (None, '')])}]"
                out.append(f"    {rec.field:<16} <- {rec.column!r} ({rec.read_from}){held}")
                if rec.note:
                    out.append(f"    {'':<16}    note: {rec.note}")
            block = next(iter(t.rows), None) if t.rows is not None else None
            if block is None:
                out.append("    no data rows")
                continue
            chunk = process_block(t, "(inspect)", block)
            first_kept[id(t)] = chunk.kept
            kept = chunk.kept.slice(0, rows).to_pandas()
            if len(kept):
                kept["supplier_name"] = [
                    INDIVIDUAL_LABEL if ind else _payee(s) for s, ind in zip(kept["supplier_name"], kept["individual"])
                ]
                kept["amount_pence"] = kept["amount_pence"].map(lambda p: f"£{p / 100:,.2f}")
                out.append("    first rows as read:")
                out.extend("      " + line for line in kept[list(_SHOWN)].to_string(index=False).splitlines())
            reasons = chunk.set_aside["reason"].value_counts()
            first = f"first {block.n} rows" if block.n >= 1000 else f"all {block.n} rows"
            if len(reasons):
                aside = ", ".join(f"{r} {n}" for r, n in reasons.items())
                out.append(f"    would set aside ({first}): {aside}")
            else:
                out.append(f"    would set aside ({first}): nothing")
        out.extend(_sheets_aside(tables, dateless, first_kept))
    return "\n".join(out)


def _sheets_aside(tables, dateless: set[int], first_kept: dict[int, object]) -> list[str]:
    """Ledger sheets ingest would set aside whole (hidden, pivot, summary, repeating the others),
    decided as `core` decides it, on each sheet's first rows."""
    readable = [t for t in tables if (t.colmap is not None and not t.colmap.missing_core()) or id(t) in dateless]
    if len(readable) < 2:
        return []
    aside = sheets.before_reading(readable)
    kept = {i: first_kept[id(t)] for i, t in enumerate(readable) if i not in aside and id(t) in first_kept}
    if len(kept) > 1:
        aside |= sheets.after_reading(readable, kept)
    return [
        f"  sheet {readable[i].sheet!r}: would be set aside whole ({a.reason}): {a.why}"
        for i, a in sorted(aside.items())
    ]
