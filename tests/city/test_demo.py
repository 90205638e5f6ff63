"""The Preston demo: seeded, clearly synthetic, and the real pipeline reproduces what CLES and
Preston City Council published."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest

from cwbtools.city import demo
from cwbtools.city import spend as cache
from cwbtools.config import load_config
from cwbtools.paths import configs_dir

M = 100_000_000  # £1m in pence
HALF = 50_000_000  # £0.5m

# (total, Preston, Lancashire incl. Preston, leakage out of Lancashire), pence, as published.
PUBLISHED = {
    "2012/13": (750 * M, round(38.3 * M), 292 * M, 458 * M),
    "2016/17": (617 * M, round(112.3 * M), round(488.7 * M), 128 * M),
}


def test_split_is_exact_in_whole_pence():
    parts = demo._split(1_000_01, np.array([1.0, 1.0, 1.0]))
    assert parts.sum() == 1_000_01 and parts.dtype == np.int64 and parts.max() - parts.min() <= 1


def test_allocation_hits_published_totals_exactly():
    for year, (total, place, wider, _) in PUBLISHED.items():
        alloc = demo._allocate(year)
        assert int(alloc[["place", "wider", "outside"]].to_numpy().sum()) == total
        assert int(alloc["place"].sum()) == place
        assert int(alloc["place"].sum() + alloc["wider"].sum()) == wider
        assert (alloc[["place", "wider", "outside"]] > 0).all().all()


def _digest(folder):
    h = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            h.update(path.relative_to(folder).as_posix().encode())
            h.update(path.read_bytes())
    return h.hexdigest()


def test_demo_is_seeded_and_labelled(built_reference, tmp_path):
    from cwbtools.cli import main as cwb

    assert cwb(["demo", "--out", str(tmp_path / "a")]) == 0
    a = tmp_path / "a"
    postcodes = demo.demo_postcodes()
    b = demo.write_demo(
        tmp_path / "b", postcodes=postcodes.sample(frac=1.0, random_state=1)
    )  # row order must not matter
    assert _digest(a) == _digest(b)
    ledgers = sorted((a / "ledgers").rglob("*.csv"))
    assert len(ledgers) == 12 and all("SYNTHETIC" in p.name for p in ledgers)
    assert "SYNTHETIC" in (a / "README.txt").read_text()
    text = ledgers[0].read_text()
    assert "Postcode" not in text.splitlines()[0]  # like real ledgers: postcodes come from resolution


@pytest.fixture(scope="module")
def demo_spend(built_reference):
    config = load_config(configs_dir() / "preston-demo.yml")
    return config, cache.city_spend(config)


def test_pipeline_reproduces_published_figures(demo_spend):
    config, spend = demo_spend
    assert set(spend["financial_year"]) == set(PUBLISHED)
    for year, (total, place, wider, leakage) in PUBLISHED.items():
        s = spend[spend["financial_year"] == year]
        got_total = int(s["amount_pence"].sum())
        got_place = int(s.loc[s["in_place"], "amount_pence"].sum())
        got_wider = int(s.loc[s["in_wider"], "amount_pence"].sum())
        assert abs(got_total - total) <= HALF, (year, got_total)
        assert abs(got_place - place) <= HALF, (year, got_place)
        assert abs(got_wider - wider) <= HALF, (year, got_wider)
        assert abs((got_total - got_wider) - leakage) <= HALF, (year, got_total - got_wider)
        assert round(got_place / got_total, 3) == round(place / total, 3)
    base = spend[spend["financial_year"] == "2012/13"]
    later = spend[spend["financial_year"] == "2016/17"]
    gain_place = later.loc[later["in_place"], "amount_pence"].sum() - base.loc[base["in_place"], "amount_pence"].sum()
    gain_wider = later.loc[later["in_wider"], "amount_pence"].sum() - base.loc[base["in_wider"], "amount_pence"].sum()
    assert abs(gain_place - 74 * M) <= HALF and abs(gain_wider - 196.7 * M) <= HALF
    # CLES's scenario: Preston from 5% to 10% of the 2012/13 total adds £37.5m a year.
    (scenario,) = config.scenarios
    assert (scenario.to_share - scenario.from_share) * 750 * M == pytest.approx(37.5 * M)


def test_demo_reconciles_and_never_names_individuals(demo_spend):
    config, spend = demo_spend
    rec = cache.city_reconciliation(config)
    assert int(rec["pence_read"].sum()) == int(spend["amount_pence"].sum()) + int(rec["pence_set_aside"].sum())
    assert int(rec["pence_set_aside"].sum()) == 0
    people = spend[spend["individual"]]
    assert len(people) > 0 and set(people["supplier_name"]) == {"(individual)"}
    assert not spend["supplier_name"].str.contains("Redacted", case=False).any()
    assert (people["geo"] == "unlocated").all()
    # Every named supplier was located through resolution, as designed.
    assert spend.loc[~spend["individual"], "located"].all()
    suppliers = cache.city_suppliers(config)
    assert not suppliers["supplier_name"].astype(str).str.contains("Redacted", case=False).any()
    # No synthetic supplier borrows a real organisation's identity through name matching: companies
    # resolve by their (ZZ-prefixed) number from the demo's Companies House file, nothing by name.
    registered = suppliers["registered_name"].dropna().astype(str)
    assert registered.str.startswith("DEMO ").sum() > 900
    assert set(registered[~registered.str.startswith("DEMO ")]) <= {"(individual)"}
    assert not suppliers["resolved_by"].isin(["exact_name", "fuzzy_name"]).any()
    assert spend.loc[spend["supplier_type"] != "public", "sic_code"].notna().mean() > 0.99


def test_demo_has_local_supplier_churn_and_the_six_anchors(demo_spend):
    config, spend = demo_spend
    assert sorted(spend["anchor"].unique()) == sorted(a.name for a in config.anchors)
    local = spend[spend["in_place"]]
    by_year = local.groupby("financial_year")["supplier_key"].apply(set)
    lost, gained = by_year["2012/13"] - by_year["2016/17"], by_year["2016/17"] - by_year["2012/13"]
    assert len(lost) >= 10 and len(gained) >= 50
    assert spend["deprived"].notna().any() and spend["deprived"].fillna(False).any()
    assert {"sme", "large", "vcse", "public"} <= set(spend["supplier_type"])


def test_config_states_the_figures_the_demo_is_calibrated_to():
    config = load_config(configs_dir() / "preston-demo.yml", resolve_areas=False)
    stated = {(p.year, p.measure): round(p.value * 100) for p in config.published}
    for year, figures in demo.PUBLISHED.items():
        for measure, pence in figures.items():
            assert stated[(year, measure)] == pence, (year, measure)
