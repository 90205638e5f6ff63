"""One spelling for every identifier a supplier can carry: postcodes, name keys, company and charity numbers.

Ingest, the reference registers, the crosswalk and supplier resolution all call these, so a value
written in a ledger, a register or a user's CSV meets its counterpart only if both normalise alike.
Where millions of rows are normalised at once (BasicCompanyData, ledger columns) the Arrow twins
(`postcodes_arrow`, `company_numbers_arrow`) run in C; they must give what the scalar rule gives
for every text (tests/base/test_identifiers.py checks both on generated input).

What is not an identifier becomes None, never the raw text: a value that is not a company number
(`TBC`, `123456789`, `4166647.5`) would otherwise pose as one, found in no register but still
treated as an identity. Callers that must tell a cell meaning "no number" (blank, `N/A`, `-`,
zeros) from junk (the crosswalk reports junk by row) use `says_no_number`.
"""

from __future__ import annotations

import re
import unicodedata

# -- missing values ----------------------------------------------------------------------------------


def _missing(value: object) -> bool:
    """None, NaN, pandas' NA / NaT: anything that is not equal to itself."""
    if value is None:
        return True
    try:
        return bool(value != value)
    except (TypeError, ValueError):  # pd.NA: its comparisons are NA, and NA has no truth value
        return True


def _as_text(values):
    """Text cells as an Arrow string array (nulls for missing). Numbers a spreadsheet left in a
    column are written as Python writes them (`4166647.0`), as the scalar rules read them."""
    import pyarrow as pa

    if isinstance(values, (pa.Array, pa.ChunkedArray)):
        return values
    try:  # lists, object Series of str / None / NaN, Arrow-backed string Series
        return pa.array(values, type=pa.string(), from_pandas=True)
    except (pa.ArrowTypeError, pa.ArrowInvalid):
        cells = values.tolist() if hasattr(values, "tolist") else list(values)
        return pa.array([None if _missing(v) else str(v) for v in cells], type=pa.string())


def _null_like(arr):
    import pyarrow as pa

    return pa.scalar(None, arr.type)


# -- postcodes ---------------------------------------------------------------------------------------

_POSTCODE_RE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?)([0-9][A-Z]{2})$")
_NOT_ALNUM = re.compile(r"[^A-Za-z0-9]")
# A full postcode inside free text (outward code, optional space, inward code).
POSTCODE_IN_TEXT = r"\b([A-Z]{1,2}[0-9][A-Z0-9]?) ?([0-9][A-Z]{2})\b"
_POSTCODE_IN_TEXT = re.compile(POSTCODE_IN_TEXT)


def postcode(value: object) -> str | None:
    """`pr12ab`, ` PR1  2AB ` -> `PR1 2AB`; anything that is not a full UK postcode -> None."""
    if _missing(value):
        return None
    text = _NOT_ALNUM.sub("", str(value)).upper()
    match = _POSTCODE_RE.match(text)
    if not match:
        return None
    return f"{match.group(1)} {match.group(2)}"


_OUTWARD_RE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]?$")


def postcode_district(value: object, cut: bool = False) -> str | None:
    """The postcode district (outward code) a cell gives: `PR1 2AB` -> `PR1`; a partial postcode
    as ledgers publish it (`Supplier Post Code (first 4 digits)`: `SN4 `, `M1 1`) -> `SN4`, `M1`.
    Never a guess: `SN12` alone may be the district SN12 or the start of `SN1 2AB`, so None, unless
    `cut` (the column is cut to four characters, space kept: `fixed_width_outward`), where `SN12`
    is SN12 because SN1 would read `SN1 `. A district is never a postcode (`postcode` needs the
    inward code too)."""
    if _missing(value):
        return None
    full = postcode(value)
    if full is not None:
        return full.split(" ")[0]
    text = str(value).strip().upper()
    head, space, _ = text.partition(" ")
    head = _NOT_ALNUM.sub("", head)
    if not _OUTWARD_RE.match(head):
        return None
    if not space and not cut and head[-1].isdigit() and _OUTWARD_RE.match(head[:-1]):
        return None  # the outward code may end one character earlier
    return head


def fixed_width_outward(values) -> bool:
    """A postcode column cut to its first four characters with the space kept (Swindon: `SN2 `,
    `SN25`, `NN5 `): every cell with a digit in it (`-` and `N/A` say nothing) four characters long,
    some holding the space."""
    texts = [v for v in values if isinstance(v, str) and any(c.isdigit() for c in v)]
    return bool(texts) and all(len(v) == 4 for v in texts) and any(" " in v for v in texts)


def postcode_in_text(value: object) -> str | None:
    """The last full postcode inside free text (an address line), normalised, or None."""
    if _missing(value):
        return None
    found = _POSTCODE_IN_TEXT.findall(str(value).upper())
    if not found:
        return None
    outward, inward = found[-1]
    return f"{outward} {inward}"


