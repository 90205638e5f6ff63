"""Coverage: for every pound, which resolution layer found its supplier, per anchor and year."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..schema import RESOLVED_BY
from .keys import _column, _prepare


def coverage(transactions: pd.DataFrame, suppliers: pd.DataFrame) -> pd.DataFrame:
    """£ and share of spend by layer, per anchor and financial year, with what stays unlocated.

    One row per (anchor, financial_year, layer), layers in order, `individual` for payments to
    people (never matched), then an `all` row. Pence are net amounts and reconcile to the ledger;
    shares are of the anchor-year's net spend.
    """
    tx = transactions if "supplier_key" in transactions else _prepare(transactions)
    s = suppliers.set_index("supplier_key")
    t = pd.DataFrame(
        {
            "anchor": _column(tx, "anchor").astype("string").fillna(""),
            "financial_year": _column(tx, "financial_year").astype("string").fillna(""),
            "amount_pence": tx["amount_pence"].astype("int64"),
        }
    )
    t["layer"] = tx["supplier_key"].map(s["resolved_by"]).to_numpy()
    person = tx["supplier_key"].map(s["supplier_type"]).eq("individual").to_numpy()
    t.loc[person, "layer"] = "individual"
    t["located"] = tx["supplier_key"].map(s["lad_code"]).notna().to_numpy()
    t["located_pence"] = np.where(t["located"], t["amount_pence"], 0).astype("int64")
    t["company_pence"] = np.where(
        tx["supplier_key"].map(s["company_number"]).notna().to_numpy(), t["amount_pence"], 0
    ).astype("int64")
    g = (
        t.groupby(["anchor", "financial_year", "layer"], sort=False)
        .agg(
            payments=("amount_pence", "size"),
            amount_pence=("amount_pence", "sum"),
            located_pence=("located_pence", "sum"),
            with_company_number_pence=("company_pence", "sum"),
        )
        .reset_index()
    )
    allrows = (
        t.groupby(["anchor", "financial_year"], sort=False)
        .agg(
            payments=("amount_pence", "size"),
            amount_pence=("amount_pence", "sum"),
            located_pence=("located_pence", "sum"),
            with_company_number_pence=("company_pence", "sum"),
        )
        .reset_index()
    )
    allrows["layer"] = "all"
    out = pd.concat([g, allrows], ignore_index=True)
    order = {name: i for i, name in enumerate(RESOLVED_BY + ["individual", "all"])}
    out["_o"] = out["layer"].map(order)
    out = out.sort_values(["anchor", "financial_year", "_o"]).drop(columns="_o").reset_index(drop=True)
    totals = out[out["layer"] == "all"].set_index(["anchor", "financial_year"])["amount_pence"]
    denom = out.set_index(["anchor", "financial_year"]).index.map(totals).to_numpy().astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        out["share"] = np.where(denom != 0, out["amount_pence"] / denom, np.nan)
        out["located_share"] = np.where(denom != 0, out["located_pence"] / denom, np.nan)
    out["unlocated_pence"] = out["amount_pence"] - out["located_pence"]
    return out[
        [
            "anchor",
            "financial_year",
            "layer",
            "payments",
            "amount_pence",
            "share",
            "located_pence",
            "located_share",
            "unlocated_pence",
            "with_company_number_pence",
        ]
    ]


def format_coverage(cov: pd.DataFrame) -> str:
    lines = []
    for (anchor, fy), g in cov.groupby(["anchor", "financial_year"], sort=False):
        lines.append(f"{anchor} {fy}")
        for r in g.itertuples():
            lines.append(
                f"  {r.layer:<16} £{r.amount_pence / 100:>16,.2f} {r.share * 100:6.1f}%   "
                f"located £{r.located_pence / 100:>16,.2f} {r.located_share * 100:6.1f}%"
            )
    return "\n".join(lines)
