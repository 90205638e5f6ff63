"""Supplier resolution: from published payee names to located, classified suppliers (CONTRACTS §3).

`resolve_suppliers(transactions, ...)` gives one row per `supplier_key` and says, for every pound,
which layer found the supplier, or that nothing did. Layers, first hit wins (`resolved_by`):

1. `crosswalk`: a user's CSV (supplier name -> company number, postcode, type). A postcode given
   there is an operating site and overrides a registered office.
2. `ledger_postcode`: a postcode in the ledger or the anchor's creditor file.
3. `identifier`: company number, charity number, NHS ODS code / school URN (`other_id`), each in
   the one spelling of `cwbtools.identifiers`, found in a register. An identifier no register holds
   places nothing: the names are still tried, and a name match to a record with another company
   number than the one given is refused (to review).
4. `exact_name`: the normalised name equals a register name (`cwbtools.matching.exact_matches`).
5. `fuzzy_name`: blocked fuzzy match, accepted only when clear; close calls go to `review.csv`.

Suppliers found by layer 2 are still matched by layers 3-5 for what they are (SIC, size); their
postcode stays the ledger's. Individuals (and redacted payees) are never matched and never named.
Nothing is guessed: a supplier no layer finds stays `unresolved` and unlocated.
"""

from __future__ import annotations

import argparse
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from . import matching
from .errors import CwbError, InputFileError
from .identifiers import company_number, company_numbers_arrow, says_no_number
from .identifiers import postcode as normalise_postcode
from .identifiers import supplier_name as normalise_name
from .publish import unguard_frame, write_csv
from .schema import INDIVIDUAL_KEY, INDIVIDUAL_LABEL, RESOLVED_BY, SUPPLIER_COLUMNS, SUPPLIER_TYPES

REVIEW_COLUMNS = ["supplier_key", "supplier_name", "candidate_name", "candidate_company_number",
                  "candidate_postcode", "candidate_source", "score", "second_score", "reason", "spend_pence",
                  "decision"]
CROSSWALK_COLUMNS = ["supplier_name", "company_number", "postcode", "supplier_type"]

# SIC 2007 sections by division (first two digits of the code).
_SECTION_RANGES = [
    ("A", 1, 3), ("B", 5, 9), ("C", 10, 33), ("D", 35, 35), ("E", 36, 39), ("F", 41, 43), ("G", 45, 47),
    ("H", 49, 53), ("I", 55, 56), ("J", 58, 63), ("K", 64, 66), ("L", 68, 68), ("M", 69, 75), ("N", 77, 82),
    ("O", 84, 84), ("P", 85, 85), ("Q", 86, 88), ("R", 90, 93), ("S", 94, 96), ("T", 97, 98), ("U", 99, 99),
]
_SECTION_OF_DIVISION = {f"{d:02d}": s for s, lo, hi in _SECTION_RANGES for d in range(lo, hi + 1)}

# Sector from the ledger's expense category, used only when no register gives a SIC (then
# `sic_inferred`). Section only: a category says what was bought, not the supplier's exact trade.
# First pattern that matches wins; anything else stays unknown.
EXPENSE_SECTIONS = [
    (r"\b(?:electric|gas|energy|utilit|power)", "D"),
    (r"\b(?:water|sewer|waste|refuse|recycl|skip hire)", "E"),
    (r"\b(?:construct|building works|repairs?|maintenance|roofing|capital works|highway)", "F"),
    (r"\b(?:fuel|stationery|equipment|furniture|clothing|uniform|materials|supplies)", "G"),
    (r"\b(?:transport|travel|taxi|bus|coach|vehicle hire|postage|courier|car allowance)", "H"),
    (r"\b(?:catering|food|provisions|hotel|accommodation)", "I"),
    (r"\b(?:software|computer|\bit\b|ict|telephon|mobile|internet|licen[cs]e|advertis|publicat)", "J"),
    (r"\b(?:insurance|bank|finance charge|interest)", "K"),
    (r"\b(?:rent|lease|property|rates)", "L"),
    (r"\b(?:legal|audit|consultan|professional|architect|survey|engineer)", "M"),
    (r"\b(?:agency|temporary staff|cleaning|security|recruit|grounds)", "N"),
    (r"\b(?:training|education|tuition|school|course)", "P"),
    (r"\b(?:care|health|medical|nursing|residential|domiciliary|fostering|social)", "Q"),
    (r"\b(?:leisure|sport|arts|culture|library|museum|events)", "R"),
    (r"\b(?:subscription|membership)", "S"),
]

