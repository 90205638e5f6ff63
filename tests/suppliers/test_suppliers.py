"""Supplier resolution: layers, types, sectors, individuals, coverage and review, by hand and on
real Greater Manchester data."""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
import pytest

from cwbtools import cli
from cwbtools.errors import InputFileError
from cwbtools.identifiers import supplier_name
from cwbtools.suppliers import fold_review, read_crosswalk, resolve_suppliers, supplier_key
from cwbtools.suppliers import resolve as suppliers


def _registers() -> pd.DataFrame:
    reg = pd.DataFrame(
        {
            "source": [
                "companies_house",
                "companies_house",
                "companies_house",
                "gender_pay_gap",
                "charity_commission",
                "companies_house",
                "companies_house",
            ],
            "name": [
                "ACME WIDGETS LIMITED",
                "ACME WIDGETS (NORTH) LIMITED",
                "BOLTON CARPET WAREHOUSE LTD",
                "BIG RETAIL PLC",
                "HELPING HANDS TRUST",
                "HELPING HANDS COMMUNITY INTEREST COMPANY",
                "SMALL BUILDERS LIMITED",
            ],
            "company_number": ["01234567", "07654321", "10559393", "00000001", None, "09999999", "05555555"],
            "charity_number": [None, None, None, None, "123456", None, None],
            "other_id": [None] * 7,
            "postcode": ["BL1 1AA", "M1 1AA", None, "SW1A 1AA", "BL2 2BB", None, "M2 2BB"],
            "sic_code": ["25990", "25990", "47530", "47190", None, "88990", "41202"],
            "size": ["sme", "sme", None, "large", None, None, "sme"],
            "kind": ["company", "company", "company", "employer", "charity", "cic", "company"],
        }
    )
    reg["name_norm"] = reg["name"].map(supplier_name)
    return reg


POSTCODES = pd.DataFrame(
    {
        "postcode": ["BL1 1AA", "PR1 2AB", "SW1A 1AA", "BL2 2BB", "M3 3CC"],
        "lad_code": ["E08000001", "E07000123", "E09000033", "E08000001", "E08000003"],
        "ward_code": ["w1", "w2", "w3", "w4", "w5"],
        "lsoa_code": ["l1", "l2", "l3", "l4", "l5"],
        "imd_decile": [1, 2, 9, 3, 5],
    }
)


def _transactions() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "anchor": ["Bolton"] * 8 + ["Oldham"],
            "financial_year": ["2019/20"] * 7 + ["2020/21", "2019/20"],
            "amount_pence": [10_000, 2_000, 500, 30_000, 700, 900, -100, 1_234, 50],
            "supplier_name": [
                "Acme Widgets Ltd",
                "Acme Widgets Limited",
                "Jane Smith",
                "Big Retail plc",
                "Bolton Carpet Warehouse",
                "Unknown Caterers",
                "Helping Hands Trust",
                "Acme Widgets Ltd",
                "Small Builders",
            ],
            "individual": [False, False, True, False, False, False, False, False, False],
            "postcode": [None, None, None, None, None, "pr12ab", None, None, None],
            "expense_category": [
                "Materials",
                "Materials",
                None,
                "Supplies",
                "Furniture",
                "Catering",
                None,
                "Materials",
                "Building repairs",
            ],
            "charity_number": [None] * 6 + ["123456", None, None],
        }
    )


def _by_name(res) -> pd.DataFrame:
    return res.suppliers.set_index("supplier_name")


