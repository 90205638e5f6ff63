"""Normalisers shared by every stage: postcodes and supplier names.

Kept dependency-free and pure so that ingest, reference building and supplier resolution agree on
exactly one spelling of a postcode and one key for a name.
"""

from __future__ import annotations

import re
import unicodedata

_POSTCODE_RE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?)([0-9][A-Z]{2})$")
_POSTCODE_IN_TEXT = re.compile(r"\b([A-Z]{1,2}[0-9][A-Z0-9]?) ?([0-9][A-Z]{2})\b")


def postcode(value: object) -> str | None:
    """`pr12ab`, ` PR1  2AB ` -> `PR1 2AB`; anything that is not a full UK postcode -> None."""
    if value is None:
        return None
    text = re.sub(r"[^A-Za-z0-9]", "", str(value)).upper()
    match = _POSTCODE_RE.match(text)
    if not match:
        return None
    return f"{match.group(1)} {match.group(2)}"


def postcode_in_text(value: object) -> str | None:
    """The last full postcode inside free text (an address line), normalised, or None."""
    if value is None:
        return None
    found = _POSTCODE_IN_TEXT.findall(str(value).upper())
    if not found:
        return None
    outward, inward = found[-1]
    return f"{outward} {inward}"


# Legal and filler words that do not tell two organisations apart. Order matters: longest first.
_SUFFIXES = [
    "public limited company", "limited liability partnership", "community interest company",
    "private limited company", "company limited by guarantee", "limited", "ltd", "plc", "llp",
    "lp", "cic", "co", "company", "incorporated", "inc", "uk", "(uk)", "group", "the",
]
_SUFFIX_WORDS = {"limited", "ltd", "plc", "llp", "lp", "cic", "inc", "incorporated", "the"}
_TRADING_AS = re.compile(r"\b(t/a|ta|trading as|t\\a)\b.*$")


def supplier_name(value: object) -> str:
    """A matching key for an organisation name.

    `The A & B Services Ltd.` and `A and B Services Limited` -> `a and b services`. Drops legal
    suffixes, punctuation, accents, a leading `the`, and anything after `t/a` (the trading name
    is kept only when nothing precedes it).
    """
    if value is None:
        return ""
    text = unicodedata.normalize("NFKD", str(value)).encode("ascii", "ignore").decode()
    text = text.lower().strip()
    head = _TRADING_AS.sub("", text).strip()
    if head:
        text = head
    text = text.replace("&", " and ").replace("+", " and ")
    text = re.sub(r"[^a-z0-9 ]+", " ", text)
    words = text.split()
    while words and words[0] == "the":
        words = words[1:]
    while words and words[-1] in _SUFFIX_WORDS:
        words = words[:-1]
    return " ".join(words)
