"""Next steps on hand-made frames whose answers were worked out by hand: the pure functions of
`cwbtools.analysis.nextsteps`, section by section."""

from __future__ import annotations

import pandas as pd
import pytest

from cwbtools.analysis import base
from cwbtools.analysis.nextsteps import gaps, influenceable, leakage, pipeline, recommendations, scenarios, summary
from cwbtools.config import parse_config

P, W, E9, S1 = "E07000123", "E07000117", "E09000001", "S12000036"


def _spend(rows):
    cols = ["anchor", "supplier_name", "supplier_type", "geo", "sic_division", "expense_category", "amount_pence"]
    df = pd.DataFrame(rows, columns=cols)
    lad = {"place": P, "wider": W, "outside": E9, "unlocated": None}
    df["financial_year"] = "2020/21"
    df["supplier_key"] = df["supplier_name"].str.lower()
    df["lad_code"] = df["geo"].map(lad)
    df["located"] = df["geo"] != "unlocated"
    df["in_place"] = df["geo"] == "place"
    df["in_wider"] = df["geo"].isin(["place", "wider"])
    df["individual"] = df["supplier_type"] == "individual"
    df["sic_section"] = None
    df["sic_code"] = None
    df["amount_pence"] = df["amount_pence"].astype("int64")
    return df


@pytest.fixture()
def spend():
    return _spend(
        [
            ("A", "Big Outside Ltd", "large", "outside", "62", "IT services", 1_000_000),
            ("A", "Local Builders Ltd", "sme", "place", "43", "Repairs", 500_000),
            ("B", "(individual)", "individual", "unlocated", None, "Foster care", 20_000),
            ("B", "Lancashire County Council", "public", "wider", "84", "Recharges", 300_000),
            ("B", "Electricity Co", "large", "outside", "35", "Energy", 400_000),
            ("A", "Some Payee Ltd", "unknown", "outside", "64", "Housing Benefit payments", 250_000),
            ("A", "Framework Supplier Limited", "large", "outside", "46", "Stationery", 150_000),
            ("B", "Unknown Co", "unknown", "unlocated", None, "Misc", 80_000),
            ("A", "Taxi Firm Ltd", "sme", "outside", "49", "Taxi fares", 60_000),
            ("A", "Wider Cleaning Ltd", "sme", "wider", "81", "Cleaning", 120_000),
            ("B", "Big Outside Ltd", "large", "outside", "62", "IT services", -100_000),
            ("B", "Environment Agency", "public", "outside", "84", "Flood levy", 70_000),
        ]
    )


def _config(**definitions):
    return parse_config(
        {
            "name": "Test",
            "slug": "test",
            "place": {"name": "P", "lad_codes": [P]},
            "wider_area": {"name": "W", "lad_codes": [W]},
            "years": ["2020/21"],
            "anchors": [{"name": "A", "kind": "council", "ledgers": ["x.csv"]}],
            "definitions": definitions,
        },
        resolve_areas=False,
    )


RESPEND = _config().analysis_definitions().respend  # the config model's defaults


@pytest.fixture()
def rules():
    defs = _config(exclusions={"not_influenceable": {"suppliers": ["Framework Supplier Ltd"]}}).analysis_definitions()
    return influenceable.exclusion_rules(defs)


def test_leakage_by_sector(spend):
    t = leakage.by_sector(spend, level="division").set_index("sector")
    assert t.loc["62", "leakage_pence"] == 900_000
    assert t.loc["35", "leakage_pence"] == 400_000
    assert t.loc["84", "leakage_pence"] == 70_000
    assert t.loc["84", "leakage_share_of_sector"] == pytest.approx(70_000 / 370_000)
    assert t["leakage_pence"].sum() == 1_830_000
    assert t["total_pence"].sum() == 2_850_000
    assert list(t.index)[0] == "62" and list(t.index)[-1] == ""  # largest first, no-SIC last


def test_leakage_by_anchor(spend):
    t = leakage.by_anchor(spend).set_index("anchor")
    assert t.loc["A", "leakage_pence"] == 1_460_000
    assert t.loc["B", "leakage_pence"] == 370_000
    assert t.loc["All anchors", "leakage_pence"] == 1_830_000
    assert t.loc["B", "leakage_share"] == pytest.approx(370_000 / 670_000)


