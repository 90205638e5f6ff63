"""Out-of-core aggregates (DuckDB over parquet) give exactly the in-memory pandas answer.

Three kinds of check: a hand-made spend frame whose answers are worked out by hand below; the same
and a larger random frame against `cwbtools.analysis.baseline` run in memory (pence equal, shares equal);
and partitioned transactions joined to suppliers against the same join done in pandas. Each on all
kept spend (no definitions) and on the procurement base (the config's definitions: `analysis.base`),
the base also on every built real config.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest
from conftest import require_built

from cwbtools.analysis import aggregate as agg
from cwbtools.analysis import base, baseline, concentration, deprivation
from cwbtools.config import parse_config
from cwbtools.errors import CwbError

PLACE, WIDER = ["E07000123"], ["E07000123", "E07000117", "E07000118"]


def _spend_row(anchor, fy, pence, key, name, stype, lad, decile=None, section=None, individual=False):
    geo = "unlocated" if lad is None else ("place" if lad in PLACE else ("wider" if lad in WIDER else "outside"))
    return {
        "anchor": anchor,
        "financial_year": fy,
        "amount_pence": pence,
        "supplier_key": key,
        "supplier_name": name,
        "supplier_type": stype,
        "individual": individual,
        "lad_code": lad,
        "imd_decile": decile,
        "sic_section": section,
        "located": lad is not None,
        "geo": geo,
        "in_place": None if lad is None else lad in PLACE,
        "in_wider": None if lad is None else lad in WIDER,
    }


@pytest.fixture
def small_spend() -> pd.DataFrame:
    """Nine payments; the sums below are worked out by hand from these lines."""
    rows = [
        _spend_row("Council A", "2019/20", 100_000, "k1", "ACME LTD", "sme", "E07000123", 1, "F"),
        _spend_row("Council A", "2019/20", 50_000, "k1", "Acme Limited", "sme", "E07000123", 1, "F"),
        _spend_row("Council A", "2019/20", -20_000, "k2", "BIGCO PLC", "large", "E08000001", 7, "C"),  # credit
        _spend_row("Council A", "2019/20", 30_000, "k3", "Wider Care", "vcse", "E07000117", 2, "Q"),
        _spend_row("Council A", "2019/20", 12_345, "ind", "Mr A Smith", "individual", None, individual=True),
        _spend_row("Council B", "2019/20", 200_000, "k2", "BIGCO PLC", "large", "E08000001", 7, "C"),
        _spend_row("Council B", "2019/20", 7_001, "k4", "Unknown Shop", None, None),
        _spend_row("Council B", "2020/21", 80_000, "k1", "ACME LTD", "sme", "E07000123", 1, "F"),
        _spend_row("Council B", "2020/21", 9_999, "k5", "Redacted", "individual", None, individual=True),
    ]
    df = pd.DataFrame(rows)
    df["amount_pence"] = df["amount_pence"].astype("int64")
    df["imd_decile"] = df["imd_decile"].astype("Int64")
    df["in_place"] = df["in_place"].astype("boolean")
    df["in_wider"] = df["in_wider"].astype("boolean")
    return df


def _write(df: pd.DataFrame, path) -> None:
    pq.write_table(pa.Table.from_pandas(df, preserve_index=False), path)


@pytest.fixture
def small_src(small_spend, tmp_path):
    _write(small_spend, tmp_path / "spend.parquet")
    with agg.open_spend(tmp_path / "spend.parquet") as src:
        yield src


def test_headline_by_hand(small_src):
    head = agg.headline(small_src, "2019/20", deprived_deciles=(1, 2))
    everyone = head.iloc[0]
    # 2019/20: 100000+50000-20000+30000+12345+200000+7001 = 379346
    assert everyone["anchor"] == "All anchors"
    assert everyone["total_pence"] == 379_346
    assert everyone["located_pence"] == 100_000 + 50_000 - 20_000 + 30_000 + 200_000  # 360000
    assert everyone["place_pence"] == 150_000
    assert everyone["wider_pence"] == 180_000  # place included, as CLES counts it
    assert everyone["outside_pence"] == 180_000  # -20000 + 200000
    assert everyone["unlocated_pence"] == 19_346
    assert everyone["place_share"] == 150_000 / 360_000
    assert everyone["place_share_lo"] == 150_000 / 379_346
    assert everyone["place_share_hi"] == (150_000 + 19_346) / 379_346
    # SME share measured on typed spend: everything except the untyped 7001.
    assert everyone["sme_share"] == 150_000 / (379_346 - 7_001)
    assert everyone["deprived_pence"] == 180_000  # deciles 1 and 2
    assert everyone["suppliers"] == 5 and everyone["payments"] == 7
    assert list(head["anchor"]) == ["All anchors", "Council A", "Council B"]
    assert head.loc[1, "total_pence"] == 172_345 and head.loc[2, "total_pence"] == 207_001


def test_top_suppliers_never_name_individuals(small_src):
    top = agg.top_suppliers(small_src, n=10)
    assert "Mr A Smith" not in set(top["supplier_name"]) and "Redacted" not in set(top["supplier_name"])
    indiv = top[top["supplier_type"] == "individual"]
    assert list(indiv["supplier_name"]) == ["(payees not named)"]
    assert int(indiv["spend_pence"].iloc[0]) == 12_345 + 9_999
    # k2 BIGCO 180000 over all years, k1 ACME 230000: ACME first and shown by its first published name.
    assert list(top["supplier_name"][:2]) == ["ACME LTD", "BIGCO PLC"]
    assert list(top["spend_pence"][:2]) == [230_000, 180_000]
    assert top["cumulative_share"].iloc[-1] == pytest.approx(1.0)


def test_supplier_counts_and_lad_by_hand(small_src):
    counts = agg.supplier_counts(small_src, "2019/20").set_index("geo")
    assert counts.loc["place", "suppliers"] == 1 and counts.loc["place", "spend_pence"] == 150_000
    assert counts.loc["outside", "suppliers"] == 1 and counts.loc["outside", "spend_pence"] == 180_000
    assert counts.loc["unlocated", "suppliers"] == 2 and counts.loc["unlocated", "spend_pence"] == 19_346
    lad = agg.spend_by_lad(small_src, year="2019/20")
    assert list(lad["geo"]) == ["place", "wider", "outside", "unlocated"]
    assert list(lad["spend_pence"]) == [150_000, 30_000, 180_000, 19_346]
    assert lad["spend_pence"].sum() == 379_346


def test_reconciles_to_the_penny_over_years(small_src, small_spend):
    by = agg.by_anchor_year(small_src, (1, 2))
    every = by[by["anchor"] == "All anchors"]
    assert list(every["financial_year"]) == ["2019/20", "2020/21"]
    assert every["total_pence"].sum() == small_spend["amount_pence"].sum() == 469_345
    per = by[by["anchor"] != "All anchors"]
    assert per["total_pence"].sum() == 469_345
    # wider includes the place, so wider + outside + unlocated is every pound.
    assert (by["wider_pence"] + by["outside_pence"] + by["unlocated_pence"] == by["total_pence"]).all()


def test_unknown_year_is_a_user_error(small_src):
    with pytest.raises(CwbError, match="2030/31"):
        agg.headline(small_src, "2030/31", deprived_deciles=(1, 2))


def _assert_same(ours: pd.DataFrame, theirs: pd.DataFrame) -> None:
    assert list(ours.columns) == list(theirs.columns)
    assert len(ours) == len(theirs)
    for col in ours.columns:
        a, b = ours[col].reset_index(drop=True), theirs[col].reset_index(drop=True)
        if col.endswith("_pence") or col in ("suppliers", "payments", "rank", "imd_decile"):
            assert a.astype("int64").tolist() == b.astype("int64").tolist(), col
        elif pd.api.types.is_float_dtype(b):
            assert np.array_equal(a.to_numpy(float), b.to_numpy(float), equal_nan=True), col
        else:
            assert a.astype(str).tolist() == b.astype(str).tolist(), col


def _compare_all(src, spend: pd.DataFrame, year: str) -> None:
    one = baseline.for_year(spend, year)
    _assert_same(agg.headline(src, year, deprived_deciles=(1, 2)), baseline.headline(one, (1, 2)))
    _assert_same(agg.spend_by_lad(src, year=year), baseline.spend_by_lad(one))
    _assert_same(agg.spend_by_lad(src, by_anchor=True, year=year), baseline.spend_by_lad(one, by_anchor=True))
    _assert_same(agg.spend_by_sector(src, year=year), baseline.spend_by_sector(one))
    _assert_same(agg.spend_by_business_type(src, year), baseline.spend_by_business_type(one))
    _assert_same(agg.top_suppliers(src, 25, year), concentration.top_suppliers(one, 25))
    _assert_same(agg.supplier_counts(src, year), concentration.supplier_counts(one))
    _assert_same(agg.spend_by_decile(src, year), deprivation.spend_by_decile(one))
    assert agg.measures(src, year, deprived_deciles=(1, 2)) == pytest.approx(
        baseline.measures(one, (1, 2)), nan_ok=True
    )


def test_equals_analysis_on_hand_made_frame(small_src, small_spend):
    for year in ("2019/20", "2020/21"):
        _compare_all(small_src, small_spend, year)


def _random_spend(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    lads = np.array(PLACE + WIDER[1:] + ["E08000001", "E06000001", None], dtype=object)
    keys = rng.integers(0, 300, n)
    sup_lad = lads[np.arange(300) % len(lads)]
    types = np.array(["sme", "large", "vcse", "public", None, "unknown"], dtype=object)[np.arange(300) % 6]
    rows = []
    for i, k in enumerate(keys):
        individual = k % 50 == 0
        rows.append(
            _spend_row(
                f"Anchor {i % 3}",
                ["2018/19", "2019/20"][i % 2],
                int(rng.lognormal(10, 1.5)) * (-1 if rng.random() < 0.05 else 1),
                f"key{k:03d}",
                f"Supplier {k} {'Ltd' if rng.random() < 0.5 else 'Limited'}",
                "individual" if individual else types[k],
                None if individual else sup_lad[k],
                None if sup_lad[k] is None else int(k % 10) + 1,
                None if k % 7 == 0 else "ABCFGQ"[k % 6],
                individual,
            )
        )
    df = pd.DataFrame(rows)
    df["imd_decile"] = df["imd_decile"].astype("Int64")
    df["in_place"] = df["in_place"].astype("boolean")
    df["in_wider"] = df["in_wider"].astype("boolean")
    return df


def test_equals_analysis_on_random_frame_over_many_files(tmp_path):
    spend = _random_spend(4_000, seed=3)
    folder = tmp_path / "spend"
    folder.mkdir()
    for i in range(4):
        _write(spend.iloc[i * 1000 : (i + 1) * 1000], folder / f"part-{i}.parquet")
    with agg.open_spend(folder) as src:
        for year in ("2018/19", "2019/20"):
            _compare_all(src, spend, year)


def _typed_and_placed(joined: pd.DataFrame) -> pd.DataFrame:
    """What the pipeline adds in memory to payments joined to suppliers: individuals typed as such,
    and where each supplier is (place, wider area, outside, not located)."""
    joined.loc[joined["individual"].astype(bool), "supplier_type"] = "individual"
    joined["located"] = joined["lad_code"].notna()
    joined["in_place"] = joined["lad_code"].isin(PLACE)
    joined["in_wider"] = joined["lad_code"].isin(WIDER)
    joined["geo"] = np.select(
        [~joined["located"], joined["in_place"], joined["in_wider"]], ["unlocated", "place", "wider"], "outside"
    )
    return joined


def test_transactions_joined_to_suppliers_equal_pandas_join(tmp_path):
    spend = _random_spend(3_000, seed=5)
    suppliers = spend[~spend["individual"]].drop_duplicates("supplier_key")[
        ["supplier_key", "supplier_name", "supplier_type", "lad_code", "imd_decile", "sic_section"]
    ]
    tx = spend[["anchor", "financial_year", "amount_pence", "supplier_key", "supplier_name", "individual"]].copy()
    # Ingest partitions by anchor and year; those columns then live only in the folder names.
    ds.write_dataset(
        pa.Table.from_pandas(tx, preserve_index=False),
        tmp_path / "transactions",
        format="parquet",
        partitioning=ds.partitioning(
            pa.schema([("anchor", pa.string()), ("financial_year", pa.string())]), flavor="hive"
        ),
        basename_template="part-{i}.parquet",
    )
    # What the pipeline does in memory: the supplier's attributes, individuals typed as such.
    joined = tx.merge(suppliers.drop(columns="supplier_name"), on="supplier_key", how="left")
    joined["supplier_name"] = (
        joined["supplier_key"].map(suppliers.set_index("supplier_key")["supplier_name"]).fillna(joined["supplier_name"])
    )
    joined = _typed_and_placed(joined)
    with agg.open_transactions(tmp_path / "transactions", suppliers, PLACE, WIDER) as src:
        assert src.years() == ["2018/19", "2019/20"]  # `2018%2F19` folders read back as years
        for year in src.years():
            one = baseline.for_year(joined, year)
            _assert_same(agg.headline(src, year, deprived_deciles=(1, 2)), baseline.headline(one, (1, 2)))
            _assert_same(agg.spend_by_sector(src, year=year), baseline.spend_by_sector(one))
            _assert_same(agg.supplier_counts(src, year), concentration.supplier_counts(one))
            _assert_same(agg.spend_by_business_type(src, year), baseline.spend_by_business_type(one))
            top = agg.top_suppliers(src, 10, year)
            assert top["spend_pence"].tolist() == concentration.top_suppliers(one, 10)["spend_pence"].tolist()


def test_missing_columns_and_paths_are_user_errors(tmp_path):
    with pytest.raises(CwbError, match="no such parquet"):
        agg.open_spend(tmp_path / "nope.parquet")
    _write(pd.DataFrame({"anchor": ["A"], "amount_pence": [1]}), tmp_path / "thin.parquet")
    with pytest.raises(CwbError, match="financial_year"):
        agg.open_spend(tmp_path / "thin.parquet")


@pytest.mark.realdata
def test_real_ledgers_ingested_partitioned_equal_in_memory(spend_dir, tmp_path):
    """Real Oxford ledgers through ingest's partitioned output, keyed by suppliers.supplier_key
    out of core, against the same payments keyed and joined in pandas."""
    from cwbtools.ingest import ingest_paths
    from cwbtools.suppliers import supplier_key

    files = sorted((spend_dir / "oxford").glob("expenditure-over-500-*-2016.csv"))[:2]  # two financial years
    assert files
    res = ingest_paths(files, anchor="Oxford City Council", out_dir=tmp_path, partition=True)
    parts = sorted((tmp_path / "transactions").rglob("*.parquet"))
    tx = pd.concat([pq.read_table(p).to_pandas() for p in parts], ignore_index=True)
    assert len(tx) == int(res.reconciliation["rows_kept"].sum())
    tx["supplier_key"] = supplier_key(tx)
    keys = sorted(set(tx["supplier_key"].dropna()) - {"individual"})
    # What resolution would add, made up deterministically from the key (these are not real places).
    n = np.array([int(k, 16) % 5 for k in keys])
    lads = np.array(PLACE + WIDER[1:2] + ["E08000001", None, None], dtype=object)
    suppliers = pd.DataFrame(
        {
            "supplier_key": keys,
            "supplier_name": [f"Supplier {k[:6]}" for k in keys],
            "lad_code": lads[n],
            "supplier_type": np.array(["sme", "large", "vcse", "public", "unknown"])[n],
            "imd_decile": pd.Series(n * 3 + 1, dtype="Int64").where(n < 3),
            "sic_section": np.array(list("CFGNQ"))[n],
        }
    )
    joined = tx.drop(columns=["supplier_name"]).merge(suppliers, on="supplier_key", how="left")
    joined["supplier_name"] = joined["supplier_name"].fillna(tx["supplier_name"])
    joined = _typed_and_placed(joined)
    with agg.open_transactions(tmp_path / "transactions", suppliers, PLACE, WIDER) as src:
        by = agg.by_anchor_year(src, (1, 2))
        assert int(by.loc[by["anchor"] == "All anchors", "total_pence"].sum()) == int(
            res.reconciliation["pence_kept"].sum()
        )
        for year in src.years():
            one = baseline.for_year(joined, year)
            _assert_same(agg.headline(src, year, deprived_deciles=(1, 2)), baseline.headline(one, (1, 2)))
            _assert_same(agg.spend_by_lad(src, year=year), baseline.spend_by_lad(one))
            _assert_same(agg.top_suppliers(src, 30, year), concentration.top_suppliers(one, 30))
            _assert_same(agg.supplier_counts(src, year), concentration.supplier_counts(one))


# --------------------------------------------------------------------------------------------
# The procurement base out of core


def _defs(anchors, base_name: str = "procurement"):
    config = parse_config(
        {
            "name": "Test",
            "slug": "test",
            "place": {"name": "Preston", "lad_codes": PLACE},
            "wider_area": {"name": "Lancashire", "lad_codes": WIDER},
            "years": ["2019/20", "2020/21"],
            "anchors": [{"name": a, "kind": "council", "ledgers": ["x.csv"]} for a in anchors],
            "definitions": {"base": base_name},
        },
        resolve_areas=False,
    )
    return config.analysis_definitions()


def _in_base(spend: pd.DataFrame, defs) -> pd.DataFrame:
    """What the in-memory route measures: the base's rules by `analysis.base`, then `analysed`."""
    return base.analysed(base.classified(spend, defs), defs.base)


