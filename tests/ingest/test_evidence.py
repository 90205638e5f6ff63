"""A column map is checked before it is trusted (`cwbtools.ingest.evidence`): contradictions stop
ingest with one line describing the columns (never quoting a row) and how to override."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from cwbtools.errors import InputFileError
from cwbtools.ingest import ingest_paths
from cwbtools.ingest.evidence import describe_amounts, describe_payees

PAYEES = ["Acme Builders Ltd", "Borough Care Services Ltd", "Civic Print plc", "Delta Trust"]


def _write(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows([header, *rows])
    return path


def _rows(n=30, payee=lambda i: PAYEES[i % 4], amount=lambda i: f"{100 + i * 3.5:.2f}", other=lambda i: "0.00"):
    return [[payee(i), f"{1 + i % 28:02d}/05/2023", amount(i), other(i)] for i in range(n)]


def test_describe():
    assert describe_amounts(["0.00"] * 6) == "all zero"
    assert describe_amounts(["5.00"] * 6) == "the same on every row"
    assert describe_amounts(["5.00", "6.10", "0"]) == "varies"
    assert describe_amounts(["Acme", "Beta", "x"]) == "not money"
    assert describe_payees(["http://opendatacommunities.org/id/council/x"] * 3) == "web addresses"
    assert describe_payees(["10234", "10235", "99"]) == "numbers"
    assert describe_payees(["C22436", "U09794", "SUP-001"]) == "codes"
    assert describe_payees(["Acme Ltd"] * 6) == "one name on every row"
    assert describe_payees(["Acme Ltd", "Beta plc"]) == "names"


def test_zero_amount_column_refused_while_another_varies(tmp_path):
    # the header names `Amount` (all zero here) and a `Net Value` beside it that varies
    path = _write(
        tmp_path / "zero.csv",
        ["Supplier Name", "Payment Date", "Amount", "Net Value"],
        _rows(amount=lambda i: "0.00", other=lambda i: f"{50 + i:.2f}"),
    )
    with pytest.raises(InputFileError) as err:
        ingest_paths([path], "Test Council")
    msg = str(err.value)
    assert "\n" not in msg and str(path) in msg
    assert "'Amount': all zero" in msg and "'Net Value': varies" in msg
    assert "--column amount='Net Value'" in msg and "overrides:" in msg
    assert not any(p in msg for p in PAYEES)  # columns described, rows never quoted
    # the user says so: the override is taken as right
    result = ingest_paths([path], "Test Council", overrides={"amount": "Net Value"})
    assert int(result.transactions["amount_pence"].sum()) == sum(5000 + 100 * i for i in range(30))


def test_url_supplier_refused(tmp_path):
    uri = "http://opendatacommunities.org/id/london-borough-council/testborough"
    path = _write(
        tmp_path / "uri.csv",
        ["Supplier", "Payment Date", "Amount", "Payee Text"],
        [[uri, d, a, PAYEES[i % 4]] for i, (_, d, a, _) in enumerate(_rows())],
    )
    with pytest.raises(InputFileError) as err:
        ingest_paths([path], "Test Council")
    msg = str(err.value)
    assert "'Supplier': web addresses" in msg and "'Payee Text': names" in msg
    assert "--column supplier_name='Payee Text'" in msg
    assert uri not in msg and not any(p in msg for p in PAYEES)


def test_code_supplier_beside_its_text_column_reads_the_text(tmp_path):
    """`Supplier` (codes) beside `Supplier(T)` (names), as Unit4 exports write them: the text is read."""
    path = _write(
        tmp_path / "unit4.csv",
        ["Supplier", "Payment Date", "Amount", "Supplier(T)"],
        [[f"C{22000 + i % 4}", d, a, PAYEES[i % 4]] for i, (_, d, a, _) in enumerate(_rows())],
    )
    result = ingest_paths([path], "Test Council")
    assert sorted(result.transactions["supplier_name"].unique()) == sorted(PAYEES)
    note = result.column_maps.set_index("field").loc["supplier_name", "note"]
    assert "'Supplier' holds codes" in note


def test_every_amount_zero_refused_unless_overridden(tmp_path):
    path = _write(
        tmp_path / "allzero.csv", ["Supplier Name", "Payment Date", "Amount", "Ref"], _rows(amount=lambda i: "0")
    )
    with pytest.raises(InputFileError, match=r"every one of its 30 payments reads £0\.00 \(amount from 'Amount'\)"):
        ingest_paths([path], "Test Council")
    assert ingest_paths([path], "Test Council", overrides={"amount": "Amount"}).balanced()


def test_one_payee_for_every_row_refused_unless_overridden(tmp_path):
    path = _write(
        tmp_path / "onepayee.csv",
        ["Supplier Name", "Payment Date", "Amount", "Ref"],
        _rows(payee=lambda i: "Sole Contractor Ltd"),
    )
    with pytest.raises(InputFileError) as err:
        ingest_paths([path], "Test Council")
    msg = str(err.value)
    assert "all 30 payments go to one payee (supplier from 'Supplier Name')" in msg
    assert "Sole Contractor" not in msg
    result = ingest_paths([path], "Test Council", overrides={"supplier_name": "Supplier Name"})
    assert result.column_maps.set_index("field").loc["supplier_name", "read_from"] == "override"


def test_net_preferred_beside_vat_and_gross(tmp_path):
    rows = [[PAYEES[i % 4], f"{1 + i:02d}/05/2023", f"{120 + i:.2f}", f"{100 + i:.2f}", "20.00"] for i in range(10)]
    path = _write(tmp_path / "nvg.csv", ["Supplier Name", "Payment Date", "Total", "Net", "VAT"], rows)
    result = ingest_paths([path], "Test Council")
    assert int(result.transactions["amount_pence"].sum()) == sum(10000 + 100 * i for i in range(10))
    row = result.column_maps.set_index("field").loc["amount"]
    assert row["column"] == "Net" and row["note"].startswith("net read: 'Net'")


def test_small_files_and_varied_files_pass(tmp_path):
    # few rows: one payee or no money says nothing yet
    few = _write(
        tmp_path / "few.csv", ["Supplier Name", "Payment Date", "Amount", "Ref"], _rows(n=3, amount=lambda i: "0")
    )
    assert ingest_paths([few], "Test Council").balanced()


def _invoices(n: int = 12) -> tuple[list[list[str]], int]:
    """Invoices of one to three lines: payee, invoice number, date, line amount, invoice total."""
    rows, lines_total = [], 0
    for inv in range(n):
        lines = [1000 + inv * 10 + k * 7 for k in range(1 + inv % 3)]
        for amount in lines:
            rows.append(
                [
                    PAYEES[inv % 4],
                    f"INV{inv}",
                    f"{1 + inv:02d}/05/2023",
                    f"{amount / 100:.2f}",
                    f"{sum(lines) / 100:.2f}",
                ]
            )
        lines_total += sum(lines)
    return rows, lines_total


@pytest.mark.parametrize(
    "header, seen",
    [
        (["Supplier", "Invoice Number", "Payment Date", "Line Amount", "Invoice Total"], "header"),
        # the totals are the better-ranked amount header; only their content gives them away
        (["Supplier", "Invoice Number", "Payment Date", "Value", "Total Invoice Amount"], "content"),
        (["Supplier", "Invoice Number", "Payment Date", "Line Value", "Total Invoice Amount"], "header"),
    ],
)
def test_line_amounts_preferred_beside_invoice_totals(tmp_path, header, seen):
    rows, lines_total = _invoices()
    result = ingest_paths([_write(tmp_path / "lines.csv", header, rows)], "Test Council")
    assert int(result.transactions["amount_pence"].sum()) == lines_total  # each invoice once
    row = result.column_maps.set_index("field").loc["amount"]
    assert row["column"] == header[3] and row["note"].startswith(f"line amounts read: {header[3]!r}")
    assert header[4] in row["note"] and "once per line" in row["note"]
    if seen == "content":
        assert "repeats on each line of an invoice and the lines sum to it" in row["note"]


def test_invoice_totals_alone_are_not_second_guessed(tmp_path):
    # one line per invoice: the total is the amount, and nothing says otherwise
    rows = [
        [PAYEES[i % 4], f"INV{i}", f"{1 + i % 28:02d}/05/2023", f"{10 + i:.2f}", f"{10 + i:.2f}"] for i in range(20)
    ]
    header = ["Supplier", "Invoice Number", "Payment Date", "Value", "Total Invoice Amount"]
    result = ingest_paths([_write(tmp_path / "single.csv", header, rows)], "Test Council")
    row = result.column_maps.set_index("field").loc["amount"]
    assert row["column"] == "Total Invoice Amount" and row["note"] == ""


def test_date_column_outside_the_files_period_gives_way_to_one_inside_it(tmp_path):
    """`Date` holds 2022 dates in a file that says it covers May 2023; `Invoice Date` holds May 2023."""
    rows = [[p, d, f"{1 + i % 28:02d}/01/2022", a] for i, (p, d, a, _) in enumerate(_rows())]
    path = _write(tmp_path / "spend-may-2023.csv", ["Supplier", "Invoice Date", "Date", "Amount"], rows)
    result = ingest_paths([path], "Test Council")
    row = result.column_maps.set_index("field").loc["payment_date"]
    assert row["column"] == "Invoice Date"
    assert "May 2023, the period the name 'spend-may-2023.csv' states" in row["note"]
    assert (result.transactions["payment_date"].astype(str).str[:7] == "2023-05").all()
    # named by the user: taken as said
    said = ingest_paths([path], "Test Council", overrides={"payment_date": "Date"})
    assert (said.transactions["payment_date"].astype(str).str[:7] == "2022-01").all()


def test_the_only_date_column_outside_the_period_is_read_with_a_note(tmp_path):
    """A file's name can be wrong (Stoke's `April 2023` file holds August 2024): read, and said."""
    path = _write(tmp_path / "spend-august-2023.csv", ["Supplier", "Date", "Amount", "Ref"], _rows())
    result = ingest_paths([path], "Test Council")
    assert len(result.transactions) == 30
    note = result.column_maps.set_index("field").loc["payment_date", "note"]
    assert (
        note
        == "every date in 'Date' falls outside August 2023, the period the name 'spend-august-2023.csv' states: read as dated"
    )
    # a title row states the period before the name does
    titled = tmp_path / "spend-august-2023b.csv"
    titled.write_text("Payments over £500: May 2023\n" + path.read_text(encoding="utf-8"), encoding="utf-8")
    assert ingest_paths([titled], "Test Council").column_maps.set_index("field").loc["payment_date", "note"] == ""