def test_leakage_by_anchor_and_sector(spend):
    spend["sic_section"] = spend["sic_division"].map({"62": "J", "35": "D", "84": "O", "64": "K", "46": "G", "49": "H"})
    t = leakage.by_anchor_and_sector(spend, top=2)
    got = {(r.anchor, r.sector): r.leakage_pence for r in t.itertuples()}
    assert got == {("A", "J"): 1_000_000, ("A", "K"): 250_000, ("B", "D"): 400_000, ("B", "O"): 70_000}
    b_o = t[(t["anchor"] == "B") & (t["sector"] == "O")].iloc[0]
    assert b_o["leakage_share_of_sector"] == pytest.approx(70_000 / 370_000)


def test_leakage_suppliers_never_individuals(spend):
    spend.loc[spend["supplier_type"] == "individual", ["geo", "lad_code", "located", "in_wider"]] = [
        "outside",
        E9,
        True,
        False,
    ]
    t = leakage.suppliers(spend)
    assert "(individual)" not in set(t["supplier_name"])
    assert t.iloc[0]["supplier_name"] == "Big Outside Ltd" and t.iloc[0]["leakage_pence"] == 900_000
    assert t.iloc[0]["anchors"] == "A; B"


def test_exclusion_rules_in_order(rules):
    assert [(r.name, r.scope) for r in rules] == [
        ("The anchor paying itself", "base"),
        ("Another anchor of this config", "base"),
        ("Individuals (not named)", "base"),
        ("Transfers (by payee)", "base"),
        ("Transfers (by expense category or description)", "base"),
        ("Public bodies (general government)", "base"),
        ("Published as not influenceable (the ledger's flag)", "influenceable"),
        ("Utilities (SIC 35, 36)", "influenceable"),
        ("National frameworks (named suppliers)", "influenceable"),
    ]


def test_exclusions_remove_each_payment_once_and_reconcile(spend, rules):
    c = influenceable.classify(spend, rules)
    t = influenceable.exclusions(c, rules).set_index("rule")
    assert t.loc["Individuals (not named)", "spend_pence"] == 20_000
    # The flood levy to a public body meets two rules; only the first (a transfer) removes it.
    assert t.loc["Public bodies (general government)", "payments"] == 1
    assert t.loc["Public bodies (general government)", "spend_pence"] == 300_000
    assert t.loc["Public bodies (general government)", "scope"] == "base"
    assert t.loc["Utilities (SIC 35, 36)", "spend_pence"] == 400_000
    assert t.loc["Utilities (SIC 35, 36)", "scope"] == "influenceable"
    # Whole words: `Taxi fares` is no tax; `Housing Benefit payments` and the `Flood levy` are transfers.
    assert t.loc["Transfers (by expense category or description)", "spend_pence"] == 320_000
    assert t.loc["Transfers (by expense category or description)", "leakage_pence"] == 320_000
    assert t.loc["National frameworks (named suppliers)", "spend_pence"] == 150_000
    assert t.loc["Influenceable spend (left)", "spend_pence"] == 1_660_000
    assert t.loc["Influenceable spend (left)", "leakage_pence"] == 960_000
    removed = t["spend_pence"].iloc[:-1].sum()
    assert removed == t.loc["All spend", "spend_pence"] == 2_850_000
    assert c["excluded_by"].notna().sum() == 6


def test_expense_patterns_whole_words():
    rx = base.words_regex(("tax", "levy", "pass-through", "benefit"))
    assert rx.search("Council Tax refund") and rx.search("Flood levies") and rx.search("pass through payment")
    assert rx.search("Benefits")
    assert rx.search("Taxi fares") is None and rx.search("Taxation advice services") is None


def test_influenceable_measures(spend, rules):
    c = influenceable.classify(spend, rules)
    m = influenceable.measures(c).set_index("spend")
    assert m.loc["All spend", "leakage_pence"] == 1_830_000
    # The base: less the individual (20k), transfers (320k, all leaked) and the county council (300k).
    assert m.loc["Procurement spend (the base)", "total_pence"] == 2_210_000
    assert m.loc["Procurement spend (the base)", "leakage_pence"] == 1_510_000
    assert m["headline"].tolist() == [False, True, False]
    assert m.loc["Influenceable spend", "total_pence"] == 1_660_000
    assert m.loc["Influenceable spend", "unlocated_pence"] == 80_000
    assert m.loc["Influenceable spend", "leakage_share"] == pytest.approx(960_000 / 1_580_000)


