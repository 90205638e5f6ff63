"""From raw ledger cells to the canonical transactions table, with every pound accounted for.

Each data row is either kept (a payment with a supplier, an amount and a date or at least a
financial year) or set aside with a reason. Per source file, `pence_read == pence_kept +
pence_set_aside` and `rows_read == rows_kept + rows_set_aside` hold exactly; `reconciliation`
carries one row per file and `quarantine` one row per set-aside row.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import threading
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from itertools import repeat
from pathlib import Path
from urllib.parse import quote

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from ..columns import (
    CONTRACT_TEXT_FIELDS,
    CORE_FIELDS,
    HEADER_MIN_SCORE,
    expected_names,
    field_for,
    header_score,
    normalise_header,
    quote_header,
)
from ..errors import InputFileError
from ..identifiers import company_numbers_arrow, postcodes_arrow, split_charity_id
from ..identifiers import supplier_name as normalise_supplier
from ..individuals import is_redacted, looks_like_individual, looks_like_person
from ..organisations import has_organisation_evidence
from ..publish import write_csv
from ..schema import INDIVIDUAL_LABEL, LEDGER_EXTRA_COLUMNS, QUARANTINE_COLUMNS, TRANSACTION_COLUMNS
from ..schema import INGEST_REASONS as REASONS
from .parsing import amounts_to_pence, dates_of, financial_year, parse_amount_pence, parse_date
from .readers import LEDGER_SUFFIXES, Block, RawTable, blank_cells, read_tables

STR = pd.StringDtype("pyarrow")  # text columns: Arrow-backed, <NA> for missing

_TOTAL_CELL = r"(grand\s+|sub\s*-?\s*)?totals?(\s+(spend|spent|paid|amount|payments?|for\s.*))?\s*:?"
_TOTAL_RE = re.compile(_TOTAL_CELL, re.IGNORECASE)
_MONTH_ABBR = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
_PERIOD = re.compile(r"(?<![a-z])(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*"
                     r"(?:[\s_\-]+(?:to[\s_\-]+)?(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*)?"
                     r"[\s_\-']*((?:19|20)\d\d|\d\d)(?!\d)", re.IGNORECASE)


def period_financial_year(name: str) -> str | None:
    """The financial year a file or sheet name's period falls in, if it names one wholly inside one
    (`expenditure-over-500-apr-jun-2014.csv` -> `2014/15`; `Jan 19` -> `2018/19`); else None."""
    m = _PERIOD.search(name)
    if not m:
        return None
    year = int(m.group(3))
    year = year + 2000 if year < 100 else year
    first = _MONTH_ABBR.index(m.group(1).lower()) + 1
    last = _MONTH_ABBR.index(m.group(2).lower()) + 1 if m.group(2) else first
    if last < first:  # `nov-feb 2015` spans a calendar year: ambiguous, do not guess
        return None
    fy_first = financial_year(dt.date(year, first, 1))
    fy_last = financial_year(dt.date(year, last, 1))
    return fy_first if fy_first == fy_last else None


def _missing(value: object) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and value != value)


def _text(values: pd.Series) -> pd.Series:
    """Trimmed text, empty -> <NA>, as pandas `string`. Spreadsheet numbers lose a `.0`."""
    if values.dtype != object:
        raw = pa.array(values, type=pa.large_string())
        arr = pc.utf8_trim_whitespace(raw)
        blank = blank_cells(raw)
        if pc.any(blank).as_py():  # most columns have none: no third copy of the column
            arr = pc.if_else(blank, pa.scalar(None, pa.large_string()), arr)
        return pd.Series(pd.arrays.ArrowStringArray(arr), index=values.index)
    out = []
    for v in values.tolist():
        if _missing(v):
            out.append(None)
        elif isinstance(v, str):
            v = v.strip()
            out.append(v or None)
        elif isinstance(v, float) and v.is_integer():
            out.append(str(int(v)))
        elif isinstance(v, (dt.datetime, dt.date)):
            out.append(v.isoformat()[:10] if isinstance(v, dt.datetime) and v.time() == dt.time() else v.isoformat())
        else:
            out.append(str(v).strip() or None)
    return pd.Series(out, dtype=STR, index=values.index)


def _given(values: pd.Series) -> np.ndarray:
    """The cell holds something (not None, not whitespace)."""
    if values.dtype != object:
        blank = pc.fill_null(blank_cells(pa.array(values, type=pa.large_string())), True)
        return ~np.asarray(blank.to_numpy(zero_copy_only=False), dtype=bool)
    return np.fromiter((not _empty(v) for v in values.tolist()), dtype=bool, count=len(values))


def _strs(values) -> pd.Series:
    """A list or object array of str/None as an Arrow-backed `string` Series, built in C."""
    arr = pa.array(values if isinstance(values, (list, np.ndarray)) else list(values), type=pa.large_string(),
                   from_pandas=True)
    return pd.Series(pd.arrays.ArrowStringArray(arr))


def _person(name: str) -> tuple[bool, bool]:
    """(redacted, individual) for one payee name."""
    if is_redacted(name):
        return True, True
    s = name.strip()
    return False, bool(s) and looks_like_person(s)


class _PayeeFacts:
    """Names recur across chunks, sheets and files: each is normalised and classified once per
    process. A name maps to a row of three arrays (hash of its normalised form, redacted,
    individual), so a chunk's names become facts with one dict probe each and numpy indexing:
    national ledgers bring thousands of distinct payees to every chunk. Forgotten all at once
    when `limit` is reached; one lock, as chunks are read on two threads."""

    def __init__(self, limit: int = 500_000) -> None:
        self.limit = limit
        self._lock = threading.Lock()
        self._reset()

    def _reset(self) -> None:
        self.index: dict[str, int] = {}
        self.size = 0
        self.hash = np.zeros(4096, dtype=np.uint64)
        self.red = np.zeros(4096, dtype=bool)
        self.ind = np.zeros(4096, dtype=bool)

    def _grow(self, size: int) -> None:
        if size > len(self.hash):
            cap = max(size, 2 * len(self.hash))
            self.hash, self.red, self.ind = (np.resize(a, cap) for a in (self.hash, self.red, self.ind))

    def lookup(self, names: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(hash of the normalised name, redacted, individual) for each of these distinct names."""
        with self._lock:
            rows = np.fromiter(map(self.index.get, names, repeat(-1)), dtype=np.int64, count=len(names))
            miss = np.flatnonzero(rows < 0)
            if len(miss):
                if self.size + len(miss) > self.limit:
                    self._reset()
                    miss = np.arange(len(names))
                new = [names[i] for i in miss]
                start, end = self.size, self.size + len(new)
                self._grow(end)
                self.hash[start:end] = _hash_text([normalise_supplier(u) for u in new])
                flags = np.array([_person(u) for u in new], dtype=bool).reshape(-1, 2)
                self.red[start:end], self.ind[start:end] = flags[:, 0], flags[:, 1]
                self.index.update(zip(new, range(start, end)))
                self.size = end
                rows[miss] = np.arange(start, end)
            return self.hash[rows], self.red[rows], self.ind[rows]


