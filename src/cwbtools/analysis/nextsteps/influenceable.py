"""Influenceable spend: the one set of exclusion rules (`cwbtools.analysis.base`, from
`definitions.exclusions`) applied in order to all kept spend, each payment removed by the first rule
it meets, each rule reported with its scope (out of the procurement base, or out of influenceable
spend only) and the payments and pence it removed; removed + influenceable == total, to the penny."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..base import PROCUREMENT_LINE, ExclusionRule, classify, exclusion_rules, rules_shown
from ._common import _div, _flag, _located, _outside, _pence

__all__ = ["ExclusionRule", "classify", "exclusion_rules", "exclusions", "measures"]


def exclusions(classified: pd.DataFrame, rules: list[ExclusionRule]) -> pd.DataFrame:
    """One row per rule in the order applied (its scope, payments, pence removed, of which
    leakage), then the influenceable spend left and the total: removed + influenceable == total, to
    the penny. `classified` is all kept spend (`classify`), not only the base."""
    amount = classified["amount_pence"].astype("int64")
    outside = _outside(classified)
    rows = []
    for i, rule in enumerate(rules_shown(classified, rules), start=1):
        hit = classified["excluded_by"] == rule.name
        hit = hit.fillna(False).astype(bool)
        rows.append(
            {
                "order": i,
                "rule": rule.name,
                "scope": rule.scope,
                "payments": int(hit.sum()),
                "removed_pence": _pence(amount[hit]),
                "removed_leakage_pence": _pence(amount[hit & outside]),
                "why": rule.reason,
            }
        )
    keep = classified["influenceable"].astype(bool)
    rows.append(
        {
            "order": None,
            "rule": "Influenceable spend (left)",
            "scope": "",
            "payments": int(keep.sum()),
            "removed_pence": _pence(amount[keep]),
            "removed_leakage_pence": _pence(amount[keep & outside]),
            "why": "Spend the anchors choose suppliers for.",
        }
    )
    rows.append(
        {
            "order": None,
            "rule": "All spend",
            "scope": "",
            "payments": len(classified),
            "removed_pence": _pence(amount),
            "removed_leakage_pence": _pence(amount[outside]),
            "why": "",
        }
    )
    out = pd.DataFrame(rows).rename(columns={"removed_pence": "spend_pence", "removed_leakage_pence": "leakage_pence"})
    out["order"] = out["order"].astype("Int64")
    total = out["spend_pence"].iloc[-1]
    out["share_of_total"] = _div(out["spend_pence"], float(total))
    return out


def measures(classified: pd.DataFrame, base: str = "procurement") -> pd.DataFrame:
    """Total, place, wider area, leakage and unlocated spend for all kept spend, the procurement
    base and influenceable spend: pence and shares of located spend. `headline` marks the row the
    headline is measured on (`definitions.base`)."""
    rows = []
    for label, part in (
        ("All spend", classified),
        (PROCUREMENT_LINE, classified[classified["in_base"].astype(bool)]),
        ("Influenceable spend", classified[classified["influenceable"].astype(bool)]),
    ):
        amount = part["amount_pence"].astype("int64")
        located = _located(part)
        total = _pence(amount)
        loc = _pence(amount[located])
        place = _pence(amount[located & _flag(part, "in_place")])
        wider = _pence(amount[located & _flag(part, "in_wider")])
        leak = _pence(amount[_outside(part)])
        # A share of nothing, or of net credits, says nothing (issue 18: no "100.9% local").
        ok = loc > 0 and total > 0
        rows.append(
            {
                "spend": label,
                "headline": label == ("All spend" if base == "all" else PROCUREMENT_LINE),
                "total_pence": total,
                "located_pence": loc,
                "place_pence": place,
                "wider_pence": wider,
                "leakage_pence": leak,
                "unlocated_pence": _pence(amount[~located]),
                "place_share": place / loc if ok else np.nan,
                "wider_share": wider / loc if ok else np.nan,
                "leakage_share": leak / loc if ok else np.nan,
            }
        )
    return pd.DataFrame(rows)
