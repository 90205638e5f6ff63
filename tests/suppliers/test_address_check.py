"""The address check (issue 19, point 3): the sheet officers fill, and a filled sheet as the first
resolution layer. Every filled sheet here is hand-made and labelled SYNTHETIC: no real officer
checked anything."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pandas as pd
import pytest
import yaml

from cwbtools.analysis.headlines import COMPANIES_HOUSE_MISSING, coverage_note
from cwbtools.city.inputs import _resolution_inputs
from cwbtools.city.steps import classify_geography, join_suppliers
from cwbtools.config import load_config
from cwbtools.errors import InputFileError
from cwbtools.identifiers import supplier_name
from cwbtools.organisations import name_shown
from cwbtools.paths import configs_dir
from cwbtools.publish import write_csv
from cwbtools.schema import INDIVIDUAL_KEY
from cwbtools.suppliers import resolve_suppliers, supplier_key
from cwbtools.suppliers.address_check import OFFICER_COLUMNS, SHEET_COLUMNS, address_sheet, read_checked

SYNTHETIC = "SYNTHETIC test officer (not a real check)"
PLACE, ELSEWHERE = "E07000123", "E09000033"  # Preston; Westminster
POSTCODES = pd.DataFrame(
    {
        "postcode": ["PR1 2AB", "PR2 9ZZ", "SW1A 1AA"],
        "lad_code": [PLACE, PLACE, ELSEWHERE],
        "ward_code": ["w1", "w2", "w3"],
        "lsoa_code": ["l1", "l2", "l3"],
        "imd_decile": [1, 4, 9],
    }
)


# -- the sheet, on hand-made frames ----------------------------------------------------------------


def _sup(key, name, lad=None, resolved="unresolved", basis=None, spend=0, **more):
    return {
        "supplier_key": key,
        "supplier_name": name,
        "lad_code": lad,
        "resolved_by": resolved,
        "location_basis": basis,
        "spend_pence": spend,
        "postcode": more.get("postcode"),
        "postcode_source": more.get("postcode_source"),
        "postcode_district": more.get("district"),
        "company_number": more.get("number"),
        "registered_name": more.get("registered"),
        "match_score": more.get("score"),
    }


SUPPLIERS = pd.DataFrame(
    [
        _sup("k_unloc", "Preston Plumbing Ltd", district="PR1"),
        _sup("k_head", "Big Retail plc", ELSEWHERE, "exact_name", "head_office", postcode="SW1A 1AA"),
        _sup("k_reg", "Far Builders Ltd", ELSEWHERE, "identifier", "registered_office", postcode="SW1A 1AA"),
        _sup("k_fuzzy_big", "Acme Widgits Ltd", None, "fuzzy_name", "none", 20_000_000, number="01234567"),
        _sup("k_fuzzy_small", "Tiny Widgits Trust", ELSEWHERE, "fuzzy_name", "register_address", 5_000),
        _sup("k_local", "Local Shop Ltd", PLACE, "ledger_postcode", "ledger_postcode", postcode="PR1 2AB"),
        _sup("k_site", "Riverside Care Home Ltd", PLACE, "identifier", "trading_site"),
        _sup("k_hidden", "J Smith", None),
        _sup(INDIVIDUAL_KEY, "(individual)", None),
        _sup("k_excluded", "Other Council", None),
    ]
)


def _pay(key, name, pounds, year="2019/20", in_base=True, individual=False, shown=True):
    return {
        "supplier_key": key,
        "supplier_name": name,
        "amount_pence": int(pounds * 100),
        "financial_year": year,
        "in_base": in_base,
        "individual": individual,
        "name_shown": shown,
    }


SPEND = pd.DataFrame(
    [
        _pay("k_unloc", "Preston Plumbing Ltd", 500),
        _pay("k_unloc", "PRESTON PLUMBING LTD", 300),
        _pay("k_head", "Big Retail plc", 900),
        _pay("k_reg", "Far Builders Ltd", 700),
        _pay("k_fuzzy_big", "Acme Widgits Ltd", 200_000),
        _pay("k_fuzzy_small", "Tiny Widgits Trust", 50),
        _pay("k_local", "Local Shop Ltd", 10_000),
        _pay("k_site", "Riverside Care Home Ltd", 10_000),
        _pay("k_hidden", "J Smith", 5_000, shown=False),
        _pay(INDIVIDUAL_KEY, "(individual)", 9_000, individual=True, shown=False),
        _pay("k_excluded", "Other Council", 8_000, in_base=False),
        _pay("k_reg", "Far Builders Ltd", 99_000, year="2020/21"),
    ]
)
REGISTERS = pd.DataFrame(
    {
        "source": ["companies_house"],
        "name": ["PRESTON PLUMBING LIMITED"],
        "company_number": ["07777777"],
        "postcode": ["PR2 9ZZ"],
        "charity_number": [None],
        "other_id": [None],
    }
).assign(name_norm=lambda d: d["name"].map(supplier_name))


def test_sheet_lists_the_suppliers_to_check_by_spend_and_never_a_person():
    sheet = address_sheet(SPEND, SUPPLIERS, "2019/20", place_names=["Preston"], registers=REGISTERS)
    assert list(sheet.columns) == SHEET_COLUMNS
    # Biggest first; the local ledger postcode, the trading site and the small fuzzy match are not
    # on it; neither is a person, a payee not shown to be an organisation, nor spend outside the base.
    assert list(sheet["supplier_key"]) == ["k_fuzzy_big", "k_head", "k_unloc", "k_reg"]
    assert not sheet["supplier_key"].isin(["k_hidden", INDIVIDUAL_KEY, "k_excluded", "k_local", "k_site"]).any()
    assert "J Smith" not in sheet.to_csv() and "(individual)" not in sheet.to_csv()
    by = sheet.set_index("supplier_key")
    assert by.loc["k_unloc", "spend_gbp"] == 800.0 and by.loc["k_reg", "spend_gbp"] == 700.0  # baseline year only
    assert by.loc["k_head", "why"].startswith("placed only by its head office")
    assert by.loc["k_reg", "why"].startswith("placed only by its registered office")
    assert "fuzzy" in by.loc["k_fuzzy_big", "why"] and by.loc["k_fuzzy_big", "company_number"] == "01234567"
    # Prefilled: a candidate register match and hints for the unlocated one.
    assert by.loc["k_unloc", "candidate_company_number"] == "07777777"
    assert by.loc["k_unloc", "candidate_postcode"] == "PR2 9ZZ"
    assert by.loc["k_unloc", "hint_place_in_name"] == "Preston"
    assert by.loc["k_unloc", "hint_ledger_district"] == "PR1"
    assert pd.isna(by.loc["k_head", "hint_place_in_name"])
    assert (sheet[OFFICER_COLUMNS] == "").all().all()
    assert list(sheet["rank"]) == [1, 2, 3, 4]
    assert len(address_sheet(SPEND, SUPPLIERS, "2019/20", top=2)) == 2
    # A lower threshold brings the small fuzzy match in.
    low = address_sheet(SPEND, SUPPLIERS, "2019/20", fuzzy_above_gbp=10)
    assert "k_fuzzy_small" in set(low["supplier_key"])


# -- the round trip: write, fill, resolve, report ---------------------------------------------------


def _transactions() -> pd.DataFrame:
    tx = pd.DataFrame(
        {
            "anchor": ["Council"] * 4,
            "financial_year": ["2019/20"] * 4,
            "amount_pence": [50_000_00, 20_000_00, 30_000_00, 1_000_00],
            "supplier_name": ["Big Retail plc", "Northern Care Ltd", "Northern Care Ltd", "Local Shop Ltd"],
            "postcode": [None, None, None, "PR1 2AB"],
            "company_number": [None] * 4,
            "charity_number": [None] * 4,
            "other_id": [None] * 4,
            "individual": [False] * 4,
            "redacted": [False] * 4,
            "expense_category": [None] * 4,
            "payment_date": pd.to_datetime(["2019-05-01"] * 4),
        }
    )
    tx["supplier_key"] = supplier_key(tx)
    return tx


_REGS = pd.DataFrame(
    {
        "source": ["gender_pay_gap"],
        "name": ["BIG RETAIL PLC"],
        "company_number": ["00000001"],
        "postcode": ["SW1A 1AA"],
        "size": ["large"],
        "kind": ["employer"],
        "charity_number": [None],
        "other_id": [None],
        "sic_code": [None],
    }
).assign(name_norm=lambda d: d["name"].map(supplier_name))


def _spend(tx: pd.DataFrame, suppliers: pd.DataFrame) -> pd.DataFrame:
    # As the city build does (`city.spend._build`): who may be named, then each payment joined.
    suppliers = suppliers.assign(name_shown=name_shown(suppliers, tx.set_index("supplier_key")["supplier_name"]))
    spend = classify_geography(join_suppliers(tx, suppliers), [PLACE], [PLACE])
    return spend.assign(in_base=True)


def _resolve(tx, **kw):
    return resolve_suppliers(tx, registers=_REGS, postcodes=POSTCODES, public_bodies=pd.DataFrame(), **kw).suppliers


def test_round_trip_a_filled_sheet_places_suppliers_first_and_the_report_says_so(tmp_path):
    tx = _transactions()
    before = _resolve(tx)
    spend = _spend(tx, before)
    sheet = address_sheet(spend, before, "2019/20", place_names=["Preston"])
    assert {"Big Retail plc", "Northern Care Ltd"} <= set(sheet["supplier_name"])
    path = write_csv(sheet, tmp_path / "address-check.csv")

    # An officer (here a SYNTHETIC one) fills two rows: Big Retail serves the place from a branch in
    # it; Northern Care's site is in the place too. The rest stay unchecked.
    filled = pd.read_csv(path, dtype=str, keep_default_na=False)
    for name, postcode, sme in (("Big Retail plc", "PR2 9ZZ", "no"), ("Northern Care Ltd", "pr1 2ab", "yes")):
        row = filled["supplier_name"] == name
        filled.loc[row, ["branch_postcode", "sme", "vcse", "checked_by", "checked_on", "note"]] = [
            postcode,
            sme,
            "no",
            SYNTHETIC,
            "2026-01-15",
            "SYNTHETIC: test data",
        ]
    filled.to_csv(tmp_path / "filled.csv", index=False)

    after = _resolve(tx, officer_checks=tmp_path / "filled.csv").set_index("supplier_name")
    big = after.loc["Big Retail plc"]
    assert big["resolved_by"] == "officer_checked" and big["postcode"] == "PR2 9ZZ" and big["lad_code"] == PLACE
    assert big["checked_by"] == SYNTHETIC and big["checked_on"] == "2026-01-15"
    assert big["company_number"] == "00000001"  # still matched for what it is
    assert after.loc["Northern Care Ltd", "postcode"] == "PR1 2AB"
    # The officer's SME answers type the suppliers (a crosswalk's `supplier_type` would be beaten too).
    assert (big["supplier_type"], after.loc["Northern Care Ltd", "supplier_type"]) == ("large", "sme")
    assert after.loc["Local Shop Ltd", "resolved_by"] == "ledger_postcode"
    assert pd.isna(after.loc["Local Shop Ltd", "checked_by"])

    # The report's figures change, and its coverage note says how much spend officers placed.
    note_before = coverage_note(_spend(tx, before))
    note_after = coverage_note(_spend(tx, after.reset_index()))
    assert "officers" not in note_before and "£51k of £101k located to a postcode (50.5%)" in note_before
    # Local Shop's £1k stays the ledger's: only what officers placed is counted as theirs.
    assert note_after.endswith(
        "£101k of £101k located to a postcode (100.0%); £100k placed by officers' address checks."
    )
    in_place = [
        int(s.loc[s["in_place"], "amount_pence"].sum()) for s in (_spend(tx, before), _spend(tx, after.reset_index()))
    ]
    assert in_place == [1_000_00, 101_000_00]
    assert coverage_note(_spend(tx, before), companies_house=False).endswith(COMPANIES_HOUSE_MISSING)


def test_a_config_names_the_filled_sheet_and_resolution_reads_it(tmp_path):
    (tmp_path / "ledger.csv").write_text("Supplier Name,Amount,Payment Date\nA Ltd,10.00,01/05/2019\n")
    (tmp_path / "checked.csv").write_text(",".join(SHEET_COLUMNS) + "\n")
    (tmp_path / "city.yml").write_text(
        textwrap.dedent(
            f"""
            name: Testville
            slug: testville
            place: {{name: Preston, lad_codes: [{PLACE}]}}
            wider_area: [E07000117]
            years: [2019/20]
            anchors: [{{name: Testville Council, kind: council, ledgers: [{{path: ledger.csv}}]}}]
            address_check: checked.csv
            """
        )
    )
    config = load_config(tmp_path / "city.yml")
    assert _resolution_inputs(config)["officer_checks"] == (tmp_path / "checked.csv").resolve()
    assert (tmp_path / "checked.csv").resolve() in config.input_files()  # a new check rebuilds the city
    (tmp_path / "checked.csv").unlink()
    assert any("address_check" in m for m in config.missing_inputs())


@pytest.mark.parametrize(
    "fill, message",
    [
        ({"branch_postcode": "PR1 2AB"}, "who checked it"),
        ({"branch_postcode": "not a postcode", "checked_by": SYNTHETIC, "checked_on": "2026-01-15"}, "not a postcode"),
        ({"branch_postcode": "PR1 2AB", "checked_by": SYNTHETIC, "checked_on": "15/01/2026"}, "not a date"),
        ({"sme": "maybe", "checked_by": SYNTHETIC, "checked_on": "2026-01-15"}, "yes, no"),
    ],
)
def test_a_half_filled_row_is_an_error_naming_it(fill, message):
    row = dict.fromkeys(SHEET_COLUMNS, "") | {"supplier_key": "k1", "supplier_name": "Acme Ltd"} | fill
    with pytest.raises(InputFileError, match=rf"row 2 \(Acme Ltd\).*{message}"):
        read_checked(pd.DataFrame([row]))


def test_unfilled_rows_are_not_checks():
    row = dict.fromkeys(SHEET_COLUMNS, "") | {"supplier_key": "k1", "supplier_name": "Acme Ltd"}
    assert read_checked(pd.DataFrame([row])).empty
    assert read_checked(None).empty


def test_no_real_config_ships_a_sheet_claiming_to_be_officer_checked():
    for path in sorted(Path(configs_dir()).glob("*.yml")):
        raw = yaml.safe_load(path.read_text())
        sheet = raw.get("address_check")
        if sheet is None:
            continue
        assert raw.get("synthetic"), f"{path.name}: a real config names an officer-checked sheet"


@pytest.mark.realdata
@pytest.mark.parametrize("slug", ["preston-demo", "oldham"])
def test_cwb_run_writes_each_places_sheet_beside_its_processed_tables(slug):
    """`cwb run` (run by `make test` before pytest) writes the sheet while the other notebooks run:
    beside the place's processed tables, never under reports/, with the columns officers fill."""
    from conftest import require_built

    from cwbtools.paths import processed_dir, reports_dir

    require_built(reports_dir() / slug / "summary.json", slug)
    sheet = pd.read_csv(processed_dir() / slug / "address-check.csv", dtype=str, keep_default_na=False)
    assert list(sheet.columns) == list(SHEET_COLUMNS)
    assert len(sheet) > 0 or slug == "preston-demo"  # the demo's suppliers are all located
    assert not list(reports_dir().rglob("address-check*"))
