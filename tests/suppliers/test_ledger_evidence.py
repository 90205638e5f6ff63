"""The ledger's own evidence in supplier resolution, each with its precedence (docs/ASSUMPTIONS.md,
"The ledger's own evidence"): the publisher's SIC, postcode districts, business-type columns.
By hand, and on the real Greater Manchester ledgers."""

from __future__ import annotations

import pandas as pd
import pytest

from cwbtools.identifiers import supplier_name
from cwbtools.organisations import name_shown
from cwbtools.suppliers import resolve_suppliers, supplier_key
from cwbtools.suppliers.classify import ledger_types, sic_codes

# Who is public is not under test here: no register of public bodies.
NO_BODIES = pd.DataFrame()


def _registers() -> pd.DataFrame:
    reg = pd.DataFrame(
        {
            "source": ["companies_house", "companies_house"],
            "name": ["REGISTERED TRADES LIMITED", "FAR AWAY HQ LIMITED"],
            "company_number": ["01111111", "02222222"],
            "charity_number": [None, None],
            "other_id": [None, None],
            "postcode": [None, "SW1A 1AA"],
            "sic_code": ["41202", None],
            "size": ["large", None],
            "kind": ["company", "company"],
        }
    )
    reg["name_norm"] = reg["name"].map(supplier_name)
    return reg


# BL1 lies wholly in Bolton; M1 straddles two LADs here; SW1A is Westminster.
POSTCODES = pd.DataFrame(
    {
        "postcode": ["BL1 1AA", "BL1 2BB", "M1 1AA", "M1 9ZZ", "SW1A 1AA", "OL1 1AA"],
        "lad_code": ["E08000001", "E08000001", "E08000003", "E08000007", "E09000033", "E08000004"],
        "ward_code": ["w1", "w2", "w3", "w4", "w5", "w6"],
        "lsoa_code": ["l1", "l2", "l3", "l4", "l5", "l6"],
        "imd_decile": [1, 2, 3, 4, 9, 5],
    }
)


def _resolve(rows: list[dict], **kw) -> pd.DataFrame:
    tx = pd.DataFrame(rows)
    tx["amount_pence"] = tx.get("amount_pence", 1_000)
    tx["anchor"] = "A"
    tx["financial_year"] = "2019/20"
    res = resolve_suppliers(tx, registers=_registers(), postcodes=POSTCODES, public_bodies=NO_BODIES, **kw)
    return res.suppliers.set_index("supplier_name")


# ---------------------------------------------------------------------------------------------
# SIC: register > ledger > expense category


def test_sic_codes_take_one_spelling_and_drop_codes_that_name_no_trade():
    got = sic_codes(pd.Series(["8110", "58130", " 41202 ", "0", "99999", "74990", "abc", None, "00100"]))
    assert got.tolist()[:3] == ["08110", "58130", "41202"]
    # none given, dormant, non-trading, not a code, missing, no such division
    assert got.iloc[3:].isna().all()


def test_sic_precedence_register_then_ledger_then_expense_category():
    s = _resolve(
        [
            # a register SIC beats the publisher's
            {"supplier_name": "Registered Trades Ltd", "ledger_sic_code": "58130", "expense_category": "Catering"},
            # the publisher's SIC where no register gives one, before the expense category
            {"supplier_name": "Ledger Only Ltd", "ledger_sic_code": "8110", "expense_category": "Catering"},
            # `0` is no SIC: the expense category, inferred
            {"supplier_name": "Nothing Known Ltd", "ledger_sic_code": "0", "expense_category": "Catering"},
            {"supplier_name": "No Clue Ltd", "ledger_sic_code": None, "expense_category": None},
        ]
    )
    assert s.loc["Registered Trades Ltd", ["sic_code", "sic_section", "sic_source"]].tolist() == [
        "41202",
        "F",
        "register",
    ]
    assert s.loc["Ledger Only Ltd", ["sic_code", "sic_division", "sic_section", "sic_source"]].tolist() == [
        "08110",
        "08",
        "B",
        "ledger",
    ]
    assert not s.loc["Ledger Only Ltd", "sic_inferred"]
    row = s.loc["Nothing Known Ltd"]
    assert pd.isna(row["sic_code"]) and row["sic_section"] == "I" and row["sic_inferred"]
    assert row["sic_source"] == "expense_category"
    assert pd.isna(s.loc["No Clue Ltd", "sic_source"]) and pd.isna(s.loc["No Clue Ltd", "sic_section"])


