"""Leakage: located spend with suppliers outside the wider area (which includes the place), by
sector and anchor, and the organisations behind it. Unlocated spend is shown apart, never counted
as leakage; individuals are never named."""

from __future__ import annotations

import pandas as pd

from ...schema import NAME_SHOWN
from ._common import _div, _division, _individual, _located, _names, _outside

_SUPPLIER_COLUMNS = [
    "rank",
    "supplier_name",
    "supplier_type",
    "sic_division",
    "sic_division_name",
    "lad_code",
    "leakage_pence",
    "payments",
    "anchors",
]


def by_sector(spend: pd.DataFrame, level: str = "section", sic: pd.DataFrame | None = None) -> pd.DataFrame:
    """Spend outside the wider area by SIC section (or division): pence, the share of the sector's
    located spend that leaks, and the sector's part of all leakage. Largest leak first; spend with no
    SIC is `(no SIC)`, last."""
    if level not in ("section", "division"):
        raise ValueError("level must be 'section' or 'division'")
    sector = (_division(spend) if level == "division" else spend["sic_section"].astype("string").str.strip()).fillna("")
    amount = spend["amount_pence"].astype("int64")
    frame = pd.DataFrame(
        {
            "sector": sector,
            "total_pence": amount,
            "located_pence": amount.where(_located(spend), 0),
            "leakage_pence": amount.where(_outside(spend), 0),
            "unlocated_pence": amount.where(~_located(spend), 0),
        }
    )
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


def by_anchor_and_sector(spend: pd.DataFrame, sic: pd.DataFrame | None = None, top: int = 5) -> pd.DataFrame:
    """Each anchor's `top` leaking SIC sections: leakage pence and the share of that anchor's
    located spend in the sector that leaks."""
    parts = []
    for anchor, part in spend.groupby(spend["anchor"].astype("string"), sort=True):
        t = by_sector(part, "section", sic)
        t = t[t["leakage_pence"] > 0].head(top)
        t.insert(0, "anchor", anchor)
        parts.append(t)
    cols = [
        "anchor",
        "sector",
        "sector_name",
        "total_pence",
        "located_pence",
        "leakage_pence",
        "leakage_share_of_sector",
    ]
    return pd.concat(parts, ignore_index=True)[cols] if parts else pd.DataFrame(columns=cols)


def by_anchor(spend: pd.DataFrame) -> pd.DataFrame:
    """Each anchor's total, located spend and leakage (pence) and the share of its located spend
    that leaks; a last row for all anchors."""
    amount = spend["amount_pence"].astype("int64")
    frame = pd.DataFrame(
        {
            "anchor": spend["anchor"].astype("string"),
            "total_pence": amount,
            "located_pence": amount.where(_located(spend), 0),
            "leakage_pence": amount.where(_outside(spend), 0),
        }
    )
    out = frame.groupby("anchor", sort=True).sum().reset_index()
    total = pd.DataFrame(
        [{"anchor": "All anchors", **{c: int(out[c].sum()) for c in ("total_pence", "located_pence", "leakage_pence")}}]
    )
    out = pd.concat([out.sort_values("leakage_pence", ascending=False, kind="mergesort"), total], ignore_index=True)
    for c in ("total_pence", "located_pence", "leakage_pence"):
        out[c] = out[c].astype("int64")
    out["leakage_share"] = _div(out["leakage_pence"], out["located_pence"])
    return out


def suppliers(spend: pd.DataFrame, n: int = 50, sic: pd.DataFrame | None = None) -> pd.DataFrame:
    """The `n` organisations behind the leakage, largest first: never individuals (their payments
    are left out here, and counted in the sector tables)."""
    leak = spend[_outside(spend) & ~_individual(spend)]
    if leak.empty:
        return pd.DataFrame(columns=_SUPPLIER_COLUMNS)
    frame = pd.DataFrame(
        {
            "supplier_key": leak["supplier_key"].astype("string"),
            "supplier_name": leak["supplier_name"].astype("string"),
            "supplier_type": leak["supplier_type"].astype("string").fillna("unknown"),
            "sic_division": _division(leak).fillna(""),
            "lad_code": leak["lad_code"].astype("string"),
            "anchor": leak["anchor"].astype("string"),
            "amount_pence": leak["amount_pence"].astype("int64"),
        }
    )
    shown = {}
    if NAME_SHOWN in leak.columns:  # carried for the reports' display rule (cwbtools.privacy.for_readers)
        frame[NAME_SHOWN] = leak[NAME_SHOWN].astype("boolean").fillna(False).astype(bool)
        shown = {NAME_SHOWN: (NAME_SHOWN, "all")}
    out = (
        frame.groupby("supplier_key", sort=True)
        .agg(
            supplier_name=("supplier_name", "first"),
            supplier_type=("supplier_type", "first"),
            sic_division=("sic_division", "first"),
            lad_code=("lad_code", "first"),
            leakage_pence=("amount_pence", "sum"),
            payments=("amount_pence", "size"),
            anchors=("anchor", lambda a: "; ".join(sorted(set(a.dropna())))),
            **shown,
        )
        .reset_index(drop=True)
    )
    out["leakage_pence"] = out["leakage_pence"].astype("int64")
    names = _names(sic, "division")
    out.insert(4, "sic_division_name", [names.get(d, "") for d in out["sic_division"]])
    out = out.sort_values(["leakage_pence", "supplier_name"], ascending=[False, True], kind="mergesort").head(n)
    out.insert(0, "rank", range(1, len(out) + 1))
    return out.reset_index(drop=True)
