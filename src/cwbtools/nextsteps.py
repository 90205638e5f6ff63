"""Next steps (CLES report sections 5 and 6): where anchors could act and what it would be worth.

Pure functions over the spend frame (docs/CONTRACTS.md section 4) and the city config's
definitions, returning tidy tables in integer pence:

1. Leakage: located spend outside the wider area, by sector and anchor, and the suppliers behind it
   (organisations only: individuals are never named).
2. Influenceable spend: the config's not-influenceable rules applied *in order*, each payment
   removed by the first rule it meets, each rule reported with the payments and pence it removed;
   removed + influenceable == total, to the penny.
3. Gap analysis by SIC division: influenceable leaked spend against local capacity (registered
   organisations in the place and wider area, location quotients against England, local suppliers
   the anchors already use), ranked.
4. Candidate local suppliers for the top opportunities (registered organisations only).
5. Scenarios: direct uplift = (to_share - from_share) x base-year total; indirect effects from the
   re-spend range and from ONS IOAT 2020 Type I output multipliers (national multipliers applied
   locally, an upper bound); a trajectory from the latest year to the target.
6. Contract pipeline (`cwbtools.contracts_finder`).
7. Recommendations written from those tables by rules, each naming its table.

`NextSteps` at the end is the notebook's presentation layer: it gathers the inputs a city has,
says plainly what is missing, and returns one HTML table or chart per call.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from . import multipliers as mult
from .analysis import weighted_respend
from .definitions import AnalysisDefinitions, NotInfluenceableRules
from .identifiers import supplier_name as normalise_name
from .privacy import unnamed_rows
from .schema import NAME_SHOWN

DEFAULT_LOT_THRESHOLD_PENCE = 100_000 * 100  # contracts above £100k are worth splitting into lots
DEFAULT_TRAJECTORY_YEARS = 5


# --------------------------------------------------------------------------------------------
# Helpers

def _flag(df: pd.DataFrame, column: str) -> pd.Series:
    if column not in df.columns:
        return pd.Series(False, index=df.index)
    return df[column].astype("boolean").fillna(False).astype(bool)


def _located(spend: pd.DataFrame) -> pd.Series:
    return _flag(spend, "located") if "located" in spend.columns else spend["lad_code"].notna()


def _individual(spend: pd.DataFrame) -> pd.Series:
    out = spend["supplier_type"].astype("string").fillna("") == "individual"
    return out | _flag(spend, "individual")


def _outside(spend: pd.DataFrame) -> pd.Series:
    """Leakage: located and outside the wider area (which includes the place)."""
    return _located(spend) & ~_flag(spend, "in_wider")


def _pence(series: pd.Series) -> int:
    return int(series.astype("int64").sum()) if len(series) else 0


def _div(num, den):
    num = pd.Series(num, dtype="float64") if not isinstance(num, pd.Series) else num.astype("float64")
    den = den.astype("float64") if isinstance(den, pd.Series) else float(den)
    if isinstance(den, float):
        return num / den if den else num * np.nan
    return num / den.where(den != 0)


def for_year(spend: pd.DataFrame, year: str) -> pd.DataFrame:
    return spend[spend["financial_year"].astype("string") == str(year)]


def _division(spend: pd.DataFrame) -> pd.Series:
    div = spend["sic_division"].astype("string") if "sic_division" in spend.columns else pd.Series(pd.NA, index=spend.index, dtype="string")
    return div.str.strip().str.zfill(2).where(div.notna() & (div.str.strip() != ""))


def _names(sic: pd.DataFrame | None, level: str) -> dict[str, str]:
    if sic is None or not len(sic) or f"sic_{level}_name" not in sic.columns:
        return {}
    keys = sic[f"sic_{level}"].astype(str)
    if level == "division":
        keys = keys.str.zfill(2)
    return dict(zip(keys, sic[f"sic_{level}_name"].astype(str)))


# --------------------------------------------------------------------------------------------
# 1. Leakage

def leakage_by_sector(spend: pd.DataFrame, level: str = "section", sic: pd.DataFrame | None = None) -> pd.DataFrame:
    """Spend outside the wider area by SIC section (or division): pence, the share of the sector's
    located spend that leaks, and the sector's part of all leakage. Largest leak first; spend with no
    SIC is `(no SIC)`, last."""
    if level not in ("section", "division"):
        raise ValueError("level must be 'section' or 'division'")
    sector = (_division(spend) if level == "division"
              else spend["sic_section"].astype("string").str.strip()).fillna("")
    amount = spend["amount_pence"].astype("int64")
    frame = pd.DataFrame({
        "sector": sector,
        "total_pence": amount,
        "located_pence": amount.where(_located(spend), 0),
        "leakage_pence": amount.where(_outside(spend), 0),
        "unlocated_pence": amount.where(~_located(spend), 0),
    })
    out = frame.groupby("sector", sort=True).sum().reset_index()
    for c in ("total_pence", "located_pence", "leakage_pence", "unlocated_pence"):
        out[c] = out[c].astype("int64")
    out["leakage_share_of_sector"] = _div(out["leakage_pence"], out["located_pence"])
    all_leak = out["leakage_pence"].sum()
    out["share_of_all_leakage"] = _div(out["leakage_pence"], float(all_leak))
    names = _names(sic, level)
    out.insert(1, "sector_name", [names.get(s, "") if s else "(no SIC)" for s in out["sector"]])
    out["_none"] = (out["sector"] == "").astype(int)
    out = out.sort_values(["_none", "leakage_pence", "sector"], ascending=[True, False, True], kind="mergesort")
    return out.drop(columns="_none").reset_index(drop=True)


def leakage_by_anchor_and_sector(spend: pd.DataFrame, sic: pd.DataFrame | None = None, top: int = 5) -> pd.DataFrame:
    """Each anchor's `top` leaking SIC sections: leakage pence and the share of that anchor's
    located spend in the sector that leaks."""
    parts = []
    for anchor, part in spend.groupby(spend["anchor"].astype("string"), sort=True):
        t = leakage_by_sector(part, "section", sic)
        t = t[t["leakage_pence"] > 0].head(top)
        t.insert(0, "anchor", anchor)
        parts.append(t)
    cols = ["anchor", "sector", "sector_name", "total_pence", "located_pence", "leakage_pence",
            "leakage_share_of_sector"]
    return pd.concat(parts, ignore_index=True)[cols] if parts else pd.DataFrame(columns=cols)


def leakage_by_anchor(spend: pd.DataFrame) -> pd.DataFrame:
    """Each anchor's total, located spend and leakage (pence) and the share of its located spend
    that leaks; a last row for all anchors."""
    amount = spend["amount_pence"].astype("int64")
    frame = pd.DataFrame({
        "anchor": spend["anchor"].astype("string"),
        "total_pence": amount,
        "located_pence": amount.where(_located(spend), 0),
        "leakage_pence": amount.where(_outside(spend), 0),
    })
    out = frame.groupby("anchor", sort=True).sum().reset_index()
    total = pd.DataFrame([{"anchor": "All anchors", **{c: int(out[c].sum()) for c in
                                                        ("total_pence", "located_pence", "leakage_pence")}}])
    out = pd.concat([out.sort_values("leakage_pence", ascending=False, kind="mergesort"), total], ignore_index=True)
    for c in ("total_pence", "located_pence", "leakage_pence"):
        out[c] = out[c].astype("int64")
    out["leakage_share"] = _div(out["leakage_pence"], out["located_pence"])
    return out


def leakage_suppliers(spend: pd.DataFrame, n: int = 50, sic: pd.DataFrame | None = None) -> pd.DataFrame:
    """The organisations behind the leakage, largest first: never individuals (their payments are
    left out here, and counted in the sector tables)."""
    leak = spend[_outside(spend) & ~_individual(spend)]
    if leak.empty:
        return pd.DataFrame(columns=["rank", "supplier_name", "supplier_type", "sic_division", "sic_division_name",
                                     "lad_code", "leakage_pence", "payments", "anchors"])
    frame = pd.DataFrame({
        "supplier_key": leak["supplier_key"].astype("string"),
        "supplier_name": leak["supplier_name"].astype("string"),
        "supplier_type": leak["supplier_type"].astype("string").fillna("unknown"),
        "sic_division": _division(leak).fillna(""),
        "lad_code": leak["lad_code"].astype("string"),
        "anchor": leak["anchor"].astype("string"),
        "amount_pence": leak["amount_pence"].astype("int64"),
    })
    shown = {}
    if NAME_SHOWN in leak.columns:  # carried for the reports' display rule (cwbtools.privacy.for_readers)
        frame[NAME_SHOWN] = leak[NAME_SHOWN].astype("boolean").fillna(False).astype(bool)
        shown = {NAME_SHOWN: (NAME_SHOWN, "all")}
    out = frame.groupby("supplier_key", sort=True).agg(
        supplier_name=("supplier_name", "first"), supplier_type=("supplier_type", "first"),
        sic_division=("sic_division", "first"), lad_code=("lad_code", "first"),
        leakage_pence=("amount_pence", "sum"), payments=("amount_pence", "size"),
        anchors=("anchor", lambda a: "; ".join(sorted(set(a.dropna())))), **shown,
    ).reset_index(drop=True)
    out["leakage_pence"] = out["leakage_pence"].astype("int64")
    names = _names(sic, "division")
    out.insert(4, "sic_division_name", [names.get(d, "") for d in out["sic_division"]])
    out = out.sort_values(["leakage_pence", "supplier_name"], ascending=[False, True], kind="mergesort").head(n)
    out.insert(0, "rank", range(1, len(out) + 1))
    return out.reset_index(drop=True)


# --------------------------------------------------------------------------------------------
# 2. Influenceable spend

@dataclass(frozen=True)
class ExclusionRule:
    """Spend an anchor cannot redirect. `kind`: `individual`, `supplier_type`, `sic_division`,
    `expense` (word patterns in expense category / service area / description), `supplier`
    (supplier names, matched on the normalised name)."""

    name: str
    kind: str
    values: tuple[str, ...]
    reason: str = ""


_TYPE_RULES = {
    "public": ("Other public bodies", "Payments to other public bodies are transfers between the public sector, not procurement an anchor can redirect."),
    "individual": ("Individuals (not named)", "Payments to private individuals (and redacted payees) are not procurement from firms."),
}


def _read_supplier_list(path: Path) -> list[str]:
    from .errors import InputFileError

    if not path.exists():
        raise InputFileError(f"{path}: national frameworks supplier list not found "
                             "(definitions.not_influenceable.suppliers_file)")
    if path.suffix.lower() == ".csv":
        df = pd.read_csv(path, dtype=str)
        col = "supplier_name" if "supplier_name" in df.columns else df.columns[0]
        return [v for v in df[col].dropna().astype(str) if v.strip()]
    return [line.strip() for line in path.read_text(encoding="utf-8-sig").splitlines()
            if line.strip() and not line.startswith("#")]


def exclusion_rules(ni: NotInfluenceableRules) -> list[ExclusionRule]:
    """The not-influenceable rules (`definitions.not_influenceable`), in the order they are
    applied: individuals, other supplier types (public bodies ...), utilities by SIC division,
    benefits and pass-through payments by expense words, national frameworks by supplier name
    (listed, and read from the suppliers file)."""
    types = [str(t) for t in ni.supplier_types]
    rules: list[ExclusionRule] = []
    if "individual" in types:
        rules.append(ExclusionRule(_TYPE_RULES["individual"][0], "individual", ("individual",), _TYPE_RULES["individual"][1]))
    for t in types:
        if t == "individual":
            continue
        name, reason = _TYPE_RULES.get(t, (f"Supplier type: {t}", f"Set aside by the config (supplier type {t})."))
        rules.append(ExclusionRule(name, "supplier_type", (t,), reason))
    divisions = tuple(str(d).zfill(2) for d in ni.sic_divisions)
    if divisions:
        rules.append(ExclusionRule(f"Utilities (SIC {', '.join(divisions)})", "sic_division", divisions,
                                   "Energy and water are bought from whoever owns the network."))
    patterns = tuple(str(p) for p in ni.expense_patterns)
    if patterns:
        rules.append(ExclusionRule("Benefits, pass-through and other non-procurement payments", "expense", patterns,
                                   "Benefits, grants to individuals, precepts, levies, pensions, tax and refunds "
                                   "pass through the anchor; no supplier was chosen."))
    names = [str(s) for s in ni.suppliers]
    if ni.suppliers_file is not None:
        names += _read_supplier_list(Path(ni.suppliers_file))
    if names:
        rules.append(ExclusionRule("National frameworks (named suppliers)", "supplier",
                                   tuple(sorted({normalise_name(n) for n in names} - {""})),
                                   "Contracts let nationally (frameworks) that the anchor cannot re-let locally."))
    return rules


def _expense_regex(patterns: tuple[str, ...]) -> re.Pattern:
    # Whole words (a plural allowed): `tax` must not catch `taxi`, `levy` catches `levies`.
    parts = []
    for p in patterns:
        words = re.escape(p.strip().lower()).replace(r"\ ", r"[\s_-]+").replace(r"\-", r"[\s_-]*")
        if words.endswith("y"):
            words = words[:-1] + "(?:y|ies)"
        parts.append(rf"\b{words}(?:s|es)?\b")
    return re.compile("|".join(parts), re.IGNORECASE)


def _rule_mask(spend: pd.DataFrame, rule: ExclusionRule) -> pd.Series:
    if rule.kind == "individual":
        return _individual(spend)
    if rule.kind == "supplier_type":
        return spend["supplier_type"].astype("string").isin(rule.values).fillna(False).astype(bool)
    if rule.kind == "sic_division":
        return _division(spend).isin(rule.values).fillna(False).astype(bool)
    if rule.kind == "expense":
        regex = _expense_regex(rule.values)
        mask = pd.Series(False, index=spend.index)
        for col in ("expense_category", "service_area", "description"):
            if col in spend.columns:
                mask |= spend[col].astype("string").str.contains(regex, na=False).astype(bool)
        return mask
    if rule.kind == "supplier":
        names = spend["supplier_name"].astype("string").fillna("")
        uniq = pd.Series(names.unique())
        keyed = dict(zip(uniq, uniq.map(normalise_name)))
        return names.map(keyed).isin(set(rule.values)).astype(bool)
    raise ValueError(f"unknown exclusion rule kind {rule.kind!r}")


def classify_influenceable(spend: pd.DataFrame, rules: list[ExclusionRule]) -> pd.DataFrame:
    """The spend frame with `excluded_by` (the first rule a payment meets, NA when influenceable)
    and `influenceable` (bool). Rules are applied in order so a payment is removed once."""
    out = spend.copy()
    excluded = pd.Series(pd.NA, index=out.index, dtype="string")
    for rule in rules:
        hit = _rule_mask(out, rule) & excluded.isna()
        excluded[hit] = rule.name
    out["excluded_by"] = excluded
    out["influenceable"] = excluded.isna()
    return out


def exclusions_table(classified: pd.DataFrame, rules: list[ExclusionRule]) -> pd.DataFrame:
    """One row per rule in the order applied (payments, pence removed, of which leakage), then the
    influenceable spend left and the total: removed + influenceable == total, to the penny."""
    amount = classified["amount_pence"].astype("int64")
    outside = _outside(classified)
    rows = []
    for i, rule in enumerate(rules, start=1):
        hit = classified["excluded_by"] == rule.name
        hit = hit.fillna(False).astype(bool)
        rows.append({"order": i, "rule": rule.name, "payments": int(hit.sum()), "removed_pence": _pence(amount[hit]),
                     "removed_leakage_pence": _pence(amount[hit & outside]), "why": rule.reason})
    keep = classified["influenceable"].astype(bool)
    rows.append({"order": None, "rule": "Influenceable spend (left)", "payments": int(keep.sum()),
                 "removed_pence": _pence(amount[keep]), "removed_leakage_pence": _pence(amount[keep & outside]),
                 "why": "Spend the anchors choose suppliers for."})
    rows.append({"order": None, "rule": "All spend", "payments": len(classified), "removed_pence": _pence(amount),
                 "removed_leakage_pence": _pence(amount[outside]), "why": ""})
    out = pd.DataFrame(rows).rename(columns={"removed_pence": "spend_pence", "removed_leakage_pence": "leakage_pence"})
    out["order"] = out["order"].astype("Int64")
    total = out["spend_pence"].iloc[-1]
    out["share_of_total"] = _div(out["spend_pence"], float(total))
    return out


def influenceable_measures(classified: pd.DataFrame) -> pd.DataFrame:
    """Total, place, wider area, leakage and unlocated spend for all spend and for influenceable
    spend: pence and shares of located spend."""
    rows = []
    for label, part in (("All spend", classified), ("Influenceable spend", classified[classified["influenceable"].astype(bool)])):
        amount = part["amount_pence"].astype("int64")
        located = _located(part)
        loc = _pence(amount[located])
        place = _pence(amount[located & _flag(part, "in_place")])
        wider = _pence(amount[located & _flag(part, "in_wider")])
        leak = _pence(amount[_outside(part)])
        rows.append({"spend": label, "total_pence": _pence(amount), "located_pence": loc, "place_pence": place,
                     "wider_pence": wider, "leakage_pence": leak, "unlocated_pence": _pence(amount[~located]),
                     "place_share": place / loc if loc else np.nan, "wider_share": wider / loc if loc else np.nan,
                     "leakage_share": leak / loc if loc else np.nan})
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------------------------
# 3. Gap analysis: local capacity

def organisations(registers: pd.DataFrame, postcodes: pd.DataFrame | None = None) -> pd.DataFrame:
    """Registered organisations with their SIC division(s) and geography, one row per organisation
    and division. `registers` as CONTRACTS §2 (`registers.parquet`) or read from Companies House;
    `lad_code`/`ward_code` come from `postcodes` unless already present. Individuals and dissolved
    organisations are dropped."""
    r = registers.copy()
    if "kind" in r.columns:
        r = r[r["kind"].astype("string").fillna("") != "individual"]
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
    codes = text.str.findall(r"\d{4,5}")
    r = r.assign(sic_code=codes).explode("sic_code")
    r["sic_code"] = r["sic_code"].astype("string").str.zfill(5)
    r["sic_division"] = r["sic_code"].str[:2]
    r = r[r["sic_division"].notna()]
    names = r["name"].astype("string")
    key = r["company_number"].astype("string").fillna(r["charity_number"].astype("string")).fillna(
        names.map({n: normalise_name(n) for n in names.dropna().unique()}))
    r["org_key"] = key
    r = r.drop_duplicates(["org_key", "sic_division"])
    return r.reset_index(drop=True)


def capacity(orgs: pd.DataFrame, place_lads, wider_lads) -> pd.DataFrame:
    """Registered organisations by SIC division in the place, the wider area (place included) and
    England, with location quotients: the division's share of the area's organisations divided by
    its share of England's. An organisation is counted once per division it is registered in."""
    place, wider = set(place_lads), set(wider_lads) | set(place_lads)
    lad = orgs["lad_code"].astype("string")
    frame = pd.DataFrame({
        "sic_division": orgs["sic_division"].astype("string"),
        "org_key": orgs["org_key"],
        "place": lad.isin(place).fillna(False).astype(bool),
        "wider": lad.isin(wider).fillna(False).astype(bool),
        "england": lad.str.startswith("E").fillna(False).astype(bool),
    })
    out = pd.DataFrame({
        "place_orgs": frame[frame["place"]].groupby("sic_division")["org_key"].nunique(),
        "wider_orgs": frame[frame["wider"]].groupby("sic_division")["org_key"].nunique(),
        "england_orgs": frame[frame["england"]].groupby("sic_division")["org_key"].nunique(),
    }).fillna(0).astype("int64")
    totals = {k: frame.loc[frame[k], "org_key"].nunique() for k in ("place", "wider", "england")}
    for area in ("place", "wider"):
        share = out[f"{area}_orgs"] / totals[area] if totals[area] else np.nan
        eng = out["england_orgs"] / totals["england"] if totals["england"] else np.nan
        out[f"{area}_lq"] = (share / eng.where(eng > 0)) if totals["england"] else np.nan
    out.index.name = "sic_division"
    return out.reset_index()


