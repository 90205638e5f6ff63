"""Nothing under a ledger folder is skipped in silence (issue 17 point 9): every entry is read, or
named and set aside with a reason in the reconciliation; files that are not ledgers whatever
their name stop with one line naming the file."""

from __future__ import annotations

import contextlib
import io
import os
import zipfile

import pytest

from cwbtools.cli import main
from cwbtools.errors import InputFileError
from cwbtools.ingest import ingest_paths
from cwbtools.ingest.folders import list_entries
from cwbtools.ingest.readers import refuse_non_ledger
from cwbtools.schema import FILE_HIDDEN, FILE_UNREADABLE, FILE_UNSUPPORTED

LEDGER = "Supplier Name,Amount,Payment Date\nAcme Ltd,10.00,01/05/2019\nBeacon Print Ltd,2.50,02/05/2019\n"
LEDGER_PENCE = 1250


def _cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def messy_folder(tmp_path):
    """Two ledgers (one in a sub-folder) among what a shared drive really holds."""
    folder = tmp_path / "ledgers"
    (folder / "2019").mkdir(parents=True)
    (folder / "2019" / "may.csv").write_text(LEDGER, encoding="utf-8")
    (folder / "june.csv").write_text(LEDGER.replace("05/2019", "06/2019"), encoding="utf-8")
    (folder / "notes.docx").write_bytes(b"PK\x03\x04 not really a document")
    with zipfile.ZipFile(folder / "archive.zip", "w") as z:
        z.writestr("old.csv", LEDGER)
    (folder / "README").write_text("published monthly\n")
    (folder / "~$june.xlsx").write_bytes(b"\x00" * 162)  # the lock file Excel leaves beside an open workbook
    (folder / ".DS_Store").write_bytes(b"\x00\x00\x00\x01Bud1")
    (folder / ".git").mkdir()
    (folder / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    os.symlink(tmp_path / "moved.csv", folder / "july.csv")  # a broken link
    os.mkfifo(folder / "pipe.csv")  # opened, it would block forever
    os.symlink("..", folder / "2019" / "up")  # a loop: searched once
    return folder


EXPECTED = {
    "2019/may.csv": None,
    "june.csv": None,
    "notes.docx": FILE_UNSUPPORTED,
    "archive.zip": FILE_UNSUPPORTED,
    "README": FILE_UNSUPPORTED,
    "~$june.xlsx": FILE_HIDDEN,
    ".DS_Store": FILE_HIDDEN,
    ".git/": FILE_HIDDEN,
    "july.csv": FILE_UNREADABLE,
    "pipe.csv": FILE_UNREADABLE,
}


def test_every_entry_of_a_folder_has_an_outcome(messy_folder):
    entries = {e.source_file: e for e in list_entries([messy_folder])}
    assert {k: e.reason for k, e in entries.items()} == EXPECTED
    assert "broken link" in entries["july.csv"].why
    assert ".docx" in entries["notes.docx"].why and "Office lock file" in entries["~$june.xlsx"].why


def test_entries_not_read_are_set_aside_in_the_reconciliation_and_balance(messy_folder):
    result = ingest_paths([messy_folder], anchor="Test council")
    assert result.balanced()
    rec = result.reconciliation.set_index("source_file")
    assert sorted(rec.index) == sorted(EXPECTED) == sorted(result.files)
    assert int(rec["pence_kept"].sum()) == 2 * LEDGER_PENCE and int(rec["rows_kept"].sum()) == 4
    for name, reason in EXPECTED.items():
        if reason is None:
            assert rec.loc[name, "rows_set_aside"] == 0
            continue
        row = rec.loc[name]
        assert (row["rows_read"], row["rows_set_aside"], row["pence_read"], row[f"reason_{reason}"]) == (1, 1, 0, 1)
    q = result.quarantine.set_index("source_file")
    assert q.loc["july.csv", "reason"] == FILE_UNREADABLE and "broken link" in q.loc["july.csv", "raw"]


def test_cwb_ingest_names_each_entry_it_did_not_read(messy_folder, tmp_path):
    code, out, err = _cli("ingest", str(messy_folder), "--anchor", "Test council", "--out", str(tmp_path / "o"))
    assert code == 0, err
    not_read = [line for line in out.splitlines() if line.startswith("not read: ")]
    assert len(not_read) == sum(r is not None for r in EXPECTED.values())
    for name, reason in EXPECTED.items():
        if reason is not None:
            assert any(name in line and reason in line for line in not_read), name


def test_cwb_inspect_shows_what_it_would_not_read(messy_folder):
    code, out, _ = _cli("inspect", str(messy_folder))
    assert code == 0
    assert "july.csv: not read, would be set aside (file_unreadable): a broken link" in out
    assert "june.csv:" in out and "first rows as read" in out


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
def test_a_file_without_read_permission_is_set_aside(tmp_path):
    (tmp_path / "a.csv").write_text(LEDGER)
    (tmp_path / "b.csv").write_text(LEDGER)
    (tmp_path / "b.csv").chmod(0)
    result = ingest_paths([tmp_path], anchor="Test council")
    rec = result.reconciliation.set_index("source_file")
    assert rec.loc["b.csv", f"reason_{FILE_UNREADABLE}"] == 1 and rec.loc["a.csv", "pence_kept"] == LEDGER_PENCE


def test_a_folder_of_no_ledgers_says_so(tmp_path):
    (tmp_path / "notes.docx").write_bytes(b"x")
    with pytest.raises(InputFileError) as err:
        ingest_paths([tmp_path], anchor="Test council")
    assert "no ledger files" in str(err.value) and ".ods" in str(err.value) and "1 other" in str(err.value)


@pytest.mark.parametrize("kind", ["broken link", "pipe", "missing"])
def test_a_path_named_itself_that_cannot_be_read_is_one_line(tmp_path, kind):
    path = tmp_path / "ledger.csv"
    if kind == "broken link":
        os.symlink(tmp_path / "gone.csv", path)
    elif kind == "pipe":
        os.mkfifo(path)  # never opened: reading a pipe nobody writes would hang
    code, _, err = _cli("ingest", str(path), "--anchor", "Test council", "--out", str(tmp_path / "o"), "--quiet")
    assert code == 2 and err.count("\n") == 1 and "ledger.csv" in err and "Traceback" not in err


def _workbook_bytes() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
    return buf.getvalue()


@pytest.mark.parametrize(
    ("name", "content", "says"),
    [
        ("spend.xlsx", b"\x89junk\x00\x17" * 40 + _workbook_bytes(), "in front of its workbook (ZIP) header"),
        ("spend.ods", b"<?php warning ?>\n" + _workbook_bytes(), "in front of its workbook (ZIP) header"),
        ("spend.csv", b"\x00\x01\x02garbage" + _workbook_bytes(), "in front of its workbook (ZIP) header"),
        ("spend.csv", _workbook_bytes(), "is a ZIP archive or a workbook"),
        ("spend.txt", b"   \n%PDF-1.4\n", "is a PDF"),
    ],
)
def test_a_file_that_is_not_a_ledger_is_named_in_one_line(tmp_path, name, content, says):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(InputFileError) as err:
        refuse_non_ledger(path)
    message = str(err.value)
    assert says in message and name in message and "\n" not in message and "php" not in message


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("spend.xlsx", _workbook_bytes()),  # a workbook as it should be
        # an .xls (an OLE container) may embed a ZIP
        ("spend.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600 + _workbook_bytes()),
        ("spend.csv", b"Supplier,Note\nAcme Ltd,PK and some text\n"),
    ],
)
def test_a_ledger_is_not_refused_for_what_it_merely_holds(tmp_path, name, content):
    path = tmp_path / name
    path.write_bytes(content)
    refuse_non_ledger(path)
