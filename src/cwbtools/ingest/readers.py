"""Readers for ledgers as councils publish them: cells in, nothing interpreted yet.

CSV: UTF-8 (with or without BOM) or cp1252/latin-1; LF, CRLF or CR-only line endings; the
delimiter sniffed; the header found wherever it is (after blank lines, or at the foot of the file
as Hyndburn's 2025 exports have it) or, when there is none, the columns recognised by content.
XLSX: every sheet, header found per sheet. Rows stream in chunks so a national-size file never has
to sit in memory whole.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from ..errors import InputFileError
from .columns import CORE_FIELDS, HEADER_MIN_SCORE, ColumnMap, header_score, map_header
from .parsing import month_first_file, parse_amount_pence, parse_date

CHUNK_ROWS = 200_000
HEAD_ROWS = 60
SAMPLE_ROWS = 250  # data rows `evidence` weighs a column map on
TAIL_ROWS = 8
csv.field_size_limit(10_000_000)


def _cp1252_fallback(err: UnicodeDecodeError):
    # cp1252 leaves five bytes undefined; read them as latin-1 rather than fail or drop them
    bad = err.object[err.start : err.end]
    return bad.decode("latin-1"), err.end


codecs.register_error("cwb_latin1", _cp1252_fallback)


_HIGH = bytes(range(128, 256))


def detect_encoding(path: Path) -> str:
    """`utf-8-sig` when the whole file is valid UTF-8 (BOM or not), else `cp1252`; `cp850` when the
    only non-ASCII byte is 0x9C, the DOS code page's £ (Hyndburn 1703.csv: `Net Amount(\x9c)`,
    `\x9c2644.75 PER MONTH`), which cp1252 would turn into `œ`."""
    with open(path, "rb") as fh:
        if fh.read(2) in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):  # Excel's "Unicode text" export
            return "utf-16"
    if not _is_utf8(path):
        high = set()
        with open(path, "rb") as fh:
            while block := fh.read(1 << 20):
                high.update(block.translate(None, bytes(range(128))))
                if len(high) > 1:
                    break
        return "cp850" if high == {0x9C} else "cp1252"
    return "utf-8-sig"


def _utf8_block_ok(data) -> bool:
    # Arrow's UTF-8 check (a binary -> string cast) runs about 8x faster than Python's decoder
    offsets = pa.array([0, len(data)], pa.int64()).buffers()[1]
    try:
        pa.Array.from_buffers(pa.large_binary(), 1, [None, offsets, pa.py_buffer(data)]).cast(pa.large_string())
    except pa.ArrowInvalid:
        return False
    return True


def _whole_characters(buf, end: int) -> int:
    """Where the last complete UTF-8 character in buf[:end] ends (an incomplete one is held back)."""
    lead = end - 1
    while lead >= max(0, end - 4) and (buf[lead] & 0xC0) == 0x80:  # back over continuation bytes
        lead -= 1
    if lead >= max(0, end - 4) and buf[lead] >= 0xC0:
        need = 2 if buf[lead] < 0xE0 else 3 if buf[lead] < 0xF0 else 4
        if end - lead < need:
            return lead
    return end


def _is_utf8(path: Path, block: int = 1 << 22) -> bool:
    """The whole file is valid UTF-8, read block by block into one buffer (a character cut by a
    block's end is carried to the front of the next)."""
    buf = bytearray(block + 4)
    view = memoryview(buf)
    carry = 0
    with open(path, "rb") as fh:
        while got := fh.readinto(view[carry : carry + block]):
            end = carry + got
            cut = _whole_characters(buf, end)
            if not _utf8_block_ok(view[:cut]):
                return False
            carry = end - cut
            buf[:carry] = buf[cut:end]
    return carry == 0  # a character still incomplete at the end of the file is not UTF-8


def _open_text(path: Path, encoding: str):
    return open(path, encoding=encoding, errors="cwb_latin1", newline="")


def sniff_delimiter(sample: str) -> str:
    """The delimiter giving the most rows of the same width (>1 column) in the sample."""
    best, best_score = ",", -1
    for delim in (",", ";", "\t", "|"):
        widths: dict[int, int] = {}
        for row in csv.reader(io.StringIO(sample, newline=""), delimiter=delim):
            if len(row) > 1 and any(c.strip() for c in row):
                widths[len(row)] = widths.get(len(row), 0) + 1
        if not widths:
            continue
        width, count = max(widths.items(), key=lambda kv: (kv[1], kv[0]))
        score = count * 1000 + width
        if score > best_score:
            best, best_score = delim, score
    return best


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


def _header_key(row) -> tuple:
    return tuple("" if c is None else str(c).strip().lower() for c in row)


def find_header(
    rows: list[list], tail: list[list] | None = None, overrides=None
) -> tuple[int | None, ColumnMap | None]:
    """(index in `rows` or -1 for the tail's header, map) of the best header; (None, None) if none."""
    best_i, best_score = None, HEADER_MIN_SCORE - 1
    for i, row in enumerate(rows):
        score = header_score(row)
        if score > best_score:
            best_i, best_score = i, score
    if best_i is not None:
        return best_i, map_header(rows[best_i], overrides)
    for row in reversed(tail or []):
        if header_score(row) >= HEADER_MIN_SCORE:
            return -1, map_header(row, overrides)
    if overrides:
        for i, row in enumerate(rows):
            cm = map_header(row, overrides)
            if not cm.missing_core():
                return i, cm
    return None, None


_ORG_HINT = re.compile(r"\b(ltd|limited|plc|llp|council|services|trust|group|company|uk|co)\b", re.IGNORECASE)
_URL = re.compile(r"(https?://|www\.)", re.IGNORECASE)
_DATE_SHAPE = re.compile(r"\d{1,4}[/\-. ][\w]{1,9}[/\-. ]\d{2,4}")


def infer_columns(rows: list[list]) -> ColumnMap | None:
    """Recognise date, amount and supplier columns of a header-less table by what they hold."""
    sample = [r for r in rows if not is_blank(r)][:300]
    if len(sample) < 3:
        return None
    width = max(len(r) for r in sample)
    stats = []
    for j in range(width):
        vals = [r[j] if j < len(r) else None for r in sample]
        filled = [v for v in vals if not (v is None or (isinstance(v, str) and not v.strip()))]
        if len(filled) < 0.8 * len(sample):
            stats.append(None)
            continue
        dates = sum(
            1 for v in filled if parse_date(v) is not None and (not isinstance(v, str) or _DATE_SHAPE.search(v))
        )
        money = sum(1 for v in filled if parse_amount_pence(v) is not None)
        decimal = sum(
            1 for v in filled if isinstance(v, (float, int)) or (isinstance(v, str) and re.search(r"\d\.\d\d\s*$", v))
        )
        text = [str(v) for v in filled if isinstance(v, str) and re.search(r"[A-Za-z]{2}", v)]
        org = sum(1 for t in text if _ORG_HINT.search(t))
        url = sum(1 for t in text if _URL.match(t.strip()))
        stats.append(
            dict(
                n=len(filled),
                dates=dates,
                money=money,
                decimal=decimal,
                text=len(text),
                org=org,
                url=url,
                distinct=len(set(map(str, filled))),
                length=sum(len(t) for t in text) / max(len(text), 1),
            )
        )
    cols: dict[str, int] = {}
    cand = [(s["dates"] / s["n"], j) for j, s in enumerate(stats) if s and s["dates"] >= 0.8 * s["n"]]
    if cand:
        cols["payment_date"] = max(cand)[1]
    cand = [
        (s["distinct"] > 1, s["decimal"] / s["n"], j)
        for j, s in enumerate(stats)
        if s and j not in cols.values() and s["money"] >= 0.9 * s["n"]
    ]
    if cand:
        # a column that never changes (the LGA schema's `IrrecoverableVATAmount`, all 0.00) is not
        # the amount while another varies; then ties go to the rightmost: amounts close a ledger line
        cols["amount"] = max(cand)[2]
    cand = [
        (s["url"] < 0.5 * s["n"] and s["distinct"] > 1, s["org"] / s["n"], s["distinct"], j)
        for j, s in enumerate(stats)
        if s and j not in cols.values() and s["text"] >= 0.8 * s["n"]
    ]
    if cand:
        # a web address (`OrganisationURI`: `.../london-borough-council/hounslow`) or one value on
        # every row names the publisher, not the payee
        cols["supplier_name"] = max(cand)[3]
    if any(f not in cols for f in CORE_FIELDS):
        return None
    rest = [(s["length"], j) for j, s in enumerate(stats) if s and j not in cols.values() and s["text"] >= 0.8 * s["n"]]
    if rest:
        cols["description"] = max(rest)[1]
    return ColumnMap(columns=cols, header=None, inferred=True, notes=["no header row: columns recognised by content"])


MAX_LINE_CHARS = 10_000_000


def _bounded_lines(fh, path: Path):
    """The file's lines, refusing one longer than MAX_LINE_CHARS before it is read whole (a 1 GB
    line would otherwise be pulled into memory by the csv module)."""
    number = 0
    while line := fh.readline(MAX_LINE_CHARS):
        number += 1
        if len(line) >= MAX_LINE_CHARS and not line.endswith(("\n", "\r")):
            raise InputFileError(
                f"{path}: line {number} is longer than {MAX_LINE_CHARS:,} characters: "
                "not a ledger line (a damaged or binary file?)"
            )
        yield line


def _csv_records(path: Path, encoding: str, delimiter: str):
    with _open_text(path, encoding) as fh:
        reader = csv.reader(_bounded_lines(fh, path), delimiter=delimiter)
        try:
            yield from reader
        except csv.Error as exc:  # a cell over the size limit, a broken quote: the user's file, not our bug
            raise InputFileError(f"{path}: line {reader.line_num + 1}: cannot be read as CSV ({exc})") from None


MAX_LINE_BYTES = 1 << 20


def _check_has_lines(path: Path) -> None:
    """A ledger has line breaks. Without one in the first MB the file is one enormous line (a dump,
    a binary): refuse it before any reader pulls the whole line into memory."""
    seen = 0
    with open(path, "rb") as fh:
        while seen <= MAX_LINE_BYTES:  # 64 KB at a time: a ledger's first line break comes early
            block = fh.read(65536)
            if not block or b"\n" in block or b"\r" in block:
                return
            seen += len(block)
    if seen > MAX_LINE_BYTES:
        raise InputFileError(
            f"{path}: no line break in the first {MAX_LINE_BYTES >> 20} MB: not a CSV ledger "
            f"(one line of {path.stat().st_size:,} bytes)"
        )


def _tail_records(path: Path, encoding: str, delimiter: str) -> list[list]:
    """The last TAIL_ROWS non-blank records (where a footer header or a total row would be)."""
    with open(path, "rb") as fh:
        size = fh.seek(0, 2)
        for window in (8192, 65536):  # usually the last 8 KB holds them; more only if not
            fh.seek(max(0, size - window))
            text = fh.read().decode(encoding, errors="cwb_latin1")
            recs = [r for r in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter) if not is_blank(r)]
            if len(recs) > TAIL_ROWS or window >= size:  # one more than needed: the first may be cut
                break
    return recs[-TAIL_ROWS:]


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
    drop = rec == (header_index if header_index is not None else -1)
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