@pytest.fixture()
def orgs():
    regs = pd.DataFrame(
        [
            ("companies_house", "Place Taxis Ltd", "01", P, "49320", "sme", "company", "active"),
            ("companies_house", "Place Builders Ltd", "02", P, "43210", "sme", "company", "active"),
            ("coops_uk", "Wider Cabs Co-op", "03", W, "49320", None, "coop", "active"),
            ("companies_house", "London Soft 1", "04", E9, "62020", "large", "company", "active"),
            ("companies_house", "London Soft 2", "05", E9, "62012", "sme", "company", "active"),
            ("companies_house", "London Build", "06", E9, "43999", "sme", "company", "active"),
            ("companies_house", "London Cabs", "07", E9, "49320", "sme", "company", "active"),
            ("companies_house", "Glasgow Soft", "08", S1, "62020", "sme", "company", "active"),
            ("companies_house", "Ms A Person", "09", P, "49320", None, "individual", "active"),
            ("companies_house", "Gone Ltd", "10", W, "49320", "sme", "company", "Dissolved"),
        ],
        columns=["source", "name", "company_number", "lad_code", "sic_code", "size", "kind", "status"],
    )
    regs["charity_number"] = None
    regs["postcode"] = "PR1 2AB"
    return gaps.organisations(regs)


def test_capacity_and_location_quotients(orgs, monkeypatch):
    cap = gaps.capacity(orgs, [P], [W]).set_index("sic_division")
    assert cap.loc["49", ["place_orgs", "wider_orgs", "england_orgs"]].tolist() == [1, 2, 3]
    assert cap.loc["62", "england_orgs"] == 2  # the Glasgow company is not in England
    # Issue 18: a quotient from fewer than 5 organisations measures one head office: none is given.
    assert cap[["place_lq", "wider_lq"]].isna().all().all()
    monkeypatch.setattr(gaps, "MIN_LQ_ORGS", 1)
    cap = gaps.capacity(orgs, [P], [W]).set_index("sic_division")
    # LQ = (1/2 place orgs) / (3/7 England orgs) and (2/3) / (3/7) for the wider area.
    assert cap.loc["49", "place_lq"] == pytest.approx(7 / 6)
    assert cap.loc["49", "wider_lq"] == pytest.approx(14 / 9)
    assert cap.loc["43", "place_lq"] == pytest.approx(7 / 4)
    assert pd.isna(cap.loc["62", "place_lq"])  # no organisation in the place: no quotient


def test_capacity_counts_no_public_bodies(orgs):
    """The registers' public bodies (NHS ODS, public-sector employers) are not local capacity."""
    regs = pd.DataFrame(
        [("nhs_ods", "Place Hospital Trust", None, P, "86101", None, "public", "active")],
        columns=["source", "name", "company_number", "lad_code", "sic_code", "size", "kind", "status"],
    ).assign(charity_number=None, postcode="PR1 2AB")
    assert gaps.organisations(regs).empty


def test_gap_analysis_ranks_capacity_then_leak(spend, rules, orgs):
    c = influenceable.classify(spend, rules)
    opp = gaps.opportunities(c, gaps.capacity(orgs, [P], [W]))
    assert list(opp["sic_division"]) == ["49", "62"]  # 62 leaks more but has no local capacity
    assert list(opp["rank"]) == [1, 2]
    g = opp.set_index("sic_division")
    assert g.loc["62", "influenceable_leakage_pence"] == 900_000
    assert g.loc["62", "capacity"] == "none found"
    assert g.loc["49", "capacity"] == "registered organisations"
    assert g.loc["49", "wider_orgs"] == 2
    no_cap = gaps.opportunities(c, None)
    assert list(no_cap["sic_division"]) == ["62", "49"]  # without registers: by leak alone


