"""Which reader takes a file, and files that are plainly not ledgers refused: cells in, nothing
interpreted yet. CSV and text in `delimited`, workbooks in `workbooks`."""

from __future__ import annotations

from pathlib import Path

from ..errors import InputFileError
from .delimited import read_csv
from .tables import CHUNK_ROWS, RawTable
from .workbooks import read_xlsx

__all__ = ["LEDGER_SUFFIXES", "RawTable", "read_tables", "refuse_non_ledger"]


LEDGER_SUFFIXES = {".csv", ".tsv", ".txt", ".xlsx", ".xlsm", ".xls", ".ods"}


ZIP_HEADER = b"PK\x03\x04"  # the first bytes of an .xlsx, .xlsm or .ods (each a ZIP archive)
ZIP_SUFFIXES = (".xlsx", ".xlsm", ".ods")
_ZIP_SEARCH = 1 << 16  # bytes searched for a ZIP header behind junk


def refuse_non_ledger(path: Path) -> None:
    """Stop on a file that is plainly not a ledger, whatever its name says: a PDF, a web page
    (a download that failed and saved the site's error page), a workbook with junk in front of
    its ZIP header (a damaged download: what follows cannot be trusted), or a ZIP archive under a
    CSV's name. The message names what it is and never quotes the file."""
    with open(path, "rb") as fh:
        head = fh.read(_ZIP_SEARCH)
    text = head[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    zip_at = head.find(ZIP_HEADER)
    ole = head.startswith(b"\xd0\xcf\x11\xe0")  # an .xls may hold anything, a ZIP included
    if zip_at > 0 and not ole and (path.suffix.lower() in ZIP_SUFFIXES or b"\x00" in head[:zip_at]):
        raise InputFileError(
            f"{path}: has {zip_at:,} bytes of something else in front of its workbook (ZIP) header: a "
            "damaged download or copy; download the file again, or open it in Excel and save it again"
        )
    if zip_at == 0 and path.suffix.lower() not in ZIP_SUFFIXES:
        raise InputFileError(
            f"{path}: is a ZIP archive or a workbook (.xlsx/.ods), not a {path.suffix or 'CSV'} file: "
            "unzip an archive and give its folder, or rename a workbook to .xlsx"
        )
    if text.startswith(b"%pdf"):
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
    if suffix in (".xlsx", ".xlsm", ".xls", ".ods"):
        return read_xlsx(path, source_file, overrides, chunk_rows)
    return [read_csv(path, source_file, overrides, chunk_rows)]
