"""From raw ledger cells to the canonical transactions table, with every pound accounted for.

Each data row is either kept (a payment with a supplier, an amount and a date or at least a
financial year) or set aside with a reason. Per source file, `pence_read == pence_kept +
pence_set_aside` and `rows_read == rows_kept + rows_set_aside` hold exactly; `reconciliation`
carries one row per file and `quarantine` one row per set-aside row.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from ..columns import CONTRACT_TEXT_FIELDS, CORE_FIELDS, HEADER_MIN_SCORE, expected_names, header_score
from ..errors import InputFileError
from ..individuals import is_redacted, looks_like_individual
from ..normalise import postcode as normalise_postcode
from ..normalise import supplier_name as normalise_supplier
from .parsing import amounts_to_pence, dates_of, financial_year, parse_amount_pence, parse_date
from .readers import LEDGER_SUFFIXES, RawTable, is_blank, read_tables

# Ledger columns kept beyond the contract (added, never renamed).
EXTRA_FIELDS = (
    "ledger_sic_code",
    "ledger_company_name",
    "ledger_match_method",
    "supplier_classification",
    "line_number",
    "expense_code",
    "capital_revenue",
    "body_name",
    "body_code",
)

TRANSACTION_COLUMNS = [
    "anchor", "source_file", "sheet", "row_number", "payment_date", "financial_year", "amount_pence",
    "supplier_name", "supplier_id", "company_number", "charity_number", "other_id", "vat_number",
    "postcode", "expense_category", "service_area", "description", "transaction_ref", "individual",
    "redacted", "payment_id", "date_source", "row_repair", *EXTRA_FIELDS,
]

REASONS = (
    "blank", "total_row", "repeated_header", "no_amount", "unreadable_amount", "no_date", "unreadable_date",
    "date_time_only", "no_supplier", "duplicate_of_other_file", "sheet_not_a_ledger",
)

QUARANTINE_COLUMNS = ["source_file", "sheet", "row_number", "reason", "amount_pence", "raw", "duplicate_of"]

_TOTAL_CELL = r"(grand\s+|sub\s*-?\s*)?totals?(\s+(spend|spent|paid|amount|payments?|for\s.*))?\s*:?"
_MONTH_ABBR = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
_PERIOD = re.compile(r"(?<![a-z])(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*"
                     r"(?:[\s_\-]+(?:to[\s_\-]+)?(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*)?"
                     r"[\s_\-']*((?:19|20)\d\d|\d\d)(?!\d)", re.IGNORECASE)


def period_financial_year(name: str) -> str | None:
    """The financial year a file or sheet name's period falls in, if it names one wholly inside one
    (`expenditure-over-500-apr-jun-2014.csv` -> `2014/15`; `Jan 19` -> `2018/19`); else None."""
    m = _PERIOD.search(name)
    if not m:
        return None
    year = int(m.group(3))
    year = year + 2000 if year < 100 else year
    first = _MONTH_ABBR.index(m.group(1).lower()) + 1
    last = _MONTH_ABBR.index(m.group(2).lower()) + 1 if m.group(2) else first
    if last < first:  # `nov-feb 2015` spans a calendar year: ambiguous, do not guess
        return None
    fy_first = financial_year(dt.date(year, first, 1))
    fy_last = financial_year(dt.date(year, last, 1))
    return fy_first if fy_first == fy_last else None


def _missing(value: object) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and value != value)


def company_number(value: object) -> str | None:
    """Companies House number, 8 characters, prefix kept: `4166647` -> `04166647`, `sc16876` -> `SC016876`."""
    if _missing(value):
        return None
    s = re.sub(r"\s+", "", str(value)).upper()
    if isinstance(value, float) and value.is_integer():
        s = str(int(value))
    if not s or s in {"0", "NA", "N/A", "NONE", "NULL", "-"}:
        return None
    m = re.fullmatch(r"([A-Z]{2})?(\d{1,8})", s)
    if not m:
        return s
    prefix, digits = m.group(1) or "", m.group(2)
    return prefix + digits.zfill(8 - len(prefix))


def split_charity_id(value: object) -> tuple[str | None, str | None]:
    """(`charity_number`, `other_id`): `CHC-1101234` and bare digits are Charity Commission
    numbers; `NHS-RXN`, `URN-123456`, `CQC-...`, `PRN-...` are other schemes, prefix kept."""
    if _missing(value):
        return None, None
    s = str(value).strip()
    if not s:
        return None, None
    up = s.upper()
    for prefix in ("GB-CHC-", "CHC-", "CHC"):
        if up.startswith(prefix) and up[len(prefix):].strip("- ").replace("-", "").isalnum():
            return s[len(prefix):].strip("- "), None
    if re.fullmatch(r"\d{5,8}(-\d+)?", s):
        return s, None
    return None, s


def _text(values: list) -> pd.Series:
    out = []
    for v in values:
        if _missing(v):
            out.append(None)
        elif isinstance(v, str):
            v = v.strip()
            out.append(v or None)
        elif isinstance(v, float) and v.is_integer():
            out.append(str(int(v)))
        elif isinstance(v, (dt.datetime, dt.date)):
            out.append(v.isoformat()[:10] if isinstance(v, dt.datetime) and v.time() == dt.time() else v.isoformat())
        else:
            out.append(str(v).strip() or None)
    return pd.Series(out, dtype="string")


def _payment_ids(anchor: str, dates: pd.Series, pence: np.ndarray, names: pd.Series, refs: pd.Series) -> list[str]:
    norm_cache: dict = {}
    out = []
    for d, p, n, r in zip(dates, pence, names, refs):
        key = norm_cache.get(n)
        if key is None:
            key = norm_cache[n] = "" if _missing(n) else normalise_supplier(n)
        token = f"{anchor}|{'' if _missing(d) else d.isoformat()}|{p}|{key}|{'' if _missing(r) else r}"
        out.append(hashlib.blake2b(token.encode(), digest_size=8).hexdigest())
    return out


def _empty(v) -> bool:
    return v is None or (isinstance(v, str) and not v.strip())


def _repair_short_rows(cm, cols: dict, rows: list[list]) -> dict[int, str]:
    """Rows one cell short (a blank cell dropped, not left empty) put the amount under the
    previous header: Lancashire Fire 2022-23 has 166 such lines, amount under `Supplier
    Classification`. When the amount cell is empty and the row's last value sits left of it, in a
    column no core field uses, and reads as money, it is the amount. Returns {row: note}."""
    j_amt = cm.columns["amount"]
    core = {cm.columns[f] for f in CORE_FIELDS}
    by_col = {j: f for f, j in cm.columns.items()}
    header = cm.header or []
    notes: dict[int, str] = {}
    amounts = cols["amount"]
    for i, v in enumerate(amounts):
        if not _empty(v):
            continue
        row = rows[i]
        last = next((j for j in range(len(row) - 1, -1, -1) if not _empty(row[j])), None)
        if last is None or last >= j_amt or last in core:
            continue
        cell = row[last]
        if isinstance(cell, str) and not re.search(r"\d", cell):
            continue
        if parse_amount_pence(cell) is None or parse_date(cell) is not None and isinstance(cell, str):
            continue
        amounts[i] = cell
        if last in by_col:
            cols[by_col[last]][i] = None
        name = header[last] if last < len(header) else f"column {last + 1}"
        notes[i] = f"amount read from {name!r}: row one cell short"
    return notes


def _raw_text(row: list, supplier_col: int | None) -> str:
    """The row's cells for the quarantine file, a private person's name masked."""
    cells = ["" if c is None else str(c) for c in row]
    if supplier_col is not None and supplier_col < len(cells) and looks_like_individual(cells[supplier_col]):
        cells[supplier_col] = "(individual)"
    return "|".join(cells).strip("|")


@dataclass
class _Chunk:
    kept: pd.DataFrame
    set_aside: pd.DataFrame  # QUARANTINE_COLUMNS
    rows_read: int
    pence_read: int


def process_rows(table: RawTable, anchor: str, row_numbers: list[int], rows: list[list]) -> _Chunk:
    """Interpret one chunk of one table's raw rows."""
    cm = table.colmap
    n = len(rows)
    cols = {}
    for fld, j in cm.columns.items():
        cols[fld] = [r[j] if j < len(r) else None for r in rows]
    blank = np.fromiter((is_blank(r) for r in rows), dtype=bool, count=n)
    repaired = _repair_short_rows(cm, cols, rows)

    amount_raw = pd.Series(cols["amount"], dtype=object)
    pence = amounts_to_pence(amount_raw)
    amount_given = ~amount_raw.map(lambda v: v is None or (isinstance(v, str) and not v.strip())).to_numpy(dtype=bool)
    dates, time_only = dates_of(pd.Series(cols["payment_date"], dtype=object))
    date_given = ~pd.Series(cols["payment_date"], dtype=object).map(
        lambda v: v is None or (isinstance(v, str) and not v.strip())).to_numpy(dtype=bool)
    supplier = _text(cols["supplier_name"])
    # Total rows: no payee, a cell reading `Total` (or `Grand total`): counted in pence_read,
    # never as a payment.
    # (`TOTAL HYGIENE LTD` is a supplier: only a blank or bare `Total` payee makes a total row.)
    no_supplier = supplier.isna().to_numpy()
    total = np.zeros(n, dtype=bool)
    for i in np.flatnonzero(no_supplier | supplier.str.fullmatch(_TOTAL_CELL, case=False).fillna(False).to_numpy()):
        total[i] = any(isinstance(c, str) and re.fullmatch(_TOTAL_CELL, c.strip(), re.IGNORECASE) for c in rows[i])

    date_missing = dates.isna().to_numpy()
    period_fy = None
    if date_missing.any():
        period_fy = period_financial_year(table.sheet) or period_financial_year(Path(table.source_file).name)
    pence_na = pence.isna().to_numpy()

    reason = np.full(n, None, dtype=object)
    reason[date_missing & date_given & ~time_only.to_numpy()] = "unreadable_date"
    reason[date_missing & ~date_given] = "no_date"
    reason[date_missing & time_only.to_numpy() & (period_fy is None)] = "date_time_only"
    # A blank payee beside the ledger's own supplier id is a name withheld (Oxford's rent
    # allowance cheques, compensation): kept as redacted. Blank payee and no id: set aside.
    withheld = no_supplier & (_text(cols["supplier_id"]).notna().to_numpy() if "supplier_id" in cols else False)
    reason[no_supplier & ~withheld & (reason == None)] = "no_supplier"  # noqa: E711 - elementwise
    reason[pence_na & amount_given] = "unreadable_amount"
    reason[pence_na & ~amount_given] = "no_amount"
    reason[total] = "total_row"
    for i in np.flatnonzero(pence_na):
        if header_score(rows[i]) >= HEADER_MIN_SCORE:  # a second, different header inside the table
            reason[i] = "repeated_header"
    reason[blank] = "blank"

    pence_filled = pence.fillna(0).to_numpy(dtype=np.int64)
    keep = np.array([r is None for r in reason], dtype=bool)

    aside_idx = np.flatnonzero(~keep)
    set_aside = pd.DataFrame({
        "source_file": table.source_file,
        "sheet": table.sheet,
        "row_number": np.asarray(row_numbers, dtype=np.int64)[aside_idx],
        "reason": reason[aside_idx].astype(str),
        "amount_pence": pence_filled[aside_idx],
        "raw": [_raw_text(rows[i], cm.columns.get("supplier_name")) for i in aside_idx],
        "duplicate_of": None,
    })

    k = np.flatnonzero(keep)
    kd = dates.iloc[k]
    fy = [financial_year(d) if d is not None else period_fy for d in kd]
    kept = pd.DataFrame({
        "anchor": anchor,
        "source_file": table.source_file,
        "sheet": table.sheet,
        "row_number": np.asarray(row_numbers, dtype=np.int64)[k],
        "payment_date": pd.array(list(kd), dtype=pd.ArrowDtype(pa.date32())),
        "financial_year": pd.Series(fy, dtype="string"),
        "amount_pence": pence_filled[k],
        "supplier_name": supplier.iloc[k].reset_index(drop=True),
    })
    kept["row_repair"] = pd.Series([repaired.get(i) for i in k], dtype="string")
    kept["date_source"] = pd.Series(np.where(kd.isna().to_numpy(), "file_period", "ledger"), dtype="string")
    for fld in (*CONTRACT_TEXT_FIELDS, *EXTRA_FIELDS):
        if fld in cols:
            kept[fld] = _text([cols[fld][i] for i in k])
        else:
            kept[fld] = pd.Series([None] * len(k), dtype="string")
    if "charity_number" in cols:
        pairs = [split_charity_id(v) for v in kept["charity_number"].tolist()]
        kept["charity_number"] = pd.Series([p[0] for p in pairs], dtype="string")
        other = [p[1] for p in pairs]
        kept["other_id"] = kept["other_id"].where(kept["other_id"].notna(), pd.Series(other, dtype="string"))
    if "company_number" in cols:
        kept["company_number"] = pd.Series([company_number(v) for v in kept["company_number"].tolist()], dtype="string")
    if "postcode" in cols:
        kept["postcode"] = pd.Series([normalise_postcode(v) for v in kept["postcode"].tolist()], dtype="string")
    names = kept["supplier_name"]
    uniq = names.dropna().unique()
    red = {u: is_redacted(u) for u in uniq}
    ind = {u: red[u] or looks_like_individual(u) for u in uniq}
    no_name = names.isna()
    kept["redacted"] = names.map(red).fillna(False).astype(bool) | no_name
    kept["individual"] = names.map(ind).fillna(False).astype(bool) | no_name
    kept["payment_id"] = pd.Series(
        _payment_ids(anchor, kd.tolist(), kept["amount_pence"].to_numpy(), names.tolist(),
                     kept["transaction_ref"].tolist()), dtype="string")
    kept["amount_pence"] = kept["amount_pence"].astype("int64")
    return _Chunk(kept[TRANSACTION_COLUMNS], set_aside, n, int(pence_filled.sum()))