# Public bodies by name: councils, NHS, police, fire, schools, colleges, universities, government.
PUBLIC_NAME = (
    r"\b(?:council|borough|county council|nhs|clinical commissioning|foundation trust|health board|police|"
    r"constabulary|fire and rescue|fire authority|primary school|high school|infant school|junior school|"
    r"academy trust|sixth form|college|university|combined authority|hm revenue|department for|ministry of|"
    r"crown prosecution|her majesty|his majesty|magistrates|coroner)\b"
)
VCSE_NAME = r"\b(?:cic|community interest company|co-?operative|registered society|charity|charitable)\b"


@dataclass
class Resolution:
    suppliers: pd.DataFrame
    coverage: pd.DataFrame
    review: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=REVIEW_COLUMNS))


# ---------------------------------------------------------------------------------------------
# Keys

def _column(df: pd.DataFrame, name: str) -> pd.Series:
    if name in df.columns:
        return df[name]
    return pd.Series(pd.NA, index=df.index, dtype="string")


def _flag(df: pd.DataFrame, name: str) -> pd.Series:
    if name not in df.columns:
        return pd.Series(False, index=df.index)
    return df[name].astype("boolean").fillna(False).astype(bool)


def _clean_ids(series: pd.Series) -> pd.Series:
    s = series.astype("string").str.strip().str.upper()
    return s.mask(s == "")


def _company_numbers(series: pd.Series) -> pd.Series:
    """Company numbers in the one spelling (`cwbtools.identifiers`), worked out once per distinct value."""
    codes, uniq = pd.factorize(series.astype("string"), use_na_sentinel=True)
    canon = company_numbers_arrow(uniq.to_numpy(dtype=object)).to_pylist() + [None]
    return pd.Series(np.asarray(canon, dtype=object)[codes], index=series.index, dtype="string")


def _ids(df: pd.DataFrame, name: str) -> pd.Series:
    ids = _column(df, name)
    return _company_numbers(ids) if name == "company_number" else _clean_ids(ids)


def _names_norm(names: pd.Series) -> pd.Series:
    uniq = {v: normalise_name(v) for v in names.dropna().unique()}
    return names.map(uniq).fillna("").astype(str)


def supplier_key(transactions: pd.DataFrame) -> pd.Series:
    """The join key from transaction columns: normalised name plus company / charity / other id.

    Deterministic (a 16-hex-digit BLAKE2 digest). Every payment to an individual or a redacted
    payee shares one key, so no key can be traced back to a person's name.
    """
    df = transactions
    norm = _names_norm(_column(df, "supplier_name").astype("string"))
    parts = norm
    for col in ("company_number", "charity_number", "other_id"):
        parts = parts + "|" + _ids(df, col).fillna("")
    individual = _flag(df, "individual") | _flag(df, "redacted")
    uniq = {p: hashlib.blake2b(p.encode(), digest_size=8).hexdigest() for p in parts.unique()}
    key = parts.map(uniq)
    key = key.mask(individual.to_numpy(), INDIVIDUAL_KEY)
    return key.astype("string").rename("supplier_key")


# ---------------------------------------------------------------------------------------------
# Inputs

def _empty_registers() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="string") for c in
                         ["source", "name", "name_norm", "company_number", "charity_number", "other_id",
                          "postcode", "sic_code", "size", "kind", "accounts_category", "status"]})


def default_registers() -> pd.DataFrame:
    """The built registers table, or an empty one (coverage then shows nothing matched)."""
    try:
        from .reference import load_registers
        return load_registers()
    except (ImportError, CwbError):
        return _empty_registers()


