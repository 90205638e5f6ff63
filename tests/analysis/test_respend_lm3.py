"""LM3 on procurement (issue 21): round 1 is procurement spend, round 2 the headline's local pounds
with its bounds, round 3 by supplier type."""

from __future__ import annotations

import pandas as pd
import pytest

from cwbtools.analysis.respend import NEF_WAGES_NOTE, respend_lm3

RATES = {"sme": 0.5, "large": 0.25, "vcse": 0.5, "public": 0.25, "public_corporation": 0.25, "unknown": 0.25}


def _frame(rows):
    return pd.DataFrame(rows, columns=["amount_pence", "supplier_type", "located", "in_place", "in_base"]).assign(
        supplier_key=lambda f: [f"s{i}" for i in range(len(f))]
    )


def test_lm3_ignores_transfers_and_matches_the_headline():
    rows = [
        (4_000, "sme", True, True, True),  # local SME
        (4_000, "large", True, False, True),  # outside
        (2_000, "sme", False, False, True),  # unlocated
        # Transfers and a public body in the place: out of the base, never in LM3.
        (50_000, "unknown", True, True, False),
        (30_000, "public", True, True, False),
    ]
    row = respend_lm3(_frame(rows), RATES).iloc[0]
    assert row["round1_pence"] == 10_000
    # Headline: 4000 / 8000 located = 50%, so round 2 = 5000; bounds 4000 (unlocated outside) to 6000.
    assert (row["round2_lo_pence"], row["round2_pence"], row["round2_hi_pence"]) == (4_000, 5_000, 6_000)
    # Round 3 by type: 4000 x 0.5 = 2000; the unlocated SME's 2000 x 0.5 = 1000 counted as round 2 counts it.
    assert (row["round3_lo_pence"], row["round3_pence"], row["round3_hi_pence"]) == (2_000, 2_500, 3_000)
    assert (row["lm3_lo"], row["lm3"], row["lm3_hi"]) == pytest.approx((1.6, 1.75, 1.9))
    assert NEF_WAGES_NOTE in row["basis"] and "wages" in row["basis"]
    # The same frame without the transfers gives the same figures.
    again = respend_lm3(_frame(rows[:3]), RATES).iloc[0]
    assert again.drop("basis").equals(row.drop("basis"))


def test_lm3_with_a_survey_scales_each_round_2():
    rows = [(4_000, "sme", True, True, True), (4_000, "large", True, False, True), (2_000, "sme", False, False, True)]
    frame = _frame(rows).assign(supplier_name=["a", "b", "c"])
    survey = pd.DataFrame({"supplier_key": ["s0"], "local_respend_share": [0.8]})
    row = respend_lm3(frame, RATES, survey).iloc[0]
    assert row["kind"] == "measured"
    assert (row["round3_lo_pence"], row["round3_pence"], row["round3_hi_pence"]) == (3_200, 4_000, 4_800)
