"""The next-steps part of summary.json (docs/SUMMARY.md): money in GBP from summed pence."""

from __future__ import annotations

from typing import Any

import pandas as pd


def scenarios_summary(table: pd.DataFrame) -> list[dict[str, Any]]:
    """The `scenarios` list: one entry per row of `scenarios.uplift`."""
    out = []
    for _, r in table.iterrows():
        out.append(
            {
                "name": r["name"],
                "measure": r["measure"],
                "from_share": r["from_share"],
                "to_share": r["to_share"],
                "base_year": r["base_year"],
                "base_total_gbp": r["base_total_pence"] / 100,
                "direct_uplift_gbp": r["direct_uplift_pence"] / 100,
                "indirect_uplift_gbp_low": r["indirect_low_pence"] / 100,
                "indirect_uplift_gbp_high": r["indirect_high_pence"] / 100,
                "indirect_uplift_gbp_ioat": None
                if pd.isna(r["indirect_ioat_pence"])
                else int(r["indirect_ioat_pence"]) / 100,
                "status": r["status"],
            }
        )
    return out


def next_steps_part(year: str, measures: pd.DataFrame, scenario_table: pd.DataFrame) -> dict[str, Any]:
    """`next_steps_year`, the influenceable and leaked spend (`influenceable.measures`: the leakage
    of the spend the headline is measured on) and the scenarios."""
    head = measures[measures["headline"]].iloc[0] if "headline" in measures else measures.iloc[0]
    m = measures.set_index("spend")
    return {
        "next_steps_year": year,
        "influenceable_gbp": int(m.loc["Influenceable spend", "total_pence"]) / 100,
        "leakage_gbp": int(head["leakage_pence"]) / 100,
        "influenceable_leakage_gbp": int(m.loc["Influenceable spend", "leakage_pence"]) / 100,
        "scenarios": scenarios_summary(scenario_table),
    }
