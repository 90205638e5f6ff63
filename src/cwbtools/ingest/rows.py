"""One block of a ledger's rows, from raw cells to canonical payments: each row kept (a payment
with a supplier, an amount and a date or at least a financial year) or set aside with a reason.

`process_block` is pure apart from a bounded per-process memo of payee facts (`_PAYEES`).
"""

from __future__ import annotations

import datetime as dt
import re
import threading
from dataclasses import dataclass
from itertools import repeat

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..identifiers import (
    company_numbers_arrow,
    fixed_width_outward,
    postcode_district,
    postcodes_arrow,
    split_charity_id,
)
from ..identifiers import supplier_name as normalise_supplier
from ..individuals import is_redacted, looks_like_individual, looks_like_person
from ..organisations import has_organisation_evidence
from ..schema import INDIVIDUAL_LABEL, LEDGER_EXTRA_COLUMNS, LEDGER_FLAG_COLUMNS, TRANSACTION_COLUMNS
from .columns import CONTRACT_TEXT_FIELDS, CORE_FIELDS, HEADER_MIN_SCORE, amount_unit, header_score
from .limits import current as current_limits
from .parquet import _LARGE_SCHEMA, STR
from .parsing import BLANK, TIME_ONLY, UNREADABLE, WORDS, amounts_to_pence, exact_sum, parse_amount_pence, parse_date
from .periods import names_of, read_dates
from .tables import Block, RawTable, blank_cells

_TOTAL_CELL = r"(grand\s+|sub\s*-?\s*)?totals?(\s+(spend|spent|paid|amount|payments?|for\s.*))?\s*:?"
_TOTAL_RE = re.compile(_TOTAL_CELL, re.IGNORECASE)


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
    arr = pa.array(
        values if isinstance(values, (list, np.ndarray)) else list(values), type=pa.large_string(), from_pandas=True
    )
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


# A ledger's yes/no cells (`LEDGER_FLAG_COLUMNS`). Anything else (`Partly`, `SME`, a date) says
# nothing: null, and the column map's note says which values were so read.
_YES = frozenset({"y", "yes", "true", "1"})
_NO = frozenset({"n", "no", "false", "0"})
# A `Non-influenceable` column says the opposite of `ledger_influenceable`: read, then inverted.
_INVERTED_FLAGS = {"ledger_non_influenceable": "ledger_influenceable"}


def read_flag(values: pd.Series) -> tuple[pa.Array, list[str]]:
    """Yes/no cells as booleans (null when blank or not yes/no), and the distinct values read as null."""
    text = _text(values)
    uniq = pd.unique(text.dropna()).tolist()
    meaning = {v: True if v.lower() in _YES else False if v.lower() in _NO else None for v in uniq}
    flags = [None if v is None or v is pd.NA else meaning[v] for v in text.astype(object).tolist()]
    return pa.array(flags, type=pa.bool_()), sorted(v for v, m in meaning.items() if m is None)


def _flags(table: RawTable, cols: dict[str, pd.Series], n: int) -> dict[str, pa.Array]:
    """The ledger's flag columns as booleans (all null when the ledger has none); values read as
    null are noted on the table's column map."""
    out = {}
    for fld in (*LEDGER_FLAG_COLUMNS, *_INVERTED_FLAGS):
        if fld not in cols:
            continue
        flags, unread = read_flag(cols[fld])
        if unread:
            shown = ", ".join(repr(v) for v in unread[:5]) + (" ..." if len(unread) > 5 else "")
            table.notes.setdefault(fld, f"values other than yes/no read as blank: {shown}")
        target = _INVERTED_FLAGS.get(fld, fld)
        if target in out:  # the column that says it directly wins over the inverted one
            continue
        out[target] = pc.invert(flags) if fld in _INVERTED_FLAGS else flags
    return {fld: out.get(fld, pa.nulls(n, pa.bool_())) for fld in LEDGER_FLAG_COLUMNS}


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


def _payment_ids(
    anchor: str,
    date_codes: np.ndarray,
    date_iso: list,
    pence: np.ndarray,
    n_codes: np.ndarray,
    name_hashes: np.ndarray,
    refs: pd.Series,
) -> pd.Series:
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
    column no core field uses, and reads as money in a column that does not hold numbers on the
    rows whose amount is there, it is the amount. (Hillingdon's two rows with a blank `Amount`
    end in their `Transaction Number`: a column of numbers, so no amount moved into it.)
    Returns {row: note}."""
    j_amt = cm.columns["amount"]
    core = {cm.columns[f] for f in CORE_FIELDS if f in cm.columns}
    by_col = {j: f for f, j in cm.columns.items()}
    header = cm.header or []
    notes: dict[int, str] = {}
    empty_mask = ~_given(cols["amount"]) & ~block.blank
    empty = np.flatnonzero(empty_mask)
    if not len(empty):
        return notes
    numeric: dict[int, bool] = {}
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
        if last not in numeric:
            numeric[last] = _holds_numbers(block.column(last), ~empty_mask)
        if numeric[last]:
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


def _holds_numbers(values: pd.Series, rows: np.ndarray, sample: int = 200) -> bool:
    """Most of the column's filled cells, on the first `sample` of `rows`, read as money."""
    cells = [v for v in values[rows].head(sample * 2).tolist() if not _empty(v) and not _missing(v)][:sample]
    return bool(cells) and sum(parse_amount_pence(v) is not None for v in cells) * 2 > len(cells)


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


