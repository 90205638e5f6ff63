"""Deprivation (CLES report section 3): spend with suppliers in the most deprived neighbourhoods.

Measured on spend with private and third-sector suppliers only (`baseline.NOT_FIRMS` left out): a
council's offices or a hospital in a deprived ward are not spend in a deprived area (issue 18: £2.76m
of £5.84m "in deprived areas" for the blue-light anchors was County Hall). Pure functions over the
spend frame, money in integer pence, every share with its coverage and bounds (`baseline.bounded_share`).
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from .baseline import ALL_ANCHORS, _firms, _flag, _located, _pence, _safe_div, anchors_in, bounded_share


def deprived_area_spend(
    spend: pd.DataFrame, deprived_deciles: Iterable[int], place_lsoa_share: float | None = None, by_anchor: bool = False
) -> pd.DataFrame:
    """Spend with private and third-sector suppliers in the most deprived LSOAs (IMD deciles
    `deprived_deciles`), measured on such spend located to an LSOA with a decile, for all of it and
    for the part in the place; each with coverage and bounds. Pass the spend the headline is
    measured on (the procurement base); public bodies and corporations are left out whatever it is. `place_lsoa_share` (the share of the place's own LSOAs in those
    deciles, from `place_deprived_lsoa_share`) is set beside it as the yardstick. With `by_anchor`,
    all anchors first and then each anchor."""
    groups = [(ALL_ANCHORS, spend)]
    if by_anchor:
        groups += [(a, spend[spend["anchor"].astype(str) == a]) for a in anchors_in(spend)]
    deciles = list(deprived_deciles)
    rows = []
    for anchor, sub in groups:
        amount = sub["amount_pence"].astype("int64")
        decile = pd.to_numeric(sub["imd_decile"], errors="coerce")
        firms = _firms(sub)
        for scope, mask in [
            ("all spend with firms", firms),
            ("spend with firms in the place", firms & _flag(sub, "in_place") & _located(sub)),
        ]:
            total = _pence(amount[mask])
            known = _pence(amount[mask & decile.notna()])
            part = _pence(amount[mask & decile.isin(deciles)])
            b = bounded_share(part, known, total)
            rows.append(
                {
                    "anchor": anchor,
                    "scope": scope,
                    "deprived_pence": part,
                    "with_decile_pence": known,
                    "total_pence": total,
                    "deprived_share": b["share"],
                    "deprived_share_lo": b["lo"],
                    "deprived_share_hi": b["hi"],
                    "coverage": b["coverage"],
                    "place_lsoas_in_deciles": place_lsoa_share,
                }
            )
    out = pd.DataFrame(rows)
    return out if by_anchor else out.drop(columns="anchor")


def place_deprived_lsoa_share(lsoa: pd.DataFrame, lad_codes: Iterable[str], deprived_deciles: Iterable[int]) -> float:
    """Share of the place's LSOAs that fall in the deprived deciles (reference `lsoa.parquet`)."""
    sub = lsoa[lsoa["lad_code"].astype(str).isin(list(lad_codes))]
    if sub.empty:
        return float("nan")
    return float(pd.to_numeric(sub["imd_decile"], errors="coerce").isin(list(deprived_deciles)).mean())


def spend_by_decile(
    spend: pd.DataFrame, lsoa: pd.DataFrame | None = None, lad_codes: Iterable[str] | None = None
) -> pd.DataFrame:
    """Located spend with private and third-sector suppliers across IMD 2019 deciles (1 = most
    deprived) as a share of such spend with a decile; with `lsoa` and the place's `lad_codes`, the
    share of the place's LSOAs in each decile beside it."""
    spend = spend[_firms(spend)]
    amount = spend["amount_pence"].astype("int64")
    decile = pd.to_numeric(spend["imd_decile"], errors="coerce")
    frame = pd.DataFrame({"imd_decile": decile, "amount_pence": amount})
    agg = frame.dropna(subset=["imd_decile"]).groupby("imd_decile")["amount_pence"].sum()
    out = pd.DataFrame({"imd_decile": range(1, 11)})
    out["spend_pence"] = out["imd_decile"].map(agg).fillna(0).astype("int64")
    out["share_of_spend_with_decile"] = _safe_div(
        out["spend_pence"], pd.Series(out["spend_pence"].sum(), index=out.index)
    )
    if lsoa is not None and lad_codes is not None:
        sub = lsoa[lsoa["lad_code"].astype(str).isin(list(lad_codes))]
        counts = pd.to_numeric(sub["imd_decile"], errors="coerce").value_counts()
        out["place_lsoa_share"] = out["imd_decile"].map(counts).fillna(0) / max(len(sub), 1)
    out["imd_decile"] = out["imd_decile"].astype("int64")
    return out
