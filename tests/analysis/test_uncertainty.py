"""Uncertainty on a census (issue 20 point 4): bounds from unlocated spend, bounds from where a
located firm is placed, and the leave-top-k sensitivity, on hand-made frames worked out by hand."""

from __future__ import annotations

import math

import pytest
from test_baseline import make_spend

from cwbtools.analysis import uncertainty

# Located 1000 pence, 700 in the place (share .7); 500 unlocated. Leaving each out alone:
# a -> 100/400 = .25 (moves .45), b -> 700/800 = .875 (.175), c -> 700/900 (.078), d -> 600/900 (.033).
ROWS = [
    dict(key="a", geo="place", pence=600, name="Alpha Ltd"),
    dict(key="b", geo="outside", pence=200, name="Beta Plc"),
    dict(key="c", geo="outside", pence=100, name="Gamma Ltd"),
    dict(key="d", geo="place", pence=100, name="Delta Ltd"),
    dict(key="e", geo="unlocated", pence=500, name="Epsilon"),
]


def test_leave_top_k_by_hand():
    out = uncertainty.leave_top_k_share(make_spend(ROWS), "place")
    assert out[0] == pytest.approx(0.7)
    assert out[1] == pytest.approx(0.25)  # a, the largest mover, out
    assert out[3] == pytest.approx(1.0)  # a, b, c out: d alone, in the place
    assert math.isnan(out[5])  # nothing located left


def test_sensitivity_bounds_by_hand():
    table = uncertainty.sensitivity(make_spend(ROWS), (1, 2)).set_index(["anchor", "measure"])
    place = table.loc[("All anchors", "place_share")]
    assert place["share"] == pytest.approx(0.7)
    assert (place["bounds_unlocated_lo"], place["bounds_unlocated_hi"]) == pytest.approx((700 / 1500, 1200 / 1500))
    assert (place["bounds_lo"], place["bounds_hi"]) == pytest.approx((700 / 1500, 1200 / 1500))
    assert place["without_top_1"] == pytest.approx(0.25) and place["may_branch_pence"] == 0


def test_head_office_placement_widens_the_bounds_apart_from_unlocated():
    """b is a large firm placed by its head office outside the place: it may trade from a branch
    here, so the place bounds count its 200 pence as unknown; the unlocated-only bounds do not."""
    spend = make_spend(ROWS)
    spend["location_basis"] = ["ledger_postcode", "head_office", "ledger_postcode", "ledger_postcode", None]
    spend.loc[spend["supplier_key"] == "b", "supplier_type"] = "large"
    place = uncertainty.sensitivity(spend, (1, 2)).set_index(["anchor", "measure"]).loc[("All anchors", "place_share")]
    assert place["may_branch_pence"] == 200
    assert (place["bounds_unlocated_lo"], place["bounds_unlocated_hi"]) == pytest.approx((700 / 1500, 1200 / 1500))
    assert (place["bounds_lo"], place["bounds_hi"]) == pytest.approx((700 / 1500, 1400 / 1500))
    text = uncertainty.sensitivity_text(uncertainty.sensitivity(spend, (1, 2)), "Town", "County")
    assert "from unlocated spend alone" in text and "head office" in text


def test_text_says_census_and_names_no_one():
    spend = make_spend(ROWS)
    text = uncertainty.sensitivity_text(uncertainty.sensitivity(spend, (1, 2)), "Town", "County")
    assert "census" in text and "no confidence interval" in text
    assert "70.0% (bounds 46.7% to 80.0%); 25.0% without the supplier that moves it most" in text
    assert not any(name in text for name in spend["supplier_name"])
    assert "95%" not in text


def test_per_anchor_rows_and_no_share_on_net_credits():
    rows = ROWS + [
        dict(anchor="B", key="z", geo="place", pence=-900),
        dict(anchor="B", key="y", geo="place", pence=100),
    ]
    table = uncertainty.sensitivity(make_spend(rows), (1, 2))
    assert list(table["anchor"].unique()) == ["All anchors", "A", "B"]
    b = table[(table["anchor"] == "B") & (table["measure"] == "place_share")].iloc[0]
    assert math.isnan(b["share"]) and math.isnan(b["without_top_1"])