@dataclass
class IngestResult:
    transactions: pd.DataFrame
    reconciliation: pd.DataFrame
    quarantine: pd.DataFrame
    duplicates: pd.DataFrame
    files: list[str] = field(default_factory=list)

    def balanced(self) -> bool:
        r = self.reconciliation
        return bool(((r.pence_read == r.pence_kept + r.pence_set_aside)
                     & (r.rows_read == r.rows_kept + r.rows_set_aside)).all())


def expand_paths(paths) -> list[tuple[Path, str]]:
    """Files and folders (recursively) -> (path, source_file name relative to the folder given)."""
    out: list[tuple[Path, str]] = []
    for p in paths:
        p = Path(p)
        if p.is_dir():
            for f in sorted(p.rglob("*")):
                if f.is_file() and f.suffix.lower() in LEDGER_SUFFIXES and not f.name.startswith(("~$", ".")):
                    out.append((f, f.relative_to(p).as_posix()))
        elif p.is_file():
            out.append((p, p.name))
        else:
            raise InputFileError(f"{p}: no such file or folder")
    return out


def _unreadable(table: RawTable) -> InputFileError:
    where = f"{table.path}" + (f", sheet {table.sheet!r}" if table.sheet else "")
    names = expected_names()
    expect = "; ".join(f"{f}: {', '.join(repr(x) for x in names[f][:8])}" for f in CORE_FIELDS)
    found = ", ".join(repr(c) for c in table.columns_found) or "(none)"
    return InputFileError(
        f"{where}: no recognisable supplier, amount and date columns. Columns found: {found}. "
        f"Expected names like {expect}. Pass an override (field=header) for this file.")


