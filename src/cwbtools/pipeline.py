"""One city's spend, end to end: ingest every anchor's ledgers, resolve suppliers, classify geography.

`city_spend(config)` returns the CONTRACTS §4 table and caches it, with the reconciliation,
quarantine and supplier coverage beside it, under `processed_dir()/<slug>/`. The cache is rebuilt
when the config, any input file, the reference tables or the stage code change.

Nothing is lost silently: every pound read is either in `spend.parquet` or set aside with a reason
(by ingest, or here as `outside_years` when its payment date falls outside the config's years), and
`city_reconciliation` adds up to the penny.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import hashlib
import json
import os
import shutil
import tempfile
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pandas as pd

from . import __version__
from .config import CityConfig, load_config
from .errors import ConfigError, InputFileError
from .identifiers import postcode as normalise_postcode
from .identifiers import supplier_name as normalise_name
from .paths import processed_dir, reference_dir
from .organisations import name_shown
from .privacy import hide_individuals
from .publish import scrub_column, write_csv
from .schema import BAD_AMOUNT, NAME_SHOWN, OUTSIDE_YEARS, SPEND_COLUMNS, SPEND_TRACE_COLUMNS, TRANSACTION_CONTRACT
from .schema import GEO_ORDER  # noqa: F401  (read as pipeline.GEO_ORDER)

_FILES = {
    "spend": "spend.parquet",
    "suppliers": "suppliers.parquet",
    "reconciliation": "reconciliation.csv",
    "quarantine": "quarantine.csv",
    "coverage": "coverage.csv",
    "duplicates": "duplicates.csv",
    "fingerprint": "inputs.json",
}


# ---------------------------------------------------------------------------------------------
# Pure steps
# ---------------------------------------------------------------------------------------------
def classify_geography(spend: pd.DataFrame, place_lads: list[str], wider_lads: list[str],
                       deprived_deciles: list[int] = (1, 2)) -> pd.DataFrame:
    """Add `located`, `in_place`, `in_wider` (place included), `geo` and `deprived` from `lad_code`
    and `imd_decile`. `deprived` is NA when the supplier's neighbourhood is unknown (unlocated, or
    outside England where IMD 2019 does not reach)."""
    out = spend.copy()
    lad = out["lad_code"].astype("string").str.strip()
    located = lad.notna() & (lad != "")
    place = set(place_lads)
    wider = set(wider_lads) | place
    out["located"] = located.astype(bool)
    out["in_place"] = (located & lad.isin(place)).fillna(False).astype(bool)
    out["in_wider"] = (located & lad.isin(wider)).fillna(False).astype(bool)
    geo = pd.Series("outside", index=out.index, dtype="string")
    geo[out["in_wider"]] = "wider"
    geo[out["in_place"]] = "place"
    geo[~out["located"]] = "unlocated"
    out["geo"] = geo
    decile = pd.to_numeric(out["imd_decile"], errors="coerce").astype("Int64")
    deprived = decile.isin(list(deprived_deciles)).astype("boolean")
    deprived[decile.isna() | ~out["located"]] = pd.NA
    out["deprived"] = deprived
    return out


def set_aside_outside_years(transactions: pd.DataFrame, reconciliation: pd.DataFrame,
                            quarantine: pd.DataFrame, years: list[str]):
    """Move payments dated outside the configured years out of the transactions and into the
    reconciliation and quarantine as reason `outside_years`, so totals still add up to the penny."""
    outside = ~transactions["financial_year"].isin(years)
    moved = transactions[outside]
    kept = transactions[~outside]
    rec = reconciliation.copy()
    col = f"reason_{OUTSIDE_YEARS}"
    if col not in rec:
        rec[col] = 0
    if len(moved):
        by_file = moved.groupby(["anchor", "source_file"], dropna=False)["amount_pence"].agg(["size", "sum"])
        for (anchor, source_file), row in by_file.iterrows():
            hit = (rec["anchor"] == anchor) & (rec["source_file"] == source_file)
            if not hit.any():
                raise AssertionError(f"no reconciliation row for {anchor} {source_file}")
            first = rec.index[hit][0]
            rec.loc[first, "rows_kept"] -= int(row["size"])
            rec.loc[first, "rows_set_aside"] += int(row["size"])
            rec.loc[first, "pence_kept"] -= int(row["sum"])
            rec.loc[first, "pence_set_aside"] += int(row["sum"])
            rec.loc[first, col] += int(row["size"])
        extra = pd.DataFrame({
            "anchor": moved["anchor"].values,
            "source_file": moved["source_file"].values,
            "sheet": moved["sheet"].values,
            "row_number": moved["row_number"].values,
            "reason": OUTSIDE_YEARS,
            "amount_pence": moved["amount_pence"].values,
            "raw": ("payment year " + moved["financial_year"].astype("string")).values,
        })
        quarantine = pd.concat([quarantine, extra], ignore_index=True) if len(quarantine) else extra
    return kept.reset_index(drop=True), rec, quarantine


# ---------------------------------------------------------------------------------------------
# Stages (imported lazily: each is another module's)
# ---------------------------------------------------------------------------------------------
def _ingest_anchor(config: CityConfig, anchor) -> list:
    from .ingest import ingest_paths

    results = []
    for ledger, files in config.ledger_files(anchor):
        if not files:
            raise ConfigError(f"anchor {anchor.name!r} in {config.source_path}: ledger {ledger.path!r} "
                              f"not found (looked for {config.resolve_path(ledger.path)})")
        result = ingest_paths(files, anchor.name, overrides=ledger.overrides)
        note_stated_year(result.reconciliation, result.transactions, ledger.year)
        results.append(result)
    return results


def note_stated_year(reconciliation: pd.DataFrame, transactions: pd.DataFrame, year: str | None) -> None:
    """When a config says which financial year a ledger covers, record it beside each of its files
    with the count of rows dated in another year. Payments still count in the year they were paid:
    a file's label does not move money between years, but a mismatch is shown, not hidden."""
    reconciliation["stated_year"] = year if year else pd.NA
    if year is None or transactions.empty:
        reconciliation["rows_outside_stated_year"] = 0
        return
    off = transactions.loc[transactions["financial_year"] != year, "source_file"].value_counts()
    reconciliation["rows_outside_stated_year"] = reconciliation["source_file"].map(off).fillna(0).astype("int64")


