"""Reference tables: real shared files for the small tables, the built tables for postcodes, and
hand-made fixtures (with the exact published headers) for what the shared data cannot hold."""

from __future__ import annotations

import json
import os
import sys
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from cwbtools import identifiers
from cwbtools.errors import ConfigError, InputFileError
from cwbtools.paths import raw_dir
from cwbtools.reference import (
    build_geography,
    build_lsoa,
    build_sic,
    build_wards,
    load_geography,
    load_postcodes,
    load_registers,
    load_sources,
    lookup_postcodes,
    read_companies_house,
    resolve_area,
)
from cwbtools.reference import registers as reg
from cwbtools.reference.build import build
from cwbtools.reference.postcodes import WHEEL_NAME
from cwbtools.reference.tables import load_region_lists

GM = [f"E08{n:06d}" for n in range(1, 11)]
LANCASHIRE = [f"E07{n:06d}" for n in range(117, 129)]


# -- hand-made ---------------------------------------------------------------------------------------


def test_registers_read_company_numbers_in_the_one_spelling(tmp_path):
    """Every register's number column, written as ledgers and spreadsheets write numbers, reads as
    the canonical table of `cwbtools.identifiers` (Gender Pay Gap, Co-operatives UK, charities and
    BasicCompanyData alike)."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "base"))
    from test_identifiers import COMPANY_NUMBERS  # one table of spellings, shared with the normaliser's tests

    raws, expected = [r for r, _ in COMPANY_NUMBERS], [e for _, e in COMPANY_NUMBERS]
    names = [f"ORGANISATION {chr(65 + i)}" for i in range(len(raws))]
    (tmp_path / "gender-pay-gap").mkdir()
    pd.DataFrame(
        {
            "EmployerName": names,
            "Address": "1 Street, Preston PR1 2AB",
            "CompanyNumber": raws,
            "SicCodes": "62020",
            "EmployerSize": "250 to 499",
        }
    ).to_csv(tmp_path / "gender-pay-gap" / "gpg-employers-2019-20.csv", index=False)
    (tmp_path / "coops-uk").mkdir()
    pd.DataFrame(
        {
            "Identifier": range(len(raws)),
            "Name": names,
            "Postcode": "PR1 2AB",
            "Companies House Number": raws,
            "SIC Code": "",
            "Legal Form": "Company",
            "Street Address": "",
            "Locality": "",
        }
    ).to_csv(tmp_path / reg.COOPS_FILE, index=False)
    (tmp_path / "charities").mkdir()
    pd.DataFrame(
        {
            "registered_charity_number": [f"{100000 + i}" for i in range(len(raws))],
            "charity_name": names,
            "charity_company_registration_number": raws,
        }
    ).to_csv(tmp_path / "charities" / "c.csv", index=False)
    for source, fn in {
        "gender_pay_gap": reg.gender_pay_gap,
        "coops_uk": reg.coops_uk,
        "charity_commission": reg.charity_commission,
    }.items():
        got = fn(tmp_path).set_index("name").loc[names, "company_number"]
        assert [None if pd.isna(v) else v for v in got] == expected, source
    rows = [_ch_row(n, raw, "PR1 2AB", "Private Limited Company", "Active", "SMALL", "") for n, raw in zip(names, raws)]
    ch = pd.concat(read_companies_house(_write_ch(tmp_path / "ch.csv", rows=rows), chunksize=5))
    assert [None if pd.isna(v) else v for v in ch.set_index("name").loc[names, "company_number"]] == expected


# -- small tables from the real shared files ---------------------------------------------------------


@pytest.fixture(scope="module")
def lsoa(reference_data: Path) -> pd.DataFrame:
    return build_lsoa(reference_data).set_index("lsoa_code")


def test_imd_decile_of_known_lsoas(lsoa):
    # City of London 001A and 001B, as File 1 and File 2 publish them ("29,199" with its comma).
    assert lsoa.loc["E01000001", "imd_rank"] == 29199
    assert lsoa.loc["E01000001", "imd_decile"] == 9
    assert lsoa.loc["E01000002", "imd_decile"] == 10
    assert lsoa.loc["E01000001", "income_decile"] == 10
    assert lsoa.loc["E01000001", "crime_decile"] == 10
    assert lsoa.loc["E01000001", "living_environment_decile"] == 3
    assert lsoa.loc["E01000001", "population"] == 1296
    # Preston city centre: among the most deprived tenth in England.
    assert lsoa.loc["E01033224", "lad_code"] == "E07000123"
    assert lsoa.loc["E01033224", "imd_decile"] == 1


def test_lsoa_table_covers_england_with_imd_and_wales_without(lsoa):
    assert lsoa.index.is_unique
    english = lsoa.index.str.startswith("E")
    assert english.sum() == 32844
    assert lsoa.loc[english, "imd_decile"].between(1, 10).all()
    assert lsoa.loc[~english, "imd_decile"].isna().all()  # IMD 2019 is England only
    assert (lsoa.loc[english, "imd_decile"].value_counts() > 3200).all()
    for domain in ("income", "employment", "education", "health", "crime", "housing", "living_environment"):
        assert lsoa.loc[english, f"{domain}_decile"].notna().all(), domain
    assert lsoa["ward_code"].notna().all()
    assert lsoa.loc[english, "population"].sum() > 50_000_000


def test_sic_hierarchy(reference_data):
    sic = build_sic(reference_data).set_index("sic_code")
    row = sic.loc["62020"]
    assert (row["sic_class"], row["sic_group"], row["sic_division"], row["sic_section"]) == ("62.02", "62.0", "62", "J")
    assert row["sic_section_name"] == "Information and communication"
    assert sic.loc["62012", "sic_class"] == "62.01"
    assert sic.loc["01110", "sic_section"] == "A"
    assert sic.loc["86101", "sic_section"] == "Q"
    assert pd.isna(sic.loc["99999", "sic_section"])  # dormant company: no sector
    assert sic.index.str.fullmatch(r"\d{5}").all()
    assert sic.loc[sic.index != "99999", "sic_section"].notna().all()


def test_wards_2019_and_current(reference_data):
    wards = build_wards(
        reference_data,
        pd.DataFrame(
            {"ward_code": ["E05999999", "E05012196"], "ward_name": ["New Ward", "Dup"], "lad_code": ["E07000123"] * 2}
        ),
    )
    assert wards["ward_code"].is_unique
    assert (wards["vintage"] == "2019").sum() == 8887
    assert wards.set_index("ward_code").loc["E05012196", "ward_name"] == "City Centre"  # 2019 row kept
    assert wards.set_index("ward_code").loc["E05999999", "vintage"] == "current"


def test_region_list_covers_every_english_lad(reference_data):
    regions = load_region_lists()
    imd = pd.read_csv(
        reference_data / "imd2019" / "File_1_-_IMD2019_Index_of_Multiple_Deprivation.csv.gz",
        dtype=str,
        encoding="utf-8-sig",
    )
    imd_lads = set(imd.iloc[:, 2])
    assert set(regions["lad_code"]) == imd_lads
    assert regions["region_code"].notna().all()
    counts = regions.groupby("region_name").size().to_dict()
    assert counts == {
        "North East": 12,
        "North West": 39,
        "Yorkshire and The Humber": 21,
        "East Midlands": 40,
        "West Midlands": 30,
        "East of England": 45,
        "London": 33,
        "South East": 67,
        "South West": 30,
    }
    assert sorted(regions.loc[regions["cauth_name"] == "Greater Manchester", "lad_code"]) == GM
    assert sorted(regions.loc[regions["county_name"] == "Lancashire", "lad_code"]) == LANCASHIRE
    assert regions.set_index("lad_code").loc["E07000123", "region_name"] == "North West"
    # Every shire district (E07) belongs to a county; unitaries, met districts and London boroughs do not.
    assert regions.loc[regions["lad_code"].str.startswith("E07"), "county_code"].notna().all()
    assert regions.loc[~regions["lad_code"].str.startswith("E07"), "county_code"].isna().all()


def test_geography_prefers_code_point_county_and_names_nations(reference_data):
    counties = pd.DataFrame({"lad_code": ["E07000123"], "county_code": ["E10000017"], "county_name": ["Lancs (CPO)"]})
    geo = build_geography(reference_data, counties).set_index("lad_code")
    assert geo.loc["E07000123", "county_name"] == "Lancs (CPO)"
    assert geo.loc["E07000028", "county_name"] == "Cumbria"  # abolished 2023: from the 2019 list
    assert pd.isna(geo.loc["E08000001", "county_code"])
    assert geo.loc["E08000001", "cauth_name"] == "Greater Manchester"
    assert geo.loc["W06000015", "region_name"] == "Wales"
    assert geo["region_code"].notna().all()


# -- registers from the shared files -----------------------------------------------------------------


@pytest.fixture(scope="module")
def open_registers(reference_data):
    return reg.build_open_registers(reference_data)


def test_register_counts_per_source(open_registers):
    counts = open_registers["source"].value_counts().to_dict()
    assert counts["nhs_ods"] == 273 + 320
    assert counts["coops_uk"] == 7272
    assert counts["charity_commission"] == 736
    # Six years of employers, one row per distinct (name, company number): more than any single year.
    assert 10_831 < counts["gender_pay_gap"] < 6 * 10_831
    assert list(open_registers.columns) == reg.REGISTER_COLUMNS
    assert (open_registers["name_norm"] == open_registers["name"].map(identifiers.supplier_name)).all()


def test_nhs_closed_kept_and_flagged(open_registers):
    nhs = open_registers[open_registers["source"] == "nhs_ods"].set_index("other_id")
    assert (nhs["status"] == "closed").sum() == 68 + 161
    assert nhs.loc["NHS-00C", "status"] == "closed" and nhs.loc["NHS-00C", "date_closed"] == "2020-03-31"
    assert nhs.loc["NHS-R0A", "status"] == "active" and nhs.loc["NHS-R0A", "postcode"] == "M13 9WL"
    assert (nhs["kind"] == "public").all()


def test_gender_pay_gap_sizes_public_bodies_and_early_postcodes(open_registers):
    gpg = open_registers[open_registers["source"] == "gender_pay_gap"]
    red_band = gpg[gpg["company_number"] == "SC016876"].iloc[0]
    assert (red_band["size"], red_band["postcode"], red_band["kind"]) == ("large", "EH6 8NU", "company")
    preston = gpg[gpg["name"] == "Preston City Council"].iloc[0]
    assert (preston["kind"], preston["postcode"], preston["size"]) == ("public", "PR1 2RL", "large")
    # Bryanston School reported only in the first two years, which have no PostCode column.
    bryanston = gpg[gpg["name_norm"].str.contains("bryanston school")]
    assert set(bryanston["postcode"]) == {"DT11 0PX"}
    assert set(bryanston["company_number"]) == {"00226143"}
    assert set(gpg.loc[gpg["size_band"] == "Less than 250", "size"]) == {"sme"}
    assert gpg["postcode"].notna().mean() > 0.99


def test_coops_and_charities_are_vcse_kinds(open_registers):
    coops = open_registers[open_registers["source"] == "coops_uk"]
    assert (coops["kind"] == "coop").all()
    group = coops[coops["other_id"] == "COOPSUK-R000001"].iloc[0]
    assert (group["name"], group["postcode"], group["sic_code"]) == ("The Co-operative Group", "M60 0AG", "47110")
    charities = open_registers[open_registers["source"] == "charity_commission"].set_index("charity_number")
    assert charities.loc["214927", "company_number"] == "00738693"
    assert charities.loc["214927", "postcode"] == "SY14 8EF"
    assert (charities["kind"] == "charity").all()


# -- Companies House BasicCompanyData, on fixtures with its exact published header ----------------------

CH_HEADER = reg.COMPANIES_HOUSE_HEADER


def _ch_row(name, number, pc, category, status, accounts, sic1, sic2=""):
    row = dict.fromkeys((h.strip() for h in CH_HEADER), "")
    row.update(
        {
            "CompanyName": name,
            "CompanyNumber": number,
            "RegAddress.PostCode": pc,
            "CompanyCategory": category,
            "CompanyStatus": status,
            "Accounts.AccountCategory": accounts,
            "SICCode.SicText_1": sic1,
            "SICCode.SicText_2": sic2,
            "RegAddress.PostTown": "PRESTON",
            "URI": f"http://business.data.gov.uk/id/company/{number}",
        }
    )
    return [row[h.strip()] for h in CH_HEADER]


CH_ROWS = [
    _ch_row(
        "ACME WIDGETS LIMITED",
        "01234567",
        "pr12rl",
        "Private Limited Company",
        "Active",
        "MICRO ENTITY",
        "62020 - Information technology consultancy activities",
    ),
    _ch_row(
        "BIG RETAIL PLC",
        "SC016876",
        "EH6 8NU",
        "Public Limited Company",
        "Active",
        "FULL",
        "47730 - Dispensing chemist in specialised stores",
        "47190 - Other retail sale in non-specialised stores",
    ),
    _ch_row(
        "FULL BUT SMALL LTD",
        "07654321",
        "M1 1AD",
        "Private Limited Company",
        "Active",
        "FULL",
        "41100 - Development of building projects",
    ),
    _ch_row(
        "GOOD CAUSE CIC",
        "11111111",
        "",
        "Community Interest Company",
        "Active",
        "TOTAL EXEMPTION FULL",
        "88990 - Other social work activities without accommodation not elsewhere classified",
    ),
    _ch_row(
        "SLEEPY LIMITED",
        "22222222",
        "BB5 1LA",
        "Private Limited Company",
        "Active",
        "DORMANT",
        "99999 - Dormant Company",
    ),
    _ch_row(
        'MID SIZE, "QUOTED" LTD', "33333333", "PR1 2RL", "Private Limited Company", "Active", "MEDIUM", "None Supplied"
    ),
]


def _write_ch(path: Path, as_zip: bool = False, rows: list | None = None) -> Path:
    import csv
    import io

    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(CH_HEADER)
    w.writerows(CH_ROWS if rows is None else rows)
    if as_zip:
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
            z.writestr("BasicCompanyDataAsOneFile-2026-11-01.csv", buf.getvalue())
    else:
        path.write_text(buf.getvalue(), encoding="utf-8")
    return path


@pytest.mark.parametrize("as_zip", [False, True])
def test_read_companies_house_chunks_and_rules(tmp_path, as_zip):
    path = _write_ch(tmp_path / ("ch.zip" if as_zip else "ch.csv"), as_zip)
    chunks = list(read_companies_house(path, chunksize=4, large_company_numbers={"SC016876"}))
    assert [len(c) for c in chunks] == [4, 2]
    assert all(list(c.columns) == reg.REGISTER_COLUMNS for c in chunks)
    ch = pd.concat(chunks).set_index("company_number")
    assert (ch["source"] == "companies_house").all()
    assert ch.loc["01234567", "postcode"] == "PR1 2RL"
    assert ch.loc["01234567", "sic_code"] == "62020"
    assert ch.loc["01234567", "size"] == "sme"
    assert ch.loc["SC016876", "size"] == "large"  # FULL accounts and in the Gender Pay Gap
    assert ch.loc["SC016876", "sic_codes"] == "47730;47190"
    assert pd.isna(ch.loc["07654321", "size"])  # FULL accounts alone do not prove large
    assert ch.loc["11111111", "kind"] == "cic" and ch.loc["11111111", "size"] == "sme"
    assert pd.isna(ch.loc["11111111", "postcode"])
    assert pd.isna(ch.loc["22222222", "size"])  # dormant
    assert ch.loc["33333333", "name"] == 'MID SIZE, "QUOTED" LTD' and ch.loc["33333333", "size"] == "sme"
    assert pd.isna(ch.loc["33333333", "sic_code"])
    assert ch.loc["01234567", "name_norm"] == identifiers.supplier_name("ACME WIDGETS LIMITED")


def test_load_companies_house_sizes_from_the_registers_beside_it(tmp_path):
    """The one reader for a run that adds BasicCompanyData to the registers (supplier resolution):
    a FULL filer is large only when the Gender Pay Gap among those registers says so."""
    path = _write_ch(tmp_path / "ch.csv")
    gpg = pd.DataFrame({"source": ["gender_pay_gap"], "size": ["large"], "company_number": ["SC016876"]})
    sized = reg.load_companies_house(path, gpg)
    assert len(sized) == len(CH_ROWS) and list(sized.columns) == reg.REGISTER_COLUMNS
    assert sized.set_index("company_number").loc["SC016876", "size"] == "large"
    assert pd.isna(reg.load_companies_house(path).set_index("company_number").loc["SC016876", "size"])


def test_read_companies_house_names_missing_columns(tmp_path):
    path = tmp_path / "not_ch.csv"
    path.write_text("Name,Number\nA,1\n")
    with pytest.raises(InputFileError, match=r"not_ch\.csv.*CompanyNumber"):
        list(read_companies_house(path))


# -- the full build on a small user-supplied postcode file (real Code-Point from the wheel) ------------


def _wheel_dir() -> Path:
    raw = raw_dir()
    if not (raw / WHEEL_NAME).exists():
        msg = f"{raw / WHEEL_NAME} missing: run `cwb reference build` once (it downloads it)"
        if os.environ.get("CI"):
            pytest.fail(msg)
        pytest.skip(msg)
    return raw


@pytest.mark.slow
def test_build_small_postcode_file_is_idempotent(tmp_path, shared_data, capsys):
    raw = _wheel_dir()
    pcd = tmp_path / "my_pcd.csv"
    pd.DataFrame(
        {
            "pcds": ["PR1 2RL", "pr12rl", "BT1 1AA", "M1 1AD", "AB1 0AA", "NPT 0AD"],
            "doterm": ["", "199901", "", "", "199606", "198412"],
            "oa11cd": ["E00172483", "E00172483", "N00000001", "E00174262", "S00090303", "W00000001"],
            "lsoa11cd": ["E01033224", "E01033224", "95AA01S1", "E01033658", "S01006514", "W01001"],
            "msoa11cd": ["E02005269", "E02005269", "", "E02006902", "S02001237", ""],
            "ladcd": ["E07000123", "E07000123", "N09000003", "E08000003", "S12000033", "W06000022"],
        }
    ).to_csv(pcd, index=False)
    out = tmp_path / "ref"
    build(postcodes_file=str(pcd), data_dir=shared_data, out_dir=out, raw=raw)
    pcs = pd.read_parquet(out / "postcodes.parquet").set_index("postcode")
    assert list(pcs.index) == ["AB1 0AA", "M1 1AD", "PR1 2RL"]  # BT dropped, NPT invalid, duplicate merged
    assert not pcs.loc["PR1 2RL", "terminated"]  # the live row wins over its terminated twin
    assert pcs.loc["AB1 0AA", "terminated"]
    assert pcs.loc["PR1 2RL", "ward_code"] == "E05012196" and pcs.loc["PR1 2RL", "county_code"] == "E10000017"
    assert pcs.loc["M1 1AD", "lad_code"] == "E08000003"
    assert pcs.loc["PR1 2RL", "easting"] > 0 and pd.isna(pcs.loc["AB1 0AA", "easting"])  # terminated: no point
    sources = {s["name"]: s for s in json.loads((out / "sources.json").read_text())}
    pc_source = sources["Postcode lookup supplied by the user"]
    assert "BT) postcodes dropped (1 rows)" in pc_source["note"] and "1 non-standard" in pc_source["note"]
    assert pc_source["rows"] == 3
    assert (out / ".built").exists()
    mtimes = {p.name: p.stat().st_mtime_ns for p in out.glob("*.parquet")}
    capsys.readouterr()

    build(postcodes_file=str(pcd), data_dir=shared_data, out_dir=out, raw=raw)
    said = capsys.readouterr().out
    assert said.count("up to date") == 8, said
    assert {p.name: p.stat().st_mtime_ns for p in out.glob("*.parquet")} == mtimes
    assert (out / ".built").exists()


# -- the full tables, built by `cwb reference build` before pytest ------------------------------------


def test_preston_postcode_resolves(built_reference):
    got = lookup_postcodes(pd.Series(["pr1 2rl", "not a postcode", None, "PR1  2RL"], index=[10, 11, 12, 13]))
    assert list(got.index) == [10, 11, 12, 13]
    row = got.loc[10]
    assert (row["postcode"], row["lad_code"], row["lsoa_code"], row["imd_decile"]) == (
        "PR1 2RL",
        "E07000123",
        "E01033224",
        1,
    )
    assert row["found"] and not row["terminated"]
    assert row["ward_code"] == "E05012196"
    assert not got.loc[11, "found"] and pd.isna(got.loc[12, "postcode"])
    assert got.loc[13, "lad_code"] == "E07000123"


def test_postcode_table_full(built_reference):
    pcs = load_postcodes(["postcode", "terminated", "lad_code", "lsoa_code"])
    assert len(pcs) > 2_500_000 and pcs["postcode"].is_unique
    assert not pcs["postcode"].str.startswith("BT").any()  # Northern Ireland: licence
    assert pcs["terminated"].sum() > 800_000
    assert pcs.loc[pcs["postcode"] == "AB1 0AA", "terminated"].item()  # terminated 1996, still resolves
    sample = pcs["postcode"].sample(5000, random_state=1)
    assert (sample.map(identifiers.postcode) == sample).all()
    english = pcs["lsoa_code"].str.startswith("E", na=False)
    assert pcs.loc[english, "lad_code"].str.startswith("E").all()


def test_resolve_area(built_reference):
    assert resolve_area("Lancashire") == ("Lancashire", LANCASHIRE)
    assert resolve_area("greater manchester") == ("Greater Manchester", GM)
    name, lads = resolve_area("NORTH WEST")
    assert name == "North West" and len(lads) == 39 and set(GM + LANCASHIRE) <= set(lads)
    assert resolve_area("E07000123") == ("Preston", ["E07000123"])
    assert resolve_area(["E08000001", "E08000006"])[1] == ["E08000001", "E08000006"]
    assert resolve_area("Preston") == ("Preston", ["E07000123"])
    assert len(resolve_area("North East")[1]) == 12  # the region
    assert resolve_area("north east combined authority") == (
        "North East Combined Authority",
        ["E06000047", "E08000023", "E08000024", "E08000037"],
    )
    with pytest.raises(ConfigError, match=r"'Lancshire'.*Lancashire"):
        resolve_area("Lancshire")
    with pytest.raises(ConfigError, match="E99999999"):
        resolve_area(["E07000123", "E99999999"])


def test_geography_counties_from_code_point(built_reference):
    geo = load_geography().set_index("lad_code")
    listed = load_region_lists().set_index("lad_code")
    english = geo.index.str.startswith("E")
    assert geo.loc[english, "region_code"].notna().all() and english.sum() == 317
    assert sorted(geo.index[geo["county_name"] == "Lancashire"]) == LANCASHIRE
    # Code-Point's majority county agrees with the 2019 list wherever the county still exists.
    both = listed["county_code"].dropna()
    assert (geo.loc[both.index, "county_code"] == both).all()


def test_built_registers_and_sources(built_reference):
    regs = load_registers(["nhs_ods", "coops_uk"], columns=["source", "name"])
    assert set(regs["source"]) == {"nhs_ods", "coops_uk"} and len(regs) == 593 + 7272
    sources = load_sources()
    assert all(s["licence"] and s["attribution"] for s in sources)
    by_name = {s["name"]: s for s in sources}
    if not by_name["Companies House BasicCompanyData"]["present"]:
        assert "absent" in by_name["Companies House BasicCompanyData"]["note"]
    assert by_name["English Indices of Deprivation 2019 (Files 1, 2, 6)"]["rows"] == 32844
    assert "England only" in by_name["English Indices of Deprivation 2019 (Files 1, 2, 6)"]["note"]


def test_company_kind_from_category():
    cats = pd.Series(
        [
            "Private Limited Company",
            "Community Interest Company",
            "Registered Society",
            "Charitable Incorporated Organisation",
            "Royal Charter Company",
            None,
            "Industrial and Provident Society",
        ]
    )
    assert reg._company_kind(cats).tolist() == ["company", "cic", "coop", "charity", "public", "company", "coop"]


def test_cli_build_names_a_missing_companies_file(tmp_path, monkeypatch, capsys, shared_data):
    from cwbtools import cli

    monkeypatch.setenv("CWB_PROCESSED", str(tmp_path / "processed"))
    assert cli.main(["reference", "build", "--companies", str(tmp_path / "nope.zip")]) == 2
    err = capsys.readouterr().err
    assert "--companies" in err and "nope.zip" in err and "Traceback" not in err
    assert not (tmp_path / "processed" / "reference" / ".built").exists()


def test_small_tables_are_read_once_and_each_caller_gets_its_own(tmp_path, monkeypatch):
    """A notebook reads the geography for its areas, its context and its map: read once while the
    file is unchanged, and a change a caller makes to its frame never reaches the next caller."""
    from cwbtools import reference

    monkeypatch.setenv("CWB_PROCESSED", str(tmp_path))
    folder = tmp_path / "reference"
    folder.mkdir()
    table = pd.DataFrame({"lad_code": ["E1", "E2"], "lad_name": ["One", "Two"]})
    table.to_parquet(folder / "geography.parquet", index=False)
    first = load_geography()
    first.loc[0, "lad_name"] = "Changed"
    first["extra"] = 1
    again = load_geography()
    pd.testing.assert_frame_equal(again, table)
    table.assign(lad_name=["Uno", "Dos", "Tres"][:2]).to_parquet(folder / "geography.parquet", index=False)
    os.utime(folder / "geography.parquet", ns=(1, 1))  # a rewrite is seen even within the same second
    assert load_geography()["lad_name"].tolist() == ["Uno", "Dos"]
    lsoa = pd.DataFrame({"lsoa_code": ["L1"], "lad_code": ["E1"], "imd_decile": [3], "income_rank": [7]})
    lsoa.to_parquet(folder / "lsoa.parquet", index=False)
    assert list(reference.load_lsoa(["lsoa_code", "imd_decile"]).columns) == ["lsoa_code", "imd_decile"]
    pd.testing.assert_frame_equal(reference.load_lsoa(), lsoa)