def _ingest_file(path: Path, source_file: str, anchor: str, overrides, chunk_rows: int, sink=None):
    """Yield (_Chunk) for every chunk of every readable table of one file."""
    tables = read_tables(path, source_file, overrides, chunk_rows)
    readable = [t for t in tables if t.colmap is not None and not t.colmap.missing_core()]
    if not readable:
        if tables:
            raise _unreadable(tables[0])
        raise InputFileError(f"{path}: holds no rows")
    for t in tables:
        if t.colmap is None or t.colmap.missing_core():
            # A notes or pivot sheet beside monthly ledger sheets: counted, set aside, not fatal.
            yield _Chunk(pd.DataFrame(columns=TRANSACTION_COLUMNS), pd.DataFrame(
                [[source_file, t.sheet, 0, "sheet_not_a_ledger", 0, "columns: " + ", ".join(t.columns_found), None]],
                columns=QUARANTINE_COLUMNS), 1, 0)
            continue
        for nums, rows in t.rows:
            yield process_rows(t, anchor, nums, rows)


def _recon_row(source_file: str, sheets: list[str], rows_read: int, pence_read: int,
               kept: pd.DataFrame | None, aside: pd.DataFrame) -> dict:
    rec = {
        "source_file": source_file,
        "sheet": ";".join(sheets),
        "rows_read": rows_read,
        "rows_kept": 0 if kept is None else len(kept),
        "rows_set_aside": len(aside),
        "pence_read": pence_read,
        "pence_kept": 0 if kept is None else int(kept["amount_pence"].sum()),
        "pence_set_aside": int(aside["amount_pence"].sum()) if len(aside) else 0,
    }
    counts = aside["reason"].value_counts() if len(aside) else {}
    for r in REASONS:
        rec[f"reason_{r}"] = int(counts.get(r, 0))
    return rec


