"""Re-spend (CLES report section 3, LM3 on procurement): how much of the anchors' procurement spend is
spent again in the place.

Each supplier type's pence re-spent per £1 comes from `definitions.respend` (an assumption) or a
supplier survey (a measurement); pure functions over the spend frame (docs/CONTRACTS.md section 4).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from ..definitions import RESPEND_TYPES
from ..errors import CwbError
from .baseline import BUSINESS_TYPE_NAMES, _flag, _is_individual, _located, _pence, _ratio


def _rate_types(spend: pd.DataFrame) -> pd.Series:
    """Each payment's supplier type as the re-spend rates know it (any other type: `unknown`)."""
    stype = spend["supplier_type"].astype("string").fillna("unknown")
    return stype.where(stype.isin(RESPEND_TYPES), "unknown")


def respend_by_type(spend: pd.DataFrame, respend: Mapping[str, float]) -> pd.DataFrame:
    """Spend by supplier type with each type's re-spend rate (`definitions.respend`) and the pence
    re-spent: `supplier_type, spend_pence, respend_rate, respend_pence`, largest spend first."""
    frame = pd.DataFrame({"supplier_type": _rate_types(spend), "amount_pence": spend["amount_pence"].astype("int64")})
    out = frame.groupby("supplier_type", sort=True)["amount_pence"].sum().rename("spend_pence").reset_index()
    out["spend_pence"] = out["spend_pence"].astype("int64")
    out["respend_rate"] = out["supplier_type"].map(lambda t: float(respend[t])).astype("float64")
    out["respend_pence"] = out["spend_pence"] * out["respend_rate"]
    return out.sort_values(["spend_pence", "supplier_type"], ascending=[False, True], kind="mergesort").reset_index(
        drop=True
    )


def weighted_respend(spend: pd.DataFrame, respend: Mapping[str, float]) -> float:
    """The re-spend per £1 of a body of spend: each supplier type's rate weighted by its spend
    (NaN when the spend does not sum above zero)."""
    t = respend_by_type(spend, respend)
    total = int(t["spend_pence"].sum())
    return float(t["respend_pence"].sum()) / total if total > 0 else float("nan")


def survey_rate(spend: pd.DataFrame, survey: pd.DataFrame) -> tuple[float, int, int]:
    """A supplier survey's re-spend per £1 (columns `supplier_key` or `supplier_name`, and
    `local_respend_share`): the mean of the surveyed place suppliers' answers weighted by the
    anchors' spend with them. Returns (rate, suppliers matched, pence of place spend they cover)."""
    if "local_respend_share" not in survey.columns:
        raise CwbError("supplier survey: column 'local_respend_share' is missing")
    key = "supplier_key" if "supplier_key" in survey.columns else "supplier_name"
    if key not in survey.columns:
        raise CwbError("supplier survey: needs a 'supplier_key' or 'supplier_name' column")
    local = spend[_flag(spend, "in_place") & _located(spend) & ~_is_individual(spend)]
    weights = local.groupby(local[key].astype(str))["amount_pence"].sum()
    answers = survey.assign(_k=survey[key].astype(str)).set_index("_k")["local_respend_share"].astype(float)
    joined = pd.concat([weights.rename("w"), answers.rename("r")], axis=1, join="inner").dropna()
    joined = joined[joined["w"] > 0]
    if joined.empty:
        raise CwbError("supplier survey: no surveyed supplier matches a supplier in the place")
    rate = float((joined["w"] * joined["r"]).sum() / joined["w"].sum())
    return rate, len(joined), int(joined["w"].sum())


NEF_WAGES_NOTE = (
    "nef's LM3 also counts in round 2 the anchors' own staff wages spent locally; ledgers do not show "
    "wages, so round 2 here is procurement only and LM3 is lower than a full nef LM3"
)
LM3_COLUMNS = [
    "basis",
    "kind",
    "respend_rate",
    "round1_pence",
    "round2_pence",
    "round2_lo_pence",
    "round2_hi_pence",
    "round3_pence",
    "round3_lo_pence",
    "round3_hi_pence",
    "lm3",
    "lm3_lo",
    "lm3_hi",
]