def gap_analysis(classified: pd.DataFrame, cap: pd.DataFrame | None, sic: pd.DataFrame | None = None) -> pd.DataFrame:
    """For each SIC division with influenceable spend leaking out of the wider area: the leak, the
    local capacity (registered organisations and location quotients when `cap` is given, and the
    suppliers in the wider area the anchors already use in that division), ranked. Opportunities
    with some local capacity rank before those with none; then by influenceable leaked pence."""
    spend = classified
    keep = spend["influenceable"].astype(bool)
    amount = spend["amount_pence"].astype("int64")
    div = _division(spend).fillna("")
    local = _located(spend) & _flag(spend, "in_wider") & ~_individual(spend)
    frame = pd.DataFrame({
        "sic_division": div,
        "influenceable_pence": amount.where(keep, 0),
        "influenceable_leakage_pence": amount.where(keep & _outside(spend), 0),
        "local_supplier_spend_pence": amount.where(local, 0),
        "local_key": spend["supplier_key"].astype("string").where(local),
    })
    out = frame.groupby("sic_division", sort=True).agg(
        influenceable_pence=("influenceable_pence", "sum"),
        influenceable_leakage_pence=("influenceable_leakage_pence", "sum"),
        local_suppliers_used=("local_key", "nunique"),
        local_supplier_spend_pence=("local_supplier_spend_pence", "sum"),
    ).reset_index()
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
        "none found")
    names = _names(sic, "division")
    out.insert(1, "sic_division_name", [names.get(d, "") if d else "(no SIC)" for d in out["sic_division"]])
    out["_no_sic"] = out["sic_division"] == ""
    out["_cap"] = (has_regs | has_used).astype(int)
    out = out.sort_values(["_no_sic", "_cap", "influenceable_leakage_pence", "sic_division"],
                          ascending=[True, False, False, True], kind="mergesort")
    ranked = ~out["_no_sic"]
    out.insert(0, "rank", pd.array([pd.NA] * len(out), dtype="Int64"))
    out.loc[ranked, "rank"] = range(1, int(ranked.sum()) + 1)
    return out.drop(columns=["_no_sic", "_cap"]).reset_index(drop=True)