def test_candidates_are_registered_organisations_only(spend, rules, orgs):
    c = influenceable.classify(spend, rules)
    opp = gaps.opportunities(c, gaps.capacity(orgs, [P], [W]))
    cand = gaps.candidate_suppliers(orgs, opp, [P], [W], current_suppliers=pd.Series(["Place Taxis Limited"]))
    assert list(cand["name"]) == ["Place Taxis Ltd", "Wider Cabs Co-op"]  # place first; no individual, no dissolved
    assert list(cand["geo"]) == ["place", "wider"]
    assert list(cand["already_supplies"]) == [True, False]
    assert list(cand["source_register"]) == ["companies_house", "coops_uk"]


def _two_row_year(place_pence, outside_pence, year="2012/13", div="62"):
    return _spend(
        [
            ("A", "Local", "sme", "place", "43", "x", place_pence),
            ("A", "Away", "large", "outside", div, "x", outside_pence),
        ]
    ).assign(financial_year=year)


def test_cles_scenario_direct_uplift_is_exactly_37_5m():
    spend = _two_row_year(3_750_000_000, 71_250_000_000)  # £750m, 5% in the place
    spec = {"name": "CLES", "measure": "place_share", "to_share": 0.10, "base_year": "2012/13"}
    t = scenarios.uplift(spend, [spec], "2012/13", RESPEND).iloc[0]
    assert t["from_share"] == 0.05 and t["to_share"] == 0.10
    assert t["base_total_pence"] == 75_000_000_000
    assert t["direct_uplift_pence"] == 3_750_000_000
    # Re-spend by type: the spend that would move is with a large firm (40p per £1), the place's
    # suppliers now are SMEs (63p per £1).
    assert (t["respend_rate_low"], t["respend_rate_high"]) == (0.40, 0.63)
    assert t["respend_uplift_low_pence"] == 1_500_000_000  # 40p per £1
    assert t["respend_uplift_high_pence"] == t["respend_uplift_pence"] == 2_362_500_000  # 63p, the place's SMEs
    assert pd.isna(t["io_indirect_uplift_pence"])  # no input-output table given: none, never a re-spend stand-in
    # The rates are the config's per-type ones, and a survey's measured rate replaces them.
    t = scenarios.uplift(spend, [spec], "2012/13", {**RESPEND, "sme": 0.9}).iloc[0]
    assert t["respend_uplift_high_pence"] == 3_375_000_000
    t = scenarios.uplift(spend, [spec], "2012/13", RESPEND, survey_rate=0.5).iloc[0]
    assert t["respend_uplift_low_pence"] == t["respend_uplift_high_pence"] == 1_875_000_000
    # Displacement: indirect effects only on the net additional local spend; direct unchanged.
    t = scenarios.uplift(spend, [spec], "2012/13", RESPEND, displacement=0.2).iloc[0]
    assert t["direct_uplift_pence"] == 3_750_000_000 and t["net_additional_pence"] == 3_000_000_000
    assert t["respend_uplift_low_pence"] == 1_200_000_000


def test_stated_from_share_and_base_total():
    spend = _two_row_year(100, 900, year="2016/17")
    spec = {
        "name": "stated",
        "measure": "place_share",
        "from_share": 0.05,
        "to_share": 0.10,
        "base_total_gbp": 750_000_000,
        "base_year": "2012/13",
    }
    t = scenarios.uplift(spend, [spec], "2016/17", RESPEND).iloc[0]
    assert t["direct_uplift_pence"] == 3_750_000_000
    assert t["from_basis"] == "stated in config"


def test_points_and_target_met():
    spend = _two_row_year(2_000, 8_000)  # place share 0.2 of £100
    specs = [
        {"name": "+5", "measure": "place_share", "points": 0.05},
        {"name": "low", "measure": "place_share", "to_share": 0.1},
        {"name": "wider", "measure": "wider_share", "to_share": 0.5},
    ]
    t = scenarios.uplift(spend, specs, "2012/13", RESPEND).set_index("name")
    assert t.loc["+5", "to_share"] == pytest.approx(0.25)
    assert t.loc["+5", "direct_uplift_pence"] == 500
    assert t.loc["low", "direct_uplift_pence"] == 0 and t.loc["low", "status"] == "target already met"
    assert t.loc["wider", "direct_uplift_pence"] == 3_000


