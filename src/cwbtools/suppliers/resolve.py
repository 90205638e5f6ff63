"""Supplier resolution: from published payee names to located, classified suppliers (CONTRACTS §3).

`resolve_suppliers(transactions, ...)` gives one row per `supplier_key` and says, for every pound,
which layer found the supplier, or that nothing did. Layers, first hit wins (`resolved_by`):

0. `officer_checked`: a filled address-check sheet (`address_check.py`): the postcode of the branch
   an officer says serves the place, with who checked and when. It wins over everything below.
1. `crosswalk`: a user's CSV (supplier name -> company number, postcode, type). A postcode given
   there is an operating site and overrides a registered office.
2. `ledger_postcode`: a postcode in the ledger or the anchor's creditor file.
3. `identifier`: company number, charity number, NHS ODS code / school URN (`other_id`), each in
   the one spelling of `cwbtools.identifiers`, found in a register. An identifier no register holds
   places nothing: the names are still tried, and a name match to a record with another company
   number than the one given is refused (to review).
4. `exact_name`: the normalised name equals a register name (`cwbtools.suppliers.matching.exact_matches`).
5. `fuzzy_name`: blocked fuzzy match, accepted only when clear; close calls go to `review.csv`.

Suppliers found by layer 2 are still matched by layers 3-5 for what they are (SIC, size); their
postcode stays the ledger's. Individuals (and redacted payees) are never matched and never named.
Nothing is guessed: a supplier no layer finds stays `unresolved` and unlocated. `location_basis` says
which address placed a supplier (a head or registered office is where a firm is based, not where it
trades); a fuzzy match above `definitions.location.confirm_fuzzy_above_gbp` places nothing until an
officer confirms it, though it keeps its company number, name and type.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..definitions import CONFIRM_FUZZY_ABOVE_GBP, PublicBodyRules
from ..errors import CwbError
from ..identifiers import postcode as normalise_postcode
from ..identifiers import postcode_district as normalise_district
from ..publish import write_csv
from ..reference.registers import REGISTER_CONTRACT_COLUMNS
from ..schema import INDIVIDUAL_LABEL, SUPPLIER_COLUMNS
from . import matching
from .address_check import checked_for, read_checked
from .classify import _SECTION_OF_DIVISION, _section_from_expense, _supplier_type, ledger_types, sic_codes
from .coverage import coverage
from .crosswalk import REVIEW_COLUMNS, read_crosswalk
from .keys import _column, _names_norm, _prepare
from .public import classify_public


@dataclass
class Resolution:
    suppliers: pd.DataFrame
    coverage: pd.DataFrame
    review: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=REVIEW_COLUMNS))


# ---------------------------------------------------------------------------------------------
# Inputs


def _empty_registers() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="string") for c in REGISTER_CONTRACT_COLUMNS})


def default_registers() -> pd.DataFrame:
    """The built registers table, or an empty one (coverage then shows nothing matched)."""
    try:
        from ..reference import load_registers

        return load_registers()
    except (ImportError, CwbError):
        return _empty_registers()


def default_public_bodies() -> pd.DataFrame | None:
    """The built register of public bodies, or None (then only name patterns find public bodies)."""
    try:
        from ..reference import load_public_bodies

        return load_public_bodies()
    except (ImportError, CwbError):
        return None


def default_public_rules() -> PublicBodyRules:
    """The decision table's defaults (`definitions.public_bodies`)."""
    from ..config.definitions import PublicBodies

    return PublicBodies().rules()


# ---------------------------------------------------------------------------------------------
# Suppliers from transactions


def _most_paid(tx: pd.DataFrame, column: str) -> pd.Series:
    """Per supplier key, the value of `column` under which most pounds were paid (ties: the first in
    sort order): one ledger value per supplier, as for the expense category."""
    vals = _column(tx, column).astype("string").str.strip()
    t = pd.DataFrame({"supplier_key": tx["supplier_key"], "v": vals.mask(vals == ""), "p": tx["abs_pence"]})
    return (
        t.dropna(subset=["v"])
        .groupby(["supplier_key", "v"])["p"]
        .sum()
        .rename("p")
        .reset_index()
        .sort_values(["supplier_key", "p", "v"], ascending=[True, False, True])
        .drop_duplicates("supplier_key")
        .set_index("supplier_key")["v"]
    )