@pytest.fixture
def base_spend(small_spend) -> pd.DataFrame:
    """The nine payments above, and four 2019/20 payments the base sets aside (by hand below): one
    anchor paying the other, an anchor paying itself, business rates paid to a supplier otherwise
    in the base (the same supplier key on both sides), and an NHS trust."""
    extra = pd.DataFrame(
        [
            _spend_row("Council A", "2019/20", 40_000, "kB", "Council B", "public", "E07000123"),
            _spend_row("Council B", "2019/20", 15_000, "kB", "Council B", "public", "E07000123"),
            _spend_row("Council A", "2019/20", 25_000, "k1", "ACME LTD", "sme", "E07000123", 1, "F"),
            _spend_row("Council B", "2019/20", 60_000, "k7", "Wider NHS Trust", "public", "E07000117"),
        ]
    )
    extra["expense_category"] = [None, None, "Business Rates", None]
    out = pd.concat([small_spend.assign(expense_category="Services"), extra], ignore_index=True)
    out["amount_pence"] = out["amount_pence"].astype("int64")
    out["imd_decile"] = out["imd_decile"].astype("Int64")
    for c in ("in_place", "in_wider"):
        out[c] = out[c].astype("boolean")
    return out


def test_base_by_hand(base_spend, tmp_path):
    _write(base_spend, tmp_path / "spend.parquet")
    defs = _defs(["Council A", "Council B"])
    with agg.open_spend(tmp_path / "spend.parquet", defs=defs) as src:
        assert src.base == "procurement"
        everyone = agg.headline(src, "2019/20", deprived_deciles=(1, 2)).iloc[0]
        # All kept 2019/20: 379346 + 40000 + 15000 + 25000 + 60000 = 519346; the base leaves out
        # those four and Mr A Smith (12345): 367001, of which ACME's 150000 in the place.
        assert everyone["total_pence"] == 367_001
        assert everyone["place_pence"] == 150_000 and everyone["located_pence"] == 360_000
        assert agg.excluded_pence(src, "2019/20") == {
            "public_body": 60_000,
            "public_corporation": 0,
            "individual": 12_345,
            "transfer": 25_000,
            "self": 15_000,
            "inter_anchor": 40_000,
        }
        assert agg.excluded_pence(src, "2019/20", "Council B")["self"] == 15_000
        top = agg.top_suppliers(src, 10).set_index("supplier_name")
        assert "Council B" not in top.index and "Wider NHS Trust" not in top.index
        assert top.loc["ACME LTD", "spend_pence"] == 230_000  # the rates payment is not procurement
    with agg.open_spend(tmp_path / "spend.parquet", defs=_defs(["Council A", "Council B"], "all")) as src:
        everyone = agg.headline(src, "2019/20", deprived_deciles=(1, 2)).iloc[0]
        assert everyone["total_pence"] == 519_346 and everyone["place_pence"] == 230_000
        assert agg.excluded_pence(src, "2019/20")["transfer"] == 25_000  # said whatever the base


