"""Amounts and dates as public bodies write them (issue 17 point 6), on values and on small ledgers
whose right answers are worked out by hand: pounds signs however encoded, the accounting zero, sums
that cannot wrap, implausible payments, every date form, months and numeric periods, rows with no
date in a file whose period is known, and partial postcodes."""

from __future__ import annotations

import datetime as dt

import numpy as np
import openpyxl
import pandas as pd
import pyarrow as pa
import pytest

from cwbtools.errors import InputFileError
from cwbtools.identifiers import postcode, postcode_district
from cwbtools.ingest import ingest_paths
from cwbtools.ingest.limits import Limits
from cwbtools.ingest.parsing import (
    BLANK,
    DAY,
    MONTH,
    PERIOD,
    TIME_ONLY,
    UNREADABLE,
    WORDS,
    amounts_to_pence,
    date_cell,
    day_month_order,
    exact_sum,
    parse_amount_pence,
    parse_date,
    parse_month,
    period_number,
)
from cwbtools.ingest.periods import Months, period_reading, stated_period, table_period

# ---- amounts --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text,pence",
    [
        ("£1,303.20", 130320),
        ("Â£1,303.20", 130320),  # cp1252 £ read as UTF-8
        ("œ1,303.20", 130320),  # DOS code page £ (0x9C) read as cp1252
        ("\ufffd1,303.20", 130320),  # a £ already lost to U+FFFD
        ("ï¿½1,303.20", 130320),  # ... and double-encoded
        ("-£5.00", -500),
        ("(£12.50)", -1250),
        ("£ 12.50", 1250),
        ("GBP 12.50", 1250),
        (" -   ", 0),  # the accounting format's zero (Thurrock)
        ("£ -", 0),
        ("\u2013", 0),
        ("", None),
        ("-x", None),
        ("1.23E+11", None),  # a transaction ref in scientific notation is no amount
        ("12,50", None),
    ],
)
def test_amounts_as_ledgers_write_them(text, pence):
    assert parse_amount_pence(text) == pence
    got = amounts_to_pence(pd.Series([text], dtype=object)).tolist()[0]
    assert (None if got is pd.NA else got) == pence


def test_sums_of_pence_never_wrap():
    three = np.array([4 * 10**18] * 3, dtype=np.int64)  # £4e16 each
    assert int(three.sum()) < 0  # what numpy (and pandas, and Arrow) give
    assert exact_sum(three) == 12 * 10**18
    mixed = [2**63 - 1, -(2**63), 5, -7, 4 * 10**18]
    for form in (np.array(mixed, dtype=np.int64), pd.Series(mixed, dtype="int64"), pa.array(mixed, pa.int64())):
        assert exact_sum(form) == sum(mixed)
    assert exact_sum(pa.chunked_array([mixed[:2], mixed[2:]], pa.int64())) == sum(mixed)
    assert exact_sum(np.array([], dtype=np.int64)) == 0


def _csv(path, lines: list[str], encoding: str = "utf-8"):
    path.write_text("\n".join(lines) + "\n", encoding=encoding)
    return path


def test_three_amounts_of_4e16_pounds_are_implausible_and_the_reconciliation_stays_exact(tmp_path):
    f = _csv(
        tmp_path / "payments-april-2023.csv",
        ["Supplier Name,Amount,Payment Date"]
        + [f"Acme {i} Ltd,40000000000000000.00,0{i + 1}/04/2023" for i in range(3)]
        + ["Beta Ltd,12.50,05/04/2023", "Gamma Ltd,-2.25,06/04/2023"],
    )
    r = ingest_paths([f], "Test Council")
    rec = r.reconciliation.iloc[0]
    assert r.transactions["amount_pence"].tolist() == [1250, -225]
    assert int(rec["reason_implausible_amount"]) == 3
    assert int(rec["pence_read"]) == 3 * 4 * 10**18 + 1025  # not wrapped negative
    assert int(rec["pence_set_aside"]) == 3 * 4 * 10**18
    assert r.balanced()


