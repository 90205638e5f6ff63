"""Ingest on small hand-made ledgers whose right answers are worked out by hand."""

from __future__ import annotations

import datetime as dt
import sys
from decimal import Decimal
from pathlib import Path

import openpyxl
import pandas as pd
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cwbtools.cli import main as cwb
from cwbtools.errors import InputFileError
from cwbtools.ingest import (
    amounts_to_pence,
    financial_year,
    ingest_paths,
    is_redacted,
    looks_like_individual,
    parse_amount_pence,
    parse_date,
    period_financial_year,
)
from cwbtools.ingest.columns import map_header

# ---- values ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text,pence",
    [
        ("£1,303.20", 130320),
        ("(123.45)", -12345),
        ("123.45-", -12345),
        ("1303.2", 130320),
        ("-0.01", -1),
        ("  2,730.00 ", 273000),
        ("1,440", 144000),
        (".5", 50),
        ("£-5.00", -500),
        ("12.50 CR", -1250),
        (7740, 774000),
        (610.81, 61081),
        (49937.59000000003, 4993759),
        (2172.0699999999997, 217207),
        ("", None),
        ("n/a", None),
        ("1.2.3", None),
        (None, None),
        ("12/04/2019", None),
        ("12,50", None),
        ("1,2345.00", None),
        ("12,345,678.90", 1234567890),
    ],
)
def test_parse_amount_pence(text, pence):
    assert parse_amount_pence(text) == pence


@given(st.decimals(min_value=Decimal("-9999999.99"), max_value=Decimal("9999999.99"), places=2))
@settings(max_examples=200, deadline=None)
def test_amount_forms_agree(d):
    pence = int(d * 100)
    assert parse_amount_pence(f"{d:,.2f}") == pence
    assert parse_amount_pence(f"£{abs(d):,.2f}") == abs(pence)
    assert parse_amount_pence(f"({abs(d):.2f})") == -abs(pence)
    assert parse_amount_pence(f"{abs(d):.2f}-") == -abs(pence)


@given(
    st.lists(
        st.one_of(
            st.decimals(min_value=Decimal("-99999"), max_value=Decimal("99999"), places=2).map(lambda d: f"{d:,.2f}"),
            st.sampled_from(["", " ", "x", "(12.30)", "£4", "1.005", "7-"]),
            st.none(),
            st.floats(min_value=-1e6, max_value=1e6, allow_nan=False).map(lambda f: round(f, 2)),
        ),
        max_size=30,
    )
)
@settings(max_examples=100, deadline=None)
def test_vectorised_amounts_equal_scalar(values):
    got = amounts_to_pence(pd.Series(values, dtype=object)).tolist()
    assert [None if g is pd.NA else g for g in got] == [parse_amount_pence(v) for v in values]
    texts = [v for v in values if isinstance(v, str)]
    got = amounts_to_pence(pd.Series(texts, dtype="string[pyarrow]")).tolist()
    assert [None if g is pd.NA else g for g in got] == [parse_amount_pence(v) for v in texts]


@pytest.mark.parametrize(
    "value,date",
    [
        ("03/04/2018", dt.date(2018, 4, 3)),
        ("2018-04-03", dt.date(2018, 4, 3)),
        ("03-Apr-18", dt.date(2018, 4, 3)),
        ("3 Apr 2023", dt.date(2023, 4, 3)),
        ("14 Sept 2023", dt.date(2023, 9, 14)),
        ("15/01/26", dt.date(2026, 1, 15)),
        (43193, dt.date(2018, 4, 3)),
        ("43193", dt.date(2018, 4, 3)),
        (dt.datetime(2023, 6, 1, 1, 0), dt.date(2023, 6, 1)),
        ("2019-01-03 00:00:00", dt.date(2019, 1, 3)),
        ("20180403", dt.date(2018, 4, 3)),
        ("00:00:00", None),
        ("31/02/2019", None),
        ("", None),
        ("soon", None),
        (7, None),
    ],
)
def test_parse_date(value, date):
    assert parse_date(value) == date


def test_financial_year_and_periods():
    assert financial_year(dt.date(2019, 4, 1)) == "2019/20"
    assert financial_year(dt.date(2020, 3, 31)) == "2019/20"
    assert financial_year(dt.date(1999, 12, 31)) == "1999/00"
    assert period_financial_year("expenditure-over-500-apr-jun-2014.csv") == "2014/15"
    assert period_financial_year("expenditure-over-500-jan-mar-2015.csv") == "2014/15"
    assert period_financial_year("Jan 19") == "2018/19"
    assert period_financial_year("payments-mar-apr-2019.csv") is None  # straddles two years
    assert period_financial_year("ledger.csv") is None


