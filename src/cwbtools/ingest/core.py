"""From ledger files to the canonical transactions table, with every pound accounted for.

Each data row is either kept (a payment with a supplier, an amount and a date or at least a
financial year) or set aside with a reason. Per source file, `pence_read == pence_kept +
pence_set_aside` and `rows_read == rows_kept + rows_set_aside` hold exactly; `reconciliation`
carries one row per file and `quarantine` one row per set-aside row. Files are read by
`readers` (`delimited` for CSV, `workbooks` for sheets, into `tables`; headers found by `headers`),
their rows judged by `rows` and written by `parquet`.
"""

from __future__ import annotations

import contextlib
import contextvars
import os
import shutil
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..errors import CwbError, InputFileError
from ..publish import write_csv
from ..schema import COLUMN_MAP_COLUMNS, INDIVIDUAL_LABEL, QUARANTINE_COLUMNS
from ..schema import INGEST_REASONS as REASONS
from . import sheets
from .columns import (
    CORE_FIELDS,
    check_overrides,
    expected_names,
    field_for,
    normalise_header,
    override_column,
    quote_header,
)
from .evidence import FileTally, column_map_rows, weigh
from .folders import Entry, list_entries
from .limits import Limits, current, using
from .parquet import STR, _empty_transactions, _ParquetSink, to_arrow, to_pandas, write_parquet
from .parsing import exact_sum
from .periods import undated_ledgers
from .readers import LEDGER_SUFFIXES, RawTable, read_tables
from .rows import _quarantine_payee, process_block


@dataclass
class IngestResult:
    transactions: pd.DataFrame
    reconciliation: pd.DataFrame
    quarantine: pd.DataFrame
    duplicates: pd.DataFrame
    files: list[str] = field(default_factory=list)
    # what was read: each table's column map, one row per field (COLUMN_MAP_COLUMNS)
    column_maps: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=COLUMN_MAP_COLUMNS))

    def balanced(self) -> bool:
        r = self.reconciliation
        return bool(
            ((r.pence_read == r.pence_kept + r.pence_set_aside) & (r.rows_read == r.rows_kept + r.rows_set_aside)).all()
        )


def _unreadable(table: RawTable) -> InputFileError:
    where = f"{table.path}" + (f", sheet {table.sheet!r}" if table.sheet else "")
    names = expected_names()
    expect = "; ".join(f"{f}: {', '.join(repr(x) for x in names[f][:8])}" for f in CORE_FIELDS)
    found = quote_header(table.columns_found)  # header cells only: a data row is never quoted
    return InputFileError(
        f"{where}: no recognisable supplier, amount and date columns. Columns found: {found}. "
        f"Expected names like {expect}. If the columns are there under other names, name them: "
        f"`cwb ingest ... --column supplier_name='Their Header'` (or overrides={{field: header}})."
    )


class _OverrideNotFound(InputFileError):
    """An override's header is not in a file's header; `ingest_paths` says where the override came from."""

    def __init__(self, where: str, fld: str, header: str, cells: str, found: bool = True):
        self.where, self.fld, self.header, self.cells, self.found = where, fld, header, cells, found
        super().__init__(self.message("overrides"))

    def message(self, source: str) -> str:
        cells = f"header cells: {self.cells}" if self.found else f"no header row recognised; top row: {self.cells}"
        return f"{self.where}: the header has no column {self.header!r} (for {self.fld}, from {source}); {cells}"


def _check_overrides_found(tables: list[RawTable], overrides: dict[str, str] | None) -> None:
    """Every override must name a cell of each table's header: a named column that is not there
    is an error, never a silent fall back to detection. Header cells only are quoted."""
    if not overrides:
        return
    headed = [t for t in tables if t.colmap is not None and t.colmap.header is not None]
    for t in headed:
        for fld, header in t.colmap.unmatched.items():
            where = f"{t.path}" + (f", sheet {t.sheet!r}" if t.sheet else "")
            raise _OverrideNotFound(where, fld, header, quote_header(t.colmap.header))
    if headed or not tables:
        return  # sheets with no header beside ledger sheets are notes, set aside as before
    t = tables[0]
    if any(override_column(t.columns_found, h) is not None for h in overrides.values()):
        raise _unreadable(t)  # the header row is there, but the core fields are not all found
    where = f"{t.path}" + (f", sheet {t.sheet!r}" if t.sheet else "")
    fld, header = next(iter(overrides.items()))
    raise _OverrideNotFound(where, fld, header, quote_header(t.columns_found), found=False)