def test_the_plausibility_limit_is_the_runs_and_reaches_every_worker_thread(tmp_path):
    """`max_payment_pounds` as given to the run holds for blocks read on the pool's threads too
    (small chunks: several blocks, two threads)."""
    lines = ["Supplier Name,Amount,Payment Date"] + [
        f"Supplier {i} Ltd,{1000 + i}.00,{1 + i % 28:02d}/04/2023" for i in range(40)
    ]
    f = _csv(tmp_path / "ledger.csv", lines)
    default = ingest_paths([f], "Test Council", chunk_rows=4)
    assert len(default.transactions) == 40  # £1,000 is plausible under the default £10bn
    strict = ingest_paths([f], "Test Council", chunk_rows=4, limits=Limits().replace(max_payment_pounds=1020))
    aside = strict.quarantine[strict.quarantine["reason"] == "implausible_amount"]
    assert len(strict.transactions) == 21 and len(aside) == 19  # 1021 .. 1039 set aside, in every block
    assert sorted(aside["amount_pence"] // 100) == list(range(1021, 1040))
    assert strict.balanced()


# ---- dates ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value,month_first,date",
    [
        (20240115, False, dt.date(2024, 1, 15)),  # YYYYMMDD as a number
        (20240115.0, False, dt.date(2024, 1, 15)),
        ("20240115", False, dt.date(2024, 1, 15)),
        (20241315, False, None),
        ("03.04.2023", False, dt.date(2023, 4, 3)),  # dotted
        ("3.4.23", False, dt.date(2023, 4, 3)),
        ("\u00a003/04/2023", False, dt.date(2023, 4, 3)),  # a leading no-break space
        ("\u00a0 03-Apr-2023", False, dt.date(2023, 4, 3)),
        ("\ufeff2023-04-03", False, dt.date(2023, 4, 3)),
        ("4/23/2023 12:00:00 AM", True, dt.date(2023, 4, 23)),  # US, with the time US exports add
        ("04/05/2023 00:00", True, dt.date(2023, 4, 5)),
        ("04/05/2023 00:00", False, dt.date(2023, 5, 4)),
        ("Apr-23", False, None),  # a month is not a day (`parse_month`)
    ],
)
def test_date_forms(value, month_first, date):
    assert parse_date(value, month_first) == date


def test_day_month_order_is_decided_by_evidence():
    assert day_month_order(["01/02/2023", "13/02/2023"]) is False
    assert day_month_order(["02/01/2023", "02/13/2023 12:00:00 PM"]) is True
    assert day_month_order(["01/02/2023", "02/03/2023"]) is None  # no day above 12: undecided
    assert day_month_order(["13/02/2023", "02/13/2023"]) is False  # contradictory: the UK reading


@pytest.mark.parametrize(
    "value,kind,date,period",
    [
        ("Apr-23", MONTH, dt.date(2023, 4, 1), None),
        ("April 2023", MONTH, dt.date(2023, 4, 1), None),
        ("Sept-23", MONTH, dt.date(2023, 9, 1), None),
        ("2023-04", MONTH, dt.date(2023, 4, 1), None),
        ("04/2023", MONTH, dt.date(2023, 4, 1), None),
        ("202401", PERIOD, None, (2024, 1)),
        (202401.0, PERIOD, None, (2024, 1)),
        ("2024P13", PERIOD, None, (2024, 13)),
        ("00:00:00", TIME_ONLY, None, None),
        ("Various", WORDS, None, None),
        ("Sum:", WORDS, None, None),
        ("Mayor 23", UNREADABLE, None, None),
        ("31/02/2023", UNREADABLE, None, None),
        ("  ", BLANK, None, None),
        (None, BLANK, None, None),
        (dt.datetime(2023, 4, 3, 9, 30), DAY, dt.date(2023, 4, 3), None),
    ],
)
def test_what_a_date_cell_gives(value, kind, date, period):
    assert date_cell(value) == (date, kind, period)


def test_months_and_periods_are_not_read_as_each_other():
    assert parse_month("202401") is None and period_number("2024-01") is None
    assert period_number("202417") is None and period_number("202400") is None
    assert parse_month("Apr") is None and parse_month("13/2023") is None


# ---- periods stated by names ---------------------------------------------------------------


def _span(first: tuple[int, int], last: tuple[int, int] | None = None) -> tuple[dt.date, dt.date]:
    return dt.date(*first, 1), dt.date(*(last or first), 1)


