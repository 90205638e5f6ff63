"""Is there positive evidence that a payee is an organisation? Only then may a reader see its name.

`cwbtools.individuals` asks the opposite question (is there evidence of a person?) and leans
towards flagging; a payee it misses is still a person. So reports name a payee only with evidence
of an organisation (`name_shown`): a register record found for it or an identifier (company,
charity, URN, ODS or CQC number), or, in its name, a legal form (`Ltd`, `PLC`, `LLP`, `CIC`, ...)
or an organisation word (individuals' `_ORG_WORDS`, the one vocabulary). A personal title, or a
flag from ingest, outweighs the words. Everyone else is shown under the individuals label; the
analysis still counts them with their own type.
"""

from __future__ import annotations

import re

import pandas as pd

from .individuals import _ORG_WORDS, _TITLES, looks_like_individual
from .privacy import individual_rows
from .schema import INDIVIDUAL_KEY

# Legal forms, anywhere in the name (`SMITH & CO`, `Acme Holdings Ltd.`, `Infield MS LLP`). Not two-letter
# forms (`LP`, `BV`): those read as a person's initials (`BV PATEL`).
_LEGAL_FORM = re.compile(
    r"(?<![^\W\d_])(?:ltd|limited|plc|llp|cic|inc|incorporated|llc|gmbh|cyf|cyfyngedig|"
    r"unlimited|co-?op|co-?operative|partnership|& co|and co|& sons?|and sons?)(?![^\W\d_])",
    re.IGNORECASE,
)
# Organisation words that are also surnames or address words: `Mr John Hall`, `Ann Stone`,
# `J Smith 12 Park Lane` are people. Alone they are no evidence (a name with one still shows when a
# register or a stronger word vouches for it).
_SURNAME_LIKE = frozenset(
    """
hall halls stone lane court street road park parks house houses home homes lodge farm glass bank banks
church chambers steel coach butcher tailor tailors arms inn bar grill manor villa cottage garden gardens
son sons art it power plant plants england english press
""".split()
)
_EVIDENCE_WORDS = frozenset(w for w in _ORG_WORDS if w not in _SURNAME_LIKE)
# Titles that mark a person wherever they stand (`SMITH JOHN MR`, `Payment to Ms Ann Lee`); the
# rest of individuals' titles (`Lord`, `Master`, `Dr`) only as the first word.
_TITLES_ANYWHERE = frozenset({"mr", "mrs", "ms", "miss", "mx", "mstr"})
_WORD = re.compile(r"[^\W\d_][^\W_]*(?:['\u2019-][^\W\d_]+)*")
# Identifier columns whose value is evidence (a VAT number is not: sole traders have them too).
_ID_COLUMNS = ("company_number", "charity_number", "other_id")
# `matched_by` values that mean a register record was found for the supplier.
_REGISTER_MATCHES = ("identifier", "exact_name", "fuzzy_name")


def _words(name: str) -> list[str]:
    return [w.strip("'\u2019-") for w in _WORD.findall(name.lower().replace(".", " "))]


def has_organisation_evidence(name: object) -> bool:
    """The name itself says organisation: a legal form, or an organisation word and no title."""
    if name is None or (not isinstance(name, str) and pd.isna(name)):
        return False
    s = str(name).strip()
    if not s:
        return False
    words = _words(s)
    if not words:
        return False
    if _LEGAL_FORM.search(s.replace(".", " ")):
        return True
    if words[0] in _TITLES or any(w in _TITLES_ANYWHERE for w in words):
        return False
    return any(w in _EVIDENCE_WORDS for w in words)


def name_evidence(names: pd.Series) -> pd.Series:
    """`has_organisation_evidence` for each name (once per distinct name); not a person by
    individuals' rules either."""
    text = names.astype("string")
    uniq = {v: has_organisation_evidence(v) and not looks_like_individual(v) for v in text.dropna().unique()}
    return text.map(uniq).fillna(False).astype(bool)


def _given(frame: pd.DataFrame, column: str) -> pd.Series:
    if column not in frame.columns:
        return pd.Series(False, index=frame.index)
    s = frame[column].astype("string").str.strip()
    return (s.notna() & (s != "")).fillna(False).astype(bool)


def name_shown(suppliers: pd.DataFrame, names: pd.Series | None = None) -> pd.Series:
    """Per supplier (a CONTRACTS §3 frame): may readers see its name? True only with positive
    evidence of an organisation: a register match (`matched_by`), an identifier, or the words of
    its name, or of any of `names` (a Series of the ledger's spellings indexed by `supplier_key`:
    `ACME` and `ACME LTD` share a key). Never for individuals or redacted payees."""
    register = (
        suppliers.get("matched_by", pd.Series(pd.NA, index=suppliers.index))
        .astype("string")
        .isin(_REGISTER_MATCHES)
        .fillna(False)
        .astype(bool)
    )
    ids = pd.Series(False, index=suppliers.index)
    for column in _ID_COLUMNS:
        ids |= _given(suppliers, column)
    words = (
        name_evidence(suppliers["supplier_name"])
        if "supplier_name" in suppliers
        else pd.Series(False, index=suppliers.index)
    )
    if names is not None and len(names):
        spelt = name_evidence(pd.Series(names.to_numpy(), dtype="string"))
        keys = set(pd.Series(names.index.to_numpy(), dtype="string")[spelt.to_numpy()])
        words |= suppliers["supplier_key"].astype("string").isin(keys).fillna(False).astype(bool)
    person = individual_rows(suppliers)
    # A ledger's sole trader (`ledger_type`) may be a person: an SME in the figures, never named.
    if "ledger_type" in suppliers:
        person |= suppliers["ledger_type"].astype("string").eq("sole_trader").fillna(False).astype(bool)
    if "supplier_key" in suppliers:
        person |= suppliers["supplier_key"].astype("string").eq(INDIVIDUAL_KEY).fillna(False).astype(bool)
    return ((register | ids | words) & ~person).rename("name_shown")
