"""The anchors' suppliers one by one (CLES report section 3): the largest, how many there are by
geography, and how concentrated spend is. Individuals and redacted payees are never named: they
are one "(payees not named)" line."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ..schema import GEO_ORDER, INDIVIDUALS_KEY, INDIVIDUALS_LABEL, NAME_SHOWN
from .baseline import ALL_ANCHORS, _is_individual, _located, _pence, _safe_div


def _supplier_totals(spend: pd.DataFrame) -> pd.DataFrame:
    """One row per supplier (individuals collapsed to one line), spend in pence."""
    frame = pd.DataFrame(
        {
            "supplier_key": spend["supplier_key"].astype("string").fillna(""),
            "supplier_name": spend["supplier_name"].astype("string").fillna(""),
            "supplier_type": spend["supplier_type"].astype("string").fillna("unknown"),
            "geo": spend["geo"].astype("string").fillna("unlocated") if "geo" in spend.columns else "unlocated",
            "lad_code": spend["lad_code"].astype("string").fillna(""),
            "amount_pence": spend["amount_pence"].astype("int64"),
        }
    )
    indiv = _is_individual(spend).to_numpy()
    # The display rule (cwbtools.privacy): a payee without positive evidence of an organisation is
    # not named, so it joins the individuals' one line rather than keeping a rank of its own.
    hidden = indiv.copy()
    shown = {}
    if NAME_SHOWN in spend.columns:
        hidden |= ~spend[NAME_SHOWN].astype("boolean").fillna(False).to_numpy(dtype=bool)
        frame[NAME_SHOWN] = ~hidden
        shown = {NAME_SHOWN: (NAME_SHOWN, "all")}
    frame.loc[hidden, ["supplier_key", "supplier_name", "lad_code"]] = [INDIVIDUALS_KEY, INDIVIDUALS_LABEL, ""]
    # The line mixes individuals with unnamed firms once the display rule folds them in.
    frame.loc[hidden, "supplier_type"] = "individual" if indiv[hidden].all() else "various"
    frame.loc[hidden, "geo"] = "various"
    out = (
        frame.groupby("supplier_key", sort=True)
        .agg(
            supplier_name=("supplier_name", "first"),
            supplier_type=("supplier_type", "first"),
            geo=("geo", "first"),
            lad_code=("lad_code", "first"),
            spend_pence=("amount_pence", "sum"),
            payments=("amount_pence", "size"),
            **shown,
        )
        .reset_index()
    )
    out["spend_pence"] = out["spend_pence"].astype("int64")
    return out


def top_suppliers(spend: pd.DataFrame, n: int = 300) -> pd.DataFrame:
    """The `n` largest suppliers by spend (CLES looks at the top 300), individuals as one unnamed line."""
    sup = _supplier_totals(spend)
    total = _pence(spend["amount_pence"])
    sup = sup.sort_values(["spend_pence", "supplier_key"], ascending=[False, True], kind="mergesort").head(n)
    return ranked(sup, total)


def ranked(top: pd.DataFrame, total: int) -> pd.DataFrame:
    """The top-suppliers table from suppliers already in order: rank, share of `total` and the
    cumulative share (shared with the out-of-core twin, `aggregate.top_suppliers`)."""
    top = top.copy()
    top["share_of_total"] = top["spend_pence"] / total if total else np.nan
    top["cumulative_share"] = top["spend_pence"].cumsum() / total if total else np.nan
    top.insert(0, "rank", range(1, len(top) + 1))
    return top[
        [
            "rank",
            "supplier_name",
            "supplier_type",
            "geo",
            "lad_code",
            "spend_pence",
            "payments",
            "share_of_total",
            "cumulative_share",
            *[c for c in [NAME_SHOWN] if c in top],
        ]
    ].reset_index(drop=True)


def supplier_counts(spend: pd.DataFrame) -> pd.DataFrame:
    """Number of suppliers and spend by geography (place, wider area outside the place, outside,
    unlocated). A supplier is counted once, where it is located."""
    frame = pd.DataFrame(
        {
            "geo": spend["geo"].astype("string").fillna("unlocated"),
            "supplier_key": spend["supplier_key"],
            "amount_pence": spend["amount_pence"].astype("int64"),
        }
    )
    frame.loc[~_located(spend).to_numpy(), "geo"] = "unlocated"
    out = frame.groupby("geo").agg(suppliers=("supplier_key", "nunique"), spend_pence=("amount_pence", "sum"))
    out = out.reindex(GEO_ORDER, fill_value=0).reset_index()
    out["spend_pence"] = out["spend_pence"].astype("int64")
    out["suppliers"] = out["suppliers"].astype("int64")
    out["share_of_suppliers"] = _safe_div(out["suppliers"], pd.Series(out["suppliers"].sum(), index=out.index))
    out["share_of_spend"] = _safe_div(out["spend_pence"], pd.Series(out["spend_pence"].sum(), index=out.index))
    return out


def _concentration(amounts: pd.Series, min_suppliers: int) -> dict[str, Any]:
    # Net credits can leave a supplier below zero; it has no market share to concentrate.
    positive = amounts[amounts > 0].astype("float64")
    n = int(len(positive))
    if n < min_suppliers or positive.sum() <= 0:
        return {
            "suppliers": n,
            "top10_share": np.nan,
            "hhi": np.nan,
            "note": f"fewer than {min_suppliers} suppliers: not shown",
        }
    shares = positive / positive.sum()
    return {
        "suppliers": n,
        "top10_share": float(shares.sort_values(ascending=False).head(10).sum()),
        "hhi": float((shares**2).sum() * 10_000),
        "note": "",
    }


def supplier_concentration(spend: pd.DataFrame, min_suppliers: int = 20) -> pd.DataFrame:
    """Top-10 share and Herfindahl-Hirschman index (0 to 10,000) of supplier spend, for all anchors,
    each anchor (when there are several) and each geography. Groups with fewer than `min_suppliers` suppliers are not
    measured (a top-10 share of 12 suppliers says nothing about a market)."""
    sup_key = spend["supplier_key"].astype("string").fillna("")
    indiv = _is_individual(spend)
    # Individuals are many small payees; as one line they would fake a concentrated supplier.
    frame = pd.DataFrame(
        {
            "anchor": spend["anchor"].astype(str),
            "geo": spend["geo"].astype("string").fillna("unlocated"),
            "supplier_key": sup_key,
            "amount_pence": spend["amount_pence"].astype("int64"),
        }
    )[~indiv.to_numpy()]
    rows = []
    groups: list[tuple[str, str, pd.DataFrame]] = [("all", ALL_ANCHORS, frame)]
    anchors = sorted(frame["anchor"].unique())
    # One anchor's row would repeat the row of all anchors.
    groups += [("anchor", a, frame[frame["anchor"] == a]) for a in anchors] if len(anchors) > 1 else []
    groups += [("geo", g, frame[frame["geo"] == g]) for g in GEO_ORDER]
    for kind, name, sub in groups:
        per_supplier = sub.groupby("supplier_key")["amount_pence"].sum()
        rows.append(
            {
                "group_kind": kind,
                "group": name,
                "spend_pence": _pence(sub["amount_pence"]),
                **_concentration(per_supplier, min_suppliers),
            }
        )
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------------------------
# 7. Benchmark