def candidate_suppliers(orgs: pd.DataFrame, gaps: pd.DataFrame, place_lads, wider_lads, top: int = 5,
                        per_sector: int = 10, current_suppliers: pd.Series | None = None,
                        lad_names: dict[str, str] | None = None, ward_names: dict[str, str] | None = None) -> pd.DataFrame:
    """Registered organisations in the place (first) and wider area for the `top` ranked
    opportunities, up to `per_sector` each: a table a procurement officer can use. Never individuals.
    `current_suppliers` (names) marks organisations the anchors already pay."""
    cols = ["rank", "sic_division", "sic_division_name", "name", "postcode", "ward", "local_authority", "geo",
            "sic_code", "size", "kind", "source_register", "company_number", "charity_number", "already_supplies"]
    if orgs is None or not len(orgs) or gaps is None or not len(gaps):
        return pd.DataFrame(columns=cols)
    place, wider = set(place_lads), set(wider_lads) | set(place_lads)
    chosen = gaps[gaps["rank"].notna()].head(top)
    current = ({normalise_name(n) for n in pd.Series(current_suppliers, dtype="string").dropna().unique()}
               if current_suppliers is not None else set())
    lad_names, ward_names = lad_names or {}, ward_names or {}
    rows = []
    o = orgs[orgs["lad_code"].astype("string").isin(wider).fillna(False).astype(bool)]
    if "kind" in o.columns:
        o = o[o["kind"].astype("string").fillna("") != "individual"]
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
            rows.append({
                "rank": g["rank"], "sic_division": g["sic_division"], "sic_division_name": g.get("sic_division_name", ""),
                "name": name, "postcode": r.get("postcode"),
                "ward": ward_names.get(ward, ward) if isinstance(ward, str) else None,
                "local_authority": lad_names.get(lad, lad) if isinstance(lad, str) else None,
                "geo": r["geo"], "sic_code": r.get("sic_code"), "size": r.get("size"), "kind": r.get("kind"),
                "source_register": r.get("source"), "company_number": r.get("company_number"),
                "charity_number": r.get("charity_number"),
                "already_supplies": normalise_name(name) in current,
            })
    return pd.DataFrame(rows, columns=cols)