_PAYEES = _PayeeFacts()


def _const(value: str | None, n: int) -> pd.Series:
    """`n` copies of one text value (or <NA>) as a `string` Series."""
    arr = pa.nulls(n, pa.large_string()) if value is None else pa.repeat(pa.scalar(value, pa.large_string()), n)
    return pd.Series(pd.arrays.ArrowStringArray(arr))


def _pick(choices, codes: np.ndarray) -> pd.Series:
    """`choices[codes]` as a `string` Series, built by Arrow's dictionary decode (no Python loop)."""
    dictionary = pa.array(list(choices), type=pa.large_string(), from_pandas=True)
    arr = pa.DictionaryArray.from_arrays(pa.array(np.asarray(codes, dtype=np.int32)), dictionary)
    return pd.Series(pd.arrays.ArrowStringArray(arr.cast(pa.large_string())))


def _hash_text(values) -> np.ndarray:
    """Stable 64-bit hashes of strings (pandas' SipHash with its fixed key); None hashes as ''."""
    arr = np.array([v if type(v) is str else "" if _missing(v) else str(v) for v in values], dtype=object)
    return pd.util.hash_array(arr, categorize=False) if len(arr) else np.zeros(0, dtype=np.uint64)


_HEX_PAIRS = np.array([f"{b:02x}".encode() for b in range(256)], dtype="S2").view(np.uint16)


def _hex16(h: np.ndarray) -> pd.Series:
    """uint64 -> 16 lower-case hex digits, big-endian, as a `string` Series (no per-row Python)."""
    digits = _HEX_PAIRS[h.astype(">u8").view(np.uint8)]  # two ASCII bytes per byte of the hash
    offsets = pa.py_buffer(np.arange(0, 16 * len(h) + 1, 16, dtype=np.int64))
    arr = pa.LargeStringArray.from_buffers(len(h), offsets, pa.py_buffer(digits.tobytes()))
    return pd.Series(pd.arrays.ArrowStringArray(arr))


