"""What a ZIP workbook (.xlsx, .xlsm, .ods) holds, found before any spreadsheet library loads it.

A library believes a sheet's stored cells: calamine allocates the whole rectangle from the first
stored cell holding a value to the last (32 bytes a cell), so one stray cell at XFD1048576 asks
for 512 GB; and it unpacks every shared string before the first row is read (a 100 MB string in
a 100 KB file held 4.7 GB). So the workbook's parts are streamed first, nothing held: their sizes,
declared and real, against `limits.current()`; every sheet's stored range, the cells in it, and
whether it is hidden or holds a pivot table; no cell longer than `max_cell_chars`. One line names
the file, what is wrong and the limit (`cwb ingest --limit NAME=N`).
"""

from __future__ import annotations

import copy
import posixpath
import re
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree as ET
from xml.sax.saxutils import unescape

from ..errors import InputFileError
from . import limits

DENSE_CELLS = 4_000_000
DENSE_PER_CELL = 4
_RATIO_FROM = 1 << 20  # a part smaller than this unpacks in a blink, whatever its ratio
_SEGMENT = 1 << 18  # bytes of a part scanned at a time


def too_big(path: Path, what: str, name: str, value: int) -> InputFileError:
    """One line: the file, what is wrong, the limit and how to raise it."""
    return InputFileError(
        f"{path}: {what} (limit {name}={value:,}): not a ledger a person saved; if it is, raise the limit "
        f"with `cwb ingest --limit {name}=N`"
    )


@dataclass
class SheetSurvey:
    """One worksheet's stored cells, as its XML lists them (rows and columns 1-based)."""

    name: str
    hidden: bool = False
    pivot: bool = False
    part: str = ""  # the ZIP member holding its cells (.xlsx)
    first_row: int = 0  # rows of the first and last stored cell; 0: none
    last_row: int = 0
    columns: int = 0  # the stored cells' last column (an upper bound)
    cells: int = 0
    placed: int = 0  # cells without a reference, placed by count: `columns` is then only a bound
    unsure: bool = False  # rows placed by count: its range is not known until read

    @property
    def span(self) -> int:
        """Cells of the rectangle a reader that believes the stored cells allocates."""
        return (self.last_row - self.first_row + 1) * self.columns if self.last_row else 0

    def dense(self) -> bool:
        """Mostly data: read whole, at once (else a stretch of rows at a time)."""
        return not self.unsure and self.span <= max(DENSE_CELLS, DENSE_PER_CELL * self.cells)


class Budget:
    """Bytes the run may still unpack from this workbook (`max_unzipped_bytes`)."""

    def __init__(self, path: Path, lim: limits.Limits) -> None:
        self.path, self.left, self.lim = path, lim.max_unzipped_bytes, lim

    def take(self, n: int) -> None:
        self.left -= n
        if self.left < 0:
            raise too_big(
                self.path, "its parts unpack to more than its limit", "max_unzipped_bytes", self.lim.max_unzipped_bytes
            )


def _check_parts(zf: zipfile.ZipFile, path: Path, lim: limits.Limits) -> None:
    """The parts' declared sizes: their sum, and each large part's packing ratio (a zip bomb
    packs 100 MB of one letter into 100 KB)."""
    total = 0
    for info in zf.infolist():
        total += info.file_size
        if info.file_size >= _RATIO_FROM and info.file_size > lim.max_unzipped_ratio * max(info.compress_size, 1):
            ratio = info.file_size // max(info.compress_size, 1)
            raise too_big(
                path,
                f"its part {info.filename} unpacks {ratio:,} times ({info.compress_size:,} bytes to "
                f"{info.file_size:,}): a zip bomb or a damaged file",
                "max_unzipped_ratio",
                lim.max_unzipped_ratio,
            )
    if total > lim.max_unzipped_bytes:
        raise too_big(path, f"its parts unpack to {total:,} bytes", "max_unzipped_bytes", lim.max_unzipped_bytes)


def stream_part(zf: zipfile.ZipFile, info: zipfile.ZipInfo, budget: Budget) -> Iterator[bytes]:
    """A part's bytes as they unpack, however large it says it is: a part that holds more (or
    less) than it declares is damaged or forged, and stops the read."""
    capped = copy.copy(info)
    capped.file_size = budget.left + 1  # read past a declared size that lies, up to the budget
    got = 0
    try:
        with zf.open(capped) as fh:
            while chunk := fh.read(_SEGMENT):
                got += len(chunk)
                budget.take(len(chunk))
                yield chunk
    # a broken stream, an unknown or encrypted method: the library's words, cut short
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError, NotImplementedError, RuntimeError) as exc:
        why = " ".join(str(exc).split())[:80]
        raise InputFileError(
            f"{budget.path}: is damaged: its part {info.filename} cannot be unpacked ({why}); download it again"
        ) from None
    if got != info.file_size:
        raise InputFileError(
            f"{budget.path}: is damaged or forged: its part {info.filename} says {info.file_size:,} bytes "
            f"but unpacks to {got:,}; download it again"
        )


