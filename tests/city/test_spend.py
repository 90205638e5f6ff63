"""The city pipeline: geography classification, set-asides, individuals, and a small real city
that reconciles to the penny."""

from __future__ import annotations

import datetime as dt
import textwrap

import pandas as pd
import pytest

from cwbtools import schema
from cwbtools.city import spend as cache
from cwbtools.city import steps
from cwbtools.city.inputs import supplier_sheet_transactions
from cwbtools.config import load_config
from cwbtools.errors import ConfigError
from cwbtools.privacy import hide_individuals

PLACE = ["E07000123"]
WIDER = ["E07000117", "E07000118"]


def test_classify_geography_by_hand():
    spend = pd.DataFrame(
        {
            "lad_code": ["E07000123", "E07000117", "E09000001", None, "S12000049", "E07000123"],
            "imd_decile": [1, 3, 2, None, None, pd.NA],
            "amount_pence": [100, 200, 300, 400, 500, 600],
        }
    )
    out = steps.classify_geography(spend, PLACE, WIDER, [1, 2])
    assert out["geo"].tolist() == ["place", "wider", "outside", "unlocated", "outside", "place"]
    assert out["in_place"].tolist() == [True, False, False, False, False, True]
    # The wider area includes the place (CLES's count), even when the config lists only the rest.
    assert out["in_wider"].tolist() == [True, True, False, False, False, True]
    assert out["located"].tolist() == [True, True, True, False, True, True]
    assert out["deprived"].tolist() == [True, False, True, pd.NA, pd.NA, pd.NA]
    # Money is untouched and the shares CLES reports come out of simple sums.
    assert out.loc[out["in_wider"], "amount_pence"].sum() == 900


def test_set_aside_outside_years_keeps_the_books_balanced():
    tx = pd.DataFrame(
        {
            "anchor": ["A"] * 4,
            "source_file": ["f.csv"] * 3 + ["g.csv"],
            "sheet": [""] * 4,
            "row_number": [2, 3, 4, 2],
            "financial_year": ["2017/18", "2018/19", "2017/18", "2016/17"],
            "amount_pence": [1000, 250, -100, 7],
        }
    )
    rec = pd.DataFrame(
        {
            "anchor": ["A", "A"],
            "source_file": ["f.csv", "g.csv"],
            "rows_read": [4, 1],
            "rows_kept": [3, 1],
            "rows_set_aside": [1, 0],
            "pence_read": [1150 + 99, 7],
            "pence_kept": [1150, 7],
            "pence_set_aside": [99, 0],
        }
    )
    quarantine = pd.DataFrame(
        {
            "anchor": ["A"],
            "source_file": ["f.csv"],
            "sheet": [""],
            "row_number": [5],
            "reason": ["no_date"],
            "amount_pence": [99],
            "raw": ["x"],
        }
    )
    kept, rec2, q2 = steps.set_aside_outside_years(tx, rec, quarantine, ["2017/18"])
    assert kept["amount_pence"].tolist() == [1000, -100]
    assert rec2["pence_kept"].tolist() == [900, 0] and rec2["pence_set_aside"].tolist() == [349, 7]
    assert rec2["reason_outside_years"].tolist() == [1, 1]
    assert (rec2["pence_read"] == rec2["pence_kept"] + rec2["pence_set_aside"]).all()
    assert (rec2["rows_read"] == rec2["rows_kept"] + rec2["rows_set_aside"]).all()
    assert q2["reason"].tolist() == ["no_date", "outside_years", "outside_years"]
    assert q2["amount_pence"].sum() == 99 + 250 + 7


def test_note_stated_year_counts_rows_paid_in_another_year():
    rec = pd.DataFrame({"source_file": ["a.xlsx", "b.xlsx"]})
    tx = pd.DataFrame(
        {"source_file": ["a.xlsx", "a.xlsx", "b.xlsx"], "financial_year": ["2022/23", "2023/24", "2022/23"]}
    )
    steps.note_stated_year(rec, tx, "2022/23")
    assert rec["rows_outside_stated_year"].tolist() == [1, 0] and rec["stated_year"].tolist() == ["2022/23"] * 2


def test_hide_individuals_never_names_them():
    frame = pd.DataFrame(
        {
            "supplier_name": ["Mr J Smith", "Acme Ltd", "Redacted"],
            "supplier_type": ["sme", "sme", "unknown"],
            "individual": [True, False, False],
            "redacted": [False, False, True],
            "postcode": ["PR1 2AB", "PR1 3CD", None],
        }
    )
    out = hide_individuals(frame)
    assert out["supplier_name"].tolist() == ["(individual)", "Acme Ltd", "(individual)"]
    assert out["postcode"].isna().tolist() == [True, False, True]


