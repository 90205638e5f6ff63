"""Column overrides (`cwb ingest --column FIELD=HEADER`, a config ledger's `overrides:`): any one
field can be named, detection finds the rest, and a wrong field or a header a file lacks is a
one-line error, never silently ignored (issue 17 point 4)."""

from __future__ import annotations

import csv
import subprocess
import sys
import textwrap
from pathlib import Path

import openpyxl
import pytest

from cwbtools.city.spend import _ingest_anchor
from cwbtools.cli import main as cwb
from cwbtools.config import load_config
from cwbtools.errors import ConfigError, CwbError, InputFileError
from cwbtools.ingest import ingest_paths, override_fields
from cwbtools.ingest.columns import CORE_FIELDS, check_overrides, map_header, synonyms

# Two amount columns (and a VAT one): whichever detection prefers, an override reads the other.
GROSS_NET = (
    "Supplier Name,Payment Date,IrrecoverableVATAmount,Amount,Net Amount\n"
    "Acme Ltd,01/06/2020,0.00,12.00,10.00\n"
    "Bolt Ltd,02/06/2020,0.00,6.00,5.00\n"
)


def _file(tmp_path: Path, text: str = GROSS_NET, name: str = "ledger.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# ---- the mapping ------------------------------------------------------------------------------


def test_every_field_detection_knows_can_be_overridden():
    assert set(CORE_FIELDS) <= set(override_fields())
    assert {fld for fld, _ in synonyms().values()} <= set(override_fields())


def test_one_override_leaves_detection_to_the_others():
    cells = ["Supplier Name", "Payment Date", "Amount", "Net Amount"]
    for j in (2, 3):
        cm = map_header(cells, {"amount": cells[j]})
        assert cm.columns["amount"] == j and cm.columns["supplier_name"] == 0 and cm.columns["payment_date"] == 1
        assert cm.unmatched == {}


def test_a_claimed_column_is_no_other_fields_and_the_displaced_field_falls_back():
    # `Supplier` claimed for description: supplier_name falls to the next header naming it.
    cells = ["Supplier", "Vendor Name", "Date", "Amount"]
    assert map_header(cells).columns["supplier_name"] == 0
    cm = map_header(cells, {"description": "Supplier"})
    assert cm.columns["description"] == 0 and cm.columns["supplier_name"] == 1


def test_header_match_exact_first_then_ignoring_case_and_spaces():
    cells = ["Supplier", "Date", "net  AMOUNT", "Net Amount"]
    assert map_header(cells, {"amount": " Net Amount "}).columns["amount"] == 3  # exact once trimmed
    assert map_header(cells, {"amount": "NET amount"}).columns["amount"] == 2  # first case-insensitive
    cm = map_header(cells, {"amount": "Gross"})
    assert cm.unmatched == {"amount": "Gross"} and cm.columns["amount"] in (2, 3)  # reported, not used


def test_check_overrides_names_the_bad_field_and_the_valid_ones():
    assert check_overrides({" amount ": "Net"}) == {"amount": "Net"}
    with pytest.raises(ValueError, match=r"unknown field 'bogusfield' \(valid fields: supplier_name, amount,"):
        check_overrides({"bogusfield": "Amount"})
    with pytest.raises(ValueError, match="did you mean 'amount'"):
        check_overrides({"amont": "Amount"})
    with pytest.raises(ValueError, match="amount: give the header"):
        check_overrides({"amount": "  "})


# ---- ingest: the three cases that were silently ignored ----------------------------------------


def test_single_field_override_changes_what_is_read(tmp_path):
    f = _file(tmp_path)
    detected = ingest_paths([f], anchor="X").transactions.amount_pence.tolist()
    read = {}
    for header in ("Amount", "Net Amount"):
        tx = ingest_paths([f], anchor="X", overrides={"amount": header}).transactions
        assert tx.supplier_name.tolist() == ["Acme Ltd", "Bolt Ltd"]  # detected as before
        read[header] = tx.amount_pence.tolist()
    assert read == {"Amount": [1200, 600], "Net Amount": [1000, 500]}
    assert detected in read.values()  # so one of the two overrides changed what was read


def test_single_field_override_makes_an_unreadable_file_readable(tmp_path):
    f = _file(tmp_path, "Supplier Name,Payment Date,Zorb\nAcme Ltd,01/06/2020,10.00\n")
    with pytest.raises(InputFileError, match="no recognisable supplier, amount and date"):
        ingest_paths([f], anchor="X")
    res = ingest_paths([f], anchor="X", overrides={"amount": "zorb"})
    assert res.transactions.amount_pence.tolist() == [1000] and res.balanced()


def test_optional_field_override(tmp_path):
    f = _file(tmp_path, "Supplier Name,Payment Date,Amount,Notes\nAcme Ltd,01/06/2020,10.00,Road salt\n")
    assert ingest_paths([f], anchor="X").transactions.description.isna().all()
    res = ingest_paths([f], anchor="X", overrides={"description": "Notes"})
    assert res.transactions.description.tolist() == ["Road salt"]


def test_a_header_the_file_lacks_is_an_error_quoting_header_cells_only(tmp_path):
    f = _file(tmp_path)
    with pytest.raises(InputFileError) as err:
        ingest_paths([f], anchor="X", overrides={"amount": "NoSuchHeader"})
    msg = str(err.value)
    assert msg.startswith(f"{f}: the header has no column 'NoSuchHeader' (for amount, from overrides)")
    assert "'Supplier Name', 'Payment Date', 'IrrecoverableVATAmount', 'Amount', 'Net Amount'" in msg
    assert "Acme" not in msg and "\n" not in msg


def test_no_header_row_at_all_is_described_not_quoted(tmp_path):
    f = _file(tmp_path, "".join(f"Jane Smith,0{d}/06/2020,{d}0.00\n" for d in range(1, 6)))
    assert len(ingest_paths([f], anchor="X").transactions) == 5  # read by content
    with pytest.raises(InputFileError) as err:
        ingest_paths([f], anchor="X", overrides={"amount": "Amount"})
    msg = str(err.value)
    assert "no header row recognised" in msg and "Jane" not in msg


def test_an_unknown_field_is_an_error_before_any_file_is_read(tmp_path):
    with pytest.raises(CwbError) as err:
        ingest_paths([tmp_path / "absent.csv"], anchor="X", overrides={"bogusfield": "Amount"})
    assert str(err.value).startswith("overrides: unknown field 'bogusfield'")
    assert all(f in str(err.value) for f in override_fields())


def test_workbook_notes_sheet_is_not_an_error_but_a_ledger_sheet_lacking_the_header_is(tmp_path):
    wb = openpyxl.Workbook()
    notes = wb.active
    notes.title = "Notes"
    notes.append(["This workbook lists payments over 500 pounds."])
    april = wb.create_sheet("April")
    for row in (["Supplier Name", "Payment Date", "Amount", "Net Amount"], ["Acme Ltd", "01/04/2020", 12, 10]):
        april.append(row)
    path = tmp_path / "book.xlsx"
    wb.save(path)
    assert ingest_paths([path], anchor="X", overrides={"amount": "Net Amount"}).transactions.amount_pence.sum() == 1000
    may = wb.create_sheet("May")
    for row in (["Supplier Name", "Payment Date", "Amount"], ["Bolt Ltd", "01/05/2020", 6]):
        may.append(row)
    wb.save(path)
    with pytest.raises(InputFileError, match=r"book\.xlsx, sheet 'May': the header has no column 'Net Amount'"):
        ingest_paths([path], anchor="X", overrides={"amount": "Net Amount"})


# ---- the command line ----------------------------------------------------------------------


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "cwbtools.cli", *args], capture_output=True, text=True, timeout=120)