def find_duplicates(tx: pd.DataFrame) -> pd.DataFrame:
    """Rows that repeat a payment published in another file.

    Key: (anchor, payment_date, amount_pence, normalised supplier, transaction_ref). Identical lines
    inside one file are real (two lines of one invoice) and stay; across files, for each key the
    file with the most copies is kept whole and the copies in other files are returned, with
    `duplicate_of` naming the file kept.
    """
    if tx.empty:
        return tx.assign(duplicate_of=pd.Series(dtype="string"))
    key = tx["payment_id"]
    per_file = tx.groupby([key, tx["source_file"]], sort=False).size().rename("n").reset_index()
    multi = per_file.groupby("payment_id")["source_file"].transform("size") > 1
    per_file = per_file[multi]
    if per_file.empty:
        return tx.iloc[0:0].assign(duplicate_of=pd.Series(dtype="string"))
    order = {f: i for i, f in enumerate(pd.unique(tx["source_file"]))}
    per_file = per_file.assign(order=per_file["source_file"].map(order))
    best = per_file.sort_values(["payment_id", "n", "order"], ascending=[True, False, True]).drop_duplicates("payment_id")
    kept_file = dict(zip(best["payment_id"], best["source_file"]))
    cand = tx[key.isin(kept_file.keys())]
    dup = cand[cand["source_file"].to_numpy() != cand["payment_id"].map(kept_file).to_numpy()]
    return dup.assign(duplicate_of=dup["payment_id"].map(kept_file).astype("string"))


