"""Re-spend (CLES report section 3, LM3): how much of the anchors' spend is spent again in the place.

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


def respend_lm3(spend: pd.DataFrame, respend: Mapping[str, float], survey: pd.DataFrame | None = None) -> pd.DataFrame:
    """Local Multiplier 3 (nef): LM3 = (round 1 + round 2 + round 3) / round 1, where round 1 is the
    anchors' spend, round 2 the part spent with suppliers in the place and round 3 what those
    suppliers re-spend in the place.

    Without a survey, round 3 is an assumption (`definitions.respend`): each type of place
    supplier's round-2 pounds times that type's pence re-spent per £1 (SMEs 63p, large firms 40p
    ... by default), so `respend_rate` is the rates weighted by round-2 spend. With a supplier
    `survey` (see `survey_rate`) round 3 is measured: round 2 times the surveyed re-spend rate.
    One row, `kind` `assumption` or `measured`; `basis` says how round 3 was made.
    """
    amount = spend["amount_pence"].astype("int64")
    place = spend[_located(spend) & _flag(spend, "in_place")]
    r1, r2 = _pence(amount), _pence(place["amount_pence"])
    if survey is not None:
        rate, n, surveyed = survey_rate(spend, survey)
        r3 = int(round(r2 * rate))
        basis = (
            f"measured: survey of {n} suppliers in the place ({_ratio(surveyed, r2) * 100:.0f}% of place "
            f"spend), {rate * 100:.0f}p per £1 re-spent in the place"
        )
        kind = "measured"
    else:
        by_type = respend_by_type(place, respend)
        r3 = int(round(float(by_type["respend_pence"].sum())))
        rate = _ratio(r3, r2)
        parts = ", ".join(
            f"{BUSINESS_TYPE_NAMES[t].split(' (')[0]} {r * 100:.0f}p on {_ratio(p, r2) * 100:.0f}%"
            for t, r, p in zip(by_type["supplier_type"], by_type["respend_rate"], by_type["spend_pence"])
            if p
        )
        basis = (
            f"assumption: round 3 = spend with each type of supplier in the place x that type's re-spend "
            f"per £1 ({parts or 'no spend in the place'} of round 2)"
            + (f", {rate * 100:.0f}p per £1 on average" if r2 else "")
        )
        kind = "assumption"
    out = pd.DataFrame(
        [
            {
                "basis": basis,
                "kind": kind,
                "respend_rate": rate,
                "round1_pence": r1,
                "round2_pence": r2,
                "round3_pence": r3,
            }
        ]
    )
    out["lm3"] = (out["round1_pence"] + out["round2_pence"] + out["round3_pence"]) / r1 if r1 else np.nan
    return out[["basis", "kind", "respend_rate", "round1_pence", "round2_pence", "round3_pence", "lm3"]]