def _distinct_suppliers(tx: pd.DataFrame) -> pd.DataFrame:
    tx = tx.assign(abs_pence=tx["amount_pence"].abs())
    g = tx.groupby("supplier_key", sort=True)
    # The spelling paid most often names the supplier (ties: alphabetical), for the same key.
    names = (
        tx.groupby(["supplier_key", "supplier_name"], dropna=False)
        .size()
        .rename("n")
        .reset_index()
        .sort_values(["supplier_key", "n", "supplier_name"], ascending=[True, False, True])
        .drop_duplicates("supplier_key")
        .set_index("supplier_key")["supplier_name"]
    )
    cats = (
        tx.dropna(subset=["expense_category"])
        .groupby(["supplier_key", "expense_category"])["abs_pence"]
        .sum()
        .rename("p")
        .reset_index()
        .sort_values(["supplier_key", "p", "expense_category"], ascending=[True, False, True])
        .drop_duplicates("supplier_key")
        .set_index("supplier_key")["expense_category"]
    )
    out = pd.DataFrame(
        {
            "supplier_name": names,
            "company_number": g["company_number"].first(),
            "charity_number": g["charity_number"].first(),
            "other_id": g["other_id"].first(),
            "ledger_postcode": g["postcode"].first(),
            "supplier_id": g["supplier_id"].first(),
            "expense_category": cats,
            # The ledger's own evidence: the publisher's SIC, a postcode district, a business type.
            "ledger_sic": _most_paid(tx, "ledger_sic_code"),
            "ledger_district": _most_paid(tx, "postcode_district"),
            "ledger_classification": _most_paid(tx, "supplier_classification"),
            "ledger_vcse": _most_paid(tx, "ledger_vcse"),
            "individual": g["individual"].any(),
            "payments": g.size(),
            "spend_pence": g["abs_pence"].sum(),
        }
    )
    out.index.name = "supplier_key"
    return out.reset_index()


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
    # `Supplier ID` as published is `supplier_id`.
    cr.columns = ["_".join(str(c).strip().lower().split()) for c in cr.columns]
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


def _locate(postcodes: pd.Series, table: pd.DataFrame | None) -> pd.DataFrame:
    cols = ["lad_code", "ward_code", "lsoa_code", "imd_decile"]
    empty = pd.DataFrame({c: pd.Series(pd.NA, index=postcodes.index, dtype="string") for c in cols})
    if postcodes.notna().sum() == 0:
        return empty
    if table is None:
        try:
            from ..reference import lookup_postcodes

            found = lookup_postcodes(postcodes)
        except (ImportError, CwbError):
            return empty
    else:
        t = table.copy()
        t["postcode"] = t["postcode"].map(lambda v: normalise_postcode(v) if isinstance(v, str) else None)
        t = t.dropna(subset=["postcode"]).drop_duplicates("postcode")
        found = (
            pd.DataFrame({"postcode": postcodes.to_numpy()}, index=postcodes.index)
            .merge(t, on="postcode", how="left")
            .set_index(postcodes.index)
        )
    out = empty.copy()
    for c in cols:
        if c in found.columns:
            out[c] = found[c].astype("string")
    return out


# The address a register row gives, by the register (`registers.parquet` `source`, and the public
# bodies' sources for sites): a head or registered office says where an organisation is based; a
# site, where it trades; a co-op's or charity's register address is where it is run from.
REGISTER_BASIS = {
    "companies_house": "registered_office",
    "gender_pay_gap": "head_office",
    "nhs_ods": "head_office",
    "coops_uk": "register_address",
    "charity_commission": "register_address",
    "cqc": "trading_site",
    "care_homes": "trading_site",
    "gias": "trading_site",
    "epraccur": "trading_site",
    "nhs_sites": "trading_site",
}
_POSTCODE_BASIS = {
    "officer": "officer_checked",
    "crosswalk": "trading_site",  # the crosswalk's postcode is an operating site (layer 1)
    "ledger": "ledger_postcode",
    "ledger_district": "postcode_district",
}