def read_crosswalk(crosswalk: str | Path | pd.DataFrame | None) -> pd.DataFrame:
    """A crosswalk CSV or frame -> `supplier_name, name_norm, company_number, postcode,
    supplier_type` (postcode and company number normalised, `cwbtools.identifiers`). Unknown types, bad
    postcodes and company numbers that are none (`TBC`; a blank or `N/A` is simply no number) are
    errors naming the row."""
    if crosswalk is None:
        return pd.DataFrame(columns=CROSSWALK_COLUMNS + ["name_norm"])
    where = "crosswalk"
    if isinstance(crosswalk, pd.DataFrame):
        cw = crosswalk.copy()
    else:
        where = str(crosswalk)
        path = Path(crosswalk)
        if not path.exists():
            raise InputFileError(f"{path}: crosswalk file not found")
        cw = pd.read_csv(path, dtype=str, keep_default_na=False)
    cw = unguard_frame(cw)  # a cell we wrote as `'=...` (publish.guard) means `=...`
    cw.columns = [str(c).strip().lower() for c in cw.columns]
    if "supplier_name" not in cw.columns:
        raise InputFileError(f"{where}: crosswalk needs a `supplier_name` column (found: {', '.join(cw.columns)})")
    for col in CROSSWALK_COLUMNS:
        if col not in cw.columns:
            cw[col] = ""
    cw = cw[CROSSWALK_COLUMNS].astype("string").apply(lambda s: s.str.strip()).replace("", pd.NA)
    for i, row in enumerate(cw.itertuples(index=False), start=2):
        if pd.notna(row.supplier_type) and row.supplier_type.lower() not in SUPPLIER_TYPES:
            raise InputFileError(f"{where}: row {i}, column supplier_type: {row.supplier_type!r} is not one of "
                                 f"{', '.join(SUPPLIER_TYPES)}")
        if pd.notna(row.postcode) and normalise_postcode(row.postcode) is None:
            raise InputFileError(f"{where}: row {i}, column postcode: {row.postcode!r} is not a UK postcode")
        if company_number(row.company_number) is None and not says_no_number(row.company_number):
            raise InputFileError(f"{where}: row {i}, column company_number: {row.company_number!r} is not a "
                                 "Companies House number (leave it blank if there is none)")
    cw["supplier_type"] = cw["supplier_type"].str.lower()
    cw["postcode"] = cw["postcode"].map(lambda v: normalise_postcode(v) if pd.notna(v) else pd.NA).astype("string")
    cw["company_number"] = _company_numbers(cw["company_number"])
    cw["name_norm"] = _names_norm(cw["supplier_name"])
    cw = cw[cw["name_norm"] != ""]
    # The last row for a name wins: later review decisions are appended below earlier ones.
    return cw.drop_duplicates("name_norm", keep="last").reset_index(drop=True)


# ---------------------------------------------------------------------------------------------
# Suppliers from transactions

def _distinct_suppliers(tx: pd.DataFrame) -> pd.DataFrame:
    tx = tx.assign(abs_pence=tx["amount_pence"].abs())
    g = tx.groupby("supplier_key", sort=True)
    # The spelling paid most often names the supplier (ties: alphabetical), for the same key.
    names = (tx.groupby(["supplier_key", "supplier_name"], dropna=False).size().rename("n").reset_index()
             .sort_values(["supplier_key", "n", "supplier_name"], ascending=[True, False, True])
             .drop_duplicates("supplier_key").set_index("supplier_key")["supplier_name"])
    cats = (tx.dropna(subset=["expense_category"]).groupby(["supplier_key", "expense_category"])["abs_pence"].sum()
            .rename("p").reset_index().sort_values(["supplier_key", "p", "expense_category"],
                                                   ascending=[True, False, True])
            .drop_duplicates("supplier_key").set_index("supplier_key")["expense_category"])
    out = pd.DataFrame({
        "supplier_name": names,
        "company_number": g["company_number"].first(),
        "charity_number": g["charity_number"].first(),
        "other_id": g["other_id"].first(),
        "ledger_postcode": g["postcode"].first(),
        "supplier_id": g["supplier_id"].first(),
        "expense_category": cats,
        "individual": g["individual"].any(),
        "payments": g.size(),
        "spend_pence": g["abs_pence"].sum(),
    })
    out.index.name = "supplier_key"
    return out.reset_index()


def _prepare(transactions: pd.DataFrame) -> pd.DataFrame:
    tx = transactions.copy()
    if "amount_pence" not in tx.columns or "supplier_name" not in tx.columns:
        raise CwbError("transactions need `supplier_name` and `amount_pence` (CONTRACTS §1)")
    for col in ("company_number", "charity_number", "other_id", "postcode", "supplier_id", "expense_category",
                "anchor", "financial_year"):
        tx[col] = _column(tx, col).astype("string")
    for col in ("company_number", "charity_number", "other_id"):
        tx[col] = _ids(tx, col)
    tx["individual"] = _flag(tx, "individual") | _flag(tx, "redacted")
    tx["amount_pence"] = tx["amount_pence"].astype("int64")
    tx["supplier_name"] = tx["supplier_name"].astype("string").fillna("")
    tx["supplier_key"] = supplier_key(tx)
    return tx


# ---------------------------------------------------------------------------------------------
# Layers