def _from_pence(read_as_pounds: pd.Series) -> pd.Series:
    """Figures a header says are pence (`Amount (pence)`: `1234` is £12.34), parsed as pounds: a
    hundredth of that. A fraction of a penny is no amount a ledger pays: unreadable."""
    whole = read_as_pounds % 100 == 0
    return (read_as_pounds // 100).where(whole.fillna(False).astype(bool), pd.NA).astype(read_as_pounds.dtype)


def _read_dates(table: RawTable, cols: dict[str, pd.Series], block: Block):
    """The block's date column read (`periods.read_dates`), with the table's names as its period."""
    cm = table.colmap
    j = cm.columns.get("payment_date")
    header = cm.header[j] if j is not None and cm.header is not None and j < len(cm.header) else ""
    where = f"{table.path}" + (f", sheet {table.sheet!r}" if table.sheet else "")
    return read_dates(
        cols.get("payment_date"), block.n, block.month_first, header, names_of(table.sheet, table.source_file), where
    )


_LETTER = re.compile(r"[^\W\d_]")


def _not_of_the_period(dates, table: RawTable, block: Block, names: list, name_codes, pence, pence_na) -> np.ndarray:
    """Rows that would take the table's period for want of a date (`file_period`) but do not read
    as payments: above the header (GLA's preamble holds a `Summary Total` of £2bn on a dateless
    line), a payee with no letter in it, or an amount that is the sum of every other row's (a grand
    total). They stay set aside for their date, as before the period was known. (The word `total`
    in a payee proves nothing: `Midlands Total Care Limited` is paid on a dateless Rutland row.)"""
    from_period = np.array([src == "file_period" for src in dates.sources], dtype=bool)[dates.codes]
    if not from_period.any():
        return from_period
    odd_name = np.array([not _LETTER.search(t) for t in names] + [False])
    doubtful = odd_name[name_codes]
    counted = ~pence_na & ~block.blank
    if table.header_row is not None:
        above = block.row_numbers < table.header_row
        doubtful |= above
        counted &= ~above
    if counted.sum() >= 3:
        doubtful |= counted & (pence * 2 == exact_sum(pence[counted])) & (pence != 0)
    return from_period & doubtful


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
    if cm.header is not None and amount_unit(cm.header[cm.columns["amount"]]) == "pence":
        pence = _from_pence(pence)
    amount_given = _given(cols["amount"])
    dates = _read_dates(table, cols, block)
    codes = dates.codes
    kind = dates.kinds[codes]
    date_missing = ~np.array([y is not None for y in dates.years], dtype=bool)[codes]
    supplier = _text(cols["supplier_name"])
    # Total rows: no payee, a cell reading `Total` (or `Grand total`): counted in pence_read,
    # never as a payment. (`TOTAL HYGIENE LTD` is a supplier: only a blank or bare `Total`
    # payee makes a total row.)
    no_supplier = supplier.isna().to_numpy()
    total = np.zeros(n, dtype=bool)
    s_codes, s_uniq = pd.factorize(supplier)
    s_uniq = s_uniq.tolist()  # distinct names, visited several times below: one conversion
    maybe_total = np.flatnonzero(
        pc.match_substring(pa.array(s_uniq, type=pa.string()), "total", ignore_case=True).to_numpy(zero_copy_only=False)
    )
    named_total = np.zeros(len(s_uniq) + 1, dtype=bool)
    named_total[[i for i in maybe_total if _TOTAL_RE.fullmatch(s_uniq[i].strip())]] = True
    named_total = named_total[s_codes]
    for i in np.flatnonzero((no_supplier & ~blank) | named_total):
        total[i] = any(isinstance(c, str) and _TOTAL_RE.fullmatch(c.strip()) for c in block.row(i))

    pence_na = pence.isna().to_numpy()
    pence_filled = pence.fillna(0).to_numpy(dtype=np.int64)
    date_missing |= _not_of_the_period(dates, table, block, s_uniq, s_codes, pence_filled, pence_na)

    reason = np.full(n, None, dtype=object)
    reason[date_missing & ((kind == UNREADABLE) | (kind == WORDS))] = "unreadable_date"
    reason[date_missing & (kind == BLANK)] = "no_date"
    reason[date_missing & (kind == TIME_ONLY)] = "date_time_only"
    # A blank payee beside the ledger's own supplier id is a name withheld (Oxford's rent
    # allowance cheques, compensation): kept as redacted. Blank payee and no id: set aside.
    withheld = no_supplier & (_given(cols["supplier_id"]) if "supplier_id" in cols else False)
    reason[no_supplier & ~withheld & np.equal(reason, None)] = "no_supplier"
    reason[pence_na & amount_given] = "unreadable_amount"
    reason[pence_na & ~amount_given] = "no_amount"
    # One payment beyond any public body's (a mangled cell, a test row, an overflow in the making):
    # counted in the reconciliation, never as spend.
    limit = current_limits().max_payment_pounds * 100
    reason[(pence_filled > limit) | (pence_filled < -limit)] = "implausible_amount"
    # An amount with neither payee nor date (or words where the date goes: Blackpool's `Sum:`) is a
    # (sub)total line, labelled or not.
    reason[no_supplier & ((kind == BLANK) | (kind == WORDS)) & ~pence_na & ~withheld] = "total_row"
    reason[total] = "total_row"
    for i in np.flatnonzero(pence_na & ~blank):
        if header_score(block.row(i)) >= HEADER_MIN_SCORE:  # a second, different header inside the table
            reason[i] = "repeated_header"
    reason[blank] = "blank"
    keep = np.equal(reason, None)

    aside_idx = np.flatnonzero(~keep)
    set_aside = pd.DataFrame(
        {
            "source_file": table.source_file,
            "sheet": table.sheet,
            "row_number": block.row_numbers[aside_idx],
            "reason": reason[aside_idx].astype(str),
            "amount_pence": pence_filled[aside_idx],
            "raw": [_raw_text(block.row(i), cm.columns) for i in aside_idx],
            "duplicate_of": None,
        }
    )

    # Every column is built for the whole block, then the kept rows taken in one Arrow filter.
    uniq_ok = np.array([d is not None for d in dates.dates], dtype=bool)
    uniq_days = np.array([(d - _EPOCH).days if d is not None else 0 for d in dates.dates], dtype=np.int32)
    uniq_iso = np.array([d.isoformat() if d is not None else None for d in dates.dates], dtype=object)
    text = {fld: _text(cols[fld]) for fld in (*CONTRACT_TEXT_FIELDS, *LEDGER_EXTRA_COLUMNS) if fld in cols}
    if "charity_number" in text:
        charity, other = _per_distinct(text["charity_number"], split_charity_id, 2)
        text["charity_number"] = charity
        text["other_id"] = text["other_id"].where(text["other_id"].notna(), other) if "other_id" in text else other
    if "company_number" in text:
        text["company_number"] = _per_distinct_arrow(text["company_number"], company_numbers_arrow)
    if "postcode" in text:
        cut = fixed_width_outward(pd.unique(cols["postcode"].dropna()).tolist())
        if "postcode_district" not in text:  # a column named for the district (`--column`) says it
            text["postcode_district"] = _per_distinct(text["postcode"], lambda v: postcode_district(v, cut))
        text["postcode"] = _per_distinct_arrow(text["postcode"], postcodes_arrow)
    if "postcode_district" in cols:
        text["postcode_district"] = _per_distinct(text["postcode_district"], postcode_district)
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
        "financial_year": _pick(dates.years, codes),
        "amount_pence": pa.array(pence_filled, type=pa.int64()),
        "supplier_name": supplier,
        "individual": pa.array(flags[s_codes, 1]),
        "redacted": pa.array(flags[s_codes, 0]),
        "payment_id": _payment_ids(anchor, codes, list(uniq_iso), pence_filled, s_codes, name_hashes, refs),
        "date_source": _pick([src or "ledger" for src in dates.sources], codes),  # None: set aside
        "row_repair": (_strs([repaired.get(i) for i in range(n)]) if repaired else _const(None, n)),
        **_flags(table, cols, n),
    }
    none = _const(None, n)
    columns = []
    for c in TRANSACTION_COLUMNS:
        v = arrays[c] if c in arrays else text.get(c, none)
        columns.append(v.array.__arrow_array__() if isinstance(v, pd.Series) else v)
    kept = pa.Table.from_arrays(columns, schema=_LARGE_SCHEMA)
    if not keep.all():
        kept = kept.filter(pa.array(keep))
    return _Chunk(kept, set_aside, n, exact_sum(pence_filled))
