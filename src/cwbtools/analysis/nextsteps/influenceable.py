"""Influenceable spend: the config's not-influenceable rules (`definitions.not_influenceable`)
applied in order, each payment removed by the first rule it meets, each rule reported with the
payments and pence it removed; removed + influenceable == total, to the penny."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ...definitions import NotInfluenceableRules
from ...identifiers import supplier_name as normalise_name
from ._common import _div, _division, _flag, _individual, _located, _outside, _pence


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
    "public": (
        "Other public bodies",
        "Payments to other public bodies are transfers between the public sector, not procurement an anchor can redirect.",
    ),
    "individual": (
        "Individuals (not named)",
        "Payments to private individuals (and redacted payees) are not procurement from firms.",
    ),
}


def exclusion_rules(ni: NotInfluenceableRules, file_suppliers: Iterable[str] | None = None) -> list[ExclusionRule]:
    """The not-influenceable rules, in the order they are applied: individuals, other supplier
    types (public bodies ...), utilities by SIC division, benefits and pass-through payments by
    expense words, national frameworks by supplier name (listed, and `file_suppliers`: the names
    read from `ni.suppliers_file`, which the caller reads)."""
    if ni.suppliers_file is not None and file_suppliers is None:
        # Without this the file's suppliers would silently count as influenceable.
        raise ValueError(
            f"definitions.not_influenceable.suppliers_file {ni.suppliers_file} is set: "
            "pass the names read from it as file_suppliers"
        )
    types = [str(t) for t in ni.supplier_types]
    rules: list[ExclusionRule] = []
    if "individual" in types:
        rules.append(
            ExclusionRule(_TYPE_RULES["individual"][0], "individual", ("individual",), _TYPE_RULES["individual"][1])
        )
    for t in types:
        if t == "individual":
            continue
        name, reason = _TYPE_RULES.get(t, (f"Supplier type: {t}", f"Set aside by the config (supplier type {t})."))
        rules.append(ExclusionRule(name, "supplier_type", (t,), reason))
    divisions = tuple(str(d).zfill(2) for d in ni.sic_divisions)
    if divisions:
        rules.append(
            ExclusionRule(
                f"Utilities (SIC {', '.join(divisions)})",
                "sic_division",
                divisions,
                "Energy and water are bought from whoever owns the network.",
            )
        )
    patterns = tuple(str(p) for p in ni.expense_patterns)
    if patterns:
        rules.append(
            ExclusionRule(
                "Benefits, pass-through and other non-procurement payments",
                "expense",
                patterns,
                "Benefits, grants to individuals, precepts, levies, pensions, tax and refunds "
                "pass through the anchor; no supplier was chosen.",
            )
        )
    names = [str(s) for s in ni.suppliers] + [str(s) for s in (file_suppliers or ())]
    if names:
        rules.append(
            ExclusionRule(
                "National frameworks (named suppliers)",
                "supplier",
                tuple(sorted({normalise_name(n) for n in names} - {""})),
                "Contracts let nationally (frameworks) that the anchor cannot re-let locally.",
            )
        )
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


def classify(spend: pd.DataFrame, rules: list[ExclusionRule]) -> pd.DataFrame:
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


def exclusions(classified: pd.DataFrame, rules: list[ExclusionRule]) -> pd.DataFrame:
    """One row per rule in the order applied (payments, pence removed, of which leakage), then the
    influenceable spend left and the total: removed + influenceable == total, to the penny."""
    amount = classified["amount_pence"].astype("int64")
    outside = _outside(classified)
    rows = []
    for i, rule in enumerate(rules, start=1):
        hit = classified["excluded_by"] == rule.name
        hit = hit.fillna(False).astype(bool)
        rows.append(
            {
                "order": i,
                "rule": rule.name,
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


def measures(classified: pd.DataFrame) -> pd.DataFrame:
    """Total, place, wider area, leakage and unlocated spend for all spend and for influenceable
    spend: pence and shares of located spend."""
    rows = []
    for label, part in (
        ("All spend", classified),
        ("Influenceable spend", classified[classified["influenceable"].astype(bool)]),
    ):
        amount = part["amount_pence"].astype("int64")
        located = _located(part)
        loc = _pence(amount[located])
        place = _pence(amount[located & _flag(part, "in_place")])
        wider = _pence(amount[located & _flag(part, "in_wider")])
        leak = _pence(amount[_outside(part)])
        rows.append(
            {
                "spend": label,
                "total_pence": _pence(amount),
                "located_pence": loc,
                "place_pence": place,
                "wider_pence": wider,
                "leakage_pence": leak,
                "unlocated_pence": _pence(amount[~located]),
                "place_share": place / loc if loc else np.nan,
                "wider_share": wider / loc if loc else np.nan,
                "leakage_share": leak / loc if loc else np.nan,
            }
        )
    return pd.DataFrame(rows)
