"""CSV and text ledgers: bytes read as `encodings` decides per file (clean UTF-8 straight to Arrow;
mixed, cp1252, DOS or damaged text through its codecs); LF, CRLF, CR-only or CR CR LF line
endings; the delimiter sniffed; the header found wherever it is (after blank lines, or at the foot
of the file as Hyndburn's 2025 exports have it) or, when there is none, the columns recognised by
content. Rows stream in chunks so a national-size file never has to sit in memory whole."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from ..errors import InputFileError
from . import limits
from .encodings import Decoding, decide
from .encodings import _is_utf8 as _is_utf8  # noqa: F401 - tests/ingest/test_ingest.py checks it here
from .headers import find_header, infer_columns
from .parsing import month_first_file
from .tables import (
    CHUNK_ROWS,
    HEAD_ROWS,
    SAMPLE_ROWS,
    TAIL_ROWS,
    RawTable,
    block_from_arrow,
    chunked,
    header_key_of,
    is_blank,
    set_sample,
)


def _open_text(path: Path, decoding: Decoding):
    # the errors handler matters only to Python's own codecs (a UTF-16 file's stray byte)
    return open(path, encoding=decoding.codec, errors="cwb_cp1252", newline="")


def sniff_delimiter(sample: str) -> str:
    """The delimiter giving the most rows of the same width (>1 column) in the sample."""
    best, best_score = ",", -1
    for delim in (",", ";", "\t", "|"):
        widths: dict[int, int] = {}
        try:
            for row in csv.reader(io.StringIO(sample, newline=""), delimiter=delim):
                if len(row) > 1 and any(c.strip() for c in row):
                    widths[len(row)] = widths.get(len(row), 0) + 1
        except csv.Error:  # a cell over the limit: the file's reading says so, naming the line
            pass
        if not widths:
            continue
        width, count = max(widths.items(), key=lambda kv: (kv[1], kv[0]))
        score = count * 1000 + width
        if score > best_score:
            best, best_score = delim, score
    return best


def _bounded_lines(fh, path: Path):
    """The file's lines, refusing one longer than the `max_line_chars` limit before it is read
    whole (a 1 GB line would otherwise be pulled into memory by the csv module)."""
    most = limits.current().max_line_chars
    number = 0
    while line := fh.readline(most):
        number += 1
        if len(line) >= most and not line.endswith(("\n", "\r")):
            raise InputFileError(
                f"{path}: line {number} is longer than {most:,} characters (limit max_line_chars): "
                "not a ledger line (a damaged or binary file?)"
            )
        yield line


def _cell_too_long(path: Path, where: str) -> InputFileError:
    most = limits.current().max_cell_chars
    return InputFileError(
        f"{path}: {where}: a field longer than {most:,} characters (limit max_cell_chars): not a ledger "
        "cell (a damaged file, or a quote never closed?)"
    )


def _csv_cell_limit() -> None:
    csv.field_size_limit(limits.current().max_cell_chars)  # process-wide: set for the run in force


def _csv_records(path: Path, decoding: Decoding, delimiter: str):
    _csv_cell_limit()
    with _open_text(path, decoding) as fh:
        reader = csv.reader(_bounded_lines(fh, path), delimiter=delimiter)
        try:
            yield from reader
        except csv.Error as exc:  # a cell over the size limit, a broken quote: the user's file, not our bug
            if "field larger than field limit" in str(exc):
                raise _cell_too_long(path, f"line {reader.line_num + 1}") from None
            raise InputFileError(f"{path}: line {reader.line_num + 1}: cannot be read as CSV ({exc})") from None


def _check_cells(path: Path, batch, first_record: int) -> None:
    """Arrow's rows held to the same `max_cell_chars` limit as the csv module's."""
    most = limits.current().max_cell_chars
    for col in batch.columns:
        size = pc.binary_length(col)
        if (pc.max(size).as_py() or 0) > most:  # bytes first: a character is one to four
            over = pc.greater(pc.utf8_length(col), most)
            if pc.any(over).as_py():
                at = int(pc.index(over, True).as_py())
                raise _cell_too_long(path, f"record {first_record + at + 1}")


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


def _tail_records(path: Path, decoding: Decoding, delimiter: str) -> list[list]:
    """The last TAIL_ROWS non-blank records (where a footer header or a total row would be)."""
    with open(path, "rb") as fh:
        size = fh.seek(0, 2)
        for window in (8192, 65536):  # usually the last 8 KB holds them; more only if not
            fh.seek(max(0, size - window))
            text = fh.read().decode(decoding.codec, errors="cwb_cp1252")
            try:
                recs = [r for r in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter) if not is_blank(r)]
            except csv.Error:
                raise _cell_too_long(path, "near its end") from None
            if len(recs) > TAIL_ROWS or window >= size:  # one more than needed: the first may be cut
                break
    return recs[-TAIL_ROWS:]


STREAM_BLOCK_BYTES = 1 << 20


def _fast_blocks(
    path: Path,
    decoding: Decoding,
    delimiter: str,
    width: int,
    header_key,
    skip_index,
    chunk_rows: int,
    date_col: int | None = None,
):
    """Arrow's CSV parser for regular files; when it meets a row it cannot take (ragged width,
    blank line) the plain csv module carries on from there, reading the same text.

    A file read whole (`chunk_rows` >= 5M) is parsed on every core, and the day/month order of its
    dates decided once over the whole date column (`date_col`). Otherwise it streams: Arrow's
    streaming reader reads ahead some forty blocks whatever is asked of it, so the blocks are kept
    small (1 MB) and gathered here into chunks of `chunk_rows`; memory then stays flat however
    big the file."""
    done = 0
    month_first = None
    whole = chunk_rows >= 5_000_000
    read_opts = pacsv.ReadOptions(
        encoding=decoding.arrow,  # `utf8`: the bytes as they are; else through the file's codec
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
            if done == 0 and not pending and batch.num_rows and decoding.fast:  # codecs drop a BOM
                first = batch.column(0)[0].as_py()
                if first and first.startswith("\ufeff"):
                    batch = _strip_bom(batch)
            _check_cells(path, batch, done + pending_rows)
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
    records = _csv_records(path, decoding, delimiter)
    for _ in range(done):
        next(records, None)
    yield from chunked(records, header_key, skip_index, chunk_rows, start=done)


def _strip_bom(batch: pa.RecordBatch) -> pa.RecordBatch:
    first = batch.column(0).to_pylist()
    first[0] = first[0].lstrip("\ufeff")
    return batch.set_column(0, batch.schema.field(0), pa.array(first, type=pa.string()))


def read_csv(path: Path, source_file: str, overrides=None, chunk_rows: int = CHUNK_ROWS) -> RawTable:
    try:
        _check_has_lines(path)
        _csv_cell_limit()
        decoding = decide(path)
        with _open_text(path, decoding) as fh:
            sample = fh.read(65536)
    except OSError as exc:
        raise InputFileError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    # the first 16 KB of whole lines (some 150 ledger lines) tell the delimiter as well as 64 KB
    cut = max(sample.rfind("\n", 0, 16384), sample.rfind("\r", 0, 16384))
    delimiter = sniff_delimiter(sample[: cut + 1] if cut > 0 else sample)
    first: list[list] = []
    for rec in _csv_records(path, decoding, delimiter):
        first.append(rec)
        if len(first) >= HEAD_ROWS + SAMPLE_ROWS:
            break
    head = first[:HEAD_ROWS]
    tail = _tail_records(path, decoding, delimiter)
    idx, colmap = find_header(head, tail, overrides)
    header_key = None
    skip = None
    if colmap is not None:
        header_key = header_key_of(colmap.header)
        skip = range(idx + 1 - colmap.header_rows, idx + 1) if idx is not None and idx >= 0 else None
    else:
        colmap = infer_columns(head)
    if idx is not None and idx >= 0:
        found = [c for c in head[idx] if c]
    elif idx == -1:
        found = [c for c in tail[-1] if c]
    else:
        found = next(([c for c in r if c] for r in head if not is_blank(r)), [])
    table = RawTable(path, source_file, "", colmap, header_key, columns_found=found)
    if decoding.note:  # the bytes were read in some unusual way: said beside the names they spell
        table.notes["supplier_name"] = decoding.note
    set_sample(table, first, idx)
    if colmap is not None:
        width = len(colmap.header) if colmap.header is not None else max((len(r) for r in head), default=0)
        table.rows = _fast_blocks(
            path, decoding, delimiter, width, header_key, skip, chunk_rows, colmap.columns.get("payment_date")
        )
    return table