def _register_lookup(reg: pd.DataFrame, column: str, values: pd.Series) -> pd.Series:
    """Row position in `reg` for each value of `values` by `column` (companies_house first), or -1."""
    if column not in reg.columns or reg.empty:
        return pd.Series(-1, index=values.index)
    r = reg[[column, "priority"]].copy()
    r["pos"] = np.arange(len(reg))
    r = r.dropna(subset=[column]).sort_values(["priority", "pos"]).drop_duplicates(column)
    found = values.map(r.set_index(column)["pos"])
    return found.fillna(-1).astype(int)


def _creditor_postcodes(sup: pd.DataFrame, creditors: pd.DataFrame | None) -> pd.Series:
    if creditors is None or len(creditors) == 0:
        return pd.Series(pd.NA, index=sup.index, dtype="string")
    cr = creditors.copy()
    cr.columns = [str(c).strip().lower() for c in cr.columns]
    if "postcode" not in cr.columns:
        raise CwbError("creditor file needs a `postcode` column")
    cr["postcode"] = cr["postcode"].map(lambda v: normalise_postcode(v) if isinstance(v, str) else None)
    cr = cr.dropna(subset=["postcode"])
    out = pd.Series(pd.NA, index=sup.index, dtype="string")
    if "supplier_id" in cr.columns:
        by_id = cr.dropna(subset=["supplier_id"]).drop_duplicates("supplier_id").set_index("supplier_id")["postcode"]
        out = out.fillna(sup["supplier_id"].map(by_id).astype("string"))
    if "supplier_name" in cr.columns:
        cr["name_norm"] = _names_norm(cr["supplier_name"].astype("string"))
        by_name = cr.drop_duplicates("name_norm").set_index("name_norm")["postcode"]
        out = out.fillna(sup["name_norm"].map(by_name).astype("string"))
    return out


def _section_from_expense(category: pd.Series) -> pd.Series:
    text = category.astype("string").str.lower().fillna("")
    out = pd.Series(pd.NA, index=category.index, dtype="string")
    for pattern, section in EXPENSE_SECTIONS:
        hit = out.isna().astype(bool) & _has(text, pattern)
        out = out.mask(hit, section)
    return out


def _has(series: pd.Series, pattern: str) -> pd.Series:
    return series.astype("string").fillna("").str.contains(pattern, regex=True).astype(bool)


def _supplier_type(s: pd.DataFrame) -> pd.Series:
    name = s["supplier_name"].astype("string").str.lower().fillna("") + " " + \
        s["registered_name"].astype("string").str.lower().fillna("")
    kind = s["register_kind"].astype("string").fillna("")
    size = s["register_size"].astype("string").fillna("")
    other = s["other_id"].astype("string").fillna("")
    number = s["company_number"].astype("string").fillna("")
    t = pd.Series("unknown", index=s.index, dtype="string")
    t = t.mask(size == "sme", "sme")
    # Gender Pay Gap employers have 250+ staff: never SMEs.
    t = t.mask((size == "large").astype(bool) | s["in_gpg"].astype(bool), "large")
    # Registered societies (IP/RS numbers), charities, co-ops and CICs are VCSE.
    vcse = (s["charity_number"].notna().astype(bool) | _has(name, VCSE_NAME)
            | kind.isin(["charity", "coop", "cic"]).astype(bool) | _has(number, r"^(?:IP|RS|SP|NP)"))
    t = t.mask(vcse, "vcse")
    public = (_has(name, PUBLIC_NAME) | kind.eq("public").astype(bool) | _has(other, r"^(?:NHS|URN|PRN)-")
              | s["register_source"].eq("nhs_ods").fillna(False).astype(bool))
    t = t.mask(public, "public")
    t = t.mask(s["crosswalk_type"].notna().astype(bool), s["crosswalk_type"])
    return t.mask(s["individual"].astype(bool), "individual")


def _locate(postcodes: pd.Series, table: pd.DataFrame | None) -> pd.DataFrame:
    cols = ["lad_code", "ward_code", "lsoa_code", "imd_decile"]
    empty = pd.DataFrame({c: pd.Series(pd.NA, index=postcodes.index, dtype="string") for c in cols})
    if postcodes.notna().sum() == 0:
        return empty
    if table is None:
        try:
            from .reference import lookup_postcodes
            found = lookup_postcodes(postcodes)
        except (ImportError, CwbError):
            return empty
    else:
        t = table.copy()
        t["postcode"] = t["postcode"].map(lambda v: normalise_postcode(v) if isinstance(v, str) else None)
        t = t.dropna(subset=["postcode"]).drop_duplicates("postcode")
        found = pd.DataFrame({"postcode": postcodes.to_numpy()}, index=postcodes.index).merge(
            t, on="postcode", how="left").set_index(postcodes.index)
    out = empty.copy()
    for c in cols:
        if c in found.columns:
            out[c] = found[c].astype("string")
    return out