# --------------------------------------------------------------------------------------------
# 5. Scenarios and trajectory

def _dec(value: float) -> Decimal:
    return Decimal(repr(float(value)))


def direct_uplift_pence(from_share: float, to_share: float, base_total_pence: int) -> int:
    """(to_share - from_share) x base total, exact: decimal arithmetic on the shares as written, so
    0.10 - 0.05 of £750m is £37,500,000.00, not a float's neighbour of it."""
    value = (_dec(to_share) - _dec(from_share)) * Decimal(int(base_total_pence))
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_EVEN))


def measured_shares(spend: pd.DataFrame) -> dict[str, Any]:
    """One year's total and the place and wider-area shares of located spend (as the baseline
    measures them: unlocated spend assumed to split like located spend)."""
    amount = spend["amount_pence"].astype("int64")
    located = _located(spend)
    loc = _pence(amount[located])
    place = _pence(amount[located & _flag(spend, "in_place")])
    wider = _pence(amount[located & _flag(spend, "in_wider")])
    return {"total_pence": _pence(amount), "located_pence": loc, "place_pence": place, "wider_pence": wider,
            "place_share": place / loc if loc else float("nan"), "wider_share": wider / loc if loc else float("nan")}


def scenario_specs(defs: AnalysisDefinitions, year: str) -> list[dict[str, Any]]:
    """The config's scenarios, then standard ones: +5 and +10 points on the place and wider-area
    shares of `year`, and the national benchmark local share for the place."""
    specs = [{**asdict(s), "source": "config"} for s in defs.scenarios]
    bench = defs.local_benchmark
    for measure, label in (("place_share", "place"), ("wider_share", "wider area")):
        for pts in (0.05, 0.10):
            specs.append({"name": f"{label} share +{pts * 100:.0f} points", "measure": measure, "points": pts,
                          "base_year": year, "source": "standard"})
    specs.append({"name": f"place share to the national benchmark ({bench:.1%})", "measure": "place_share",
                  "to_share": bench, "base_year": year, "source": "benchmark"})
    return specs


def scenario_sector_mix(spend: pd.DataFrame, measure: str) -> pd.DataFrame:
    """Where new local spend would come from: the sector mix of located spend now outside the
    measured area (outside the place for `place_share`, outside the wider area for `wider_share`),
    by SIC division, as weights summing to 1."""
    located = _located(spend)
    inside = _flag(spend, "in_place" if measure == "place_share" else "in_wider")
    part = spend[located & ~inside]
    if part.empty:
        part = spend
    frame = pd.DataFrame({"sic_division": _division(part), "sic_section": part["sic_section"].astype("string")
                          if "sic_section" in part.columns else pd.NA,
                          "sic_code": part["sic_code"].astype("string") if "sic_code" in part.columns else pd.NA,
                          "amount_pence": part["amount_pence"].astype("int64")})
    frame = frame[frame["amount_pence"] > 0]
    # One representative 5-digit code per division (the largest) decides split IOAT industries.
    grouped = frame.groupby(["sic_division", "sic_section"], dropna=False).agg(amount_pence=("amount_pence", "sum")).reset_index()
    code = (frame.dropna(subset=["sic_code"]).groupby(["sic_division", "sic_code"])["amount_pence"].sum()
            .reset_index().sort_values("amount_pence", ascending=False).drop_duplicates("sic_division")
            .set_index("sic_division")["sic_code"])
    grouped["sic_code"] = grouped["sic_division"].map(code)
    total = grouped["amount_pence"].sum()
    grouped["weight"] = grouped["amount_pence"] / total if total else 0.0
    return grouped


def _allocate(total: int, weights: pd.Series) -> pd.Series:
    """Split integer pence by weights so the parts sum exactly to `total` (largest remainders)."""
    if weights.sum() <= 0 or total == 0:
        return pd.Series(0, index=weights.index, dtype="int64")
    raw = weights / weights.sum() * total
    base = np.floor(raw).astype("int64")
    short = int(total - base.sum())
    order = (raw - base).sort_values(ascending=False, kind="mergesort").index[:short]
    base.loc[order] += 1
    return base.astype("int64")


def ioat_indirect_pence(direct_pence: int, mix: pd.DataFrame, multipliers: pd.DataFrame | None) -> int | None:
    """Indirect output from `direct_pence` of new spend spread over `mix`'s sectors, with IOAT
    2020 Type I output multipliers: national multipliers applied locally, an upper bound."""
    if multipliers is None or mix is None or mix.empty or direct_pence <= 0:
        return None if multipliers is None else 0
    with_m = mult.sector_multipliers(mix, multipliers)
    parts = _allocate(direct_pence, with_m["weight"])
    return int(mult.indirect_pence(parts, with_m["output_multiplier"]).sum())


def respend_range(base: pd.DataFrame, measure: str, respend: Mapping[str, float]) -> tuple[float, float]:
    """Pence per £1 (as fractions) new spend in the area would be re-spent there, first round: the
    per-type rates (`definitions.respend`) weighted by the supplier-type mix of the anchors'
    suppliers in the area now, and by the mix of the spend that would move (located outside the area
    now); the lower and the higher. Individuals are left out of both mixes."""
    firms = _located(base) & ~_individual(base)
    inside = _flag(base, "in_place" if measure == "place_share" else "in_wider")
    rates = [weighted_respend(base[firms & inside], respend), weighted_respend(base[firms & ~inside], respend)]
    rates = [r for r in rates if not pd.isna(r)] or [float(respend["unknown"])]
    return min(rates), max(rates)


def scenarios(spend: pd.DataFrame, specs: list[dict[str, Any]], default_base_year: str,
              respend: Mapping[str, float], multipliers: pd.DataFrame | None = None,
              survey_rate: float | None = None) -> pd.DataFrame:
    """Each scenario's direct uplift a year and its indirect effects.

    from_share: the spec's own when it states one, else measured in the base year. base total: the
    spec's `base_total_gbp` when stated, else the base year's total spend. Direct uplift =
    (to_share - from_share) x base total (0 when the target is already met). Indirect: the re-spend
    range (`respend_range` from the per-type rates `respend`, or a supplier survey's measured
    `survey_rate`, first round) and IOAT 2020 Type I output multipliers by sector.
    `indirect_low_pence` is the re-spend low; `indirect_high_pence` the larger of the re-spend high
    and the IOAT figure.
    """
    rows = []
    for spec in specs:
        measure = spec.get("measure") or "place_share"
        base_year = spec.get("base_year") or default_base_year
        base = for_year(spend, base_year)
        m = measured_shares(base)
        from_share = spec.get("from_share")
        from_basis = "stated in config"
        if from_share is None:
            from_share = m[measure]
            from_basis = f"measured, {base_year}"
        to_share = spec.get("to_share")
        if to_share is None:
            to_share = float(_dec(from_share) + _dec(spec.get("points") or 0))
        base_total = (int(round(float(spec["base_total_gbp"]) * 100)) if spec.get("base_total_gbp") is not None
                      else m["total_pence"])
        status = "ok"
        if base.empty and spec.get("base_total_gbp") is None:
            status = f"no spend in base year {base_year}"
            direct = 0
        elif pd.isna(from_share):
            status = "no located spend to measure the share on"
            direct = 0
        else:
            direct = direct_uplift_pence(from_share, to_share, base_total)
            if direct < 0:
                status = "target already met"
                direct = 0
        mix = scenario_sector_mix(base, measure) if not base.empty else None
        ioat = ioat_indirect_pence(direct, mix, multipliers) if mix is not None else None
        if survey_rate is not None:
            rate_low = rate_high = float(survey_rate)
        else:
            rate_low, rate_high = respend_range(base, measure, respend)
        low = int(round(direct * rate_low))
        high_respend = int(round(direct * rate_high))
        rows.append({
            "name": spec.get("name"), "source": spec.get("source", ""), "measure": measure, "base_year": base_year,
            "from_share": float(from_share) if not pd.isna(from_share) else np.nan, "from_basis": from_basis,
            "to_share": float(to_share), "base_total_pence": int(base_total), "direct_uplift_pence": direct,
            "respend_rate_low": rate_low, "respend_rate_high": rate_high,
            "indirect_respend_low_pence": low, "indirect_respend_high_pence": high_respend,
            "indirect_ioat_pence": ioat,
            "indirect_low_pence": low, "indirect_high_pence": max(high_respend, ioat or 0), "status": status,
        })
    out = pd.DataFrame(rows)
    out["indirect_ioat_pence"] = out["indirect_ioat_pence"].astype("Int64")
    return out


