"""Headers as public bodies write them (issue 17 point 1): which row is the header, and which column
holds each field, for the layouts of the family: Unit4 `X` / `X(T)` pairs, card exports' `MCH.` /
`FIN.` qualifiers and `- ORIGINAL` columns, line breaks and padding, duplicated names told apart by
content, a header that is only `£`, the publisher's own name as a title, title rows, report-writer
markers, two-row headers, a totals row above the header, `Amount (pence)`."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from cwbtools.errors import InputFileError
from cwbtools.ingest import ingest_paths
from cwbtools.ingest.columns import field_for, header_label, map_header, normalise_header, override_column
from cwbtools.ingest.evidence import label, weigh
from cwbtools.ingest.headers import find_header, stacked
from cwbtools.ingest.readers import read_tables

PAYEES = ["Acme Builders Ltd", "Borough Care Services Ltd", "Civic Print plc", "Delta Trust"]
OTHERS = ["Echo Care Ltd", "Foxtrot Homes Ltd", "Golf Supplies plc", "Hotel Catering Ltd"]
N = 30
PENCE = [10000 + 350 * i for i in range(N)]


def _body(n: int = N) -> list[list[str]]:
    """Payee, day-first date in May 2023, amount in pounds."""
    return [[PAYEES[i % 4], f"{1 + i % 28:02d}/05/2023", f"{PENCE[i] / 100:.2f}"] for i in range(n)]


def _write(path: Path, rows: list[list[str]]) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(rows)
    return path


def _core(result) -> dict[str, str]:
    m = result.column_maps
    return dict(zip(m["field"], m["column"]))


def _note(result, fld: str) -> str:
    return result.column_maps.set_index("field").loc[fld, "note"]


# ---- which field a header names ---------------------------------------------------------------


@pytest.mark.parametrize(
    "header, norm",
    [
        ("MCH.MERCHANT NAME", "merchant name"),
        ("FIN.TAX.TAX AMOUNT", "tax amount"),
        ("ap.amount", "amount"),
        ("St.Helens", "st helens"),  # a place, not a table qualifier
        ("e.g. Amount", "e g amount"),
        ("Supplier\r\nName", "supplier name"),
        ("  Amount  ", "amount"),
    ],
)
def test_normalise(header, norm):
    assert normalise_header(header) == norm


def test_unit4_text_column_is_the_name_and_outranks_its_code():
    """Agresso/Unit4 exports: `X` holds a code, `X(T)` its text, in either order."""
    cm = map_header(["Supplier ID(T)", "Supplier ID", "Pay Date", "Net Amount", "Account(T)", "Account"])
    assert cm.columns["supplier_name"] == 0 and cm.columns["supplier_id"] == 1
    assert cm.columns["expense_category"] == 4  # the account's text, not its code
    cm = map_header(["Supplier", "Payment Date", "Amount", "Supplier(T)"])
    assert cm.columns["supplier_name"] == 3
    cm = map_header(["Ap/Ar ID", "Ap/Ar ID(T)", "Period", "Amount"])  # `apar_id`: Unit4's supplier
    assert cm.columns["supplier_name"] == 1 and cm.columns["supplier_id"] == 0
    assert field_for("(T)") is None and field_for("Organisational Structure Tier 1(T)") is None


KIRKLEES_CARD = [
    "Date",
    "ACC.DEFAULT ACCOUNTING CODE 01 DESCRIPTION",
    "MCH.MERCHANT NAME - ORIGINAL",
    "FIN.NET TRANSACTION AMOUNT",
    "FIN.TAX.TAX AMOUNT",
    "MCH.MERCHANT CATEGORY CODE (MCC)",
    "MCH.MCC DESCRIPTION",
    "MCH.MERCHANT NAME",
]


def test_card_export_reads_the_clean_name_net_amount_and_tax_apart():
    cm = map_header(KIRKLEES_CARD)
    named = {f: KIRKLEES_CARD[j] for f, j in cm.columns.items()}
    assert named["supplier_name"] == "MCH.MERCHANT NAME"  # not the name as captured at the till
    assert named["amount"] == "FIN.NET TRANSACTION AMOUNT" and named["vat_amount"] == "FIN.TAX.TAX AMOUNT"
    assert "supplier_id" not in named  # a merchant category code says what was bought, not who
    assert named["expense_code"] == "MCH.MERCHANT CATEGORY CODE (MCC)"
    # with no clean column, the original is what there is
    alone = map_header([h for h in KIRKLEES_CARD if h != "MCH.MERCHANT NAME"])
    assert alone.columns["supplier_name"] == 2
    assert map_header(["Supplier", "Raw Supplier", "Date", "Amount"]).columns["supplier_name"] == 0
    assert map_header(["Raw Supplier", "Supplier", "Date", "Amount"]).columns["supplier_name"] == 1


def test_amount_words_of_the_family():
    assert map_header(["Auth", "Proclass", "Supplier", "Date", "Dept", "Invoiced"]).columns["amount"] == 5
    assert field_for("Invoice Total")[0] == "amount" and field_for("Total Paid")[0] == "amount"
    assert field_for("Amount inc VAT")[0] == "amount" and field_for("Total VAT")[0] == "vat_amount"


def test_a_header_that_is_only_a_pound_sign_is_the_amount_below_any_named_one():
    for h in ("£", " (£) ", "GBP", "Â£"):
        assert field_for(h)[0] == "amount", h
    assert field_for("*") is None and field_for("") is None
    assert map_header(["Supplier", "Date", "£"]).columns["amount"] == 2
    assert map_header(["Supplier", "Date", "£", "Net Amount"]).columns["amount"] == 3


def test_the_publishers_own_name_as_a_column_title_names_no_field():
    for h in ("Slough Borough Council", "Hampshire Fire and Rescue Service", "Department for Education"):
        assert field_for(h)[0] == "body_name", h
    cm = map_header(["Hampshire Fire and Rescue Service", "Supplier", "Date", "Amount"])
    assert cm.columns["body_name"] == 0 and "service_area" not in cm.columns
    assert field_for("Council Supplier Name")[0] == "supplier_name"  # a field's own words still count


def test_a_payment_date_beats_a_date_that_says_it_is_something_else():
    cm = map_header(["Supplier", "Invoice Date", "Cheque Date", "Amount"])
    assert cm.columns["payment_date"] == 2
    assert map_header(["Supplier", "Invoice Date", "Amount"]).columns["payment_date"] == 1
    assert map_header(["Supplier", "Invoice Date", "Amount", "Period"]).columns["payment_date"] == 1
    assert map_header(["Supplier", "Invoice Payment Date", "Invoice Date", "Amount"]).columns["payment_date"] == 1


def test_grouped_card_headers_read_by_their_field():
    """Telford's card file: `Statement Period – End Date` before `Transaction – Transaction Date`."""
    header = [
        "Internal Reference",
        "Statement Period – End Date",
        "Transaction – Transaction Date",
        "Transaction – Billing Amount",
        "Supplier",
    ]
    cm = map_header(header)
    assert cm.columns["payment_date"] == 2 and cm.columns["amount"] == 3


