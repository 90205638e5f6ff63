"""The Preston demo: seeded, clearly synthetic, and the real pipeline reproduces what CLES and
Preston City Council published, on the procurement base, with a real ledger's transfers, public
bodies and individuals on top."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest

from cwbtools.analysis import base
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
# Found by name pattern, the last resort: no register here lists bodies abolished before 2017
# (the primary care trust) or replaced since (the CCG; NHS ODS lists today's bodies).
PATTERN_ONLY = {"NHS Central Lancashire"}  # the CCG: the guide's en-bloc heading


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


def test_on_top_payments_are_added_to_the_published_totals(built_reference):
    """The base pools' payments alone add up to the published totals; what a real ledger holds
    beyond procurement comes on top, for every anchor and year, to real bodies (never `Demo`)."""
    suppliers = demo.make_suppliers()
    payments = demo.make_payments(suppliers)
    extra = demo.on_top_lines(suppliers)
    for year, (total, *_) in PUBLISHED.items():
        on_top = extra[extra["financial_year"] == year]
        paid = int(payments.loc[payments["financial_year"] == year, "amount_pence"].sum())
        assert paid == total + int(on_top["pence"].sum())
        assert on_top["pence"].sum() > 150 * M
        assert set(on_top["anchor"]) == {a.name for a in demo.ANCHORS}
    assert not any(t.payee.startswith("Demo") for t in demo.ON_TOP)
    # No synthetic supplier is named like a public body: the base's pools are firms and VCSEs.
    assert set(suppliers["supplier_type"]) == {"sme", "large", "vcse"}


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


def test_a_demo_written_by_another_generator_is_rewritten(built_reference, tmp_path, monkeypatch):
    """Ledgers an older generator wrote would give its figures: the demo config never reads them."""
    monkeypatch.setenv("CWB_PROCESSED", str(tmp_path))
    (tmp_path / "reference").symlink_to(built_reference)
    config = load_config(configs_dir() / "preston-demo.yml", check_inputs=False)
    out = demo.ensure_demo(config)
    stamp = out / demo.STAMP
    first = stamp.stat().st_mtime_ns
    assert demo.ensure_demo(config) == out and stamp.stat().st_mtime_ns == first  # current: left alone
    stamp.write_text('{"generator": "older"}')
    demo.ensure_demo(config)
    assert demo.generator_key() in stamp.read_text()


@pytest.fixture(scope="module")
def demo_spend(built_reference):
    """The demo's spend, each payment classified by the procurement base's rules (`analysis.base`),
    with the register of public bodies, as a real config's is."""
    from cwbtools.reference import load_public_bodies

    config = load_config(configs_dir() / "preston-demo.yml")
    spend = cache.city_spend(config)
    rules = base.exclusion_rules(config.analysis_definitions(), load_public_bodies(), influenceable=False)
    return config, base.classify(spend, rules)


def test_pipeline_reproduces_published_figures_on_the_procurement_base(demo_spend):
    config, spend = demo_spend
    assert config.analysis_definitions().base == "procurement"
    procurement = spend[spend["in_base"]]
    assert set(spend["financial_year"]) == set(PUBLISHED)
    for year, (total, place, wider, leakage) in PUBLISHED.items():
        s = procurement[procurement["financial_year"] == year]
        got_total = int(s["amount_pence"].sum())
        got_place = int(s.loc[s["in_place"], "amount_pence"].sum())
        got_wider = int(s.loc[s["in_wider"], "amount_pence"].sum())
        assert abs(got_total - total) <= HALF, (year, got_total)
        assert abs(got_place - place) <= HALF, (year, got_place)
        assert abs(got_wider - wider) <= HALF, (year, got_wider)
        assert abs((got_total - got_wider) - leakage) <= HALF, (year, got_total - got_wider)
        assert round(got_place / got_total, 3) == round(place / total, 3)
        assert round(got_wider / got_total, 3) == round(wider / total, 3)
    before = procurement[procurement["financial_year"] == "2012/13"]
    later = procurement[procurement["financial_year"] == "2016/17"]
    gain_place = (
        later.loc[later["in_place"], "amount_pence"].sum() - before.loc[before["in_place"], "amount_pence"].sum()
    )
    gain_wider = (
        later.loc[later["in_wider"], "amount_pence"].sum() - before.loc[before["in_wider"], "amount_pence"].sum()
    )
    assert abs(gain_place - 74 * M) <= HALF and abs(gain_wider - 196.7 * M) <= HALF
    # CLES's scenario: Preston from 5% to 10% of the 2012/13 total adds £37.5m a year.
    (scenario,) = config.scenarios
    assert (scenario.to_share - scenario.from_share) * 750 * M == pytest.approx(37.5 * M)