def _next_fy(year: str, k: int) -> str:
    start = int(str(year)[:4]) + k
    return f"{start}/{(start + 1) % 100:02d}"


def trajectory(spend: pd.DataFrame, latest_year: str, measure: str, to_share: float,
               years: int = DEFAULT_TRAJECTORY_YEARS) -> pd.DataFrame:
    """A straight path from the latest year's measured share to `to_share` over `years` years, with
    the spend it means at the latest year's total (pence) and the uplift over the latest year."""
    m = measured_shares(for_year(spend, latest_year))
    start = m[measure]
    rows = []
    for k in range(years + 1):
        share = start + (to_share - start) * k / years
        pence = int(round(share * m["total_pence"])) if not pd.isna(share) else 0
        rows.append({"financial_year": _next_fy(latest_year, k), "kind": "measured" if k == 0 else "path",
                     "share": share, "spend_in_area_pence": pence})
    out = pd.DataFrame(rows)
    out["uplift_pence"] = (out["spend_in_area_pence"] - out["spend_in_area_pence"].iloc[0]).astype("int64")
    out.insert(0, "measure", measure)
    return out


def scenarios_summary(table: pd.DataFrame) -> list[dict[str, Any]]:
    """The `scenarios` list of summary.json (money in GBP from summed pence)."""
    out = []
    for _, r in table.iterrows():
        out.append({
            "name": r["name"], "measure": r["measure"], "from_share": r["from_share"], "to_share": r["to_share"],
            "base_year": r["base_year"], "base_total_gbp": r["base_total_pence"] / 100,
            "direct_uplift_gbp": r["direct_uplift_pence"] / 100,
            "indirect_uplift_gbp_low": r["indirect_low_pence"] / 100,
            "indirect_uplift_gbp_high": r["indirect_high_pence"] / 100,
            "indirect_uplift_gbp_ioat": None if pd.isna(r["indirect_ioat_pence"]) else int(r["indirect_ioat_pence"]) / 100,
            "status": r["status"],
        })
    return out


# --------------------------------------------------------------------------------------------
# 7. Recommendations

def _m(pence: int | float) -> str:
    pounds = float(pence) / 100
    if abs(pounds) >= 1e6:
        return f"£{pounds / 1e6:.1f}m"
    if abs(pounds) >= 1e3:
        return f"£{pounds / 1e3:.0f}k"
    return f"£{pounds:,.0f}"


def _orgs(n: int) -> str:
    return f"{n} organisation" + ("" if n == 1 else "s")


def recommendations(gaps: pd.DataFrame | None, exclusions: pd.DataFrame | None, leak_suppliers: pd.DataFrame | None,
                    scenario_table: pd.DataFrame | None, ending: pd.DataFrame | None = None,
                    sme_awards: pd.DataFrame | None = None, measures_table: pd.DataFrame | None = None,
                    counts_partial: bool = True, place_name: str = "the place", wider_name: str = "the wider area",
                    lot_threshold_pence: int = DEFAULT_LOT_THRESHOLD_PENCE, sme_benchmark: float | None = None,
                    top: int = 3) -> pd.DataFrame:
    """Recommendations written from the figures by fixed rules; each names the table it comes from.
    `sme_awards` (contract awards' SME share) are compared with `sme_benchmark`
    (`definitions.benchmark.sme_share`), which they need."""
    if sme_awards is not None and len(sme_awards) and sme_benchmark is None:
        raise ValueError("sme_awards are compared with sme_benchmark: give definitions.benchmark.sme_share")
    rows: list[dict[str, Any]] = []

    def add(text: str, table: str, pence: int | None = None):
        rows.append({"recommendation": text, "based_on_table": table, "figure_pence": pence})

    if gaps is not None and len(gaps):
        for _, g in gaps[gaps["rank"].notna()].head(top).iterrows():
            sector = g["sic_division_name"] or f"SIC division {g['sic_division']}"
            leak = int(g["influenceable_leakage_pence"])
            if pd.notna(g.get("wider_orgs")) and int(g["wider_orgs"]) > 0:
                n_place, n_wider = int(g["place_orgs"]), int(g["wider_orgs"])
                # The place's LQ when it has any such organisation, else the wider area's.
                lq, where = (g.get("place_lq"), place_name) if n_place else (g.get("wider_lq"), wider_name)
                lq_text = f" (location quotient in {where} {lq:.2f} against England)" if pd.notna(lq) else ""
                in_place = (f"{_orgs(n_place)} in this sector {'is' if n_place == 1 else 'are'} registered in "
                            f"{place_name} and {n_wider} in {wider_name}" if n_place else
                            f"none in this sector is registered in {place_name}, but {_orgs(n_wider)} "
                            f"{'is' if n_wider == 1 else 'are'} in {wider_name}")
                add(f"{sector}: {_m(leak)} of influenceable spend leaks out of {wider_name}, while {in_place}"
                    f"{lq_text}. Invite them to bid when these contracts are next let.", "gap-analysis", leak)
            elif int(g["local_suppliers_used"]) > 0:
                add(f"{sector}: {_m(leak)} of influenceable spend leaks out of {wider_name}, though the anchors "
                    f"already pay {int(g['local_suppliers_used'])} supplier{'' if int(g['local_suppliers_used']) == 1 else 's'} in this sector within {wider_name}: "
                    f"ask whether they could take on more.", "gap-analysis", leak)
            else:
                add(f"{sector}: {_m(leak)} of influenceable spend leaks out of {wider_name} and no local "
                    f"organisation in this sector was found: a case for supplier development rather than "
                    f"re-procurement.", "gap-analysis", leak)
    if leak_suppliers is not None and len(leak_suppliers):
        big = leak_suppliers[leak_suppliers["leakage_pence"] >= lot_threshold_pence]
        if len(big):
            first = big.iloc[0]
            # Named only as the reports' tables would name it (cwbtools.privacy).
            who = "" if unnamed_rows(big.iloc[[0]]).iloc[0] else f", {first['supplier_name']}"
            add(f"{len(big)} suppliers outside {wider_name} each received more than {_m(lot_threshold_pence)}; "
                f"the largest{who}, {_m(first['leakage_pence'])}. When such contracts are re-let, "
                f"split them into lots local firms can bid for.", "leakage-suppliers", int(big["leakage_pence"].sum()))
    if ending is not None and len(ending):
        big = ending[ending["awarded_value_pence"].fillna(0) >= lot_threshold_pence]
        last = max(ending["end_date"])
        add(f"{len(ending)} published contracts worth {_m(int(ending['awarded_value_pence'].sum()))} end by "
            f"{last:%B %Y}; {len(big)} of them are above {_m(lot_threshold_pence)} and worth lotting.",
            "contracts-ending-soon", int(ending["awarded_value_pence"].sum()))
    if sme_awards is not None and len(sme_awards):
        s = sme_awards.iloc[0]
        share = s["sme_share_of_value"]
        if pd.notna(share) and share < sme_benchmark:
            add(f"SMEs won {share:.0%} of the value of published awards, below the {sme_benchmark:.0%} benchmark: "
                f"simplify tenders and lots for small firms.", "contract-sme-share", int(s["sme_awarded_pence"]))
    if scenario_table is not None and len(scenario_table):
        cfg = scenario_table[scenario_table["status"] == "ok"]
        if len(cfg):
            r = cfg.iloc[0]
            area = place_name if r["measure"] == "place_share" else wider_name
            add(f"'{r['name']}': moving the {area} share from {r['from_share']:.1%} to {r['to_share']:.1%} "
                f"of {r['base_year']} spend would bring {_m(r['direct_uplift_pence'])} a year to suppliers in "
                f"{area}, and {_m(r['indirect_low_pence'])} to {_m(r['indirect_high_pence'])} more as it is re-spent.",
                "scenarios", int(r["direct_uplift_pence"]))
    if measures_table is not None and len(measures_table):
        allr = measures_table.iloc[0]
        total = int(allr["total_pence"])
        unloc = int(allr["unlocated_pence"])
        if total and unloc / total > 0.2:
            add(f"{_m(unloc)} ({unloc / total:.0%} of spend) could not be located: record supplier postcodes "
                f"or company numbers so leakage can be measured on all of it.", "influenceable-spend", unloc)
    if counts_partial:
        add("Local capacity is counted from the registers at hand, which list only some organisations: supply "
            "Companies House BasicCompanyData (`companies_file` in the city config) to count every registered "
            "company.", "gap-analysis", None)
    out = pd.DataFrame(rows, columns=["recommendation", "based_on_table", "figure_pence"])
    out["figure_pence"] = out["figure_pence"].astype("Int64")
    out.insert(0, "number", range(1, len(out) + 1))
    return out