def test_ioat_indirect_uses_sector_mix():
    table = pd.DataFrame(
        {
            "ioat_code": ["J62", "F41, F42 & F43"],
            "ioat_industry": ["IT", "Construction"],
            "output_multiplier": [1.5, 2.0],
            "output_gbp_m": [1.0, 1.0],
        }
    )
    spend = _spend(
        [
            ("A", "Local", "sme", "place", "43", "x", 1_000),
            ("A", "Soft", "large", "outside", "62", "x", 6_000),
            ("A", "Build", "large", "outside", "43", "x", 2_000),
            ("A", "Build2", "large", "outside", "42", "x", 1_000),
        ]
    ).assign(financial_year="2012/13")
    spec = {"name": "x", "measure": "place_share", "to_share": 0.2}
    t = scenarios.uplift(spend, [spec], "2012/13", RESPEND, multipliers=table).iloc[0]
    assert t["direct_uplift_pence"] == 1_000
    # £10 new local spend, mix 6:3 IT:construction -> 666.67 / 333.33 -> parts 667 + 333,
    # indirect 667*0.5 + 333*1.0 = 333.5 -> 334 (half to even) + 333 = 667.
    assert t["io_indirect_uplift_pence"] == 667
    assert t["respend_uplift_low_pence"] == 400 and t["respend_uplift_high_pence"] == 630  # apart, never combined
    # Only influenceable sectors would move: with construction set aside, all of it goes to IT.
    t = scenarios.uplift(
        spend.assign(influenceable=~spend["sic_division"].isin(["42", "43"])),
        [spec],
        "2012/13",
        RESPEND,
        multipliers=table,
        base="procurement",
    ).iloc[0]
    assert t["direct_uplift_pence"] == 1_000 and t["io_indirect_uplift_pence"] == 500


def test_allocate_sums_exactly():
    parts = scenarios._allocate(100, pd.Series([1.0, 1.0, 1.0]))
    assert parts.sum() == 100 and sorted(parts) == [33, 33, 34]


def test_trajectory():
    spend = _two_row_year(2_000, 8_000, year="2020/21")
    goal = scenarios.uplift(spend, [{"name": "x", "to_share": 0.30}], "2020/21", RESPEND).iloc[0]
    t = scenarios.trajectory(goal, "2020/21", years=5)
    assert list(t["financial_year"]) == ["2020/21", "2021/22", "2022/23", "2023/24", "2024/25", "2025/26"]
    assert t["share"].tolist() == pytest.approx([0.2, 0.22, 0.24, 0.26, 0.28, 0.30])
    assert t["uplift_pence"].iloc[-1] == goal["direct_uplift_pence"] == 1_000


def test_a_scenarios_pounds_are_the_same_everywhere():
    """Issue 21: the trajectory used the latest year's total, the table the base year's. Now one
    figure: table, trajectory (and its chart), summary.json and the recommendation."""
    from cwbtools.report import charts

    spend = pd.concat([_two_row_year(3_750_000_000, 71_250_000_000), _two_row_year(1_000, 9_000, year="2016/17")])
    spec = {"name": "CLES", "measure": "place_share", "from_share": 0.05, "to_share": 0.10, "base_year": "2012/13"}
    table = scenarios.uplift(spend, [spec], "2012/13", RESPEND)
    goal = scenarios.target(table, spend, "2016/17")
    traj = scenarios.trajectory(goal, "2016/17")
    chart = charts.trajectory(traj, "Preston", goal["name"])
    summ = summary.scenarios_summary(table)[0]
    recs = recommendations.from_tables(None, None, table, counts_partial=False)
    pence = int(table["direct_uplift_pence"].iloc[0])
    assert pence == 3_750_000_000
    assert int(traj["uplift_pence"].iloc[-1]) == pence
    assert "£37.5m" in chart.title and int(chart.data["uplift_pence"].iloc[-1]) == pence
    assert summ["direct_uplift_gbp"] == pence / 100
    assert int(recs["figure_pence"].iloc[0]) == pence and "£37.5m" in recs["recommendation"].iloc[0]
    assert "£37.5m a year" in recs["recommendation"].iloc[0]
    # A partial base year's pounds are not a year's (issue 20: never annualised unless asked).
    part = recommendations.from_tables(None, None, table, counts_partial=False, base_months=9)["recommendation"]
    assert "a year" not in part.iloc[0] and "over the 9 months that spend covers (not annualised)" in part.iloc[0]