def test_the_ledger_sic_paid_most_under_a_key_wins():
    s = _resolve(
        [
            {"supplier_name": "Split Ltd", "ledger_sic_code": "58130", "amount_pence": 100},
            {"supplier_name": "Split Ltd", "ledger_sic_code": "41202", "amount_pence": -5_000},
        ]
    )
    assert s.loc["Split Ltd", "sic_code"] == "41202"


def test_individuals_keep_no_ledger_evidence():
    s = _resolve(
        [{"supplier_name": "Jane Smith", "individual": True, "ledger_sic_code": "86900", "postcode_district": "BL1"}]
    )
    row = s.iloc[0]
    assert row["supplier_type"] == "individual"
    assert row[["sic_code", "sic_source", "postcode_district", "lad_code", "ledger_type"]].isna().all()


# ---------------------------------------------------------------------------------------------
# Location: crosswalk > ledger postcode > creditor file > ledger district > register


def test_a_district_wholly_in_one_lad_places_the_supplier_there_and_no_finer():
    s = _resolve([{"supplier_name": "District Only Ltd", "postcode_district": "BL1"}])
    row = s.loc["District Only Ltd"]
    assert row["lad_code"] == "E08000001" and row["postcode_source"] == "ledger_district"
    assert row["resolved_by"] == "ledger_postcode"
    assert row[["postcode", "ward_code", "lsoa_code", "imd_decile"]].isna().all()


def test_a_district_across_a_boundary_leaves_the_supplier_unlocated_with_the_district_recorded():
    s = _resolve([{"supplier_name": "Straddler Ltd", "postcode_district": "M1"}])
    row = s.loc["Straddler Ltd"]
    assert pd.isna(row["lad_code"]) and pd.isna(row["postcode_source"])
    assert row["postcode_district"] == "M1"
    assert row["resolved_by"] == "unresolved"


def test_a_registered_office_outside_the_ledgers_district_is_not_the_location():
    # The register puts Far Away HQ in SW1A; the ledger says BL1: Bolton, not Westminster.
    s = _resolve([{"supplier_name": "Far Away HQ Ltd", "postcode_district": "BL1"}])
    row = s.loc["Far Away HQ Ltd"]
    assert row["lad_code"] == "E08000001" and row["postcode_source"] == "ledger_district"
    assert row["resolved_by"] == "ledger_postcode"
    # Its district straddling a boundary: still not Westminster.
    s = _resolve([{"supplier_name": "Far Away HQ Ltd", "postcode_district": "M1"}])
    assert pd.isna(s.loc["Far Away HQ Ltd", "lad_code"])
    # No district given: the registered office, as before.
    s = _resolve([{"supplier_name": "Far Away HQ Ltd"}])
    assert s.loc["Far Away HQ Ltd", ["lad_code", "postcode_source"]].tolist() == ["E09000033", "register"]


def test_a_registered_office_inside_the_ledgers_district_gives_the_finer_location():
    s = _resolve([{"supplier_name": "Far Away HQ Ltd", "postcode_district": "SW1A"}])
    row = s.loc["Far Away HQ Ltd"]
    assert row[["postcode", "ward_code", "postcode_source"]].tolist() == ["SW1A 1AA", "w5", "register"]


def test_full_postcodes_beat_districts_crosswalk_beats_ledger_and_ledger_beats_creditor_file():
    creditors = pd.DataFrame({"supplier_name": ["Creditor Ltd", "Both Ltd"], "postcode": ["OL1 1AA", "OL1 1AA"]})
    crosswalk = pd.DataFrame({"supplier_name": ["Walked Ltd"], "postcode": ["SW1A 1AA"]})
    s = _resolve(
        [
            {"supplier_name": "Creditor Ltd", "postcode_district": "BL1"},
            {"supplier_name": "Both Ltd", "postcode": "BL1 2BB"},
            {"supplier_name": "Walked Ltd", "postcode": "BL1 2BB"},
        ],
        creditors=creditors,
        crosswalk=crosswalk,
    )
    assert s.loc["Creditor Ltd", ["lad_code", "postcode_source"]].tolist() == ["E08000004", "ledger"]
    assert s.loc["Both Ltd", ["postcode", "postcode_source", "postcode_district"]].tolist() == [
        "BL1 2BB",
        "ledger",
        "BL1",
    ]
    assert s.loc["Walked Ltd", ["lad_code", "postcode_source"]].tolist() == ["E09000033", "crosswalk"]


