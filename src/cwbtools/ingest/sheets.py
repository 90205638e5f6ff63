"""Which sheets of a workbook are its ledger, and why the others are set aside: decided by what
the workbook says of a sheet and by what the sheets hold, never by their names alone.

A sheet with no ledger header (a cover, a parameter block, a query's SQL, notes) is
`sheet_not_a_ledger`. Of the sheets with one:
- `sheet_hidden`: hidden in its workbook (a draft, a lookup) beside a visible ledger sheet. A
  workbook whose only ledger sheets are hidden is read, with a note saying so.
- `sheet_summary`: a pivot table, or one row per payee whose amounts are that payee's totals on
  the other sheets (a per-supplier summary).
- `sheet_repeats_others`: its payments are the other sheets' payments again (a quarter sheet
  repeating its month sheets; a copy): the sheet holding the most is set aside, the parts read.
A set-aside sheet's rows are still read and counted: its payments move to the quarantine with
the sheet's reason, so the reconciliation still balances to the row and the penny.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa

from ..identifiers import supplier_name
from ..schema import INDIVIDUAL_LABEL, QUARANTINE_COLUMNS, SHEET_HIDDEN, SHEET_REPEATS_OTHERS, SHEET_SUMMARY
from .columns import CORE_FIELDS
from .parquet import _LARGE_SCHEMA
from .rows import _Chunk, _quarantine_payee
from .tables import RawTable

NOT_A_LEDGER = "sheet_not_a_ledger"
HIDDEN, SUMMARY, REPEATS = SHEET_HIDDEN, SHEET_SUMMARY, SHEET_REPEATS_OTHERS
# A sheet is a summary, or a repeat, when this share of its payments says so: a quarter sheet
# with a late correction or two is still a repeat of its months (summing it counts them twice).
AGREEING = 0.95


@dataclass(frozen=True)
class Aside:
    reason: str
    why: str


def note(table: RawTable, text: str) -> None:
    """A sheet-level note on the table's column map (its first field's row)."""
    fld = CORE_FIELDS[0]
    table.notes[fld] = "; ".join(filter(None, (table.notes.get(fld), text)))


def before_reading(tables: list[RawTable]) -> dict[int, Aside]:
    """Ledger sheets set aside by what the workbook says of them (index in `tables` -> why):
    hidden sheets beside visible ones, pivot tables. A hidden sheet read gets a note."""
    out: dict[int, Aside] = {}
    for i, t in enumerate(tables):
        if t.pivot:
            out[i] = Aside(SUMMARY, "holds a pivot table (a summary of other payments)")
    shown = [i for i, t in enumerate(tables) if not t.hidden and i not in out]
    for i, t in enumerate(tables):
        if t.hidden and i not in out:
            if shown:
                out[i] = Aside(HIDDEN, "hidden in its workbook, beside a visible ledger sheet")
            else:
                note(t, "a hidden sheet, read: the workbook's only ledger sheets are hidden")
    return out


def _payments(kept: pa.Table) -> pd.DataFrame:
    """(payee key, pence, day) of a sheet's kept payments."""
    names = kept["supplier_name"].to_pylist()
    keys = {n: supplier_name(n) for n in set(names)}
    days = kept["payment_date"].cast(pa.int32()).fill_null(-1).to_pylist()
    return pd.DataFrame({"payee": [keys[n] for n in names], "pence": kept["amount_pence"].to_pylist(), "day": days})


def _summaries(pay: dict[int, pd.DataFrame]) -> dict[int, Aside]:
    """Sheets of one row per payee whose amounts are that payee's totals on the other sheets,
    at least one a total of two or more payments (months of the same regular payments are not)."""
    every = pd.concat(pay.values(), ignore_index=True)
    totals = every.groupby("payee")["pence"].agg(["sum", "size"])
    out = {}
    for i, mine in pay.items():
        n = len(mine)
        if n < 2 or mine["payee"].nunique() != n:
            continue
        joined = mine.join(totals, on="payee")
        others, payments = joined["sum"] - joined["pence"], joined["size"] - 1  # the other sheets'
        agree = others.eq(joined["pence"]) & payments.ge(1)
        if agree.sum() >= AGREEING * n and (agree & payments.ge(2)).any():
            out[i] = Aside(
                SUMMARY, f"one row per payee, {int(agree.sum())} of its {n} the payee's total on the other sheets"
            )
    return out