def test_scenario_base_influenceable_or_procurement():
    spend = _two_row_year(1_000, 9_000).assign(in_base=True)
    spend = pd.concat([spend, _two_row_year(0, 10_000, div="35").assign(in_base=True)])
    spend["influenceable"] = spend["sic_division"] != "35"
    spec = [{"name": "+5", "points": 0.05}]
    infl = scenarios.uplift(spend, spec, "2012/13", RESPEND).iloc[0]
    proc = scenarios.uplift(spend, spec, "2012/13", RESPEND, base="procurement").iloc[0]
    assert (infl["base_total_pence"], infl["from_share"], infl["direct_uplift_pence"]) == (10_000, 0.1, 500)
    assert (proc["base_total_pence"], proc["from_share"], proc["direct_uplift_pence"]) == (20_000, 0.05, 1_000)
    assert infl["scenario_base"] == "influenceable" and proc["scenario_base"] == "procurement"


def test_scenarios_summary_keys():
    spend = _two_row_year(3_750_000_000, 71_250_000_000)
    t = scenarios.uplift(spend, [{"name": "CLES", "measure": "place_share", "to_share": 0.10}], "2012/13", RESPEND)
    s = summary.scenarios_summary(t)[0]
    for key in (
        "name",
        "measure",
        "from_share",
        "to_share",
        "base_total_gbp",
        "direct_uplift_gbp",
        "respend_uplift_gbp",
        "io_indirect_uplift_gbp",
        "indirect_uplift_gbp_low",  # deprecated, kept one release
        "indirect_uplift_gbp_high",
    ):
        assert key in s
    assert s["io_indirect_uplift_gbp"] is None and s["respend_uplift_gbp"] == 23_625_000
    assert s["direct_uplift_gbp"] == 37_500_000 and s["base_total_gbp"] == 750_000_000


def test_recommendations_name_their_tables(spend, rules, orgs):
    c = influenceable.classify(spend, rules)
    opp = gaps.opportunities(c, gaps.capacity(orgs, [P], [W]))
    sup = leakage.suppliers(spend)
    scen = scenarios.uplift(spend, [{"name": "t", "measure": "place_share", "points": 0.05}], "2020/21", RESPEND)
    recs = recommendations.from_tables(
        opp,
        sup,
        scen,
        measures_table=influenceable.measures(c),
        counts_partial=False,
        lot_threshold_pence=500_000,
        place_name="Preston",
        wider_name="Lancashire",
    )
    assert set(recs["based_on_table"]) == {"gap-analysis", "leakage-suppliers", "scenarios"}
    first = recs.iloc[0]["recommendation"]
    assert (
        first.startswith("SIC division 49")
        and "1 organisation in this sector is registered in Preston and 2 in Lancashire" in first
    )
    assert "location quotient" not in first  # 1 organisation in Preston: too few for a quotient
    assert "£9k" in recs.iloc[1]["recommendation"]  # division 62's £9,000 leak, no local capacity
    assert "Big Outside Ltd" in recs[recs["based_on_table"] == "leakage-suppliers"].iloc[0]["recommendation"]


