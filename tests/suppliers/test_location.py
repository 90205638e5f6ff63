"""`location_basis`: which address placed each supplier, and fuzzy matches that place spend only when
sure (issue 19 points 1 and 4), by hand and on a real config's built suppliers."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from conftest import require_built

from cwbtools.identifiers import supplier_name
from cwbtools.schema import LOCATION_BASES
from cwbtools.suppliers import resolve_suppliers
from cwbtools.suppliers.resolve import location_basis

ROOT = Path(__file__).resolve().parents[2]
REAL = ["bolton", "hyndburn", "lancashire-blue-light", "oldham", "oxford", "salford"]

POSTCODES = pd.DataFrame(
    {
        "postcode": ["M5 4WT", "SW1A 1AA", "M3 3CC", "EC2V 7HH", "M6 6AA"],
        "lad_code": ["E08000006", "E09000033", "E08000003", "E09000001", "E08000006"],
        "ward_code": ["w1", "w2", "w3", "w4", "w5"],
        "lsoa_code": ["l1", "l2", "l3", "l4", "l5"],
        "imd_decile": [1, 9, 5, 8, 2],
    }
)


def test_basis_from_where_the_postcode_came():
    src = pd.Series(["ledger", "crosswalk", "officer", "ledger_district", "register", "register", "register", None])
    reg = pd.Series([None, None, None, None, "gender_pay_gap", "companies_house", "coops_uk", "companies_house"])
    located = pd.Series([True] * 7 + [False])
    assert location_basis(src, reg, located).tolist() == [
        "ledger_postcode",
        "trading_site",
        "officer_checked",
        "postcode_district",
        "head_office",
        "registered_office",
        "register_address",
        "none",
    ]
    # A postcode that places nothing (terminated, not in the lookup) is no basis.
    assert location_basis(pd.Series(["register"]), pd.Series(["gender_pay_gap"]), pd.Series([False])).tolist() == [
        "none"
    ]


def _registers() -> pd.DataFrame:
    reg = pd.DataFrame(
        {
            "source": ["gender_pay_gap", "companies_house", "charity_commission", "gender_pay_gap"],
            "name": ["BIGCO SERVICES LIMITED", "QMETRIC GROUP LIMITED", "SALFORD HELPERS", "METRO CARE LIMITED"],
            "company_number": ["00000001", "00000002", None, "00000003"],
            "charity_number": [None, None, "123456", None],
            "other_id": [None] * 4,
            "postcode": ["SW1A 1AA", "EC2V 7HH", "M6 6AA", "EC2V 7HH"],
            "sic_code": ["81210", "66220", None, "87300"],
            "size": ["large", "large", None, "large"],
            "kind": ["company"] * 2 + ["charity", "company"],
        }
    )
    reg["name_norm"] = reg["name"].map(supplier_name)
    return reg


def _transactions() -> pd.DataFrame:
    names = ["Bigco Services Ltd", "Metric Group Limited", "Metro Carer Limited", "Salford Helpers", "Corner Shop"]
    return pd.DataFrame(
        {
            "anchor": ["Salford"] * 5,
            "financial_year": ["2019/20"] * 5,
            # Metric Group: a fuzzy match with £200k; Metro Care: a fuzzy match with £50k.
            "amount_pence": [5_000_000, 20_000_000, 5_000_000, 100_000, 70_000],
            "supplier_name": names,
            "individual": [False] * 5,
            "postcode": [None, None, None, None, "M5 4WT"],
            "expense_category": ["Cleaning", "Insurance", "Care", "Grants", "Supplies"],
        }
    )


def test_every_located_supplier_has_its_basis():
    s = resolve_suppliers(_transactions(), registers=_registers(), postcodes=POSTCODES).suppliers
    s = s.set_index("supplier_name")
    assert s.loc["Bigco Services Ltd", "location_basis"] == "head_office"  # a Gender Pay Gap address
    assert s.loc["Salford Helpers", "location_basis"] == "register_address"
    assert s.loc["Corner Shop", "location_basis"] == "ledger_postcode"
    assert set(s["location_basis"]) <= set(LOCATION_BASES)
    assert (s["location_basis"] != "none").eq(s["lad_code"].notna()).all()


def test_a_large_fuzzy_match_keeps_its_number_but_places_nothing():
    res = resolve_suppliers(_transactions(), registers=_registers(), postcodes=POSTCODES)
    s = res.suppliers.set_index("supplier_name")
    big = s.loc["Metric Group Limited"]
    assert big.matched_by == "fuzzy_name", "the hand-made pair must stay a fuzzy match for this test to mean anything"
    # Matching is unaffected: the number, name and type are kept...
    assert (big.company_number, big.registered_name, big.supplier_type) == (
        "00000002",
        "QMETRIC GROUP LIMITED",
        "large",
    )
    # ... but £200k is not moved to the City of London on a fuzzy name alone.
    assert pd.isna(big.lad_code) and pd.isna(big.postcode) and big.location_basis == "none"
    small = s.loc["Metro Carer Limited"]
    assert small.matched_by == "fuzzy_name" and small.lad_code == "E09000001" and small.location_basis == "head_office"
    # The threshold is the config's: raised above £200k, the match places its spend.
    again = resolve_suppliers(
        _transactions(), registers=_registers(), postcodes=POSTCODES, confirm_fuzzy_above_pence=30_000_000
    )
    big = again.suppliers.set_index("supplier_name").loc["Metric Group Limited"]
    assert big.lad_code == "E09000001" and big.location_basis == "registered_office"


def test_individuals_have_no_basis():
    tx = _transactions()
    tx.loc[4, "individual"] = True
    s = resolve_suppliers(tx, registers=_registers(), postcodes=POSTCODES).suppliers
    person = s[s["supplier_type"] == "individual"]
    assert len(person) == 1 and (person["location_basis"] == "none").all() and person["lad_code"].isna().all()


@pytest.mark.realdata
def test_salford_built_suppliers_all_carry_a_basis():
    """Builds Salford (cached when current) and checks every located supplier says how it was placed."""
    from cwbtools.city.spend import build_city

    folder = build_city(ROOT / "configs" / "salford.yml")
    sup = pd.read_parquet(folder / "suppliers.parquet")
    spend = pd.read_parquet(folder / "spend.parquet")
    located = sup["lad_code"].notna()
    assert located.any()
    assert sup.loc[located, "location_basis"].isin([b for b in LOCATION_BASES if b != "none"]).all()
    assert (sup.loc[~located, "location_basis"] == "none").all()
    assert spend["location_basis"].isin(LOCATION_BASES).all()
    # Salford's located spend is placed by Gender Pay Gap and NHS head offices, almost all of it.
    by = spend[spend["located"]].groupby("location_basis")["amount_pence"].sum()
    assert by.get("head_office", 0) / by.sum() > 0.9


@pytest.mark.realdata
@pytest.mark.parametrize("slug", REAL)
def test_every_real_config_built_since_has_a_basis(slug):
    path = ROOT / "data" / "processed" / slug / "suppliers.parquet"
    require_built(path, slug)
    sup = pd.read_parquet(path)
    if "location_basis" not in sup.columns:
        pytest.skip(f"{slug} built before location_basis: run `cwb run configs/{slug}.yml`")
    located = sup["lad_code"].notna()
    assert sup.loc[located, "location_basis"].isin([b for b in LOCATION_BASES if b != "none"]).all()
