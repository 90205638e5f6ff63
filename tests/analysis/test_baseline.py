"""The baseline measures on small hand-made spend frames whose answers are worked out by hand."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from cwbtools.analysis import baseline, concentration, deprivation, headlines
from cwbtools.analysis.respend import respend_lm3
from cwbtools.errors import CwbError
from cwbtools.schema import INDIVIDUALS_LABEL

SPEND_COLUMNS = [
    "anchor",
    "anchor_kind",
    "financial_year",
    "payment_date",
    "amount_pence",
    "supplier_key",
    "supplier_name",
    "supplier_type",
    "individual",
    "lad_code",
    "ward_code",
    "lsoa_code",
    "imd_decile",
    "sic_code",
    "sic_section",
    "sic_division",
    "sic_inferred",
    "expense_category",
    "resolved_by",
    "located",
    "geo",
    "deprived",
    "in_place",
    "in_wider",
]


def make_spend(rows: list[dict]) -> pd.DataFrame:
    """A spend frame (CONTRACTS section 4) from short rows: `geo` sets located / in_place / in_wider."""
    out = []
    for r in rows:
        geo = r.get("geo", "unlocated")
        located = geo != "unlocated"
        decile = r.get("imd_decile")
        row = {
            "anchor": r.get("anchor", "A"),
            "anchor_kind": "council",
            "financial_year": r.get("year", "2012/13"),
            "payment_date": pd.Timestamp(r.get("date", "2012-06-01")),
            "amount_pence": r["pence"],
            "supplier_key": r["key"],
            "supplier_name": r.get("name", r["key"].upper()),
            "supplier_type": r.get("type", "unknown"),
            "individual": r.get("type") == "individual",
            "lad_code": r.get("lad", {"place": "P1", "wider": "W1", "outside": "O1"}.get(geo)),
            "ward_code": r.get("ward"),
            "lsoa_code": None,
            "imd_decile": decile,
            "sic_code": None,
            "sic_section": r.get("section"),
            "sic_division": r.get("division"),
            "sic_inferred": False,
            "expense_category": None,
            "resolved_by": "crosswalk",
            "located": located,
            "geo": geo,
            "deprived": (decile in (1, 2)) if decile is not None else None,
            "in_place": geo == "place" if located else None,
            "in_wider": geo in ("place", "wider") if located else None,
        }
        out.append(row)
    df = pd.DataFrame(out, columns=SPEND_COLUMNS)
    df["amount_pence"] = df["amount_pence"].astype("int64")
    df["imd_decile"] = df["imd_decile"].astype("Int64")
    for c in ["located", "in_place", "in_wider", "deprived", "individual"]:
        df[c] = df[c].astype("boolean")
    return df


# Totals by hand: total 10000; located 5500 (unlocated 4500); place 1500; wider (place included) 2500;
# outside 3000; typed 6000 (s4 unknown 4000); sme 1500; vcse 3000; with a decile 5500, deprived 4500.
HAND = [
    dict(anchor="A", key="s1", type="sme", geo="place", pence=1000, ward="w1", imd_decile=1, section="C"),
    dict(anchor="A", key="s2", type="large", geo="wider", pence=2000, imd_decile=5, section="F"),
    dict(anchor="A", key="s3", type="vcse", geo="outside", pence=3000, imd_decile=2, section="Q"),
    dict(anchor="A", key="s4", type="unknown", geo="unlocated", pence=4000),
    dict(anchor="B", key="s1", type="sme", geo="place", pence=500, ward="w2", imd_decile=1, section="C"),
    dict(anchor="B", key="jane", name="Jane Doe", type="individual", geo="unlocated", pence=500),
    dict(anchor="B", key="s2", type="large", geo="wider", pence=-1000, imd_decile=5, section="F"),
]


@pytest.fixture
def hand() -> pd.DataFrame:
    return make_spend(HAND)


def test_measures_by_hand(hand):
    m = baseline.measures(hand, (1, 2))
    assert (m["total"], m["located"], m["unlocated"]) == (10000, 5500, 4500)
    assert (m["place"], m["wider"], m["outside"]) == (1500, 2500, 3000)
    assert m["place"] + (m["wider"] - m["place"]) + m["outside"] + m["unlocated"] == m["total"]
    assert m["place_share"] == pytest.approx(1500 / 5500)
    assert (m["place_share_lo"], m["place_share_hi"]) == pytest.approx((0.15, 0.60))
    assert m["wider_share"] == pytest.approx(2500 / 5500)
    assert (m["wider_share_lo"], m["wider_share_hi"]) == pytest.approx((0.25, 0.70))
    assert m["located_share"] == pytest.approx(0.55)
    assert m["sme_share"] == pytest.approx(0.25) and m["vcse_share"] == pytest.approx(0.5)
    assert (m["sme_share_lo"], m["sme_share_hi"]) == pytest.approx((0.15, 0.55))
    assert m["deprived_share"] == pytest.approx(4500 / 5500)
    assert m["suppliers"] == 5 and m["payments"] == 7


def test_headline_per_anchor(hand):
    head = baseline.headline(hand, (1, 2))
    assert list(head["anchor"]) == ["All anchors", "A", "B"]
    a = head.set_index("anchor").loc["A"]
    b = head.set_index("anchor").loc["B"]
    assert (a["total_pence"], a["place_pence"], a["wider_pence"], a["outside_pence"]) == (10000, 1000, 3000, 3000)
    # B: 500 place, -1000 wider credit, 500 individual unlocated: located -500, total 0.
    assert (b["total_pence"], b["located_pence"]) == (0, -500)
    assert math.isnan(b["place_share_lo"])  # no spend to share out
    assert head["total_pence"].dtype == "int64"
    assert head.loc[1:, "total_pence"].sum() == head.loc[0, "total_pence"]


def test_bounded_share_bounds_contain_share():
    b = baseline.bounded_share(30, 60, 100)
    assert b == pytest.approx({"share": 0.5, "lo": 0.3, "hi": 0.7, "coverage": 0.6})
    assert b["lo"] <= b["share"] <= b["hi"]


def test_for_year_rejects_missing_year(hand):
    assert len(baseline.for_year(hand, "2012/13")) == 7
    with pytest.raises(CwbError, match="2099/00"):
        baseline.for_year(hand, "2099/00")


def test_spend_by_lad_orders_place_first(hand):
    geography = pd.DataFrame({"lad_code": ["P1", "W1", "O1"], "lad_name": ["Placeton", "Widershire", "Farland"]})
    lad = baseline.spend_by_lad(hand, geography)
    assert list(lad["lad_code"]) == ["P1", "W1", "O1", ""]
    assert list(lad["lad_name"]) == ["Placeton", "Widershire", "Farland", "(not located)"]
    assert list(lad["spend_pence"]) == [1500, 1000, 3000, 4500]
    assert lad["spend_pence"].sum() == 10000
    per_anchor = baseline.spend_by_lad(hand, geography, by_anchor=True)
    assert per_anchor.groupby("anchor")["spend_pence"].sum().to_dict() == {"A": 10000, "B": 0}


def test_spend_by_ward(hand):
    ward = baseline.spend_by_ward(hand, pd.DataFrame({"ward_code": ["w1", "w2"], "ward_name": ["One", "Two"]}))
    assert list(ward["ward_name"]) == ["One", "Two"]
    assert list(ward["spend_pence"]) == [1000, 500]
    assert ward["share_of_place"].tolist() == pytest.approx([2 / 3, 1 / 3])


def test_spend_by_sector(hand):
    sic = pd.DataFrame(
        {"sic_section": ["C", "F", "Q"], "sic_section_name": ["Manufacturing", "Construction", "Health"]}
    )
    sec = baseline.spend_by_sector(hand, "section", sic).set_index("sector")
    assert list(sec.index) == ["Q", "C", "F", ""]  # largest first, no SIC last
    assert sec.loc["C", "place_pence"] == 1500 and sec.loc["C", "place_share"] == 1.0
    assert sec.loc["F", "total_pence"] == 1000 and sec.loc["F", "wider_pence"] == 1000
    assert sec.loc["F", "place_share"] == 0.0 and sec.loc["Q", "wider_share"] == 0.0
    assert sec.loc["", "sector_name"] == "(no SIC)" and sec.loc["", "unlocated_pence"] == 4500
    assert sec["total_pence"].sum() == 10000


def test_spend_by_business_type(hand):
    bt = baseline.spend_by_business_type(hand).set_index("supplier_type")
    assert list(bt.index) == ["sme", "large", "vcse", "individual", "unknown"]
    assert bt.loc["sme", "total_pence"] == 1500 and bt.loc["sme", "place_pence"] == 1500
    assert bt.loc["large", "total_pence"] == 1000 and bt.loc["vcse", "outside_pence"] == 3000
    assert bt.loc["vcse", "share_of_total"] == pytest.approx(0.3)
    assert "Jane" not in bt.to_csv()
    local = baseline.local_business_spend(hand).set_index(["business_type", "area"])
    assert local.loc[("SME", "place"), "spend_pence"] == 1500
    assert local.loc[("VCSE", "wider"), "spend_pence"] == 0
    assert local.loc[("SME", "place"), "share_of_located"] == pytest.approx(1500 / 5500)
    assert local.loc[("SME", "place"), ["share_lo", "share_hi"]].tolist() == pytest.approx([0.15, 0.15])


def test_deprived_area_spend(hand):
    dep = deprivation.deprived_area_spend(hand, (1, 2), place_lsoa_share=0.25).set_index("scope")
    assert dep.loc["all spend with firms", "deprived_pence"] == 4500
    assert dep.loc["all spend with firms", "deprived_share"] == pytest.approx(4500 / 5500)
    assert dep.loc["spend with firms in the place", "deprived_share"] == 1.0
    # Bounds over all spend with firms: Jane (an individual, 500) is not a firm.
    assert dep.loc["all spend with firms", "deprived_share_lo"] == pytest.approx(4500 / 9500)
    # Only decile 1 counts: 1500 of 5500.
    only1 = deprivation.deprived_area_spend(hand, (1,)).set_index("scope")
    assert only1.loc["all spend with firms", "deprived_pence"] == 1500


def test_place_deprived_lsoa_share_and_deciles(hand):
    lsoa = pd.DataFrame(
        {"lsoa_code": list("abcdef"), "lad_code": ["P1"] * 4 + ["X"] * 2, "imd_decile": [1, 2, 7, 9, 1, 1]}
    )
    assert deprivation.place_deprived_lsoa_share(lsoa, ["P1"], (1, 2)) == pytest.approx(0.5)
    dec = deprivation.spend_by_decile(hand, lsoa, ["P1"]).set_index("imd_decile")
    assert len(dec) == 10
    assert dec.loc[1, "spend_pence"] == 1500 and dec.loc[5, "spend_pence"] == 1000 and dec.loc[2, "spend_pence"] == 3000
    assert dec.loc[1, "place_lsoa_share"] == pytest.approx(0.25)


def test_top_suppliers_never_names_individuals(hand):
    more = make_spend(HAND + [dict(anchor="A", key="bob", name="Bob Smith", type="individual", pence=700)])
    top = concentration.top_suppliers(more, n=300)
    assert "Jane Doe" not in top.to_csv() and "Bob Smith" not in top.to_csv()
    ind = top[top["supplier_name"] == INDIVIDUALS_LABEL]
    assert len(ind) == 1 and ind.iloc[0]["spend_pence"] == 1200
    assert list(top["supplier_name"][:2]) == ["S4", "S3"]
    assert top["spend_pence"].sum() == 10700
    assert list(concentration.top_suppliers(more, n=2)["rank"]) == [1, 2]


def test_supplier_counts(hand):
    counts = concentration.supplier_counts(hand).set_index("geo")
    assert counts.loc["place", "suppliers"] == 1 and counts.loc["unlocated", "suppliers"] == 2
    assert counts["spend_pence"].sum() == 10000


def test_supplier_concentration_by_hand():
    rows = [dict(key=f"k{i}", pence=p, geo="outside") for i, p in enumerate([50, 30, 20])]
    conc = concentration.supplier_concentration(make_spend(rows), min_suppliers=3).set_index("group")
    # shares .5, .3, .2 -> HHI = (.25 + .09 + .04) * 10000 = 3800; top-10 share 1.
    assert conc.loc["All anchors", "hhi"] == pytest.approx(3800)
    assert conc.loc["All anchors", "top10_share"] == pytest.approx(1.0)
    assert "A" not in conc.index, "one anchor's row would repeat all anchors'"
    two = concentration.supplier_concentration(make_spend([*rows, dict(anchor="B", key="b", pence=5)]), 1)
    assert set(two.loc[two["group_kind"] == "anchor", "group"]) == {"A", "B"}
    small = concentration.supplier_concentration(make_spend(rows), min_suppliers=4).set_index("group")
    assert math.isnan(small.loc["All anchors", "hhi"]) and "fewer than 4" in small.loc["All anchors", "note"]


def test_benchmark_comparison(hand):
    m = baseline.measures(hand, (1, 2))
    bench = baseline.benchmark_comparison(m, 0.311, 0.47).set_index("measure")
    place = bench.loc["Spend with suppliers in the place"]
    assert place["difference"] == pytest.approx(1500 / 5500 - 0.311)
    assert place["verdict"] == "within bounds"  # 15% to 60% straddles 31.1%
    assert bench.loc["Spend with SMEs", "verdict"] == "within bounds"
    low = baseline.benchmark_comparison({**m, "place_share_hi": 0.2}, 0.311, 0.47).set_index("measure")
    assert low.loc["Spend with suppliers in the place", "verdict"] == "below"


def _defs(**definitions):
    """The analysis definitions of a small config (the config model's defaults where silent)."""
    from cwbtools.config import parse_config

    config = parse_config(
        {
            "name": "Placeton",
            "slug": "placeton",
            "synthetic": True,
            "place": {"name": "Placeton", "lad_codes": ["E07000123"]},
            "wider_area": {"name": "Widershire", "lad_codes": ["E07000117"]},
            "years": ["2012/13"],
            "anchors": [{"name": "A", "kind": "council", "ledgers": ["x.csv"]}],
            "definitions": definitions,
        },
        resolve_areas=False,
    )
    return config.analysis_definitions()


def test_respend_lm3_by_supplier_type_and_survey(hand):
    respend = _defs().respend
    lm3 = respend_lm3(hand, respend)
    assert list(lm3["kind"]) == ["assumption"]
    top = lm3.iloc[0]
    # Lower bound (unlocated all outside): round 1 10000, round 2 1500 (all with the SME s1),
    # round 3 = 1500 * .63 = 945 -> LM3 1.2445. The central round 2 is the headline's (issue 21).
    assert (top["round1_pence"], top["round2_lo_pence"], top["round3_lo_pence"]) == (10000, 1500, 945)
    assert top["lm3_lo"] == pytest.approx(1.2445) and "SME 63p on 100%" in top["basis"]
    # A second type in the place: round 3 weights each type's pounds by its own rate.
    mixed = make_spend(HAND + [dict(anchor="A", key="s5", type="large", geo="place", pence=500)])
    top = respend_lm3(mixed, {**respend, "large": 0.2}).iloc[0]
    assert (top["round2_lo_pence"], top["round3_lo_pence"]) == (2000, 945 + 100)
    assert "Large business 20p on 25%" in top["basis"]
    survey = pd.DataFrame({"supplier_key": ["s1", "s3"], "local_respend_share": [0.5, 0.9]})
    measured = respend_lm3(hand, respend, survey=survey)
    assert list(measured["kind"]) == ["measured"]
    assert measured.iloc[0]["round3_lo_pence"] == 750  # only s1 is in the place
    with pytest.raises(CwbError, match="local_respend_share"):
        respend_lm3(hand, respend, survey=survey.drop(columns="local_respend_share"))


def test_analysis_definitions_defaults_and_overrides():
    import datetime as dt

    d = _defs()
    assert d.deprived_deciles == (1, 2) and d.local_benchmark == 0.311 and d.policy_start is None
    assert dict(d.respend) == {
        "sme": 0.63,
        "large": 0.40,
        "vcse": 0.63,
        "public": 0.40,
        "public_corporation": 0.40,
        "unknown": 0.40,
    }
    d = _defs(
        deprived={"deciles": [1]},
        policy_start="2013-04-01",
        benchmark={"local_share": 0.3, "sme_share": 0.5},
        respend={"sme": 0.9},
        sme={"unknown_as": "sme"},
    )
    assert d.deprived_deciles == (1,) and d.local_benchmark == 0.3 and d.sme_benchmark == 0.5
    assert d.respend["sme"] == 0.9 and d.respend["large"] == 0.40 and d.policy_start == dt.date(2013, 4, 1)
    assert d.unknown_size_as == "sme"


def test_definitions_from_real_config():
    from cwbtools.config import load_config

    d = load_config("preston-demo", check_inputs=False, resolve_areas=False).analysis_definitions()
    # The demo's anchors include police, a college and a housing association: the councils'
    # benchmark is no average of theirs, so no verdict (issue 21).
    assert d.deprived_deciles == (1, 2) and d.local_benchmark is None
    assert d.benchmark_kinds == ("council", "county_council")
    assert d.respend["sme"] == 0.63 and d.respend["large"] == 0.40 and str(d.policy_start) == "2013-04-01"
    assert d.companies_file is not None and d.companies_file.is_absolute()


def test_count_unknown_size(hand):
    assert baseline.count_unknown_size(hand, "unknown") is hand
    as_sme = baseline.count_unknown_size(hand, "sme")
    assert as_sme.loc[hand["supplier_key"] == "s4", "supplier_type"].tolist() == ["sme"]
    assert as_sme.loc[hand["supplier_key"] == "jane", "supplier_type"].tolist() == ["individual"]
    # s4's 4000 unlocated pence now count as SME spend: SME share (1500 + 4000) / 10000, fully typed.
    m = baseline.measures(as_sme, (1, 2))
    assert m["sme_share"] == pytest.approx(0.55) and m["sme_coverage"] == pytest.approx(1.0)
    with pytest.raises(ValueError):
        baseline.count_unknown_size(hand, "medium")


def test_baseline_summary_schema(hand):
    import dataclasses

    defs = dataclasses.replace(_defs(), place_lads=("P1",), wider_lads=("P1", "W1"))
    s = headlines.baseline_summary(defs, hand, "2012/13")
    y = s["years"]["2012/13"]
    for key in [
        "total_gbp",
        "place_gbp",
        "place_share",
        "wider_gbp",
        "wider_share",
        "outside_gbp",
        "located_share",
        "place_share_bounds",
        "wider_share_bounds",
        "sme_share",
        "vcse_share",
        "deprived_share",
        "anchors",
    ]:
        assert key in y
    # On the procurement base: Jane (an individual, £5) is set aside; all kept spend keeps her.
    assert y["base"] == "procurement" and y["excluded_gbp"]["individual"] == 5.0
    assert y["total_gbp"] == 95.0 and y["place_gbp"] == 15.0 and y["outside_gbp"] == 30.0
    assert y["place_share_bounds"] == pytest.approx([15 / 95, 55 / 95])
    assert y["all_spend"]["total_gbp"] == 100.0 and y["all_spend"]["place_share_bounds"] == pytest.approx([0.15, 0.6])
    assert set(y["anchors"]) == {"A", "B"} and y["anchors"]["A"]["place_gbp"] == 10.0
    assert s["place"] == {"name": "Placeton", "lad_codes": ["P1"]} and s["synthetic"] is True


def test_coverage_note(hand):
    note = headlines.coverage_note(hand)
    assert note.startswith("Based on 7 payments by 2 anchors in 2012/13")
    assert "£55 of £100 located to a postcode (55.0%)" in note


def test_sme_share_only_bounded_when_smes_cannot_be_told_apart(hand):
    m = baseline.measures(hand, (1, 2), sme_measured=False)
    assert math.isnan(m["sme_share"])
    assert (m["sme_share_lo"], m["sme_share_hi"]) == pytest.approx((0.15, 0.55))
    assert baseline.sme_measurable(hand)
    no_sme = make_spend([r for r in HAND if r.get("type") != "sme"])
    assert not baseline.sme_measurable(no_sme)
    import dataclasses
    from pathlib import Path

    assert not baseline.sme_measurable(no_sme, _defs())
    assert baseline.sme_measurable(no_sme, dataclasses.replace(_defs(), companies_file=Path("companies.csv")))
    assert baseline.sme_measurable(no_sme, _defs(sme={"unknown_as": "large"}))
    bench = baseline.benchmark_comparison(m, 0.311, 0.47).set_index("measure").loc["Spend with SMEs"]
    assert bench["verdict"] == "not measured; bounds straddle the benchmark"


def test_business_type_and_deprivation_per_anchor(hand):
    bt = baseline.spend_by_business_type(hand, by_anchor=True).set_index(["anchor", "supplier_type"])
    assert bt.loc[("A", "vcse"), "share_of_total"] == pytest.approx(0.3)  # 3000 of A's 10000
    assert bt.loc[("B", "sme"), "total_pence"] == 500 and ("B", "vcse") not in bt.index
    dep = deprivation.deprived_area_spend(hand, (1, 2), by_anchor=True).set_index(["anchor", "scope"])
    assert dep.loc[("A", "all spend with firms"), "deprived_pence"] == 4000  # s1 1000 + s3 3000
    assert dep.loc[("B", "all spend with firms"), "with_decile_pence"] == -500
    assert dep.loc[("All anchors", "all spend with firms"), "deprived_pence"] == 4500


def test_deprived_share_counts_firms_only(hand):
    """Issue 18: a county hall in a deprived ward is not spend in a deprived area. A public body and a
    public corporation in decile 1 leave the deprived measures; firms' figures are as before."""
    rows = HAND + [
        dict(anchor="A", key="hall", type="public", geo="place", pence=8000, imd_decile=1),
        dict(anchor="A", key="almo", type="public_corporation", geo="place", pence=2000, imd_decile=1),
    ]
    m = baseline.measures(make_spend(rows), (1, 2))
    assert m["deprived"] == 4500 and m["deprived_share"] == pytest.approx(4500 / 5500)
    assert m["deprived_share_lo"] == pytest.approx(4500 / 9500)
    dep = deprivation.deprived_area_spend(make_spend(rows), (1, 2)).set_index("scope")
    assert dep.loc["spend with firms in the place", "total_pence"] == 1500
    dec = deprivation.spend_by_decile(make_spend(rows)).set_index("imd_decile")
    assert dec.loc[1, "spend_pence"] == 1500


def test_net_negative_spend_gets_no_share_but_keeps_bounds():
    """Issue 18: a year whose net spend is below zero was reported as "100.9% local". Now no share,
    no benchmark verdict, a sentence why; the bounds and the located share are still given."""
    rows = [
        dict(key="a", type="sme", geo="place", pence=1000),
        dict(key="b", type="large", geo="outside", pence=-5000),
        dict(key="c", type="unknown", geo="unlocated", pence=500),
    ]
    m = baseline.measures(make_spend(rows), (1, 2))
    assert m["total"] == -3500 and not m["meaningful"] and "zero or negative" in m["note"]
    for key in ("place", "wider", "outside", "sme", "vcse", "deprived"):
        assert math.isnan(m[f"{key}_share"]), key
    assert m["place_share_lo"] == pytest.approx(1000 / -3500) and m["located_share"] == pytest.approx(4000 / 3500)
    bench = baseline.benchmark_comparison(m, 0.311, 0.47)
    assert bench["verdict"].str.startswith("not compared").all() and bench["share"].isna().all()
    text = headlines.headline_text(m, "Placeton", "Wider", "2012/13")
    assert "zero or negative" in text and "%" not in text
    table = baseline.headline_table(baseline.headline(make_spend(rows), (1, 2)))
    assert table["place_share"].isna().all() and table["note"].str.contains("zero or negative").all()
    # A positive year with net-negative located spend has no share of located spend either.
    lad = baseline.spend_by_lad(make_spend(rows))
    assert lad["spend_pence"].sum() == -3500


def test_a_partial_year_says_so_in_the_headline(hand):
    m = baseline.measures(hand, (1, 2))
    assert "2019/20 (partial: 9 months, not annualised)" in headlines.headline_text(m, "P", "W", "2019/20", months=9)
    assert "partial" not in headlines.headline_text(m, "P", "W", "2019/20")


# -- the fast paths give what the pandas idioms they replace give --------------------------------


def test_payment_dates_read_arrow_dates_as_to_datetime_does():
    import pyarrow as pa

    dates = [pd.Timestamp("2019-04-01").date(), None, pd.Timestamp("2020-03-31").date()]
    arrow = pd.DataFrame({"payment_date": pd.array(dates, dtype=pd.ArrowDtype(pa.date32()))})
    text = pd.DataFrame({"payment_date": ["2019-04-01", None, "not a date"]})
    chunks = pd.concat([arrow, arrow], ignore_index=True)  # two Arrow chunks
    for frame in (arrow, chunks, text):
        pd.testing.assert_series_equal(
            baseline.payment_dates(frame), pd.to_datetime(frame["payment_date"], errors="coerce")
        )


def test_rows_of_a_block_are_the_rows_of_the_mask():
    frame = pd.DataFrame({"x": range(6), "y": list("abcdef")}, index=[5, 3, 9, 1, 0, 7])
    for mask in ([0, 1, 1, 1, 0, 0], [1, 0, 1, 0, 0, 1], [0] * 6, [1] * 6):
        got = baseline._rows(frame, pd.Series(mask, index=frame.index).astype(bool))
        pd.testing.assert_frame_equal(got, frame[pd.Series(mask, index=frame.index).astype(bool)])


def test_group_sums_agree_with_groupby():
    frame = pd.DataFrame(
        {
            "k1": pd.array(["b", "a", "b", "", "a", "b"], dtype="string"),
            "k2": pd.array(["x", "y", "x", "x", "y", "z"], dtype="string"),
            "pence": [10, -3, 5, 7, 2**40, 1],
            "supplier_key": pd.array(["s1", None, "s1", "s2", "s3", None], dtype="string"),
        }
    )
    for keys in (["k1"], ["k1", "k2"]):
        got = baseline._group_sums(frame[keys], {"p": frame["pence"].to_numpy()}, frame["supplier_key"], payments=True)
        want = (
            frame.groupby(keys, sort=True, dropna=False)
            .agg(p=("pence", "sum"), suppliers=("supplier_key", "nunique"), payments=("pence", "size"))
            .reset_index()
        )
        pd.testing.assert_frame_equal(got, want)
    empty = frame.iloc[:0]
    got = baseline._group_sums(empty[["k1"]], {"p": empty["pence"].to_numpy()}, empty["supplier_key"])
    assert list(got.columns) == ["k1", "p", "suppliers"] and got.empty


def test_names_read_only_the_codes_asked_for():
    table = pd.DataFrame({"code": ["A", "B", "A", "C"], "name": ["first", "bee", "last", "sea"]})
    assert baseline._names(table, "code", "name", ["A", "C", "Z"]) == {"A": "last", "C": "sea"}
