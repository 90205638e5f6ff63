"""The pure steps of building a city's spend: frames in, frames out, no files read or written.

Years set aside, suppliers joined, geography classified, descriptions scrubbed (docs/CONTRACTS.md
section 4); `spend.py` runs them in order and caches the result.
"""

from __future__ import annotations

import pandas as pd

from ..publish import scrub_column
from ..schema import NAME_SHOWN, OUTSIDE_YEARS


def classify_geography(
    spend: pd.DataFrame, place_lads: list[str], wider_lads: list[str], deprived_deciles: list[int] = (1, 2)
) -> pd.DataFrame:
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


def set_aside_outside_years(
    transactions: pd.DataFrame, reconciliation: pd.DataFrame, quarantine: pd.DataFrame, years: list[str]
):
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
        extra = pd.DataFrame(
            {
                "anchor": moved["anchor"].values,
                "source_file": moved["source_file"].values,
                "sheet": moved["sheet"].values,
                "row_number": moved["row_number"].values,
                "reason": OUTSIDE_YEARS,
                "amount_pence": moved["amount_pence"].values,
                "raw": ("payment year " + moved["financial_year"].astype("string")).values,
            }
        )
        quarantine = pd.concat([quarantine, extra], ignore_index=True) if len(quarantine) else extra
    return kept.reset_index(drop=True), rec, quarantine


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


def _frame(obj, columns: list[str] | None = None) -> pd.DataFrame:
    if obj is None:
        return pd.DataFrame(columns=columns or [])
    return obj if isinstance(obj, pd.DataFrame) else pd.DataFrame(obj)


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
        out.get("supplier_type", pd.Series(pd.NA, index=out.index)).astype("string") == "individual"
    ).fillna(False)
    return out


_SUPPLIER_FIELDS = [
    "supplier_type",
    "lad_code",
    "ward_code",
    "lsoa_code",
    "imd_decile",
    "sic_code",
    "sic_section",
    "sic_division",
    "sic_inferred",
    "resolved_by",
    "location_basis",
    NAME_SHOWN,
]


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
    spend["location_basis"] = spend["location_basis"].astype("string").fillna("none")
    individual = spend["individual"].fillna(False).astype(bool)
    spend.loc[individual, "supplier_type"] = "individual"
    spend["individual"] = individual
    spend[NAME_SHOWN] = spend[NAME_SHOWN].astype("boolean").fillna(False).astype(bool) & ~individual
    return spend