def test_base_equals_analysis_on_hand_made_frame(base_spend, tmp_path):
    _write(base_spend, tmp_path / "spend.parquet")
    for base_name in ("procurement", "all"):
        defs = _defs(["Council A", "Council B"], base_name)
        with agg.open_spend(tmp_path / "spend.parquet", defs=defs) as src:
            for year in ("2019/20", "2020/21"):
                _compare_all(src, _in_base(base_spend, defs), year)


def _with_exclusions(spend: pd.DataFrame) -> pd.DataFrame:
    """A random frame with payments each base rule meets: other anchors by name, public bodies (its
    `public` type), persons, and precepts and rates among expense categories."""
    out = spend.copy()
    key = out["supplier_key"].str[3:].astype(int)
    out.loc[key % 13 == 0, "supplier_name"] = "Anchor 1"
    out["expense_category"] = np.where(np.arange(len(out)) % 17 == 0, "Precept", "Services")
    out.loc[np.arange(len(out)) % 29 == 0, "expense_category"] = "Non Domestic Rates"
    return out


def test_base_equals_analysis_on_random_frame_over_many_files(tmp_path):
    spend = _with_exclusions(_random_spend(4_000, seed=7))
    folder = tmp_path / "spend"
    folder.mkdir()
    for i in range(4):
        _write(spend.iloc[i * 1000 : (i + 1) * 1000], folder / f"part-{i}.parquet")
    defs = _defs(["Anchor 0", "Anchor 1", "Anchor 2"])
    shown = _in_base(spend, defs)
    assert 0 < len(shown) < len(spend)
    with agg.open_spend(folder, defs=defs) as src:
        for year in ("2018/19", "2019/20"):
            _compare_all(src, shown, year)
            one = baseline.for_year(base.classified(spend, defs), year)
            assert agg.excluded_pence(src, year) == base.excluded_pence(one)