def test_duplicated_header_labels_name_each_column_for_an_override():
    cells = ["Supplier", "SUPPLIER", "Supplier", "Supplier  Name", "Supplier Name", None]
    labels = [header_label(cells, j) for j in range(len(cells))]
    assert labels == ["Supplier", "SUPPLIER", "Supplier#2", "Supplier Name", "Supplier Name#2", "column 6"]
    assert [override_column(cells, t) for t in labels[:5]] == [0, 1, 2, 3, 4]
    assert override_column(cells, "Supplier#3") is None and override_column(cells, "Supplier #2") == 2


# ---- which row is the header ------------------------------------------------------------------


def test_machine_header_above_the_human_one_loses_the_tie():
    """Agresso `agr_getbrowser`: `columns,text ...` names the same fields one row above the header."""
    rows = [
        ["query agr_getbrowser 'Monthly Spend'", "", "", ""],
        ["columns", "text supplier_name", "text payment_date", "amount"],
        ["", "Supplier Name", "Payment Date", "Amount"],
        ["INSERTED DETAIL", "Acme Ltd", "01/05/2023", "100.00"],
    ]
    idx, cm = find_header(rows)
    assert idx == 2 and cm.header[1] == "Supplier Name"
    assert "query agr_getbrowser 'Monthly Spend'" in cm.title


