"""Properties of the normalisers and of ingest's books, for inputs nobody wrote by hand (hypothesis).

Amounts: any pence written in any ledger style reads back exactly, and no text makes the parser
raise. Dates: any date in any of the styles ledgers use reads back. Postcodes: any valid postcode
however spaced or cased normalises to one spelling, idempotently. Names: the matching key is
idempotent and blind to case and legal form. Ingest: for any generated ledger, every file balances
(`pence_read == pence_kept + pence_set_aside`) and pence_read is exactly what the file holds.
"""

from __future__ import annotations

import datetime as dt
import re

import pandas as pd
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from cwbtools.identifiers import postcode, supplier_name
from cwbtools.ingest import ingest_paths
from cwbtools.ingest.parsing import amounts_to_pence, financial_year, parse_amount_pence, parse_date

PENCE = st.integers(min_value=-(10**13), max_value=10**13)
FAST = settings(max_examples=100, deadline=None)


def _pounds(p: int) -> str:
    return f"{abs(p) // 100}.{abs(p) % 100:02d}"


def _thousands(p: int) -> str:
    return f"{abs(p) // 100:,}.{abs(p) % 100:02d}"


# Every way ledgers write a signed amount, as (name, formatter). Each must read back exactly.
STYLES = {
    "plain": lambda p: ("-" if p < 0 else "") + _pounds(p),
    "pound": lambda p: ("-£" if p < 0 else "£") + _thousands(p),
    "brackets": lambda p: f"({_thousands(p)})" if p < 0 else _thousands(p),
    "trailing_minus": lambda p: _pounds(p) + ("-" if p < 0 else ""),
    "cr_dr": lambda p: _pounds(p) + (" CR" if p < 0 else " DR"),
    "padded": lambda p: "  " + ("-" if p < 0 else "") + _thousands(p) + " ",
    "gbp": lambda p: ("-" if p < 0 else "") + "GBP " + _pounds(p),
    "spaced_thousands": lambda p: ("-" if p < 0 else "") + _thousands(p).replace(",", " "),
}


@FAST
@given(PENCE, st.sampled_from(sorted(STYLES)))
def test_any_amount_in_any_ledger_style_reads_back_to_the_penny(pence, style):
    text = STYLES[style](pence)
    assert parse_amount_pence(text) == pence, text
    vec = amounts_to_pence(pd.Series([text, None], dtype=object))
    assert vec.iloc[0] == pence and pd.isna(vec.iloc[1])


@FAST
@given(st.one_of(st.text(max_size=40), st.text(alphabet="0123456789.,-()£$ CRDcrd+eE", max_size=30)))
def test_no_text_makes_the_amount_parser_raise_and_both_forms_agree(text):
    got = parse_amount_pence(text)
    assert got is None or (isinstance(got, int) and abs(got) < 2**63)
    vec = amounts_to_pence(pd.Series([text], dtype=object)).iloc[0]
    assert (pd.isna(vec) and got is None) or vec == got
    arrow = amounts_to_pence(pd.Series([text], dtype=pd.StringDtype("pyarrow"))).iloc[0]
    assert (pd.isna(arrow) and got is None) or arrow == got


@FAST
@given(st.decimals(min_value=-(10**9), max_value=10**9, places=2, allow_nan=False))
def test_spreadsheet_numbers_are_exact_pence(value):
    # An Excel cell holds the float nearest the decimal; its shortest form is the decimal again.
    assert parse_amount_pence(float(value)) == int(value * 100)


DATE_STYLES = {
    "uk": lambda d: d.strftime("%d/%m/%Y"),
    "iso": lambda d: d.isoformat(),
    "uk_2digit": lambda d: d.strftime("%d/%m/%y"),
    "dmy_abbr": lambda d: d.strftime("%d-%b-%y"),
    "d_month_yyyy": lambda d: f"{d.day} {d.strftime('%B %Y')}",
    "compact": lambda d: d.strftime("%Y%m%d"),
    "dotted": lambda d: d.strftime("%d.%m.%Y"),
    "with_time": lambda d: d.strftime("%d/%m/%Y 00:00:00"),
    "excel_serial": lambda d: (d - dt.date(1899, 12, 30)).days,
    "datetime_cell": lambda d: dt.datetime(d.year, d.month, d.day),
}
# Two-digit years are read as 1970-2069, the window a ledger can mean.
DATES = st.dates(min_value=dt.date(1970, 1, 1), max_value=dt.date(2069, 12, 31))


@FAST
@given(DATES, st.sampled_from(sorted(DATE_STYLES)))
def test_any_date_in_any_ledger_style_reads_back(date, style):
    value = DATE_STYLES[style](date)
    assert parse_date(value) == date, value


@FAST
@given(DATES)
def test_the_financial_year_runs_april_to_march(date):
    fy = financial_year(date)
    start = int(fy[:4])
    assert dt.date(start, 4, 1) <= date <= dt.date(start + 1, 3, 31)
    assert fy == f"{start}/{(start + 1) % 100:02d}"


@FAST
@given(st.text(max_size=30))
def test_no_text_makes_the_date_parser_raise(text):
    got = parse_date(text)
    assert got is None or isinstance(got, dt.date)


LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