def resolve_suppliers(transactions: pd.DataFrame, *, registers: pd.DataFrame | None = None,
                      postcodes: pd.DataFrame | None = None, crosswalk=None, creditors: pd.DataFrame | None = None,
                      companies: str | Path | None = None, review_dir: str | Path | None = None) -> Resolution:
    """Resolve every distinct supplier of `transactions` (CONTRACTS §1) through the five layers.

    `registers` defaults to the built reference registers; `companies` adds a BasicCompanyData file;
    `postcodes` (a frame with `postcode, lad_code, ward_code, lsoa_code[, imd_decile]`) defaults to
    the built postcode lookup. With `review_dir`, borderline candidates are written to
    `review_dir/review.csv`.
    """
    tx = _prepare(transactions)
    sup = _distinct_suppliers(tx)
    sup["name_norm"] = _names_norm(sup["supplier_name"])
    reg = default_registers() if registers is None else registers
    if companies is not None:
        from .reference.registers import load_companies_house
        reg = pd.concat([reg, load_companies_house(companies, reg)], ignore_index=True)
    index = matching.build_index(reg)
    R = index.frame
    n = len(sup)
    person = sup["individual"].to_numpy()

    # Layer 1: crosswalk.
    cw = read_crosswalk(crosswalk)
    cw_hit = sup["name_norm"].map(cw.set_index("name_norm").to_dict("index") if len(cw) else {})
    in_cw = cw_hit.notna().to_numpy() & ~person
    cw_number = cw_hit.map(lambda d: d["company_number"] if isinstance(d, dict) else pd.NA).astype("string")
    cw_postcode = cw_hit.map(lambda d: d["postcode"] if isinstance(d, dict) else pd.NA).astype("string")
    cw_type = cw_hit.map(lambda d: d["supplier_type"] if isinstance(d, dict) else pd.NA).astype("string")

    # Layer 2: a postcode from the ledger or the creditor file.
    ledger_pc = sup["ledger_postcode"].map(lambda v: normalise_postcode(v) if isinstance(v, str) else None)
    ledger_pc = ledger_pc.astype("string").fillna(_creditor_postcodes(sup, creditors))

    # Layer 3: identifiers given in the ledger (and company numbers from the crosswalk). Only an
    # identifier some register holds places a supplier; one that finds nothing leaves it to the names.
    number = cw_number.fillna(sup["company_number"])
    row = _register_lookup(R, "company_number", number)
    row = row.where(row >= 0, _register_lookup(R, "charity_number", sup["charity_number"]))
    row = row.where(row >= 0, _register_lookup(R, "other_id", sup["other_id"]))
    matched_by = np.where(row.to_numpy() >= 0, "identifier", None).astype(object)
    score = np.where(row.to_numpy() >= 0, 100.0, np.nan)
    row = row.to_numpy().copy()

    # Layers 4 and 5: names, for suppliers no identifier placed.
    todo = (row < 0) & ~person & (sup["name_norm"].to_numpy() != "")
    q = pd.DataFrame({"qid": np.flatnonzero(todo), "name": sup["supplier_name"].to_numpy()[todo],
                      "name_norm": sup["name_norm"].to_numpy()[todo]})
    review_rows = []
    if len(q) and len(R):
        ex = matching.exact_matches(index, q)
        ok = ex[~ex["ambiguous"].astype(bool)]
        row[ok["qid"].astype(int).to_numpy()] = ok["row"].astype(int).to_numpy()
        matched_by[ok["qid"].astype(int).to_numpy()] = "exact_name"
        score[ok["qid"].astype(int).to_numpy()] = 100.0
        amb = ex[ex["ambiguous"].astype(bool)]
        for r in amb.itertuples():
            review_rows.append((int(r.qid), int(r.row), 100.0, 100.0, "same name, several organisations"))
        rest = q[~q["qid"].isin(ex["qid"])]
        fz = matching.fuzzy_matches(index, rest)
        acc = fz[fz["decision"] == "accept"]
        row[acc["qid"].astype(int).to_numpy()] = acc["row"].astype(int).to_numpy()
        matched_by[acc["qid"].astype(int).to_numpy()] = "fuzzy_name"
        score[acc["qid"].astype(int).to_numpy()] = acc["score"].to_numpy()
        for r in fz[fz["decision"] == "review"].itertuples():
            reason = "close second" if r.score >= matching.ACCEPT else "below accept score"
            review_rows.append((int(r.qid), int(r.row), float(r.score), float(r.second_score), reason))
        review_rows += _refuse_other_companies(row, matched_by, score, number, R)

    found = row >= 0
    pick = np.where(found, row, 0)

    def reg_col(col: str) -> pd.Series:
        if col not in R.columns or len(R) == 0:
            return pd.Series(pd.NA, index=sup.index, dtype="string")
        vals = R[col].astype("string").to_numpy()[pick]
        return pd.Series(np.where(found, vals, pd.NA), index=sup.index, dtype="string")

    out = pd.DataFrame({"supplier_key": sup["supplier_key"], "supplier_name": sup["supplier_name"]})
    out["company_number"] = number.fillna(reg_col("company_number"))
    out["charity_number"] = sup["charity_number"].fillna(reg_col("charity_number"))
    out["other_id"] = sup["other_id"].fillna(reg_col("other_id"))
    reg_pc = reg_col("postcode")
    postcode = cw_postcode.fillna(ledger_pc).fillna(reg_pc)
    out["postcode_source"] = np.select(
        [cw_postcode.notna(), ledger_pc.notna(), reg_pc.notna()], ["crosswalk", "ledger", "register"], None)
    out["postcode"] = postcode
    resolved_by = np.select(
        [in_cw, ledger_pc.notna().to_numpy(), matched_by == "identifier", matched_by == "exact_name",
         matched_by == "fuzzy_name"],
        ["crosswalk", "ledger_postcode", "identifier", "exact_name", "fuzzy_name"], "unresolved")
    out["resolved_by"] = np.where(person, "unresolved", resolved_by)
    out["matched_by"] = pd.Series(matched_by, index=sup.index, dtype="string")
    out["match_score"] = score
    out["registered_name"] = reg_col("name")
    out["register_source"] = reg_col("source")

    # Sector: the register's SIC, else the expense category's section (inferred).
    sic = reg_col("sic_code").str.extract(r"(\d{4,5})", expand=False).str.zfill(5)
    out["sic_code"] = sic.astype("string")
    division = sic.str[:2]
    inferred_section = _section_from_expense(sup["expense_category"])
    out["sic_division"] = division.astype("string")
    out["sic_section"] = division.map(_SECTION_OF_DIVISION).astype("string").fillna(
        inferred_section.where(sic.isna()))
    out["sic_inferred"] = sic.isna() & inferred_section.notna()

    gpg_numbers = set(R.loc[R["source"] == "gender_pay_gap", "company_number"].dropna()) if len(R) else set()
    typing = pd.DataFrame({
        "supplier_name": sup["supplier_name"], "registered_name": out["registered_name"],
        "register_kind": reg_col("kind"), "register_size": reg_col("size"), "other_id": out["other_id"],
        "company_number": out["company_number"], "charity_number": out["charity_number"],
        "register_source": out["register_source"],
        "in_gpg": out["company_number"].isin(gpg_numbers).fillna(False).astype(bool) | (out["register_source"] == "gender_pay_gap").fillna(False),
        "crosswalk_type": cw_type, "individual": sup["individual"].astype(bool),
    })
    out["supplier_type"] = _supplier_type(typing)

    loc = _locate(out["postcode"], postcodes)
    for c in ("lad_code", "ward_code", "lsoa_code"):
        out[c] = loc[c]
    out["imd_decile"] = pd.to_numeric(loc["imd_decile"], errors="coerce").astype("Int64")
    out["payments"] = sup["payments"].astype("int64")
    out["spend_pence"] = sup["spend_pence"].astype("int64")

    # Individuals: never named, never matched, never located.
    for c in out.columns:
        if c in ("supplier_key", "supplier_type", "resolved_by", "payments", "spend_pence", "sic_inferred"):
            continue
        out.loc[person, c] = pd.NA
    out.loc[person, ["supplier_name", "registered_name"]] = INDIVIDUAL_LABEL
    out.loc[person, "sic_inferred"] = False
    out = out[SUPPLIER_COLUMNS].reset_index(drop=True)

    review = _review_frame(review_rows, sup, R)
    if review_dir is not None:
        Path(review_dir).mkdir(parents=True, exist_ok=True)
        write_csv(review, Path(review_dir) / "review.csv")
    return Resolution(out, coverage(tx, out), review)


