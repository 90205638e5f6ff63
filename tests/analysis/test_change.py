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
