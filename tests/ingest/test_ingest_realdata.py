"""Ingest every shared ledger and check it against counts and totals computed another way.

The independent figures come from DuckDB (clean CSVs), the plain `csv` module (Hyndburn's messy
CSVs) and openpyxl (the workbooks), with deliberately simple rules, never through cwbtools' readers.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import duckdb
import openpyxl
import pandas as pd
import pytest

from cwbtools.ingest import ingest_paths

pytestmark = pytest.mark.realdata

BODIES = {
    "oxford": "Oxford City Council",
    "greater-manchester-2019": None,  # one anchor per council file
    "hyndburn": "Hyndburn Borough Council",
    "lancashire-pcc": "Lancashire Police and Crime Commissioner",
    "lancashire-fire": "Lancashire Fire and Rescue Service",
}


@pytest.fixture(scope="module")
def ingested(spend_dir: Path) -> dict:
    out = {}
    for body, anchor in BODIES.items():
        if anchor is None:
            parts = [
                ingest_paths([f], anchor=f.stem.split("_")[0].title()) for f in sorted((spend_dir / body).glob("*.csv"))
            ]
            out[body] = parts
        else:
            out[body] = [ingest_paths([spend_dir / body], anchor=anchor)]
    return out


def _recon(results) -> pd.DataFrame:
    return pd.concat([r.reconciliation for r in results], ignore_index=True).set_index("source_file")


def _pence(text) -> int:
    if isinstance(text, (int, float)):
        return int((Decimal(repr(text)) * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    s = str(text).replace(",", "").replace("£", "").strip()
    if s.endswith("-"):  # Hyndburn writes credits as `290.25-`
        s = "-" + s[:-1]
    return int((Decimal(s) * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


@pytest.mark.parametrize("body", list(BODIES))
def test_every_file_balances_and_keeps_995_percent(ingested, body):
    recon = _recon(ingested[body])
    assert (recon.pence_read == recon.pence_kept + recon.pence_set_aside).all()
    assert (recon.rows_read == recon.rows_kept + recon.rows_set_aside).all()
    reason_cols = [c for c in recon.columns if c.startswith("reason_")]
    assert (recon[reason_cols].sum(axis=1) == recon.rows_set_aside).all()
    payments = recon.rows_read.sum() - recon.reason_blank.sum()
    assert recon.rows_kept.sum() >= 0.995 * payments
    for r in ingested[body]:
        tx = r.transactions
        assert tx.amount_pence.dtype == "int64"
        assert tx.financial_year.notna().all()
        assert tx.financial_year.str.fullmatch(r"\d{4}/\d\d").all()
        assert not tx.duplicated(["source_file", "sheet", "row_number"]).any()


def test_clean_csvs_match_duckdb(ingested, spend_dir):
    """Oxford and Greater Manchester: rows and pence per file as DuckDB reads them."""
    recon = pd.concat([_recon(ingested["oxford"]), _recon(ingested["greater-manchester-2019"])])
    files = sorted((spend_dir / "oxford").glob("*.csv")) + sorted((spend_dir / "greater-manchester-2019").glob("*.csv"))
    con = duckdb.connect()
    for f in files:
        cols = con.execute(f"DESCRIBE SELECT * FROM read_csv('{f}', all_varchar=true, header=true)").df()
        amount = next(c for c in cols.column_name if c.strip().lower() == "amount")
        n, total = con.execute(
            f"""SELECT count(*), sum(round(CAST(trim("{amount}") AS DECIMAL(18,3)) * 100))
                FROM read_csv('{f}', all_varchar=true, header=true)"""
        ).fetchone()
        rec = recon.loc[f.name]
        assert rec.rows_read == n, f.name
        assert rec.pence_read == int(total), f.name


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def test_hyndburn_matches_csv_module(ingested, spend_dir):
    """Every Hyndburn file, whatever its layout: non-blank data rows and the sum of the amount
    column, found by the header cell `Net Amount...`/`Amount Paid` wherever the header row is."""
    recon = _recon(ingested["hyndburn"])
    assert len(recon) == 107
    for f in sorted((spend_dir / "hyndburn").glob("*.csv")):
        rows = list(csv.reader(io.StringIO(_decode(f.read_bytes()), newline="")))
        header = next(r for r in rows if any(c.strip().lower().startswith(("net amount", "amount paid")) for c in r))
        j = next(i for i, c in enumerate(header) if c.strip().lower().startswith(("net amount", "amount paid")))
        data = [r for r in rows if r != header and any(c.strip() for c in r)]
        total = sum(_pence(r[j]) for r in data if len(r) > j and r[j].strip())
        rec = recon.loc[f.name]
        assert rec.rows_read - rec.reason_blank == len(data), f.name
        assert rec.pence_read == total, f.name


@pytest.mark.parametrize("body", ["lancashire-pcc", "lancashire-fire"])
def test_workbooks_match_openpyxl(ingested, spend_dir, body):
    """Each workbook: non-blank rows below the header on every sheet, and the amount column summed
    (for a row whose amount cell is empty, its last cell: rows one cell short)."""
    recon = _recon(ingested[body])
    for f in sorted((spend_dir / body).glob("*.xlsx")):
        wb = openpyxl.load_workbook(f, read_only=True, data_only=True)
        n = total = 0
        for ws in wb.worksheets:
            rows = [r for r in ws.iter_rows(values_only=True) if any(c is not None and str(c).strip() for c in r)]
            head = [str(c or "").lstrip("* ").strip().lower() for c in rows[0]]
            j = next(i for i, c in enumerate(head) if c in ("amount", "total", "total invoice amount"))
            for r in rows[1:]:
                n += 1
                v = r[j] if j < len(r) else None
                if v is None:
                    v = next((c for c in reversed(r[:j]) if c is not None), None)
                if isinstance(v, (int, float)) and not isinstance(v, dt.datetime):
                    total += _pence(v)
        rec = recon.loc[f.name]
        assert rec.rows_read == n, f.name
        assert rec.pence_read == total, f.name


def test_known_rows(ingested):
    """Spot checks worked out by reading the files."""
    ox = ingested["oxford"][0].transactions
    # apr-jun-2014 publishes `00:00:00` for every date: kept, date unknown, year from the file name
    q = ox[ox.source_file == "expenditure-over-500-apr-jun-2014.csv"]
    assert len(q) == 3836 and q.payment_date.isna().all()
    assert (q.financial_year == "2014/15").all() and (q.date_source == "file_period").all()
    ali = ox[ox.supplier_name == "MR Y ALI"]
    assert ali.individual.all() and set(ali.amount_pence) >= {106860, 121200}
    assert ox[ox.supplier_name.str.startswith("Redacted", na=False)].redacted.all()

    hy = ingested["hyndburn"][0].transactions
    apr25 = hy[hy.source_file == "April-25-CSV.csv"]  # header at the foot of the file
    assert len(apr25) == 404
    first = apr25.sort_values("row_number").iloc[0]
    assert (first.supplier_name, first.amount_pence, str(first.payment_date)) == (
        "Rider Levett Bucknall Uk Ltd",
        407251,
        "2025-04-03",
    )
    assert first.transaction_ref == "CRINV0009515" and first.service_area.startswith("CAA")

    fire = ingested["lancashire-fire"][0].transactions
    short = fire[fire.row_repair.notna()]
    assert len(short) == 165 and (short.source_file == "fire-2022-23.xlsx").all()
    last = fire[(fire.source_file == "fire-2022-23.xlsx") & (fire.row_number == 2910)].iloc[0]
    assert last.amount_pence == 146781 and last.supplier_name == "United Utilities Water Plc"

    pcc = ingested["lancashire-pcc"][0].transactions
    third = pcc[pcc.supplier_name.str.upper().isin(["THIRD PARTY", "THIRD PARTY SUPPLIER"])]
    assert len(third) > 100 and third.redacted.all() and third.individual.all()

    gm = {r.transactions.anchor.iloc[0]: r.transactions for r in ingested["greater-manchester-2019"]}
    bolton = gm["Bolton"]
    assert bolton.company_number.dropna().str.fullmatch(r"[A-Z0-9]{8}").all()
    assert bolton.ledger_sic_code.notna().any()
    ids = pd.concat(gm.values()).other_id.dropna()
    assert ids.str.match(r"^(NHS|URN|CQC|PRN)-").all() and len(ids) > 0
