"""The LGA / opendatacommunities spend schema (`BeneficiaryName`, `Amount`, `IrrecoverableVATAmount`,
...) read right: the amount from `Amount`, the payee from `BeneficiaryName`, the total exact."""

from __future__ import annotations

import csv
import sys
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest

from cwbtools.ingest import ingest_paths
from cwbtools.ingest.columns import amount_unit, map_header, normalise_header
from cwbtools.schema import COLUMN_MAP_COLUMNS

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "data" / "hostile"))
import make_hostile  # noqa: E402

# The schema's header, as the hostile-file generator writes it (one copy).
LGA_HEADER = make_hostile.LGA_HEADER
URI = "http://opendatacommunities.org/id/london-borough-council/testborough"
PAYEES = ["Acme Builders Ltd", "Borough Care Services Ltd", "Civic Print plc", "Delta Trust"]


def _lga_rows(n: int = 40, payees: list[str] = PAYEES) -> list[list[str]]:
    return [
        [
            "Testborough Council",
            URI,
            "30/04/2023",
            "Housing",
            payees[i % len(payees)],
            f"S{1000 + i % len(payees)}",
            f"{1 + i % 28:02d}/04/2023",
            str(500000 + i),
            f"{100 + i * 37.25:.2f}",
            "0.00",
            "Repairs",
            "Construction",
        ]
        for i in range(n)
    ]


def _write(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows([header, *rows])
    return path


@pytest.mark.parametrize(
    "header, norm",
    [
        ("BeneficiaryName", "beneficiary name"),
        ("IrrecoverableVATAmount", "irrecoverable vat amount"),
        ("OrganisationURI", "organisation uri"),
        ("net_amount", "net amount"),
        ("1. YEAR", "year"),
        ("5) Beneficiary", "beneficiary"),
        ("Supplier\nName", "supplier name"),
        ("  Amount  ", "amount"),
        ("PAYMENT_DATE", "payment date"),
        ("Net Amount(£)", "net amount"),
    ],
)
def test_headers_as_public_bodies_write_them(header, norm):
    assert normalise_header(header) == norm


def test_lga_header_map():
    cm = map_header(LGA_HEADER)
    col = {f: LGA_HEADER[j] for f, j in cm.columns.items()}
    assert col["supplier_name"] == "BeneficiaryName"
    assert col["amount"] == "Amount"
    assert col["payment_date"] == "PaymentDate"
    assert col["supplier_id"] == "BeneficiaryOtherID"
    assert col["description"] == "Purpose"
    assert col["expense_category"] == "ProclassLabel"
    assert col["body_name"] == "OrganisationLabel"
    # the VAT column is never the amount, whatever its place
    assert map_header(["IrrecoverableVATAmount", "BeneficiaryName", "PaymentDate", "Amount"]).columns["amount"] == 3


def test_lga_csv_read_right(tmp_path):
    rows = _lga_rows()
    path = _write(tmp_path / "lga.csv", LGA_HEADER, rows)
    result = ingest_paths([path], "Testborough Council", out_dir=tmp_path / "out")
    tx = result.transactions
    assert len(tx) == len(rows)
    assert sorted(tx["supplier_name"].unique()) == sorted(PAYEES)
    expected = sum(int(Decimal(r[8]) * 100) for r in rows)
    assert int(tx["amount_pence"].sum()) == expected > 0
    assert (tx["payment_date"].astype(str).str[:7] == "2023-04").all()
    maps = pd.read_csv(tmp_path / "out" / "column_maps.csv", keep_default_na=False)
    assert list(maps.columns) == COLUMN_MAP_COLUMNS
    core = maps.set_index("field").loc[["supplier_name", "amount", "payment_date"]]
    assert core["column"].tolist() == ["BeneficiaryName", "Amount", "PaymentDate"]
    assert set(core["read_from"]) == {"header"} and set(core["header_row"]) == {1}
    assert "vat_amount" in set(maps["field"])  # shown as read, never as the amount


def test_lga_csv_without_header_reads_the_varying_columns(tmp_path):
    """No header row: content decides, and the all-zero VAT column and the constant URI (whose
    `council` reads as an organisation more often than these payees' names do) lose."""
    payees = ["Acme Builders", "Borough Care", "Civic Print plc", "Delta Arts"]
    rows = _lga_rows(payees=payees)
    path = tmp_path / "noheader.csv"
    with open(path, "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(rows)
    result = ingest_paths([path], "Testborough Council")
    tx = result.transactions
    assert int(tx["amount_pence"].sum()) == sum(int(Decimal(r[8]) * 100) for r in rows)
    assert sorted(tx["supplier_name"].unique()) == sorted(payees)
    assert set(result.column_maps["read_from"]) == {"content"}


def test_amount_in_pence(tmp_path):
    assert amount_unit("Amount (pence)") == "pence" and amount_unit("Amount (£)") == "pounds"
    path = tmp_path / "pence.csv"
    path.write_text(
        "Supplier Name,Payment Date,Amount (pence)\nAcme Ltd,01/05/2023,123456\nBeta Ltd,02/05/2023,-250\n"
        "Gamma Ltd,03/05/2023,12.5\n",
        encoding="utf-8",
    )
    result = ingest_paths([path], "Test Council")
    assert result.transactions["amount_pence"].tolist() == [123456, -250]
    assert result.quarantine["reason"].tolist() == ["unreadable_amount"]  # half a penny is no payment
    assert result.balanced()


def test_hounslow_lga_file(shared_data):
    """A real LGA-schema ledger: the total is `Amount`'s, summed here with the csv module."""
    path = shared_data / "spend-corpus" / "hounslow" / "2023_04.csv"
    if not path.exists():
        pytest.skip("Hounslow corpus file not present")
    with open(path, newline="", encoding="utf-8-sig") as fh:
        recs = list(csv.DictReader(fh))
    amounts = [Decimal(r["Amount"]) for r in recs if r["Amount"].strip()]
    result = ingest_paths([path], "London Borough of Hounslow")
    tx = result.transactions
    assert int(tx["amount_pence"].sum()) == int(sum(amounts) * 100)
    assert len(tx) == len(amounts)
    assert tx["supplier_name"].nunique() > 100
    assert not tx["supplier_name"].str.contains("http", na=False).any()
    maps = result.column_maps.set_index("field")
    assert maps.loc["amount", "column"] == "Amount" and maps.loc["supplier_name", "column"] == "BeneficiaryName"