_EMPTY_HASH = int(pd.util.hash_array(np.array([""], dtype=object), categorize=False)[0])


def _payment_ids(anchor: str, date_codes: np.ndarray, date_iso: list, pence: np.ndarray, n_codes: np.ndarray,
                 name_hashes: np.ndarray, refs: pd.Series) -> pd.Series:
    """Stable 64-bit id of (anchor, payment_date, amount_pence, normalised supplier, transaction_ref),
    as 16 hex digits. Each part is hashed once per distinct value, then mixed per row.
    `name_hashes[n_codes]` are the normalised supplier names' hashes (code -1: no name)."""
    norm = np.append(name_hashes, np.uint64(_EMPTY_HASH))
    ref_h = pd.util.hash_array(refs.fillna("").to_numpy(dtype=object), categorize=False)
    parts = [
        np.full(len(pence), _hash_text([anchor])[0], dtype=np.uint64),
        _hash_text(date_iso)[date_codes],
        pd.util.hash_array(np.asarray(pence, dtype=np.int64)),
        norm[n_codes],
        ref_h,
    ]
    h = np.zeros(len(pence), dtype=np.uint64)
    with np.errstate(over="ignore"):
        for part in parts:  # FNV-style mixing: order matters, wraps modulo 2**64
            h = (h ^ part) * np.uint64(0x100000001B3)
    return _hex16(h)


def _empty(v) -> bool:
    return v is None or (isinstance(v, str) and not v.strip())


def _repair_short_rows(cm, cols: dict, block: Block) -> dict[int, str]:
    """Rows one cell short (a blank cell dropped, not left empty) put the amount under the
    previous header: Lancashire Fire 2022-23 has 165 such lines, amount under `Supplier
    Classification`. When the amount cell is empty and the row's last value sits left of it, in a
    column no core field uses, and reads as money, it is the amount. Returns {row: note}."""
    j_amt = cm.columns["amount"]
    core = {cm.columns[f] for f in CORE_FIELDS}
    by_col = {j: f for f, j in cm.columns.items()}
    header = cm.header or []
    notes: dict[int, str] = {}
    empty = np.flatnonzero(~_given(cols["amount"]) & ~block.blank)
    if not len(empty):
        return notes
    amounts = cols["amount"].astype(object).copy()
    changed: dict[str, pd.Series] = {}
    for i in empty:
        row = block.row(i)
        last = next((j for j in range(len(row) - 1, -1, -1) if not _empty(row[j])), None)
        if last is None or last >= j_amt or last in core:
            continue
        cell = row[last]
        if isinstance(cell, str) and (not re.search(r"\d", cell) or parse_date(cell) is not None):
            continue
        if parse_amount_pence(cell) is None:
            continue
        amounts.iloc[i] = cell
        if last in by_col:
            fld = by_col[last]
            changed.setdefault(fld, cols[fld].astype(object).copy()).iloc[i] = None
        name = header[last] if last < len(header) else f"column {last + 1}"
        notes[int(i)] = f"amount read from {name!r}: row one cell short"
    if notes:
        cols["amount"] = amounts
        cols.update(changed)
    return notes


# Quarantine `raw` keeps the cells that say why a row was set aside (dates, amounts, codes). Free
# text and columns we do not recognise can name a person or a home address: masked, as is a payee
# without evidence of an organisation (`cwbtools.organisations`).
_RAW_MASKED_FIELDS = {"description", "postcode"}
_RAW_MASK = "*"


def _quarantine_payee(name: object) -> str:
    text = "" if name is None or name is pd.NA else str(name)
    if not text.strip() or (has_organisation_evidence(text) and not looks_like_individual(text)):
        return text
    return INDIVIDUAL_LABEL


def _raw_text(row: list, columns: dict[str, int]) -> str:
    """The row's cells for the quarantine file, with a person's name, free text and unrecognised
    columns masked."""
    cells = ["" if c is None else str(c) for c in row]
    kept = {j for fld, j in columns.items() if fld not in _RAW_MASKED_FIELDS}
    for j, cell in enumerate(cells):
        if j not in kept and cell.strip():
            cells[j] = _RAW_MASK
    supplier_col = columns.get("supplier_name")
    if supplier_col is not None and supplier_col < len(cells):
        cells[supplier_col] = _quarantine_payee(cells[supplier_col])
    return "|".join(cells).strip("|")