def location_basis(postcode_source: pd.Series, register_source: pd.Series, located: pd.Series) -> pd.Series:
    """Which address placed each supplier (`schema.LOCATION_BASES`): from where the postcode came
    and, for a register's, which register; `none` when unlocated. An unknown register counts as a
    register address."""
    src = postcode_source.astype("string")
    basis = src.map(_POSTCODE_BASIS).astype("string")
    from_reg = (src == "register").fillna(False).astype(bool)
    reg = register_source.astype("string").map(REGISTER_BASIS).astype("string").fillna("register_address")
    basis = basis.mask(from_reg, reg)
    return basis.where(located.astype(bool), "none").fillna("none").astype("string")


def _district_lads(districts: pd.Series, table: pd.DataFrame | None) -> pd.Series:
    """Per postcode district, the one LAD all its live postcodes lie in; null for a district that
    crosses a boundary or that no postcode has (then it places nothing)."""
    wanted = sorted(set(districts.dropna()))
    out = pd.Series(pd.NA, index=districts.index, dtype="string")
    if not wanted:
        return out
    if table is None:
        try:
            from .. import duck
            from ..paths import reference_dir

            path = reference_dir() / "postcodes.parquet"
            if not path.exists():
                return out
            con = duck.connect()
            try:
                con.register("wanted", pd.DataFrame({"d": pd.Series(wanted, dtype=object)}))
                found = con.execute(
                    "SELECT d, min(lad_code) AS lad, count(DISTINCT lad_code) AS n FROM "
                    "(SELECT split_part(postcode, ' ', 1) AS d, lad_code FROM read_parquet(?) "
                    "WHERE NOT coalesce(terminated, false) AND lad_code IS NOT NULL) SEMI JOIN wanted USING (d) "
                    "GROUP BY d",
                    [str(path)],
                ).fetchdf()
            finally:
                con.close()
        except (ImportError, CwbError):
            return out
    else:
        t = table.copy()
        if "terminated" in t.columns:
            t = t[~t["terminated"].astype("boolean").fillna(False).astype(bool)]
        t["d"] = (
            t["postcode"].map(lambda v: normalise_postcode(v) if isinstance(v, str) else None).str.split(" ").str[0]
        )
        found = t.dropna(subset=["d", "lad_code"]).groupby("d")["lad_code"].agg(lad="min", n="nunique").reset_index()
    one = found[found["n"] == 1].set_index("d")["lad"].astype("string")
    return districts.map(one).astype("string")


