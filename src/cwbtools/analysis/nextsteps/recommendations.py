"""Recommendations written from the next-steps tables by fixed rules; each names the table (CSV)
it comes from, so a reader can check the figure."""

from __future__ import annotations

from typing import Any

import pandas as pd

# Money as every table, chart and sentence writes it (one format: a scenario's pounds read the same).
from ...formats import gbp as _m
from ...privacy import unnamed_rows
from ._common import _table

DEFAULT_LOT_THRESHOLD_PENCE = 100_000 * 100  # contracts above £100k are worth splitting into lots


def _orgs(n: int) -> str:
    return f"{n} organisation" + ("" if n == 1 else "s")


def from_tables(
    gaps: pd.DataFrame | None,
    leak_suppliers: pd.DataFrame | None,
    scenario_table: pd.DataFrame | None,
    measures_table: pd.DataFrame | None = None,
    counts_partial: bool = True,
    place_name: str = "the place",
    wider_name: str = "the wider area",
    ending: pd.DataFrame | None = None,
    sme_awards: pd.DataFrame | None = None,
    sme_benchmark: float | None = None,
    lot_threshold_pence: int = DEFAULT_LOT_THRESHOLD_PENCE,
    top: int = 3,
    base_months: int = 12,
) -> pd.DataFrame:
    """The recommendations, from the gap analysis (`gaps.opportunities`), the leaking suppliers
    (`leakage.suppliers`), the scenarios (`scenarios.uplift`), the influenceable measures
    (`influenceable.measures`) and, with contract notices, the contracts ending soon and the
    awards' SME share (`sme_awards`), which is compared with `sme_benchmark`
    (`definitions.benchmark.sme_share`; None when the anchors' kinds have no benchmark: no
    verdict). A table that is not there (None, or a
    missing input's note) gives no recommendation."""
    gaps, leak_suppliers, scenario_table, measures_table, ending, sme_awards = map(
        _table, (gaps, leak_suppliers, scenario_table, measures_table, ending, sme_awards)
    )
    rows: list[dict[str, Any]] = []

    def add(text: str, table: str, pence: int | None = None):
        rows.append({"recommendation": text, "based_on_table": table, "figure_pence": pence})

    if gaps is not None and len(gaps):
        for _, g in gaps[gaps["rank"].notna()].head(top).iterrows():
            sector = g["sic_division_name"] or f"SIC division {g['sic_division']}"
            leak = int(g["influenceable_leakage_pence"])
            if pd.notna(g.get("wider_orgs")) and int(g["wider_orgs"]) > 0:
                n_place, n_wider = int(g["place_orgs"]), int(g["wider_orgs"])
                # The place's LQ when it has any such organisation, else the wider area's.
                lq, where = (g.get("place_lq"), place_name) if n_place else (g.get("wider_lq"), wider_name)
                lq_text = f" (location quotient in {where} {lq:.2f} against England)" if pd.notna(lq) else ""
                in_place = (
                    f"{_orgs(n_place)} in this sector {'is' if n_place == 1 else 'are'} registered in "
                    f"{place_name} and {n_wider} in {wider_name}"
                    if n_place
                    else f"none in this sector is registered in {place_name}, but {_orgs(n_wider)} "
                    f"{'is' if n_wider == 1 else 'are'} in {wider_name}"
                )
                add(
                    f"{sector}: {_m(leak)} of influenceable spend leaks out of {wider_name}, while {in_place}"
                    f"{lq_text}. Invite them to bid when these contracts are next let.",
                    "gap-analysis",
                    leak,
                )
            elif int(g["local_suppliers_used"]) > 0:
                used = int(g["local_suppliers_used"])
                add(
                    f"{sector}: {_m(leak)} of influenceable spend leaks out of {wider_name}, though the anchors "
                    f"already pay {used} supplier{'' if used == 1 else 's'} in this sector within {wider_name}: "
                    f"ask whether they could take on more.",
                    "gap-analysis",
                    leak,
                )
            else:
                add(
                    f"{sector}: {_m(leak)} of influenceable spend leaks out of {wider_name} and no local "
                    f"organisation in this sector was found: a case for supplier development rather than "
                    f"re-procurement.",
                    "gap-analysis",
                    leak,
                )
    if leak_suppliers is not None and len(leak_suppliers):
        big = leak_suppliers[leak_suppliers["leakage_pence"] >= lot_threshold_pence]
        if len(big):
            first = big.iloc[0]
            # Named only as the reports' tables would name it (cwbtools.privacy).
            who = "" if unnamed_rows(big.iloc[[0]]).iloc[0] else f", {first['supplier_name']}"
            add(
                f"{len(big)} suppliers outside {wider_name} each received more than {_m(lot_threshold_pence)}; "
                f"the largest{who}, {_m(first['leakage_pence'])}. When such contracts are re-let, "
                f"split them into lots local firms can bid for.",
                "leakage-suppliers",
                int(big["leakage_pence"].sum()),
            )
    if ending is not None and len(ending):
        big = ending[ending["awarded_value_pence"].fillna(0) >= lot_threshold_pence]
        last = max(ending["end_date"])
        add(
            f"{len(ending)} published contracts worth {_m(int(ending['awarded_value_pence'].sum()))} end by "
            f"{last:%B %Y}; {len(big)} of them are above {_m(lot_threshold_pence)} and worth lotting.",
            "contracts-ending-soon",
            int(ending["awarded_value_pence"].sum()),
        )
    if sme_awards is not None and len(sme_awards):
        s = sme_awards.iloc[0]
        share = s["sme_share_of_value"]
        if sme_benchmark is not None and pd.notna(share) and share < sme_benchmark:
            add(
                f"SMEs won {share:.0%} of the value of published awards, below the {sme_benchmark:.0%} benchmark: "
                f"simplify tenders and lots for small firms.",
                "contract-sme-share",
                int(s["sme_awarded_pence"]),
            )
    if scenario_table is not None and len(scenario_table):
        cfg = scenario_table[scenario_table["status"] == "ok"]
        if len(cfg):
            r = cfg.iloc[0]
            area = place_name if r["measure"] == "place_share" else wider_name
            add(
                f"'{r['name']}': moving the {area} share from {r['from_share']:.1%} to {r['to_share']:.1%} "
                f"of {r['base_year']} {r['scenario_base']} spend would bring {_m(r['direct_uplift_pence'])} "
                + (
                    "a year"
                    if base_months >= 12
                    else f"over the {base_months} months that spend covers (not annualised)"
                )
                + f" to suppliers in {area}. Estimates from stated assumptions, not added together: "
                f"{_m(r['respend_uplift_low_pence'])} to {_m(r['respend_uplift_high_pence'])} re-spent in {area} by "
                f"those suppliers"
                + (
                    f"; {_m(r['io_indirect_uplift_pence'])} of supply-chain output (regional input-output multipliers)"
                    if pd.notna(r["io_indirect_uplift_pence"])
                    else ""
                )
                + ".",
                "scenarios",
                int(r["direct_uplift_pence"]),
            )
    if measures_table is not None and len(measures_table):
        allr = measures_table.iloc[0]
        total = int(allr["total_pence"])
        unloc = int(allr["unlocated_pence"])
        if total and unloc / total > 0.2:
            add(
                f"{_m(unloc)} ({unloc / total:.0%} of spend) could not be located: record supplier postcodes "
                f"or company numbers so leakage can be measured on all of it.",
                "influenceable-spend",
                unloc,
            )
    if counts_partial:
        add(
            "Local capacity is counted from the registers at hand, which list only some organisations: supply "
            "Companies House BasicCompanyData (`companies_file` in the city config) to count every registered "
            "company.",
            "gap-analysis",
            None,
        )
    out = pd.DataFrame(rows, columns=["recommendation", "based_on_table", "figure_pence"])
    out["figure_pence"] = out["figure_pence"].astype("Int64")
    out.insert(0, "number", range(1, len(out) + 1))
    return out