def _refuse_other_companies(row: np.ndarray, matched_by: np.ndarray, score: np.ndarray, number: pd.Series,
                            R: pd.DataFrame) -> list:
    """A name match to a register record with another company number than the one given (ledger
    or crosswalk) is a namesake, not the supplier: undone in place, returned as review rows."""
    by_name = np.flatnonzero(np.isin(matched_by, ["exact_name", "fuzzy_name"]))
    if not len(by_name) or "company_number" not in R.columns:
        return []
    given = number.astype("string").to_numpy(dtype=object, na_value=None)[by_name]
    theirs = R["company_number"].astype("string").to_numpy(dtype=object, na_value=None)[row[by_name]]
    other = np.array([g is not None and t is not None and g != t for g, t in zip(given, theirs)], dtype=bool)
    refused = []
    for i in by_name[other]:
        refused.append((int(i), int(row[i]), float(score[i]), float("nan"),
                        "another company number than the one given"))
        row[i], matched_by[i], score[i] = -1, None, np.nan
    return refused


def _review_frame(rows: list, sup: pd.DataFrame, R: pd.DataFrame) -> pd.DataFrame:
    if not rows:
        return pd.DataFrame(columns=REVIEW_COLUMNS)
    qid, rr, sc, s2, why = zip(*rows)
    qid, rr = np.asarray(qid), np.asarray(rr)
    out = pd.DataFrame({
        "supplier_key": sup["supplier_key"].to_numpy()[qid],
        "supplier_name": sup["supplier_name"].to_numpy()[qid],
        "candidate_name": R["name"].to_numpy()[rr],
        "candidate_company_number": R["company_number"].to_numpy()[rr],
        "candidate_postcode": R["postcode"].to_numpy()[rr] if "postcode" in R else pd.NA,
        "candidate_source": R["source"].to_numpy()[rr],
        "score": np.round(sc, 1), "second_score": np.round(s2, 1), "reason": why,
        "spend_pence": sup["spend_pence"].to_numpy()[qid], "decision": "",
    })
    return out.sort_values(["spend_pence", "supplier_name"], ascending=[False, True]).reset_index(drop=True)


