"""Workbooks (.xlsx, .xlsm, .xls): every sheet, its header found per sheet."""

from __future__ import annotations

from pathlib import Path

from ..errors import InputFileError
from .headers import find_header, infer_columns
from .tables import (
    CHUNK_ROWS,
    HEAD_ROWS,
    SAMPLE_ROWS,
    TAIL_ROWS,
    RawTable,
    chunked,
    header_key_of,
    is_blank,
    set_sample,
)


def _sheet_tables(path: Path, source_file: str, sheets, overrides, chunk_rows: int) -> list[RawTable]:
    """`sheets`: (name, rows as lists of cell values from row 1 of the sheet)."""
    tables = []
    for name, rows in sheets:
        while rows and is_blank(rows[-1]):
            rows.pop()
        if not rows:
            continue
        idx, colmap = find_header(rows[:HEAD_ROWS], rows[-TAIL_ROWS:], overrides)
        header_key = header_key_of(colmap.header) if colmap is not None else None
        if colmap is None:
            colmap = infer_columns(rows[:HEAD_ROWS])
        skip = idx if idx is not None and idx >= 0 else None
        first = rows[idx] if idx is not None and idx >= 0 else next((r for r in rows if not is_blank(r)), [])
        found = [str(c) for c in first if c not in (None, "")]
        t = RawTable(path, source_file, str(name), colmap, header_key, columns_found=found)
        set_sample(t, rows[: HEAD_ROWS + SAMPLE_ROWS], idx)
        if colmap is not None:
            t.rows = chunked(iter(rows), header_key, skip, chunk_rows)
        tables.append(t)
    return tables


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
