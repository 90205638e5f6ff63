"""Plural ownership (issue 19 point 6) on hand-made frames whose answers were worked out by hand:
which evidence puts a supplier in which category and in what order, a category the data cannot
measure shown as `not measured: needs ...` (never 0), the split by geography to the penny, and
summary.json's block; then Salford's processed outputs."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from conftest import require_built

from cwbtools.analysis import base, baseline, ownership
from cwbtools.config import load_config
from cwbtools.paths import processed_dir, repo_root
from cwbtools.report import summary

GEO = {"place": ("E08000006", True, True), "wider": ("E08000003", False, True), "outside": ("E09000001", False, False)}


def _suppliers(rows: list[dict]) -> pd.DataFrame:
    cols = ["company_number", "charity_number", "register_source", "public_kind", "public_evidence"]
    out = pd.DataFrame([{"supplier_type": "unknown", **{c: None for c in cols}, **r} for r in rows])
    return out.astype({c: "string" for c in cols})


def _spend(payments: list[tuple[str, str, int]]) -> pd.DataFrame:
    """(supplier_key, geo, pence) per payment."""
    rows = []
    for key, geo, pence in payments:
        lad, in_place, in_wider = GEO.get(geo, (None, False, False))
        rows.append(
            {
                "supplier_key": key,
                "amount_pence": pence,
                "lad_code": lad,
                "located": lad is not None,
                "geo": geo,
                "in_place": in_place,
                "in_wider": in_wider,
            }
        )
    return pd.DataFrame(rows).astype({"amount_pence": "int64"})


def _registers(sources=("coops_uk", "charity_commission", "gender_pay_gap"), rows=()) -> pd.DataFrame:
    base_rows = [{"source": s, "company_number": None, "kind": None} for s in sources]
    return pd.DataFrame([*base_rows, *rows]).astype("string")


BODIES = pd.DataFrame(
    {
        "body_id": ["rsh:L1", "rsh:4764"],
        "source": ["rsh", "rsh"],
        "note": ["registered provider L1 (Non-profit)", "registered provider 4764 (Profit)"],
    }
)

SUPPLIERS = _suppliers(
    [
        # On Co-operatives UK's list and a registered provider: its own register says co-operative.
        {"supplier_key": "housing coop", "register_source": "coops_uk", "public_kind": "housing_association"},
        # A housing association registered as a society: a housing association, not a mutual.
        {
            "supplier_key": "great homes",
            "company_number": "IP19564R",
            "public_kind": "housing_association",
            "public_evidence": "identifier company number IP19564R: housing_association [rsh:L1]",
        },
        {"supplier_key": "leisure trust", "company_number": "IP30000R"},
        {"supplier_key": "charity", "charity_number": "1000001"},
        {"supplier_key": "cio", "company_number": "CE012397"},
        # A for-profit registered provider, and one only its name calls a housing association.
        {
            "supplier_key": "for profit",
            "company_number": "07765904",
            "public_kind": "housing_association",
            "public_evidence": "identifier company number 07765904: housing_association [rsh:4764]",
        },
        {
            "supplier_key": "named only",
            "public_kind": "housing_association",
            "public_evidence": "name pattern (last resort): a housing association",
        },
        # Names say nothing: evidence only.
        {"supplier_key": "acme cic"},
        {"supplier_key": "individual", "supplier_type": "individual", "charity_number": "1000002"},
        {"supplier_key": "plain ltd", "company_number": "01234567"},
    ]
)


def test_each_supplier_gets_the_first_category_its_evidence_shows():
    got = ownership.ownership_of(SUPPLIERS, _registers(), BODIES).set_index("supplier_key")["ownership"]
    assert got.fillna("none").to_dict() == {
        "housing coop": "coops_mutuals",
        "great homes": "housing_associations",
        "leisure trust": "coops_mutuals",
        "charity": "charities",
        "cio": "charities",
        "for profit": "none",
        "named only": "none",
        "acme cic": "none",
        "individual": "none",
        "plain ltd": "none",
    }


def test_cics_need_companies_house_and_are_never_zero():
    spend = _spend([("plain ltd", "place", 1000), ("charity", "outside", 500)])
    table = ownership.plural_ownership(spend, SUPPLIERS, _registers(), BODIES).set_index("category")
    cics = table.loc["cics"]
    assert cics["status"].startswith("not measured: needs Companies House BasicCompanyData")
    figures = [c for c in table.columns if c.endswith(("_pence", "_base", "_located")) or c == "suppliers"]
    assert all(pd.isna(cics[c]) for c in figures)
    assert "Community interest companies" not in table.loc["plural_ownership", "evidence"]
    assert table.loc["housing_associations", "evidence"] == ""  # none paid: no evidence shown
    # With Companies House, its category makes a CIC (and a CIO), and the row is measured.
    ch = [
        {"source": "companies_house", "company_number": "01234567", "kind": "cic"},
        {"source": "companies_house", "company_number": "CE012397", "kind": "charity"},
    ]
    regs = _registers(rows=ch)
    table = ownership.plural_ownership(spend, SUPPLIERS, regs, BODIES).set_index("category")
    assert table.loc["cics", "status"] == "measured"
    assert table.loc["cics", "place_pence"] == 1000
    assert table.loc["cics", "total_share_of_base"] == pytest.approx(1000 / 1500)


def test_charities_need_ledger_numbers_or_the_full_register(monkeypatch):
    only_register = _suppliers([{"supplier_key": "c", "charity_number": "1", "register_source": "charity_commission"}])
    spend = _spend([("c", "place", 100)])
    assert "charities" in ownership.not_measured(only_register, _registers(), BODIES)
    table = ownership.plural_ownership(spend, only_register, _registers(), BODIES).set_index("category")
    assert table.loc["charities", "status"].startswith("not measured: needs charity numbers in the ledger")
    assert pd.isna(table.loc["charities", "total_pence"])
    # The ledger's own numbers, or a register as large as the full one, measure them.
    assert "charities" not in ownership.not_measured(SUPPLIERS, _registers(), BODIES)
    monkeypatch.setattr(ownership, "FULL_CHARITY_REGISTER_ROWS", 1)
    assert "charities" not in ownership.not_measured(only_register, _registers(), BODIES)
    # Without the register of public bodies a for-profit provider cannot be told apart.
    assert "housing_associations" in ownership.not_measured(SUPPLIERS, _registers(), None)


def test_split_by_geography_to_the_penny():
    spend = _spend(
        [
            ("leisure trust", "place", 700),
            ("leisure trust", "wider", 300),
            ("charity", "outside", 200),
            ("charity", "unlocated", 50),
            ("cio", "place", 25),
            ("great homes", "unlocated", 100),
            ("plain ltd", "outside", 8625),
        ]
    )
    table = ownership.plural_ownership(spend, SUPPLIERS, _registers(), BODIES).set_index("category")
    coops, charities, plural, whole = (table.loc[c] for c in ("coops_mutuals", "charities", "plural_ownership", "base"))
    assert list(coops[["total_pence", "place_pence", "wider_pence", "outside_pence", "unlocated_pence"]]) == [
        1000,
        700,
        1000,  # the wider area includes the place
        0,
        0,
    ]
    assert list(charities[["total_pence", "place_pence", "outside_pence", "unlocated_pence", "suppliers"]]) == [
        275,
        25,
        200,
        50,
        2,
    ]
    assert charities["place_share_of_base"] == pytest.approx(25 / 10000)
    assert charities["place_share_of_located"] == pytest.approx(25 / 225)
    assert (
        plural["total_pence"]
        == 1375
        == sum(table.loc[c, "total_pence"] for c in ("coops_mutuals", "charities", "housing_associations"))
    )
    assert whole["total_pence"] == 10000 and whole["total_share_of_base"] == 1.0
    for _, row in table[table["status"].eq("measured")].iterrows():
        assert row["total_pence"] == row["wider_pence"] + row["outside_pence"] + row["unlocated_pence"]
    assert list(table.index) == [
        "coops_mutuals",
        "housing_associations",
        "cics",
        "charities",
        "plural_ownership",
        "base",
    ]


def test_summary_block(tmp_path):
    spend = _spend([("charity", "place", 150), ("plain ltd", "outside", 850)])
    part = ownership.ownership_summary(ownership.plural_ownership(spend, SUPPLIERS, _registers(), BODIES), "2019/20")
    summary.update(tmp_path, part)
    block = summary.read(tmp_path)["plural_ownership"]
    documented = set(re.findall(r"`([a-z_]+)`", (repo_root() / "docs" / "SUMMARY.md").read_text(encoding="utf-8")))
    keys = {"plural_ownership", *block, *block["charities"]}
    assert keys <= documented, f"docs/SUMMARY.md names every key: {keys - documented}"
    assert block["year"] == "2019/20"
    assert block["charities"] == {
        "measured": True,
        "not_measured": None,
        "total_gbp": 1.5,
        "place_gbp": 1.5,
        "wider_gbp": 1.5,
        "outside_gbp": 0.0,
        "unlocated_gbp": 0.0,
        "share": 0.15,
        "suppliers": 1,
    }
    assert block["cics"]["measured"] is False and block["cics"]["total_gbp"] is None
    assert block["cics"]["not_measured"].startswith("needs Companies House")
    assert block["base"]["total_gbp"] == 10.0
    assert ownership.ownership_summary(None, "2019/20") == {}  # no table, no block


def test_salford_processed_outputs(built_reference):
    """Salford's ledger carries charity and company numbers: co-operatives, housing associations and
    charities are measured, CICs are not (no Companies House here)."""
    from cwbtools import reference

    folder = processed_dir() / "salford"
    require_built(folder / "suppliers.parquet", "salford")
    config = load_config(repo_root() / "configs" / "salford.yml")
    defs = config.analysis_definitions()
    bodies = reference.load_public_bodies()
    spend = baseline.count_unknown_size(pd.read_parquet(folder / "spend.parquet"), defs.unknown_size_as)
    spend = base.analysed(base.classify(spend, base.exclusion_rules(defs, bodies, influenceable=False)), defs.base)
    spend = baseline.for_year(spend, config.baseline_year)
    suppliers = pd.read_parquet(folder / "suppliers.parquet")
    regs = reference.load_registers()
    table = ownership.plural_ownership(spend, suppliers, regs, bodies).set_index("category")
    print(table.drop(columns=["ownership", "evidence"]).to_string())
    assert table.loc["cics", "status"].startswith("not measured: needs Companies House")
    measured = table[table["status"].eq("measured")]
    assert set(measured.index) == {"coops_mutuals", "housing_associations", "charities", "plural_ownership", "base"}
    assert table.loc["base", "total_pence"] == spend["amount_pence"].sum()
    parts = ["coops_mutuals", "housing_associations", "charities"]
    assert table.loc["plural_ownership", "total_pence"] == table.loc[parts, "total_pence"].sum()
    for category in parts:
        assert table.loc[category, "total_pence"] > 0
    # A plural-ownership share is a part of the base, never more.
    assert 0 < table.loc["plural_ownership", "total_share_of_base"] < 0.5
    owners = ownership.ownership_of(suppliers, regs, bodies).set_index("supplier_key")
    named = suppliers.set_index("supplier_key")["supplier_name"]
    ha = set(named[owners["ownership"].eq("housing_associations").fillna(False)])
    assert "Cromwood Housing Ltd" not in ha  # a for-profit registered provider
    assert "Howarth Housing Group" not in ha  # a name pattern only
    assert "Salford Community Leisure Ltd" in set(named[owners["ownership"].eq("coops_mutuals").fillna(False)])