def resolve_suppliers(
    transactions: pd.DataFrame,
    *,
    registers: pd.DataFrame | None = None,
    postcodes: pd.DataFrame | None = None,
    crosswalk=None,
    creditors: pd.DataFrame | None = None,
    companies: str | Path | None = None,
    review_dir: str | Path | None = None,
    public_bodies: pd.DataFrame | None = None,
    public_rules: PublicBodyRules | None = None,
    confirm_fuzzy_above_pence: int = round(CONFIRM_FUZZY_ABOVE_GBP * 100),
    area: tuple[list[str], str | None] = ([], None),
    officer_checks=None,
) -> Resolution:
    """Resolve every distinct supplier of `transactions` (CONTRACTS §1) through the five layers.

    `registers` defaults to the built reference registers; `companies` adds a BasicCompanyData file;
    `postcodes` (a frame with `postcode, lad_code, ward_code, lsoa_code[, imd_decile]`) defaults to
    the built postcode lookup. With `review_dir`, borderline candidates are written to
    `review_dir/review.csv`. `public_bodies` (default: the built register) and `public_rules`
    (default: the config's defaults) say who is public (`cwbtools.suppliers.public`); `area` (the
    LAD codes of the place and wider area, and the wider area's name) whose councils' initials a
    payee may be. `officer_checks` is a filled address-check sheet (`cwbtools.suppliers.address_check`).
    """
    tx = _prepare(transactions)
    sup = _distinct_suppliers(tx)
    sup["name_norm"] = _names_norm(sup["supplier_name"])
    reg = default_registers() if registers is None else registers
    if companies is not None:
        from ..reference.registers import load_companies_house

        reg = pd.concat([reg, load_companies_house(companies, reg)], ignore_index=True)
    index = matching.build_index(reg)
    R = index.frame
    person = sup["individual"].to_numpy()

    # Layer 0: an officer's address check, the branch that serves the place (`address_check.py`).
    checked = checked_for(sup, read_checked(officer_checks))
    officer_pc = checked["postcode"].astype("string").mask(person)
    in_officer = officer_pc.notna().to_numpy()

    # Layer 1: crosswalk.
    cw = read_crosswalk(crosswalk)
    cw_hit = sup["name_norm"].map(cw.set_index("name_norm").to_dict("index") if len(cw) else {})
    in_cw = cw_hit.notna().to_numpy() & ~person
    cw_number = cw_hit.map(lambda d: d["company_number"] if isinstance(d, dict) else pd.NA).astype("string")
    cw_postcode = cw_hit.map(lambda d: d["postcode"] if isinstance(d, dict) else pd.NA).astype("string")
    cw_type = cw_hit.map(lambda d: d["supplier_type"] if isinstance(d, dict) else pd.NA).astype("string")
    # An officer's SME / VCSE answer types the supplier as a crosswalk row would, and wins over it
    # (a VCSE first: a charity may be small; `no` to SME says large).
    sme, vcse = (checked[c].astype("boolean").fillna(pd.NA) for c in ("sme", "vcse"))
    officer_type = pd.Series(pd.NA, index=sup.index, dtype="string")
    officer_type = officer_type.mask(sme.eq(False).fillna(False), "large").mask(sme.fillna(False), "sme")
    cw_type = officer_type.mask(vcse.fillna(False), "vcse").mask(person).fillna(cw_type)

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
    q = pd.DataFrame(
        {
            "qid": np.flatnonzero(todo),
            "name": sup["supplier_name"].to_numpy()[todo],
            "name_norm": sup["name_norm"].to_numpy()[todo],
        }
    )
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
    # Location: crosswalk > ledger postcode > creditor file > the ledger's postcode district > register.
    # A district alone places a supplier in a LAD only when the district lies wholly in one; a
    # registered office outside the district the ledger gives is not where the supplier is.
    reg_pc = reg_col("postcode")
    given_pc = officer_pc.fillna(cw_postcode).fillna(ledger_pc)
    district = sup["ledger_district"].map(lambda v: normalise_district(v) if isinstance(v, str) else None)
    district = district.astype("string").fillna(given_pc.str.split(" ").str[0])
    by_district = given_pc.isna() & district.notna()
    reg_in_district = reg_pc.str.split(" ").str[0].eq(district).fillna(False).astype(bool)
    # A fuzzy match with much spend is placed only once an officer confirms it (then `officer_pc`):
    # a wrong match there moves a large sum to another town. It keeps its number, name and type.
    unsure = (matched_by == "fuzzy_name") & (sup["spend_pence"].to_numpy() > confirm_fuzzy_above_pence)
    use_reg = given_pc.isna() & reg_pc.notna() & (~by_district | reg_in_district) & ~unsure
    district_lad = _district_lads(district.where(by_district & ~use_reg), postcodes)
    postcode = given_pc.fillna(reg_pc.where(use_reg))
    out["postcode_source"] = np.select(
        [officer_pc.notna(), cw_postcode.notna(), ledger_pc.notna(), use_reg, district_lad.notna()],
        ["officer", "crosswalk", "ledger", "register", "ledger_district"],
        None,
    )
    out["postcode"] = postcode
    out["postcode_district"] = district
    resolved_by = np.select(
        [
            in_officer,
            in_cw,
            (ledger_pc.notna() | district_lad.notna()).to_numpy(dtype=bool),
            matched_by == "identifier",
            matched_by == "exact_name",
            matched_by == "fuzzy_name",
        ],
        ["officer_checked", "crosswalk", "ledger_postcode", "identifier", "exact_name", "fuzzy_name"],
        "unresolved",
    )
    out["resolved_by"] = np.where(person, "unresolved", resolved_by)
    out["matched_by"] = pd.Series(matched_by, index=sup.index, dtype="string")
    out["match_score"] = score
    out["registered_name"] = reg_col("name")
    out["checked_by"] = checked["checked_by"].astype("string").where(in_officer)
    out["checked_on"] = checked["checked_on"].astype("string").where(in_officer)
    out["register_source"] = reg_col("source")

    # Sector: the register's SIC (Companies House), else the publisher's (`ledger_sic_code`), else
    # the expense category's section (inferred); `sic_source` says which.
    reg_sic = sic_codes(reg_col("sic_code"))
    ledger_sic = sic_codes(sup["ledger_sic"])
    sic = reg_sic.fillna(ledger_sic)
    out["sic_code"] = sic.astype("string")
    division = sic.str[:2]
    inferred_section = _section_from_expense(sup["expense_category"])
    out["sic_division"] = division.astype("string")
    out["sic_section"] = division.map(_SECTION_OF_DIVISION).astype("string").fillna(inferred_section.where(sic.isna()))
    out["sic_inferred"] = sic.isna() & inferred_section.notna()
    out["sic_source"] = pd.Series(
        np.select(
            [reg_sic.notna().to_numpy(), ledger_sic.notna().to_numpy(), out["sic_inferred"].to_numpy(dtype=bool)],
            ["register", "ledger", "expense_category"],
            None,
        ),
        index=sup.index,
        dtype="string",
    )

    out["ledger_type"] = ledger_types(sup["ledger_classification"])
    gpg_numbers = set(R.loc[R["source"] == "gender_pay_gap", "company_number"].dropna()) if len(R) else set()
    typing = pd.DataFrame(
        {
            "supplier_name": sup["supplier_name"],
            "registered_name": out["registered_name"],
            "register_kind": reg_col("kind"),
            "register_size": reg_col("size"),
            "other_id": out["other_id"],
            "company_number": out["company_number"],
            "charity_number": out["charity_number"],
            "register_source": out["register_source"],
            "in_gpg": out["company_number"].isin(gpg_numbers).fillna(False).astype(bool)
            | (out["register_source"] == "gender_pay_gap").fillna(False),
            "crosswalk_type": cw_type,
            "ledger_type": out["ledger_type"],
            # `_most_paid` gives text: `True` / `False` back to the flag
            "ledger_vcse": sup["ledger_vcse"].map({"True": True, "False": False}).astype("boolean"),
            "individual": sup["individual"].astype(bool),
        }
    )
    bodies = default_public_bodies() if public_bodies is None else public_bodies
    public = classify_public(typing, bodies, public_rules or default_public_rules(), *area)
    for c in public.columns:
        out[c] = public[c]
    out["supplier_type"] = _supplier_type(typing.assign(public_class=public["public_class"]))

    loc = _locate(out["postcode"], postcodes)
    for c in ("lad_code", "ward_code", "lsoa_code"):
        out[c] = loc[c]
    out["lad_code"] = out["lad_code"].fillna(district_lad)
    out["location_basis"] = location_basis(out["postcode_source"], out["register_source"], out["lad_code"].notna())
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
    out.loc[person, "location_basis"] = "none"
    out = out[SUPPLIER_COLUMNS].reset_index(drop=True)

    review = _review_frame(review_rows, sup, R)
    if review_dir is not None:
        Path(review_dir).mkdir(parents=True, exist_ok=True)
        write_csv(review, Path(review_dir) / "review.csv")
    return Resolution(out, coverage(tx, out), review)