def _one_line(proc: subprocess.CompletedProcess) -> str:
    assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr[-2000:]
    lines = proc.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("cwb: error: "), proc.stderr
    return lines[0]


def test_cli_unknown_field_and_missing_header_are_one_line_errors(tmp_path):
    f = _file(tmp_path)
    line = _one_line(
        _cli("ingest", str(f), "--anchor", "X", "--out", str(tmp_path / "o"), "--column", "bogusfield=Amount")
    )
    assert "--column: unknown field 'bogusfield' (valid fields: supplier_name, amount, payment_date," in line
    line = _one_line(
        _cli(
            "ingest",
            str(f),
            "--anchor",
            "X",
            "--out",
            str(tmp_path / "o"),
            "--quiet",
            "--column",
            "amount=NoSuchHeader",
        )
    )
    assert f"{f}: the header has no column 'NoSuchHeader' (for amount, from --column)" in line
    assert "header cells: 'Supplier Name'" in line and "Acme" not in line
    assert not (tmp_path / "o").exists()


def test_cli_single_column_override_is_used(tmp_path, capsys):
    f = _file(tmp_path)
    out = tmp_path / "o"
    assert cwb(["ingest", str(f), "--anchor", "X", "--out", str(out), "--quiet", "--column", "amount=net amount"]) == 0
    import pandas as pd

    assert pd.read_parquet(out / "transactions.parquet").amount_pence.tolist() == [1000, 500]
    assert (
        cwb(["ingest", str(f), "--anchor", "X", "--out", str(out), "--column", "amount=A", "--column", "amount=B"]) == 2
    )
    assert "named twice" in capsys.readouterr().err