def _compact_upper(arr):
    import pyarrow.compute as pc

    return pc.utf8_upper(pc.replace_substring_regex(arr, r"[^A-Za-z0-9]", ""))


def postcodes_arrow(values):
    """`postcode` over many values at C speed: an Arrow string array (`values`' type if Arrow)."""
    import pyarrow.compute as pc

    t = _compact_upper(_as_text(values))
    valid = pc.match_substring_regex(t, r"^[A-Z]{1,2}[0-9][A-Z0-9]?[0-9][A-Z]{2}$")
    spaced = pc.replace_substring_regex(t, r"^(.+)([0-9][A-Z]{2})$", r"\1 \2")
    return pc.if_else(pc.fill_null(valid, False), spaced, _null_like(t))


def postcodes(series):
    """`postcode` over a pandas Series (same index), object dtype: str or None."""
    import pandas as pd

    return pd.Series(postcodes_arrow(series).to_pylist(), index=series.index, dtype=object)


# -- supplier names ----------------------------------------------------------------------------------

# Legal forms at the end of a registered name. They do not tell two organisations apart (Companies
# House's "same as" rules disregard them), so they are dropped from the key. Multi-word forms are
# matched after `company` has become `co`. Longest first.
_LEGAL_TAILS = [
    ("community", "interest", "co"),
    ("public", "limited", "co"),
    ("limited", "liability", "partnership"),
    ("co", "limited", "by", "guarantee"),
    ("limited", "by", "guarantee"),
    ("limited", "partnership"),
    ("cyfyngedig",),
    ("cyf",),
    ("limited",),
    ("ltd",),
    ("plc",),
    ("llp",),
    ("cic",),
    ("inc",),
    ("incorporated",),
    ("unlimited",),
    ("the",),
]
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
    """A matching key for an organisation name (also hashed into ingest's `payment_id`).

    `The A & B Services Ltd.` and `A and B Services Limited` -> `a and b services`. Drops legal
    forms at the end (`Ltd`, `PLC`, `LLP`, `CIC`, `Community Interest Company`, ...), punctuation,
    apostrophes (`St Anne's` -> `st annes`), accents, spaces between initials (`A.M.A.S.` ->
    `amas`), a leading `the`, and anything after `t/a`
    (the trading name is kept only when nothing precedes it). `company` is spelt `co`, as
    Companies House treats the two as the same word. Missing -> `""`.
    """
    if _missing(value):
        return ""
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


# -- Companies House numbers -------------------------------------------------------------------------
#
# 8 characters: an optional 2-letter prefix (SC, NI, OC, RC, IP, ...) then digits, zero-padded
# (registers and spreadsheets drop the leading zeros: `4166647` is `04166647`). Registered
# societies keep a trailing letter, their 5 digits padded (`ip 1234r` -> `IP01234R`). Spacing,
# punctuation and case do not count (`OC-301234`, `oc 301234` -> `OC301234`). A spreadsheet's
# number `4166647.0` is `04166647`, but `4166647.5` is no company number. All-zero numbers and
# markers (`N/A`, `-`, `None`) mean there is none. Anything else is junk and also None.

_KEEP_FOR_NUMBER = r"[^A-Za-z0-9.]"  # dots survive the first pass only to spot `4166647.0`
_DECIMAL = r"^(?P<whole>[0-9]+)\.(?P<fraction>[0-9]*)$"
_CO_NUMBER = r"^(?P<prefix>[A-Z]{0,2})(?P<digits>[0-9]{1,8})$"
_SOCIETY_NUMBER = r"^(?P<prefix>[A-Z]{2})(?P<digits>[0-9]{1,5})(?P<suffix>[A-Z])$"
_CO_NUMBER_RE = re.compile(_CO_NUMBER)
_SOCIETY_NUMBER_RE = re.compile(_SOCIETY_NUMBER)
_DECIMAL_RE = re.compile(_DECIMAL)
_KEEP_FOR_NUMBER_RE = re.compile(_KEEP_FOR_NUMBER)
_NO_NUMBER_WORDS = {"", "NA", "NONE", "NULL", "NIL"}


def _number_text(value: object) -> str | None:
    """Letters and digits of a number cell, upper case, a `.0` spreadsheet tail dropped; None for
    a decimal with a fraction."""
    text = _KEEP_FOR_NUMBER_RE.sub("", str(value))
    decimal = _DECIMAL_RE.match(text)
    if decimal:
        if decimal.group(2).strip("0"):
            return None
        return decimal.group(1)
    return text.replace(".", "").upper()