def _per_distinct(values: pd.Series, fn, width: int = 1):
    """`fn` applied once per distinct value (identifiers repeat down a ledger), <NA> passed as None.
    With `width` > 1, `fn` returns a tuple and a tuple of Series comes back."""
    codes, uniq = pd.factorize(values, use_na_sentinel=True)
    results = [fn(u) for u in uniq.tolist()] + [fn(None)]
    codes = np.where(codes < 0, len(uniq), codes)
    if width == 1:
        return _pick(results, codes)
    return tuple(_pick([r[i] for r in results], codes) for i in range(width))


def _per_distinct_arrow(values: pd.Series, fn) -> pd.Series:
    """An Arrow twin `fn` (array in, array out) over the distinct values only, spread back as a
    `string` Series. Company numbers in a 100k-row chunk with 50,000 distinct: 41 ms, where the
    scalar rule per distinct value took 82 ms and the twin over every row 73 ms."""
    codes, uniq = pd.factorize(values, use_na_sentinel=True)
    out = fn(pa.array(uniq.to_numpy(dtype=object), type=pa.large_string(), from_pandas=True))
    dictionary = pa.concat_arrays([out, pa.nulls(1, pa.large_string())])
    codes = np.where(codes < 0, len(uniq), codes).astype(np.int32)
    arr = pa.DictionaryArray.from_arrays(pa.array(codes), dictionary).cast(pa.large_string())
    return pd.Series(pd.arrays.ArrowStringArray(arr))


@dataclass
class _Chunk:
    kept: pa.Table  # TRANSACTION_COLUMNS, text as large_string
    set_aside: pd.DataFrame  # QUARANTINE_COLUMNS
    rows_read: int
    pence_read: int


_EPOCH = dt.date(1970, 1, 1)


