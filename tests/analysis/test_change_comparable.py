"""Issue 20 points 1 and 2: a change compares only the months covered in both years, and says which
supplier drives it (leave-top-k, the coverage-constant view). Hand-made frames, answers by hand."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest
from test_baseline import make_spend

from cwbtools.analysis import change
from cwbtools.config import parse_config


def _defs(years: list[str]):
    return parse_config(
        {
            "name": "T",
            "slug": "t",
            "place": {"name": "P", "lad_codes": ["E07000123"]},
            "wider_area": ["E07000117"],
            "years": years,
            "anchors": [{"name": "A", "kind": "council", "ledgers": ["x.csv"]}],
        },
        resolve_areas=False,
    ).analysis_definitions()


def _spend(rows: list[dict]) -> pd.DataFrame:
    """`make_spend` with the file a row came from (`file`) and whether its name may be shown."""
    spend = make_spend(rows)
    spend["source_file"] = [r.get("file", "ledger.csv") for r in rows]
    spend["sheet"] = ""
    spend["name_shown"] = [r.get("type") != "individual" for r in rows]
    return spend


# Calendar 2019 split across two financial years (Bolton, Oldham, Salford): January to March in
# 2018/19, April to December in 2019/20. No month of the year is in both.
CALENDAR_2019 = [
    dict(year="2018/19", key="s1", geo="place", pence=100, date="2019-01-15"),
    dict(year="2018/19", key="s2", geo="outside", pence=300, date="2019-03-15"),
    dict(year="2019/20", key="s1", geo="place", pence=900, date="2019-04-15"),
    dict(year="2019/20", key="s2", geo="outside", pence=100, date="2019-12-15"),
]


def test_no_common_month_gives_no_change_figure():
    spend = _spend(CALENDAR_2019)
    cmp = change.comparison(spend, "2018/19", "2019/20")
    assert not cmp.comparable and cmp.months == {}
    assert "cover January, March in 2018/19 and April, December in 2019/20" in cmp.reason
    c = change.change_summary(_defs(["2018/19", "2019/20"]), spend, "2018/19", "2019/20")["change"]
    assert c["comparable"] is False and "no month of the year is in both" in c["reason"]
    for key in change.CHANGE_FIGURES:
        assert c[key] is None, key
    # the years' own blocks are still there, each saying it is partial
    years = change.change_summary(_defs(["2018/19", "2019/20"]), spend, "2018/19", "2019/20")["years"]
    assert years["2018/19"]["partial"] and years["2018/19"]["months_covered"] == 2


# (Supplier keys are not the anchor's name "A": a payee named as the anchor is the anchor paying itself.)
# 2014/15 covers July, August and February; 2017/18 April, July and August, plus an undated file for
# July 2017 (its name states the month) and an undated file for the whole financial year.
PARTIAL = [
    dict(year="2014/15", key="s1", geo="place", pence=100, date="2014-07-10"),
    dict(year="2014/15", key="s2", geo="outside", pence=100, date="2014-08-10"),
    dict(year="2014/15", key="s1", geo="place", pence=500, date="2015-02-10"),  # February: not in 2017/18
    dict(year="2017/18", key="s2", geo="outside", pence=900, date="2017-04-10"),  # April: not in 2014/15
    dict(year="2017/18", key="s1", geo="place", pence=100, date="2017-07-10"),
    dict(year="2017/18", key="s2", geo="outside", pence=300, date="2017-08-10"),
    dict(year="2017/18", key="s3", geo="place", pence=50, date=None, file="spend-jul-2017.csv"),
    dict(year="2017/18", key="s3", geo="place", pence=7000, date=None, file="payments_2017_to_2018.csv"),
]


def test_common_months_are_compared_and_named():
    spend = _spend(PARTIAL)
    cov = change.month_coverage(spend).set_index("year")
    assert cov.loc["2014/15", "covered"] == "July to August, February"
    assert cov.loc["2017/18", "covered"] == "every month"  # the whole-year file states every month
    # The ledger table and the partial-year notes count the same months (an undated file's too).
    ledgers = change.year_coverage(spend).set_index("year")
    assert ledgers.loc["2014/15", "months"] == 3 and ledgers.loc["2017/18", "months"] == 12
    assert ledgers.loc["2017/18", "last_payment"] == "2017-08-10", "first and last are of dated payments"
    notes = change.comparability_notes(spend)
    assert any("2014/15: payments in 3 of 12 months" in n for n in notes)
    assert not any("2017/18: payments in" in n for n in notes)
    cmp = change.comparison(spend, "2014/15", "2017/18")
    # 2017/18's whole-year file covers every month, so the common months are 2014/15's three
    assert cmp.comparable and cmp.partial and change.month_text(cmp.months["A"]) == "July to August, February"
    same = change.comparable_spend(spend, cmp)
    # kept: July, August, February of 2014/15; July, August and the July file of 2017/18; not April
    # (outside the common months) nor the whole-year file (a period reaching outside them)
    assert sorted(same["amount_pence"]) == [50, 100, 100, 100, 300, 500]
    c = change.change_summary(_defs(["2014/15", "2017/18"]), spend, "2014/15", "2017/18")["change"]
    # 2014/15: place 600 of 700; 2017/18: place 150 of 450
    assert c["comparable"] is True and c["reason"] is None
    assert c["place_share_change"] == pytest.approx(150 / 450 - 600 / 700)
    assert c["place_gbp_change"] == pytest.approx(-4.5)
    assert c["months"] == {"A": "July to August, February"} and "A on July to August, February" in c["compared"]
    assert c["total_effect_gbp"] + c["share_effect_gbp"] == pytest.approx(c["place_gbp_change"], abs=1e-9)


def test_a_month_only_in_one_year_is_left_out():
    rows = [r for r in PARTIAL if r.get("file", "ledger.csv") == "ledger.csv"]  # no undated files
    spend = _spend(rows)
    cmp = change.comparison(spend, "2014/15", "2017/18")
    assert change.month_text(cmp.months["A"]) == "July to August" and "(2 months)" in cmp.text
    c = change.change_figures(change.comparable_spend(spend, cmp), cmp, _defs(["2014/15", "2017/18"]))
    # 2014/15: place 100 of 200; 2017/18: place 100 of 400
    assert c["place_share_change"] == pytest.approx(0.25 - 0.5) and c["place_gbp_change"] == 0


def test_an_anchor_in_one_year_only_is_left_out_and_said():
    rows = CALENDAR_2019 + [
        dict(anchor="B", year="2019/20", key="z", geo="place", pence=5, date="2019-05-01"),
        dict(anchor="C", year="2018/19", key="z", geo="place", pence=5, date="2018-05-01"),
        dict(anchor="C", year="2019/20", key="z", geo="outside", pence=5, date="2019-05-01"),
    ]
    cmp = change.comparison(_spend(rows), "2018/19", "2019/20")
    assert list(cmp.months) == ["C"] and cmp.text.count("Left out") == 1
    assert "B has no spend in 2018/19" in cmp.text and "no month of the year is in both" in cmp.text


# One large local supplier winding down is the whole change: 'big' 600 of 1000 located pounds in
# the place in 2014/15, nothing in 2015/16; the rest stays at 100 of 400.
def _dominant(kind: str = "large") -> pd.DataFrame:
    rows = []
    for year, date in (("2014/15", "2014-06-01"), ("2015/16", "2015-06-01")):
        rows += [
            dict(year=year, date=date, key="s1", geo="place", pence=100),
            dict(year=year, date=date, key="s2", geo="outside", pence=200),
            dict(year=year, date=date, key="s3", geo="outside", pence=100),
        ]
    rows.append(
        dict(year="2014/15", date="2014-06-01", key="big", name="BIG AGENCY LTD", type=kind, geo="place", pence=600)
    )
    return _spend(rows)


def test_leave_top_k_finds_the_single_supplier_behind_a_change():
    spend = _dominant()
    top = change.leave_top_k(spend, "2014/15", "2015/16").set_index("left_out")
    assert top.loc[0, "share_change"] == pytest.approx(0.25 - 0.7)
    assert top.loc[1, "share_change"] == pytest.approx(0.0)  # without 'big': 100/400 both years
    assert top.loc[1, "share_of_change_left_out"] == pytest.approx(1.0)
    assert top.loc[0, "local_change_pence"] == -600 and top.loc[1, "local_change_pence"] == 0
    assert list(top.index) == [0, 1, 3, 4]  # only four suppliers to leave out
    text = change.driver_text(spend, "2014/15", "2015/16", "P")
    assert "BIG AGENCY LTD" in text and "moves by +0.0 points instead of -45.0." in text
    c = change.change_figures(spend, change.comparison(spend, "2014/15", "2015/16"), _defs(["2014/15", "2015/16"]))
    assert c["leave_top_k"]["1"] == pytest.approx(0.0) and "BIG AGENCY LTD" in c["driver"]


def test_a_person_behind_a_change_is_never_named():
    text = change.driver_text(_dominant("individual"), "2014/15", "2015/16", "P")
    assert "one payee (not named here)" in text and "BIG" not in text


def test_no_sentence_when_no_supplier_drives_most_of_the_change():
    rows = [dict(year="2014/15", date="2014-06-01", key="o", geo="outside", pence=500)]
    for i in range(5):  # five suppliers each add 100 local pounds in 2015/16
        rows.append(dict(year="2015/16", date="2015-06-01", key=f"s{i}", geo="place", pence=100))
    rows.append(dict(year="2015/16", date="2015-06-01", key="o", geo="outside", pence=500))
    assert change.driver_text(_spend(rows), "2014/15", "2015/16", "P") == ""


def test_coverage_constant_keeps_only_suppliers_located_in_both_years():
    # 'new' is located only in 2015/16 (a register match added): the measured change is all its
    rows = [
        dict(year="2014/15", key="s1", geo="place", pence=100),
        dict(year="2014/15", key="s2", geo="outside", pence=300),
        dict(year="2014/15", key="new", geo="unlocated", pence=600),
        dict(year="2015/16", key="s1", geo="place", pence=100, date="2015-06-01"),
        dict(year="2015/16", key="s2", geo="outside", pence=300, date="2015-06-01"),
        dict(year="2015/16", key="new", geo="place", pence=600, date="2015-06-01"),
    ]
    held = change.coverage_constant(_spend(rows), "2014/15", "2015/16").set_index(["measure", "view"])
    assert held.loc[("place", "as measured"), "share_change"] == pytest.approx(0.7 - 0.25)
    both = held.loc[("place", "suppliers located in both years")]
    assert both["suppliers"] == 2 and both["share_change"] == pytest.approx(0.0)


def test_measures_by_year_says_how_many_months_each_year_covers():
    mby = change.measures_by_year(_spend(CALENDAR_2019), deprived_deciles=(1, 2), by_anchor=False)
    assert list(mby["months"]) == [2, 2]  # January and March; April and December
    assert list(change.measures_by_year(_spend(PARTIAL), deprived_deciles=(1, 2), by_anchor=False)["months"]) == [3, 12]


def test_the_change_figures_use_the_office_limit_in_force():
    spend = _spend(PARTIAL)
    spend["location_basis"] = spend["located"].map({True: "head_office", False: "none"}).astype("string")
    cmp = change.comparison(spend, "2014/15", "2017/18")
    strict = change.change_figures(spend, cmp, _defs(["2014/15", "2017/18"]))
    assert strict["place_share_change"] != strict["place_share_change"], "withheld (NaN): offices place it all"
    loose = _defs(["2014/15", "2017/18"])
    loose = dataclasses.replace(loose, office_share_limit=1.0)
    assert change.change_figures(spend, cmp, loose)["place_share_change"] == pytest.approx(150 / 450 - 600 / 700)