def _read_table(path: Path, sheet: str | None = None) -> pd.DataFrame:
    suffix = path.suffix.lower()
    try:
        if suffix in {".xlsx", ".xlsm", ".xls"}:
            return pd.read_excel(path, sheet_name=sheet or 0, dtype=str, engine="calamine")
        if suffix == ".parquet":
            return pd.read_parquet(path)
        return pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""], encoding="utf-8-sig")
    except (OSError, ValueError) as exc:
        raise InputFileError(f"{path}: cannot read ({exc})") from exc


def supplier_sheet_transactions(config: CityConfig, anchor):
    """A CLES-style supplier sheet (one row per supplier, the year's amount) as transactions, with
    its reconciliation and quarantine, so it goes through resolution like any ledger."""
    sheet = anchor.supplier_sheet
    path = config.resolve_path(sheet.path)
    if not path.exists():
        raise ConfigError(f"anchor {anchor.name!r} in {config.source_path}: supplier_sheet {sheet.path!r} "
                          f"not found (looked for {path})")
    raw = _read_table(path, sheet.sheet)
    lower = {str(c).strip().lower(): c for c in raw.columns}

    def column(key: str, guesses: list[str]) -> str | None:
        if key in sheet.columns:
            if sheet.columns[key] not in raw.columns:
                raise InputFileError(f"{path}: column {sheet.columns[key]!r} (supplier_sheet.columns.{key}) not "
                                     f"found; columns are {', '.join(map(str, raw.columns))}")
            return sheet.columns[key]
        return next((lower[g] for g in guesses if g in lower), None)

    name_col = column("supplier_name", ["supplier_name", "supplier name", "supplier", "name"])
    amount_col = column("amount", ["amount", "spend", "total", "value", "amount (£)"])
    pc_col = column("postcode", ["postcode", "post code", "supplier postcode"])
    if name_col is None or amount_col is None:
        raise InputFileError(f"{path}: needs supplier name and amount columns (set supplier_sheet.columns); "
                             f"columns are {', '.join(map(str, raw.columns))}")
    start = dt.date(int(sheet.year[:4]), 4, 1)
    rows, bad = [], []
    for i, rec in enumerate(raw.to_dict("records"), start=2):
        text = str(rec.get(amount_col) or "").replace("£", "").replace(",", "").strip()
        negative = text.startswith("(") and text.endswith(")")
        try:
            pence = int((Decimal(text.strip("()")) * 100).to_integral_value())
            pence = -pence if negative else pence
        except (InvalidOperation, ValueError):
            bad.append({"source_file": path.name, "sheet": sheet.sheet or "", "row_number": i,
                        "reason": BAD_AMOUNT, "amount_pence": 0, "raw": str(rec.get(amount_col))})
            continue
        name = str(rec.get(name_col) or "").strip()
        pc = normalise_postcode(rec.get(pc_col)) if pc_col else None
        key = f"{anchor.name}|{start}|{pence}|{normalise_name(name)}|{i}"
        rows.append({
            "anchor": anchor.name, "source_file": path.name, "sheet": sheet.sheet or "", "row_number": i,
            "payment_date": start, "financial_year": sheet.year, "amount_pence": pence,
            "supplier_name": name, "supplier_id": None, "company_number": None, "charity_number": None,
            "other_id": None, "vat_number": None, "postcode": pc, "expense_category": None,
            "service_area": None, "description": None, "transaction_ref": None,
            "individual": False, "redacted": False,
            "payment_id": hashlib.sha1(key.encode()).hexdigest()[:16],
        })
    tx = _typed(pd.DataFrame(rows, columns=list(TRANSACTION_CONTRACT)))
    if len(tx):
        from .individuals import is_redacted, looks_like_individual

        tx["redacted"] = tx["supplier_name"].map(lambda v: bool(is_redacted(v))).astype(bool)
        tx["individual"] = tx["redacted"] | tx["supplier_name"].map(lambda v: bool(looks_like_individual(v))).astype(bool)
    read = int(tx["amount_pence"].sum()) if len(tx) else 0
    rec = pd.DataFrame([{
        "source_file": path.name, "sheet": sheet.sheet or "", "rows_read": len(rows) + len(bad),
        "rows_kept": len(rows), "rows_set_aside": len(bad), "pence_read": read, "pence_kept": read,
        "pence_set_aside": 0, f"reason_{BAD_AMOUNT}": len(bad)}])
    quarantine = pd.DataFrame(bad, columns=["source_file", "sheet", "row_number", "reason", "amount_pence", "raw"])
    return tx, rec, quarantine