def company_number(value: object) -> str | None:
    """The canonical Companies House number, or None (see the rules above)."""
    if _missing(value):
        return None
    text = _number_text(value)
    if not text:
        return None
    society = _SOCIETY_NUMBER_RE.match(text)
    if society:
        prefix, digits, suffix = society.groups()
        return None if set(digits) == {"0"} else prefix + digits.zfill(5) + suffix
    match = _CO_NUMBER_RE.match(text)
    if not match:
        return None
    prefix, digits = match.groups()
    if len(prefix) + len(digits) > 8 or set(digits) == {"0"}:
        return None
    return prefix + digits.zfill(8 - len(prefix))


def says_no_number(value: object) -> bool:
    """The cell says there is no number (blank, `N/A`, `-`, `None`, zeros), as opposed to junk."""
    if _missing(value):
        return True
    text = _NOT_ALNUM.sub("", str(value)).upper()
    return text in _NO_NUMBER_WORDS or set(text) == {"0"}


def company_numbers_arrow(values):
    """`company_number` over many values at C speed: an Arrow string array (`values`' type if Arrow)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    raw = pc.replace_substring_regex(_as_text(values), _KEEP_FOR_NUMBER, "")
    none = _null_like(raw)
    sep = pa.scalar("", raw.type)
    decimal = pc.extract_regex(raw, _DECIMAL)
    is_decimal = pc.fill_null(pc.is_valid(decimal), False)
    fraction = pc.fill_null(pc.match_substring_regex(pc.struct_field(decimal, [1]), "[1-9]"), False)
    t = pc.if_else(
        is_decimal,
        pc.if_else(fraction, none, pc.struct_field(decimal, [0])),
        pc.utf8_upper(pc.replace_substring(raw, ".", "")),
    )

    parts = pc.extract_regex(t, _CO_NUMBER)
    prefix = pc.struct_field(parts, [0])
    digits = pc.struct_field(parts, [1])
    plen = pc.utf8_length(prefix)
    padded = pc.if_else(
        pc.equal(plen, 0),
        pc.utf8_lpad(digits, 8, "0"),
        pc.if_else(
            pc.equal(plen, 1),
            pc.binary_join_element_wise(prefix, pc.utf8_lpad(digits, 7, "0"), sep),
            pc.binary_join_element_wise(prefix, pc.utf8_lpad(digits, 6, "0"), sep),
        ),
    )
    ok = pc.fill_null(pc.is_valid(parts), False)
    ok = pc.and_(ok, pc.less_equal(pc.add(plen, pc.utf8_length(digits)), 8))
    ok = pc.and_(ok, pc.invert(pc.fill_null(pc.match_substring_regex(digits, r"^0+$"), False)))

    soc = pc.extract_regex(t, _SOCIETY_NUMBER)
    is_soc = pc.fill_null(pc.is_valid(soc), False)
    soc_digits = pc.struct_field(soc, [1])
    soc_ok = pc.invert(pc.fill_null(pc.match_substring_regex(soc_digits, r"^0+$"), False))
    soc_value = pc.binary_join_element_wise(
        pc.struct_field(soc, [0]), pc.utf8_lpad(soc_digits, 5, "0"), pc.struct_field(soc, [2]), sep
    )
    return pc.if_else(is_soc, pc.if_else(pc.fill_null(soc_ok, False), soc_value, none), pc.if_else(ok, padded, none))


def company_numbers(series):
    """`company_number` over a pandas Series (same index), object dtype: str or None."""
    import pandas as pd

    return pd.Series(company_numbers_arrow(series).to_pylist(), index=series.index, dtype=object)


# -- charity and other identifiers -------------------------------------------------------------------

_CHARITY_DIGITS = re.compile(r"\d{5,8}(-\d+)?", re.ASCII)
_CHARITY_DECIMAL = re.compile(r"(\d{5,8})\.0*", re.ASCII)


def split_charity_id(value: object) -> tuple[str | None, str | None]:
    """(`charity_number`, `other_id`) of a ledger's charity-id cell.

    `CHC-1101234`, `GB-CHC-1101234` and bare digits (`1101234`, a linked charity `1101234-1`,
    a spreadsheet's `1101234.0`) are Charity Commission numbers; `NHS-RXN`, `URN-123456`,
    `CQC-...`, `PRN-...` are other schemes, kept whole in `other_id`.
    """
    if _missing(value):
        return None, None
    s = str(value).strip()
    if not s:
        return None, None
    up = s.upper()
    for prefix in ("GB-CHC-", "CHC-", "CHC"):
        if up.startswith(prefix) and up[len(prefix) :].strip("- ").replace("-", "").isalnum():
            return s[len(prefix) :].strip("- "), None
    if _CHARITY_DIGITS.fullmatch(s):
        return s, None
    decimal = _CHARITY_DECIMAL.fullmatch(s)
    if decimal:
        return decimal.group(1), None
    return None, s


def charity_number(value: object) -> str | None:
    """The Charity Commission number in a cell (`CHC-1101234` -> `1101234`), or None."""
    return split_charity_id(value)[0]