def test_identifiers_in_a_ledger_take_the_one_spelling(tmp_path):
    """A company-number column as ledgers write it: each row's number is the table's canonical one
    (`cwbtools.identifiers`), and the charity column splits into charity numbers and other ids."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "base"))
    from test_identifiers import COMPANY_NUMBERS  # one table of spellings, shared with the normaliser's tests

    charities = ["CHC-1101234", "1101234.0", "NHS-RXN"]
    lines = ["Supplier Name,Payment Date,Amount,Company Number,Charity Number"]
    for i, (raw, _) in enumerate(COMPANY_NUMBERS):
        lines.append(f"Supplier {i} Ltd,01/05/2019,{i + 1}.00,{raw},{charities[i % 3]}")
    f = _write(tmp_path / "ids.csv", "\n".join(lines) + "\n")
    tx = ingest_paths([f], anchor="Test").transactions
    cells = lambda col: [None if pd.isna(v) else v for v in tx[col]]  # noqa: E731
    assert cells("company_number") == [expected for _, expected in COMPANY_NUMBERS]
    assert cells("charity_number") == [["1101234", "1101234", None][i % 3] for i in range(len(tx))]
    assert cells("other_id") == [[None, None, "NHS-RXN"][i % 3] for i in range(len(tx))]


def test_ledger_flags_read_as_booleans(tmp_path):
    """A published VCSE flag and influenceable flag read as booleans; any other value is null, said
    in the column map; a `Non-influenceable` column is read inverted; a ledger without them has nulls."""
    rows = ["Supplier Name,Payment Date,Amount,VCSE,Non-influenceable"]
    cells = [("Y", "No"), ("no", "yes"), ("TRUE", "0"), ("0", "1"), ("Partly", ""), ("", "maybe")]
    rows += [f"Supplier {i} Ltd,01/05/2019,{i + 1}.00,{v},{n}" for i, (v, n) in enumerate(cells)]
    res = ingest_paths([_write(tmp_path / "flags.csv", "\n".join(rows) + "\n")], anchor="Test")
    tx = res.transactions
    as_list = lambda col: [None if pd.isna(v) else bool(v) for v in tx[col]]  # noqa: E731
    assert as_list("ledger_vcse") == [True, False, True, False, None, None]
    assert as_list("ledger_influenceable") == [True, False, True, False, None, None]
    notes = res.column_maps.set_index("field")["note"]
    assert "'Partly'" in notes["ledger_vcse"] and "'maybe'" in notes["ledger_non_influenceable"]
    assert set(res.column_maps["field"]) >= {"ledger_vcse", "ledger_non_influenceable"}

    both = ["Supplier Name,Payment Date,Amount,Influenceable spend (Y/N),Non-influenceable"]
    both += ["A Ltd,01/05/2019,1.00,Y,Y"]  # the column that says it directly wins
    tx = ingest_paths([_write(tmp_path / "both.csv", "\n".join(both) + "\n")], anchor="Test").transactions
    assert tx["ledger_influenceable"].tolist() == [True]

    plain = _write(tmp_path / "plain.csv", "Supplier Name,Payment Date,Amount\nA Ltd,01/05/2019,1.00\n")
    tx = ingest_paths([plain], anchor="Test").transactions
    assert tx["ledger_vcse"].isna().all() and tx["ledger_influenceable"].isna().all()


@pytest.mark.parametrize(
    "name",
    [
        "MR Y ALI",
        "Mrs J Smith",
        "Dr Jennifer Miller",
        "DR J WILLIAMS",
        "Sarah Hyams",
        "CAROL HAYTHORNTHWAITE",
        "ALISON ARMOUR",
        "J SMITH",
        "Redacted personal data",
        "Redacted, personal data",
        "*** COMPANY NAME REDACTED ***",
        "THIRD PARTY SUPPLIER",
        "THIRD PARTY",
        "PERSONAL DETAILS REDACTED",
    ],
)
def test_individuals_flagged(name):
    assert looks_like_individual(name)


@pytest.mark.parametrize(
    "name",
    [
        "Oxford Homeless Pathways",
        "Lincoln College",
        "Victoria Wine",
        "ATKINS LIMITED",
        "HMRC",
        "2am",
        "SCC",
        "Bike Oxford",
        "Oxford Pride Group",
        "WYRE BOROUGH COUNCIL",
        "TOTAL HYGIENE LTD",
        "Boogie Bros",
        "NDORS TRAINER",
        "ANIMAL RELATED SERVICES",
        "THIRD PARTY FORENSICS",
        "P & C G",
        "",
        None,
    ],
)
def test_organisations_not_flagged(name):
    assert not looks_like_individual(name)


def test_redaction_markers():
    assert is_redacted("Redacted personal data") and is_redacted("THIRD PARTY SUPPLIER")
    assert not is_redacted("THIRD PARTY FORENSICS") and not is_redacted("Sarah Hyams")


# ---- headers --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "header,field",
    [
        ("Supplier Name", "supplier_name"),
        ("Beneficiary Name", "supplier_name"),
        ("Vendor Name", "supplier_name"),
        ("Payee", "supplier_name"),
        ("Name:  ", "supplier_name"),
        ("* SUPPLIER FINAL", "supplier_name"),
        ("SUPPLIER", "supplier_name"),
        ("supplier_name", "supplier_name"),
        ("Supplier Name ", "supplier_name"),
        ("Net Amount(£)", "amount"),
        ("Net Amount(\u0153)", "amount"),
        ("Net Amount (Â£)", "amount"),
        ("Amount", "amount"),
        ("Total Invoice Amount", "amount"),
        ("TOTAL", "amount"),
        ("Value", "amount"),
        ("Amount Paid", "amount"),
        ("Paid Date", "payment_date"),
        ("Payment Date", "payment_date"),
        ("Date Paid", "payment_date"),
        ("Transaction Date", "payment_date"),
        ("* Date", "payment_date"),
        ("paid_date", "payment_date"),
        ("Expenditure Catergory", "expense_category"),
        ("Expense Type", "expense_category"),
        ("Account Detail", "expense_category"),
        ("Service Area", "service_area"),
        ("Cost Centre", "service_area"),
        ("Directorate", "service_area"),
        ("Department Area", "directorate"),
        ("Directorate", "directorate"),
        ("Organisatonal Unit", "service_area"),
        ("Service Cost Centre", "service_area"),
        ("Transaction Number", "transaction_ref"),
        ("Invoice Ref", "transaction_ref"),
        ("HBC Ref No.", "transaction_ref"),
        ("Trans No", "transaction_ref"),
        ("VAT Registration Number", "vat_number"),
        ("Supplier Postcode", "postcode"),
        ("Company Number", "company_number"),
        ("Charity Number", "charity_number"),
        ("Supplier ID", "supplier_id"),
        ("sicc_int", "ledger_sic_code"),
        ("VCSE", "ledger_vcse"),
        ("Voluntary sector", "ledger_vcse"),
        ("Third Sector", "ledger_vcse"),
        ("Charity (Y/N)", "ledger_vcse"),
        ("SME/VCSE", "ledger_vcse"),
        ("Influenceable", "ledger_influenceable"),
        ("Influenceable spend (Y/N)", "ledger_influenceable"),
        ("Procurement spend", "ledger_influenceable"),
        ("Non-influenceable", "ledger_non_influenceable"),
    ],
)
def test_header_synonyms(header, field):
    cm = map_header(["x1", header, "x2"])
    assert cm.columns.get(field) == 1


def test_first_synonym_wins_and_overrides():
    cm = map_header(["Department Area", "Service Area", "Name:  ", "Payment Date", "Amount Paid"])
    assert cm.columns["service_area"] == 1 and cm.columns["directorate"] == 0
    cm = map_header(
        ["Who", "When", "How much"], overrides={"supplier_name": "Who", "payment_date": "When", "amount": "How much"}
    )
    assert cm.columns == {"supplier_name": 0, "payment_date": 1, "amount": 2}


# ---- files ----------------------------------------------------------------------------------


def _write(path: Path, text: str, encoding="utf-8", newline="\n") -> Path:
    path.write_bytes(text.replace("\n", newline).encode(encoding))
    return path


def _recon(result, name):
    return result.reconciliation.set_index("source_file").loc[name]


def test_messy_csv_balances(tmp_path):
    """cp1252 £, CR-only lines, blank rows before the header, interleaved empty columns, a credit in
    brackets, a `123.45-` credit, a total row and trailing blank rows."""
    text = (
        ",,,,,,\n,,,,,,\n"
        "Service Area,,Name:  ,,Payment Date,,Net Amount(£)\n"
        'Parks,,Acme Ltd,,03/04/2019,,"£1,303.20"\n'
        'Parks,,Acme Ltd,,03/04/2019,,"£1,303.20"\n'  # a second, identical invoice line: kept
        "Housing,,Mrs J Smith,,04/04/2019,,(123.45)\n"
        "Housing,,Bolt Builders Ltd,,05-Apr-19,,250.00-\n"
        'Finance,,,,,,"1,429.75"\n'  # no payee, no date: the file total
        "Finance,,Grand Total,,,,999.99\n"
        "Parks,,Acme Ltd,,not a date,,10.00\n"
        ",,,,,,\n"
    )
    f = _write(tmp_path / "messy.csv", text, encoding="cp1252", newline="\r")
    res = ingest_paths([f], anchor="Test")
    tx = res.transactions
    assert list(tx.amount_pence) == [130320, 130320, -12345, -25000]
    assert list(tx.row_number) == [4, 5, 6, 7]
    assert tx.individual.tolist() == [False, False, True, False]
    assert (tx.financial_year == "2019/20").all()
    assert tx.service_area.tolist() == ["Parks", "Parks", "Housing", "Housing"]
    r = _recon(res, "messy.csv")
    assert r.rows_read == 10 and r.rows_kept == 4 and r.rows_set_aside == 6
    assert r.pence_read == 130320 * 2 - 12345 - 25000 + 142975 + 99999 + 1000
    assert r.pence_kept + r.pence_set_aside == r.pence_read
    assert (r.reason_blank, r.reason_total_row, r.reason_unreadable_date) == (3, 2, 1)
    q = res.quarantine
    assert set(q.reason) == {"blank", "total_row", "unreadable_date"}
    assert q.set_index("row_number").loc[10, "raw"].startswith("Parks|")


def test_header_at_foot_and_no_header(tmp_path):
    rows = [
        'Regeneration,,Strategic Housing,,CRINV1,,Rhea Projects Ltd,,04/03/2025,,"2,730.00"',
        "Resources,,ICT,,CRINV2,,Civica UK Ltd,,05/03/2025,,540.50",
        'Resources,,ICT,,CRINV3,,Civica UK Ltd,,06/03/2025,,"1,200.00"',
        "Environment,,Parks,,CRINV4,,Balmers Garden Machinery,,07/03/2025,,99.99",
    ]
    header = "Department Area,,Service Area,,HBC Ref No.,,Name:  ,,Payment Date,,Amount Paid"
    foot = _write(tmp_path / "foot.csv", "\n".join(rows + [header]) + "\n")
    bare = _write(tmp_path / "bare.csv", "\n".join(rows) + "\n")
    for f in (foot, bare):
        res = ingest_paths([f], anchor="H")
        tx = res.transactions
        assert tx.amount_pence.tolist() == [273000, 54050, 120000, 9999], f.name
        assert tx.supplier_name.tolist()[0] == "Rhea Projects Ltd"
        assert str(tx.payment_date.iloc[0]) == "2025-03-04"
        assert _recon(res, f.name).rows_read == 4
    assert ingest_paths([foot], anchor="H").transactions.transaction_ref.tolist()[0] == "CRINV1"


def test_real_headerless_file_reads_like_its_header(tmp_path, spend_dir):
    """Hyndburn's April-25-CSV.csv without its one header line (at the foot) gives the same payments."""
    src = spend_dir / "hyndburn" / "April-25-CSV.csv"
    lines = src.read_bytes().split(b"\r\n")
    cut = [ln for ln in lines if not ln.startswith(b"Department Area")]
    assert len(cut) == len(lines) - 1
    (tmp_path / "April-25-CSV.csv").write_bytes(b"\r\n".join(cut))
    a = ingest_paths([src], anchor="H").transactions
    b = ingest_paths([tmp_path / "April-25-CSV.csv"], anchor="H").transactions
    assert len(a) == len(b) == 404
    assert a.amount_pence.sum() == b.amount_pence.sum()
    assert (a.supplier_name.to_numpy() == b.supplier_name.to_numpy()).all()
    assert (a.payment_date.astype(str).to_numpy() == b.payment_date.astype(str).to_numpy()).all()