# ---- a city config's `overrides:` ------------------------------------------------------------


def _config(tmp_path: Path, overrides: str) -> Path:
    _file(tmp_path)
    path = tmp_path / "city.yml"
    path.write_text(
        textwrap.dedent(
            f"""
            name: Testville
            slug: testville
            place: {{name: Preston, lad_codes: [E07000123]}}
            wider_area: [E07000117]
            years: [2020/21]
            anchors:
              - name: Testville Council
                kind: council
                ledgers:
                  - path: ledger.csv
                    overrides: {overrides}
            """
        )
    )
    return path


def test_config_overrides_read_the_named_column(tmp_path):
    config = load_config(_config(tmp_path, "{amount: Net Amount}"))
    (result,) = _ingest_anchor(config, config.anchors[0])
    assert result.transactions.amount_pence.tolist() == [1000, 500]


def test_config_unknown_field_is_refused_when_the_config_loads(tmp_path):
    path = _config(tmp_path, "{bogusfield: Amount}")
    with pytest.raises(ConfigError) as err:
        load_config(path)
    msg = str(err.value)
    assert f"anchors[0].ledgers[0] in {path}" in msg or f"anchors[0].ledgers[0] in {path.name}" in msg
    assert "overrides of ledger 'ledger.csv': unknown field 'bogusfield' (valid fields: supplier_name," in msg
    assert msg.endswith(f"{override_fields()[-1]})")  # the whole list, not cut short


def test_config_header_the_file_lacks_names_file_config_and_ledger(tmp_path):
    path = _config(tmp_path, "{amount: NoSuchHeader}")
    config = load_config(path)
    with pytest.raises(InputFileError) as err:
        _ingest_anchor(config, config.anchors[0])
    msg = str(err.value)
    assert msg.startswith(f"{(tmp_path / 'ledger.csv').resolve()}: the header has no column 'NoSuchHeader'")
    assert f"from the overrides of ledger 'ledger.csv' (anchor 'Testville Council') in {config.source_path}" in msg
    assert "header cells: 'Supplier Name'" in msg and "Acme" not in msg


# ---- real data -------------------------------------------------------------------------------


@pytest.mark.realdata
def test_real_ledger_single_override_reads_the_named_column(spend_dir):
    """Bolton 2019 has the payee (`beneficiary_name`) and the company its publisher matched
    (`company_name`): one override reads the latter as the supplier, the money unchanged."""
    f = spend_dir / "greater-manchester-2019" / "bolton_2019.csv"
    plain = ingest_paths([f], anchor="Bolton Council")
    named = ingest_paths([f], anchor="Bolton Council", overrides={"supplier_name": "company_name"})
    with open(f, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(named.transactions) == len(rows) == len(plain.transactions)
    assert named.transactions.amount_pence.sum() == plain.transactions.amount_pence.sum()
    got = named.transactions.sort_values("row_number").supplier_name.fillna("").str.strip().tolist()
    assert got == [r["company_name"].strip() for r in rows]
    assert (plain.transactions.supplier_name != named.transactions.supplier_name).sum() > 1000
    assert named.transactions.ledger_company_name.isna().all()  # the column is the supplier's now