# ---------------------------------------------------------------------------------------------
# Coverage

def coverage(transactions: pd.DataFrame, suppliers: pd.DataFrame) -> pd.DataFrame:
    """£ and share of spend by layer, per anchor and financial year, with what stays unlocated.

    One row per (anchor, financial_year, layer), layers in order, `individual` for payments to
    people (never matched), then an `all` row. Pence are net amounts and reconcile to the ledger;
    shares are of the anchor-year's net spend.
    """
    tx = transactions if "supplier_key" in transactions else _prepare(transactions)
    s = suppliers.set_index("supplier_key")
    t = pd.DataFrame({
        "anchor": _column(tx, "anchor").astype("string").fillna(""),
        "financial_year": _column(tx, "financial_year").astype("string").fillna(""),
        "amount_pence": tx["amount_pence"].astype("int64"),
    })
    t["layer"] = tx["supplier_key"].map(s["resolved_by"]).to_numpy()
    person = tx["supplier_key"].map(s["supplier_type"]).eq("individual").to_numpy()
    t.loc[person, "layer"] = "individual"
    t["located"] = tx["supplier_key"].map(s["lad_code"]).notna().to_numpy()
    t["located_pence"] = np.where(t["located"], t["amount_pence"], 0).astype("int64")
    t["company_pence"] = np.where(tx["supplier_key"].map(s["company_number"]).notna().to_numpy(),
                                  t["amount_pence"], 0).astype("int64")
    g = t.groupby(["anchor", "financial_year", "layer"], sort=False).agg(
        payments=("amount_pence", "size"), amount_pence=("amount_pence", "sum"),
        located_pence=("located_pence", "sum"), with_company_number_pence=("company_pence", "sum")).reset_index()
    allrows = t.groupby(["anchor", "financial_year"], sort=False).agg(
        payments=("amount_pence", "size"), amount_pence=("amount_pence", "sum"),
        located_pence=("located_pence", "sum"), with_company_number_pence=("company_pence", "sum")).reset_index()
    allrows["layer"] = "all"
    out = pd.concat([g, allrows], ignore_index=True)
    order = {name: i for i, name in enumerate(RESOLVED_BY + ["individual", "all"])}
    out["_o"] = out["layer"].map(order)
    out = out.sort_values(["anchor", "financial_year", "_o"]).drop(columns="_o").reset_index(drop=True)
    totals = out[out["layer"] == "all"].set_index(["anchor", "financial_year"])["amount_pence"]
    denom = out.set_index(["anchor", "financial_year"]).index.map(totals).to_numpy().astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        out["share"] = np.where(denom != 0, out["amount_pence"] / denom, np.nan)
        out["located_share"] = np.where(denom != 0, out["located_pence"] / denom, np.nan)
    out["unlocated_pence"] = out["amount_pence"] - out["located_pence"]
    return out[["anchor", "financial_year", "layer", "payments", "amount_pence", "share", "located_pence",
                "located_share", "unlocated_pence", "with_company_number_pence"]]