def _read_part(zf: zipfile.ZipFile, name: str, budget: Budget) -> bytes | None:
    info = zf.NameToInfo.get(name)
    return None if info is None else b"".join(stream_part(zf, info, budget))


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _attr(el: ET.Element, name: str) -> str | None:
    """An attribute by its local name, whatever its namespace (transitional or strict OOXML)."""
    for k, v in el.attrib.items():
        if _local(k) == name:
            return v
    return None


def _rels(zf: zipfile.ZipFile, name: str, base: str, budget: Budget) -> dict[str, tuple[str, str]]:
    """Relationship id -> (type's last word, zip member it points to)."""
    data = _read_part(zf, name, budget)
    out: dict[str, tuple[str, str]] = {}
    if not data:
        return out
    for el in ET.fromstring(data).iter():
        if _local(el.tag) == "Relationship" and el.get("Id") and el.get("Target"):
            target = el.get("Target", "")
            member = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(base, target))
            out[el.get("Id", "")] = (el.get("Type", "").rsplit("/", 1)[-1], member)
    return out


def _cell_run(where: str, gap: int, most: int, path: Path) -> None:
    if gap > most:
        raise too_big(path, f"{where} holds a cell of more than {most:,} characters", "max_cell_chars", most)


_REF = re.compile(rb'<c r="([A-Z]{1,3})(\d{1,9})"')
ROW_NUMBER = re.compile(rb'<row\b[^>]*?\sr="(\d{1,9})"')