def test_transactions_on_the_base_equal_pandas(tmp_path):
    spend = _with_exclusions(_random_spend(3_000, seed=9))
    suppliers = spend[~spend["individual"]].drop_duplicates("supplier_key")[
        ["supplier_key", "supplier_name", "supplier_type", "lad_code", "imd_decile", "sic_section"]
    ]
    cols = ["anchor", "financial_year", "amount_pence", "supplier_key", "supplier_name", "individual"]
    tx = spend[cols + ["expense_category"]].copy()
    ds.write_dataset(
        pa.Table.from_pandas(tx, preserve_index=False),
        tmp_path / "transactions",
        format="parquet",
        partitioning=ds.partitioning(
            pa.schema([("anchor", pa.string()), ("financial_year", pa.string())]), flavor="hive"
        ),
        basename_template="part-{i}.parquet",
    )
    joined = tx.merge(suppliers.drop(columns="supplier_name"), on="supplier_key", how="left")
    joined["supplier_name"] = (
        joined["supplier_key"].map(suppliers.set_index("supplier_key")["supplier_name"]).fillna(joined["supplier_name"])
    )
    defs = _defs(["Anchor 0", "Anchor 1", "Anchor 2"])
    every = base.classified(_typed_and_placed(joined), defs)
    shown = base.analysed(every, defs.base)
    assert 0 < len(shown) < len(every)
    with agg.open_transactions(tmp_path / "transactions", suppliers, PLACE, WIDER, defs=defs) as src:
        for year in src.years():
            one = baseline.for_year(shown, year)
            _assert_same(agg.headline(src, year, deprived_deciles=(1, 2)), baseline.headline(one, (1, 2)))
            _assert_same(agg.supplier_counts(src, year), concentration.supplier_counts(one))
            _assert_same(agg.top_suppliers(src, 25, year), concentration.top_suppliers(one, 25))
            assert agg.excluded_pence(src, year) == base.excluded_pence(baseline.for_year(every, year))