def _borrow_layout(table: RawTable, layouts: list) -> None:
    """A header cell nobody recognises (Hyndburn October-2021 opens `+,Account Detail,...` where
    its other files say `Service Cost Centre`) takes the meaning that position has in an earlier
    header of this run that agrees with it everywhere else."""
    cm = table.colmap
    if cm is None or cm.header is None:
        return
    norms = [normalise_header(c) for c in cm.header]
    while norms and not norms[-1]:  # trailing empty header cells say nothing about the layout
        norms.pop()
    mapped = set(cm.columns.values())
    unknown = [j for j, c in enumerate(cm.header) if j not in mapped and field_for(c) is None and c.strip()]
    if unknown:
        for other_norms, other_cols in layouts:
            if len(other_norms) != len(norms):
                continue
            if all(a == b for j, (a, b) in enumerate(zip(norms, other_norms)) if j not in unknown):
                for fld, j in other_cols.items():
                    if j in unknown and fld not in cm.columns:
                        cm.columns[fld] = j
                        cm.notes.append(f"column {j + 1} {cm.header[j]!r} read as {fld}, as in an earlier file")
                break
    if not cm.inferred:
        layouts.append((norms, dict(cm.columns)))


def _ingest_file(
    path: Path, source_file: str, anchor: str, overrides, chunk_rows: int, layouts=None, pool=None, read=None
):
    """Yield (_Chunk) for every chunk of every table of one file (on `pool`'s threads).
    Each ledger table's map is weighed (`evidence.weigh`) before a row is read; `read` (a list)
    gets (table, notes) for each read. Sheets that are not the ledger are set aside (`sheets`)."""
    tables = read_tables(path, source_file, overrides, chunk_rows)
    _check_overrides_found(tables, overrides)
    for t in tables:
        _borrow_layout(t, layouts if layouts is not None else [])
    readable = [t for t in tables if t.colmap is not None and not t.colmap.missing_core()]
    readable = readable or undated_ledgers(tables)  # no date column anywhere: a named period's ledger
    if not readable:
        if tables:
            raise _unreadable(tables[0])
        raise InputFileError(f"{path}: holds no rows")
    # Which ledger sheets are set aside (`sheets`): hidden ones and pivots before their rows are
    # read; summaries and repeats of the other sheets once read. A set-aside sheet's rows are
    # read and counted all the same, its payments quarantined with the sheet's reason.
    aside = sheets.before_reading(readable)
    weighed: dict[int, dict] = {}
    for i, t in enumerate(readable):
        try:
            weighed[i] = weigh(t, overrides).notes
        except InputFileError:
            if i not in aside:
                raise
    kept_sheets = [i for i in range(len(readable)) if i not in aside]
    chunks: dict[int, list] = {}
    if len(kept_sheets) > 1:  # several ledger sheets: read them all before any is counted
        for i in kept_sheets:
            t = readable[i]
            chunks[i] = list(_ordered_map(lambda block, t=t: process_block(t, anchor, block), t.rows, pool))
        kept = {i: pa.concat_tables([c.kept for c in chunks[i]]) if chunks[i] else None for i in kept_sheets}
        aside |= sheets.after_reading(readable, {i: k for i, k in kept.items() if k is not None})
    for i, t in enumerate(readable):
        if i in aside and i in weighed and i not in chunks:  # read now: a sheet set aside never stops the file
            try:
                chunks[i] = list(_ordered_map(lambda block, t=t: process_block(t, anchor, block), t.rows, pool))
            except InputFileError:
                del weighed[i]
        if i in aside and i in weighed:
            sheets.note(t, f"sheet set aside ({aside[i].reason}): {aside[i].why}")
    if read is not None:  # the ledger sheets first: a file's messages name its first ledger sheet
        read.extend((readable[i], weighed[i]) for i in sorted(weighed, key=lambda i: (i in aside, i)))
    index = {id(t): i for i, t in enumerate(readable)}
    for t in tables:
        i = index.get(id(t))
        if i is None:  # a cover, notes or parameters sheet beside the ledger sheets: not fatal
            yield sheets.unread(t, sheets.NOT_A_LEDGER)
        elif i in aside and i not in weighed:  # its columns cannot be trusted: not read
            yield sheets.unread(t, aside[i].reason)
        else:
            blocks = chunks.get(i)
            if blocks is None:
                blocks = _ordered_map(lambda block, t=t: process_block(t, anchor, block), t.rows, pool)
            for chunk in blocks:
                yield sheets.set_aside(chunk, t, aside[i].reason) if i in aside else chunk