# ---------------------------------------------------------------------------------------------
# Supplier type: crosswalk > register > ledger business type > name


def test_ledger_business_types_are_read_whole_cells_only():
    got = ledger_types(pd.Series(["LTD", " plc ", "SOLE", "Sole Trader", "CHTY", "Charity", "SME", "LA", "part"]))
    assert got.tolist() == [
        "company",
        "company",
        "sole_trader",
        "sole_trader",
        "vcse",
        "vcse",
        "sme",
        "public",
        "company",
    ]
    # Lancashire Fire's "Supplier Classification" holds expense headings: they say nothing of the type.
    headings = ledger_types(pd.Series(["Catering Service (External)", "Fire - Operational Equipment", "Charity shop"]))
    assert headings.isna().all()


def test_type_precedence_register_then_ledger_then_name():
    crosswalk = pd.DataFrame({"supplier_name": ["Crosswalked Co-operative"], "supplier_type": ["large"]})
    s = _resolve(
        [
            # the register's size beats the ledger's SOLE
            {"supplier_name": "Registered Trades Ltd", "supplier_classification": "SOLE"},
            # the ledger's SOLE: an SME, and a word of the name does not make it VCSE
            {"supplier_name": "Bob's Co-operative Plumbing", "supplier_classification": "SOLE"},
            # the ledger's charity code: VCSE
            {"supplier_name": "Friends of the Park", "supplier_classification": "CHTY"},
            # LTD says neither size nor form: a CIC by name stays VCSE; a plain firm stays unknown
            {"supplier_name": "Green Shoots CIC", "supplier_classification": "LTD"},
            {"supplier_name": "Plain Firm Ltd", "supplier_classification": "LTD"},
            # a public code makes nothing public by itself
            {"supplier_name": "Some Agency Ltd", "supplier_classification": "Public Sector"},
            # the crosswalk beats everything
            {"supplier_name": "Crosswalked Co-operative", "supplier_classification": "CHTY"},
        ],
        crosswalk=crosswalk,
    )
    t = s["supplier_type"]
    assert t["Registered Trades Ltd"] == "large"
    assert t["Bob's Co-operative Plumbing"] == "sme"
    assert t["Friends of the Park"] == "vcse"
    assert t["Green Shoots CIC"] == "vcse"
    assert t["Plain Firm Ltd"] == "unknown"
    assert t["Some Agency Ltd"] == "unknown" and s.loc["Some Agency Ltd", "ledger_type"] == "public"
    assert pd.isna(s.loc["Some Agency Ltd", "public_class"])
    assert t["Crosswalked Co-operative"] == "large"
    assert s.loc["Bob's Co-operative Plumbing", "ledger_type"] == "sole_trader"


def test_the_ledger_vcse_flag_below_crosswalk_and_register_above_names():
    crosswalk = pd.DataFrame({"supplier_name": ["Crosswalked Trust"], "supplier_type": ["large"]})
    rows = [
        # the register's size beats the flag
        {"supplier_name": "Registered Trades Ltd", "ledger_vcse": True},
        # no register evidence: the flag makes it VCSE, over a business type's size reading
        {"supplier_name": "Plain Firm Ltd", "ledger_vcse": True},
        {"supplier_name": "Small Trader Ltd", "ledger_vcse": True, "supplier_classification": "SOLE"},
        # the flag's no beats a word of the name
        {"supplier_name": "Green Shoots CIC", "ledger_vcse": False},
        # no flag: the name still speaks
        {"supplier_name": "Blue Shoots CIC", "ledger_vcse": None},
        # the crosswalk beats the flag
        {"supplier_name": "Crosswalked Trust", "ledger_vcse": True},
        # most pounds decide one supplier's flag
        {"supplier_name": "Mixed Ltd", "ledger_vcse": True, "amount_pence": 100},
        {"supplier_name": "Mixed Ltd", "ledger_vcse": False, "amount_pence": 900},
    ]
    t = _resolve([{"amount_pence": 1_000, **r} for r in rows], crosswalk=crosswalk)["supplier_type"]
    assert t["Registered Trades Ltd"] == "large"
    assert t["Plain Firm Ltd"] == "vcse"
    assert t["Small Trader Ltd"] == "vcse"
    assert t["Green Shoots CIC"] == "unknown"
    assert t["Blue Shoots CIC"] == "vcse"
    assert t["Crosswalked Trust"] == "large"
    assert t["Mixed Ltd"] == "unknown"


