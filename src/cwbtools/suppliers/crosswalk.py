"""The crosswalk: a person's word on who a supplier is (name -> company number, postcode, type),
read and checked, and the review file's accepted rows folded back into it.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InputFileError
from ..identifiers import company_number, says_no_number
from ..identifiers import postcode as normalise_postcode
from ..publish import unguard_frame, write_csv
from ..schema import SUPPLIER_TYPES
from .keys import _company_numbers, _names_norm

REVIEW_COLUMNS = [
    "supplier_key",
    "supplier_name",
    "candidate_name",
    "candidate_company_number",
    "candidate_postcode",
    "candidate_source",
    "score",
    "second_score",
    "reason",
    "spend_pence",
    "decision",
]


CROSSWALK_COLUMNS = ["supplier_name", "company_number", "postcode", "supplier_type"]


def read_sheet(sheet: str | Path | pd.DataFrame, name: str, file_name: str) -> tuple[pd.DataFrame, str]:
    """A sheet a person filled in (a crosswalk, an address check) as text, with lower-case column
    names and our own guard on formula-like cells undone; and what to call it in a message."""
    if isinstance(sheet, pd.DataFrame):
        raw, where = sheet.copy(), name
    else:
        path, where = Path(sheet), str(sheet)
        if not path.exists():
            raise InputFileError(f"{path}: {file_name} not found")
        raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    raw = unguard_frame(raw)  # a cell we wrote as `'=...` (publish.guard) means `=...`
    raw.columns = [str(c).strip().lower() for c in raw.columns]
    return raw, where


def read_crosswalk(crosswalk: str | Path | pd.DataFrame | None) -> pd.DataFrame:
    """A crosswalk CSV or frame -> `supplier_name, name_norm, company_number, postcode,
    supplier_type` (postcode and company number normalised, `cwbtools.identifiers`). Unknown types, bad
    postcodes and company numbers that are none (`TBC`; a blank or `N/A` is simply no number) are
    errors naming the row."""
    if crosswalk is None:
        return pd.DataFrame(columns=CROSSWALK_COLUMNS + ["name_norm"])
    cw, where = read_sheet(crosswalk, "crosswalk", "crosswalk file")
    if "supplier_name" not in cw.columns:
        raise InputFileError(f"{where}: crosswalk needs a `supplier_name` column (found: {', '.join(cw.columns)})")
    for col in CROSSWALK_COLUMNS:
        if col not in cw.columns:
            cw[col] = ""
    cw = cw[CROSSWALK_COLUMNS].astype("string").apply(lambda s: s.str.strip()).replace("", pd.NA)
    for i, row in enumerate(cw.itertuples(index=False), start=2):
        if pd.notna(row.supplier_type) and row.supplier_type.lower() not in SUPPLIER_TYPES:
            raise InputFileError(
                f"{where}: row {i}, column supplier_type: {row.supplier_type!r} is not one of "
                f"{', '.join(SUPPLIER_TYPES)}"
            )
        if pd.notna(row.postcode) and normalise_postcode(row.postcode) is None:
            raise InputFileError(f"{where}: row {i}, column postcode: {row.postcode!r} is not a UK postcode")
        if company_number(row.company_number) is None and not says_no_number(row.company_number):
            raise InputFileError(
                f"{where}: row {i}, column company_number: {row.company_number!r} is not a "
                "Companies House number (leave it blank if there is none)"
            )
    cw["supplier_type"] = cw["supplier_type"].str.lower()
    cw["postcode"] = cw["postcode"].map(lambda v: normalise_postcode(v) if pd.notna(v) else pd.NA).astype("string")
    cw["company_number"] = _company_numbers(cw["company_number"])
    cw["name_norm"] = _names_norm(cw["supplier_name"])
    cw = cw[cw["name_norm"] != ""]
    # The last row for a name wins: later review decisions are appended below earlier ones.
    return cw.drop_duplicates("name_norm", keep="last").reset_index(drop=True)


def fold_review(review_csv: str | Path, crosswalk_csv: str | Path) -> tuple[int, int]:
    """Append accepted review rows to the crosswalk CSV (created if missing). Returns
    (accepted, rejected). A decision other than accept / reject / blank is an error naming the row."""
    review_csv = Path(review_csv)
    if not review_csv.exists():
        raise InputFileError(f"{review_csv}: no review file (run `cwb suppliers resolve` first)")
    rv = unguard_frame(pd.read_csv(review_csv, dtype=str, keep_default_na=False))
    for col in ("supplier_name", "candidate_company_number", "candidate_postcode", "decision"):
        if col not in rv.columns:
            raise InputFileError(f"{review_csv}: column `{col}` missing")
    decision = rv["decision"].str.strip().str.lower()
    bad = ~decision.isin(["", "accept", "reject"])
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise InputFileError(
            f"{review_csv}: row {i + 2}, column decision: {rv['decision'].iat[i]!r} "
            f"(write accept, reject or leave blank)"
        )
    acc = rv[decision == "accept"]
    new = pd.DataFrame(
        {
            "supplier_name": acc["supplier_name"],
            "company_number": acc["candidate_company_number"],
            "postcode": acc["candidate_postcode"],
            "supplier_type": "",
        }
    )
    crosswalk_csv = Path(crosswalk_csv)
    if crosswalk_csv.exists():
        old = unguard_frame(pd.read_csv(crosswalk_csv, dtype=str, keep_default_na=False))
        new = pd.concat([old, new], ignore_index=True)
    for col in CROSSWALK_COLUMNS:
        if col not in new.columns:
            new[col] = ""
    crosswalk_csv.parent.mkdir(parents=True, exist_ok=True)
    write_csv(new, crosswalk_csv)
    return len(acc), int((decision == "reject").sum())