def test_layers_types_sectors_and_location_by_hand():
    res = resolve_suppliers(
        _transactions(),
        registers=_registers(),
        postcodes=POSTCODES,
        crosswalk=pd.DataFrame({"supplier_name": ["Small Builders Ltd"], "postcode": ["M3 3CC"]}),
    )
    s = _by_name(res)
    assert len(s) == 7  # two spellings of Acme, one individual, five others
    acme = s.loc["Acme Widgets Ltd"]  # the spelling paid most often names the supplier
    assert (acme.resolved_by, acme.company_number, acme.lad_code, acme.imd_decile) == (
        "exact_name",
        "01234567",
        "E08000001",
        1,
    )
    assert (acme.sic_code, acme.sic_division, acme.sic_section, acme.sic_inferred) == ("25990", "25", "C", False)
    assert acme.supplier_type == "sme" and acme.spend_pence == 13_234 and acme.payments == 3
    assert s.loc["Big Retail plc", "supplier_type"] == "large"  # Gender Pay Gap employer
    assert s.loc["Helping Hands Trust", "resolved_by"] == "identifier"  # charity number in the ledger
    assert s.loc["Helping Hands Trust", "supplier_type"] == "vcse"
    unknown = s.loc["Unknown Caterers"]
    assert unknown.resolved_by == "ledger_postcode" and unknown.lad_code == "E07000123"
    assert pd.isna(unknown.company_number) and unknown.sic_section == "I" and unknown.sic_inferred
    carpets = s.loc["Bolton Carpet Warehouse"]
    assert carpets.company_number == "10559393" and pd.isna(carpets.lad_code)  # matched, but unlocated
    small = s.loc["Small Builders"]  # crosswalk postcode (operating site) overrides the registered office
    assert small.resolved_by == "crosswalk" and small.postcode == "M3 3CC" and small.lad_code == "E08000003"
    assert small.company_number == "05555555" and small.postcode_source == "crosswalk"


def test_individuals_are_never_named_matched_or_located():
    tx = _transactions()
    tx.loc[2, "supplier_name"] = "Acme Widgets Ltd"  # a person whose name collides with a company
    res = resolve_suppliers(tx, registers=_registers(), postcodes=POSTCODES)
    person = res.suppliers[res.suppliers["supplier_type"] == "individual"]
    assert len(person) == 1
    row = person.iloc[0]
    assert row.supplier_name == row.registered_name == "(individual)"
    assert pd.isna(row.company_number) and pd.isna(row.lad_code) and row.resolved_by == "unresolved"
    assert not res.suppliers.astype(str).apply(lambda c: c.str.contains("Jane")).any().any()


def test_coverage_reconciles_to_the_penny():
    tx = _transactions()
    res = resolve_suppliers(tx, registers=_registers(), postcodes=POSTCODES)
    cov = res.coverage
    for (anchor, fy), g in cov.groupby(["anchor", "financial_year"]):
        layers = g[g["layer"] != "all"]
        total = g[g["layer"] == "all"].iloc[0]
        ledger = tx[(tx["anchor"] == anchor) & (tx["financial_year"] == fy)]["amount_pence"].sum()
        assert layers["amount_pence"].sum() == total.amount_pence == ledger
        assert layers["located_pence"].sum() == total.located_pence
    bolton = cov[(cov["anchor"] == "Bolton") & (cov["financial_year"] == "2019/20")].set_index("layer")
    # Located: Acme 12,000 + Big Retail 30,000 + Unknown 900 + Helping Hands -100 (BL2 2BB).
    assert bolton.loc["all", "located_pence"] == 42_800
    assert bolton.loc["individual", "amount_pence"] == 500
    assert bolton.loc["exact_name", "share"] == pytest.approx(42_700 / 44_000)


def test_supplier_key_is_deterministic_and_hides_people():
    tx = _transactions()
    a, b = supplier_key(tx), supplier_key(tx.iloc[::-1])
    assert a.tolist() == b.iloc[::-1].tolist()
    assert a.iloc[0] == a.iloc[1]  # `Ltd` and `Limited` spellings are one supplier
    assert a.iloc[2] == "individual"
    tx2 = tx.copy()
    tx2.loc[0, "company_number"] = "01234567"
    assert supplier_key(tx2).iloc[0] != a.iloc[0]  # an identifier is part of the key


def test_crosswalk_errors_name_the_row(tmp_path):
    bad = tmp_path / "cw.csv"
    bad.write_text("supplier_name,supplier_type\nAcme,sme\nBeta,charity\n")
    with pytest.raises(InputFileError, match=r"row 3, column supplier_type"):
        read_crosswalk(bad)
    with pytest.raises(InputFileError, match="supplier_name"):
        read_crosswalk(pd.DataFrame({"name": ["x"]}))


def test_crosswalk_company_numbers_take_the_one_spelling():
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "base"))
    from test_identifiers import COMPANY_NUMBERS  # one table of spellings, shared with the normaliser's tests

    cw = read_crosswalk(
        pd.DataFrame(
            {
                "supplier_name": [f"Supplier {i}" for i in range(len(COMPANY_NUMBERS))],
                "company_number": [raw for raw, _ in COMPANY_NUMBERS],
            }
        )
    )
    assert [None if pd.isna(v) else v for v in cw["company_number"]] == [e for _, e in COMPANY_NUMBERS]
    with pytest.raises(InputFileError, match=r"row 3, column company_number: 'TBC'"):
        read_crosswalk(pd.DataFrame({"supplier_name": ["A", "B"], "company_number": ["N/A", "TBC"]}))