def _typed(tx: pd.DataFrame) -> pd.DataFrame:
    """The dtypes ingest gives transactions (CONTRACTS §1), so sheets and ledgers concatenate."""
    import pyarrow as pa

    out = tx.copy()
    for col in out.columns:
        if col in ("row_number", "amount_pence"):
            out[col] = out[col].astype("int64")
        elif col in ("individual", "redacted"):
            out[col] = out[col].fillna(False).astype(bool)
        elif col == "payment_date":
            out[col] = pd.to_datetime(out[col]).dt.date.astype(pd.ArrowDtype(pa.date32()))
        else:
            out[col] = out[col].astype("string")
    return out


def _resolution_inputs(config: CityConfig) -> dict:
    creditors = []
    for anchor in config.anchors:
        if anchor.creditors:
            frame = _read_table(config.resolve_path(anchor.creditors))
            frame.insert(0, "anchor", anchor.name)
            creditors.append(frame)
    inputs = {
        "creditors": pd.concat(creditors, ignore_index=True) if creditors else None,
        "crosswalk": _read_table(config.resolve_path(config.crosswalk)) if config.crosswalk else None,
        "companies": config.resolve_path(config.companies_file) if config.companies_file else None,
    }
    return inputs


def _resolve(transactions: pd.DataFrame, config: CityConfig):
    from .suppliers import resolve_suppliers

    return resolve_suppliers(transactions, **_resolution_inputs(config))