def test_two_row_header_read_as_one():
    top = ["Supplier", None, "Payment", None, "Amount"]
    bottom = ["Name", "Code", "Date", "Ref", "£"]
    assert stacked(top, bottom) == ["Supplier Name", "Supplier Code", "Payment Date", "Payment Ref", "Amount £"]
    idx, cm = find_header([["Payments over £500"], top, bottom, ["Acme Ltd", "S1", "01/05/2023", "R1", "5.00"]])
    assert idx == 2
    assert cm.columns == {
        "supplier_name": 0,
        "supplier_id": 1,
        "payment_date": 2,
        "transaction_ref": 3,
        "amount": 4,
    }
    # cells merged down stand alone; cells merged across head the cells under them
    idx, cm = find_header([["Date", "Supplier", None, "Amount"], [None, "Name", "Code", None], ["01/05/2023"]])
    assert idx == 1 and cm.header == ["Date", "Supplier Name", "Supplier Code", "Amount"]
    # a full header over a data row is never stacked with it
    idx, cm = find_header([["Supplier", "Date", "Amount"], ["Acme Ltd", "01/05/2023", "5.00"]])
    assert idx == 0 and cm.header == ["Supplier", "Date", "Amount"]
    # nor is a key/value row (LGA preamble) with the full header under it
    rows = [
        ["Organisation Name", "Barnsley MBC", None, None, None],
        ["Service Area", "Supplier", "Date", "Amount", "Notes"],
    ]
    idx, cm = find_header(rows)
    assert idx == 1 and cm.header == rows[1]


# ---- files, read end to end -------------------------------------------------------------------


def test_line_breaks_and_padding_in_header_cells(tmp_path):
    path = _write(tmp_path / "breaks.csv", [["  Supplier\nName ", "Payment\r\nDate", "Amount £ \n(Ex VAT)"], *_body()])
    result = ingest_paths([path], "Test Council")
    assert int(result.transactions["amount_pence"].sum()) == sum(PENCE)
    assert _core(result)["amount"] == "Amount £ (Ex VAT)"  # whitespace collapsed where it is shown
    assert _core(result)["supplier_name"] == "Supplier Name"


def test_header_under_title_rows_and_a_totals_row(tmp_path):
    total = f"{sum(PENCE) / 100:.2f}"
    rows = [
        ["Slough Borough Council"],
        ["Payments over £500, May 2023"],
        [],
        ["", "", total],
        ["Supplier", "Date", "Amount"],
    ]
    result = ingest_paths([_write(tmp_path / "titled.csv", rows + _body())], "Test Council")
    assert int(result.column_maps["header_row"].iloc[0]) == 5
    assert len(result.transactions) == N and int(result.transactions["amount_pence"].sum()) == sum(PENCE)


