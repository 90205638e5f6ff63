"""Bootstrap intervals resampling suppliers."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from test_baseline import HAND, make_spend

from cwbtools.analysis import uncertainty


def test_supplier_table_sums_by_hand():
    table = uncertainty.supplier_table(make_spend(HAND), (1, 2))
    assert table.loc["s1", "place"] == 1500 and table.loc["s2", "wider"] == 1000
    assert table.loc["s4", "located"] == 0 and table.loc["s4", "typed"] == 0
    assert table["located"].sum() == 5500 and table["deprived"].sum() == 4500


def test_all_local_suppliers_give_a_degenerate_interval():
    spend = make_spend([dict(key=f"k{i}", geo="place", pence=100 * (i + 1), type="sme") for i in range(30)])
    boot = uncertainty.bootstrap_shares(spend, n_boot=200, by_anchor=False, deprived_deciles=(1, 2)).set_index(
        "measure"
    )
    assert boot.loc["place_share", ["estimate", "ci_lo", "ci_hi"]].tolist() == [1.0, 1.0, 1.0]
    assert math.isnan(boot.loc["deprived_share", "estimate"])  # no decile known


def test_interval_matches_binomial_width_for_equal_suppliers():
    # 400 equal suppliers, 120 local: share .3; the bootstrap interval is close to the binomial one,
    # .3 +/- 1.96 * sqrt(.3 * .7 / 400) = .3 +/- .045.
    rows = [dict(key=f"k{i}", geo="place" if i < 120 else "outside", pence=1000) for i in range(400)]
    boot = uncertainty.bootstrap_shares(
        make_spend(rows), n_boot=2000, by_anchor=False, deprived_deciles=(1, 2)
    ).set_index("measure")
    lo, hi = boot.loc["place_share", ["ci_lo", "ci_hi"]]
    assert boot.loc["place_share", "estimate"] == pytest.approx(0.3)
    assert lo == pytest.approx(0.255, abs=0.012) and hi == pytest.approx(0.345, abs=0.012)
    assert boot.loc["place_share", "suppliers"] == 400


def test_seeded_and_per_anchor_and_year():
    spend = make_spend(HAND + [dict(anchor="B", key="s9", geo="place", pence=300, year="2013/14")])
    a = uncertainty.bootstrap_shares(spend, n_boot=100, by_year=True, deprived_deciles=(1, 2))
    b = uncertainty.bootstrap_shares(spend, n_boot=100, by_year=True, deprived_deciles=(1, 2))
    assert a.equals(b)
    assert set(a["year"]) == {"2012/13", "2013/14"}
    assert set(a[a["year"] == "2012/13"]["anchor"]) == {"All anchors", "A", "B"}
    finite = a.dropna(subset=["ci_lo"])
    assert ((finite["ci_lo"] <= finite["estimate"] + 1e-12) | (finite["estimate"] < 0)).all()


def test_no_interval_where_net_spend_is_not_positive():
    """Issue 18 point 6: a year whose credits exceed its payments has no share, so no interval."""
    spend = pd.DataFrame(
        {
            "anchor": ["A"] * 4,
            "financial_year": ["2019/20"] * 4,
            "supplier_key": ["s1", "s2", "s3", "s4"],
            "amount_pence": [100_00, 200_00, -500_00, 50_00],
            "supplier_type": ["sme"] * 4,
            "in_place": [True, False, True, False],
            "in_wider": [True, True, True, False],
            "located": [True] * 4,
            "imd_decile": [1, 5, 2, 9],
            "lsoa_code": ["E01000001"] * 4,
        }
    )
    out = uncertainty.bootstrap_shares(spend, n_boot=50, deprived_deciles=(1, 2))
    assert out[["estimate", "ci_lo", "ci_hi"]].isna().all().all()
    positive = uncertainty.bootstrap_shares(
        spend.assign(amount_pence=spend["amount_pence"].abs()), n_boot=50, deprived_deciles=(1, 2)
    )
    assert positive.loc[positive["measure"] == "place_share", "ci_lo"].notna().all()
