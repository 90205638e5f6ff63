"""A table as read from a ledger file, before anything is interpreted: where its header is,
a sample of its first data rows, and its data rows streamed in blocks (Arrow-backed or Python lists)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .columns import ColumnMap

CHUNK_ROWS = 200_000
HEAD_ROWS = 60
SAMPLE_ROWS = 250  # data rows `evidence` weighs a column map on
TAIL_ROWS = 8


def is_blank(row) -> bool:
    return all(c is None or (isinstance(c, str) and not c.strip()) for c in row)


@dataclass
class RawTable:
    """One CSV file or one worksheet: where its header is and how to stream its data rows."""

    path: Path
    source_file: str
    sheet: str
    colmap: ColumnMap | None
    header_key: tuple | None  # a row equal to this is the header (repeated or at the foot), not data
    rows: Iterator[tuple[list[int], list[list]]] | None = None
    columns_found: list[str] = field(default_factory=list)
    header_row: int | None = None  # 1-based row of the header; None: at the foot, or no header
    sample: list[list] = field(default_factory=list)  # the first data rows, for `evidence` to weigh
    notes: dict[str, str] = field(default_factory=dict)  # what the reader met, by field (column map notes)
    hidden: bool = False  # a worksheet its workbook hides
    pivot: bool = False  # a worksheet holding a pivot table (a summary of other sheets)


def header_key_of(row) -> tuple:
    return tuple("" if c is None else str(c).strip().lower() for c in row)


def set_sample(table: RawTable, first: list[list], idx: int | None) -> None:
    """The header's row number and the first SAMPLE_ROWS data rows below it (for a header at the
    foot or none, the first rows that are not the header)."""
    start = 0
    if idx is not None and idx >= 0:
        table.header_row, start = idx + 1, idx + 1
    key = table.header_key
    table.sample = [
        r for r in first[start:] if not is_blank(r) and (key is None or len(r) != len(key) or header_key_of(r) != key)
    ][:SAMPLE_ROWS]


_ARROW_TEXT = {pa.string(): pd.StringDtype("pyarrow"), pa.large_string(): pd.StringDtype("pyarrow")}


class Block:
    """A chunk of data rows: cells by source column (pandas Series), row by row on demand."""

    def __init__(self, row_numbers, n: int, column, row, blank: np.ndarray, month_first: bool | None = None):
        self.row_numbers = np.asarray(row_numbers, dtype=np.int64)
        self.month_first = month_first  # US-style dates, decided for the whole file; None: per block
        self.n = n
        self._column = column
        self.row = row
        self.blank = blank
        self._cache: dict[int, pd.Series] = {}

    def column(self, j: int) -> pd.Series:
        if j not in self._cache:
            self._cache[j] = self._column(j)
        return self._cache[j]


def block_from_rows(nums: list[int], rows: list[list]) -> Block:
    def column(j: int) -> pd.Series:
        return pd.Series([r[j] if j < len(r) else None for r in rows], dtype=object)

    blank = np.fromiter((is_blank(r) for r in rows), dtype=bool, count=len(rows))
    return Block(nums, len(rows), column, rows.__getitem__, blank)


def blank_cells(arr) -> pa.Array:
    """Empty or whitespace-only cells (null stays null), found without building a trimmed copy."""
    return pc.or_(pc.equal(pc.binary_length(arr), 0), pc.utf8_is_space(arr))


def block_from_arrow(
    first_record: int, batch: pa.RecordBatch | pa.Table, header_key, header_index, month_first: bool | None = None
) -> Block | None:
    """Record `first_record + i` of the file is batch row i; header rows dropped."""
    n = batch.num_rows
    cols = batch.columns
    # Blank rows: total cell length 0, then (rarely needed) whitespace-only cells checked.
    length = np.zeros(n, dtype=np.int64)
    for c in cols:
        length += np.asarray(pc.binary_length(c).to_numpy(zero_copy_only=False), dtype=np.int64)
    blank = length == 0
    maybe = np.flatnonzero((length > 0) & (length <= 4 * len(cols)))
    if len(maybe):
        idx = pa.array(maybe)
        sub = np.ones(len(maybe), dtype=bool)
        for c in cols:
            sub &= np.asarray(blank_cells(c.take(idx)).to_numpy(zero_copy_only=False), dtype=bool)
        blank[maybe[sub]] = True
    rec = np.arange(first_record, first_record + n, dtype=np.int64)
    drop = np.isin(rec, sorted(skipped(header_index)))
    if header_key is not None and len(header_key) == len(cols):
        # A repeated header row: every cell equals the header's, ignoring case and spaces. The
        # cheap substring test on the first column leaves a handful of rows to compare exactly.
        cand = np.flatnonzero(
            np.asarray(
                pc.fill_null(pc.match_substring(cols[0], header_key[0], ignore_case=True), False).to_numpy(
                    zero_copy_only=False
                ),
                dtype=bool,
            )
        )
        if len(cand):
            idx = pa.array(cand)
            same = np.ones(len(cand), dtype=bool)
            for c, key in zip(cols, header_key):
                t = pc.utf8_lower(pc.utf8_trim_whitespace(c.take(idx)))
                same &= np.asarray(pc.equal(t, key).to_numpy(zero_copy_only=False), dtype=bool)
            drop[cand[same]] = True
    if drop.any():
        first_kept = int(np.argmin(drop)) if not drop.all() else n
        if not drop[first_kept:].any():  # the usual case: only the header, at the top: no copy
            batch, blank, rec = batch.slice(first_kept), blank[first_kept:], rec[first_kept:]
        else:
            keep = np.flatnonzero(~drop)
            batch = batch.take(pa.array(keep))
            blank, rec = blank[keep], rec[keep]
        cols = batch.columns
    if batch.num_rows == 0:
        return None

    def column(j: int) -> pd.Series:
        return pd.Series(cols[j].to_pandas(types_mapper=_ARROW_TEXT.get))

    def row(i: int) -> list:
        return [c[int(i)].as_py() for c in cols]

    return Block(rec + 1, batch.num_rows, column, row, blank, month_first)


def skipped(skip_index) -> set[int]:
    """The header's row indices: one index, or several for a header over two rows; None: none."""
    if skip_index is None:
        return set()
    return {skip_index} if isinstance(skip_index, int) else set(skip_index)


def chunked(records, header_key, skip_index, chunk_rows: int, start: int = 0):
    return chunked_numbered(enumerate(records, start=start), header_key, skip_index, chunk_rows)


def chunked_numbered(numbered, header_key, skip_index, chunk_rows: int):
    """Blocks of (0-based index, cells) pairs, the index not necessarily consecutive (a worksheet's
    rows that hold nothing are not stored); the header (`skip_index`) and its repeats dropped."""
    skip = skipped(skip_index)
    nums: list[int] = []
    rows: list[list] = []
    for i, rec in numbered:
        if i in skip:
            continue
        if header_key is not None and len(rec) == len(header_key) and header_key_of(rec) == header_key:
            continue
        nums.append(i + 1)
        rows.append(rec)
        if len(rows) >= chunk_rows:
            yield block_from_rows(nums, rows)
            nums, rows = [], []
    if rows:
        yield block_from_rows(nums, rows)