# ---------------------------------------------------------------------------------------------
# Building and caching
# ---------------------------------------------------------------------------------------------
def city_dir(config: CityConfig) -> Path:
    return processed_dir() / config.slug


def _as_config(config: CityConfig | str | Path) -> CityConfig:
    return config if isinstance(config, CityConfig) else load_config(config)


def _stat(path: Path) -> list:
    try:
        st = path.stat()
        return [str(path), st.st_size, st.st_mtime_ns]
    except OSError:
        return [str(path), None, None]


def fingerprint(config: CityConfig) -> str:
    """A hash of everything the cached spend depends on."""
    here = Path(__file__).resolve().parent
    # Every module of the package: a list of the ones spend depends on went stale when modules
    # became packages (ingest/, reference/), and a stale cache is a wrong figure.
    code = [_stat(p) for p in sorted(here.rglob("*.py"))]
    payload = {
        "version": __version__,
        # Only what the spend table depends on: editing a scenario or a note does not rebuild it.
        "config": config.model_dump(mode="json", include={"slug", "place", "wider_area", "anchors", "years",
                                                          "crosswalk", "companies_file"}),
        "deprived": config.definitions.deprived.model_dump(mode="json"),
        "place": config.place.lad_codes,
        "wider": config.wider_area.lad_codes,
        "inputs": [_stat(p) for p in config.input_files()],
        "reference": _stat(reference_dir() / ".built"),
        "code": code,
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


@contextlib.contextmanager
def _lock(folder: Path):
    # Notebooks of one city may run at the same time; one builds, the others wait and read.
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / ".lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _is_current(folder: Path, key: str) -> bool:
    stamp = folder / _FILES["fingerprint"]
    if not stamp.exists() or not (folder / _FILES["spend"]).exists():
        return False
    try:
        return json.loads(stamp.read_text())["fingerprint"] == key
    except (ValueError, KeyError):
        return False


def _ensure_inputs(config: CityConfig) -> None:
    # Contract notices and surveys are read by the reports, not here; they may be absent.
    if config.synthetic and config.missing_inputs(optional=False):
        from .demo import ensure_demo

        ensure_demo(config)
    missing = config.missing_inputs(optional=False)
    if missing:
        where = f" in {config.source_path}" if config.source_path else ""
        raise ConfigError(f"{len(missing)} input(s) named{where} are missing: " + "; ".join(missing))


def build_city(config: CityConfig | str | Path, refresh: bool = False) -> Path:
    """Build (or reuse) the city's processed folder and return it."""
    config = _as_config(config)
    folder = city_dir(config)
    if not refresh and not config.missing_inputs(optional=False) and _is_current(folder, fingerprint(config)):
        return folder
    with _lock(folder):
        # Inside the lock: notebooks started together must not write the demo ledgers twice.
        _ensure_inputs(config)
        key = fingerprint(config)
        if not refresh and _is_current(folder, key):
            return folder
        tables = _build(config)
        tmp = Path(tempfile.mkdtemp(dir=folder, prefix=".build."))
        try:
            tables["spend"].to_parquet(tmp / _FILES["spend"], index=False)
            tables["suppliers"].to_parquet(tmp / _FILES["suppliers"], index=False)
            for name in ("reconciliation", "quarantine", "coverage", "duplicates"):
                write_csv(tables[name], tmp / _FILES[name])
            (tmp / _FILES["fingerprint"]).write_text(json.dumps(
                {"fingerprint": key, "built": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
                 "config": str(config.source_path)}, indent=2) + "\n")
            # The stamp goes last: a reader only trusts a folder whose stamp matches.
            for name in ("spend", "suppliers", "reconciliation", "quarantine", "coverage", "duplicates",
                         "fingerprint"):
                os.replace(tmp / _FILES[name], folder / _FILES[name])
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    return folder


def _frame(obj, columns: list[str] | None = None) -> pd.DataFrame:
    if obj is None:
        return pd.DataFrame(columns=columns or [])
    return obj if isinstance(obj, pd.DataFrame) else pd.DataFrame(obj)


def _build(config: CityConfig) -> dict[str, pd.DataFrame]:
    from .suppliers import supplier_key

    kinds = {a.name: a.kind for a in config.anchors}
    tx_parts, rec_parts, q_parts, dup_parts = [], [], [], []
    for anchor in config.anchors:
        if anchor.supplier_sheet:
            tx, rec, quarantine = supplier_sheet_transactions(config, anchor)
            parts = [(tx, rec, quarantine, None)]
        else:
            parts = [(r.transactions, r.reconciliation, r.quarantine, getattr(r, "duplicates", None))
                     for r in _ingest_anchor(config, anchor)]
        for tx, rec, quarantine, dups in parts:
            tx = _frame(tx).copy()
            tx["anchor"] = anchor.name
            rec = _frame(rec).copy()
            rec.insert(0, "anchor", anchor.name)
            quarantine = _frame(quarantine, ["source_file", "sheet", "row_number", "reason", "amount_pence", "raw"]).copy()
            quarantine.insert(0, "anchor", anchor.name)
            tx_parts.append(tx)
            rec_parts.append(rec)
            q_parts.append(quarantine)
            if dups is not None and len(dups):
                dups = _frame(dups).copy()
                dups.insert(0, "anchor", anchor.name) if "anchor" not in dups else None
                dup_parts.append(dups)
    transactions = pd.concat([t for t in tx_parts if len(t)], ignore_index=True) if any(len(t) for t in tx_parts) \
        else tx_parts[0]
    reconciliation = pd.concat(rec_parts, ignore_index=True)
    reason_cols = [c for c in reconciliation if c.startswith("reason_")]
    reconciliation[reason_cols] = reconciliation[reason_cols].fillna(0).astype("int64")
    quarantine = pd.concat(q_parts, ignore_index=True)
    duplicates = pd.concat(dup_parts, ignore_index=True) if dup_parts else pd.DataFrame(columns=["anchor"])

    transactions, reconciliation, quarantine = set_aside_outside_years(
        transactions, reconciliation, quarantine, config.years)
    pence_in = int(transactions["amount_pence"].sum())

    transactions = transactions.copy()
    transactions["supplier_key"] = supplier_key(transactions)
    resolution = _resolve(transactions, config)
    suppliers = _mark_individual_suppliers(_frame(resolution.suppliers), transactions)
    # Decided once, per supplier, from all its spellings (`ACME` and `ACME LTD` share a key).
    suppliers[NAME_SHOWN] = name_shown(suppliers, transactions.set_index("supplier_key")["supplier_name"])
    coverage = _frame(resolution.coverage)

    spend = join_suppliers(transactions, suppliers)
    spend["anchor_kind"] = spend["anchor"].map(kinds).astype("string")
    spend = classify_geography(spend, config.place.lad_codes, config.wider_area.lad_codes,
                               config.definitions.deprived.deciles)
    spend = _scrub_descriptions(hide_individuals(spend))
    columns = SPEND_COLUMNS + [c for c in SPEND_TRACE_COLUMNS if c in spend]
    spend = spend[columns].sort_values(["financial_year", "anchor", "payment_date", "payment_id"],
                                       kind="stable").reset_index(drop=True)
    if int(spend["amount_pence"].sum()) != pence_in or len(spend) != len(transactions):
        raise AssertionError("joining suppliers changed the payments: a bug, not a data problem")
    return {
        "spend": spend,
        "suppliers": hide_individuals(suppliers),
        "reconciliation": reconciliation,
        "quarantine": quarantine,
        "coverage": coverage,
        "duplicates": _scrub_descriptions(hide_individuals(duplicates)),
    }


def _scrub_descriptions(frame: pd.DataFrame) -> pd.DataFrame:
    """Ledger descriptions keep their words (the influenceable-spend rules read them) but not, as
    far as can be told, a person's name or home address (`publish.scrub_text`)."""
    if "description" not in frame.columns:
        return frame
    out = frame.copy()
    out["description"] = scrub_column(out["description"].astype("string"))
    return out


def _mark_individual_suppliers(suppliers: pd.DataFrame, transactions: pd.DataFrame) -> pd.DataFrame:
    """A supplier any of whose payments ingest flagged as to an individual is an individual."""
    keys = set(transactions.loc[transactions["individual"].fillna(False).astype(bool), "supplier_key"])
    out = suppliers.copy()
    out["individual"] = out["supplier_key"].isin(keys) | (
        out.get("supplier_type", pd.Series(pd.NA, index=out.index)).astype("string") == "individual").fillna(False)
    return out


_SUPPLIER_FIELDS = ["supplier_type", "lad_code", "ward_code", "lsoa_code", "imd_decile", "sic_code",
                    "sic_section", "sic_division", "sic_inferred", "resolved_by", NAME_SHOWN]


def join_suppliers(transactions: pd.DataFrame, suppliers: pd.DataFrame) -> pd.DataFrame:
    """Each payment with its supplier's resolved fields; the published name stays the ledger's."""
    fields = [c for c in _SUPPLIER_FIELDS if c in suppliers]
    right = suppliers[["supplier_key"] + fields].drop_duplicates("supplier_key")
    left = transactions.drop(columns=[c for c in fields if c in transactions])
    spend = left.merge(right, on="supplier_key", how="left", validate="many_to_one")
    for col in _SUPPLIER_FIELDS:
        if col not in spend:
            spend[col] = pd.NA
    spend["supplier_type"] = spend["supplier_type"].astype("string").fillna("unknown")
    spend["resolved_by"] = spend["resolved_by"].astype("string").fillna("unresolved")
    individual = spend["individual"].fillna(False).astype(bool)
    spend.loc[individual, "supplier_type"] = "individual"
    spend["individual"] = individual
    spend[NAME_SHOWN] = spend[NAME_SHOWN].astype("boolean").fillna(False).astype(bool) & ~individual
    return spend


# ---------------------------------------------------------------------------------------------
# Public readers
# ---------------------------------------------------------------------------------------------
def city_spend(config: CityConfig | str | Path, refresh: bool = False) -> pd.DataFrame:
    """CONTRACTS §4 for the city: one row per kept payment of its anchors, all configured years."""
    folder = build_city(config, refresh=refresh)
    return pd.read_parquet(folder / _FILES["spend"])


def city_reconciliation(config: CityConfig | str | Path) -> pd.DataFrame:
    """Per anchor and source file: rows and pence read, kept and set aside (by reason).
    `pence_read == pence_kept + pence_set_aside` on every row."""
    return pd.read_csv(build_city(config) / _FILES["reconciliation"], dtype={"sheet": "string"},
                       keep_default_na=False)


def city_quarantine(config: CityConfig | str | Path) -> pd.DataFrame:
    return pd.read_csv(build_city(config) / _FILES["quarantine"], dtype=str, keep_default_na=False)


def city_coverage(config: CityConfig | str | Path) -> pd.DataFrame:
    """Supplier resolution coverage as reported by supplier resolution."""
    path = build_city(config) / _FILES["coverage"]
    try:
        return pd.read_csv(path)
    except pd.errors.EmptyDataError:
        return pd.DataFrame()


def city_suppliers(config: CityConfig | str | Path) -> pd.DataFrame:
    """CONTRACTS §3 for the city's suppliers (individuals shown only as `(individual)`)."""
    return pd.read_parquet(build_city(config) / _FILES["suppliers"])


def reconciliation_totals(config: CityConfig | str | Path) -> dict[str, int]:
    """Pence read, kept (== the spend table's total) and set aside, over the whole city."""
    rec = city_reconciliation(config)
    return {k: int(rec[k].sum()) for k in ("pence_read", "pence_kept", "pence_set_aside")}