def test_semicolon_bom_utf8(tmp_path):
    f = _write(
        tmp_path / "semi.csv",
        "\ufeffBeneficiary Name;Date Paid;Value;Expense Type\n"
        "Café Nero Ltd;2020-01-31;12,50;Catering\nZeta plc;2020-02-01;7;IT\n",
    )
    res = ingest_paths([f], anchor="S")
    # `12,50` is a European decimal comma: never read as 1,250 pounds; set aside, named
    assert res.transactions.supplier_name.tolist() == ["Zeta plc"]
    assert res.quarantine.reason.tolist() == ["unreadable_amount"]
    assert res.transactions.amount_pence.tolist() == [700]
    assert res.transactions.expense_category.tolist() == ["IT"]


def test_overlapping_files_counted_once(tmp_path):
    head = "Supplier Name,Payment Date,Amount,Transaction Number\n"
    a = _write(
        tmp_path / "q1.csv",
        head + "Acme Ltd,01/05/2019,100.00,T1\nAcme Ltd,01/05/2019,100.00,T1\nBolt Ltd,02/05/2019,50.00,T2\n",
    )
    b = _write(tmp_path / "q1-republished.csv", head + "Acme Ltd,01/05/2019,100.00,T1\nCole Ltd,03/05/2019,7.00,T3\n")
    res = ingest_paths([a, b], anchor="D")
    tx = res.transactions
    assert sorted(tx.amount_pence.tolist()) == [700, 5000, 10000, 10000]
    assert (tx[tx.amount_pence == 10000].source_file == "q1.csv").all()
    d = res.duplicates
    assert len(d) == 1 and d.source_file.iloc[0] == "q1-republished.csv" and d.duplicate_of.iloc[0] == "q1.csv"
    rb = _recon(res, "q1-republished.csv")
    assert (rb.rows_read, rb.rows_kept, rb.reason_duplicate_of_other_file, rb.pence_set_aside) == (2, 1, 1, 10000)
    assert res.balanced()


