"""The address check, as CLES did it: officers confirm where the suppliers that matter trade.

`address_sheet` lists the top suppliers by procurement spend in one year whose location the tool
cannot vouch for (unlocated, placed only by a head or registered office, or placed by a fuzzy name
match above a spend threshold), prefilled with what the tool knows (candidate register matches, a
place named in the payee's name, a ledger postcode or district), with empty columns for an officer.
`read_checked` reads a filled sheet back: its rows are the first layer of supplier resolution
(`resolved_by` and `location_basis` `officer_checked`), keeping who checked and when.

Persons (and payees the tool cannot show to be organisations) are never on the sheet.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import numpy as np
import pandas as pd

from ..definitions import CONFIRM_FUZZY_ABOVE_GBP
from ..errors import InputFileError
from ..identifiers import postcode as normalise_postcode
from ..schema import INDIVIDUAL_KEY, NAME_SHOWN, OFFICE_BASES
from . import matching
from .crosswalk import read_sheet
from .keys import _names_norm

TOP = 300
# Why a supplier is on the sheet, in the order tested.
REASONS = {
    "unlocated": "no address found",
    "head_office": "placed only by its head office (may trade through a local branch)",
    "registered_office": "placed only by its registered office (may trade through a local branch)",
    "fuzzy_match": "matched by a fuzzy name match with much spend: is this the organisation, and where does it serve the place from?",
}
# The officer's columns, left empty: the postcode of the branch or site that serves the place, the
# supplier's size and sector as the officer knows them, a note, who checked and when (YYYY-MM-DD).
OFFICER_COLUMNS = ["branch_postcode", "sme", "vcse", "note", "checked_by", "checked_on"]
SHEET_COLUMNS = [
    "rank",
    "supplier_key",
    "supplier_name",
    "spend_gbp",
    "payments",
    "why",
    "resolved_by",
    "location_basis",
    "postcode",
    "lad_code",
    "company_number",
    "registered_name",
    "match_score",
    "candidate_name",
    "candidate_company_number",
    "candidate_postcode",
    "candidate_source",
    "candidate_score",
    "hint_place_in_name",
    "hint_ledger_postcode",
    "hint_ledger_district",
    *OFFICER_COLUMNS,
]
CHECKED_COLUMNS = ["supplier_key", "name_norm", "postcode", "sme", "vcse", "note", "checked_by", "checked_on"]
_YES = {"yes": True, "y": True, "true": True, "1": True, "no": False, "n": False, "false": False, "0": False}


def _reasons(sup: pd.DataFrame, fuzzy_above_pence: int) -> pd.Series:
    lad = sup["lad_code"].astype("string") if "lad_code" in sup else pd.Series(pd.NA, index=sup.index, dtype="string")
    located = lad.notna() & (lad.str.strip() != "")
    # `location_basis` says how a located supplier was placed (CONTRACTS §3); a table built before
    # it existed selects nothing on that ground.
    basis = sup["location_basis"].astype("string") if "location_basis" in sup else pd.Series(pd.NA, index=sup.index)
    # As the resolver decides (`definitions.location.confirm_fuzzy_above_gbp`): on all years' spend.
    fuzzy = sup["resolved_by"].astype("string").eq("fuzzy_name").fillna(False) & (
        pd.to_numeric(sup["spend_pence"], errors="coerce").fillna(0) > fuzzy_above_pence
    )
    office = basis.isin(OFFICE_BASES).fillna(False).to_numpy(dtype=bool)
    located = located.to_numpy(dtype=bool)
    # A large fuzzy match is left unlocated by the resolver until confirmed: it is on the sheet as a match to confirm.
    reason = np.select([fuzzy.to_numpy(dtype=bool), ~located, office], ["fuzzy_match", "unlocated", "office"], "")
    # head_office or registered_office, as placed
    return pd.Series(np.where(reason == "office", basis.astype(object).to_numpy(), reason), index=sup.index)


def place_words(names) -> re.Pattern | None:
    """A pattern finding any of the place's names (the place, its districts) as whole words."""
    words = sorted({str(n).strip() for n in names if n and str(n).strip()}, key=len, reverse=True)
    return re.compile(r"\b(" + "|".join(re.escape(w) for w in words) + r")\b", re.I) if words else None