# --------------------------------------------------------------------------------------------
# Charts (seaborn), for the notebook

def chart_leakage_by_sector(table: pd.DataFrame, wider_name: str = "the wider area", n: int = 12,
                            report_dir=None, csv_name: str | None = None):
    """Horizontal bars: leakage by sector (`leakage_by_sector`), largest first, titled with the
    largest leak. Returns a `charts.Chart`."""
    import matplotlib.pyplot as plt

    from . import charts

    data = table[table["leakage_pence"] > 0].head(n).copy()
    data["label"] = [f"{s} {name}"[:50] if s else name for s, name in zip(data["sector"], data["sector_name"])]
    with charts.sns.axes_style("whitegrid", {"grid.color": "#E6E6E6"}):
        fig = plt.Figure(figsize=(9, 1.5 + 0.4 * max(len(data), 1)))
        ax = fig.add_subplot(1, 1, 1)
        ax.barh(data["label"][::-1], (data["leakage_pence"] / 100)[::-1], color=charts.OKABE_ITO["orange"])
        charts.gbp_axis(ax.xaxis)
        ax.set_xlabel(f"Spend with suppliers outside {wider_name}")
    title = "Leakage by sector"
    if len(data):
        top = data.iloc[0]
        title = (f"{top['label'].strip()} leaks most: {charts.gbp_label(top['leakage_pence'] / 100)} outside "
                 f"{wider_name}, {top['leakage_share_of_sector']:.0%} of its located spend")
    ax.set_title("\n".join(charts._wrap(title, 80)), loc="left", fontsize=12, fontweight="bold")
    charts.sns.despine(fig=fig)
    fig.tight_layout()
    if report_dir is not None and csv_name:
        charts._save(data.drop(columns="label"), report_dir, csv_name)
    return charts.Chart(fig, title, data.drop(columns="label"))


def chart_trajectory(traj: pd.DataFrame, area_name: str, scenario_name: str, report_dir=None,
                     csv_name: str | None = None):
    """The share a year on the straight path from the latest year to a scenario's target."""
    import matplotlib.pyplot as plt

    from . import charts

    with charts.sns.axes_style("whitegrid", {"grid.color": "#E6E6E6"}):
        fig = plt.Figure(figsize=(9, 4))
        ax = fig.add_subplot(1, 1, 1)
        x = np.arange(len(traj))
        ax.plot(x, traj["share"], "o-", color=charts.OKABE_ITO["blue"])
        ax.plot(x[:1], traj["share"].iloc[:1], "o", color=charts.OKABE_ITO["black"], label="measured")
        ax.set_xticks(x, traj["financial_year"])
        charts.pct_axis(ax.yaxis)
        ax.set_ylabel(f"Share of spend in {area_name}")
        ax.legend(frameon=False)
    a, b = traj.iloc[0], traj.iloc[-1]
    title = (f"'{scenario_name}': from {a['share']:.1%} in {a['financial_year']} to {b['share']:.1%} by "
             f"{b['financial_year']}, {charts.gbp_label(b['uplift_pence'] / 100)} a year more in {area_name}")
    ax.set_title("\n".join(charts._wrap(title, 80)), loc="left", fontsize=12, fontweight="bold")
    charts.sns.despine(fig=fig)
    fig.tight_layout()
    if report_dir is not None and csv_name:
        charts._save(traj, report_dir, csv_name)
    return charts.Chart(fig, title, traj)


# --------------------------------------------------------------------------------------------
# The notebook's presentation layer

_GBP_SUFFIX = "_pence"


def for_display(df: pd.DataFrame) -> pd.DataFrame:
    """Pence columns as pounds (`x_pence` -> `x_gbp`, computed from summed pence), shares rounded."""
    out = df.copy()
    for col in list(out.columns):
        if col.endswith(_GBP_SUFFIX):
            pounds = pd.to_numeric(out[col], errors="coerce").astype("float64") / 100
            out[col] = pounds.round(2)
            out = out.rename(columns={col: col[: -len(_GBP_SUFFIX)] + "_gbp"})
        elif col.endswith("_share") or col.endswith("_lq") or col in ("share", "leakage_share_of_sector",
                                                                        "share_of_all_leakage", "share_of_total"):
            out[col] = pd.to_numeric(out[col], errors="coerce").round(4)
    return out


def _note(text: str, kind: str = "missing"):
    import html as _html

    from IPython.display import HTML

    return HTML(f'<div class="cwb-note cwb-{kind}"><p>{_html.escape(text)}</p></div>')