def process_block(table: RawTable, anchor: str, block: Block) -> _Chunk:
    """Interpret one chunk of one table's raw cells: kept payments and set-aside rows."""
    cm = table.colmap
    n = block.n
    cols: dict[str, pd.Series] = {fld: block.column(j) for fld, j in cm.columns.items()}
    blank = block.blank
    repaired = _repair_short_rows(cm, cols, block)

    pence = amounts_to_pence(cols["amount"])
    amount_given = _given(cols["amount"])
    codes, uniq_dates, time_only_u = dates_of(cols["payment_date"], block.month_first)
    date_given = _given(cols["payment_date"])
    uniq_ok = np.array([d is not None for d in uniq_dates] + [False], dtype=bool)
    date_missing = ~uniq_ok[codes]
    time_only = np.append(time_only_u, False)[codes]
    supplier = _text(cols["supplier_name"])
    # Total rows: no payee, a cell reading `Total` (or `Grand total`): counted in pence_read,
    # never as a payment. (`TOTAL HYGIENE LTD` is a supplier: only a blank or bare `Total`
    # payee makes a total row.)
    no_supplier = supplier.isna().to_numpy()
    total = np.zeros(n, dtype=bool)
    s_codes, s_uniq = pd.factorize(supplier)
    s_uniq = s_uniq.tolist()  # distinct names, visited several times below: one conversion
    maybe_total = np.flatnonzero(pc.match_substring(pa.array(s_uniq, type=pa.string()), "total",
                                                    ignore_case=True).to_numpy(zero_copy_only=False))
    named_total = np.zeros(len(s_uniq) + 1, dtype=bool)
    named_total[[i for i in maybe_total if _TOTAL_RE.fullmatch(s_uniq[i].strip())]] = True
    named_total = named_total[s_codes]
    for i in np.flatnonzero((no_supplier & ~blank) | named_total):
        total[i] = any(isinstance(c, str) and _TOTAL_RE.fullmatch(c.strip()) for c in block.row(i))

    period_fy = None
    if date_missing.any():
        period_fy = period_financial_year(table.sheet) or period_financial_year(Path(table.source_file).name)
    pence_na = pence.isna().to_numpy()

    reason = np.full(n, None, dtype=object)
    reason[date_missing & date_given & ~time_only] = "unreadable_date"
    reason[date_missing & ~date_given] = "no_date"
    reason[date_missing & time_only & (period_fy is None)] = "date_time_only"
    # A blank payee beside the ledger's own supplier id is a name withheld (Oxford's rent
    # allowance cheques, compensation): kept as redacted. Blank payee and no id: set aside.
    withheld = no_supplier & (_given(cols["supplier_id"]) if "supplier_id" in cols else False)
    reason[no_supplier & ~withheld & np.equal(reason, None)] = "no_supplier"
    reason[pence_na & amount_given] = "unreadable_amount"
    reason[pence_na & ~amount_given] = "no_amount"
    # An amount with neither payee nor date is a (sub)total line, labelled or not.
    reason[no_supplier & ~date_given & ~pence_na & ~withheld] = "total_row"
    reason[total] = "total_row"
    for i in np.flatnonzero(pence_na & ~blank):
        if header_score(block.row(i)) >= HEADER_MIN_SCORE:  # a second, different header inside the table
            reason[i] = "repeated_header"
    reason[blank] = "blank"

    pence_filled = pence.fillna(0).to_numpy(dtype=np.int64)
    keep = np.equal(reason, None)

    aside_idx = np.flatnonzero(~keep)
    set_aside = pd.DataFrame({
        "source_file": table.source_file,
        "sheet": table.sheet,
        "row_number": block.row_numbers[aside_idx],
        "reason": reason[aside_idx].astype(str),
        "amount_pence": pence_filled[aside_idx],
        "raw": [_raw_text(block.row(i), cm.columns) for i in aside_idx],
        "duplicate_of": None,
    })

    # Every column is built for the whole block, then the kept rows taken in one Arrow filter.
    uniq_days = np.array([(d - _EPOCH).days if d is not None else 0 for d in uniq_dates] + [0], dtype=np.int32)
    uniq_fy = np.array([financial_year(d) if d is not None else period_fy for d in uniq_dates] + [period_fy],
                       dtype=object)
    uniq_iso = np.array([d.isoformat() if d is not None else None for d in uniq_dates] + [None], dtype=object)
    text = {fld: _text(cols[fld]) for fld in (*CONTRACT_TEXT_FIELDS, *LEDGER_EXTRA_COLUMNS) if fld in cols}
    if "charity_number" in text:
        charity, other = _per_distinct(text["charity_number"], split_charity_id, 2)
        text["charity_number"] = charity
        text["other_id"] = text["other_id"].where(text["other_id"].notna(), other) if "other_id" in text else other
    if "company_number" in text:
        text["company_number"] = _per_distinct_arrow(text["company_number"], company_numbers_arrow)
    if "postcode" in text:
        text["postcode"] = _per_distinct_arrow(text["postcode"], postcodes_arrow)
    # No name (withheld beside a supplier id) counts as redacted and individual: code -1 -> last.
    name_hashes, red, ind = _PAYEES.lookup(s_uniq)
    flags = np.column_stack([np.append(red, True), np.append(ind, True)])
    refs = text.get("transaction_ref", _const(None, n))
    arrays = {
        "anchor": _const(anchor, n),
        "source_file": _const(table.source_file, n),
        "sheet": _const(table.sheet, n),
        "row_number": pa.array(block.row_numbers, type=pa.int64()),
        "payment_date": pa.array(uniq_days[codes], mask=~uniq_ok[codes], type=pa.int32()).cast(pa.date32()),
        "financial_year": _pick(uniq_fy, codes),
        "amount_pence": pa.array(pence_filled, type=pa.int64()),
        "supplier_name": supplier,
        "individual": pa.array(flags[s_codes, 1]),
        "redacted": pa.array(flags[s_codes, 0]),
        "payment_id": _payment_ids(anchor, codes, list(uniq_iso), pence_filled, s_codes, name_hashes, refs),
        "date_source": _pick(["file_period", "ledger"], uniq_ok[codes].astype(np.int32)),
        "row_repair": (_strs([repaired.get(i) for i in range(n)]) if repaired else _const(None, n)),
    }
    none = _const(None, n)
    columns = []
    for c in TRANSACTION_COLUMNS:
        v = arrays[c] if c in arrays else text.get(c, none)
        columns.append(v.array.__arrow_array__() if isinstance(v, pd.Series) else v)
    kept = pa.Table.from_arrays(columns, schema=_LARGE_SCHEMA)
    if not keep.all():
        kept = kept.filter(pa.array(keep))
    return _Chunk(kept, set_aside, n, int(pence_filled.sum()))


@dataclass
class IngestResult:
    transactions: pd.DataFrame
    reconciliation: pd.DataFrame
    quarantine: pd.DataFrame
    duplicates: pd.DataFrame
    files: list[str] = field(default_factory=list)

    def balanced(self) -> bool:
        r = self.reconciliation
        return bool(((r.pence_read == r.pence_kept + r.pence_set_aside)
                     & (r.rows_read == r.rows_kept + r.rows_set_aside)).all())


