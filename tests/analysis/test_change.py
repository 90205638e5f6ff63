"""Change over time: decomposition and shift-share identities on hand-made data, churn, coverage and
the change summary (the trend model is tests/analysis/test_trend.py)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from test_baseline import make_spend

from cwbtools.analysis import change

# Year 0: total 1000, place 100 (sector C: 50 of 500 local; F: 50 of 500 local).
# Year 1: total 1500, place 300 (C: 250 of 500 local; F: 0 of 700; Q new: 50 of 300).
TWO_YEARS = [
    dict(year="2012/13", key="c1", geo="place", pence=50, section="C"),
    dict(year="2012/13", key="c2", geo="outside", pence=450, section="C"),
    dict(year="2012/13", key="f1", geo="place", pence=50, section="F"),
    dict(year="2012/13", key="f2", geo="wider", pence=450, section="F"),
    dict(year="2016/17", key="c1", geo="place", pence=200, section="C"),
    dict(year="2016/17", key="c3", geo="place", pence=50, section="C"),
    dict(year="2016/17", key="c2", geo="outside", pence=250, section="C"),
    dict(year="2016/17", key="f2", geo="wider", pence=700, section="F"),
    dict(year="2016/17", key="q1", geo="place", pence=50, section="Q"),
    dict(year="2016/17", key="q2", geo="outside", pence=250, section="Q"),
]


@pytest.fixture
def two_years() -> pd.DataFrame:
    return make_spend(TWO_YEARS)


def test_decompose_by_hand():
    # p0 = .1, dT = 500 -> total effect 50; T1 * dp = 1500 * (.2 - .1) = 150; dL = 200.
    d = change.decompose(100, 1000, 300, 1500)
    assert (d["change_pence"], d["total_effect_pence"], d["share_effect_pence"]) == (200, 50, 150)


def test_decompose_adds_up_exactly_with_awkward_pence():
    d = change.decompose(38_300_000_01, 750_000_000_07, 112_300_000_13, 617_000_000_03)
    assert d["total_effect_pence"] + d["share_effect_pence"] == d["change_pence"]
    assert d["total_effect_pence"] == round(38_300_000_01 * (617_000_000_03 - 750_000_000_07) / 750_000_000_07)


def test_decompose_local_change_on_spend(two_years):
    dec = change.decompose_local_change(two_years, "2012/13", "2016/17").set_index("measure")
    place = dec.loc["place"]
    assert (place["local_from_pence"], place["local_to_pence"], place["change_pence"]) == (100, 300, 200)
    assert (place["total_effect_pence"], place["share_effect_pence"]) == (50, 150)
    wider = dec.loc["wider"]  # 550 -> 1000; p0 = .55, dT = 500 -> 275; share effect 175
    assert (wider["change_pence"], wider["total_effect_pence"], wider["share_effect_pence"]) == (450, 275, 175)
    assert (dec["total_effect_pence"] + dec["share_effect_pence"] == dec["change_pence"]).all()


def test_shift_share_identity_by_hand(two_years):
    shift = change.shift_share(two_years, "2012/13", "2016/17", "section", "place").set_index("sector")
    # w0: C .5, F .5, Q 0; w1: C 1/3, F 7/15, Q 1/5; p0: C .1, F .1, Q (new) takes p1 = 1/6;
    # p1: C .5, F 0, Q 1/6.
    assert shift.loc["C", "composition_effect"] == pytest.approx((1 / 3 - 0.5) * 0.1)
    assert shift.loc["C", "localisation_effect"] == pytest.approx(1 / 3 * 0.4)
    assert shift.loc["F", "localisation_effect"] == pytest.approx(7 / 15 * -0.1)
    assert shift.loc["Q", "composition_effect"] == pytest.approx(0.2 * 1 / 6)
    assert shift.loc["Q", "localisation_effect"] == pytest.approx(0.0)
    total = shift["composition_effect"].sum() + shift["localisation_effect"].sum()
    assert total == pytest.approx(0.2 - 0.1, abs=1e-12)
    summary = change.shift_share_summary(shift.reset_index())
    assert summary["share_points"].iloc[:2].sum() == pytest.approx(summary["share_points"].iloc[2])


def test_shift_share_identity_random():
    rng = np.random.default_rng(7)
    rows = []
    for year in ["2014/15", "2015/16"]:
        for i in range(300):
            rows.append(
                dict(
                    year=year,
                    key=f"k{i}",
                    pence=int(rng.integers(1, 100_000)),
                    geo=rng.choice(["place", "wider", "outside", "unlocated"]),
                    section=rng.choice(["A", "C", "F", "N", None]),
                )
            )
    spend = make_spend(rows)
    for base in ["total", "located"]:
        shift = change.shift_share(spend, "2014/15", "2015/16", base=base)
        p0 = shift["local_from_pence"].sum() / shift["base_from_pence"].sum()
        p1 = shift["local_to_pence"].sum() / shift["base_to_pence"].sum()
        assert shift["composition_effect"].sum() + shift["localisation_effect"].sum() == pytest.approx(
            p1 - p0, abs=1e-12
        )


def test_supplier_churn_adds_up(two_years):
    churn = change.supplier_churn(two_years, "2012/13", "2016/17").set_index("suppliers")
    assert churn.loc["continuing", "count"] == 1 and churn.loc["continuing", "change_pence"] == 150  # c1 50 -> 200
    assert churn.loc["gained", "count"] == 2 and churn.loc["gained", "to_pence"] == 100  # c3, q1
    assert churn.loc["lost", "count"] == 1 and churn.loc["lost", "from_pence"] == 50  # f1
    assert churn["change_pence"].sum() == 200


def test_measures_by_year_and_coverage(two_years):
    extra = make_spend(TWO_YEARS + [dict(year="2012/13", anchor="B", key="b1", geo="unlocated", pence=1000)])
    mby = change.measures_by_year(extra, deprived_deciles=(1, 2))
    assert list(mby["anchor"][:2]) == ["All anchors", "All anchors"]
    row = mby[(mby["anchor"] == "All anchors") & (mby["year"] == "2016/17")].iloc[0]
    assert row["total_pence"] == 1500 and row["place_pence"] == 300 and row["anchors"] == 1
    assert change.balanced_anchors(extra) == ["A"]
    notes = change.comparability_notes(extra)
    assert any("B has no spend in 2016/17" in n for n in notes)
    assert any("Located coverage" in n for n in notes)  # 50% in 2012/13, 100% in 2016/17
    cov = change.year_coverage(extra)
    assert cov.set_index(["anchor", "year"]).loc[("B", "2016/17"), "payments"] == 0


def test_change_summary_schema(two_years):
    from cwbtools.config import parse_config

    defs = parse_config(
        {
            "name": "T",
            "slug": "t",
            "place": {"name": "P", "lad_codes": ["E07000123"]},
            "wider_area": ["E07000117"],
            "years": ["2012/13", "2016/17"],
            "anchors": [{"name": "A", "kind": "council", "ledgers": ["x.csv"]}],
        },
        resolve_areas=False,
    ).analysis_definitions()
    s = change.change_summary(defs, two_years)
    c = s["change"]
    assert (c["from"], c["to"]) == ("2012/13", "2016/17")
    assert c["place_gbp_change"] == 2.0 and c["wider_gbp_change"] == 4.5
    assert c["total_effect_gbp"] + c["share_effect_gbp"] == c["place_gbp_change"]
    assert c["place_share_change"] == pytest.approx(0.2 - 0.1)  # of located spend: 100/1000 -> 300/1500
    assert set(s["years"]) == {"2012/13", "2016/17"} and s["years"]["2016/17"]["total_gbp"] == 15.0
    for key in [
        "from",
        "to",
        "place_gbp_change",
        "wider_gbp_change",
        "place_share_change",
        "wider_share_change",
        "total_effect_gbp",
        "share_effect_gbp",
    ]:
        assert key in c


def test_comparability_flags_a_jump_in_total():
    rows = [
        dict(year=y, key="k", geo="place", pence=p, date=f"{y[:4]}-06-01")
        for y, p in [("2017/18", 1000), ("2018/19", 1100), ("2019/20", 5000)]
    ]
    notes = change.comparability_notes(make_spend(rows), months_full=1)
    assert notes == [
        "2019/20: total spend £50 is 4.5 times the median year (£11); check what the ledgers include that year."
    ]


def test_comparison_years_and_empty_balanced_panel(two_years):
    class Config:
        baseline_year = "2016/17"

    assert change.comparison_years(Config(), ["2012/13", "2016/17"]) == ("2012/13", "2016/17")
    Config.baseline_year = "2012/13"
    assert change.comparison_years(Config(), ["2012/13", "2014/15", "2016/17"]) == ("2012/13", "2016/17")
    assert change.balanced_anchors(two_years, ["2016/17", "2016/17"]) == ["A"]
    empty = change.decompose_local_change(two_years, "2012/13", "2016/17", anchors=[])
    assert empty.empty and "share_effect_pence" in empty.columns


def _placed_by_head_offices(rows: list[dict]) -> pd.DataFrame:
    spend = make_spend(rows)
    spend["location_basis"] = spend["located"].map({True: "head_office", False: "none"}).astype("string")
    return spend


def test_the_office_limit_in_force_governs_every_central_share_by_year():
    """`definitions.location.office_share_limit` withholds the central share in the by-year table,
    the sensitivity table and the change figures as in the headline (the default once hid it)."""
    from cwbtools.analysis import uncertainty

    spend = _placed_by_head_offices(TWO_YEARS)
    strict = change.measures_by_year(spend, deprived_deciles=(1, 2), by_anchor=False)
    loose = change.measures_by_year(spend, deprived_deciles=(1, 2), by_anchor=False, office_limit=1.0)
    assert strict["place_share"].isna().all()
    assert list(loose["place_share"]) == pytest.approx([0.1, 0.2])
    year = spend[spend["financial_year"] == "2016/17"]
    assert uncertainty.sensitivity(year, (1, 2))["share"].isna().all()
    assert uncertainty.sensitivity(year, (1, 2), office_limit=1.0)["share"].notna().all()


def test_readers_see_each_year_range_first_and_one_anchor_once(two_years):
    from cwbtools.analysis import findings

    mby = change.measures_by_year(two_years, deprived_deciles=(1, 2))
    assert list(mby["anchor"]) == ["All anchors", "All anchors", "A", "A"]
    once = findings.one_anchor_once(mby)
    assert list(once["anchor"]) == ["A", "A"], "the one anchor's rows repeated the total's"
    shown = change.shares_by_year(once)
    assert list(shown.columns) == [
        "year", "anchor", "months", "total_pence", "located_share",
        "place_share_bounds", "place_share", "wider_share_bounds", "wider_share",
    ]  # fmt: skip
    # 2012/13: place 100 of 1000 all located; 2016/17: 300 of 1500.
    assert list(shown["place_share_bounds"]) == ["10.0% to 10.0%", "20.0% to 20.0%"]
    two = make_spend(TWO_YEARS + [dict(year="2012/13", anchor="B", key="b1", geo="place", pence=1000)])
    both = change.measures_by_year(two, deprived_deciles=(1, 2))
    assert findings.one_anchor_once(both).equals(both), "with two anchors every row stays"


def test_the_balanced_view_is_shown_only_when_it_differs(two_years):
    from test_change_comparable import _defs

    defs = _defs(["2012/13", "2016/17"])
    assert "Every anchor (A) has spend in every year" in change.balanced_text(two_years)
    assert change.balanced_shares(two_years, defs) is None, "it would repeat the table above"
    extra = make_spend(TWO_YEARS + [dict(year="2012/13", anchor="B", key="b1", geo="place", pence=1000)])
    assert change.balanced_text(extra).endswith("joining or leaving: A.")
    balanced = change.balanced_shares(extra, defs)
    assert list(balanced["anchor"]) == ["All anchors", "All anchors"]
    assert list(balanced["total_pence"]) == [1000, 1500], "B's 2012/13 pounds left out"
