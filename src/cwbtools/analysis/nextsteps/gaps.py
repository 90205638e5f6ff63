"""Gap analysis by SIC division: influenceable leaked spend against local capacity (registered
organisations in the place and wider area, location quotients against England, local suppliers the
anchors already use), ranked; and the registered organisations a procurement officer could invite
for the top opportunities."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from ...identifiers import supplier_name as normalise_name
from ..baseline import _each_distinct, _firms
from ._common import _div, _division, _flag, _individual, _located, _names, _outside, _table

FULL_REGISTER = "companies_house"  # the one register listing every company
_SIC_CODE = re.compile(r"\d{4,5}")
# A location quotient from a handful of organisations measures one firm's head office (issue 18: one
# firm gave Bolton construction a quotient of 2.23): below this many in the area, none is given.
MIN_LQ_ORGS = 5
CAPACITY_BASIS = (
    "Organisation counts are of private and third-sector organisations (the registers' public bodies are "
    f"not counted); a location quotient is given only where the area has at least {MIN_LQ_ORGS} of them "
    "in the division. Local suppliers in use are firms and voluntary bodies paid from procurement spend."
)


def counts_partial(registers) -> bool:
    """Whether organisation counts are a floor: no registers, or none listing every company."""
    registers = _table(registers)
    return registers is None or FULL_REGISTER not in set(registers["source"].astype(str).unique())


def organisations(registers: pd.DataFrame, postcodes: pd.DataFrame | None = None) -> pd.DataFrame:
    """Registered organisations with their SIC division(s) and geography, one row per organisation
    and division. `registers` as CONTRACTS §2 (`registers.parquet`) or read from Companies House;
    `lad_code`/`ward_code` come from `postcodes` unless already present. Individuals and dissolved
    organisations are dropped, and so are public bodies: capacity is private and third-sector."""
    r = registers.copy()
    if "kind" in r.columns:
        r = r[~r["kind"].astype("string").fillna("").isin(["individual", "public"])]
    if "status" in r.columns:
        status = r["status"].astype("string").str.lower().fillna("")
        r = r[~status.str.contains("dissolved|closed|removed|liquidation", regex=True)]
    if "lad_code" not in r.columns and postcodes is not None:
        pc = postcodes[[c for c in ("postcode", "lad_code", "ward_code") if c in postcodes.columns]]
        r = r.merge(pc.drop_duplicates("postcode"), on="postcode", how="left")
    for col in ("lad_code", "ward_code", "company_number", "charity_number", "other_id", "size", "kind", "source"):
        if col not in r.columns:
            r[col] = pd.NA
    # Every SIC code an organisation registered (`sic_codes`, `;`-joined) when the register has them.
    text = r["sic_code"].astype("string").fillna("")
    if "sic_codes" in r.columns:
        text = r["sic_codes"].astype("string").fillna(text)
    # Each distinct text read once: registers repeat a handful of codes over thousands of rows.
    codes = pd.Series(_each_distinct(text, _SIC_CODE.findall), index=text.index)
    r = r.assign(sic_code=codes).explode("sic_code")
    r["sic_code"] = r["sic_code"].astype("string").str.zfill(5)
    r["sic_division"] = r["sic_code"].str[:2]
    r = r[r["sic_division"].notna()]
    names = r["name"].astype("string")
    key = r["company_number"].astype("string").fillna(r["charity_number"].astype("string"))
    # Keyed by name only without a company or charity number: normalising every name cost 0.3 s.
    unnumbered = names.where(key.isna().to_numpy())
    by_name = _each_distinct(unnumbered, lambda n: None if pd.isna(n) else normalise_name(n))
    r["org_key"] = key.fillna(pd.Series(by_name, index=unnumbered.index))
    r = r.drop_duplicates(["org_key", "sic_division"])
    return r.reset_index(drop=True)


def capacity(orgs: pd.DataFrame | None, place_lads, wider_lads) -> pd.DataFrame | None:
    """Registered organisations by SIC division in the place, the wider area (place included) and
    England, with location quotients: the division's share of the area's organisations divided by
    its share of England's, given only from `MIN_LQ_ORGS` organisations in the area. An organisation
    is counted once per division it is registered in. None without organisations (no registers:
    counts unknown, not zero)."""
    if orgs is None:
        return None
    place, wider = set(place_lads), set(wider_lads) | set(place_lads)
    lad = orgs["lad_code"].astype("string")
    frame = pd.DataFrame(
        {
            "sic_division": orgs["sic_division"].astype("string"),
            "org_key": orgs["org_key"],
            "place": lad.isin(place).fillna(False).astype(bool),
            "wider": lad.isin(wider).fillna(False).astype(bool),
            "england": lad.str.startswith("E").fillna(False).astype(bool),
        }
    )
    out = (
        pd.DataFrame(
            {
                "place_orgs": frame[frame["place"]].groupby("sic_division")["org_key"].nunique(),
                "wider_orgs": frame[frame["wider"]].groupby("sic_division")["org_key"].nunique(),
                "england_orgs": frame[frame["england"]].groupby("sic_division")["org_key"].nunique(),
            }
        )
        .fillna(0)
        .astype("int64")
    )
    totals = {k: frame.loc[frame[k], "org_key"].nunique() for k in ("place", "wider", "england")}
    for area in ("place", "wider"):
        share = out[f"{area}_orgs"] / totals[area] if totals[area] else np.nan
        eng = out["england_orgs"] / totals["england"] if totals["england"] else np.nan
        lq = (share / eng.where(eng > 0)) if totals["england"] else np.nan
        out[f"{area}_lq"] = pd.Series(lq, index=out.index).where(out[f"{area}_orgs"] >= MIN_LQ_ORGS)
    out.index.name = "sic_division"
    return out.reset_index()


def opportunities(classified: pd.DataFrame, cap: pd.DataFrame | None, sic: pd.DataFrame | None = None) -> pd.DataFrame:
    """For each SIC division with influenceable spend leaking out of the wider area: the leak, the
    local capacity (registered organisations and location quotients when `cap` is given, and the
    suppliers in the wider area the anchors already use in that division), ranked. Opportunities
    with some local capacity rank before those with none; then by influenceable leaked pence.
    Without `cap` (no registers) the organisation counts are unknown (NA), not zero."""
    cap = _table(cap)
    spend = classified
    keep = spend["influenceable"].astype(bool)
    amount = spend["amount_pence"].astype("int64")
    div = _division(spend).fillna("")
    # Capacity in use: firms and voluntary bodies the base pays, never public bodies or persons.
    in_base = _flag(spend, "in_base") if "in_base" in spend.columns else ~_individual(spend)
    local = _located(spend) & _flag(spend, "in_wider") & in_base & _firms(spend)
    frame = pd.DataFrame(
        {
            "sic_division": div,
            "influenceable_pence": amount.where(keep, 0),
            "influenceable_leakage_pence": amount.where(keep & _outside(spend), 0),
            "local_supplier_spend_pence": amount.where(local, 0),
            "local_key": spend["supplier_key"].astype("string").where(local),
        }
    )
    out = (
        frame.groupby("sic_division", sort=True)
        .agg(
            influenceable_pence=("influenceable_pence", "sum"),
            influenceable_leakage_pence=("influenceable_leakage_pence", "sum"),
            local_suppliers_used=("local_key", "nunique"),
            local_supplier_spend_pence=("local_supplier_spend_pence", "sum"),
        )
        .reset_index()
    )
    for c in ("influenceable_pence", "influenceable_leakage_pence", "local_supplier_spend_pence"):
        out[c] = out[c].astype("int64")
    out = out[out["influenceable_leakage_pence"] > 0].copy()
    out["leakage_share"] = _div(out["influenceable_leakage_pence"], out["influenceable_pence"])
    if cap is not None and len(cap):
        out = out.merge(cap, on="sic_division", how="left")
        for c in ("place_orgs", "wider_orgs", "england_orgs"):
            out[c] = out[c].fillna(0).astype("int64")
    else:
        for c in ("place_orgs", "wider_orgs", "england_orgs"):
            out[c] = pd.Series(pd.NA, index=out.index, dtype="Int64")
        out["place_lq"] = np.nan
        out["wider_lq"] = np.nan
    has_regs = out["wider_orgs"].fillna(0) > 0
    has_used = out["local_suppliers_used"] > 0
    out["capacity"] = np.select(
        [has_regs & has_used, has_regs, has_used],
        ["registered organisations and suppliers in use", "registered organisations", "suppliers in use"],
        "none found",
    )
    names = _names(sic, "division")
    out.insert(1, "sic_division_name", [names.get(d, "") if d else "(no SIC)" for d in out["sic_division"]])
    out["_no_sic"] = out["sic_division"] == ""
    out["_cap"] = (has_regs | has_used).astype(int)
    out = out.sort_values(
        ["_no_sic", "_cap", "influenceable_leakage_pence", "sic_division"],
        ascending=[True, False, False, True],
        kind="mergesort",
    )
    ranked = ~out["_no_sic"]
    out.insert(0, "rank", pd.array([pd.NA] * len(out), dtype="Int64"))
    out.loc[ranked, "rank"] = range(1, int(ranked.sum()) + 1)
    return out.drop(columns=["_no_sic", "_cap"]).reset_index(drop=True)


def current_suppliers(spend: pd.DataFrame) -> pd.Series:
    """The names of the organisations the anchors pay (never individuals), any year."""
    return spend.loc[~_individual(spend), "supplier_name"]


def candidate_suppliers(
    orgs: pd.DataFrame | None,
    gaps: pd.DataFrame,
    place_lads,
    wider_lads,
    top: int = 5,
    per_sector: int = 10,
    current_suppliers: pd.Series | None = None,
    geography: pd.DataFrame | None = None,
    wards: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Registered organisations in the place (first) and wider area for the `top` ranked
    opportunities, up to `per_sector` each: a table a procurement officer can use. Never individuals.
    `current_suppliers` (names) marks organisations the anchors already pay; `geography` and `wards`
    (reference tables) name the local authority and ward."""
    cols = [
        "rank",
        "sic_division",
        "sic_division_name",
        "name",
        "postcode",
        "ward",
        "local_authority",
        "geo",
        "sic_code",
        "size",
        "kind",
        "source_register",
        "company_number",
        "charity_number",
        "already_supplies",
    ]
    if orgs is None or not len(orgs) or gaps is None or not len(gaps):
        return pd.DataFrame(columns=cols)
    place, wider = set(place_lads), set(wider_lads) | set(place_lads)
    chosen = gaps[gaps["rank"].notna()].head(top)
    current = (
        {normalise_name(n) for n in pd.Series(current_suppliers, dtype="string").dropna().unique()}
        if current_suppliers is not None
        else set()
    )
    lad_names = dict(zip(geography["lad_code"], geography["lad_name"])) if geography is not None else {}
    rows = []
    o = orgs[orgs["lad_code"].astype("string").isin(wider).fillna(False).astype(bool)]
    if "kind" in o.columns:
        o = o[o["kind"].astype("string").fillna("") != "individual"]
    ward_names = {}
    if wards is not None and "ward_code" in o.columns:
        # Only the wider area's wards: reading all 12,000 names costs more than the rest of the table.
        wanted = wards[wards["ward_code"].isin(set(o["ward_code"].dropna().unique())).to_numpy(dtype=bool)]
        ward_names = dict(zip(wanted["ward_code"], wanted["ward_name"]))
    for _, g in chosen.iterrows():
        part = o[o["sic_division"] == g["sic_division"]].copy()
        if part.empty:
            continue
        part["geo"] = np.where(part["lad_code"].isin(place), "place", "wider")
        part["_name"] = part["name"].astype("string").fillna("")
        part = part.sort_values(["geo", "_name"], kind="mergesort").head(per_sector)
        for _, r in part.iterrows():
            name = r["name"]
            lad = r.get("lad_code")
            ward = r.get("ward_code")
            rows.append(
                {
                    "rank": g["rank"],
                    "sic_division": g["sic_division"],
                    "sic_division_name": g.get("sic_division_name", ""),
                    "name": name,
                    "postcode": r.get("postcode"),
                    "ward": ward_names.get(ward, ward) if isinstance(ward, str) else None,
                    "local_authority": lad_names.get(lad, lad) if isinstance(lad, str) else None,
                    "geo": r["geo"],
                    "sic_code": r.get("sic_code"),
                    "size": r.get("size"),
                    "kind": r.get("kind"),
                    "source_register": r.get("source"),
                    "company_number": r.get("company_number"),
                    "charity_number": r.get("charity_number"),
                    "already_supplies": normalise_name(name) in current,
                }
            )
    return pd.DataFrame(rows, columns=cols)