def expand_paths(paths) -> list[tuple[Path, str]]:
    """Files and folders (recursively) -> (path, source_file name relative to the folder given)."""
    out: list[tuple[Path, str]] = []
    for p in paths:
        p = Path(p)
        if p.is_dir():
            for f in sorted(p.rglob("*")):
                if f.is_file() and f.suffix.lower() in LEDGER_SUFFIXES and not f.name.startswith(("~$", ".")):
                    out.append((f, f.relative_to(p).as_posix()))
        elif p.is_file():
            out.append((p, p.name))
        else:
            raise InputFileError(f"{p}: no such file or folder")
    return out


def _unreadable(table: RawTable) -> InputFileError:
    where = f"{table.path}" + (f", sheet {table.sheet!r}" if table.sheet else "")
    names = expected_names()
    expect = "; ".join(f"{f}: {', '.join(repr(x) for x in names[f][:8])}" for f in CORE_FIELDS)
    found = quote_header(table.columns_found)  # header cells only: a data row is never quoted
    return InputFileError(
        f"{where}: no recognisable supplier, amount and date columns. Columns found: {found}. "
        f"Expected names like {expect}. If the columns are there under other names, name them: "
        f"`cwb ingest ... --column supplier_name='Their Header'` (or overrides={{field: header}}).")


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


def _ingest_file(path: Path, source_file: str, anchor: str, overrides, chunk_rows: int, layouts=None, pool=None):
    """Yield (_Chunk) for every chunk of every readable table of one file (on `pool`'s threads)."""
    tables = read_tables(path, source_file, overrides, chunk_rows)
    for t in tables:
        _borrow_layout(t, layouts if layouts is not None else [])
    readable = [t for t in tables if t.colmap is not None and not t.colmap.missing_core()]
    if not readable:
        if tables:
            raise _unreadable(tables[0])
        raise InputFileError(f"{path}: holds no rows")
    for t in tables:
        if t.colmap is None or t.colmap.missing_core():
            # A notes or pivot sheet beside monthly ledger sheets: counted, set aside, not fatal.
            yield _Chunk(_LARGE_SCHEMA.empty_table(), pd.DataFrame(
                [[source_file, t.sheet, 0, "sheet_not_a_ledger", 0, "columns: " + ", ".join(t.columns_found), None]],
                columns=QUARANTINE_COLUMNS), 1, 0)
            continue
        yield from _ordered_map(lambda block, t=t: process_block(t, anchor, block), t.rows, pool)


WORKERS = min(2, os.cpu_count() or 1)


def _ordered_map(fn, items, pool: ThreadPoolExecutor | None):
    """`fn` over `items` on the pool's WORKERS threads, results in the items' order, at most WORKERS
    items in flight (so a streamed file still holds only a few chunks). Interpreting a chunk is
    mostly Arrow and numpy work, which runs without the GIL: two chunks go at once on two cores."""
    if pool is None or WORKERS < 2:
        yield from map(fn, items)
        return
    pending: deque[Future] = deque()
    try:
        for item in items:
            pending.append(pool.submit(fn, item))
            if len(pending) >= WORKERS:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
    finally:
        for f in pending:
            f.cancel()


