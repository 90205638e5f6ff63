"""The one rule per identifier (`cwbtools.identifiers`): the canonical company numbers by hand, the
Arrow twins against the scalar rules on generated input, charity ids. Ingest, register reading and
crosswalk reading are checked against the same table in test_ingest, test_reference and test_suppliers."""

from __future__ import annotations

import re

import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cwbtools.identifiers import (
    company_number,
    company_numbers,
    company_numbers_arrow,
    postcode,
    postcodes,
    postcodes_arrow,
    says_no_number,
    split_charity_id,
)

# As ledgers, registers and crosswalks write them -> the one spelling (None: no number).
COMPANY_NUMBERS = [
    ("4166647", "04166647"),
    ("4166647.0", "04166647"),
    ("04166647", "04166647"),  # Excel drops zeros
    ("OC-301234", "OC301234"),
    ("oc 301234", "OC301234"),
    ("SC123456", "SC123456"),
    ("IP29627R", "IP29627R"),
    ("ip 1234r", "IP01234R"),  # registered societies keep their letter
    ("0000000", None),
    ("00000000", None),
    ("N/A", None),
    ("-", None),
]
MORE_COMPANY_NUMBERS = [
    ("226143", "00226143"),
    ("sc16876", "SC016876"),
    (" 01234567 ", "01234567"),
    ("4166647.00", "04166647"),
    ("", None),
    (None, None),
    (float("nan"), None),
    (pd.NA, None),
    ("0", None),
    ("RS00000R", None),
    # junk is no number, never passed through as if it were one
    ("123456789", None),
    ("4166647.5", None),
    ("TBC", None),
    ("Sole trader", None),
    ("4.166647E+06", None),
    (4166647.0, "04166647"),
    (4166647, "04166647"),
]
CANONICAL = re.compile(r"[0-9]{8}|[A-Z]{2}[0-9]{6}|[A-Z][0-9]{7}|[A-Z]{2}[0-9]{5}[A-Z]")


@pytest.mark.parametrize("raw, expected", COMPANY_NUMBERS + MORE_COMPANY_NUMBERS)
def test_company_number_table(raw, expected):
    assert company_number(raw) == expected
    assert company_numbers_arrow([raw]).to_pylist() == [expected]


def test_company_numbers_keep_the_index_and_arrow_type():
    raw = [r for r, _ in COMPANY_NUMBERS]
    got = company_numbers(pd.Series(raw, index=range(10, 10 + len(raw))))
    assert got.tolist() == [e for _, e in COMPANY_NUMBERS] and got.index[0] == 10
    arrow = company_numbers_arrow(pa.array(raw, type=pa.large_string()))
    assert arrow.type == pa.large_string() and arrow.to_pylist() == [e for _, e in COMPANY_NUMBERS]
    ledger = pd.Series(raw, dtype=pd.StringDtype("pyarrow"))
    assert company_numbers(ledger).tolist() == [e for _, e in COMPANY_NUMBERS]


def test_no_number_is_told_from_junk():
    assert all(says_no_number(v) for v in ("", None, "N/A", "n/a", "-", "None", "0000000", "  "))
    assert not any(says_no_number(v) for v in ("TBC", "4166647", "123456789", "OC-301234"))


# Text a number cell may hold: digits, prefixes in either case, spacing and punctuation, decimals,
# non-ASCII digits and letters (which no register uses).
_NUMBERISH = st.text(alphabet="0123456789 .-/ACINOPRSacinoprsx\u0663\u00e9\t", max_size=13)


@st.composite
def _written_numbers(draw) -> str:
    """A real-looking number, written the ways people and spreadsheets write it."""
    prefix = draw(st.sampled_from(["", "", "SC", "NI", "OC", "RC", "IP", "RS"]))
    digits = draw(st.integers(1, 10 ** (8 - len(prefix)) - 1))
    suffix = draw(st.sampled_from(["", "R"])) if prefix in ("IP", "RS") and digits < 10**5 else ""
    text = prefix + str(digits) + suffix
    if draw(st.booleans()):
        text = text.lower()
    if draw(st.booleans()):
        text = text[:2] + draw(st.sampled_from([" ", "-", "/"])) + text[2:]
    if not prefix and draw(st.booleans()):
        text += draw(st.sampled_from([".0", ".00", "."]))
    return " " + text + " "


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.none(), _NUMBERISH, _written_numbers(), st.from_regex(r"[A-Z]{0,2}[0-9]{1,8}[A-Z]?", fullmatch=True)
        ),
        max_size=20,
    )
)
def test_arrow_company_numbers_agree_with_the_scalar_rule(values):
    expected = [company_number(v) for v in values]
    assert company_numbers_arrow(values).to_pylist() == expected
    assert company_numbers_arrow(pa.array(values, type=pa.large_string())).to_pylist() == expected


@settings(max_examples=300, deadline=None)
@given(st.one_of(_NUMBERISH, _written_numbers(), st.text(max_size=12)))
def test_a_company_number_is_canonical_or_none_and_stays_put(text):
    got = company_number(text)
    assert got is None or (CANONICAL.fullmatch(got) and company_number(got) == got), got


@settings(max_examples=200, deadline=None)
@given(_written_numbers())
def test_however_a_number_is_written_it_has_one_spelling(written):
    plain = re.sub(r"[^A-Za-z0-9]", "", written.removesuffix(" ").split(".")[0]).upper()
    assert company_number(written) == company_number(plain) is not None


_POSTCODE_ISH = st.text(alphabet="ABCEGHJKMNPRSTWXYZ0123456789 -.abcmprw", max_size=10)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.one_of(st.none(), _POSTCODE_ISH, st.from_regex(r"[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}", fullmatch=True)),
        max_size=20,
    )
)
def test_arrow_postcodes_agree_with_the_scalar_rule(values):
    assert postcodes_arrow(values).to_pylist() == [postcode(v) for v in values]
    assert postcodes(pd.Series(values, dtype=object)).tolist() == [postcode(v) for v in values]


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("CHC-1101234", ("1101234", None)),
        ("GB-CHC-1101234", ("1101234", None)),
        ("1101234", ("1101234", None)),
        ("1101234-1", ("1101234-1", None)),
        ("1101234.0", ("1101234", None)),
        (" 292552 ", ("292552", None)),
        ("NHS-RXN", (None, "NHS-RXN")),
        ("URN-123456", (None, "URN-123456")),
        ("", (None, None)),
        (None, (None, None)),
    ],
)
def test_split_charity_id(raw, expected):
    assert split_charity_id(raw) == expected