def test_join_suppliers_keeps_every_payment_and_marks_individuals():
    tx = pd.DataFrame(
        {"supplier_key": ["a", "b", "a", "c"], "amount_pence": [1, 2, 3, 4], "individual": [False, False, False, True]}
    )
    sup = pd.DataFrame(
        {
            "supplier_key": ["a", "b"],
            "supplier_type": ["sme", "large"],
            "lad_code": ["E07000123", None],
            "resolved_by": ["crosswalk", "unresolved"],
        }
    )
    out = steps.join_suppliers(tx, sup)
    assert out["amount_pence"].sum() == 10 and len(out) == 4
    assert out["supplier_type"].tolist() == ["sme", "large", "sme", "individual"]
    assert out["resolved_by"].tolist() == ["crosswalk", "unresolved", "crosswalk", "unresolved"]


def test_supplier_sheet_becomes_transactions(tmp_path):
    (tmp_path / "sheet.csv").write_text(
        'Supplier,Post Code,Spend\nA Ltd,pr1 2ab,"1,000.50"\nB Ltd,,oops\nC Ltd,,(20.00)\n'
    )
    (tmp_path / "city.yml").write_text(
        textwrap.dedent("""
        name: Sheetville
        slug: sheetville
        place: {name: Preston, lad_codes: [E07000123]}
        wider_area: [E07000117]
        years: [2012/13]
        anchors:
          - name: A Council
            kind: council
            supplier_sheet: {path: sheet.csv, year: 2012/13}
    """)
    )
    config = load_config(tmp_path / "city.yml")
    tx, rec, quarantine = supplier_sheet_transactions(config, config.anchors[0])
    assert tx["amount_pence"].tolist() == [100050, -2000]
    assert tx["postcode"].fillna("none").tolist() == ["PR1 2AB", "none"]
    assert tx["payment_date"].tolist() == [dt.date(2012, 4, 1)] * 2
    assert not tx["individual"].any()
    assert rec.loc[0, "rows_read"] == 3 and rec.loc[0, "rows_set_aside"] == 1
    assert quarantine["reason"].tolist() == ["bad_amount"]


def test_missing_ledger_raises_config_error_naming_it(tmp_path, monkeypatch):
    (tmp_path / "city.yml").write_text(
        textwrap.dedent("""
        name: Gone
        slug: gone
        place: {name: Preston, lad_codes: [E07000123]}
        wider_area: [E07000117]
        years: [2017/18]
        anchors:
          - {name: Gone Council, kind: council, ledgers: [{path: "${CWB_DATA}/spend/nowhere/x.csv"}]}
    """)
    )
    config = load_config(tmp_path / "city.yml", check_inputs=False)
    monkeypatch.setattr(cache, "processed_dir", lambda: tmp_path / "processed")
    with pytest.raises(ConfigError, match=r"Gone Council.*nowhere/x\.csv"):
        cache.city_spend(config)


@pytest.fixture
def hyndburn_config(spend_dir, tmp_path):
    # Two months of 2017/18 and the first of 2018/19, which falls outside the configured year.
    path = tmp_path / "hyndburn-sample.yml"
    path.write_text(
        textwrap.dedent(f"""
        name: Hyndburn sample
        slug: hyndburn-sample
        place: {{name: Hyndburn, lad_codes: [E07000120]}}
        wider_area: [E07000117, E07000118, E07000119, E07000121, E07000122, E07000123, E07000124,
                     E07000125, E07000126, E07000127, E07000128]
        years: [2017/18]
        anchors:
          - name: Hyndburn Borough Council
            kind: council
            ledgers:
              - path: {spend_dir}/hyndburn/1802.csv
              - path: {spend_dir}/hyndburn/1803.csv
              - path: {spend_dir}/hyndburn/1804.csv
    """)
    )
    return load_config(path)