def test_workbook_sheets(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Apr 19"
    ws.append(["Lancashire PCC spend over £500"])
    ws.append([])
    ws.append(["* Expenditure Category", "* Date", "TOTAL", "* SUPPLIER FINAL", "Column1"])
    ws.append(["Petrol", dt.datetime(2019, 4, 1), 49937.59000000003, "ALLSTAR BUSINESS SOLUTIONS LTD", None])
    ws.append(["Training", 43556, 600, "THIRD PARTY", None])
    ws.append([None, None, 50537.59, None, None])
    ws2 = wb.create_sheet("May 19")
    ws2.append(["Expenditure Category", "Date", "Total Invoice Amount", "SUPPLIER"])
    ws2.append(["Rates", dt.datetime(2019, 5, 2), 1250, "WYRE BOROUGH COUNCIL"])
    notes = wb.create_sheet("Notes")
    notes.append(["These figures exclude VAT."])
    wb.save(tmp_path / "pcc.xlsx")
    res = ingest_paths([tmp_path / "pcc.xlsx"], anchor="PCC")
    tx = res.transactions
    assert tx.sheet.tolist() == ["Apr 19", "Apr 19", "May 19"]
    assert tx.amount_pence.tolist() == [4993759, 60000, 125000]
    assert [str(d) for d in tx.payment_date] == ["2019-04-01", "2019-04-01", "2019-05-02"]
    assert tx.row_number.tolist() == [4, 5, 2]
    assert tx.redacted.tolist() == [False, True, False]
    r = _recon(res, "pcc.xlsx")
    # the title line has no amount; the untitled sum line has no payee and no date
    assert (r.reason_no_amount, r.reason_total_row, r.reason_sheet_not_a_ledger) == (1, 1, 1)
    assert r.pence_read == 4993759 + 60000 + 5053759 + 125000 and res.balanced()


def test_unrecognisable_file_names_file_and_columns(tmp_path, capsys):
    f = _write(tmp_path / "mystery.csv", "foo,bar,baz\n1,2,3\n4,5,6\n")
    with pytest.raises(InputFileError) as err:
        ingest_paths([f], anchor="X")
    msg = str(err.value)
    # No cell names a known column, so the top row may be data: counted, not quoted (tests/test_messages.py).
    assert (
        "mystery.csv" in msg
        and "'foo'" not in msg
        and "3 cell(s)" in msg
        and "supplier_name" in msg
        and "amount" in msg
    )
    code = cwb(["ingest", str(f), "--anchor", "X", "--out", str(tmp_path / "out"), "--quiet"])
    err_text = capsys.readouterr().err
    assert code == 2 and "mystery.csv" in err_text and "Traceback" not in err_text
    assert cwb(["ingest", str(tmp_path / "absent.csv"), "--anchor", "X", "--out", str(tmp_path / "o")]) == 2


def test_override_reads_odd_headers(tmp_path):
    f = _write(tmp_path / "odd.csv", "Who,When,How much\nAcme Ltd,01/06/2020,10.00\n")
    with pytest.raises(InputFileError):
        ingest_paths([f], anchor="X")
    res = ingest_paths(
        [f], anchor="X", overrides={"supplier_name": "Who", "payment_date": "When", "amount": "How much"}
    )
    assert res.transactions.amount_pence.tolist() == [1000]


def test_cli_writes_outputs(tmp_path, capsys):
    d = tmp_path / "ledgers"
    d.mkdir()
    _write(d / "a.csv", "Supplier Name,Payment Date,Amount\nAcme Ltd,01/05/2019,100.00\n,,\n")
    (d / "sub").mkdir()
    _write(d / "sub" / "b.csv", "Supplier Name,Payment Date,Amount\nBolt Ltd,01/05/2020,5\n")
    out = tmp_path / "out"
    assert cwb(["ingest", str(d), "--anchor", "Town Council", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "balanced: yes" in printed and "sub/b.csv" in printed
    t = pq.read_table(out / "transactions.parquet")
    assert str(t.schema.field("payment_date").type) == "date32[day]"
    assert str(t.schema.field("amount_pence").type) == "int64"
    assert t.column("source_file").to_pylist() == ["a.csv", "sub/b.csv"]
    rec = pd.read_csv(out / "reconciliation.csv")
    assert list(rec.columns[:8]) == [
        "source_file",
        "sheet",
        "rows_read",
        "rows_kept",
        "rows_set_aside",
        "pence_read",
        "pence_kept",
        "pence_set_aside",
    ]
    q = pd.read_csv(out / "quarantine.csv")
    assert list(q.columns[:6]) == ["source_file", "sheet", "row_number", "reason", "amount_pence", "raw"]


def test_partitioned_streaming_matches_in_memory(tmp_path):
    lines = ["Supplier Name,Payment Date,Amount,Transaction Number"]
    for i in range(1000):
        year = 2018 + i % 3
        lines.append(f"Supplier {i % 17} Ltd,{1 + i % 28:02d}/{1 + i % 12:02d}/{year},{i}.{i % 100:02d},T{i}")
    lines.insert(500, "Short row,01/01/2019")  # a ragged row mid-file: the csv module takes over
    f = _write(tmp_path / "big.csv", "\n".join(lines) + "\n")
    mem = ingest_paths([f], anchor="Big")
    part = ingest_paths([f], anchor="Big", out_dir=tmp_path / "p", partition=True, chunk_rows=300)
    assert part.balanced() and mem.balanced()
    cols = ["rows_read", "rows_kept", "pence_read", "pence_kept", "pence_set_aside"]
    assert part.reconciliation[cols].equals(mem.reconciliation[cols])
    files = sorted((tmp_path / "p" / "transactions" / "anchor=Big").glob("financial_year=*/part-*.parquet"))
    assert {p.parent.name for p in files} == {
        "financial_year=2017%2F18",
        "financial_year=2018%2F19",
        "financial_year=2019%2F20",
        "financial_year=2020%2F21",
    }
    table = pq.read_table(tmp_path / "p" / "transactions", partitioning=None).to_pandas()
    import duckdb  # a hive-aware reader decodes the folder names to the values the files hold

    glob = str(tmp_path / "p" / "transactions" / "**" / "*.parquet")
    hive = (
        duckdb.connect()
        .execute(
            f"SELECT DISTINCT anchor, financial_year FROM read_parquet('{glob}', hive_partitioning = true) ORDER BY 2"
        )
        .fetchall()
    )
    assert hive == [("Big", "2017/18"), ("Big", "2018/19"), ("Big", "2019/20"), ("Big", "2020/21")]
    assert len(table) == len(mem.transactions) == 1000
    assert table.amount_pence.sum() == mem.transactions.amount_pence.sum()
    assert set(table.financial_year.astype(str)) == set(mem.transactions.financial_year)
    assert set(table.anchor.astype(str)) == {"Big"}
    by_year = table.groupby(table.financial_year.astype(str)).amount_pence.sum().sort_index()
    assert by_year.equals(
        mem.transactions.groupby("financial_year")
        .amount_pence.sum()
        .sort_index()
        .rename_axis("financial_year")
        .astype(by_year.dtype)
    )
    assert mem.reconciliation.reason_no_amount.iloc[0] == 1


def test_individual_names_masked_in_quarantine(tmp_path):
    f = _write(tmp_path / "p.csv", "Supplier Name,Payment Date,Amount\nMrs J Smith,,10.00\nAcme Ltd,,5.00\n")
    q = ingest_paths([f], anchor="X").quarantine
    assert "Smith" not in " ".join(q.raw) and "(individual)" in q.raw.iloc[0] and "Acme Ltd" in q.raw.iloc[1]


def test_dos_pound_sign(tmp_path):
    """0x9C is £ in the DOS code page some Hyndburn exports use; cp1252 would read it as `œ`."""
    f = tmp_path / "dos.csv"
    f.write_bytes(
        b"Name,Payment date,Net Amount(\x9c),Description\r\n"
        b"SPECIALIST FLEET SERVICES LTD,24-Apr-17,2644.75,\x9c2644.75 PER MONTH\r\n"
    )
    tx = ingest_paths([f], anchor="H").transactions
    assert tx.description.tolist() == ["£2644.75 PER MONTH"] and tx.amount_pence.tolist() == [264475]


@pytest.mark.parametrize(
    "header",
    [
        # layouts from other transparency-code publishers (not in the shared data)
        [
            "Body",
            "Body Name",
            "Date",
            "Transaction Number",
            "Invoice Number",
            "Amount",
            "Supplier Name",
            "Supplier ID",
            "VAT Registration Number",
            "Expense Area",
            "Expense Type",
            "Expense Code",
            "Creditor Type",
            "Purpose",
        ],
        [
            "Department family",
            "Entity",
            "Date",
            "Expense type",
            "Expense area",
            "Supplier",
            "Transaction number",
            "Amount",
            "Description",
            "Supplier Postcode",
        ],
        [
            "Organisation Name",
            "Organisation Code",
            "Effective Date",
            "Service Division Label",
            "Expenditure Category",
            "Beneficiary",
            "Purpose of Spend",
            "Amount",
            "Payment Number",
            "Irregular Company Number",
            "Charity Number",
        ],
        ["Vendor Name", "Pay Date", "Value (£)", "Category", "Voucher Number", "Department"],
    ],
)
def test_other_publishers_layouts(header):
    cm = map_header(header)
    assert not cm.missing_core()
    named = {f: header[j] for f, j in cm.columns.items()}
    assert "Type" not in named.get("supplier_id", "")  # `Creditor Type` is not an id
    assert "service_area" in named and "transaction_ref" in named


def test_unrecognised_header_cell_borrows_earlier_layout(tmp_path):
    """`+` where the council's other files say `Service Cost Centre` (Hyndburn October 2021)."""
    a = _write(tmp_path / "a.csv", "Service Cost Centre,Name,Payment date,Net Amount(£)\nParks,Acme Ltd,01/05/2019,1\n")
    b = _write(tmp_path / "b.csv", "+,Name,Payment date,Net Amount(£),\nRefuse,Bolt Ltd,02/05/2019,2,\n")
    tx = ingest_paths([a, b], anchor="H").transactions
    assert tx.service_area.tolist() == ["Parks", "Refuse"]
    alone = ingest_paths([b], anchor="H").transactions
    assert alone.service_area.isna().all() and alone.amount_pence.tolist() == [200]


def test_broken_workbook_is_a_clear_error(tmp_path):
    f = tmp_path / "spend.xlsx"
    f.write_bytes(b"this is not a zip file")
    with pytest.raises(InputFileError, match="spend.xlsx: cannot be read as an Excel workbook"):
        ingest_paths([f], anchor="X")


@pytest.mark.parametrize("ragged", [False, True])
def test_streamed_chunks_gathered_from_small_blocks_match_in_memory(tmp_path, monkeypatch, ragged):
    # Streaming reads small Arrow blocks and gathers them into chunks: the last, part-filled chunk
    # is handed on, and a ragged row after several blocks have been gathered hands over to the
    # csv module, without losing or repeating a row.
    from cwbtools.ingest import delimited

    monkeypatch.setattr(delimited, "STREAM_BLOCK_BYTES", 4096)
    lines = ["Supplier Name,Payment Date,Amount,Transaction Number"]
    lines += [
        f"Supplier {i % 23} Ltd,{1 + i % 28:02d}/{1 + i % 12:02d}/2019,{i}.{i % 100:02d},T{i}" for i in range(3000)
    ]
    if ragged:
        lines.insert(2500, "Short row,01/01/2019")
    f = _write(tmp_path / "big.csv", "\n".join(lines) + "\n")
    mem = ingest_paths([f], anchor="Big")
    part = ingest_paths([f], anchor="Big", out_dir=tmp_path / "p", partition=True, chunk_rows=700)
    assert part.reconciliation["rows_read"].iloc[0] == mem.reconciliation["rows_read"].iloc[0] == 3000 + ragged
    cols = ["rows_read", "rows_kept", "pence_read", "pence_kept", "pence_set_aside"]
    assert part.reconciliation[cols].equals(mem.reconciliation[cols])
    table = pq.read_table(tmp_path / "p" / "transactions", partitioning=None).to_pandas()
    assert sorted(table.row_number) == sorted(mem.transactions.row_number)
    assert (
        table.amount_pence.sum() == mem.transactions.amount_pence.sum() == sum(i * 100 + i % 100 for i in range(3000))
    )


def test_a_failed_run_leaves_no_transactions_file(tmp_path):
    (tmp_path / "in").mkdir()
    good = _write(tmp_path / "in" / "a.csv", "Supplier Name,Payment Date,Amount\nAcme Ltd,01/05/2019,10.00\n")
    _write(tmp_path / "in" / "b.csv", "Colour,Shape\nred,round\n")
    out = tmp_path / "out"
    with pytest.raises(InputFileError, match="b.csv"):
        ingest_paths([good.parent], anchor="A", out_dir=out)
    assert not out.exists()  # the folder it made for the run is gone again, half-written file and all


def test_a_parquet_write_error_is_raised_not_lost(tmp_path, monkeypatch):
    # Parquet is written on a background thread; its failure must stop the run in the caller.
    from cwbtools.ingest import parquet

    def broken(self, path, kept):
        def write():
            raise OSError("disk full")

        self._submit(write)

    monkeypatch.setattr(parquet._ParquetSink, "append", broken)
    f = _write(tmp_path / "a.csv", "Supplier Name,Payment Date,Amount\nAcme Ltd,01/05/2019,10.00\n")
    with pytest.raises(OSError, match="disk full"):
        ingest_paths([f], anchor="A", out_dir=tmp_path / "out")
    assert not (tmp_path / "out" / "transactions.parquet.tmp").exists()
    assert not (tmp_path / "out" / "transactions.parquet").exists()


def test_parquet_read_back_by_pandas_has_the_dtypes_ingest_made(tmp_path):
    # Files are written from Arrow chunks; pandas' metadata goes with them so that a notebook's
    # pd.read_parquet gets Arrow-backed strings and dates, not `str` and objects.
    f = _write(
        tmp_path / "a.csv",
        "Supplier Name,Payment Date,Amount,Postcode\nAcme Ltd,01/05/2019,10.00,PR1 2AB\nBeta Ltd,02/06/2020,5.00,\n",
    )
    res = ingest_paths([f], anchor="A", out_dir=tmp_path / "one")
    ingest_paths([f], anchor="A", out_dir=tmp_path / "part", partition=True)
    whole = pd.read_parquet(tmp_path / "one" / "transactions.parquet")
    part = pd.read_parquet(next((tmp_path / "part").rglob("*.parquet")))
    assert whole.dtypes.to_dict() == res.transactions.dtypes.to_dict()
    assert part.dtypes.to_dict() == res.transactions.dtypes.to_dict()
    assert str(whole["payment_date"].dtype) == "date32[day][pyarrow]"
    assert whole.equals(res.transactions)


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(st.binary(max_size=40), st.text(max_size=30).map(lambda t: t.encode("utf-8", "surrogatepass"))),
    st.integers(min_value=3, max_value=9),
)
def test_utf8_check_agrees_with_python_across_block_boundaries(tmp_path_factory, data, block):
    # Arrow checks UTF-8 block by block; a character cut by a block's end must not be judged alone.
    from cwbtools.ingest.delimited import _is_utf8

    path = tmp_path_factory.mktemp("u") / "f.csv"
    path.write_bytes(data)
    try:
        data.decode("utf-8")
        valid = True
    except UnicodeDecodeError:
        valid = False
    assert _is_utf8(path, block) == valid


def test_name_facts_bound_changes_nothing(tmp_path, monkeypatch):
    # Payee facts (normalised-name hash, redacted, individual) are kept per process up to a bound,
    # then forgotten: ids and flags must come out the same either way.
    from cwbtools.ingest import rows as ingest_rows

    rows = [
        f"{name},0{1 + i % 9}/05/2019,{i + 1}.50,T{i}"
        for i, name in enumerate(
            ["Acme Ltd", "Mr J Smith", "Redacted", "Acme Limited", "Beta Care Ltd", "", "Gamma & Sons", "J SMITH"] * 3
        )
    ]
    f = _write(
        tmp_path / "a.csv",
        "Supplier Name,Payment Date,Amount,Transaction Number,Supplier ID\n"
        + "\n".join(r + ",S1" for r in rows)
        + "\n",
    )
    monkeypatch.setattr(ingest_rows, "_PAYEES", ingest_rows._PayeeFacts())
    plenty = ingest_paths([f], anchor="A").transactions
    monkeypatch.setattr(ingest_rows, "_PAYEES", ingest_rows._PayeeFacts(limit=2))
    tight = ingest_paths([f], anchor="A").transactions
    cols = ["payment_id", "individual", "redacted"]
    assert tight[cols].equals(plenty[cols])
    assert plenty["redacted"].sum() == 6 and plenty["individual"].sum() >= 9  # `Redacted` and withheld names
    # `Acme Ltd` and `Acme Limited` share a normalised name, so only amount, date and ref tell them apart
    assert plenty.loc[0, "payment_id"] != plenty.loc[3, "payment_id"]


def test_a_refused_file_leaves_no_partition_parts(tmp_path):
    """`partition=True` streams parts to disk as rows are read; a later file refused after its
    rows were read (every amount £0.00) must not leave the earlier parts behind as if complete."""
    good = tmp_path / "a_good.csv"
    good.write_text(
        "Supplier Name,Amount,Payment Date\n"
        + "".join(f"Acme {i} Ltd,{i}.50,0{1 + i % 9}/05/2019\n" for i in range(40))
    )
    zeros = tmp_path / "b_zeros.csv"
    zeros.write_text(
        "Supplier Name,Amount,Payment Date\n" + "".join(f"Firm {i} Ltd,0.00,02/05/2019\n" for i in range(40))
    )
    out = tmp_path / "out"
    with pytest.raises(InputFileError, match="b_zeros.csv"):
        ingest_paths([good, zeros], anchor="Test", out_dir=out, partition=True, chunk_rows=10)
    assert not out.exists() or not list(out.rglob("*.parquet"))