@st.composite
def postcodes(draw) -> str:
    area = draw(st.text(alphabet=LETTERS, min_size=1, max_size=2))
    district = str(draw(st.integers(0, 9))) + draw(st.sampled_from(["", *"0123456789", *LETTERS]))
    inward = str(draw(st.integers(0, 9))) + draw(st.text(alphabet=LETTERS, min_size=2, max_size=2))
    return f"{area}{district} {inward}"


@FAST
@given(postcodes(), st.data())
def test_any_postcode_however_written_normalises_to_one_spelling(canonical, data):
    # Cased and spaced as people type them; punctuation a spreadsheet adds.
    chars = [c.lower() if data.draw(st.booleans()) else c for c in canonical.replace(" ", "")]
    cuts = data.draw(st.lists(st.integers(0, len(chars)), max_size=3))
    for cut in sorted(cuts, reverse=True):
        chars.insert(cut, data.draw(st.sampled_from([" ", "  ", "-", "."])))
    written = " " + "".join(chars) + " "
    assert postcode(written) == canonical
    assert postcode(canonical) == canonical


@FAST
@given(st.text(max_size=20))
def test_a_postcode_is_either_refused_or_canonical(text):
    got = postcode(text)
    assert got is None or (re.fullmatch(r"[A-Z]{1,2}[0-9][A-Z0-9]? [0-9][A-Z]{2}", got) and postcode(got) == got)


NAME_TEXT = st.text(alphabet=st.characters(codec="latin-1", categories=["L", "N", "P", "Zs", "S"]), max_size=40)


@FAST
@given(NAME_TEXT)
def test_the_name_key_is_idempotent_and_plain(name):
    key = supplier_name(name)
    assert supplier_name(key) == key
    assert re.fullmatch(r"([a-z0-9]+( [a-z0-9]+)*)?", key), key


WORD = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=3, max_size=10)


@FAST
@given(st.lists(WORD, min_size=1, max_size=4), st.sampled_from(["Ltd", "Limited", "LTD.", "PLC", "plc", "LLP", "CIC"]))
def test_the_name_key_ignores_case_and_legal_form(words, form):
    base = " ".join(words)
    assume(supplier_name(base) == base)  # a base that is itself only legal words is not a name
    assert supplier_name(f"{base.upper()} {form}") == base
    assert supplier_name(f"The {base.title()} {form}") == base


# ---- the books balance for any generated ledger -------------------------------------------

ROW_KINDS = [
    "good",
    "good",
    "good",
    "credit",
    "blank",
    "total",
    "junk_amount",
    "no_amount",
    "junk_date",
    "no_date",
    "no_supplier",
]


@st.composite
def ledgers(draw):
    kinds = draw(st.lists(st.sampled_from(ROW_KINDS), min_size=1, max_size=25))
    rows, expect_read, expect_kept, kept_rows = [], 0, 0, 0
    for i, kind in enumerate(kinds):
        pence = draw(st.integers(1, 10**10))
        pence = -pence if kind == "credit" else pence
        date = draw(st.dates(dt.date(2015, 1, 1), dt.date(2024, 12, 31)))
        name = "Firm " + draw(
            st.text(alphabet=st.characters(codec="utf-8", categories=["L", "N", "P", "Zs"]), max_size=15)
        )
        amount = draw(st.sampled_from(sorted(STYLES)))
        date_text = DATE_STYLES[draw(st.sampled_from(["uk", "iso", "dmy_abbr", "d_month_yyyy"]))](date)
        row = [date_text, name, STYLES[amount](pence), "Supplies", f"T{i}"]
        if kind == "blank":
            row = ["", "", "", "", ""]
        elif kind == "total":
            row = ["", "Total", STYLES["plain"](pence), "", ""]
        elif kind == "junk_amount":
            row[2] = draw(st.sampled_from(["TBC", "#REF!", "n/a", "1.234,56", "see note"]))
        elif kind == "no_amount":
            row[2] = ""
        elif kind == "junk_date":
            row[0] = draw(st.sampled_from(["31/02/2019", "TBC", "2019-13-01"]))
        elif kind == "no_date":
            row[0] = ""
        elif kind == "no_supplier":
            row[1] = ""
        if kind not in ("blank", "junk_amount", "no_amount"):
            expect_read += pence
        if kind in ("good", "credit"):
            expect_kept += pence
            kept_rows += 1
        rows.append(row)
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]))
    newline = draw(st.sampled_from(["\r\n", "\n", "\r"]))
    return rows, encoding, newline, expect_read, expect_kept, kept_rows


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(ledgers())
def test_every_generated_ledger_balances_to_the_penny(tmp_path, ledger):
    import csv
    import io

    rows, encoding, newline, expect_read, expect_kept, kept_rows = ledger
    buf = io.StringIO()
    csv.writer(buf, lineterminator=newline).writerows(
        [["Payment Date", "Supplier Name", "Amount", "Expense Type", "Transaction Number"], *rows]
    )
    path = tmp_path / "generated.csv"
    path.write_bytes(buf.getvalue().encode(encoding, errors="replace"))
    result = ingest_paths([path], anchor="Property Council")
    rec = result.reconciliation.iloc[0]
    assert rec.pence_read == rec.pence_kept + rec.pence_set_aside
    assert rec.rows_read == rec.rows_kept + rec.rows_set_aside == len(rows)
    assert rec.pence_read == expect_read
    assert rec.pence_kept == expect_kept == int(result.transactions["amount_pence"].sum())
    assert rec.rows_kept == kept_rows == len(result.transactions)
    assert len(result.quarantine) == rec.rows_set_aside