@dataclass
class NextSteps:
    """Everything notebook 03 shows for one city and year. Built by `NextSteps.load`; each method
    returns one table or chart (tables saved as CSV beside the report), or a note saying what input
    is missing and how to supply it."""

    config: Any
    year: str
    report_dir: Path | None
    spend: pd.DataFrame
    sic: pd.DataFrame | None = None
    registers: pd.DataFrame | None = None
    registers_note: str = ""
    multipliers: pd.DataFrame | None = None
    notices: pd.DataFrame | None = None
    notices_note: str = ""
    notices_as_of: date | None = None
    lad_names: dict = field(default_factory=dict)
    ward_names: dict = field(default_factory=dict)
    # The definitions in force (`CityConfig.analysis_definitions()` of `config` when not given).
    defs: AnalysisDefinitions | None = None

    # -- building -------------------------------------------------------------------------------
    @classmethod
    def load(cls, config_path: str, year: str | None = None, report_dir: str | None = None) -> "NextSteps":
        from .config import load_config
        from .errors import CwbError
        from .paths import reports_dir
        from .pipeline import city_spend

        from .paths import repo_root

        path = Path(config_path)
        # Papermill may run the notebook from notebooks/: a repo-relative path still works.
        if not path.exists() and (repo_root() / path).exists():
            path = repo_root() / path
        config = load_config(path if path.exists() else config_path)
        year = year or config.latest_year
        report_dir = Path(report_dir) if report_dir else reports_dir() / config.slug
        spend = city_spend(config)
        ref = _reference()
        sic = _try(ref.load_sic) if ref else None
        geo = _try(ref.load_geography) if ref else None
        wards = _try(ref.load_wards) if ref else None
        registers, note = _registers(config, ref)
        try:
            table = mult.load_multipliers()
        except CwbError:
            table = None
        notices, nnote, as_of = _notices(config)
        obj = cls(config=config, year=year, report_dir=report_dir, spend=spend, sic=sic, registers=registers,
                  registers_note=note, multipliers=table, notices=notices, notices_note=nnote, notices_as_of=as_of)
        if geo is not None:
            obj.lad_names = dict(zip(geo["lad_code"], geo["lad_name"]))
        if wards is not None:
            obj.ward_names = dict(zip(wards["ward_code"], wards["ward_name"]))
        return obj

    # -- derived tables (computed once) ---------------------------------------------------------
    def __post_init__(self):
        from .analysis import count_unknown_size

        self._cache: dict[str, Any] = {}
        if self.defs is None:
            self.defs = self.config.analysis_definitions()
        self.spend = count_unknown_size(self.spend, self.defs.unknown_size_as)

    def _memo(self, key: str, func):
        if key not in self._cache:
            self._cache[key] = func()
        return self._cache[key]

    @property
    def place_lads(self) -> list[str]:
        return list(self.defs.place_lads)

    @property
    def wider_lads(self) -> list[str]:
        return list(self.defs.wider_lads)

    @property
    def place_name(self) -> str:
        return self.defs.place_name

    @property
    def wider_name(self) -> str:
        return self.defs.wider_name or "the wider area"

    @property
    def year_spend(self) -> pd.DataFrame:
        from .errors import CwbError

        def get():
            part = for_year(self.spend, self.year)
            if part.empty:
                years = sorted(self.spend["financial_year"].dropna().astype(str).unique())
                raise CwbError(f"financial year {self.year!r} has no spend; the spend covers {', '.join(years)}")
            return part
        return self._memo("year_spend", get)

    @property
    def rules(self) -> list[ExclusionRule]:
        return self._memo("rules", lambda: exclusion_rules(self.defs.not_influenceable))

    @property
    def classified(self) -> pd.DataFrame:
        return self._memo("classified", lambda: classify_influenceable(self.year_spend, self.rules))

    @property
    def orgs(self) -> pd.DataFrame | None:
        return self._memo("orgs", lambda: organisations(self.registers) if self.registers is not None else None)

    @property
    def capacity_table(self) -> pd.DataFrame | None:
        return self._memo("cap", lambda: capacity(self.orgs, self.place_lads, self.wider_lads)
                          if self.orgs is not None else None)

    @property
    def gaps(self) -> pd.DataFrame:
        return self._memo("gaps", lambda: gap_analysis(self.classified, self.capacity_table, self.sic))

    @property
    def counts_partial(self) -> bool:
        return self.registers is None or "companies_house" not in set(self.registers["source"].astype(str))

    @property
    def scenario_table(self) -> pd.DataFrame:
        return self._memo("scen", lambda: scenarios(self.spend, scenario_specs(self.defs, self.year),
                                                     self.defs.baseline_year, self.defs.respend,
                                                     multipliers=self.multipliers, survey_rate=self.survey_rate))

    @property
    def survey_rate(self) -> float | None:
        """The supplier survey's measured re-spend per £1 in this year, when the config has one."""
        from .analysis import supplier_survey, survey_rate

        def get():
            survey = supplier_survey(self.defs)
            return None if survey is None else survey_rate(self.year_spend, survey)[0]
        return self._memo("survey_rate", get)

    @property
    def target(self) -> pd.Series:
        """The scenario the trajectory heads for: the first (config's first) whose target is above
        the latest year's measured share; a target already passed makes no path."""
        t = self.scenario_table
        latest = measured_shares(for_year(self.spend, self.defs.latest_year))
        ahead = t[(t["status"] == "ok") & (t["to_share"] > t["measure"].map(latest))]
        return ahead.iloc[0] if len(ahead) else t.iloc[-1]

    def _table(self, df: pd.DataFrame, name: str, title: str, based_on: str):
        from .present import table

        return table(for_display(df), name, title, based_on, self.report_dir)

    def _based(self, extra: str = "") -> str:
        n = len(self.year_spend)
        text = f"{self.defs.name}, {self.year}: {n:,} payments by {self.year_spend['anchor'].nunique()} anchors."
        if self.defs.synthetic:
            text += " SYNTHETIC demonstration data."
        return f"{text} {extra}".strip()

    # -- 1. leakage -----------------------------------------------------------------------------
    def leakage_sector_table(self):
        t = leakage_by_sector(self.year_spend, "section", self.sic)
        return self._table(t, "leakage-by-sector", f"Leakage by sector: spend outside {self.wider_name}",
                           self._based("Leakage = located spend with suppliers outside the wider area; shares of each "
                                       "sector's located spend. Unlocated spend is shown apart, never counted as leakage."))

    def leakage_sector_chart(self):
        from IPython.display import display

        from .present import chart_caption

        chart = chart_leakage_by_sector(leakage_by_sector(self.year_spend, "section", self.sic), self.wider_name)
        display(chart)
        return chart_caption(chart.title, self._based(), "leakage-by-sector")

    def leakage_anchor_table(self):
        return self._table(leakage_by_anchor(self.year_spend), "leakage-by-anchor", "Leakage by anchor",
                           self._based("Share = leakage / the anchor's located spend."))

    def leakage_anchor_sector_table(self, top: int = 5):
        return self._table(leakage_by_anchor_and_sector(self.year_spend, self.sic, top), "leakage-by-anchor-sector",
                           f"Each anchor's {top} most leaking sectors",
                           self._based("Share = leakage / the anchor's located spend in the sector."))

    def leakage_suppliers_table(self, n: int = 30):
        return self._table(leakage_suppliers(self.year_spend, n, self.sic), "leakage-suppliers",
                           f"The {n} organisations receiving most leaked spend",
                           self._based("Organisations only: payments to individuals are never named."))

    # -- 2. influenceable -----------------------------------------------------------------------
    def exclusions(self):
        return self._table(exclusions_table(self.classified, self.rules), "exclusions",
                           "Spend set aside as not influenceable, rule by rule",
                           self._based("Rules applied in this order; a payment is removed by the first rule it meets. "
                                       "Removed + influenceable = all spend, to the penny."))

    def influenceable(self):
        return self._table(influenceable_measures(self.classified), "influenceable-spend",
                           "All spend and influenceable spend", self._based("Shares of located spend."))

    # -- 3. gaps --------------------------------------------------------------------------------
    def capacity_source(self):
        if self.registers is None:
            return _note(self.registers_note)
        return _note(self.registers_note, kind="source")

    def gaps_table(self, n: int = 20):
        return self._table(self.gaps.head(n), "gap-analysis",
                           "Opportunities: influenceable leakage against local capacity, by SIC division",
                           self._based("Ranked: divisions with local capacity first, then by influenceable leaked £. "
                                       f"Organisation counts: {self.registers_note}"))

    def candidates_table(self, top: int = 5, per_sector: int = 10):
        if self.orgs is None:
            return _note(f"No candidate suppliers: {self.registers_note}")
        current = self.spend.loc[~_individual(self.spend), "supplier_name"]
        t = candidate_suppliers(self.orgs, self.gaps, self.place_lads, self.wider_lads, top, per_sector, current,
                                self.lad_names, self.ward_names)
        if t.empty:
            return _note("No registered organisation in the place or wider area matches the top opportunities' "
                         "SIC divisions in the registers at hand.", kind="source")
        return self._table(t, "candidate-suppliers", "Candidate local suppliers for the top opportunities",
                           f"Registered organisations (never individuals) in {self.place_name} first, then "
                           f"{self.wider_name}; from {self.registers_note}")

    # -- 5. scenarios ---------------------------------------------------------------------------
    def scenarios_table(self):
        return self._table(self.scenario_table, "scenarios", "Scenarios: the direct and indirect uplift a year",
                           "Direct uplift = (to_share - from_share) x the base year's total spend. Re-spend per £1 "
                           + ("measured by the supplier survey" if self.survey_rate is not None else
                              "by supplier type (definitions: re-spend per £1), weighted by the type mix of the "
                              "anchors' suppliers in the area now and by the mix of the spend that would move: "
                              "respend_rate_low and _high")
                           + ". Indirect: low = the direct uplift x the low rate; high = the larger of the high rate's "
                           f"and ONS IOAT 2020 Type I output multipliers by sector ({mult.UPPER_BOUND_LABEL}).")

    def multipliers_table(self):
        if self.multipliers is None:
            return _note("ONS IOAT 2020 workbook not found: put InputOutput_I_by_I_2020.xlsx under "
                         "reference/ioat2020 in the shared data folder (CWB_DATA).")
        t = self.target
        mix = scenario_sector_mix(for_year(self.spend, t["base_year"]), t["measure"])
        table = mult.sector_multipliers(mix, self.multipliers)
        table = table[["sic_division", "sic_code", "ioat_code", "multiplier_basis", "output_multiplier", "weight"]]
        return self._table(table.sort_values("weight", ascending=False), "scenario-multipliers",
                           f"Sector mix and IOAT 2020 output multipliers for '{t['name']}'",
                           f"Weights: located spend now outside the area, {t['base_year']}. {mult.UPPER_BOUND_LABEL}.")

    def trajectory_table(self, years: int = DEFAULT_TRAJECTORY_YEARS):
        t = self.target
        traj = trajectory(self.spend, self.defs.latest_year, t["measure"], t["to_share"], years)
        return self._table(traj, "trajectory", f"Trajectory to '{t['name']}'",
                           "A straight path from the latest year's measured share to the target, at the latest "
                           "year's total spend.")

    def trajectory_chart(self, years: int = DEFAULT_TRAJECTORY_YEARS):
        from IPython.display import display

        from .present import chart_caption

        t = self.target
        traj = trajectory(self.spend, self.defs.latest_year, t["measure"], t["to_share"], years)
        area = self.place_name if t["measure"] == "place_share" else self.wider_name
        chart = chart_trajectory(traj, area, str(t["name"]))
        display(chart)
        return chart_caption(chart.title, "Measured share in the latest year, then a straight path to the target, "
                             "at the latest year's total spend.", "trajectory")

    # -- 6. contract pipeline -------------------------------------------------------------------
    def _contracts_missing(self):
        return _note(self.notices_note) if self.notices is None else None

    def _located_winners(self) -> pd.DataFrame:
        from . import contracts_finder as cf

        return self._memo("winners", lambda: cf.locate_winners(self.notices, self.spend, self.place_lads,
                                                                self.wider_lads))

    def contract_awards(self, n: int = 20):
        from . import contracts_finder as cf

        if self.notices is None:
            return self._contracts_missing()
        a = self._located_winners()
        cols = ["awarded_date", "title", "awarded_supplier", "awarded_value_pence", "awarded_to_sme", "winner_geo",
                "end_date", "end_basis", "url"]
        return self._table(a[cols].head(n), "contract-awards", "Published contract awards, largest first",
                           "Contracts Finder notices. Winner located by matching the name to the anchors' suppliers.")

    def contract_sme_share(self):
        from . import contracts_finder as cf

        if self.notices is None:
            return self._contracts_missing()
        return self._table(cf.sme_share_of_awards(self.notices), "contract-sme-share", "SME share of awards",
                           "Awards whose SME flag is not published are counted apart.")

    def contract_local_winners(self):
        from . import contracts_finder as cf

        if self.notices is None:
            return self._contracts_missing()
        located = self._located_winners()
        return self._table(cf.local_winners(located), "contract-local-winners", "Where the winners are",
                           f"Place = {self.place_name}; wider = rest of {self.wider_name}; unknown = winner not "
                           "found among the anchors' located suppliers.")

    def _ending(self):
        from . import contracts_finder as cf

        return cf.ending_soon(self.notices, self.notices_as_of or date.today())

    def contracts_ending(self):
        if self.notices is None:
            return self._contracts_missing()
        t = self._ending()
        cols = ["end_date", "end_basis", "title", "awarded_supplier", "awarded_value_pence", "awarded_to_sme", "url"]
        as_of = self.notices_as_of or date.today()
        return self._table(t[cols], "contracts-ending-soon", f"Contracts ending within two years of {as_of:%d %B %Y}",
                           "End dates as stated in the notice, else assumed 3 years from award (see end_basis).")

    # -- 7. recommendations ---------------------------------------------------------------------
    def recommendations_table(self):
        from . import contracts_finder as cf

        ending = self._ending() if self.notices is not None else None
        sme = cf.sme_share_of_awards(self.notices) if self.notices is not None else None
        bench = self.defs.sme_benchmark
        recs = recommendations(self.gaps, exclusions_table(self.classified, self.rules),
                               leakage_suppliers(self.year_spend, 50, self.sic), self.scenario_table, ending, sme,
                               influenceable_measures(self.classified), self.counts_partial,
                               self.place_name, self.wider_name, sme_benchmark=bench)
        return self._table(recs, "recommendations", "Recommendations",
                           "Written from the figures by fixed rules; each names the table (CSV) it comes from.")

    def definitions(self):
        return self._table(self.config.definitions_table(), "definitions-next-steps", "Definitions in force",
                           "From the city config; defaults documented in docs/ASSUMPTIONS.md.")

    # -- summary.json ---------------------------------------------------------------------------
    def summary_part(self) -> dict[str, Any]:
        m = influenceable_measures(self.classified).set_index("spend")
        return {
            "next_steps_year": self.year,
            "influenceable_gbp": int(m.loc["Influenceable spend", "total_pence"]) / 100,
            "leakage_gbp": int(m.loc["All spend", "leakage_pence"]) / 100,
            "influenceable_leakage_gbp": int(m.loc["Influenceable spend", "leakage_pence"]) / 100,
            "scenarios": scenarios_summary(self.scenario_table),
        }

    def write_summary(self):
        from . import summary

        part = self.summary_part()
        if self.report_dir is not None:
            summary.update(self.report_dir, part)
        return _note(f"summary.json updated: leakage £{part['leakage_gbp']:,.0f}, influenceable "
                     f"£{part['influenceable_gbp']:,.0f}, {len(part['scenarios'])} scenarios.", kind="source")


