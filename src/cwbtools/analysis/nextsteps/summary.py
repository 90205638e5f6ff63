"""The next-steps part of summary.json (docs/SUMMARY.md): money in GBP from summed pence."""

from __future__ import annotations

from typing import Any

import pandas as pd


def _gbp(pence) -> float | None:
    return None if pd.isna(pence) else int(pence) / 100


def scenarios_summary(table: pd.DataFrame) -> list[dict[str, Any]]:
    """The `scenarios` list: one entry per row of `scenarios.uplift`. `indirect_uplift_gbp_*` are
    the keys before re-spend and input-output were separated (docs/SUMMARY.md: deprecated, kept one
    release): low = re-spend low, high = the larger of re-spend high and input-output, ioat = input-output."""
    out = []
    for _, r in table.iterrows():
        io = _gbp(r["io_indirect_uplift_pence"])
        out.append(
            {
                "name": r["name"],
                "measure": r["measure"],
                "scenario_base": r["scenario_base"],
                "from_share": r["from_share"],
                "to_share": r["to_share"],
                "base_year": r["base_year"],
                "base_total_gbp": _gbp(r["base_total_pence"]),
                "direct_uplift_gbp": _gbp(r["direct_uplift_pence"]),
                "displacement": r["displacement"],
                "net_additional_gbp": _gbp(r["net_additional_pence"]),
                "respend_uplift_gbp": _gbp(r["respend_uplift_pence"]),
                "respend_uplift_gbp_low": _gbp(r["respend_uplift_low_pence"]),
                "respend_uplift_gbp_high": _gbp(r["respend_uplift_high_pence"]),
                "io_indirect_uplift_gbp": io,
                "indirect_uplift_gbp_low": _gbp(r["respend_uplift_low_pence"]),
                "indirect_uplift_gbp_high": max(_gbp(r["respend_uplift_high_pence"]), io or 0.0),
                "indirect_uplift_gbp_ioat": io,
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
