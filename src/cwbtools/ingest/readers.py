"""Which reader takes a file, and files that are plainly not ledgers refused: cells in, nothing
interpreted yet. CSV and text in `delimited`, workbooks in `workbooks`."""

from __future__ import annotations

from pathlib import Path

from ..errors import InputFileError
from .delimited import read_csv
from .tables import CHUNK_ROWS, RawTable
from .workbooks import read_xlsx

__all__ = ["LEDGER_SUFFIXES", "RawTable", "read_tables", "refuse_non_ledger"]


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