def _chunked(records, header_key, skip_index: int | None, chunk_rows: int, start: int = 0):
    nums: list[int] = []
    rows: list[list] = []
    for i, rec in enumerate(records, start=start):
        if i == skip_index:
            continue
        if header_key is not None and len(rec) == len(header_key) and _header_key(rec) == header_key:
            continue
        nums.append(i + 1)
        rows.append(rec)
        if len(rows) >= chunk_rows:
            yield block_from_rows(nums, rows)
            nums, rows = [], []
    if rows:
        yield block_from_rows(nums, rows)


STREAM_BLOCK_BYTES = 1 << 20


def _fast_blocks(
    path: Path,
    encoding: str,
    delimiter: str,
    width: int,
    header_key,
    skip_index,
    chunk_rows: int,
    date_col: int | None = None,
):
    """Arrow's CSV parser for regular files; when it meets a row it cannot take (ragged width,
    blank line, stray encoding byte) the plain csv module carries on from there.

    A file read whole (`chunk_rows` >= 5M) is parsed on every core, and the day/month order of its
    dates decided once over the whole date column (`date_col`). Otherwise it streams: Arrow's
    streaming reader reads ahead some forty blocks whatever is asked of it, so the blocks are kept
    small (1 MB) and gathered here into chunks of `chunk_rows`; memory then stays flat however
    big the file."""
    done = 0
    month_first = None
    whole = chunk_rows >= 5_000_000
    read_opts = pacsv.ReadOptions(
        encoding="utf8" if encoding.startswith("utf-8") else encoding,
        column_names=[f"c{j}" for j in range(width)],
        block_size=1 << 22 if whole else STREAM_BLOCK_BYTES,  # whole: 4 MB blocks, shared between cores
        use_threads=whole,
    )
    parse_opts = pacsv.ParseOptions(delimiter=delimiter, newlines_in_values=True, ignore_empty_lines=False)
    conv_opts = pacsv.ConvertOptions(
        column_types={f"c{j}": pa.string() for j in range(width)},
        strings_can_be_null=False,
        quoted_strings_can_be_null=False,
    )
    pending: list[pa.RecordBatch] = []  # streamed batches not yet a chunk
    pending_rows = 0
    failed = False
    try:
        if whole:
            table = pacsv.read_csv(path, read_options=read_opts, parse_options=parse_opts, convert_options=conv_opts)
            if date_col is not None and date_col < width:
                month_first = month_first_file(pc.unique(table.column(date_col)).to_pylist())
            # in pieces (slices, not copies) of a quarter of the file, 50k to 500k rows: two are
            # interpreted at once (core._ordered_map) while the one before is written
            size = min(max(table.num_rows // 4, 50_000), 500_000)
            reader = [table.slice(i, size) for i in range(0, table.num_rows, size)]
        else:
            # a Python file object: given a path, Arrow reads ahead further still
            fh = open(path, "rb")  # noqa: SIM115 - closed when the generator finishes
            reader = pacsv.open_csv(fh, read_options=read_opts, parse_options=parse_opts, convert_options=conv_opts)
        for batch in reader:
            if done == 0 and not pending and batch.num_rows and encoding.startswith("utf-8"):
                first = batch.column(0)[0].as_py()
                if first and first.startswith("\ufeff"):
                    batch = _strip_bom(batch)
            if not whole:
                pending.append(batch)
                pending_rows += batch.num_rows
                if pending_rows < chunk_rows:
                    continue
                batch, pending, pending_rows = pa.concat_batches(pending), [], 0
            block = block_from_arrow(done, batch, header_key, skip_index, month_first)
            done += batch.num_rows
            if block is not None:
                yield block
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, UnicodeDecodeError):
        failed = True
    if pending:  # rows read before the end (or before a row Arrow could not take)
        batch = pa.concat_batches(pending)
        block = block_from_arrow(done, batch, header_key, skip_index, month_first)
        done += batch.num_rows
        if block is not None:
            yield block
    if not failed:
        return
    records = _csv_records(path, encoding, delimiter)
    for _ in range(done):
        next(records, None)
    yield from _chunked(records, header_key, skip_index, chunk_rows, start=done)


def _strip_bom(batch: pa.RecordBatch) -> pa.RecordBatch:
    first = batch.column(0).to_pylist()
    first[0] = first[0].lstrip("\ufeff")
    return batch.set_column(0, batch.schema.field(0), pa.array(first, type=pa.string()))


def read_csv(path: Path, source_file: str, overrides=None, chunk_rows: int = CHUNK_ROWS) -> RawTable:
    try:
        _check_has_lines(path)
        encoding = detect_encoding(path)
        with _open_text(path, encoding) as fh:
            sample = fh.read(65536)
    except OSError as exc:
        raise InputFileError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    # the first 16 KB of whole lines (some 150 ledger lines) tell the delimiter as well as 64 KB
    cut = max(sample.rfind("\n", 0, 16384), sample.rfind("\r", 0, 16384))
    delimiter = sniff_delimiter(sample[: cut + 1] if cut > 0 else sample)
    first: list[list] = []
    for rec in _csv_records(path, encoding, delimiter):
        first.append(rec)
        if len(first) >= HEAD_ROWS + SAMPLE_ROWS:
            break
    head = first[:HEAD_ROWS]
    tail = _tail_records(path, encoding, delimiter)
    idx, colmap = find_header(head, tail, overrides)
    header_key = None
    skip = None
    if colmap is not None:
        header_key = _header_key(colmap.header)
        skip = idx if idx is not None and idx >= 0 else None
    else:
        colmap = infer_columns(head)
    if idx is not None and idx >= 0:
        found = [c for c in head[idx] if c]
    elif idx == -1:
        found = [c for c in tail[-1] if c]
    else:
        found = next(([c for c in r if c] for r in head if not is_blank(r)), [])
    table = RawTable(path, source_file, "", colmap, header_key, columns_found=found)
    _set_sample(table, first, idx)
    if colmap is not None:
        width = len(colmap.header) if colmap.header is not None else max((len(r) for r in head), default=0)
        table.rows = _fast_blocks(
            path, encoding, delimiter, width, header_key, skip, chunk_rows, colmap.columns.get("payment_date")
        )
    return table


def _sheet_tables(path: Path, source_file: str, sheets, overrides, chunk_rows: int) -> list[RawTable]:
    """`sheets`: (name, rows as lists of cell values from row 1 of the sheet)."""
    tables = []
    for name, rows in sheets:
        while rows and is_blank(rows[-1]):
            rows.pop()
        if not rows:
            continue
        idx, colmap = find_header(rows[:HEAD_ROWS], rows[-TAIL_ROWS:], overrides)
        header_key = _header_key(colmap.header) if colmap is not None else None
        if colmap is None:
            colmap = infer_columns(rows[:HEAD_ROWS])
        skip = idx if idx is not None and idx >= 0 else None
        first = rows[idx] if idx is not None and idx >= 0 else next((r for r in rows if not is_blank(r)), [])
        found = [str(c) for c in first if c not in (None, "")]
        t = RawTable(path, source_file, str(name), colmap, header_key, columns_found=found)
        _set_sample(t, rows[: HEAD_ROWS + SAMPLE_ROWS], idx)
        if colmap is not None:
            t.rows = _chunked(iter(rows), header_key, skip, chunk_rows)
        tables.append(t)
    return tables


def _set_sample(table: RawTable, first: list[list], idx: int | None) -> None:
    """The header's row number and the first SAMPLE_ROWS data rows below it (for a header at the
    foot or none, the first rows that are not the header)."""
    start = 0
    if idx is not None and idx >= 0:
        table.header_row, start = idx + 1, idx + 1
    key = table.header_key
    table.sample = [
        r for r in first[start:] if not is_blank(r) and (key is None or len(r) != len(key) or _header_key(r) != key)
    ][:SAMPLE_ROWS]


def _calamine_sheets(path: Path):
    from python_calamine import CalamineWorkbook

    wb = CalamineWorkbook.from_path(str(path))
    for name in wb.sheet_names:
        # skip_empty_area=False: rows counted from the sheet's row 1, as a spreadsheet shows them
        yield name, [list(r) for r in wb.get_sheet_by_name(name).to_python(skip_empty_area=False)]


def _openpyxl_sheets(path: Path):
    import openpyxl

    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        for ws in wb.worksheets:
            yield ws.title, [list(r) for r in ws.iter_rows(values_only=True)]
    finally:
        wb.close()


def read_xlsx(path: Path, source_file: str, overrides=None, chunk_rows: int = CHUNK_ROWS) -> list[RawTable]:
    """Every sheet of a workbook (.xlsx/.xlsm/.xls): calamine (Rust, ~10x faster) when installed,
    else openpyxl for .xlsx."""
    try:
        import python_calamine  # noqa: F401

        reader = _calamine_sheets
    except ImportError:  # pragma: no cover - declared dependency
        if path.suffix.lower() == ".xls":
            raise InputFileError(
                f"{path}: old-style .xls needs the `python-calamine` package, or save the workbook as .xlsx"
            ) from None
        reader = _openpyxl_sheets
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        with open(path, "rb") as fh:
            if fh.read(8) == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":  # OLE container: encrypted OOXML or a renamed .xls
                raise InputFileError(
                    f"{path}: is password-protected (encrypted) or an old .xls saved as .xlsx: open "
                    "it in Excel, remove the password and save it as .xlsx"
                )
    try:
        sheets = list(reader(path))
    except Exception as exc:  # noqa: BLE001 - both libraries raise many types for a broken or mislabelled file
        # The library's own words, cut short: what is broken, never a stretch of the file.
        why = " ".join(str(exc).split())[:120]
        raise InputFileError(
            f"{path}: cannot be read as an Excel workbook ({type(exc).__name__}: {why}); open it "
            "in Excel and save it again as .xlsx, or export the sheet as CSV"
        ) from None
    return _sheet_tables(path, source_file, sheets, overrides, chunk_rows)


LEDGER_SUFFIXES = {".csv", ".txt", ".xlsx", ".xlsm", ".xls"}


def refuse_non_ledger(path: Path) -> None:
    """Stop on a file that is plainly not a ledger, whatever its name says: a PDF, or a web page
    (a download that failed and saved the site's error page). The message names what it is."""
    with open(path, "rb") as fh:
        head = fh.read(1024)
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith(b"%PDF"):
        raise InputFileError(
            f"{path}: is a PDF, not a spreadsheet or CSV: ask the publisher for the CSV or spreadsheet, "
            "or leave the file out"
        )
    if text.startswith((b"<!doctype html", b"<html")):
        raise InputFileError(
            f"{path}: is a web page (HTML), not a ledger: the download probably failed; download the "
            "file again from the publisher's page"
        )


def read_tables(path: Path, source_file: str, overrides=None, chunk_rows: int = CHUNK_ROWS) -> list[RawTable]:
    refuse_non_ledger(path)
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm", ".xls"):
        return read_xlsx(path, source_file, overrides, chunk_rows)
    return [read_csv(path, source_file, overrides, chunk_rows)]