def _recon_row(source_file: str, sheets: list[str], rows_read: int, pence_read: int,
               rows_kept: int, pence_kept: int, aside: pd.DataFrame) -> dict:
    rec = {
        "source_file": source_file,
        "sheet": ";".join(sheets),
        "rows_read": rows_read,
        "rows_kept": rows_kept,
        "rows_set_aside": len(aside),
        "pence_read": pence_read,
        "pence_kept": pence_kept,
        "pence_set_aside": int(aside["amount_pence"].sum()) if len(aside) else 0,
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
    best = per_file.sort_values(["payment_id", "n", "order"], ascending=[True, False, True]).drop_duplicates("payment_id")
    kept_file = dict(zip(best["payment_id"], best["source_file"]))
    cand = tx[key.isin(kept_file.keys())]
    dup = cand[cand["source_file"].to_numpy() != cand["payment_id"].map(kept_file).to_numpy()]
    return dup.assign(duplicate_of=dup["payment_id"].map(kept_file).astype(STR))


def arrow_schema() -> pa.Schema:
    types = {"row_number": pa.int64(), "amount_pence": pa.int64(), "payment_date": pa.date32(),
             "individual": pa.bool_(), "redacted": pa.bool_()}
    return pa.schema([(c, types.get(c, pa.string())) for c in TRANSACTION_COLUMNS])


_LARGE_SCHEMA = pa.schema([(f.name, pa.large_string() if f.type == pa.string() else f.type) for f in arrow_schema()])
_PANDAS_TYPES = {pa.string(): STR, pa.large_string(): STR, pa.date32(): pd.ArrowDtype(pa.date32())}


def to_pandas(table: pa.Table) -> pd.DataFrame:
    """Transactions as pandas: text as Arrow-backed `string`, dates as `date32[pyarrow]`."""
    return table.to_pandas(types_mapper=_PANDAS_TYPES.get)


def _empty_transactions() -> pd.DataFrame:
    return to_pandas(_LARGE_SCHEMA.empty_table())


def to_arrow(df: pd.DataFrame) -> pa.Table:
    return pa.Table.from_pandas(df[TRANSACTION_COLUMNS], schema=arrow_schema(), preserve_index=False)


# pandas' own description of the columns, stored with every file so that `pd.read_parquet` gives
# back the dtypes ingest made (Arrow-backed `string`, `date32[pyarrow]`) however the file was written.
_PARQUET_SCHEMA = to_arrow(_empty_transactions()).schema


def for_parquet(kept: pa.Table) -> pa.Table:
    """Chunks as written: text as the contract's `string`, with pandas' metadata."""
    return kept.cast(_PARQUET_SCHEMA)


# Columns nearly unique per payment gain nothing from a dictionary page but pay to build one.
_NO_DICTIONARY = {"row_number", "payment_date", "amount_pence", "transaction_ref", "payment_id", "description"}
# Min/max statistics only where readers filter (DuckDB and pyarrow skip row groups by them): on
# every text column they cost 15% of the write and serve no query.
_STATISTICS = ["anchor", "source_file", "row_number", "payment_date", "financial_year", "amount_pence"]


def _parquet_options(columns) -> dict:
    return {"use_dictionary": [c for c in columns if c not in _NO_DICTIONARY],
            "write_statistics": [c for c in _STATISTICS if c in columns],
            # random hex does not compress: snappy on it is time spent for nothing
            "compression": {c: "none" if c == "payment_id" else "snappy" for c in columns}}


def write_parquet(table: pa.Table, path: Path) -> None:
    pq.write_table(table, path, **_parquet_options(table.column_names))


class _ParquetSink:
    """Parquet written on a background thread: Arrow encodes one chunk (it releases the GIL) while
    the next chunk is interpreted. One write in flight at a time, so at most two chunks are held
    and memory stays flat. A write's error is raised in the caller's thread at the next call."""

    def __init__(self) -> None:
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="cwb-parquet")
        self._pending: Future | None = None
        self._file: pq.ParquetWriter | None = None
        self.path: Path | None = None

    def _submit(self, fn) -> None:
        self.wait()
        self._pending = self._pool.submit(fn)

    def wait(self) -> None:
        if self._pending is not None:
            pending, self._pending = self._pending, None
            pending.result()

    def append(self, path: Path, kept: pa.Table) -> None:
        """Add `kept` to the one file `path` as a row group (text cast to the contract's string)."""
        def write() -> None:
            if self._file is None:
                self._file = pq.ParquetWriter(path, _PARQUET_SCHEMA, **_parquet_options(_PARQUET_SCHEMA.names))
                self.path = path
            self._file.write_table(for_parquet(kept))
        self._submit(write)

    def partitions(self, kept: pa.Table, out_dir: Path, anchor: str, part_no: int) -> int:
        """Hive layout: `anchor=<a>/financial_year=<y>/part-N.parquet`, values URI-encoded
        (`financial_year=2019%2F20`), so a hive-aware reader decodes the same strings the files
        hold. Each file also carries every CONTRACTS §1 column, so any part reads alone (with
        pyarrow, read the folder with `partitioning=None`; DuckDB: `hive_partitioning = false`).
        Returns the next part number (decided here, so the names do not wait for the writes)."""
        if not kept.num_rows:
            return part_no
        parts = []
        for fy in sorted(pc.unique(kept["financial_year"]).to_pylist()):
            folder = (out_dir / "transactions" / f"anchor={quote(anchor, safe='')}"
                      / f"financial_year={quote(str(fy), safe='')}")
            folder.mkdir(parents=True, exist_ok=True)
            parts.append((fy, folder / f"part-{part_no:05d}.parquet"))
            part_no += 1

        def write() -> None:
            table = for_parquet(kept)
            for fy, path in parts:
                write_parquet(table.filter(pc.equal(table["financial_year"], fy)), path)
        self._submit(write)
        return part_no

    def close(self) -> None:
        try:
            self.wait()
        finally:
            if self._file is not None:
                self._file.close()
            self._pool.shutdown()


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