# Two organisations a register holds under numbers ledgers and crosswalks write otherwise.
_NUMBERED = pd.DataFrame(
    {
        "source": ["companies_house", "companies_house"],
        "name": ["BEST ASIAN MEDIA LIMITED", "NORTHERN PARTNERS LLP"],
        "company_number": ["04166647", "OC301234"],
        "charity_number": [None, None],
        "other_id": [None, None],
        "postcode": ["BL1 1AA", "PR1 2AB"],
        "sic_code": ["58130", "69201"],
        "size": ["sme", "sme"],
        "kind": ["company", "company"],
    }
)


def test_a_crosswalk_number_excel_stripped_of_its_zero_finds_its_register_record():
    tx = pd.DataFrame(
        {"anchor": "A", "financial_year": "2019/20", "amount_pence": [100], "supplier_name": ["BAM Publishing"]}
    )
    cw = pd.DataFrame({"supplier_name": ["BAM Publishing"], "company_number": ["4166647"]})
    row = _by_name(resolve_suppliers(tx, registers=_NUMBERED, postcodes=POSTCODES, crosswalk=cw)).loc["BAM Publishing"]
    assert (row.resolved_by, row.matched_by, row.company_number) == ("crosswalk", "identifier", "04166647")
    assert (row.registered_name, row.sic_code, row.lad_code) == ("BEST ASIAN MEDIA LIMITED", "58130", "E08000001")


def test_a_ledger_number_written_with_a_hyphen_finds_its_register_record(tmp_path):
    from cwbtools.ingest import ingest_paths

    ledger = tmp_path / "ledger.csv"
    ledger.write_text("Supplier Name,Payment Date,Amount,Company Number\nNP Accountants,01/05/2019,120.00,OC-301234\n")
    tx = ingest_paths([ledger], anchor="A").transactions
    row = _by_name(resolve_suppliers(tx, registers=_NUMBERED, postcodes=POSTCODES)).loc["NP Accountants"]
    assert (row.resolved_by, row.company_number, row.registered_name) == (
        "identifier",
        "OC301234",
        "NORTHERN PARTNERS LLP",
    )
    # and straight from a frame that was never through ingest
    raw = tx.assign(company_number="oc 301234")
    row = _by_name(resolve_suppliers(raw, registers=_NUMBERED, postcodes=POSTCODES)).loc["NP Accountants"]
    assert (row.resolved_by, row.company_number, row.registered_name) == (
        "identifier",
        "OC301234",
        "NORTHERN PARTNERS LLP",
    )


def test_an_identifier_no_register_holds_leaves_the_supplier_to_name_matching():
    tx = pd.DataFrame(
        {
            "anchor": "A",
            "financial_year": "2019/20",
            "amount_pence": [100, 200, 300],
            "supplier_name": ["Helping Hands Trust", "Bolton Carpet Warehouse", "Nobody Known Ltd"],
            "company_number": ["09999998", "08888888", "07777777"],
        }
    )
    res = resolve_suppliers(tx, registers=_registers(), postcodes=POSTCODES)
    s = _by_name(res)
    # The register's record has no company number: the name finds it.
    assert s.loc["Helping Hands Trust", "resolved_by"] == "exact_name"
    assert s.loc["Helping Hands Trust", "registered_name"] == "HELPING HANDS TRUST"
    assert s.loc["Helping Hands Trust", "company_number"] == "09999998"  # the ledger's number is kept
    # A namesake with another company number is not the supplier: unresolved, and a person looks.
    carpets = s.loc["Bolton Carpet Warehouse"]
    assert carpets.resolved_by == "unresolved" and pd.isna(carpets.registered_name)
    assert carpets.company_number == "08888888"
    refused = res.review.set_index("supplier_name").loc["Bolton Carpet Warehouse"]
    assert refused.candidate_company_number == "10559393" and "another company number" in refused.reason
    # Nothing found by number or name: unresolved, never `identifier`.
    assert s.loc["Nobody Known Ltd", "resolved_by"] == "unresolved"
    assert "identifier" not in set(s["resolved_by"])