REAL_CONFIGS = ["bolton", "hyndburn", "lancashire-blue-light", "oldham", "oxford", "salford", "preston-demo"]


@pytest.mark.realdata
@pytest.mark.parametrize("slug", REAL_CONFIGS)
def test_base_on_real_configs_equals_in_memory(slug, built_reference):
    """Each built config's spend (`data/processed/<slug>/spend.parquet`), with the register of
    public bodies the reports use: every year's headline, suppliers and exclusions to the penny."""
    from cwbtools import reference
    from cwbtools.config import load_config
    from cwbtools.paths import processed_dir

    path = processed_dir() / slug / "spend.parquet"
    require_built(path, slug)
    defs = load_config(f"configs/{slug}.yml").analysis_definitions()
    bodies = reference.load_public_bodies()
    every = base.classify(pd.read_parquet(path), base.exclusion_rules(defs, bodies, influenceable=False))
    shown = base.analysed(every, defs.base)
    assert shown["amount_pence"].sum() < every["amount_pence"].sum()  # the base sets something aside
    with agg.open_spend(path, defs=defs, bodies=bodies) as src:
        for year in src.years():
            one = baseline.for_year(shown, year)
            _assert_same(
                agg.headline(src, year, deprived_deciles=defs.deprived_deciles),
                baseline.headline(one, defs.deprived_deciles),
            )
            _assert_same(agg.top_suppliers(src, 50, year), concentration.top_suppliers(one, 50))
            _assert_same(agg.supplier_counts(src, year), concentration.supplier_counts(one))
            assert agg.excluded_pence(src, year) == base.excluded_pence(baseline.for_year(every, year))