def _candidates(sheet: pd.DataFrame, registers: pd.DataFrame | None) -> pd.DataFrame:
    """The best register candidate for each unlocated name (the resolver's fuzzy search, any
    score at or above review), for the officer to confirm or reject."""
    cols = ["candidate_name", "candidate_company_number", "candidate_postcode", "candidate_source", "candidate_score"]
    out = pd.DataFrame({c: pd.Series(pd.NA, index=sheet.index, dtype="object") for c in cols})
    todo = sheet.index[sheet["why"] == "unlocated"]
    if registers is None or len(registers) == 0 or not len(todo):
        return out
    index = matching.build_index(registers)
    q = pd.DataFrame({"qid": todo, "name": sheet.loc[todo, "supplier_name"].astype(str)})
    q["name_norm"] = _names_norm(q["name"].astype("string")).astype(str)
    hits = matching.exact_matches(index, q)[["qid", "row"]].assign(score=100.0)
    rest = q[~q["qid"].isin(hits["qid"])]
    if len(rest):
        hits = pd.concat([hits, matching.fuzzy_matches(index, rest)[["qid", "row", "score"]]], ignore_index=True)
    hits = hits.drop_duplicates("qid")
    R = index.frame
    rows = hits["row"].astype(int).to_numpy()
    for col, src in (
        ("candidate_name", "name"),
        ("candidate_company_number", "company_number"),
        ("candidate_postcode", "postcode"),
        ("candidate_source", "source"),
    ):
        if src in R:
            out.loc[hits["qid"].to_numpy(), col] = R[src].astype(object).to_numpy()[rows]
    out.loc[hits["qid"].to_numpy(), "candidate_score"] = np.round(hits["score"].astype(float).to_numpy(), 1)
    return out