def test_agresso_export_markers(tmp_path):
    """`query ...`, `sort`, `columns,text ...`, a header with a blank first cell, `INSERTED DETAIL`
    on every row and an `INSERTED FOOTER` total (Wolverhampton's layout)."""
    total = f"{sum(PENCE) / 100:.2f}"
    rows = [
        ["query agr_getbrowser 'Monthly Spend Report (SE)'", "", "", "", ""],
        ["sort", "", "", "", ""],
        ["columns", "text apar_id", "text xapar_id", "amount", "text pay_date__1"],
        ["", "Supplier ID", "Supplier ID(T)", "Amount", "Payment Date"],
        ["subtotal,outline ", "", "", "", ""],
        *[["INSERTED DETAIL", str(700000 + i % 4), p, a, d] for i, (p, d, a) in enumerate(_body())],
        ["INSERTED FOOTER", "", "", total, ""],
    ]
    result = ingest_paths([_write(tmp_path / "agresso.csv", rows)], "Test Council")
    assert _core(result)["supplier_name"] == "Supplier ID(T)" and _core(result)["supplier_id"] == "Supplier ID"
    assert sorted(result.transactions["supplier_name"].unique()) == sorted(PAYEES)
    assert len(result.transactions) == N and int(result.transactions["amount_pence"].sum()) == sum(PENCE)
    assert result.balanced()


