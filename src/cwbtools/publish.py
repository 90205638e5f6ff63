"""What leaves the package for people to open: no cell that runs as a formula, no free text that
names a person.

Spreadsheet programs run a cell that begins `=`, `+`, `-`, `@`, tab or carriage return, even from
a CSV; supplier names and ledger text are not ours to trust (`=HYPERLINK(...)`), and our own cells
(`+9.67 (-0.96 to +20.31)`) begin that way too. Every CSV written for readers or analysts (reports,
processed tables, review files) goes through `write_csv`: such a text cell gets a leading single
quote (OWASP's advice), which a spreadsheet shows as text; a cell that is a plain number (`-12.50`)
is left as the number it is. The package's own readers of files a person edits (crosswalk, review)
take the quote off again with `unguard`. `scrub_text` masks people in ledger descriptions kept in
processed tables (reports never show free text: `cwbtools.privacy.for_readers`).
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from .identifiers import POSTCODE_IN_TEXT

_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_GUARD = "'"
# A plain number stays a number: `-12.5`, `+3`, `-1e-05` (pandas' `-inf` is guarded: a spreadsheet reads a name).
_NUMBER = re.compile(r"^\s*[+-]?(?:\d[\d,]*(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?\s*$")
# A guarded cell as we write it: the quote, then (after spaces) a trigger.
_GUARDED = re.compile(r"^'(?=[ \n]*[=+\-@\t\r])")


def is_formula_like(value: object) -> bool:
    """Would a spreadsheet run this text cell? (Leading spaces do not stop LibreOffice.)"""
    if not isinstance(value, str) or not value:
        return False
    text = value.lstrip(" \n")
    return bool(text) and text.startswith(_TRIGGERS)


def guard(value: object) -> object:
    """One cell, safe to open: a formula-like text gets a leading `'`; anything else is unchanged."""
    if is_formula_like(value) and not _NUMBER.match(value):
        return _GUARD + value
    return value


def unguard(value: object) -> object:
    """`guard` undone: the quote we add before a formula-like text is taken off."""
    if isinstance(value, str) and _GUARDED.match(value):
        return value[1:]
    return value


def _no_cr(value: object) -> object:
    # The csv module quotes a cell holding the line end ("\n") but not a lone carriage return, which
    # readers then take as a row break: a CR inside a cell is written as a line feed.
    if isinstance(value, str) and "\r" in value:
        return value.replace("\r\n", "\n").replace("\r", "\n")
    return value


def _text_column(series: pd.Series) -> bool:
    types = pd.api.types
    return not (
        types.is_numeric_dtype(series)
        or types.is_bool_dtype(series)
        or types.is_datetime64_any_dtype(series)
        or types.is_timedelta64_dtype(series)
    )


def guard_frame(df: pd.DataFrame) -> pd.DataFrame:
    """Every text cell (and column label) of `df` through `guard`; numbers, dates and bools as they are."""
    out = df.copy()
    for column in out.columns:
        series = out[column]
        if _text_column(series):
            values = series.astype(object).map(_no_cr)
            out[column] = values
            hit = values.map(lambda v: isinstance(v, str) and is_formula_like(v))
            if hit.any():
                out[column] = values.where(~hit, values[hit].map(guard))
        elif pd.api.types.is_float_dtype(series):
            # pandas writes minus infinity as `-inf`, which a spreadsheet reads as a formula.
            minus_inf = np.isneginf(series.to_numpy(dtype=float, na_value=np.nan))
            if minus_inf.any():
                out[column] = series.astype(object).where(~minus_inf, _GUARD + "-inf")
    out.columns = [guard(c) if isinstance(c, str) else c for c in out.columns]
    if out.index.dtype == object:
        out.index = out.index.map(guard)
    return out


def unguard_frame(df: pd.DataFrame) -> pd.DataFrame:
    """`guard_frame` undone, for the package's readers of CSVs a person may have edited and saved."""
    out = df.copy()
    for column in out.columns:
        if _text_column(out[column]):
            out[column] = out[column].map(unguard).astype(out[column].dtype)
    out.columns = [unguard(c) if isinstance(c, str) else c for c in out.columns]
    return out