def address_sheet(
    spend: pd.DataFrame,
    suppliers: pd.DataFrame,
    year: str,
    *,
    place_names=(),
    top: int = TOP,
    fuzzy_above_gbp: float = CONFIRM_FUZZY_ABOVE_GBP,
    registers: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The sheet (`SHEET_COLUMNS`): the `top` suppliers by net spend in `year` among those to check.

    `spend` is the procurement base (CONTRACTS §4 rows with `in_base`, or already only the base);
    `suppliers` is CONTRACTS §3. Persons, and payees not shown to be organisations, are left out.
    `registers` (CONTRACTS §2) gives candidates for unlocated names; none without it.
    """
    s = spend[spend["financial_year"].astype(str) == str(year)]
    if "in_base" in s:
        s = s[s["in_base"].astype(bool)]
    person = s["individual"].fillna(False).astype(bool) | (s["supplier_key"] == INDIVIDUAL_KEY)
    if NAME_SHOWN in s:
        person |= ~s[NAME_SHOWN].fillna(False).astype(bool)
    s = s[~person]
    by = s.groupby("supplier_key")["amount_pence"].agg(["sum", "size"])
    sup = suppliers.drop_duplicates("supplier_key").set_index("supplier_key")
    sup = sup.loc[sup.index.intersection(by.index)]
    pence = by.loc[sup.index, "sum"].astype("int64")
    why = _reasons(sup, int(round(fuzzy_above_gbp * 100)))
    keep = (why != "") & (pence > 0)
    sup, pence, why = sup[keep], pence[keep], why[keep]
    order = pd.DataFrame({"p": pence, "name": sup["supplier_name"].astype(str)}).sort_values(
        ["p", "name"], ascending=[False, True]
    )
    sup = sup.loc[order.index[:top]]

    def col(name: str) -> pd.Series:
        return sup[name] if name in sup else pd.Series(pd.NA, index=sup.index, dtype="object")

    # The spelling paid most in the year names the supplier, as in the resolver.
    names = s.groupby(["supplier_key", "supplier_name"]).size().rename("n").reset_index()
    names = names.sort_values(["supplier_key", "n", "supplier_name"], ascending=[True, False, True])
    shown = names.drop_duplicates("supplier_key").set_index("supplier_key")["supplier_name"]
    out = pd.DataFrame(
        {
            "supplier_key": sup.index,
            "supplier_name": shown.reindex(sup.index).fillna(col("supplier_name")).to_numpy(),
            "spend_gbp": (pence[sup.index] / 100).round(2).to_numpy(),
            "payments": by.loc[sup.index, "size"].astype("int64").to_numpy(),
            "why": why[sup.index].to_numpy(),
        }
    )
    for c in ("resolved_by", "location_basis", "postcode", "lad_code", "company_number", "registered_name"):
        out[c] = col(c).to_numpy()
    out["match_score"] = pd.to_numeric(col("match_score"), errors="coerce").round(1).to_numpy()
    out = pd.concat([out, _candidates(out, registers)], axis=1)
    pattern = place_words(place_names)
    out["hint_place_in_name"] = (
        out["supplier_name"]
        .astype(str)
        .map(lambda n: ", ".join(dict.fromkeys(m.title() for m in pattern.findall(n))) or pd.NA)
        if pattern is not None
        else pd.NA
    )
    ledger = col("postcode_source").astype("string").eq("ledger").fillna(False).to_numpy(dtype=bool)
    out["hint_ledger_postcode"] = np.where(ledger, col("postcode").astype(object).to_numpy(), None)
    out["hint_ledger_district"] = col("postcode_district").to_numpy()
    for c in OFFICER_COLUMNS:
        out[c] = ""
    out.insert(0, "rank", np.arange(1, len(out) + 1))
    out["why"] = out["why"].map(REASONS)
    return out[SHEET_COLUMNS]


def read_checked(sheet: str | Path | pd.DataFrame | None) -> pd.DataFrame:
    """The rows of a filled sheet an officer checked (`CHECKED_COLUMNS`): a branch postcode, who
    checked and when. A row with none of the officer's columns filled is simply not checked; one
    half filled, a bad postcode or date is an error naming the row."""
    if sheet is None:
        return pd.DataFrame(columns=CHECKED_COLUMNS)
    raw, where = read_sheet(sheet, "address check", "address-check sheet")
    missing = [
        c for c in ("supplier_key", "supplier_name", "branch_postcode", "checked_by", "checked_on") if c not in raw
    ]
    if missing:
        raise InputFileError(f"{where}: not an address-check sheet (missing {', '.join(missing)})")
    for c in OFFICER_COLUMNS:
        if c not in raw:
            raw[c] = ""
    raw = raw.fillna("").astype(str).apply(lambda s: s.str.strip())
    filled = (raw[OFFICER_COLUMNS] != "").any(axis=1)
    rows = []
    for i, r in raw[filled].iterrows():
        line = f"{where}, row {i + 2} ({r['supplier_name'] or r['supplier_key']})"
        if not r["checked_by"] or not r["checked_on"]:
            raise InputFileError(f"{line}: say who checked it (`checked_by`) and when (`checked_on`, YYYY-MM-DD)")
        try:
            on = dt.date.fromisoformat(r["checked_on"])
        except ValueError:
            raise InputFileError(f"{line}: checked_on {r['checked_on']!r} is not a date (YYYY-MM-DD)") from None
        pc = normalise_postcode(r["branch_postcode"]) if r["branch_postcode"] else None
        if r["branch_postcode"] and pc is None:
            raise InputFileError(f"{line}: branch_postcode {r['branch_postcode']!r} is not a postcode")
        flags = {}
        for c in ("sme", "vcse"):
            if r[c] and r[c].lower() not in _YES:
                raise InputFileError(f"{line}: {c} {r[c]!r}: write yes, no or leave it empty")
            flags[c] = _YES.get(r[c].lower()) if r[c] else None
        rows.append(
            {
                "supplier_key": r["supplier_key"] or None,
                "supplier_name": r["supplier_name"],
                "postcode": pc,
                **flags,
                "note": r["note"] or None,
                "checked_by": r["checked_by"],
                "checked_on": on.isoformat(),
            }
        )
    if not rows:
        return pd.DataFrame(columns=CHECKED_COLUMNS)
    out = pd.DataFrame(rows)
    out["name_norm"] = _names_norm(out["supplier_name"].astype("string"))
    out = out.astype({"sme": "boolean", "vcse": "boolean"})
    return out[CHECKED_COLUMNS].reset_index(drop=True)


def checked_for(sup: pd.DataFrame, checked: pd.DataFrame) -> pd.DataFrame:
    """Per supplier of `sup` (`supplier_key`, `name_norm`), its officer check or nothing: by key,
    else by normalised name (the key changes when a ledger adds an identifier)."""
    cols = ["postcode", "sme", "vcse", "checked_by", "checked_on"]
    out = pd.DataFrame({c: pd.Series(pd.NA, index=sup.index, dtype="object") for c in cols})
    if not len(checked):
        return out
    for key, col in (("supplier_key", "supplier_key"), ("name_norm", "name_norm")):
        table = checked.dropna(subset=[key]).drop_duplicates(key).set_index(key)
        hit = sup[col].map(lambda v, t=table: v if v in t.index else None)
        todo = out["checked_by"].isna() & hit.notna()
        for c in cols:
            out.loc[todo, c] = hit[todo].map(table[c]).to_numpy()
    return out


def officer_checked_pence(spend: pd.DataFrame) -> int:
    """Spend placed by an officer's check (`resolved_by == officer_checked`)."""
    hit = spend["resolved_by"].astype("string").eq("officer_checked").fillna(False)
    return int(spend.loc[hit, "amount_pence"].sum())