def test_missing_sources_are_explained_not_fatal(spend, tmp_path, monkeypatch):
    """No registers, no contract notices, no multipliers: each section says what is missing and how
    to supply it, and the rest still runs (the calls notebook 03 makes)."""
    from cwbtools import reference
    from cwbtools.analysis import contracts, multipliers
    from cwbtools.errors import CwbError
    from cwbtools.report.context import Missing, Report, given

    def missing(*args, **kwargs):
        raise CwbError("not built")

    from cwbtools.report import cache

    monkeypatch.setattr(reference, "load_registers", missing)
    monkeypatch.setattr(cache, "located_registers", missing)  # the reports read the registers through it
    monkeypatch.setattr(multipliers, "load_multipliers", missing)
    cfg = parse_config(
        {
            "name": "Test",
            "slug": "test",
            "place": {"name": "P", "lad_codes": [P]},
            "wider_area": {"name": "W", "lad_codes": [W]},
            "years": ["2020/21"],
            "anchors": [{"name": "A", "kind": "council", "ledgers": ["x.csv"]}],
        },
        resolve_areas=False,
    )
    cfg.wider_area.lad_codes = [W, P]
    r = Report(cfg, year="2020/21", report_dir=tmp_path)
    r.spend = spend
    shown = []
    r.show = shown.append
    assert isinstance(r.notices, Missing) and "contracts_notices" in r.notices.note
    assert isinstance(r.registers, Missing) and "cwb reference build" in r.registers.note
    assert isinstance(r.multipliers, Missing) and "IOAT" in r.multipliers.note
    located = given(contracts.locate_winners, r.notices, r.spend, r.defs.place_lads, r.defs.wider_lads)
    r.table(given(pipeline.awards, located), "contract-awards", "Awards")
    assert shown[-1] is r.notices  # shown as its note, no CSV written
    orgs = given(gaps.organisations, r.registers)
    cand = given(gaps.candidate_suppliers, orgs, None, r.defs.place_lads, r.defs.wider_lads)
    assert cand is r.registers
    rules = influenceable.exclusion_rules(r.defs, None, r.framework_suppliers)
    c = influenceable.classify(r.year_spend, rules)
    opp = gaps.opportunities(c, given(gaps.capacity, orgs, r.defs.place_lads, r.defs.wider_lads))
    assert opp["place_orgs"].isna().all()  # no registers: counts unknown, not zero
    assert given(scenarios.target_multipliers, r.spend, None, r.multipliers) is r.multipliers
    specs = scenarios.specs(r.defs, r.year)
    regional = given(multipliers.for_place, r.multipliers, r.defs.place_lads, r.lsoa, r.defs.flq_delta)
    assert regional is r.multipliers
    scen = scenarios.uplift(r.spend, specs, r.defs.baseline_year, r.defs.respend, regional)
    assert scen["io_indirect_uplift_pence"].isna().all() and (scen["direct_uplift_pence"] > 0).any()
    measures = influenceable.measures(c)
    ending = given(pipeline.ending, r.notices, r.notices_as_of)
    recs = recommendations.from_tables(
        opp,
        leakage.suppliers(r.year_spend),
        scen,
        measures,
        gaps.counts_partial(r.registers),
        r.place,
        r.wider,
        ending,
        given(contracts.sme_share_of_awards, r.notices),
        r.defs.sme_benchmark,
    )
    assert "contracts-ending-soon" not in set(recs["based_on_table"])
    assert recs["recommendation"].iloc[-1].startswith("Local capacity is counted from the registers at hand")
    assert sorted(p.name for p in (tmp_path / "data").glob("*.csv")) == []
    part = summary.next_steps_part(r.year, measures, scen)
    # Default rules, no framework list; leakage of the procurement base (transfers' 320k left out).
    assert part["leakage_gbp"] == 15_100 and part["influenceable_gbp"] == 18_100


def test_framework_suppliers_file_read_by_the_report_and_required_by_the_rules(spend, tmp_path):
    from cwbtools.report.context import Report

    file = tmp_path / "frameworks.csv"
    file.write_text("supplier_name\nFramework Supplier Ltd\n", encoding="utf-8")
    cfg = parse_config(
        {
            "name": "Test",
            "slug": "test",
            "place": {"name": "P", "lad_codes": [P]},
            "allow_outside_data": True,
            "wider_area": {"name": "W", "lad_codes": [W]},
            "years": ["2020/21"],
            "anchors": [{"name": "A", "kind": "council", "ledgers": ["x.csv"]}],
            "definitions": {"exclusions": {"not_influenceable": {"suppliers_file": str(file)}}},
        },
        resolve_areas=False,
    )
    defs = cfg.analysis_definitions()
    with pytest.raises(ValueError, match="suppliers_file"):  # never silently influenceable
        influenceable.exclusion_rules(defs)
    r = Report(cfg, year="2020/21", report_dir=tmp_path)
    assert r.framework_suppliers == ("Framework Supplier Ltd",)
    rules = influenceable.exclusion_rules(defs, None, r.framework_suppliers)
    t = influenceable.exclusions(influenceable.classify(spend, rules), rules).set_index("rule")
    assert t.loc["National frameworks (named suppliers)", "spend_pence"] == 150_000