def test_what_a_real_ledger_holds_on_top_is_set_aside_by_the_real_rules(demo_spend):
    """Every kind of exclusion is in the demo, each year; every payee added on top leaves the base,
    and only the synthetic firms' procurement stays. On all spend the transfers prop up the
    headline, as on real places."""
    _, spend = demo_spend
    for year, (total, place, *_) in PUBLISHED.items():
        s = spend[spend["financial_year"] == year]
        excluded = base.excluded_pence(s)
        for category in ("public_body", "individual", "transfer", "self", "inter_anchor"):
            assert excluded[category] > 0, (year, category)
        assert int(s["amount_pence"].sum()) == total + sum(excluded.values())
        assert sum(excluded.values()) > 150 * M
        assert s.loc[s["in_place"], "amount_pence"].sum() / s["amount_pence"].sum() > place / total + 0.02
    kept = spend[spend["in_base"]]
    assert kept["supplier_name"].astype(str).str.startswith("Demo ").all()
    assert not kept["supplier_name"].isin({t.payee for t in demo.ON_TOP}).any()
    # Housing benefit and rate refunds paid to firms (the Demo landlords, Demo firms the base also holds).
    firms = spend["supplier_name"].astype(str).str.startswith("Demo ")
    for expense in ("NNDR Refunds", "Housing Benefit Payments to Landlords"):
        paid = firms & (spend["expense_category"] == expense)
        assert paid.any() and (spend.loc[paid, "excluded_as"] == "transfer").all(), expense


def test_every_public_payee_is_known_from_the_registers(demo_spend):
    """The public bodies on top are real ones, recognised from the registers by name, as in a real
    ledger (no demo-only rule): only the two NHS commissioners no register here lists fall to
    the name patterns."""
    config, _ = demo_spend
    suppliers = cache.city_suppliers(config).set_index("supplier_name")
    anchors = {a.name for a in config.anchors} | {"Community Gateway Association Limited"}
    public = {t.payee for t in demo.ON_TOP} - anchors - {demo.PENSION_FUND}
    assert len(public) >= 15
    for name in sorted(public):
        row = suppliers.loc[name]
        assert row["public_class"] == "general_government" and row["supplier_type"] == "public", name
        by_pattern = row["public_evidence"].startswith("name pattern")
        assert by_pattern == (name in PATTERN_ONLY), (name, row["public_evidence"])
    # Located where their anchor's creditor file (headed `Supplier ID`, as published) says.
    for t in (t for t in demo.ON_TOP if t.postcode):
        row = suppliers.loc[t.payee]
        assert (row["postcode"], row["resolved_by"]) == (t.postcode, "ledger_postcode"), t.payee


def test_demo_reconciles_and_never_names_individuals(demo_spend):
    config, spend = demo_spend
    rec = cache.city_reconciliation(config)
    assert int(rec["pence_read"].sum()) == int(spend["amount_pence"].sum()) + int(rec["pence_set_aside"].sum())
    assert int(rec["pence_set_aside"].sum()) == 0
    people = spend[spend["individual"]]
    assert len(people) > 0 and set(people["supplier_name"]) == {"(individual)"}
    assert not spend["supplier_name"].str.contains("Redacted", case=False).any()
    assert (people["geo"] == "unlocated").all()
    # Every supplier in the base was located through resolution, as designed.
    procurement = spend[spend["in_base"]]
    assert procurement["located"].all()
    suppliers = cache.city_suppliers(config)
    assert not suppliers["supplier_name"].astype(str).str.contains("Redacted", case=False).any()
    # No synthetic supplier borrows a real organisation's identity through name matching: companies
    # resolve by their (ZZ-prefixed) number from the demo's Companies House file, nothing by name.
    synthetic = suppliers[suppliers["supplier_name"].astype(str).str.startswith("Demo ")]
    assert synthetic["registered_name"].astype(str).str.startswith("DEMO ").all() and len(synthetic) > 900
    assert not synthetic["resolved_by"].isin(["exact_name", "fuzzy_name"]).any()
    assert procurement["sic_code"].notna().mean() > 0.99


def test_demo_has_local_supplier_churn_and_the_six_anchors(demo_spend):
    config, spend = demo_spend
    assert sorted(spend["anchor"].unique()) == sorted(a.name for a in config.anchors)
    local = spend[spend["in_place"] & spend["in_base"]]
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
