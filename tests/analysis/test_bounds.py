"""Bounds that cover where a firm may trade (issue 19 point 2), on hand-made frames.

A large firm placed only by its head or registered office outside the place may serve the place from
a branch: the place and wider bounds count its spend as unknown, like unlocated spend. The central
share is not given when more than half of located spend is placed by an office.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest

from cwbtools.analysis import baseline, headlines

PLACE, WIDER = ["E08000006"], ["E08000006", "E08000003"]


def _row(pence, key, stype, lad, basis):
    located = lad is not None
    return {
        "anchor": "Council",
        "financial_year": "2019/20",
        "amount_pence": pence,
        "supplier_key": key,
        "supplier_name": key.upper(),
        "supplier_type": stype,
        "individual": False,
        "lad_code": lad,
        "imd_decile": pd.NA,
        "located": located,
        "in_place": located and lad in PLACE,
        "in_wider": located and lad in WIDER,
        "location_basis": basis,
    }


def _frame(rows):
    df = pd.DataFrame(rows)
    df["amount_pence"] = df["amount_pence"].astype("int64")
    return df


@pytest.fixture
def spend():
    """£100 in all: £10 ledger-placed in the place, £20 a large firm's head office in London, £15 a
    large firm's registered office in the wider area, £5 a small firm's registered office in London,
    £10 a head office in the place, £40 unlocated."""
    return _frame(
        [
            _row(1_000, "local", "sme", "E08000006", "ledger_postcode"),
            _row(2_000, "bigco", "large", "E09000001", "head_office"),
            _row(1_500, "widerco", "large", "E08000003", "registered_office"),
            _row(500, "smallco", "sme", "E09000001", "registered_office"),
            _row(1_000, "hq_here", "large", "E08000006", "head_office"),
            _row(4_000, "nobody", "unknown", None, "none"),
        ]
    )


def test_large_office_outside_counts_as_unknown(spend):
    m = baseline.measures(spend, [1, 2])
    # Office-placed: bigco, widerco, smallco, hq_here = £50 of £60 located.
    assert m["office"] == 5_000 and m["office_share"] == pytest.approx(5 / 6)
    # May branch into the place: bigco and widerco (large, outside it); smallco is small, hq_here is in.
    assert m["branch_place"] == 3_500
    # ... into the wider area: bigco only (widerco is in it).
    assert m["branch_wider"] == 2_000
    assert m["place_share_lo"] == pytest.approx(20 / 100)
    assert m["place_share_hi"] == pytest.approx((20 + 40 + 35) / 100)
    assert m["wider_share_lo"] == pytest.approx(35 / 100)
    assert m["wider_share_hi"] == pytest.approx((35 + 40 + 20) / 100)
    # Leakage: bigco may be inside, so the lower bound leaves it out.
    assert m["outside_share_lo"] == pytest.approx((25 - 20) / 100)
    assert m["outside_share_hi"] == pytest.approx((25 + 40) / 100)
    for geo in ("place", "wider", "outside"):
        width = m[f"{geo}_share_hi"] - m[f"{geo}_share_lo"]
        assert width == pytest.approx(1 - m[f"{geo}_coverage"])


def test_pounds_still_add_up(spend):
    m = baseline.measures(spend, [1, 2])
    assert m["total"] == m["place"] + (m["wider"] - m["place"]) + m["outside"] + m["unlocated"]
    assert sum(baseline.located_by_basis(spend).values()) == m["located"]


def test_central_share_null_when_offices_place_most(spend):
    m = baseline.measures(spend, [1, 2])
    assert math.isnan(m["place_share"]) and math.isnan(m["wider_share"]) and math.isnan(m["outside_share"])
    assert "83%" in m["central_note"]
    # The bounds are always given.
    assert 0 < m["place_share_lo"] < m["place_share_hi"] < 1
    # A looser limit gives the central share again: on located spend, offices where they are.
    loose = baseline.measures(spend, [1, 2], office_limit=0.9)
    assert loose["place_share"] == pytest.approx(20 / 60) and loose["central_note"] == ""


def test_central_share_given_when_offices_are_a_minority():
    spend = _frame(
        [
            _row(6_000, "local", "sme", "E08000006", "ledger_postcode"),
            _row(3_000, "bigco", "large", "E09000001", "head_office"),
            _row(1_000, "nobody", "unknown", None, "none"),
        ]
    )
    m = baseline.measures(spend, [1, 2])
    assert m["place_share"] == pytest.approx(6 / 9)
    assert m["place_share_lo"] <= m["place_share"] <= m["place_share_hi"]
    assert m["place_share_hi"] == pytest.approx((6 + 1 + 3) / 10)


def test_without_location_basis_nothing_changes():
    """Spend from before `location_basis` (or the aggregate's sums without it): the old bounds."""
    spend = _frame([_row(6_000, "a", "large", "E09000001", "head_office"), _row(4_000, "b", "sme", None, "none")])
    old = spend.drop(columns="location_basis")
    m = baseline.measures(old, [1, 2])
    assert m["office"] == 0 and m["place_share"] == 0.0 and m["place_share_hi"] == pytest.approx(0.4)
    assert baseline.measures_from_sums(
        {k: v for k, v in m.items() if k not in baseline.OFFICE_SUMS}
        | {"typed": 10_000, "firms": 10_000, "with_decile": 0}
    )["place_share_hi"] == pytest.approx(0.4)


def test_summary_and_prose_say_it(spend):
    block = headlines._summary_block(baseline.measures(spend, [1, 2]))
    assert block["place_share"] != block["place_share"]  # NaN: written as null
    assert block["branch_unknown_gbp"] == {"place": 35.0, "wider": 20.0}
    assert block["office_placed_gbp"] == 50.0 and block["central_note"]
    text = headlines.headline_text(baseline.measures(spend, [1, 2]), "Salford", "Greater Manchester", "2019/20")
    assert "No central share is given" in text and "20.0%" in text and "95.0%" in text
    table = headlines.location_basis_table(spend)
    assert table.set_index("location_basis")["spend_gbp"].to_dict()["head_office"] == 30.0
    assert table["share_of_located"].sum() == pytest.approx(1.0)
    note = headlines.location_note(spend, "Salford", PLACE)
    assert "E08000006" in note and "83.3% was placed by a head or registered office" in note