WORKERS = min(2, os.cpu_count() or 1)


def _ordered_map(fn, items, pool: ThreadPoolExecutor | None):
    """`fn` over `items` on the pool's WORKERS threads, results in the items' order, at most WORKERS
    items in flight (so a streamed file still holds only a few chunks). Interpreting a chunk is
    mostly Arrow and numpy work, which runs without the GIL: two chunks go at once on two cores.
    Each runs in a copy of the caller's context, so the run's `limits` hold on the pool's threads."""
    if pool is None or WORKERS < 2:
        yield from map(fn, items)
        return
    pending: deque[Future] = deque()
    try:
        for item in items:
            pending.append(pool.submit(contextvars.copy_context().run, fn, item))
            if len(pending) >= WORKERS:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
    finally:
        for f in pending:
            f.cancel()


def _recon_row(
    source_file: str,
    sheets: list[str],
    rows_read: int,
    pence_read: int,
    rows_kept: int,
    pence_kept: int,
    aside: pd.DataFrame,
) -> dict:
    rec = {
        "source_file": source_file,
        "sheet": ";".join(sheets),
        "rows_read": rows_read,
        "rows_kept": rows_kept,
        "rows_set_aside": len(aside),
        "pence_read": pence_read,
        "pence_kept": pence_kept,
        "pence_set_aside": exact_sum(aside["amount_pence"]) if len(aside) else 0,
    }
    counts = aside["reason"].value_counts() if len(aside) else {}
    for r in REASONS:
        rec[f"reason_{r}"] = int(counts.get(r, 0))
    return rec


def find_duplicates(tx: pd.DataFrame) -> pd.DataFrame:
    """Rows that repeat a payment published in another file.

    Key: (anchor, payment_date, amount_pence, normalised supplier, transaction_ref). Identical lines
    inside one file are real (two lines of one invoice) and stay; across files, for each key the
    file with the most copies is kept whole and the copies in other files are returned, with
    `duplicate_of` naming the file kept.
    """
    if tx.empty:
        return tx.assign(duplicate_of=pd.Series(dtype=STR))
    if tx["source_file"].nunique() < 2:  # one file cannot repeat another: skip two group-bys
        return tx.iloc[0:0].assign(duplicate_of=pd.Series(dtype=STR))
    key = tx["payment_id"]
    per_file = tx.groupby([key, tx["source_file"]], sort=False).size().rename("n").reset_index()
    multi = per_file.groupby("payment_id")["source_file"].transform("size") > 1
    per_file = per_file[multi]
    if per_file.empty:
        return tx.iloc[0:0].assign(duplicate_of=pd.Series(dtype=STR))
    order = {f: i for i, f in enumerate(pd.unique(tx["source_file"]))}
    per_file = per_file.assign(order=per_file["source_file"].map(order))
    best = per_file.sort_values(["payment_id", "n", "order"], ascending=[True, False, True]).drop_duplicates(
        "payment_id"
    )
    kept_file = dict(zip(best["payment_id"], best["source_file"]))
    cand = tx[key.isin(kept_file.keys())]
    dup = cand[cand["source_file"].to_numpy() != cand["payment_id"].map(kept_file).to_numpy()]
    return dup.assign(duplicate_of=dup["payment_id"].map(kept_file).astype(STR))


@contextlib.contextmanager
def _ingest_memory_pool():
    """Arrow's jemalloc pool while ingest runs, where the wheel has it. Chunks are allocated on
    one thread and freed on another; measured on the 200k-row benchmark in fresh processes,
    jemalloc took a fifth less time than the default mimalloc and varied half as much."""
    previous = pa.default_memory_pool()
    try:
        pool = pa.jemalloc_memory_pool()
    except NotImplementedError:  # Arrow's own error is one
        yield
        return
    pa.set_memory_pool(pool)
    try:
        yield
    finally:
        pa.set_memory_pool(previous)


