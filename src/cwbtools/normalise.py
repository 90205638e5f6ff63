"""Normalisers shared by every stage: postcodes and supplier names.

Kept dependency-free and pure so that ingest, reference building and supplier resolution agree on
exactly one spelling of a postcode and one key for a name.
"""

from __future__ import annotations

import re
import unicodedata

_POSTCODE_RE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?)([0-9][A-Z]{2})$")
_NOT_ALNUM = re.compile(r"[^A-Za-z0-9]")
_POSTCODE_IN_TEXT = re.compile(r"\b([A-Z]{1,2}[0-9][A-Z0-9]?) ?([0-9][A-Z]{2})\b")


def postcode(value: object) -> str | None:
    """`pr12ab`, ` PR1  2AB ` -> `PR1 2AB`; anything that is not a full UK postcode -> None."""
    if value is None:
        return None
    text = _NOT_ALNUM.sub("", str(value)).upper()
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


# Legal forms at the end of a registered name. They do not tell two organisations apart (Companies
# House's "same as" rules disregard them), so they are dropped from the key. Multi-word forms are
# matched after `company` has become `co`. Longest first.
_LEGAL_TAILS = [
    ("community", "interest", "co"), ("public", "limited", "co"), ("limited", "liability", "partnership"),
    ("co", "limited", "by", "guarantee"), ("limited", "by", "guarantee"), ("limited", "partnership"),
    ("cyfyngedig",), ("cyf",), ("limited",), ("ltd",), ("plc",), ("llp",), ("cic",), ("inc",),
    ("incorporated",), ("unlimited",), ("the",),
]
_SUFFIX_WORDS = {"limited", "ltd", "plc", "llp", "cic", "inc", "incorporated", "the"}
_TRADING_AS = re.compile(r"\b(t/a|ta|trading as|t\\a)\b.*$")
_LEADING_TRADING_AS = re.compile(r"^(t/a|trading as|t\\a)\s*")
_APOSTROPHES = re.compile(r"['`\u2019]")
_NOT_WORD = re.compile(r"[^a-z0-9 ]+")


def _join_initials(words: list[str]) -> list[str]:
    """`a m a s` -> `amas`, `u k` -> `uk`: initials are spelt with and without dots and spaces."""
    if not words or min(map(len, words)) > 1:
        return words
    out: list[str] = []
    run: list[str] = []
    for w in words + [""]:
        if len(w) == 1 and w.isalpha():
            run.append(w)
            continue
        if run:
            out.append("".join(run))
            run = []
        if w:
            out.append(w)
    return out


# The tails by their last word, longest first: most names end in a word that is in none of them.
_TAILS_BY_LAST: dict[str, list[tuple[str, ...]]] = {}
for _tail in _LEGAL_TAILS:
    _TAILS_BY_LAST.setdefault(_tail[-1], []).append(_tail)


def _strip_legal_tail(words: list[str]) -> list[str]:
    while words:
        for tail in _TAILS_BY_LAST.get(words[-1], ()):
            n = len(tail)
            if len(words) >= n and tuple(words[-n:]) == tail:
                words = words[:-n]
                break
        else:
            return words
    return words


def supplier_name(value: object) -> str:
    """A matching key for an organisation name.

    `The A & B Services Ltd.` and `A and B Services Limited` -> `a and b services`. Drops legal
    forms at the end (`Ltd`, `PLC`, `LLP`, `CIC`, `Community Interest Company`, ...), punctuation,
    apostrophes (`St Anne's` -> `st annes`), accents, spaces between initials (`A.M.A.S.` ->
    `amas`), a leading `the`, and anything after `t/a`
    (the trading name is kept only when nothing precedes it). `company` is spelt `co`, as
    Companies House treats the two as the same word.
    """
    if value is None:
        return ""
    try:
        if value != value:  # NaN / NA
            return ""
    except (TypeError, ValueError):
        pass
    text = str(value)
    if not text.isascii():  # accents off: `Café` -> `cafe`
        text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    text = text.lower().strip()
    # (the substring tests skip a regex that could not match: this runs once per distinct payee)
    if "ta" in text or "t/a" in text or "t\\a" in text or "trading as" in text:
        head = _TRADING_AS.sub("", text).strip()
        text = head if head else _LEADING_TRADING_AS.sub("", text)
    text = text.replace("&", " and ").replace("+", " and ")
    if "'" in text or "`" in text:  # the text is ASCII by now: no typographic apostrophe is left
        text = _APOSTROPHES.sub("", text)
    words = _NOT_WORD.sub(" ", text).split()
    if "company" in text:
        words = ["co" if w == "company" else w for w in words]
    words = _join_initials(words)
    while words and words[0] == "the":
        words = words[1:]
    words = _strip_legal_tail(words)
    return " ".join(words)