def _repeats(tables: list[RawTable], pay: dict[int, pd.DataFrame]) -> dict[int, Aside]:
    """Sheets whose payments (payee, pence, day) the other sheets hold again, each used once: the
    largest first, so a quarter sheet goes before its months, and of two copies the later."""
    keys = pd.concat(pay.values(), keys=list(pay), names=["sheet", None])
    codes, uniq = pd.factorize(pd.MultiIndex.from_frame(keys[["payee", "pence", "day"]]))
    total = np.bincount(codes, minlength=len(uniq))
    by_sheet = dict(zip(pay, np.split(codes, np.cumsum([len(p) for p in pay.values()])[:-1])))
    live = set(pay)
    out = {}
    for i in sorted(pay, key=lambda i: (-len(pay[i]), -i)):
        mine, counts = np.unique(by_sheet[i], return_counts=True)
        if len(live) < 2 or not len(mine):
            continue
        found = int(np.minimum(counts, total[mine] - counts).sum())
        if found >= AGREEING * len(pay[i]):
            live.discard(i)
            total[mine] -= counts
            names = ", ".join(repr(tables[j].sheet) for j in sorted(live))
            out[i] = Aside(REPEATS, f"{found} of its {len(pay[i])} payments are on sheets {names} again")
    return out


def after_reading(tables: list[RawTable], kept: dict[int, pa.Table]) -> dict[int, Aside]:
    """Ledger sheets set aside by what they hold once read (index -> why), among the sheets in
    `kept` (index -> its kept payments): per-payee summaries of the others, then sheets whose
    payments the others hold again."""
    if len(kept) < 2:
        return {}
    pay = {i: _payments(k) for i, k in kept.items()}
    out = _summaries(pay)
    rest = {i: p for i, p in pay.items() if i not in out}
    if len(rest) > 1:
        out |= _repeats(tables, rest)
    return out


def set_aside(chunk: _Chunk, table: RawTable, reason: str) -> _Chunk:
    """A chunk of a set-aside sheet: its payments moved to the quarantine with the sheet's
    reason (payee masked as everywhere, and amount); rows set aside already keep theirs."""
    kept = chunk.kept
    if not kept.num_rows:
        return chunk
    names = kept["supplier_name"].to_pylist()
    individual = kept["individual"].to_pylist()
    pence = kept["amount_pence"].to_pylist()
    moved = pd.DataFrame(
        {
            "source_file": table.source_file,
            "sheet": table.sheet,
            "row_number": kept["row_number"].to_pylist(),
            "reason": reason,
            "amount_pence": pence,
            "raw": [
                f"{INDIVIDUAL_LABEL if ind else _quarantine_payee(n)}|{p}"
                for n, ind, p in zip(names, individual, pence)
            ],
            "duplicate_of": None,
        }
    )
    parts = [f for f in (chunk.set_aside, moved) if len(f)]
    aside = pd.concat(parts, ignore_index=True).sort_values("row_number", kind="stable", ignore_index=True)
    return _Chunk(_LARGE_SCHEMA.empty_table(), aside[QUARANTINE_COLUMNS], chunk.rows_read, chunk.pence_read)


def unread(table: RawTable, reason: str) -> _Chunk:
    """A sheet set aside without reading its rows: one row, £0 (its columns named)."""
    row = [table.source_file, table.sheet, 0, reason, 0, "columns: " + ", ".join(table.columns_found), None]
    return _Chunk(_LARGE_SCHEMA.empty_table(), pd.DataFrame([row], columns=QUARANTINE_COLUMNS), 1, 0)