def ingest_paths(
    paths,
    anchor: str,
    overrides: dict[str, str] | None = None,
    out_dir: Path | None = None,
    partition: bool = False,
    progress: bool = False,
    chunk_rows: int | None = None,
    overrides_from: str = "overrides",
    limits: Limits | None = None,
) -> IngestResult:
    """Read every ledger under `paths` for one anchor; see the module doc and CONTRACTS §1.

    `overrides` (field -> source header) fix those fields' columns in every file, detection finding
    the rest; an unknown field, or a header a file lacks, is an error naming `overrides_from`
    (`--column`, a config's ledger).

    `partition=True` streams each file in chunks to `out_dir/transactions/anchor=<a>/
    financial_year=<y>/part-*.parquet` and holds no transactions in memory (the result's
    `transactions` is empty); cross-file duplicates are then not removed (do it downstream,
    where the whole table can be scanned).

    `limits` bound every read of this run (`ingest.limits`; default: those in force, else the
    defaults). Every entry under a folder has an outcome: one that is not a ledger is set aside
    (`ingest.folders`).
    """
    try:
        overrides = check_overrides(overrides)
    except ValueError as exc:
        raise CwbError(f"{overrides_from}: {exc}") from None
    with _ingest_memory_pool(), using(limits if limits is not None else current()):
        try:
            return _ingest(paths, anchor, overrides, out_dir, partition, progress, chunk_rows)
        except _OverrideNotFound as exc:
            raise InputFileError(exc.message(overrides_from)) from None


def _ingest(paths, anchor: str, overrides, out_dir, partition: bool, progress: bool, chunk_rows) -> IngestResult:
    entries = list_entries(paths)
    if not any(e.reason is None for e in entries):
        kinds = ", ".join(sorted(LEDGER_SUFFIXES))
        found = f" (found {len(entries)} other entries: see `cwb inspect`)" if entries else ""
        raise InputFileError(f"no ledger files ({kinds}) under {', '.join(map(str, paths))}{found}")
    if partition and out_dir is None:
        raise InputFileError("partition=True needs an output folder (--out)")
    chunk_rows = chunk_rows or (100_000 if partition else 10_000_000)
    iterator = entries
    if progress:
        from tqdm import tqdm

        # disable=None: no bar when stderr is not a terminal, so an error stays one line in a log
        iterator = tqdm(entries, desc=f"ingest {anchor}", unit="file", disable=None)
    created = False
    if out_dir is not None:
        out_dir = Path(out_dir)
        created = not out_dir.exists()
        out_dir.mkdir(parents=True, exist_ok=True)
    # The single transactions file is written chunk by chunk as files are read; a run that finds
    # cross-file duplicates rewrites it once without them.
    tmp = out_dir / "transactions.parquet.tmp" if out_dir is not None and not partition else None
    sink = _ParquetSink()
    pool = ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="cwb-ingest")
    try:
        recon, kept_parts, aside_parts, maps = _read_files(
            iterator, anchor, overrides, chunk_rows, out_dir if partition else None, tmp, sink, pool
        )
        sink.close()
    except BaseException:
        with contextlib.suppress(Exception):  # the reading error is the one to report
            sink.close()
        for part in sink.written:  # a file refused after its rows were streamed leaves no parts
            part.unlink(missing_ok=True)
        if partition and created:
            shutil.rmtree(out_dir / "transactions", ignore_errors=True)
        if tmp is not None:
            tmp.unlink(missing_ok=True)
        if out_dir is not None and created:  # leave no empty output folder behind a failed run
            with contextlib.suppress(OSError):
                out_dir.rmdir()
        raise
    finally:
        pool.shutdown(cancel_futures=True)

    kept_table = pa.concat_tables(kept_parts) if kept_parts else None
    transactions = to_pandas(kept_table) if kept_table is not None else _empty_transactions()
    quarantine = pd.concat(aside_parts, ignore_index=True) if aside_parts else pd.DataFrame(columns=QUARANTINE_COLUMNS)
    reconciliation = pd.DataFrame(recon)
    duplicates = find_duplicates(transactions) if not partition else transactions.iloc[0:0]
    if len(duplicates):
        transactions = transactions.drop(index=duplicates.index).reset_index(drop=True)
        dq = pd.DataFrame(
            {
                "source_file": duplicates["source_file"].astype(str),
                "sheet": duplicates["sheet"].astype(str),
                "row_number": duplicates["row_number"],
                "reason": "duplicate_of_other_file",
                "amount_pence": duplicates["amount_pence"],
                "duplicate_of": duplicates["duplicate_of"],
                "raw": (
                    duplicates["supplier_name"]
                    .map(_quarantine_payee)
                    .where(~duplicates["individual"], INDIVIDUAL_LABEL)
                    + "|"
                    + duplicates["amount_pence"].astype(str)
                ),
            }
        )
        quarantine = pd.concat([quarantine, dq[QUARANTINE_COLUMNS]], ignore_index=True)
        moved = duplicates.groupby("source_file").agg(n=("amount_pence", "size"), p=("amount_pence", "sum"))
        for i, rec in reconciliation.iterrows():
            if rec.source_file in moved.index:
                n, p = moved.loc[rec.source_file, "n"], moved.loc[rec.source_file, "p"]
                reconciliation.loc[i, ["rows_kept", "pence_kept"]] -= [n, p]
                reconciliation.loc[i, ["rows_set_aside", "pence_set_aside", "reason_duplicate_of_other_file"]] += [
                    n,
                    p,
                    n,
                ]
        duplicates = duplicates.reset_index(drop=True)
    quarantine = quarantine.astype({"row_number": "int64", "amount_pence": "int64"})
    result = IngestResult(transactions, reconciliation, quarantine, duplicates, [e.source_file for e in entries])
    result.column_maps = pd.DataFrame(maps, columns=COLUMN_MAP_COLUMNS).astype({"header_row": "Int64"})
    if out_dir is not None:
        if tmp is not None and (len(duplicates) or sink.path is None):
            write_parquet(to_arrow(transactions), tmp)  # nothing streamed, or duplicates to drop
        write_outputs(result, out_dir, partition=partition, written=tmp)
    return result