def _empty_transactions() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="string") for c in TRANSACTION_COLUMNS}).astype(
        {"row_number": "int64", "amount_pence": "int64", "individual": bool, "redacted": bool,
         "payment_date": pd.ArrowDtype(pa.date32())})


def arrow_schema() -> pa.Schema:
    types = {"row_number": pa.int64(), "amount_pence": pa.int64(), "payment_date": pa.date32(),
             "individual": pa.bool_(), "redacted": pa.bool_()}
    return pa.schema([(c, types.get(c, pa.string())) for c in TRANSACTION_COLUMNS])


def to_arrow(df: pd.DataFrame) -> pa.Table:
    return pa.Table.from_pandas(df[TRANSACTION_COLUMNS], schema=arrow_schema(), preserve_index=False)


def ingest_paths(paths, anchor: str, overrides: dict[str, str] | None = None, out_dir: Path | None = None,
                 partition: bool = False, progress: bool = False, chunk_rows: int | None = None) -> IngestResult:
    """Read every ledger under `paths` for one anchor; see the module doc and CONTRACTS §1.

    `partition=True` streams each file in chunks to `out_dir/transactions/anchor=<a>/
    financial_year=<y>/part-*.parquet` and holds no transactions in memory (the result's
    `transactions` is empty); cross-file duplicates are then not removed (do it downstream,
    where the whole table can be scanned).
    """
    files = expand_paths(paths)
    if not files:
        raise InputFileError(f"no ledger files (.csv, .xlsx, .xls, .txt) under {', '.join(map(str, paths))}")
    if partition and out_dir is None:
        raise InputFileError("partition=True needs an output folder (--out)")
    chunk_rows = chunk_rows or (100_000 if partition else 10_000_000)
    iterator = files
    if progress:
        from tqdm import tqdm

        iterator = tqdm(files, desc=f"ingest {anchor}", unit="file")
    recon, kept_parts, aside_parts = [], [], []
    part_no = 0
    if partition:
        out_dir = Path(out_dir)
        out_dir.mkdir(parents=True, exist_ok=True)
    for path, source_file in iterator:
        rows_read = pence_read = 0
        file_kept, file_aside, sheets = [], [], []
        for chunk in _ingest_file(path, source_file, anchor, overrides, chunk_rows):
            rows_read += chunk.rows_read
            pence_read += chunk.pence_read
            file_aside.append(chunk.set_aside)
            if partition:
                part_no = _write_partitions(chunk.kept, out_dir, anchor, part_no)
                file_kept.append(chunk.kept[["amount_pence"]])
            else:
                file_kept.append(chunk.kept)
            for s in chunk.set_aside["sheet"].unique().tolist() + chunk.kept["sheet"].unique().tolist():
                if s and s not in sheets:
                    sheets.append(s)
        kept = pd.concat(file_kept, ignore_index=True) if file_kept else None
        aside = pd.concat(file_aside, ignore_index=True) if file_aside else pd.DataFrame(columns=QUARANTINE_COLUMNS)
        recon.append(_recon_row(source_file, sheets, rows_read, pence_read, kept, aside))
        if not partition and kept is not None:
            kept_parts.append(kept)
        aside_parts.append(aside)

    transactions = (pd.concat([p for p in kept_parts if len(p)], ignore_index=True)
                    if any(len(p) for p in kept_parts) else _empty_transactions())
    quarantine = pd.concat(aside_parts, ignore_index=True) if aside_parts else pd.DataFrame(columns=QUARANTINE_COLUMNS)
    reconciliation = pd.DataFrame(recon)
    duplicates = find_duplicates(transactions) if not partition else transactions.iloc[0:0]
    if len(duplicates):
        transactions = transactions.drop(index=duplicates.index).reset_index(drop=True)
        dq = pd.DataFrame({
            "source_file": duplicates["source_file"].astype(str), "sheet": duplicates["sheet"].astype(str),
            "row_number": duplicates["row_number"], "reason": "duplicate_of_other_file",
            "amount_pence": duplicates["amount_pence"], "duplicate_of": duplicates["duplicate_of"],
            "raw": (duplicates["supplier_name"].astype(str).where(~duplicates["individual"], "(individual)")
                    + "|" + duplicates["amount_pence"].astype(str)),
        })
        quarantine = pd.concat([quarantine, dq[QUARANTINE_COLUMNS]], ignore_index=True)
        moved = duplicates.groupby("source_file").agg(n=("amount_pence", "size"), p=("amount_pence", "sum"))
        for i, rec in reconciliation.iterrows():
            if rec.source_file in moved.index:
                n, p = moved.loc[rec.source_file, "n"], moved.loc[rec.source_file, "p"]
                reconciliation.loc[i, ["rows_kept", "pence_kept"]] -= [n, p]
                reconciliation.loc[i, ["rows_set_aside", "pence_set_aside", "reason_duplicate_of_other_file"]] += [n, p, n]
        duplicates = duplicates.reset_index(drop=True)
    quarantine = quarantine.astype({"row_number": "int64", "amount_pence": "int64"})
    result = IngestResult(transactions, reconciliation, quarantine, duplicates, [f for _, f in files])
    if out_dir is not None:
        write_outputs(result, Path(out_dir), partition=partition)
    return result


def _write_partitions(kept: pd.DataFrame, out_dir: Path, anchor: str, part_no: int) -> int:
    if kept.empty:
        return part_no
    for fy, part in kept.groupby("financial_year", sort=True, dropna=False):
        fy_dir = "unknown" if fy is None or fy is pd.NA else str(fy).replace("/", "-")
        folder = out_dir / "transactions" / f"anchor={_safe(anchor)}" / f"financial_year={fy_dir}"
        folder.mkdir(parents=True, exist_ok=True)
        pq.write_table(to_arrow(part), folder / f"part-{part_no:05d}.parquet")
        part_no += 1
    return part_no


def _safe(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip("_") or "anchor"


def write_outputs(result: IngestResult, out_dir: Path, partition: bool = False) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    if not partition:
        tmp = out_dir / "transactions.parquet.tmp"
        pq.write_table(to_arrow(result.transactions), tmp)
        tmp.replace(out_dir / "transactions.parquet")
    result.reconciliation.to_csv(out_dir / "reconciliation.csv", index=False)
    result.quarantine[QUARANTINE_COLUMNS].to_csv(out_dir / "quarantine.csv", index=False)