def format_coverage(cov: pd.DataFrame) -> str:
    lines = []
    for (anchor, fy), g in cov.groupby(["anchor", "financial_year"], sort=False):
        lines.append(f"{anchor} {fy}")
        for r in g.itertuples():
            lines.append(f"  {r.layer:<16} £{r.amount_pence / 100:>16,.2f} {r.share * 100:6.1f}%   "
                         f"located £{r.located_pence / 100:>16,.2f} {r.located_share * 100:6.1f}%")
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------
# Review: people decide borderline candidates

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
        raise InputFileError(f"{review_csv}: row {i + 2}, column decision: {rv['decision'].iat[i]!r} "
                             f"(write accept, reject or leave blank)")
    acc = rv[decision == "accept"]
    new = pd.DataFrame({"supplier_name": acc["supplier_name"], "company_number": acc["candidate_company_number"],
                        "postcode": acc["candidate_postcode"], "supplier_type": ""})
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


# ---------------------------------------------------------------------------------------------
# CLI

def _read_transactions(path: str) -> pd.DataFrame:
    p = Path(path)
    if p.is_dir():
        p = p / "transactions.parquet"
    if not p.exists():
        raise InputFileError(f"{p}: transactions file not found (run `cwb ingest` first)")
    try:
        return pd.read_parquet(p)
    except Exception as exc:  # noqa: BLE001 - any unreadable file is the user's input
        raise InputFileError(f"{p}: not a transactions parquet file ({exc})") from None


def _cmd_resolve(args: argparse.Namespace) -> int:
    tx = _read_transactions(args.transactions)
    out = Path(args.out)
    crosswalk = args.crosswalk
    if crosswalk is None and (out / "crosswalk.csv").exists():
        crosswalk = out / "crosswalk.csv"
    res = resolve_suppliers(tx, companies=args.companies, crosswalk=crosswalk, review_dir=out)
    out.mkdir(parents=True, exist_ok=True)
    tmp = out / "suppliers.parquet.tmp"
    res.suppliers.to_parquet(tmp, index=False)
    tmp.replace(out / "suppliers.parquet")
    write_csv(res.coverage, out / "coverage.csv")
    print(format_coverage(res.coverage))
    print(f"{len(res.suppliers)} suppliers -> {out / 'suppliers.parquet'}; {len(res.review)} to review in "
          f"{out / 'review.csv'}")
    return 0


def _cmd_review(args: argparse.Namespace) -> int:
    folder = Path(args.dir)
    crosswalk = Path(args.crosswalk) if args.crosswalk else folder / "crosswalk.csv"
    accepted, rejected = fold_review(folder / "review.csv", crosswalk)
    print(f"{accepted} accepted into {crosswalk}; {rejected} rejected. "
          f"Run `cwb suppliers resolve ... --crosswalk {crosswalk}` to use them.")
    return 0


def register(subparsers) -> None:
    p = subparsers.add_parser("suppliers", help="resolve supplier names to located, classified suppliers")
    sub = p.add_subparsers(dest="suppliers_command", metavar="ACTION")
    r = sub.add_parser("resolve", help="write DIR/suppliers.parquet, DIR/coverage.csv and DIR/review.csv")
    r.add_argument("transactions", help="transactions.parquet (or the folder holding it)")
    r.add_argument("--out", required=True, help="output folder")
    r.add_argument("--companies", help="Companies House BasicCompanyData (zip or CSV)")
    r.add_argument("--crosswalk", help="CSV: supplier_name, company_number, postcode, supplier_type")
    r.set_defaults(func=_cmd_resolve)
    v = sub.add_parser("review", help="fold accepted rows of DIR/review.csv into the crosswalk")
    v.add_argument("dir", help="the folder `resolve` wrote")
    v.add_argument("--crosswalk", help="crosswalk CSV to update (default DIR/crosswalk.csv)")
    v.set_defaults(func=_cmd_review)