def _column_number(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n


_WIDER: dict[int, re.Pattern] = {}


def _wider_than(n: int) -> re.Pattern:
    """A cell placed by count (no leading `r` reference), or one referenced beyond column `n`:
    one search finds whether a segment widens the sheet (the usual answer, no, costs one pass)."""
    if n not in _WIDER:
        if n < 26:
            alt = rf"[{chr(65 + n)}-Z]\d|[A-Z]{{2}}"
        elif n == 26:
            alt = "[A-Z]{2}"
        elif n < 702:  # two letters: the first beyond, or the same first and the second beyond
            f, s = chr(64 + (n - 1) // 26), chr(65 + (n - 1) % 26)
            alt = "[A-Z]{3}" + (rf"|[{chr(ord(f) + 1)}-Z][A-Z]" if f < "Z" else "")
            alt += rf"|{f}[{chr(ord(s) + 1)}-Z]" if s < "Z" else ""
        else:
            alt = "[A-Z]{3}"  # compared one by one
        _WIDER[n] = re.compile(rb'<c(?:>|\s(?!r=")| r="(?:' + alt.encode() + rb"))")
    return _WIDER[n]


def _valued(buf: bytes, at: int) -> bool:
    """The cell whose start tag begins at `at` holds a value (`<c r="A1" s="3"/>` is only formatting,
    which readers skip)."""
    end = buf.find(b">", at)
    return end > 0 and buf[end - 1] != 47  # "/"


def _widen(buf: bytes, columns: int) -> tuple[int, int]:
    """(`columns` widened by the segment's cells holding a value beyond it, cells placed by count)."""
    plain = 0
    m = _wider_than(min(columns, 702)).search(buf)
    while m:
        ref = _REF.match(buf, m.start())
        if ref is None:
            plain += m[0] == b"<c>" or not m[0].startswith(b'<c r="')  # (else cut short: whole in the next)
        elif _valued(buf, m.start()):
            columns = max(columns, _column_number(ref[1]))
        m = _wider_than(min(columns, 702)).search(buf, m.end())
    return columns, plain


def _cell_at(buf: bytes, end: int) -> int:
    """Start of the cell whose closing tag `</c>` is at `end` (its values hold no `<c`)."""
    return max(buf.rfind(b"<c ", 0, end), buf.rfind(b"<c>", 0, end))


def _scan_cells(chunks: Iterable[bytes], survey: SheetSurvey, path: Path, where: str, most: int, item=None) -> None:
    """A worksheet's XML (or, with `item`, the shared strings'), streamed: the cells that hold a
    value counted and their range bounded (as calamine bounds them: its first to its last such
    cell); no text longer than `most` characters (nor, with `item`, one `item` element). Each
    segment is read up to its last `>`, so no tag is split."""
    carry = b""
    plain = 0
    chunks = _gaps(chunks, b"<", where, most, path)
    if item is not None:
        for _ in _gaps(chunks, item, where, most, path):
            pass
        return
    for chunk in chunks:
        buf = carry + chunk
        cut = buf.rfind(b">") + 1
        if cut and (cells := buf.count(b"</c>", 0, cut)):
            work = buf[:cut]
            survey.cells += cells
            if not survey.first_row:
                ref = _REF.match(work, _cell_at(work, work.find(b"</c>")))
                survey.first_row = int(ref[2]) if ref else 1
            at = _cell_at(work, work.rfind(b"</c>"))
            ref = _REF.match(work, at)
            if ref is None:  # a cell placed by count: its row's number, if the row gives one
                k = work.rfind(b"<row", 0, at)
                ref = ROW_NUMBER.match(work, k) if k >= 0 else None
                survey.unsure = survey.unsure or ref is None
            survey.last_row = int(ref[ref.re.groups]) if ref else survey.last_row
            survey.columns, placed = _widen(work, survey.columns)
            plain += placed
        carry = buf[cut:]
    if plain:  # a row of cells placed by count is at most that wide
        survey.columns, survey.placed = max(survey.columns, plain), plain


def _survey_xlsx(zf: zipfile.ZipFile, path: Path, lim: limits.Limits) -> dict[str, SheetSurvey]:
    budget = Budget(path, lim)
    book = _read_part(zf, "xl/workbook.xml", budget)
    if book is None:
        return {}  # not an Excel package: the library says what it is
    rels = _rels(zf, "xl/_rels/workbook.xml.rels", "xl", budget)
    found: dict[str, SheetSurvey] = {}
    for el in ET.fromstring(book).iter():
        if _local(el.tag) != "sheet":
            continue
        name = el.get("name", "")
        kind, member = rels.get(_attr(el, "id") or "", ("", ""))
        if kind != "worksheet" or member not in zf.NameToInfo:
            continue  # a chart sheet holds no cells
        s = SheetSurvey(name, hidden=el.get("state", "visible") != "visible", part=member)
        folder, file = posixpath.split(member)
        sheet_rels = _rels(zf, f"{folder}/_rels/{file}.rels", folder, budget)
        s.pivot = any(k == "pivotTable" for k, _ in sheet_rels.values())
        _scan_cells(stream_part(zf, zf.NameToInfo[member], budget), s, path, f"sheet {name!r}", lim.max_cell_chars)
        found[name] = s
    for kind, member in rels.values():
        if kind == "sharedStrings" and member in zf.NameToInfo:
            chunks = stream_part(zf, zf.NameToInfo[member], budget)
            _scan_cells(chunks, SheetSurvey(""), path, "its shared strings table", lim.max_cell_chars, b"<si")
    return found


def _gaps(chunks: Iterable[bytes], marker: bytes, where: str, most: int, path: Path) -> Iterator[bytes]:
    """The chunks as they come, refused once more than `most` bytes pass from one `marker` to
    the next (`<`: the text of one cell; `<si`: one shared string, however many runs it has).
    Searched a window of `most` bytes at a time from each end: no full pass when markers are many."""
    keep = len(marker) - 1  # a marker cut in two by a chunk's end is found whole in the next
    at = last = 0  # offsets in the part: `buf`'s first byte, the last marker seen
    tail = b""
    for chunk in chunks:
        buf = tail + chunk
        lo = 0
        while lo < len(buf):
            hi = min(len(buf), lo + most)
            first = buf.find(marker, lo, hi)
            _cell_run(where, at + (first if first >= 0 else hi) - last, most, path)
            if first >= 0:
                last = at + buf.rfind(marker, lo, hi)
            lo = hi if hi == len(buf) else hi - keep
        tail = buf[len(buf) - keep :] if keep else b""
        at += len(buf) - len(tail)
        yield chunk
    _cell_run(where, at + len(tail) - last, most, path)


_ODS_TAG = re.compile(
    rb"<(table:table-row|table:table-cell|table:covered-table-cell|table:table|text:p)(?=[\s>/])([^>]*)>"
)
_ODS_ROWS = re.compile(rb'table:number-rows-repeated="(\d{1,12})"')
_ODS_COLUMNS = re.compile(rb'table:number-columns-repeated="(\d{1,12})"')
_ODS_NAME = re.compile(rb'table:name="([^"]*)"')


def _survey_ods(zf: zipfile.ZipFile, path: Path, lim: limits.Limits) -> dict[str, SheetSurvey]:
    """content.xml, streamed: each table's rows and the cells holding something (a value type, or
    a paragraph), with their repeat counts (`number-rows-repeated` may make one stored row a
    million). Elements by their names as ODS readers match them (`table:table-row`)."""
    info = zf.NameToInfo.get("content.xml")
    if info is None:
        return {}
    found: dict[str, SheetSurvey] = {}
    sheet: SheetSurvey | None = None
    at = rep = col = last = cells = 0  # the row being read: its first row, repeats, next column, ...
    n, valued = 0, False  # the cell last opened: its extent is known when the next opens
    carry = b""
    for chunk in _gaps(stream_part(zf, info, Budget(path, lim)), b"<", "a sheet", lim.max_cell_chars, path):
        buf = carry + chunk
        cut = buf.rfind(b">") + 1
        for name, attrs in _ODS_TAG.findall(buf, 0, cut):
            if name == b"text:p":
                valued = n > 0
                continue
            if valued:  # close the cell last opened
                last = col + n
                cells += n
            col += n
            n, valued = 0, False
            if name != b"table:table-cell" and name != b"table:covered-table-cell":
                if sheet is not None and cells:  # close the row
                    sheet.first_row = sheet.first_row or at + 1
                    sheet.last_row = at + rep
                    sheet.columns = max(sheet.columns, last)
                    sheet.cells += cells * rep
                at, rep, col, last, cells = at + rep, 0, 0, 0, 0
                if name == b"table:table-row":
                    m = _ODS_ROWS.search(attrs)
                    rep = int(m[1]) if m else 1
                else:
                    m = _ODS_NAME.search(attrs)
                    sheet = SheetSurvey(unescape(m[1].decode()) if m else f"Sheet{len(found) + 1}")
                    found[sheet.name] = sheet
                    at = 0
            elif not attrs.endswith(b"/") or b"office:value-type=" in attrs:
                m = _ODS_COLUMNS.search(attrs) if b"-repeated" in attrs else None
                n, valued = (int(m[1]) if m else 1), b"office:value-type=" in attrs
            else:  # an empty element: no value, no paragraph
                m = _ODS_COLUMNS.search(attrs) if b"-repeated" in attrs else None
                col += int(m[1]) if m else 1
        carry = buf[cut:]
    if valued:
        last, cells = col + n, cells + n
    if sheet is not None and cells:
        sheet.first_row = sheet.first_row or at + 1
        sheet.last_row, sheet.columns = at + rep, max(sheet.columns, last)
        sheet.cells += cells * rep
    return found


def check_range(path: Path, name: str, rows: int, columns: int, cells: int, lim: limits.Limits) -> None:
    """A sheet's used range (its last row and column holding data) and the cells it occupies once
    read, within the run's limits."""
    if rows > lim.max_sheet_rows:
        raise too_big(path, f"sheet {name!r} holds data in row {rows:,}", "max_sheet_rows", lim.max_sheet_rows)
    if columns > lim.max_sheet_columns:
        raise too_big(
            path, f"sheet {name!r} holds data in column {columns:,}", "max_sheet_columns", lim.max_sheet_columns
        )
    if cells > lim.max_sheet_cells:
        raise too_big(path, f"sheet {name!r} occupies {cells:,} cells", "max_sheet_cells", lim.max_sheet_cells)


@dataclass
class Survey:
    kind: str  # "xlsx" (also .xlsm) or "ods"; "" for a workbook that is not a ZIP package (.xls)
    sheets: dict[str, SheetSurvey]


def survey(path: Path) -> Survey:
    """What a ZIP workbook's sheets store, checked against the run's limits before anything is
    loaded; nothing for a workbook that is not a ZIP package (.xls: read, then checked)."""
    lim = limits.current()
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError):
        return Survey("", {})  # not a ZIP: the library's own error says what is wrong
    with zf:
        _check_parts(zf, path, lim)
        if "content.xml" in zf.NameToInfo:
            found = Survey("ods", _survey_ods(zf, path, lim))
        else:
            found = Survey("xlsx", _survey_xlsx(zf, path, lim))
    for s in found.sheets.values():
        # what the references say for certain now; the rest is checked as the sheet is read
        rows, columns = (0 if s.unsure else s.last_row), (0 if s.placed else s.columns)
        check_range(path, s.name, rows, columns, s.span if s.dense() else 0, lim)
    return found