def test_no_vcse_flag_changes_nothing():
    rows = [
        {"supplier_name": "Plain Firm Ltd", "supplier_classification": "LTD"},
        {"supplier_name": "Green Shoots CIC"},
        {"supplier_name": "Friends of the Park", "supplier_classification": "CHTY"},
    ]
    without = _resolve(rows)
    with_nulls = _resolve([{**r, "ledger_vcse": None} for r in rows])
    pd.testing.assert_series_equal(without["supplier_type"], with_nulls["supplier_type"])
    assert with_nulls["supplier_type"].tolist() == ["unknown", "vcse", "vcse"]


def test_a_sole_trader_is_never_named():
    s = _resolve(
        [
            {"supplier_name": "Smith Plumbing Services Ltd", "supplier_classification": "SOLE"},
            {"supplier_name": "Jones Plumbing Services Ltd", "supplier_classification": "LTD"},
        ]
    ).reset_index()
    shown = name_shown(s).set_axis(s["supplier_name"])
    assert not shown["Smith Plumbing Services Ltd"]
    assert shown["Jones Plumbing Services Ltd"]


# ---------------------------------------------------------------------------------------------
# On real data: the publisher's SIC is used


@pytest.fixture(scope="module")
def bolton_resolved(spend_dir, built_reference):
    from cwbtools.ingest import ingest_paths

    tx = ingest_paths([spend_dir / "greater-manchester-2019" / "bolton_2019.csv"], anchor="Bolton").transactions
    tx = tx.assign(supplier_key=supplier_key(tx))
    return tx, resolve_suppliers(tx).suppliers


def test_bolton_spend_with_a_sic_rises_with_the_publishers_codes(bolton_resolved):
    tx, sup = bolton_resolved
    spend = sup.set_index("supplier_key")["spend_pence"]
    total = spend.sum()
    by = sup.groupby("sic_source", dropna=False)["spend_pence"].sum() / total
    with_sic = sup["sic_code"].notna()
    # Register SIC alone covered ~30% of Bolton's spend; with the publisher's, most of it.
    assert by.get("register", 0) > 0.2
    assert by.get("ledger", 0) > 0.3
    assert sup.loc[with_sic, "spend_pence"].sum() / total > 0.65
    # Every ledger SIC used is one the publisher gave that supplier.
    used = sup[sup["sic_source"].eq("ledger").fillna(False)]
    given = tx.dropna(subset=["ledger_sic_code"]).assign(code=lambda d: sic_codes(d["ledger_sic_code"]))
    pairs = set(zip(given["supplier_key"], given["code"]))
    assert all((k, c) in pairs for k, c in zip(used["supplier_key"], used["sic_code"]))


def test_the_ledgers_flags_travel_from_ingest_to_spend(tmp_path):
    """Read by ingest, the VCSE flag types the supplier and the influenceable flag reaches the spend
    and sets the payment outside influenceable spend (not the base)."""
    from cwbtools.analysis import base
    from cwbtools.city.steps import join_suppliers
    from cwbtools.config import parse_config
    from cwbtools.ingest import ingest_paths

    f = tmp_path / "flags.csv"
    f.write_text(
        "Supplier Name,Payment Date,Amount,Third Sector,Non-influenceable\n"
        "Plain Firm Ltd,01/05/2019,100.00,Yes,Y\n"
        "Other Firm Ltd,01/05/2019,50.00,No,N\n",
        encoding="utf-8",
    )
    tx = ingest_paths([f], anchor="A").transactions
    tx = tx.assign(supplier_key=supplier_key(tx))
    sup = resolve_suppliers(tx, registers=_registers(), postcodes=POSTCODES, public_bodies=NO_BODIES).suppliers
    types = sup.set_index("supplier_name")["supplier_type"].to_dict()
    assert types == {"Plain Firm Ltd": "vcse", "Other Firm Ltd": "unknown"}
    spend = join_suppliers(tx, sup)
    cfg = parse_config(
        {
            "name": "T",
            "slug": "t",
            "place": {"name": "P", "lad_codes": ["E08000001"]},
            "wider_area": {"name": "W", "lad_codes": ["E08000003"]},
            "years": ["2019/20"],
            "anchors": [{"name": "A", "kind": "council", "ledgers": ["x.csv"]}],
        },
        resolve_areas=False,
    )
    got = base.classify(spend, base.exclusion_rules(cfg.analysis_definitions())).set_index("supplier_name")
    assert got["in_base"].all()
    assert got["influenceable"].to_dict() == {"Plain Firm Ltd": False, "Other Firm Ltd": True}