def test_two_row_header_in_a_workbook_with_merged_cells(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Supplier", None, "Payment", None, "Amount"])
    ws.append(["Name", "Code", "Date", "Ref", "£"])
    ws.merge_cells("A1:B1")
    ws.merge_cells("C1:D1")
    for i, (payee, date, amount) in enumerate(_body()):
        ws.append([payee, f"S{i % 4}", date, f"R{i}", float(amount)])
    wb.save(tmp_path / "merged.xlsx")
    result = ingest_paths([tmp_path / "merged.xlsx"], "Test Council")
    assert _core(result)["supplier_name"] == "Supplier Name" and _core(result)["supplier_id"] == "Supplier Code"
    assert _core(result)["amount"] == "Amount £" and _core(result)["payment_date"] == "Payment Date"
    assert len(result.transactions) == N and int(result.transactions["amount_pence"].sum()) == sum(PENCE)


def test_amount_in_pence_read_as_pence(tmp_path):
    rows = [
        ["Supplier Name", "Payment Date", "Amount (pence)"],
        *[[p, d, str(PENCE[i])] for i, (p, d, _) in enumerate(_body())],
    ]
    result = ingest_paths([_write(tmp_path / "pence.csv", rows)], "Test Council")
    assert int(result.transactions["amount_pence"].sum()) == sum(PENCE)


@pytest.mark.parametrize("codes_first", [True, False])
def test_two_supplier_columns_one_of_codes_reads_the_names(tmp_path, codes_first):
    rows = [["Supplier", "Supplier", "Payment Date", "Amount"]]
    for i, (p, d, a) in enumerate(_body()):
        pair = [f"C{22000 + i % 4}", p] if codes_first else [p, f"C{22000 + i % 4}"]
        rows.append([*pair, d, a])
    result = ingest_paths([_write(tmp_path / "twins.csv", rows)], "Test Council")
    assert sorted(result.transactions["supplier_name"].unique()) == sorted(PAYEES)
    note = _note(result, "supplier_name")
    assert "2 columns headed 'Supplier'" in note and "codes" in note and "names" in note
    assert not any(p in note for p in PAYEES)


def test_two_supplier_columns_both_of_names_are_refused_and_an_override_picks_one(tmp_path):
    rows = [["Supplier", "Supplier", "Payment Date", "Amount"]]
    rows += [[p, OTHERS[i % 4], d, a] for i, (p, d, a) in enumerate(_body())]
    path = _write(tmp_path / "twins.csv", rows)
    with pytest.raises(InputFileError) as err:
        ingest_paths([path], "Test Council")
    msg = str(err.value)
    assert str(path) in msg and "\n" not in msg
    assert "'Supplier': names; 'Supplier#2': names" in msg and "--column supplier_name='Supplier#2'" in msg
    assert not any(p in msg for p in PAYEES + OTHERS)
    result = ingest_paths([path], "Test Council", overrides={"supplier_name": "Supplier#2"})
    assert sorted(result.transactions["supplier_name"].unique()) == sorted(OTHERS)
    assert result.column_maps.set_index("field").loc["supplier_name", "read_from"] == "override"


def test_two_amount_columns_one_all_zero_and_two_date_columns(tmp_path):
    rows = [["Supplier", "Date", "Date", "Amount", "Amount"]]
    rows += [[p, f"{1 + i % 20:02d}/04/2023", d, "0.00", a] for i, (p, d, a) in enumerate(_body())]
    result = ingest_paths([_write(tmp_path / "twins.csv", rows)], "Test Council")
    assert _core(result)["amount"] == "Amount#2" and _core(result)["payment_date"] == "Date#2"
    assert int(result.transactions["amount_pence"].sum()) == sum(PENCE)
    assert (result.transactions["payment_date"].astype(str).str[:7] == "2023-05").all()  # the later: paid
    assert "the later dates" in _note(result, "payment_date")


# ---- real ledgers: the columns a person picks -------------------------------------------------

# file, sheet, supplier, amount, date: as in tests/data/corpus/notes.csv (picked by eye)
REAL = [
    ("bury/bury_dec_2023.xlsx", "Spend Over £500 ( Distributed )", "Supplier", "Invoiced", "Date"),
    (
        "cheshire-west-chester/2023-24-500gbp-spend-quarter-1.xlsx",
        "Q1 (2023-24)",
        "Supplier ID(T)",
        "Net Amount",
        "Pay Date",
    ),
    ("wolverhampton/wolver_apr_2023.csv", "", "Supplier ID(T)", "Amount", "Payment Date"),
    (
        "kirklees/Purchase-Card-Transactions-Quarter-1-2023-24.xlsx",
        "Quarter 1 - 23.24",
        "MCH.MERCHANT NAME",
        "FIN.NET TRANSACTION AMOUNT",
        "Date",
    ),
    ("rutland/payments_made_to_suppliers_2023_to_2024.csv", "", "Supplier Name(T)", None, None),
    ("durham-pcc/durham_pcc_2024-25.xlsx", "FEB 25 PCC", "Ap/Ar ID(T)", None, None),
    (
        "telford-wrekin/gpc_transparency_spend_april_2023_for_publication.csv",
        "",
        "Supplier",
        None,
        "Transaction – Transaction Date",
    ),
    ("cambridge-city/spending_fy2024_25.csv", "", "Supplier Name", "Invoice Amount (Excluding VAT)", "Invoice Date"),
    ("harrow/q1_apr_jun_2023.xlsx", "Final Submission", None, "Net value", None),
]


@pytest.mark.realdata
@pytest.mark.parametrize("name, sheet, supplier, amount, date", REAL, ids=[r[0] for r in REAL])
def test_real_ledger_columns_are_the_ones_a_person_picks(shared_data, name, sheet, supplier, amount, date):
    path = shared_data / "spend-corpus" / name
    [table] = [t for t in read_tables(path, path.name) if t.sheet == sheet]
    weigh(table)
    cm = table.colmap
    for fld, want in (("supplier_name", supplier), ("amount", amount), ("payment_date", date)):
        if want is not None:
            assert normalise_header(label(cm, cm.columns[fld])) == normalise_header(want), fld


def test_inspect_shows_the_map_with_its_evidence(tmp_path):
    from cwbtools.ingest.inspect import inspect_text

    rows = [["Supplier", "Supplier", "Payment Date", "Amount"]]
    rows += [[f"C{22000 + i % 4}", p, d, a] for i, (p, d, a) in enumerate(_body())]
    text = inspect_text([_write(tmp_path / "twins.csv", rows)])
    assert "supplier_name    <- 'Supplier#2' (header) [names]" in text
    assert "note: 2 columns headed 'Supplier'" in text
    assert not list(tmp_path.glob("*.parquet")) and io.StringIO(text).readline().startswith("twins.csv")
