"""Workbooks (.xlsx, .xlsm, .xls, .ods): every sheet read within the run's limits, its header
found per sheet. Which sheets are ledgers is decided later, by what they hold (`sheets`).

A ZIP workbook is surveyed first (`survey`), nothing loaded: one beyond the run's limits stops
there. A sheet whose stored range is mostly data is read whole by calamine; one mostly empty (the
table, then a stray cell a million rows down) one stretch of rows at a time, each allocation the
size of its data.

A worksheet stores the rows that hold something. A stretch of rows that hold nothing, however
long, is read as one empty row (set aside as `blank`), and one at the foot of a sheet not at all.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from ..errors import InputFileError
from . import limits
from .headers import find_header, infer_columns
from .survey import (
    DENSE_CELLS,
    DENSE_PER_CELL,
    ROW_NUMBER,
    Budget,
    SheetSurvey,
    Survey,
    check_range,
    stream_part,
    survey,
)
from .tables import (
    CHUNK_ROWS,
    HEAD_ROWS,
    SAMPLE_ROWS,
    TAIL_ROWS,
    RawTable,
    chunked_numbered,
    header_key_of,
    is_blank,
    set_sample,
)

OLE_HEADER = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # an .xls, or an encrypted .xlsx


# ---- reading: each sheet's rows that hold something -----------------------------------------


def _compact(numbered: Iterable[tuple[int, list]]) -> list[tuple[int, list]]:
    """(row number, cells) of the rows that hold something; each stretch of rows that hold
    nothing (given, or missing from the numbering) as one empty row at its first row; a stretch
    at the foot dropped."""
    out: list[tuple[int, list]] = []
    prev = 0
    gap = None
    for num, row in numbered:
        if is_blank(row):
            if gap is None:
                gap = num
        else:
            if gap is None and num > prev + 1:
                gap = prev + 1
            if gap is not None:
                out.append((gap, []))
                gap = None
            out.append((num, row))
        prev = num
    return out


@dataclass
class Sheet:
    name: str
    rows: list[tuple[int, list]]  # (row number, cells from column A) of the rows that hold something
    hidden: bool = False
    pivot: bool = False


def _calamine_sheet(path: Path, wb, name: str, hidden: bool, pivot: bool, lim: limits.Limits) -> Sheet:
    """calamine's rows, numbered from the sheet's row 1 and its cells from column A."""
    sheet = wb.get_sheet_by_name(name)
    if sheet.end is None:
        return Sheet(name, [], hidden, pivot)
    # .xls is not surveyed: its range (at most 65,536 x 256) is checked once loaded
    check_range(path, name, sheet.end[0] + 1, sheet.end[1] + 1, sheet.height * sheet.width, lim)
    pad = [""] * sheet.start[1]  # calamine pads the rows above its range, not the columns left of it
    rows = enumerate(sheet.iter_rows(), start=1)
    return Sheet(name, _compact(((i, pad + r) for i, r in rows) if pad else rows), hidden, pivot)


def _streamed_sheet(path: Path, ws, hidden: bool, pivot: bool, lim: limits.Limits) -> Sheet:
    """openpyxl's row stream (read-only mode), the declared dimension ignored: the rows stored,
    each as wide as its last stored cell, the used range checked as they come."""
    ws.reset_dimensions()
    width = 0

    def stored():
        nonlocal width
        kept = 0
        for i, row in enumerate(ws.iter_rows(values_only=True), start=1):
            if not row:
                continue
            kept += 1
            if len(row) > width:
                last = next((j for j in range(len(row) - 1, -1, -1) if not is_blank(row[j : j + 1])), -1)
                if last + 1 > width:
                    width = last + 1
                    check_range(path, ws.title, i, width, kept * width, lim)
            yield i, list(row)

    rows = _compact(stored())
    check_range(path, ws.title, rows[-1][0] if rows else 0, width, len(rows) * width, lim)
    return Sheet(ws.title, rows, hidden, pivot)


def _openpyxl_sheets(path: Path, only: set[str] | None, found: Survey, lim: limits.Limits) -> dict[str, Sheet]:
    import openpyxl

    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        out = {}
        for ws in wb.worksheets:
            if only is None or ws.title in only:
                s = found.sheets.get(ws.title)
                out[ws.title] = _streamed_sheet(path, ws, ws.sheet_state != "visible", bool(s and s.pivot), lim)
        return out
    finally:
        wb.close()


BAND_GAP = 64  # rows holding nothing that end a band of a mostly empty sheet
MAX_BANDS = 32  # beyond this, a mostly empty sheet is streamed by openpyxl


def _bands(xml: bytes, start: int, end: int) -> list[tuple[int, int, int, int]] | None:
    """The stretches of rows holding a value in a sheet's `<sheetData>` (xml[start:end]): (first
    row, last row, first byte, end byte), a new one after more than BAND_GAP rows holding
    nothing; None when rows are not numbered or there are more than MAX_BANDS."""
    out: list[list[int]] = []
    pos = xml.find(b"</c>", start, end)
    while pos >= 0:
        at = xml.rfind(b"<row", start, pos)
        m = ROW_NUMBER.match(xml, at) if at >= 0 else None
        if m is None:
            return None
        stop = xml.find(b"</row>", pos, end)
        stop = end if stop < 0 else stop + 6
        num = int(m[1])
        if out and 0 <= num - out[-1][1] <= BAND_GAP + 1:
            out[-1][1], out[-1][3] = num, stop
        else:
            if len(out) == MAX_BANDS or (out and num < out[-1][1]):
                return None
            out.append([num, num, at, stop])
        pos = xml.find(b"</c>", stop, end)
    return [tuple(b) for b in out]


def _banded_sheet(path: Path, s: SheetSurvey, hidden: bool, lim: limits.Limits) -> Sheet | None:
    """A mostly empty sheet (a table, then a stray cell a million rows down) read by calamine one
    stretch of rows at a time, each from a copy of the workbook holding only that stretch: each
    allocation the size of its data. None when the stretches are too many (openpyxl streams it)."""
    from python_calamine import CalamineWorkbook

    budget = Budget(path, lim)
    with zipfile.ZipFile(path) as zf:
        xml = b"".join(stream_part(zf, zf.NameToInfo[s.part], budget))
        body = xml.find(b"<sheetData>")
        stop = xml.rfind(b"</sheetData>")
        bands = _bands(xml, body + 11, stop) if 0 <= body < stop else None
        if bands is None:
            return None
        for first, last, _, _ in bands:
            if (last - first + 1) * s.columns > max(DENSE_CELLS, DENSE_PER_CELL * s.cells):
                return None
        parts = {i.filename: b"".join(stream_part(zf, i, budget)) for i in zf.infolist() if i.filename != s.part}
    rows: list[tuple[int, list]] = []
    for _, _, a, b in bands:
        copy_ = io.BytesIO()
        with zipfile.ZipFile(copy_, "w", zipfile.ZIP_STORED) as out:
            for name, data in parts.items():
                out.writestr(name, data)
            out.writestr(s.part, xml[: body + 11] + xml[a:b] + xml[stop:])
        copy_.seek(0)
        wb = CalamineWorkbook.from_filelike(copy_)
        try:
            sheet = wb.get_sheet_by_name(s.name)
            if sheet.end is None:
                continue
            pad = [""] * sheet.start[1]
            rows.extend((sheet.start[0] + 1 + i, pad + r) for i, r in enumerate(sheet.to_python(skip_empty_area=True)))
        finally:
            wb.close()
    width = max((len(r) for _, r in rows), default=0)
    check_range(path, s.name, rows[-1][0] if rows else 0, width, len(rows) * width, lim)
    return Sheet(s.name, _compact(rows), hidden, s.pivot)


def _read_sheets(path: Path, found: Survey) -> list[Sheet]:
    """Every worksheet, in the workbook's order, by calamine (Rust, ~10x faster than openpyxl):
    whole when its stored range is mostly data, else a stretch of rows at a time (.xlsx; openpyxl's
    row stream when the stretches are many or the rows unnumbered). A mostly empty .ods is refused."""
    lim = limits.current()
    sparse = {name for name, s in found.sheets.items() if not s.dense()}
    if sparse and found.kind == "ods":
        s = found.sheets[min(sparse)]
        raise InputFileError(
            f"{path}: sheet {s.name!r} spans {s.last_row - s.first_row + 1:,} rows of {s.columns:,} columns but "
            f"holds only {s.cells:,} cells (stray cells far from the table?): delete them, or save it as .xlsx"
        )
    try:
        from python_calamine import CalamineWorkbook
    except ImportError:  # pragma: no cover - declared dependency
        if found.kind != "xlsx":
            raise InputFileError(
                f"{path}: this workbook needs the `python-calamine` package; or save it as .xlsx"
            ) from None
        return list(_openpyxl_sheets(path, None, found, lim).values())
    wb = CalamineWorkbook.from_path(str(path))
    try:
        names = list(wb.sheet_names)
        hidden = {m.name: str(m.visible).rsplit(".", 1)[-1].lower() != "visible" for m in wb.sheets_metadata}
        read = {}
        for name in names:
            s = found.sheets.get(name)
            if name not in sparse:
                read[name] = _calamine_sheet(path, wb, name, hidden.get(name, False), bool(s and s.pivot), lim)
    finally:
        wb.close()
    for name in sorted(sparse):
        sheet = _banded_sheet(path, found.sheets[name], hidden.get(name, False), lim)
        if sheet is not None:
            read[name] = sheet
    if streamed := sparse - set(read):
        read |= _openpyxl_sheets(path, streamed, found, lim)
    return [read[n] for n in names if n in read]


def _sheet_table(path: Path, source_file: str, sheet: Sheet, overrides, chunk_rows: int) -> RawTable | None:
    pairs = sheet.rows
    if not pairs:
        return None
    head = [r for _, r in pairs[:HEAD_ROWS]]
    idx, colmap = find_header(head, [r for _, r in pairs[-TAIL_ROWS:]], overrides)
    header_key = header_key_of(colmap.header) if colmap is not None else None
    if colmap is None:
        colmap = infer_columns(head)
    first = head[idx] if idx is not None and idx >= 0 else next((r for r in head if not is_blank(r)), [])
    found = [str(c) for c in first if c not in (None, "")]
    t = RawTable(path, source_file, str(sheet.name), colmap, header_key, columns_found=found)
    t.hidden, t.pivot = sheet.hidden, sheet.pivot
    set_sample(t, [r for _, r in pairs[: HEAD_ROWS + SAMPLE_ROWS]], idx)
    skip = None
    if idx is not None and idx >= 0:
        t.header_row = pairs[idx][0]
        skip = {pairs[j][0] - 1 for j in range(max(0, idx + 1 - colmap.header_rows), idx + 1)} if colmap else None
    if colmap is not None:
        t.rows = chunked_numbered(((n - 1, r) for n, r in pairs), header_key, skip, chunk_rows)
    return t


def read_xlsx(path: Path, source_file: str, overrides=None, chunk_rows: int = CHUNK_ROWS) -> list[RawTable]:
    """Every sheet of a workbook (.xlsx/.xlsm/.xls/.ods) as a table; sheets that hold nothing left out."""
    with open(path, "rb") as fh:
        magic = fh.read(8)
    if path.suffix.lower() in (".xlsx", ".xlsm") and magic == OLE_HEADER:
        raise InputFileError(
            f"{path}: is password-protected (encrypted) or an old .xls saved as .xlsx: open "
            "it in Excel, remove the password and save it as .xlsx"
        )
    found = survey(path)  # one line, and nothing loaded, for a file beyond the run's limits
    try:
        sheets = _read_sheets(path, found)
    except InputFileError:
        raise
    except Exception as exc:  # noqa: BLE001 - both libraries raise many types for a broken or mislabelled file
        # The library's own words, cut short: what is broken, never a stretch of the file.
        why = " ".join(str(exc).split())[:120]
        raise InputFileError(
            f"{path}: cannot be read as an Excel workbook ({type(exc).__name__}: {why}); open it "
            "in Excel and save it again as .xlsx, or export the sheet as CSV"
        ) from None
    tables = [_sheet_table(path, source_file, sh, overrides, chunk_rows) for sh in sheets]
    return [t for t in tables if t is not None]