def respend_lm3(spend: pd.DataFrame, respend: Mapping[str, float], survey: pd.DataFrame | None = None) -> pd.DataFrame:
    """Local Multiplier 3 (nef) on procurement: LM3 = (round 1 + round 2 + round 3) / round 1.

    Round 1 is procurement spend: the base's payments (`in_base`) when `spend` is classified, so
    transfers, public bodies and individuals never enter it. Round 2 is the local procurement pounds
    the headline stands for: the place share of located spend times round 1, with the headline's
    bounds (`_lo`: unlocated spend all outside, the located place pounds; `_hi`: all inside).
    Round 3 is what those suppliers re-spend in the place: each supplier type's pounds times its
    rate (`definitions.respend`, an assumption; unlocated spend counted in the same proportion as
    round 2 takes it), or round 2 times a supplier `survey`'s measured rate (`survey_rate`).
    One row; `kind` `assumption` or `measured`; `basis` says how round 3 was made and that nef's
    round 2 also counts wages (`NEF_WAGES_NOTE`).
    """
    if "in_base" in spend.columns:
        spend = spend[_flag(spend, "in_base")]
    located = _located(spend)
    place_mask = located & _flag(spend, "in_place")
    r1 = _pence(spend["amount_pence"])
    loc = _pence(spend.loc[located, "amount_pence"])
    r2_lo = _pence(spend.loc[place_mask, "amount_pence"])
    unloc = r1 - loc
    inside = r2_lo / loc if loc > 0 and r1 > 0 else float("nan")  # the headline's place share
    r2_hi = r2_lo + unloc
    r2 = int(round(r1 * inside)) if not pd.isna(inside) else r2_lo
    if survey is not None:
        rate, n, surveyed = survey_rate(spend, survey)
        r3, r3_lo, r3_hi = (int(round(x * rate)) for x in (r2, r2_lo, r2_hi))
        basis = (
            f"measured: survey of {n} suppliers in the place ({_ratio(surveyed, r2_lo) * 100:.0f}% of located place "
            f"spend), {rate * 100:.0f}p per £1 re-spent in the place"
        )
        kind = "measured"
    else:
        by_type = respend_by_type(spend[place_mask], respend)
        r3_lo = int(round(float(by_type["respend_pence"].sum())))
        unlocated_r3 = float(respend_by_type(spend[~located], respend)["respend_pence"].sum()) if unloc else 0.0
        r3_hi = int(round(r3_lo + unlocated_r3))
        r3 = int(round(r3_lo + unlocated_r3 * (inside if not pd.isna(inside) else 0.0)))
        rate = _ratio(r3, r2)
        parts = ", ".join(
            f"{BUSINESS_TYPE_NAMES[t].split(' (')[0]} {r * 100:.0f}p on {_ratio(p, r2_lo) * 100:.0f}%"
            for t, r, p in zip(by_type["supplier_type"], by_type["respend_rate"], by_type["spend_pence"])
            if p
        )
        basis = (
            f"assumption: round 3 = spend with each type of supplier in the place x that type's re-spend "
            f"per £1 ({parts or 'no spend in the place'} of located place spend)"
            + (f", {rate * 100:.0f}p per £1 on average" if r2 else "")
        )
        kind = "assumption"

    def lm3(a: int, b: int) -> float:
        return (r1 + a + b) / r1 if r1 > 0 else np.nan

    row = {
        "basis": f"{basis}. {NEF_WAGES_NOTE}",
        "kind": kind,
        "respend_rate": rate,
        "round1_pence": r1,
        "round2_pence": r2,
        "round2_lo_pence": r2_lo,
        "round2_hi_pence": r2_hi,
        "round3_pence": r3,
        "round3_lo_pence": r3_lo,
        "round3_hi_pence": r3_hi,
        "lm3": lm3(r2, r3) if not pd.isna(inside) else np.nan,
        "lm3_lo": lm3(r2_lo, r3_lo),
        "lm3_hi": lm3(r2_hi, r3_hi),
    }
    return pd.DataFrame([row])[LM3_COLUMNS]
