"""Shift-share on located procurement spend (issue 20 point 5): sectors are located spend with a
SIC code; no-SIC and unlocated spend are shown apart; the identity stays exact. Worked by hand."""

from __future__ import annotations

import math

import pytest
from test_baseline import make_spend

from cwbtools.analysis import change

# Located with a SIC code: 1000 pence each year (C 500, F 500), local 100 -> 200: share .1 -> .2.
# Located with no SIC: 100 (all local) -> 200 (100 local). Unlocated (sector C): 300 -> 600.
ROWS = [
    dict(year="2012/13", key="c1", geo="place", pence=50, section="C"),
    dict(year="2012/13", key="c2", geo="outside", pence=450, section="C"),
    dict(year="2012/13", key="f1", geo="place", pence=50, section="F"),
    dict(year="2012/13", key="f2", geo="wider", pence=450, section="F"),
    dict(year="2012/13", key="n1", geo="place", pence=100),
    dict(year="2012/13", key="u1", geo="unlocated", pence=300, section="C"),
    dict(year="2016/17", key="c1", geo="place", pence=200, section="C"),
    dict(year="2016/17", key="c2", geo="outside", pence=300, section="C"),
    dict(year="2016/17", key="f2", geo="wider", pence=500, section="F"),
    dict(year="2016/17", key="n1", geo="place", pence=100),
    dict(year="2016/17", key="n2", geo="outside", pence=100),
    dict(year="2016/17", key="u1", geo="unlocated", pence=600, section="C"),
]


@pytest.fixture
def shift():
    return change.shift_share(make_spend(ROWS), "2012/13", "2016/17")


def test_sectors_are_located_spend_with_a_sic_code(shift):
    s = shift.set_index("sector")
    assert list(shift["sector"]) == ["C", "F", "(no SIC)", "(unlocated)"]
    assert s.loc["C", "base_from_pence"] == 500 and s.loc["C", "base_to_pence"] == 500  # unlocated u1 not in C
    assert s.loc["C", "localisation_effect"] == pytest.approx(0.5 * (0.4 - 0.1))
    assert s.loc["F", "localisation_effect"] == pytest.approx(0.5 * (0.0 - 0.1))
    assert shift["composition_effect"].abs().sum() == pytest.approx(0.0)  # weights unchanged
    assert (s.loc["(no SIC)", "apart_from_pence"], s.loc["(no SIC)", "apart_to_pence"]) == (100, 200)
    assert (s.loc["(unlocated)", "apart_from_pence"], s.loc["(unlocated)", "apart_to_pence"]) == (300, 600)
    assert not s.loc["(no SIC)", "in_shift_share"] and s.loc["C", "in_shift_share"]
    assert s.loc[["(no SIC)", "(unlocated)"], ["base_from_pence", "composition_effect"]].eq(0).all().all()


def test_summary_identity_and_what_is_apart(shift):
    summary = change.shift_share_summary(shift)
    points, pence = summary["share_points"].tolist(), summary["pence_at_later_total"].tolist()
    assert points[0] + points[1] == pytest.approx(points[2], abs=1e-15) and points[2] == pytest.approx(0.1)
    assert pence[0] + pence[1] == pence[2] == 100  # to the penny at the later year's 1000 pence
    assert points[3] == pytest.approx(0.5 - 1.0)  # no-SIC local share 100% -> 50%
    assert points[4] == pytest.approx(300 / 1200 - 200 / 1100)  # all located spend
    assert math.isnan(points[5]) and (summary["from_pence"][5], summary["to_pence"][5]) == (300, 600)
    assert "unlocated" in summary["effect"][5] and "no SIC" in summary["effect"][3]


def test_old_reading_counted_unlocated_spend_as_not_local():
    """On all spend (`base="total"`) unlocated spend sits in its sector and dilutes its local share:
    sector C's share falls from 50/800 to 200/1100 rather than .1 -> .4."""
    s = change.shift_share(make_spend(ROWS), "2012/13", "2016/17", base="total").set_index("sector")
    assert s.loc["C", "local_share_from"] == pytest.approx(50 / 800)
    assert s.loc["C", "local_share_to"] == pytest.approx(200 / 1100)


def test_no_located_sector_spend_is_a_user_error():
    from cwbtools.errors import CwbError

    rows = [r for r in ROWS if r["key"] in ("n1", "u1")]
    with pytest.raises(CwbError, match="located spend with a SIC code"):
        change.shift_share(make_spend(rows), "2012/13", "2016/17")
