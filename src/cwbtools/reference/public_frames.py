"""The shape every register of public bodies is read into (`reference.public_bodies`): one row per
name of a body, and the key names are matched on."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from ..identifiers import supplier_name

PUBLIC_BODY_COLUMNS = [
    "body_id",
    "source",
    "kind",
    "name",
    "name_norm",
    "name_type",
    "company_number",
    "charity_number",
    "other_id",
    "postcode",
    "status",
    "note",
]


# -- the name key ------------------------------------------------------------------------------------

# Abbreviations written both ways in ledgers and registers.
_EXPAND = {
    "ccg": "clinical commissioning group",
    "icb": "integrated care board",
    "mbc": "metropolitan borough council",
    "dept": "department",
    "govt": "government",
    "majestys": "",
    "cfa": "combined fire authority",
    "nhsft": "nhs foundation trust",
    "nhsf": "nhs foundation",
    "nhst": "nhs trust",
}
# ... and at the end of a name only (elsewhere they are other words' letters).
_LAST_WORD = {"ft": "foundation trust", "bc": "borough council", "dc": "district council"}
_NHS_BODY_END = ("trust", "clinical commissioning group", "integrated care board")


def public_name(value: object, keep_nhs: bool = False) -> str:
    """The key public bodies are matched on: `cwbtools.identifiers.supplier_name` (`&` is `and`,
    legal forms, `the`, punctuation and initials dropped), then abbreviations spelt out (`CCG`,
    `ICB`, `MBC`, `Dept`, a closing `FT`, `BC` or `DC`), `His/Her Majesty's` as `HM`, and `NHS` dropped from the
    name of a trust, CCG or ICB (`NHS Salford CCG` and `Salford Clinical Commissioning Group` meet)
    unless `keep_nhs` (the name patterns read it)."""
    words = supplier_name(value).split()
    out: list[str] = []
    for i, w in enumerate(words):
        if w in ("her", "his") and i + 1 < len(words) and words[i + 1] == "majestys":
            out.append("hm")
        elif i == len(words) - 1 and w in _LAST_WORD:
            out += _LAST_WORD[w].split()
        else:
            out += _EXPAND.get(w, w).split()
    if not keep_nhs and " ".join(out).endswith(_NHS_BODY_END):
        out = [w for w in out if w != "nhs"]
    return " ".join(out)


def _singular(word: str) -> str:
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


# A heading's scope, not a body's name: `(England)`, `(Scotland)`, `in England and Wales`.
_SCOPE = re.compile(r"\([^)]*\)|\bin (?:england|wales|scotland|northern ireland)\b.*$", re.I)


def family_key(value: object) -> str:
    """A name's words made singular, the key a family of bodies is matched on (`Groundwork Trusts
    (En Bloc)` -> `groundwork trust`; a payee `Groundwork South Trust` -> `groundwork south trust`)."""
    text = _SCOPE.sub(" ", value) if isinstance(value, str) else ""
    return " ".join(_singular(w) for w in public_name(text).split())


# -- frames ------------------------------------------------------------------------------------------


def frame(df: pd.DataFrame, source: str) -> pd.DataFrame:
    """`df` as register rows of `source`: every column, names trimmed and keyed, nameless rows dropped."""
    df = df.copy()
    df["source"] = source
    for col in PUBLIC_BODY_COLUMNS:
        if col not in df.columns:
            df[col] = None
    df["name_type"] = df["name_type"].fillna("official")
    df["status"] = df["status"].fillna("active")
    names = df["name"].astype(object)
    df["name"] = names.where(names.isna(), names.astype(str).str.strip())
    df["name_norm"] = df["name"].map(key_of(df["name"]))
    df = df[df["name_norm"].fillna("") != ""]
    return df[PUBLIC_BODY_COLUMNS].astype("string").reset_index(drop=True)


def drop_scheme(ids: pd.Series) -> pd.Series:
    """`GB-EDU-133905` -> `133905`, `GB-COH-RC000048` -> `RC000048` (org-id schemes off)."""
    return ids.str.replace(r"^GB-[A-Z]+-", "", regex=True)


def read_csv(path: Path, **kw) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""], **kw)


def explode_names(df: pd.DataFrame, alt: pd.Series) -> pd.DataFrame:
    """`df` plus one `alternative` row per name in `alt` (lists), ids copied."""
    extra = df.assign(name=alt).explode("name").dropna(subset=["name"])
    return one_name_each(pd.concat([df, extra], ignore_index=True))


def one_name_each(df: pd.DataFrame) -> pd.DataFrame:
    """Rows of bodies (several per `body_id`, one per spelling): the first of a body is its
    `official` name, the others `alternative`; spellings with the same key are dropped."""
    key = df["name"].map(key_of(df["name"]))
    df = df[~pd.DataFrame({"b": df["body_id"], "k": key}).duplicated()].copy()
    first = ~df["body_id"].duplicated()
    given = (
        df["name_type"].astype(object) if "name_type" in df.columns else pd.Series(None, index=df.index, dtype=object)
    )
    df["name_type"] = given.fillna(first.map({True: "official", False: "alternative"}))
    return df.reset_index(drop=True)


def key_of(names: pd.Series) -> dict:
    return {v: public_name(v) for v in pd.unique(names.dropna().to_numpy())}