def test_review_file_folds_accepted_rows_into_the_crosswalk(tmp_path):
    reg = _registers()
    tx = pd.DataFrame(
        {
            "anchor": "A",
            "financial_year": "2019/20",
            "amount_pence": [100, 200],
            "supplier_name": ["Acme Widgetz Limited", "Bolton Carpets Warehouse"],
        }
    )
    # `acme widgetz` is one letter from both Acme companies' keys: a person decides.
    reg = pd.concat(
        [
            reg,
            pd.DataFrame(
                {"source": ["companies_house"], "name": ["ACME WIDGETT LIMITED"], "company_number": ["01234569"]}
            ).assign(name_norm="acme widgett"),
        ],
        ignore_index=True,
    )
    res = resolve_suppliers(tx, registers=reg, postcodes=POSTCODES, review_dir=tmp_path)
    review = pd.read_csv(tmp_path / "review.csv", dtype=str, keep_default_na=False)
    assert "Acme Widgetz Limited" in set(review["supplier_name"])
    assert res.suppliers.set_index("supplier_name").loc["Acme Widgetz Limited", "resolved_by"] == "unresolved"
    review.loc[review["supplier_name"] == "Acme Widgetz Limited", "decision"] = "accept"
    review.to_csv(tmp_path / "review.csv", index=False)
    accepted, _ = fold_review(tmp_path / "review.csv", tmp_path / "crosswalk.csv")
    assert accepted == 1
    again = resolve_suppliers(tx, registers=reg, postcodes=POSTCODES, crosswalk=tmp_path / "crosswalk.csv")
    row = again.suppliers.set_index("supplier_name").loc["Acme Widgetz Limited"]
    assert row.resolved_by == "crosswalk" and row.company_number in {"01234567", "01234569"}
    review.loc[0, "decision"] = "maybe"
    review.to_csv(tmp_path / "review.csv", index=False)
    with pytest.raises(InputFileError, match=r"row 2, column decision"):
        fold_review(tmp_path / "review.csv", tmp_path / "crosswalk.csv")


def test_cli_resolve_and_review(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(suppliers, "default_registers", _registers)
    monkeypatch.setattr(suppliers, "_locate", lambda pcs, table: _ORIGINAL_LOCATE(pcs, POSTCODES))
    tx_path = tmp_path / "transactions.parquet"
    _transactions().to_parquet(tx_path)
    out = tmp_path / "out"
    assert cli.main(["suppliers", "resolve", str(tx_path), "--out", str(out)]) == 0
    sup = pd.read_parquet(out / "suppliers.parquet")
    assert len(sup) == 7 and (out / "coverage.csv").exists() and (out / "review.csv").exists()
    assert "exact_name" in capsys.readouterr().out
    assert cli.main(["suppliers", "review", str(out)]) == 0
    assert cli.main(["suppliers", "resolve", str(tmp_path / "missing.parquet"), "--out", str(out)]) == 2
    assert "transactions file not found" in capsys.readouterr().err


_ORIGINAL_LOCATE = suppliers._locate


# ---------------------------------------------------------------------------------------------
# Real data: one borough, a smaller register


@pytest.fixture(scope="module")
def bolton_accuracy(shared_data, tmp_path_factory):
    """The benchmark's construction at small scale: Bolton 2019, matched companies + 50k distractors
    + open lists, the publisher's answer columns dropped, scored against its company numbers."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
    import bench_matching as bm

    r = bm.accuracy_run(["bolton"], 50_000, 2019, tmp_path_factory.mktemp("bench"), shared_data)
    print(f"bolton precision {r['precision']:.4f} recall {r['recall']:.4f} ({r['seconds']:.0f}s)")
    return r


@pytest.mark.slow
@pytest.mark.realdata
def test_matching_precision_target_and_recall_floor_on_bolton(bolton_accuracy):
    assert bolton_accuracy["precision"] >= 0.98
    # Measured 0.864 (2026-11-22): a floor against regressions, below the 0.90 target.
    assert bolton_accuracy["recall"] >= 0.84


@pytest.mark.slow
@pytest.mark.realdata
@pytest.mark.xfail(
    strict=True,
    reason="recall target 0.90 not yet met on Bolton (measured 0.864): "
    "care-home operators (match_method 8) and renamed companies cannot be found by name",
)
def test_matching_recall_target_on_bolton(bolton_accuracy):
    assert bolton_accuracy["recall"] >= 0.90