def ingest_paths(paths, anchor: str, overrides: dict[str, str] | None = None, out_dir: Path | None = None,
                 partition: bool = False, progress: bool = False, chunk_rows: int | None = None) -> IngestResult:
    """Read every ledger under `paths` for one anchor; see the module doc and CONTRACTS §1.

    `partition=True` streams each file in chunks to `out_dir/transactions/anchor=<a>/
    financial_year=<y>/part-*.parquet` and holds no transactions in memory (the result's
    `transactions` is empty); cross-file duplicates are then not removed (do it downstream,
    where the whole table can be scanned).
    """
    with _ingest_memory_pool():
        return _ingest(paths, anchor, overrides, out_dir, partition, progress, chunk_rows)


def _ingest(paths, anchor: str, overrides, out_dir, partition: bool, progress: bool, chunk_rows) -> IngestResult:
    files = expand_paths(paths)
    if not files:
        raise InputFileError(f"no ledger files (.csv, .xlsx, .xls, .txt) under {', '.join(map(str, paths))}")
    if partition and out_dir is None:
        raise InputFileError("partition=True needs an output folder (--out)")
    chunk_rows = chunk_rows or (100_000 if partition else 10_000_000)
    iterator = files
    if progress:
        from tqdm import tqdm

        iterator = tqdm(files, desc=f"ingest {anchor}", unit="file")
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
        recon, kept_parts, aside_parts = _read_files(iterator, anchor, overrides, chunk_rows, out_dir if partition
                                                     else None, tmp, sink, pool)
        sink.close()
    except BaseException:
        with contextlib.suppress(Exception):  # the reading error is the one to report
            sink.close()
        if tmp is not None:
            tmp.unlink(missing_ok=True)
            if created:  # leave no empty output folder behind a failed run
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
        dq = pd.DataFrame({
            "source_file": duplicates["source_file"].astype(str), "sheet": duplicates["sheet"].astype(str),
            "row_number": duplicates["row_number"], "reason": "duplicate_of_other_file",
            "amount_pence": duplicates["amount_pence"], "duplicate_of": duplicates["duplicate_of"],
            "raw": (duplicates["supplier_name"].map(_quarantine_payee).where(~duplicates["individual"], INDIVIDUAL_LABEL)
                    + "|" + duplicates["amount_pence"].astype(str)),
        })
        quarantine = pd.concat([quarantine, dq[QUARANTINE_COLUMNS]], ignore_index=True)
        moved = duplicates.groupby("source_file").agg(n=("amount_pence", "size"), p=("amount_pence", "sum"))
        for i, rec in reconciliation.iterrows():
            if rec.source_file in moved.index:
                n, p = moved.loc[rec.source_file, "n"], moved.loc[rec.source_file, "p"]
                reconciliation.loc[i, ["rows_kept", "pence_kept"]] -= [n, p]
                reconciliation.loc[i, ["rows_set_aside", "pence_set_aside", "reason_duplicate_of_other_file"]] += [n, p, n]
        duplicates = duplicates.reset_index(drop=True)
    quarantine = quarantine.astype({"row_number": "int64", "amount_pence": "int64"})
    result = IngestResult(transactions, reconciliation, quarantine, duplicates, [f for _, f in files])
    if out_dir is not None:
        if tmp is not None and (len(duplicates) or sink.path is None):
            write_parquet(to_arrow(transactions), tmp)  # nothing streamed, or duplicates to drop
        write_outputs(result, out_dir, partition=partition, written=tmp)
    return result


def _read_files(files, anchor: str, overrides, chunk_rows: int, partition_dir: Path | None, tmp: Path | None,
                sink: _ParquetSink, pool: ThreadPoolExecutor | None = None):
    """Every chunk of every file: (reconciliation rows, kept Arrow tables, set-aside frames).
    Kept rows go to `sink`: partitioned under `partition_dir` (and not held), or appended to `tmp`."""
    recon, kept_parts, aside_parts, layouts = [], [], [], []
    part_no = 0
    for path, source_file in files:
        rows_read = pence_read = rows_kept = pence_kept = 0
        file_aside, sheets = [], []
        for chunk in _ingest_file(path, source_file, anchor, overrides, chunk_rows, layouts, pool):
            rows_read += chunk.rows_read
            pence_read += chunk.pence_read
            rows_kept += chunk.kept.num_rows
            pence_kept += pc.sum(chunk.kept["amount_pence"]).as_py() or 0
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
        aside = pd.concat(file_aside, ignore_index=True) if file_aside else pd.DataFrame(columns=QUARANTINE_COLUMNS)
        recon.append(_recon_row(source_file, sheets, rows_read, pence_read, rows_kept, pence_kept, aside))
        aside_parts.append(aside)
    return recon, kept_parts, aside_parts


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
