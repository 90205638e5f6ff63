"""One city's spend, end to end: ingest every anchor's ledgers, resolve suppliers, classify geography.

`city_spend(config)` returns the CONTRACTS §4 table and caches it, with the reconciliation,
quarantine, column maps (what each ledger file was read as) and supplier coverage beside it, under
`processed_dir()/<slug>/`. The cache is rebuilt when the config, any input file, the reference
tables or the stage code change.

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
from pathlib import Path

import pandas as pd

from .. import __version__
from ..config import CityConfig, load_config
from ..errors import ConfigError
from ..organisations import name_shown
from ..paths import file_stat, processed_dir, reference_dir
from ..privacy import hide_individuals
from ..publish import write_csv
from ..schema import COLUMN_MAP_COLUMNS, NAME_SHOWN, SPEND_COLUMNS, SPEND_TRACE_COLUMNS
from .inputs import _resolution_inputs, supplier_sheet_transactions
from .steps import (
    _frame,
    _mark_individual_suppliers,
    _scrub_descriptions,
    classify_geography,
    join_suppliers,
    note_stated_year,
    set_aside_outside_years,
)

_FILES = {
    "spend": "spend.parquet",
    "suppliers": "suppliers.parquet",
    "reconciliation": "reconciliation.csv",
    "column_maps": "column_maps.csv",
    "quarantine": "quarantine.csv",
    "coverage": "coverage.csv",
    "duplicates": "duplicates.csv",
    "fingerprint": "inputs.json",
}
_CSV_TABLES = ("reconciliation", "column_maps", "quarantine", "coverage", "duplicates")


# ---------------------------------------------------------------------------------------------
# Stages (imported lazily: each is another module's; the pure steps are in steps.py)
# ---------------------------------------------------------------------------------------------
def _ingest_anchor(config: CityConfig, anchor) -> list:
    from ..ingest import ingest_paths

    results = []
    for ledger, files in config.ledger_files(anchor):
        if not files:
            raise ConfigError(
                f"anchor {anchor.name!r} in {config.source_path}: ledger {ledger.path!r} "
                f"not found (looked for {config.resolve_path(ledger.path)})"
            )
        where = f"the overrides of ledger {ledger.path!r} (anchor {anchor.name!r}) in {config.source_path}"
        result = ingest_paths(
            files, anchor.name, overrides=ledger.overrides, overrides_from=where, limits=config.limits()
        )
        note_stated_year(result.reconciliation, result.transactions, ledger.year)
        results.append(result)
    return results


def _resolve(transactions: pd.DataFrame, config: CityConfig):
    from ..suppliers import resolve_suppliers

    return resolve_suppliers(transactions, **_resolution_inputs(config))


# ---------------------------------------------------------------------------------------------
# Building and caching
# ---------------------------------------------------------------------------------------------
def city_dir(config: CityConfig) -> Path:
    return processed_dir() / config.slug


def _as_config(config: CityConfig | str | Path) -> CityConfig:
    return config if isinstance(config, CityConfig) else load_config(config)


def fingerprint(config: CityConfig) -> str:
    """A hash of everything the cached spend depends on."""
    here = Path(__file__).resolve().parents[1]
    # Every module of the package: a list of the ones spend depends on went stale when modules
    # became packages (ingest/, reference/), and a stale cache is a wrong figure.
    code = [file_stat(p) for p in sorted(here.rglob("*.py"))]
    payload = {
        "version": __version__,
        # Only what the spend table depends on: editing a scenario or a note does not rebuild it.
        "config": config.model_dump(
            mode="json",
            include={"slug", "place", "wider_area", "anchors", "years", "crosswalk", "companies_file", "ingest_limits"},
        ),
        "deprived": config.definitions.deprived.model_dump(mode="json"),
        "public_bodies": config.definitions.public_bodies.model_dump(mode="json"),
        "location": config.definitions.location.model_dump(mode="json"),
        "place": config.place.lad_codes,
        "wider": config.wider_area.lad_codes,
        "inputs": [file_stat(p) for p in config.input_files()],
        "reference": file_stat(reference_dir() / ".built"),
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
    # Contract notices and surveys are read by the reports, not here; they may be absent. The demo's
    # ledgers are (re)written when missing or written by an older generator.
    if config.synthetic:
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
            for name in _CSV_TABLES:
                write_csv(tables[name], tmp / _FILES[name])
            (tmp / _FILES["fingerprint"]).write_text(
                json.dumps(
                    {
                        "fingerprint": key,
                        "built": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                        "config": str(config.source_path),
                    },
                    indent=2,
                )
                + "\n"
            )
            # The stamp goes last: a reader only trusts a folder whose stamp matches.
            for name in ("spend", "suppliers", *_CSV_TABLES, "fingerprint"):
                os.replace(tmp / _FILES[name], folder / _FILES[name])
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    return folder


def _build(config: CityConfig) -> dict[str, pd.DataFrame]:
    from ..suppliers import supplier_key

    kinds = {a.name: a.kind for a in config.anchors}
    tx_parts, rec_parts, q_parts, dup_parts = [], [], [], []
    map_parts = [pd.DataFrame(columns=["anchor", *COLUMN_MAP_COLUMNS])]
    for anchor in config.anchors:
        if anchor.supplier_sheet:
            tx, rec, quarantine = supplier_sheet_transactions(config, anchor)
            parts = [(tx, rec, quarantine, None)]
        else:
            results = _ingest_anchor(config, anchor)
            parts = [(r.transactions, r.reconciliation, r.quarantine, getattr(r, "duplicates", None)) for r in results]
            map_parts += [r.column_maps[COLUMN_MAP_COLUMNS].assign(anchor=anchor.name) for r in results]
        for tx, rec, quarantine, dups in parts:
            tx = _frame(tx).copy()
            tx["anchor"] = anchor.name
            rec = _frame(rec).copy()
            rec.insert(0, "anchor", anchor.name)
            quarantine = _frame(
                quarantine, ["source_file", "sheet", "row_number", "reason", "amount_pence", "raw"]
            ).copy()
            quarantine.insert(0, "anchor", anchor.name)
            tx_parts.append(tx)
            rec_parts.append(rec)
            q_parts.append(quarantine)
            if dups is not None and len(dups):
                dups = _frame(dups).copy()
                dups.insert(0, "anchor", anchor.name) if "anchor" not in dups else None
                dup_parts.append(dups)
    transactions = (
        pd.concat([t for t in tx_parts if len(t)], ignore_index=True) if any(len(t) for t in tx_parts) else tx_parts[0]
    )
    reconciliation = pd.concat(rec_parts, ignore_index=True)
    reason_cols = [c for c in reconciliation if c.startswith("reason_")]
    reconciliation[reason_cols] = reconciliation[reason_cols].fillna(0).astype("int64")
    column_maps = pd.concat([m for m in map_parts if len(m)] or map_parts[:1], ignore_index=True)
    column_maps = column_maps[["anchor", *COLUMN_MAP_COLUMNS]]
    quarantine = pd.concat(q_parts, ignore_index=True)
    duplicates = pd.concat(dup_parts, ignore_index=True) if dup_parts else pd.DataFrame(columns=["anchor"])

    transactions, reconciliation, quarantine = set_aside_outside_years(
        transactions, reconciliation, quarantine, config.years
    )
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
    spend = classify_geography(
        spend, config.place.lad_codes, config.wider_area.lad_codes, config.definitions.deprived.deciles
    )
    spend = _scrub_descriptions(hide_individuals(spend))
    if "ledger_influenceable" in spend:  # the ledger's flag, nullable: read back as it was written
        spend["ledger_influenceable"] = spend["ledger_influenceable"].astype("boolean")
    columns = SPEND_COLUMNS + [c for c in SPEND_TRACE_COLUMNS if c in spend]
    spend = (
        spend[columns]
        .sort_values(["financial_year", "anchor", "payment_date", "payment_id"], kind="stable")
        .reset_index(drop=True)
    )
    if int(spend["amount_pence"].sum()) != pence_in or len(spend) != len(transactions):
        raise AssertionError("joining suppliers changed the payments: a bug, not a data problem")
    return {
        "spend": spend,
        "suppliers": hide_individuals(suppliers),
        "reconciliation": reconciliation,
        "column_maps": column_maps,
        "quarantine": quarantine,
        "coverage": coverage,
        "duplicates": _scrub_descriptions(hide_individuals(duplicates)),
    }


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
    return pd.read_csv(build_city(config) / _FILES["reconciliation"], dtype={"sheet": "string"}, keep_default_na=False)


def city_column_maps(config: CityConfig | str | Path) -> pd.DataFrame:
    """What was read from each ledger file ingested (CONTRACTS §1 `column_maps.csv`, `anchor`
    first): one row per field of each table, the column it came from and how that was found.
    Supplier-sheet anchors are not ingested, so have none."""
    maps = pd.read_csv(
        build_city(config) / _FILES["column_maps"],
        dtype={c: "string" for c in ("anchor", "source_file", "sheet", "field", "column", "read_from", "note")},
        keep_default_na=False,
        na_values={"header_row": [""]},
    )
    return maps.astype({"header_row": "Int64", "column_number": "int64"})


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