def _reference():
    try:
        from . import reference
    except ImportError:
        return None
    return reference


def _try(func):
    from .errors import CwbError

    try:
        return func()
    except (CwbError, FileNotFoundError, OSError):
        return None


_REGISTER_NAMES = {"companies_house": "Companies House BasicCompanyData", "gender_pay_gap": "Gender Pay Gap employers",
                   "coops_uk": "Co-operatives UK", "charity_commission": "Charity Commission extract",
                   "nhs_ods": "NHS ODS"}


def _registers(config: Any, ref) -> tuple[pd.DataFrame | None, str]:
    """Registered organisations located by postcode, and a sentence saying where they come from."""
    how = ("run `cwb reference build` (add `--companies FILE` with Companies House BasicCompanyData to count every "
           "registered company)")
    if ref is None:
        return None, f"Reference tables not installed: {how}."
    regs = _try(ref.load_registers)
    if regs is None:
        return None, f"Registers not built: {how}."
    sources = sorted(set(regs["source"].astype(str)))
    ch_file = ""
    if "companies_house" not in sources:
        file = config.companies_file
        if file and config.resolve_path(file).exists():
            path = config.resolve_path(file)
            regs = pd.concat([regs, ref.registers.load_companies_house(path, regs)], ignore_index=True)
            sources = sorted(set(regs["source"].astype(str)))
            ch_file = f" (`companies_file` {path.name}" + (", synthetic demo companies)" if config.synthetic else ")")
        elif file:
            how = (f"the config's companies_file {file!r} was not found (looked for {config.resolve_path(file)}); "
                   + how)
    located = ref.lookup_postcodes(regs["postcode"])
    regs = regs.assign(lad_code=located["lad_code"].to_numpy(), ward_code=located["ward_code"].to_numpy())
    names = ", ".join(_REGISTER_NAMES.get(s, s) + (ch_file if s == "companies_house" else "") for s in sources)
    if "companies_house" in sources:
        note = f"counts from {names}."
    else:
        note = (f"counts from the registers at hand ({names}). These list only some organisations (large "
                "employers, co-operatives, one area's charities, NHS bodies), so the counts are PARTIAL: a floor, not "
                "the local economy. Supply Companies House BasicCompanyData (`companies_file` in the config, or "
                f"`cwb reference build --companies FILE`) for full counts. {how[0].upper() + how[1:] if 'not found' in how else ''}").strip()
    return regs, note


def _notices(config: Any) -> tuple[pd.DataFrame | None, str, date | None]:
    from . import contracts_finder as cf

    path = config.contracts_notices
    if not path:
        return None, ("No contract notices for this city: download its Contracts Finder notices as JSON and name the "
                      "file as `contracts_notices` in the city config to see awards, SME share, local winners and "
                      "contracts ending soon."), None
    resolved = config.resolve_path(path) if hasattr(config, "resolve_path") else Path(path)
    if not Path(resolved).exists():
        return None, (f"Contract notices file not found: {resolved} (`contracts_notices` in the city config). "
                      "Supply the Contracts Finder JSON there."), None
    return cf.read_notices(resolved), "", cf.data_date(resolved)