@pytest.mark.realdata
def test_real_city_reconciles_to_the_penny(hyndburn_config, built_reference, tmp_path, monkeypatch):
    from cwbtools.ingest import ingest_paths

    monkeypatch.setattr(cache, "processed_dir", lambda: tmp_path / "processed")
    spend = cache.city_spend(hyndburn_config)
    rec = cache.city_reconciliation(hyndburn_config)

    # Pence read straight from the files by ingest, independently of the cache.
    files = [p for _, ps in hyndburn_config.ledger_files(hyndburn_config.anchors[0]) for p in ps]
    read = sum(int(ingest_paths([p], "x").reconciliation["pence_read"].sum()) for p in files)
    assert int(rec["pence_read"].sum()) == read
    assert int(spend["amount_pence"].sum()) + int(rec["pence_set_aside"].sum()) == read
    assert int(spend["amount_pence"].sum()) == int(rec["pence_kept"].sum())
    assert len(spend) == int(rec["rows_kept"].sum())

    # April 2018 lies outside 2017/18: set aside with a reason, not lost.
    assert set(spend["financial_year"]) == {"2017/18"}
    assert int(rec["reason_outside_years"].sum()) > 0
    quarantine = cache.city_quarantine(hyndburn_config)
    assert int(pd.to_numeric(quarantine["amount_pence"]).sum()) == int(rec["pence_set_aside"].sum())

    # CONTRACTS §4 columns, and geography consistent with the LAD codes.
    assert list(spend.columns[: len(schema.SPEND_COLUMNS)]) == schema.SPEND_COLUMNS
    assert spend["amount_pence"].dtype == "int64"
    assert (spend.loc[spend["in_place"], "lad_code"] == "E07000120").all()
    assert (spend["in_wider"] >= spend["in_place"]).all()
    assert set(spend["geo"]) <= set(schema.GEO_ORDER)
    assert (spend.loc[spend["individual"], "supplier_name"] == "(individual)").all()
    assert (spend["anchor_kind"] == "council").all()

    # Cached: the second call reads the same table without rebuilding.
    stamp = (tmp_path / "processed" / "hyndburn-sample" / "spend.parquet").stat().st_mtime_ns
    again = cache.city_spend(hyndburn_config)
    assert (tmp_path / "processed" / "hyndburn-sample" / "spend.parquet").stat().st_mtime_ns == stamp
    pd.testing.assert_frame_equal(spend, again)
    # A changed definition changes the fingerprint, so the table is rebuilt.
    changed = hyndburn_config.model_copy(deep=True)
    changed.definitions.deprived.deciles = [1]
    assert cache.fingerprint(changed) != cache.fingerprint(hyndburn_config)
    # A note does not touch the spend table, so it does not force a rebuild.
    other = hyndburn_config.model_copy(deep=True)
    other.notes = "edited"
    assert cache.fingerprint(other) == cache.fingerprint(hyndburn_config)


def test_supplier_sheet_city_end_to_end(built_reference, tmp_path, monkeypatch):
    """A CLES-style supplier sheet goes through resolution and geography like any ledger."""
    from cwbtools.city.demo import demo_postcodes

    pcs = demo_postcodes()
    live = pcs[~pcs["terminated"].astype(bool)].sort_values("postcode")
    preston = live.loc[live["lad_code"] == "E07000123", "postcode"].iloc[0]
    burnley = live.loc[live["lad_code"] == "E07000117", "postcode"].iloc[0]
    london = live.loc[live["lad_code"] == "E09000001", "postcode"].iloc[0]
    (tmp_path / "sheet.csv").write_text(
        "Supplier Name,Postcode,Amount\n"
        f"Zqx Preston Widgets Ltd,{preston},1000.00\n"
        f"Zqx Burnley Widgets Ltd,{burnley},250.50\n"
        f"Zqx London Widgets Ltd,{london},99.99\n"
        "Zqx Nowhere Widgets Ltd,,10.00\n"
    )
    (tmp_path / "city.yml").write_text(
        textwrap.dedent("""
        name: Sheetville
        slug: sheetville
        place: {name: Preston, lad_codes: [E07000123]}
        wider_area: [E07000117]
        years: [2012/13]
        anchors:
          - {name: A Council, kind: council, supplier_sheet: {path: sheet.csv, year: 2012/13}}
    """)
    )
    monkeypatch.setattr(cache, "processed_dir", lambda: tmp_path / "processed")
    spend = cache.city_spend(load_config(tmp_path / "city.yml"))
    by_geo = spend.groupby("geo")["amount_pence"].sum().to_dict()
    assert by_geo == {"place": 100000, "wider": 25050, "outside": 9999, "unlocated": 1000}
    assert spend.loc[spend["in_wider"], "amount_pence"].sum() == 125050  # place included
    assert set(spend.loc[spend["located"], "resolved_by"]) == {"ledger_postcode"}