def write_csv(df: pd.DataFrame, path: str | Path, index: bool = False, **kwargs) -> Path:
    """`df.to_csv(path)` with every text cell guarded (`guard`); Unix line ends unless told."""
    path = Path(path)
    kwargs.setdefault("lineterminator", "\n")
    frame = df.reset_index() if index else df
    guard_frame(frame).to_csv(path, index=False, **kwargs)
    return path


# ---------------------------------------------------------------------------------------------
# Free text (ledger descriptions): people's names and home addresses masked, best effort.

_MASK = "*"
_POSTCODE = re.compile(POSTCODE_IN_TEXT, re.IGNORECASE)
_STREET = (
    r"road|rd|street|st|avenue|ave|lane|ln|close|cl|drive|way|crescent|cres|court|ct|place|pl|gardens|"
    r"grove|terrace|walk|hill|row|square|sq|mews|view|rise|green|park|parade|gate|end"
)
_HOUSE = re.compile(
    rf"\b(?:flat\s+\w+,?\s+)?\d+[a-z]?,?\s+(?:[^\W\d_][\w'\u2019-]*\s+){{0,3}}(?:{_STREET})\b\.?", re.IGNORECASE
)
# A title and the name after it: initials, then up to three words that are not ledger vocabulary.
_TITLE = re.compile(
    r"\b(?:mr|mrs|ms|miss|mx|mstr|dr)\b\.?((?:\s+[^\W\d_]\.?(?=\s|$))*)((?:\s+[^\W\d_][\w'\u2019-]*){0,3})",
    re.IGNORECASE,
)
_SEPARATOR = re.compile(
    r"(\s+(?:-|\u2013|\u2014|/|re|for|to|from|per|ref|c/o|at|paid|payment)\s+|[,;:()\[\]|])", re.IGNORECASE
)
_LEDGER_WORDS = frozenset(
    """refund refunds rent deposit deposits payment payments benefit benefits grant grants
compensation damages claim claims fee fees charge charges allowance allowances arrears expenses expense
reimbursement reimbursements award awards tax levy precept pension pensions invoice inv ref costs cost""".split()
)


def _title_span(match: re.Match) -> str:
    words = match.group(2).split()
    keep = []
    for i, word in enumerate(words):
        if word.lower().strip(".,") in _LEDGER_WORDS:
            keep = words[i:]
            break
    return f"{_MASK} {' '.join(keep)}".rstrip() if keep else _MASK


def _person_part(part: str) -> str:
    # `Compensation John Smith`: the ledger's own words at either end stay.
    words = part.split()
    lo, hi = 0, len(words)
    while lo < hi and words[lo].lower().strip(".,") in _LEDGER_WORDS:
        lo += 1
    while hi > lo and words[hi - 1].lower().strip(".,") in _LEDGER_WORDS:
        hi -= 1
    return " ".join(words[:lo] + [_MASK] + words[hi:])


def scrub_text(text: object) -> object:
    """A ledger's free text (a payment description) with what looks like a private person masked
    (`*`): postcodes, house addresses, a title and the name after it, and any part between
    separators (`-`, `,`, ` re `, ` for `, ...) that individuals' rules call a person. Best effort:
    free text can name anyone, so reports never show it; this keeps processed tables cleaner."""
    if not isinstance(text, str) or not text.strip():
        return text
    from .individuals import is_redacted, looks_like_individual
    from .organisations import has_organisation_evidence

    out = _POSTCODE.sub(_MASK, text)
    out = _HOUSE.sub(_MASK, out)
    out = _TITLE.sub(_title_span, out)
    parts = _SEPARATOR.split(out)
    for i in range(0, len(parts), 2):  # even items are the text between separators
        part = parts[i].strip()
        if (
            part
            and part != _MASK
            and looks_like_individual(part)
            and not is_redacted(part)
            and not has_organisation_evidence(part)
        ):
            parts[i] = parts[i].replace(part, _person_part(part))
    return "".join(parts)


def scrub_column(values: pd.Series) -> pd.Series:
    """`scrub_text` over a column, once per distinct value."""
    uniq = {v: scrub_text(v) for v in values.dropna().unique()}
    return values.map(uniq).astype(values.dtype)