@pytest.mark.parametrize(
    "name,span",
    [
        ("expenditure-over-500-apr-jun-2014.csv", _span((2014, 4), (2014, 6))),
        ("Apr 24 PCC", _span((2024, 4))),
        ("spending_2024_07_july.csv", _span((2024, 7))),
        ("2018_Jan-Feb.xlsx", _span((2018, 1), (2018, 2))),
        ("HILL_00-03_-_Nov_2019_to_June_2020.xlsx", _span((2019, 11), (2020, 6))),
        ("payment-december-23.csv", _span((2023, 12))),
        ("payments_made_to_suppliers_2023_to_2024.csv", _span((2023, 4), (2024, 3))),
        ("durham_pcc_2024-25.xlsx", _span((2024, 4), (2025, 3))),
        ("spending_fy2024_25.csv", _span((2024, 4), (2025, 3))),
        ("Quarter1-FY2324.xlsx", _span((2023, 4), (2023, 6))),
        ("2023-24-500gbp-spend-quarter-4.xlsx", _span((2024, 1), (2024, 3))),
        ("Transactions_over_500_-_Q1.2023.2024_0.xlsx", _span((2023, 4), (2023, 6))),
        ("2023_04.csv", _span((2023, 4))),
        ("payments-202301-v01.csv", _span((2023, 1))),
        ("Oct.xlsx", None),  # a month with no year
        ("BART_09_-_December.xls", None),
        ("1701.csv", None),  # yymm: too short to say
        ("payments-nov-feb-2015.csv", None),  # which November is not said
        ("ledger.csv", None),
    ],
)
def test_the_period_a_name_states(name, span):
    got = stated_period(name)
    assert (None if got is None else (got.first_day(), dt.date(got.last // 12, got.last % 12 + 1, 1))) == span


def test_a_period_stated_in_digits_only_cannot_decide_what_digits_mean():
    assert not stated_period("2023_04.csv").named and stated_period("april-2023.csv").named


def _months(*pairs) -> dict[int, int]:
    out: dict[int, int] = {}
    for (y, m), n in pairs:
        out[y * 12 + m - 1] = n
    return out


def test_a_tables_period_is_the_names_unless_its_dates_say_otherwise():
    july = Months.month(2024, 7)
    assert table_period(["", "spending_2024_07_july.csv"], _months(((2024, 7), 389))) == july
    assert table_period(["spending_2024_07_july.csv"], {}) == july  # no dates at all (Thames Valley)
    # the name's year is wrong, its month right (Spelthorne): the dates' year
    assert table_period(["spending_2025_03_march.csv"], _months(((2024, 3), 479))) == Months.month(2024, 3)
    # a month and no year (St Helens `Oct.xlsx`): the year of the dates
    assert table_period(["Oct (ready to publish)", "Oct.xlsx"], _months(((2025, 10), 2561))) == Months.month(2025, 10)
    # named April 2023, dated August 2024 (Stoke): no period is guessed
    assert table_period(["stoke_april_2023.xlsx"], _months(((2024, 8), 3973))) is None
    # a name that states nothing: nothing, whatever the dates (tests/data/bad/unreadable_dates)
    assert table_period(["unreadable_dates.csv"], _months(((2019, 5), 4))) is None


# ---- numeric periods -------------------------------------------------------------------------


def test_a_numeric_period_is_read_from_evidence_in_the_table():
    def reading(periods, header="Period", names=()):
        return period_reading(set(periods), header, list(names), "f.csv").convention

    assert reading([(2024, 1), (2024, 13)]) == "financial"  # a period 13
    assert reading([(2024, 1)], header="Fiscal Period") == "financial"
    assert reading([(2024, 1)], header="Calendar Month") == "calendar"
    assert reading([(2024, 1)], names=["Apr 24 PCC", "durham_pcc_2024-25.xlsx"]) == "financial"
    assert reading([(2024, 1)], names=["Jan 24", "x.xlsx"]) == "calendar"
    assert reading([(2024, p) for p in range(1, 13)], names=["", "spend_2024-25.csv"]) == "financial"


def test_a_numeric_period_nothing_decides_is_refused_naming_the_file_and_both_readings():
    with pytest.raises(InputFileError) as err:
        period_reading({(2024, 1), (2024, 2)}, "Period", ["", "ledger.csv"], "/data/ledger.csv")
    msg = str(err.value)
    assert "/data/ledger.csv" in msg and "'Period'" in msg
    assert "January 2024" in msg and "April 2024" in msg and "2024/25" in msg


def _xlsx(path, sheets: dict[str, list[list]]):
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
    wb.save(path)
    return path


def _period_sheet(period: float, n: int = 6, start: int = 0) -> list[list]:
    return [["Period", "Account", "Amount", "Supplier"]] + [
        [period, 4000 + i, 100.0 + start + i, f"Supplier {start + i} Ltd"] for i in range(n)
    ]


def test_a_workbook_of_yyyymm_periods_reads_financial_periods_from_its_sheet_names(tmp_path):
    """Durham PCC's layout: a sheet per month named `Apr 24 PCC`, `JAN 25 PCC`; `Period` 202401.0
    is period 1 of 2024/25 (April 2024), three months behind what a calendar reading gives."""
    f = _xlsx(
        tmp_path / "pcc_2024-25.xlsx",
        {"Apr 24 PCC": _period_sheet(202401.0), "JAN 25 PCC": _period_sheet(202410.0, start=10)},
    )
    tx = ingest_paths([f], "Test PCC").transactions
    got = tx.groupby("sheet")["payment_date"].agg(["min", "max"]).astype(str)
    assert got.loc["Apr 24 PCC"].tolist() == ["2024-04-01", "2024-04-01"]
    assert got.loc["JAN 25 PCC"].tolist() == ["2025-01-01", "2025-01-01"]
    assert set(tx["date_source"]) == {"ledger_month"} and set(tx["financial_year"]) == {"2024/25"}


def test_a_year_end_period_has_a_financial_year_and_no_month(tmp_path):
    rows = _period_sheet(202412.0)[:4] + [[202413.0, 4100, 55.5, "Audit Ltd"]]
    tx = ingest_paths([_xlsx(tmp_path / "ledger.xlsx", {"Sheet1": rows})], "Test Council").transactions
    p13 = tx[tx["supplier_name"] == "Audit Ltd"].iloc[0]
    assert pd.isna(p13["payment_date"]) and p13["financial_year"] == "2024/25"
    assert p13["date_source"] == "ledger_month"
    assert set(tx["payment_date"].dropna().astype(str)) == {"2025-03-01"}  # period 12: March 2025


def test_yyyymm_periods_nothing_decides_stop_the_file_with_a_clear_error(tmp_path):
    f = _xlsx(tmp_path / "ledger.xlsx", {"Sheet1": _period_sheet(202401.0)})
    with pytest.raises(InputFileError, match=r"ledger\.xlsx.*could be January 2024.*or April 2024"):
        ingest_paths([f], "Test Council")


def test_a_ledger_that_gives_only_the_month(tmp_path):
    """Slough's layout: `Period` holds `Apr-23`; each row is paid on the first of its month."""
    f = _csv(
        tmp_path / "spend.csv",
        ["Body Name,Vendor Number,Vendor Name,Amount,Period"]
        + [f'Some Council,{800 + i},Vendor {i} Ltd,"1,{i}00.00",Apr-23' for i in range(5)]
        + ["Some Council,900,Vendor 9 Ltd,12.00,May-23"],
    )
    tx = ingest_paths([f], "Test Council").transactions
    assert tx["payment_date"].astype(str).tolist() == ["2023-04-01"] * 5 + ["2023-05-01"]
    assert set(tx["date_source"]) == {"ledger_month"} and set(tx["financial_year"]) == {"2023/24"}


# ---- rows with no date of their own ---------------------------------------------------------

_UNDATED = [
    "Transaction Number,Supplier Name,Paid Date,Amount",
    "1,Alpha Ltd,02/07/2024,100.00",
    "2,Beta Ltd,15/07/2024,200.00",
    "3,Gamma Ltd,Various,300.00",  # St Helens: several days in the month
    "4,Delta Ltd,00:00:00,400.00",  # only a time
    ",CREDIT CARDS,,",  # a section row (Spelthorne): no amount, set aside
    ",Tesco Stores,,20.15",  # the card section: no date
    ",Total,,1020.15",  # a labelled total: never a payment
]


def test_undated_rows_of_a_file_whose_name_states_its_month_are_payments_of_that_month(tmp_path):
    r = ingest_paths([_csv(tmp_path / "spending_2024_07_july.csv", _UNDATED)], "Test Council")
    tx = r.transactions.set_index("supplier_name")
    assert list(tx.index) == ["Alpha Ltd", "Beta Ltd", "Gamma Ltd", "Delta Ltd", "Tesco Stores"]
    assert tx.loc[["Gamma Ltd", "Delta Ltd", "Tesco Stores"], "date_source"].tolist() == ["file_period"] * 3
    assert set(tx.loc[["Gamma Ltd", "Delta Ltd", "Tesco Stores"], "payment_date"].astype(str)) == {"2024-07-01"}
    assert tx.loc["Alpha Ltd", "date_source"] == "ledger"
    assert set(r.quarantine["reason"]) == {"no_amount", "total_row"}
    assert r.balanced()


def test_a_date_column_of_words_is_no_date_column(tmp_path):
    """`Various` in a few cells of a date column is a payment of the month; words in most cells say
    the column holds no dates at all, and no row takes the period from the name."""
    lines = ["Supplier Name,Payment Date,Amount", "Alpha Ltd,02/07/2024,1.00"] + [
        f"Firm {i} Ltd,{w},2.00" for i, w in enumerate(["Various", "Monthly", "Quarterly"])
    ]
    r = ingest_paths([_csv(tmp_path / "spending_2024_07_july.csv", lines)], "X")
    assert r.transactions["supplier_name"].tolist() == ["Alpha Ltd"]
    assert r.quarantine["reason"].tolist() == ["unreadable_date"] * 3


def test_undated_rows_of_a_file_that_states_no_period_stay_set_aside(tmp_path):
    r = ingest_paths([_csv(tmp_path / "ledger.csv", _UNDATED)], "Test Council")
    assert r.transactions["supplier_name"].tolist() == ["Alpha Ltd", "Beta Ltd"]
    reasons = r.quarantine.set_index("row_number")["reason"]
    assert reasons.loc[[4, 5, 7]].tolist() == ["unreadable_date", "date_time_only", "no_date"]


def test_a_quarter_or_a_year_gives_the_financial_year_and_no_day(tmp_path):
    lines = ["Supplier Name,Paid Date,Amount", "Alpha Ltd,22/07/2023,100.00", "Tesco Stores,,20.15"]
    tx = ingest_paths([_csv(tmp_path / "payments_2023_to_2024.csv", lines)], "X").transactions
    undated = tx[tx["date_source"] == "file_period"].iloc[0]
    assert pd.isna(undated["payment_date"]) and undated["financial_year"] == "2023/24"
    # dated July 2024, outside the 2023/24 the name states: contradicted, so nothing is guessed
    lines[1] = "Alpha Ltd,22/07/2024,100.00"
    r = ingest_paths([_csv(tmp_path / "payments_2023_to_2024.csv", lines)], "X")
    assert len(r.transactions) == 1 and r.quarantine["reason"].tolist() == ["no_date"]


def test_the_stated_period_decides_day_and_month_when_no_day_above_12_does(tmp_path):
    """A US ledger whose days are all 12 or less: only the month-first reading falls in the April
    2023 its name states."""
    lines = ["Supplier Name,Payment Date,Amount"] + [f"Firm {d} Ltd,04/{d:02d}/2023,10.00" for d in range(1, 13)]
    tx = ingest_paths([_csv(tmp_path / "payments-april-2023.csv", lines)], "X").transactions
    assert set(tx["payment_date"].astype(str).str[:7]) == {"2023-04"}
    tx = ingest_paths([_csv(tmp_path / "payments.csv", lines)], "X").transactions  # no name: UK order
    assert len(set(tx["payment_date"].astype(str).str[:7])) == 12


def test_an_undated_line_that_does_not_read_as_a_payment_is_not_taken_for_one(tmp_path):
    """A preamble line above the header (GLA: `Financial Year : 2023-24 ... Summary Total
    2,009,554,720.61`), a payee with no letter in it, and an unlabelled grand total keep their
    dates' reasons however well the file names its period."""
    lines = [
        "Report of all payments,,,",
        "Financial Year :,2023-24,,2 000 320.00",
        "Supplier ID,Supplier Name,Paid Date,Amount",
        "1,Alpha Ltd,02/07/2023,300.00",
        "2,Beta Ltd,15/07/2023,700.00",
        "3,Midlands Total Care Ltd,,20.00",  # `Total` in a payee's name proves nothing
        "4,Grand Summary,,1020.00",  # the sum of every other row
    ]
    r = ingest_paths([_csv(tmp_path / "spend_july_2023.csv", lines)], "X")
    assert r.transactions["supplier_name"].tolist() == ["Alpha Ltd", "Beta Ltd", "Midlands Total Care Ltd"]
    assert 200032000 not in r.transactions["amount_pence"].tolist()
    assert r.balanced()


def test_a_table_with_no_date_column_is_a_ledger_of_the_period_its_name_states(tmp_path):
    """Thames Valley PCC: amount, supplier, category and nothing else."""
    rows = [["Invoice_Line_Net_Amount", "Supplier_Name", "Category"]] + [
        [100.0 + i, f"Supplier {i} Ltd", "Fuel"] for i in range(6)
    ]
    tx = ingest_paths([_xlsx(tmp_path / "Transparency-Report-April-2023.xlsx", {"Sheet2": rows})], "X").transactions
    assert len(tx) == 6 and set(tx["date_source"]) == {"file_period"}
    assert set(tx["payment_date"].astype(str)) == {"2023-04-01"} and set(tx["financial_year"]) == {"2023/24"}
    with pytest.raises(InputFileError, match="no recognisable"):
        ingest_paths([_xlsx(tmp_path / "report.xlsx", {"Sheet2": rows})], "X")  # no period: refused


# ---- rows one cell short, and columns of numbers ---------------------------------------------


def test_a_blank_amount_beside_a_column_of_numbers_is_no_amount(tmp_path):
    """Hillingdon: two rows with a blank `Amount` end in their `Transaction Number`; that number is
    not an amount that slipped one cell left."""
    header = ["Date", "Supplier", "Transaction Number", "Amount"]
    rows = [header] + [[dt.datetime(2020, 4, 1 + i), f"Trust {i}", 64600.0 + i, 1000.0 + i] for i in range(8)]
    rows.append([dt.datetime(2020, 4, 23), "Royal Free London", 64678.0, None])
    r = ingest_paths([_xlsx(tmp_path / "hill.xlsx", {"Sheet1": rows})], "X")
    assert len(r.transactions) == 8 and 6467800 not in r.transactions["amount_pence"].tolist()
    assert r.quarantine["reason"].tolist() == ["no_amount"]


def test_a_row_one_cell_short_still_gives_its_amount(tmp_path):
    """Lancashire Fire: the amount under `Supplier Classification`, a column of words."""
    header = ["Transaction Number", "Date", "Supplier Name", "Supplier Classification", "Amount"]
    rows = [header] + [[f"T{i}", dt.datetime(2022, 11, 1 + i), f"Firm {i} Ltd", "SME", 10.0 + i] for i in range(8)]
    rows.append(["T9", dt.datetime(2022, 11, 30), "James Hart Ltd", 2135.2, None])
    tx = ingest_paths([_xlsx(tmp_path / "fire.xlsx", {"Data": rows})], "X").transactions
    assert tx.set_index("supplier_name").loc["James Hart Ltd", "amount_pence"] == 213520


def test_a_header_that_says_pence_is_read_as_pence_and_a_ref_in_scientific_notation_stays_a_ref(tmp_path):
    lines = [
        "Supplier Name,Payment Date,Transaction Ref,Amount (pence)",
        "Alpha Ltd,03/04/2023,1.23E+11,600500",
        "Beta Ltd,04/04/2023,1.24E+11,1234",
    ]
    tx = ingest_paths([_csv(tmp_path / "ledger.csv", lines)], "X").transactions
    assert tx["amount_pence"].tolist() == [600500, 1234]  # £6,005.00 and £12.34
    assert tx["transaction_ref"].tolist() == ["1.23E+11", "1.24E+11"]


def test_the_accounting_zero_is_a_payment_of_nothing(tmp_path):
    f = _csv(
        tmp_path / "t.csv",
        ["Beneficiary,Date, Amounts ", 'Essex CC,03/08/2022," -   "', 'Ajikx Ltd,19/01/2023," 4,737.11 "'],
    )
    tx = ingest_paths([f], "X").transactions
    assert tx["amount_pence"].tolist() == [0, 473711]


# ---- partial postcodes ------------------------------------------------------------------------


def test_a_partial_postcode_is_a_district_never_a_postcode(tmp_path):
    assert postcode_district("PR1 2AB") == "PR1" and postcode_district("SN4 ") == "SN4"
    assert postcode_district("SN12") is None  # SN12, or the start of `SN1 2..`: not guessed
    assert postcode_district("SN12", cut=True) == "SN12"
    assert postcode("SN4 ") is None
    lines = ["Supplier Name,Supplier Post Code (first 4 digits),Payment Date,Amount"] + [
        f"Firm {i} Ltd,{pc},21/04/2023,{100 + i}.00" for i, pc in enumerate(["SN4 ", "SN25", "NN5 ", "-", ""])
    ]
    tx = ingest_paths([_csv(tmp_path / "swindon.csv", lines)], "X").transactions
    assert tx["postcode"].isna().all()
    assert tx["postcode_district"].tolist()[:3] == ["SN4", "SN25", "NN5"]
    assert tx["postcode_district"][3:].isna().all()
