"""The payee detector: the formats ledgers write people in, the organisations that look like them,
and the bundled first-names list (openly licensed, built by scripts/build_first_names.py)."""

from __future__ import annotations

import re
from importlib.resources import files

import pytest

from cwbtools import individuals
from cwbtools.individuals import fold, is_redacted, looks_like_individual

# Invented people, in the shapes UK ledgers write them.
PEOPLE = [
    "SMITH, JOHN",
    "Hunt, Elizabeth Anne",
    "Smith, Mrs J",
    "JONES, K",  # surname, comma, first name
    "SMITH JOHN MR",
    "MILLER KAREN MRS",
    "CAREY L A E MRS",
    "MAYER SHARON DR",  # title at the end
    "J SMITH (REFUND)",
    "J SMITH REFUND",
    "Refund - P Surname",
    "REFUND: MRS A BLOGGS",
    "Payment to Ms Firstname Surname re damages",
    "Compensation payment to Mr A Person",
    "Zoë Smith",
    "Łukasz Nowak",
    "Siobhán O'Neill",
    "Wojciech Kowalski",
    "Gurpreet Kaur",
    "Aoife Byrne",
    "Mohammed Khan",
    "J.P. Smith",
    "Smith J.",
    "A B Jones",
    "Jane Wade c/o Wade Psychology",
    "Jill Grant",
    "Grant Smith",  # a name that is also a note word, with no separator beside it
]
ORGANISATIONS = [
    "Knight Frank",
    "Hill Dickinson",
    "Osborne Clarke",
    "Watson Petroleum",  # surnames first
    "Summit Auto Bodies",
    "Urban Vision",
    "Orange Payment Processing",  # words first
    "Bolton, Borough Council of",
    "Acme Consultancies (Microtech)",
    "Nusrat Ul Islam Mosque",
    "Phoenix Futures Ltd",
    "Sense_a",
    "Acme c/o Jane Smith",
    "Lorimer Fostering",
    "ACME LIMITED REFUNDS",
]


@pytest.mark.parametrize("name", PEOPLE)
def test_people_are_flagged_in_every_format_ledgers_use(name):
    assert looks_like_individual(name)


@pytest.mark.parametrize("name", ORGANISATIONS)
def test_organisations_that_look_like_people_are_not(name):
    assert not looks_like_individual(name)


@pytest.mark.parametrize(
    "name",
    [
        "RENT REFUNDS",
        "COUNCIL TAX REFUND",
        "HOUSING REFUND PAYMENTS - BSS ONLY",
        "NO CHQ ONLY COUNCIL TAX OVERPAYMENTS",
        "Payment to Individual",
    ],
)
def test_pooled_refunds_and_placeholders_stand_for_withheld_names(name):
    assert is_redacted(name) and looks_like_individual(name)


def test_a_company_refunds_line_names_the_company():
    assert not is_redacted("Acme Homes Limited#HB Refunds") and not is_redacted("Bt Repayment Works")


def test_fold_drops_accents_to_the_lists_form():
    assert fold("Zoë") == "zoe" and fold("ŁUKASZ") == "lukasz" and fold("Søren") == "soren"
    assert fold("Siobhán O’Neill") == "siobhan o'neill"


def _shipped() -> tuple[list[str], list[str]]:
    text = files("cwbtools").joinpath("data", "first_names.txt").read_text(encoding="utf-8")
    lines = text.splitlines()
    return [ln for ln in lines if ln.startswith("#")], [ln for ln in lines if ln and not ln.startswith("#")]


def test_the_first_names_list_is_shipped_with_its_sources_and_as_built():
    header, names = _shipped()
    head = "\n".join(header)
    for source in (
        "US Census Bureau 1990",
        "Social Security Administration",
        "public domain",
        "Open Government Licence",
        "CC BY 4.0",
        "build_first_names.py",
    ):
        assert source in head
    # The count the build wrote is the count shipped: the list was not edited by hand.
    assert int(re.search(r"all (\d+)", head).group(1)) == len(names) == len(set(names))
    assert names == sorted(names) and all(re.fullmatch(r"[a-z][a-z-]*[a-z]", n) for n in names)
    words = set(names)
    assert {"james", "aoife", "siobhan", "lukasz", "wojciech", "gurpreet", "mohammed", "zoe"} <= words
    assert not {"miller", "watson", "summit", "urban"} & words, "surnames and words the build leaves out"


def test_words_that_open_organisation_names_are_never_first_names():
    assert individuals._first_names()  # the list loads
    assert not individuals._NOT_FIRST_NAMES & individuals._first_names()
    assert not looks_like_individual("Victoria Wine") and not looks_like_individual("Royal Mail Group")