def _refuse_other_companies(
    row: np.ndarray, matched_by: np.ndarray, score: np.ndarray, number: pd.Series, R: pd.DataFrame
) -> list:
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
        refused.append(
            (int(i), int(row[i]), float(score[i]), float("nan"), "another company number than the one given")
        )
        row[i], matched_by[i], score[i] = -1, None, np.nan
    return refused


def _review_frame(rows: list, sup: pd.DataFrame, R: pd.DataFrame) -> pd.DataFrame:
    if not rows:
        return pd.DataFrame(columns=REVIEW_COLUMNS)
    qid, rr, sc, s2, why = zip(*rows)
    qid, rr = np.asarray(qid), np.asarray(rr)
    out = pd.DataFrame(
        {
            "supplier_key": sup["supplier_key"].to_numpy()[qid],
            "supplier_name": sup["supplier_name"].to_numpy()[qid],
            "candidate_name": R["name"].to_numpy()[rr],
            "candidate_company_number": R["company_number"].to_numpy()[rr],
            "candidate_postcode": R["postcode"].to_numpy()[rr] if "postcode" in R else pd.NA,
            "candidate_source": R["source"].to_numpy()[rr],
            "score": np.round(sc, 1),
            "second_score": np.round(s2, 1),
            "reason": why,
            "spend_pence": sup["spend_pence"].to_numpy()[qid],
            "decision": "",
        }
    )
    return out.sort_values(["spend_pence", "supplier_name"], ascending=[False, True]).reset_index(drop=True)
