"""The register of public bodies, built from the real shared registers (`reference/public_bodies.py`):
what each register gives, known bodies found with the right kind and class, and the build's shape."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest

from cwbtools.config.definitions import PublicBodies
from cwbtools.reference import public_bodies as pb
from cwbtools.reference.build import sources
from cwbtools.schema import PUBLIC_KINDS
from cwbtools.suppliers.public import PublicRegister, classify_public

RULES = PublicBodies().rules()


@pytest.fixture(scope="module")
def register(public_bodies) -> PublicRegister:
    return PublicRegister(public_bodies)


def _classify(register: PublicRegister, **supplier) -> dict:
    return classify_public(pd.DataFrame([supplier]), register, RULES).iloc[0].to_dict()


def test_shape_and_build_time(public_bodies):
    assert list(public_bodies.columns) == pb.PUBLIC_BODY_COLUMNS
    assert set(public_bodies["kind"]) <= set(PUBLIC_KINDS)
    assert public_bodies["name_norm"].notna().all() and (public_bodies["name_norm"] != "").all()
    assert set(public_bodies["name_type"]) == {"official", "alternative", "id_only", "family"}
    # A body has one official name at most (a name that says too little is `id_only`).
    assert not public_bodies[public_bodies["name_type"] == "official"].duplicated("body_id").any()
    assert public_bodies.attrs["build_seconds"] < 60, public_bodies.attrs["build_seconds"]


def test_bodies_by_source(public_bodies):
    bodies = public_bodies.drop_duplicates("body_id")
    by_source = bodies["source"].value_counts()
    assert by_source["la_mysociety"] == 470  # every authority in the file, current and former
    assert by_source["police_forces"] == 44
    assert by_source["nhs_ods"] == 273 + 320  # trusts and CCG / ICB codes
    assert by_source["academy_trusts"] > 3400
    assert by_source["gias"] > 49000
    assert by_source["rsh"] > 1600  # registered providers, councils left out
    assert by_source["ons_pscg"] > 3500  # the guide's bodies, former ones left out


def test_en_bloc_headings_are_families_and_closed_agencies_stay(public_bodies):
    families = public_bodies[public_bodies["name_type"] == "family"]
    assert 40 < len(families) < 70  # one-word headings (`Academies`) left out
    assert {"groundwork trust", "national park authority", "research council"} <= set(families["name_norm"])
    assert "academy" not in set(families["name_norm"])
    closed = public_bodies[(public_bodies["source"] == "govuk") & (public_bodies["status"] == "closed")]
    names = set(closed["name"])
    assert "Vehicle and Operator Services Agency" in names  # merged into DVSA, 2014
    assert "Building Research Establishment" not in names  # closed with no date: privatised in 1997
    assert set(closed["kind"]) == {"central_government"}


def test_bodies_by_kind(public_bodies):
    kinds = public_bodies.drop_duplicates("body_id")["kind"].value_counts()
    # Parish councils have no register: only the name patterns find them.
    assert set(kinds.index) == set(PUBLIC_KINDS) - {"parish_council"}
    assert kinds["council"] > 440 and kinds["combined_authority"] >= 14
    assert kinds["gp_practice"] > 8000 and kinds["school"] > 40000 and kinds["independent_school"] > 3000
    assert kinds["housing_association"] > 3000  # RSH and the guide's housing associations
    assert kinds["almo"] > 20 and kinds["council_company"] > 20
    assert kinds["fe_college"] > 300 and kinds["university"] > 100


KNOWN = [
    ({"supplier_name": "Salford City Council"}, "council", "general_government"),
    ({"supplier_name": "Lancashire County Council"}, "council", "general_government"),
    ({"supplier_name": "Oldham Metropolitan Borough Council"}, "council", "general_government"),
    ({"supplier_name": "Bolton MBC"}, "council", "general_government"),
    ({"supplier_name": "Blackburn with Darwen B.C."}, "council", "general_government"),
    ({"supplier_name": "NHS Salford CCG", "other_id": "NHS-01G"}, "icb", "general_government"),
    ({"supplier_name": "Greater Manchester Combined Authority"}, "combined_authority", "general_government"),
    ({"supplier_name": "Greater Manchester CA"}, "combined_authority", "general_government"),
    ({"supplier_name": "Lancashire Fire and Rescue"}, "fire", "general_government"),
    ({"supplier_name": "LANCASHIRE FIRE & RESCUE SERVICE"}, "fire", "general_government"),
    ({"supplier_name": "Lancashire Constabulary"}, "police", "general_government"),
    ({"supplier_name": "Police and Crime Commissioner for Lancashire"}, "police", "general_government"),
    ({"supplier_name": "Northern Care Alliance NHS FT"}, "nhs_trust", "general_government"),
    ({"supplier_name": "Salford Royal", "other_id": "NHS-RM301"}, "nhs_trust", "general_government"),
    ({"supplier_name": "HM Revenue & Customs"}, "central_government", "general_government"),
    ({"supplier_name": "HMRC"}, "central_government", "general_government"),
    ({"supplier_name": "Transport for Greater Manchester"}, "local_government", "general_government"),
    ({"supplier_name": "Bolton College", "other_id": "URN-130495"}, "fe_college", "general_government"),
    (
        {"supplier_name": "Gateway Learning Community", "company_number": "05853746"},
        "academy_trust",
        "general_government",
    ),
    ({"supplier_name": "Nottingham City Homes Ltd"}, "almo", "public_corporation"),
    ({"supplier_name": "Nottingham City Transport Co Ltd"}, "council_company", "public_corporation"),
    ({"supplier_name": "The Royal Mint"}, "public_corporation", "public_corporation"),
    ({"supplier_name": "Bolton at Home"}, "housing_association", "not_public"),
    ({"supplier_name": "Rent payments", "company_number": "RS007684"}, "housing_association", "not_public"),
    ({"supplier_name": "Salix Homes Ltd"}, "housing_association", "not_public"),
    ({"supplier_name": "University of Salford"}, "university", "not_public"),
    ({"supplier_name": "Somewhere", "other_id": "URN-100001"}, "independent_school", "not_public"),
    ({"supplier_name": "The Densham Surgery"}, "gp_practice", "not_public"),
    ({"supplier_name": "A practice", "other_id": "NHS-A81001"}, "gp_practice", "not_public"),
]


@pytest.mark.parametrize(("supplier", "kind", "cls"), KNOWN, ids=[k[0]["supplier_name"] for k in KNOWN])
def test_known_bodies(register, supplier, kind, cls):
    got = _classify(register, **supplier)
    assert (got["public_kind"], got["public_class"]) == (kind, cls), got["public_evidence"]


def test_identifiers_are_the_evidence_when_given(register):
    # NHS Salford CCG is now a sub-ICB location of Greater Manchester ICB: its code says so.
    got = _classify(register, supplier_name="NHS Salford CCG", other_id="NHS-01G")
    assert got["public_evidence"].startswith("identifier NHS-01G")
    # By name alone the CCG is no longer in the ODS file: the guide's en-bloc heading (`Clinical
    # Commissioning Groups`) finds it, and says so.
    got = _classify(register, supplier_name="NHS Salford CCG")
    assert (got["public_kind"], got["public_class"]) == ("ccg", "general_government")
    assert got["public_evidence"].startswith("name of a family of bodies the guide classifies en bloc")


def test_housing_associations_are_not_public_though_the_2017_guide_lists_them(public_bodies):
    guide = public_bodies[(public_bodies["source"] == "ons_pscg")]
    assert (guide["kind"] == "housing_association").sum() > 1500
    assert not guide.loc[guide["kind"] == "public_corporation", "note"].str.contains("registered provider").any()


def test_short_abbreviations_and_closed_organisations_are_not_names(register):
    # SCC is an IT company as often as a GOV.UK abbreviation; BRE was sold in 1997.
    for name in ("SCC", "Building Research Establishment Ltd"):
        assert pd.isna(_classify(register, supplier_name=name)["public_class"]), name


def test_names_that_say_too_little_match_by_code_only(public_bodies, register):
    # GIAS lists establishments called "The Hub" or "Park Centre"; hospital sites "Berkeley House".
    vague = public_bodies[public_bodies["name_type"] == "id_only"]
    assert {"gias", "nhs_sites"} <= set(vague["source"])
    name = vague.loc[vague["source"] == "nhs_sites", "name"].iloc[0]
    assert pd.isna(_classify(register, supplier_name=name)["public_kind"])


def test_schools_are_told_apart(register):
    cases = {
        "URN-133863": "university",  # University of Oxford, in GIAS's block of universities
        "URN-100001": "independent_school",  # City of London School for Girls
        "URN-130509": "fe_college",  # Salford City College
        "URN-105740": "school",  # Crompton House CofE School
    }
    for urn, kind in cases.items():
        assert _classify(register, supplier_name="x", other_id=urn)["public_kind"] == kind, urn
    # A designation the ledger leaves out: `Crompton House School`.
    assert _classify(register, supplier_name="Crompton House School")["public_kind"] == "school"


def test_a_builder_whose_files_are_missing_is_left_out(reference_data, tmp_path):
    for folder in ("la_mysociety", "police_forces_2018"):
        shutil.copytree(reference_data / folder, tmp_path / folder)
    table = pb.build_public_bodies(tmp_path)
    assert set(table["source"]) == {"la_mysociety", "police_forces", "fire"}


def test_provenance_names_every_register_with_its_licence(tmp_path):
    entries = {s["name"]: s for s in sources({"public_bodies": {"counts": {"gias": 5}}}, tmp_path, tmp_path, None)}
    ours = {n: s for n, s in entries.items() if n.startswith("Public bodies: ")}
    assert len(ours) == len(pb.PROVENANCE)
    assert all(s["licence"] and s["attribution"] for s in ours.values())
    assert any("ODbL" in s["licence"] for s in ours.values())
    assert [s["rows"] for s in ours.values() if "Get Information About Schools" in s["name"]] == [5]