def _read_files(
    entries: list[Entry],
    anchor: str,
    overrides,
    chunk_rows: int,
    partition_dir: Path | None,
    tmp: Path | None,
    sink: _ParquetSink,
    pool: ThreadPoolExecutor | None = None,
):
    """Every chunk of every file: (reconciliation rows, kept Arrow tables, set-aside frames, column
    map rows). Kept rows go to `sink`: partitioned under `partition_dir` (and not held), or appended
    to `tmp`. A file whose payments are all £0.00 or all to one payee is refused (`FileTally`).
    An entry that is not a ledger is one set-aside row of £0 (as a sheet that is not a ledger)."""
    recon, kept_parts, aside_parts, layouts, maps = [], [], [], [], []
    part_no = 0
    for entry in entries:
        path, source_file = entry.path, entry.source_file
        if entry.reason is not None:
            aside = pd.DataFrame([[source_file, "", 0, entry.reason, 0, entry.why, None]], columns=QUARANTINE_COLUMNS)
            recon.append(_recon_row(source_file, [], 1, 0, 0, 0, aside))
            aside_parts.append(aside)
            continue
        rows_read = pence_read = rows_kept = pence_kept = 0
        file_aside, sheets, read, tally = [], [], [], FileTally()
        for chunk in _ingest_file(path, source_file, anchor, overrides, chunk_rows, layouts, pool, read):
            tally.add(chunk.kept)
            rows_read += chunk.rows_read
            pence_read += chunk.pence_read
            rows_kept += chunk.kept.num_rows
            pence_kept += exact_sum(chunk.kept["amount_pence"])
            file_aside.append(chunk.set_aside)
            if partition_dir is not None:  # written and dropped: memory stays flat however big the file
                part_no = sink.partitions(chunk.kept, partition_dir, anchor, part_no)
            elif chunk.kept.num_rows:
                kept_parts.append(chunk.kept)
                if tmp is not None:
                    sink.append(tmp, chunk.kept)
            for s in chunk.set_aside["sheet"].unique().tolist() + pc.unique(chunk.kept["sheet"]).to_pylist():
                if s and s not in sheets:
                    sheets.append(s)
        tally.check(read[0][0] if read else None, overrides)
        for t, notes in read:
            maps.extend(column_map_rows(t, overrides, notes))
        aside = pd.concat(file_aside, ignore_index=True) if file_aside else pd.DataFrame(columns=QUARANTINE_COLUMNS)
        recon.append(_recon_row(source_file, sheets, rows_read, pence_read, rows_kept, pence_kept, aside))
        aside_parts.append(aside)
    return recon, kept_parts, aside_parts, maps


def write_outputs(result: IngestResult, out_dir: Path, partition: bool = False, written: Path | None = None) -> None:
    """`written`: the transactions are already in this file, to be moved into place."""
    out_dir.mkdir(parents=True, exist_ok=True)
    if not partition:
        if written is None:
            written = out_dir / "transactions.parquet.tmp"
            write_parquet(to_arrow(result.transactions), written)
        written.replace(out_dir / "transactions.parquet")
    write_csv(result.reconciliation, out_dir / "reconciliation.csv")
    write_csv(result.quarantine[QUARANTINE_COLUMNS], out_dir / "quarantine.csv")
    write_csv(result.column_maps[COLUMN_MAP_COLUMNS], out_dir / "column_maps.csv")
