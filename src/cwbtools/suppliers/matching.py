"""Matching published supplier names to register entries: exact keys first, then blocked fuzzy.

Pure functions over DataFrames. A *register* frame has CONTRACTS §2 `registers` columns (at least
`name`, `name_norm`, `company_number`); a *query* frame has `name` (as published). Results say for
each query which register row it matched, how (`exact_name` / `fuzzy_name`), with what score, and
which borderline candidates need a person (`review`).

Why these rules (measured by `benchmarks/bench_matching.py` on Greater Manchester 2019, where the
publisher's own matches are the answer):

* Exact keys, in order: the normalised name; the name cut at its first legal form (`X Ltd rents`,
  `X Limited 3`: ledgers append sites, invoice types and counters after the legal name); the name
  with spaces and `UK` dropped (`Homecare` / `Home Care`). Companies House's "same as" rules make
  these keys (nearly) unique among live companies, so a key naming two different companies is
  ambiguous and goes to review, unless the published legal form (`Ltd`, `PLC`, `LLP`, `CIC`)
  picks exactly one. A name that is a large employer's name plus a region (`X North West`) is
  ambiguous too (its regional office, or a separate `X North West` company?), unless a published
  legal form after the region names the company itself.
* Fuzzy: candidates share one of the query's two rarest words (blocking; a word's rarity is its
  count among register names), scored with an order-sensitive ratio, because a register full of
  reordered near-duplicates makes word-set scorers useless. A register name that is a whole-word
  prefix of the query (annotation) or that the query is a prefix of (a truncated ledger field)
  counts as full agreement on the shared part. A match is accepted only when it is clearly better
  than the next different organisation; close calls are sent to review, never into results.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from rapidfuzz import fuzz, process

from ..identifiers import supplier_name

# Accept a fuzzy match at or above this score when it beats the next organisation by MARGIN;
# send to review from REVIEW upwards. See the module docstring and the benchmark's score bands.
ACCEPT = 93.0
MARGIN = 2.0
REVIEW = 80.0
# A word held by more register names than this is not a block on its own (too common to be
# evidence, too costly to score against): `services`, `limited`, `care`.
MAX_BLOCK = 20_000

REFRESH_KEYS_UP_TO = 500_000

_LEGAL_WORDS = {"ltd", "limited", "plc", "llp", "cic", "cyf", "cyfyngedig"}
_FORM = {
    "limited liability partnership": "llp",
    "public limited company": "plc",
    "ltd": "ltd",
    "limited": "ltd",
    "plc": "plc",
    "llp": "llp",
    "cic": "cic",
    "cyf": "ltd",
    "cyfyngedig": "ltd",
}
_FORM_RE = re.compile(
    r"\b(limited liability partnership|public limited company|ltd|limited|plc|llp|cic|community interest company|cyf|cyfyngedig)\b",
    re.I,
)
_SOURCE_PRIORITY = {"companies_house": 0, "gender_pay_gap": 1, "coops_uk": 2, "charity_commission": 3, "nhs_ods": 4}


def legal_form(name: object) -> str | None:
    """`ltd`, `plc`, `llp`, `cic` as published in a name (the last one given), or None."""
    if name is None or (isinstance(name, float) and np.isnan(name)):
        return None
    found = _FORM_RE.findall(str(name))
    if not found:
        return None
    last = found[-1].lower()
    return "cic" if last.startswith("community") else _FORM[last]


def legal_forms(names: pd.Series) -> pd.Series:
    """`legal_form` over a column, vectorised (the greedy `.*` finds the last form given)."""
    found = (
        names.astype("string")
        .str.lower()
        .str.extract(r".*\b(ltd|limited|plc|llp|cic|community interest company|cyf|cyfyngedig)\b", expand=False)
    )
    return found.map(lambda f: None if pd.isna(f) else ("cic" if f.startswith("community") else _FORM[f]))


def head_key(norm: str) -> str:
    """A normalised name cut before its first legal-form word, when words precede it."""
    words = norm.split()
    for i, w in enumerate(words):
        if i > 0 and w in _LEGAL_WORDS:
            return " ".join(words[:i])
    return norm


def loose_key(norm: pd.Series) -> pd.Series:
    """Spaces and a trailing `uk` disregarded: `homecare` == `home care`, `x uk` == `x`."""
    return norm.str.replace(r"( uk)+$", "", regex=True).str.replace(" ", "", regex=False)


@dataclass
class RegisterIndex:
    """A register prepared once for many lookups: keys and word postings for blocking."""

    frame: pd.DataFrame  # the register, 0..n-1 index, with `entity` and `form`
    norm: np.ndarray  # name_norm as object array
    by_norm: pd.DataFrame  # name_norm -> rows
    by_loose: pd.DataFrame
    word_codes: dict  # word -> int
    word_count: np.ndarray  # register names holding each word
    post_starts: np.ndarray  # CSR postings over word codes -> register rows
    post_rows: np.ndarray
    first_code: np.ndarray  # code of each register name's first word (-1: none)
    second_initial: np.ndarray  # first letter (ord) of its second word (-1: none)
    n_words: np.ndarray  # words in each register name


def _entity(reg: pd.DataFrame) -> pd.Series:
    """Who a register row is: its company number, else its charity number / other id, else name."""
    ent = reg["company_number"].astype("string")
    for col in ("charity_number", "other_id"):
        if col in reg:
            ent = ent.fillna(col + ":" + reg[col].astype("string"))
    return ent.fillna("name:" + reg["name_norm"].astype("string"))


def build_index(register: pd.DataFrame) -> RegisterIndex:
    reg = register.reset_index(drop=True).copy()
    for col in ("company_number", "charity_number", "other_id", "source"):
        if col not in reg:
            reg[col] = pd.NA
    if "name_norm" not in reg or len(reg) <= REFRESH_KEYS_UP_TO:
        # Keys stored by an older build may predate a change to the normaliser; refreshing costs
        # seconds for the open registers, minutes for all of Companies House, so only small ones.
        uniq = {v: supplier_name(v) for v in reg["name"].dropna().unique()}
        reg["name_norm"] = reg["name"].map(uniq)
    reg["name_norm"] = reg["name_norm"].fillna("").astype(str)
    reg = reg[reg["name_norm"] != ""].reset_index(drop=True)
    reg["entity"] = _entity(reg)
    reg["priority"] = reg["source"].map(_SOURCE_PRIORITY).fillna(9).astype(int)
    norm = reg["name_norm"].to_numpy(dtype=object)
    row = np.arange(len(reg), dtype=np.int64)
    by_norm = pd.DataFrame({"key": reg["name_norm"].astype(str), "row": row})
    by_loose = pd.DataFrame({"key": loose_key(reg["name_norm"].astype("string")).astype(str), "row": row})
    by_loose = by_loose[by_loose["key"] != ""]

    # Word postings: each register row listed once under each distinct word of its name. Split in
    # Arrow (C++): five million names in seconds, not minutes.
    lists = pc.split_pattern(pa.array(norm, type=pa.string()), " ")
    flat = pc.list_flatten(lists)
    parent = pc.list_parent_indices(lists).to_numpy().astype(np.int64)
    enc = (
        pc.dictionary_encode(flat).combine_chunks() if isinstance(flat, pa.ChunkedArray) else pc.dictionary_encode(flat)
    )
    codes = enc.indices.to_numpy(zero_copy_only=False).astype(np.int64)
    uniques = enc.dictionary.to_pylist()
    offsets = (
        lists.offsets.to_numpy()
        if not isinstance(lists, pa.ChunkedArray)
        else lists.combine_chunks().offsets.to_numpy()
    )
    lens = np.diff(offsets)
    if len(codes):
        first_code = np.where(lens > 0, codes[np.minimum(offsets[:-1], len(codes) - 1)], -1)
        initials = np.array([ord(w[0]) if w else 0 for w in uniques], dtype=np.int64)
        second_initial = np.where(lens > 1, initials[codes[np.minimum(offsets[:-1] + 1, len(codes) - 1)]], -1)
    else:
        first_code = second_initial = np.full(len(reg), -1)
    pairs = pd.DataFrame({"code": codes, "row": parent}).drop_duplicates()
    order = np.argsort(pairs["code"].to_numpy(), kind="stable")
    post_rows = pairs["row"].to_numpy()[order]
    word_count = np.bincount(pairs["code"].to_numpy(), minlength=len(uniques))
    post_starts = np.concatenate([[0], np.cumsum(word_count)])
    return RegisterIndex(
        reg,
        norm,
        by_norm,
        by_loose,
        {w: i for i, w in enumerate(uniques)},
        word_count,
        post_starts,
        post_rows,
        first_code,
        second_initial,
        lens,
    )


def spelling_key(name: object) -> str:
    """The name as spelt, legal form aside: a leading `The` kept. Decides between organisations
    that normalise alike (`Unity Partnership` is `UNITY PARTNERSHIP LLP`, not `THE UNITY
    PARTNERSHIP LIMITED`) when the published name was used whole."""
    if name is None or (isinstance(name, float) and np.isnan(name)):
        return ""
    text = str(name).strip()
    lead = "the " if re.match(r"(?i)the\b", text) else ""
    return lead + supplier_name(text)


def _companies_house_first(c: pd.DataFrame, reg: pd.DataFrame) -> pd.DataFrame:
    """Where Companies House holds a candidate name, other registers' rows of the same name are set
    aside: the company number other lists give (self-reported to the Gender Pay Gap service, say)
    can be out of date, and Companies House is the register of record for numbers."""
    rows = c["row"].to_numpy().astype(np.int64)
    ch = reg["source"].to_numpy()[rows] == "companies_house"
    if ch.all() or not ch.any():
        return c
    nn = reg["name_norm"].to_numpy()[rows]
    pairs = pd.DataFrame({"qid": c["qid"].to_numpy(), "nn": nn})
    held = pd.MultiIndex.from_frame(pairs[ch].drop_duplicates())
    shadowed = ~ch & pd.MultiIndex.from_frame(pairs).isin(held)
    return c[~shadowed]


def _choose(
    cands: pd.DataFrame, reg: pd.DataFrame, query_form: pd.Series, query_spelling: pd.Series | None = None
) -> pd.DataFrame:
    """From candidate (qid, row) pairs with equal keys pick one organisation per query, or mark
    the query ambiguous: the published legal form, then (whole names only) the spelling, must
    single one out. Returns qid, row, ambiguous, n_entities."""
    if cands.empty:  # typed: an untyped empty frame turns `row` into floats when concatenated
        return pd.DataFrame(
            {
                "qid": np.array([], dtype=cands["qid"].dtype if "qid" in cands else np.int64),
                "row": np.array([], dtype=np.int64),
                "ambiguous": np.array([], dtype=bool),
                "n_entities": np.array([], dtype=np.int64),
            }
        )
    c = cands.copy()
    c["entity"] = reg["entity"].to_numpy()[c["row"].to_numpy()]
    c["company_number"] = reg["company_number"].to_numpy()[c["row"].to_numpy()]
    # Legal forms only for candidate rows: a regex over millions of register names costs minutes.
    c["form"] = [legal_form(n) for n in reg["name"].to_numpy()[c["row"].to_numpy()]]
    c["priority"] = reg["priority"].to_numpy()[c["row"].to_numpy()]
    # Rows without a company number name no rival organisation when one with a number agrees.
    has_number = c["company_number"].notna()
    numbered = c[has_number].groupby("qid")["company_number"].nunique()
    c["n_numbers"] = c["qid"].map(numbered).fillna(0).astype(int)
    c = c[(c["n_numbers"] == 0) | has_number]
    c = _companies_house_first(c, reg)
    n_ent = c.groupby("qid")["entity"].nunique()
    c["n_entities"] = c["qid"].map(n_ent)
    c["qform"] = c["qid"].map(query_form)
    single = c[c["n_entities"] == 1]
    multi = c[c["n_entities"] > 1]
    # The published legal form decides between organisations only when it picks exactly one.
    same_form = multi[multi["form"].notna() & (multi["form"] == multi["qform"])]
    n_form = same_form.groupby("qid")["entity"].nunique()
    decided = same_form[same_form["qid"].map(n_form) == 1]
    if query_spelling is not None and not multi.empty:
        rest = multi[~multi["qid"].isin(decided["qid"])]
        rest = rest[rest["row"].map(lambda r: spelling_key(reg["name"].iat[r])) == rest["qid"].map(query_spelling)]
        n_sp = rest.groupby("qid")["entity"].nunique()
        decided = pd.concat([decided, rest[rest["qid"].map(n_sp) == 1]])
    picked = pd.concat([single, decided]).sort_values(["qid", "priority", "row"]).drop_duplicates("qid")
    picked = picked.assign(ambiguous=False)
    ambiguous = multi[~multi["qid"].isin(decided["qid"])].sort_values(["qid", "priority", "row"])
    ambiguous = ambiguous.drop_duplicates("qid").assign(ambiguous=True)
    return pd.concat([picked, ambiguous])[["qid", "row", "ambiguous", "n_entities"]]


_SEPARATOR = re.compile(r"#| - | \u2013 |\(|/|:|\|")


def separator_head(name: object) -> str:
    """The normalised part of a published name before a separator (`#`, ` - `, `(`, `/`, `:`),
    when it has two words or more: `Bolton College#Was Community College` -> `bolton college`.
    Ledgers join a payee to its site or service with these."""
    if name is None or (isinstance(name, float) and np.isnan(name)):
        return ""
    parts = _SEPARATOR.split(str(name), maxsplit=1)
    if len(parts) < 2:
        return ""
    head = supplier_name(parts[0])
    return head if len(head.split()) >= 2 else ""


def exact_matches(index: RegisterIndex, queries: pd.DataFrame) -> pd.DataFrame:
    """Exact key matches. `queries` has `qid`, `name`, `name_norm`. Returns one row per query
    reached: `qid, row, key, ambiguous` (`key` in `name`, `head`, `loose`)."""
    q = queries[["qid", "name", "name_norm"]].copy()
    q["name_norm"] = q["name_norm"].fillna("").astype(str)
    q["head"] = q["name_norm"].map(head_key)
    q["sep"] = q["name"].map(separator_head)
    q["loose"] = loose_key(q["head"].astype("string")).astype(str)
    form = q.set_index("qid")["name"].map(legal_form)
    out = []
    todo = q[q["name_norm"] != ""]
    for key, col, table in (
        ("name", "name_norm", index.by_norm),
        ("head", "head", index.by_norm),
        ("separator", "sep", index.by_norm),
        ("loose", "loose", index.by_loose),
    ):
        if todo.empty:
            break
        # Narrow the register side first: hashing a few thousand query keys and probing millions
        # of register keys is far cheaper than a merge that hashes the register.
        small = table[table["key"].isin(set(todo[col]))]
        cands = todo[["qid", col]].merge(small, left_on=col, right_on="key")[["qid", "row"]]
        spelling = todo.set_index("qid")["name"].map(spelling_key) if key == "name" else None
        chosen = _choose(cands, index.frame, form, spelling).assign(key=key)
        out.append(chosen)
        todo = todo[~todo["qid"].isin(chosen["qid"])]
    if not out:
        return pd.DataFrame(columns=["qid", "row", "ambiguous", "n_entities", "key"])
    res = pd.concat(out, ignore_index=True)
    return _qualified_ambiguity(index, q, res)


# Words a ledger appends to a payee's name to say which region or office was paid (`Barnardos North
# West`, `Community Integrated Care - Cheshire`). Geography only: no organisation's name is listed.
QUALIFIER_WORDS = frozenset(
    "north south east west northwest northeast southwest southeast central midlands northern southern eastern "
    "western england scotland wales cymru ireland britain gb uk london manchester greater lancashire yorkshire "
    "cheshire merseyside cumbria northumbria region regional branch office".split()
)


def _is_qualifier(words: list[str]) -> bool:
    return bool(words) and all(w in QUALIFIER_WORDS for w in words)


def _qualified_ambiguity(index: RegisterIndex, q: pd.DataFrame, res: pd.DataFrame) -> pd.DataFrame:
    """A published name that is a register name plus a region (`X North West`) says either `X`,
    its regional office annotated as ledgers annotate sites, or a separately registered `X North
    West`; the name alone cannot tell which. When `X` is a different organisation that has regional
    offices to annotate, a large employer (on the Gender Pay Gap register, 250+ staff), the exact
    match to the longer name is sent to review instead of into results. A published legal form
    after the region (`X North West Ltd`) names the registered company itself and stays matched."""
    ok = res[~res["ambiguous"].astype(bool) & res["key"].isin(["name", "head", "separator"])]
    if ok.empty:
        return res
    col = {"name": "name_norm", "head": "head", "separator": "sep"}
    keys = q.set_index("qid")
    pairs = []
    for qid, key in zip(ok["qid"].to_numpy(), ok["key"].to_numpy()):
        if key == "name" and legal_form(keys.at[qid, "name"]) is not None:
            continue  # `X North West Ltd`: the legal form makes the whole a registered name
        words = str(keys.at[qid, col[key]]).split()
        for k in range(1, len(words)):
            if _is_qualifier(words[k:]):
                pairs.append((qid, " ".join(words[:k])))
    if not pairs:
        return res
    base = pd.DataFrame(pairs, columns=["qid", "key"])
    base = base.merge(index.by_norm[index.by_norm["key"].isin(set(base["key"]))], on="key")
    if base.empty:
        return res
    frame = index.frame
    large = set(frame.loc[frame["source"].to_numpy() == "gender_pay_gap", "entity"])
    base_entity = frame["entity"].to_numpy()[base["row"].to_numpy()]
    keep = np.array([e in large for e in base_entity], dtype=bool)
    base, base_entity = base[keep], base_entity[keep]
    picked = ok.drop_duplicates("qid").set_index("qid")["row"].astype(np.int64)
    picked_entity = index.frame["entity"].to_numpy()[picked.loc[base["qid"]].to_numpy()]
    rival = set(base["qid"].to_numpy()[base_entity != picked_entity])
    res = res.copy()
    res.loc[res["qid"].isin(rival) & res["key"].isin(["name", "head", "separator"]), "ambiguous"] = True
    return res


# A register name that is a whole-word prefix of the query, covering at least this share of it, is
# the legal name with an annotation after it (`Unity Partnership core work`), scored as agreement.
PREFIX_COVER = 0.5
# Scores given to structural agreement, above the accept line. Words that all align (with
# abbreviations or plurals) beat a legal name followed by an annotation, and a longer aligned
# prefix beats a shorter one: `Societe Generale Equipment Fin` is `... Equipment Finance`, not
# `Societe Generale` annotated.
AGREE_SCORE = 97.0


def prefix_score(cover):
    """93 for a prefix covering half the query, rising to 95 as it covers all of it."""
    return 93.0 + 4.0 * (np.asarray(cover, dtype=float) - PREFIX_COVER)


# Block candidates below this plain ratio are not looked at again (abbreviations such as
# `Capita Bus Svs` score about 65 before word alignment lifts them).
CANDIDATE_CUTOFF = 60.0


def annotation_prefixes(key: str, cover: float = PREFIX_COVER) -> list[str]:
    """Leading runs of two or more words of a query key covering at least `cover` of it. (One
    word is too little: `Gazprom Energy` is not `Gazprom Ltd`.)"""
    words = key.split()
    out = []
    for k in range(len(words) - 1, 1, -1):
        head = " ".join(words[:k])
        if len(head) < cover * len(key):
            break
        out.append(head)
    return out


def _abbreviates(short: str, full: str) -> bool:
    """`servs`, `svcs`, `assoc`, `fin` abbreviate `services`, `association`, `finance`: same first
    letter, shorter, and its letters appear in order in the full word."""
    if len(short) < 3 or len(short) >= len(full) or short[0] != full[0]:
        return False
    it = iter(full)
    return all(ch in it for ch in short)


def _plural(a: str, b: str) -> bool:
    return (
        a + "s" == b
        or b + "s" == a
        or (a.endswith("y") and b == a[:-1] + "ies")
        or (b.endswith("y") and a == b[:-1] + "ies")
    )


def agreement_score(q: str, r: str, cover: float = PREFIX_COVER) -> float | None:
    """Word alignment of a query key with a register name, or None. The register name's words, in
    order, begin the query: each equal, a plural of the other, or abbreviated / cut short in the
    query (`servs`, `svs`, `fin`); the first equal. All words aligned scores `AGREE_SCORE`; words
    left over in the query are an annotation, allowed when the aligned part covers at least `cover`
    of the query, and score `prefix_score(cover)`."""
    qw, rw = q.split(), r.split()
    if len(rw) < 2 or len(qw) < len(rw) or qw[0] != rw[0]:
        return None
    aligned = " ".join(qw[: len(rw)])
    extra = len(qw) > len(rw)
    share = len(aligned) / len(q)
    if extra and share < cover:
        return None
    variant = 0
    for a, b in zip(qw[1:], rw[1:]):
        if a == b:
            continue
        if _plural(a, b) or (a.isalpha() and _abbreviates(a, b)):
            variant += 1
        else:
            return None
    if extra:
        return float(prefix_score(share))
    return AGREE_SCORE if variant else None


def words_agree(q: str, r: str, cover: float = PREFIX_COVER) -> bool:
    return agreement_score(q, r, cover) is not None


def fuzzy_matches(
    index: RegisterIndex,
    queries: pd.DataFrame,
    *,
    accept: float = ACCEPT,
    margin: float = MARGIN,
    review: float = REVIEW,
    max_block: int = MAX_BLOCK,
    workers: int = -1,
) -> pd.DataFrame:
    """Blocked fuzzy matching. `queries`: `qid`, `name_norm`. Returns one row per query with a
    candidate at or above `review`: `qid, row, score, second_row, second_score, decision`
    (`accept` or `review`)."""
    q = queries[["qid", "name_norm"]].copy()
    q["key"] = q["name_norm"].fillna("").astype(str).map(head_key)
    q = q[q["key"] != ""]
    counts = index.word_count
    blocks: dict[int, list[int]] = {}
    for qid, key in zip(q["qid"].to_numpy(), q["key"].to_numpy()):
        codes = {index.word_codes.get(w) for w in key.split()}
        ranked = sorted((counts[c], c) for c in codes if c is not None)
        for _, c in [(n, c) for n, c in ranked if n <= max_block][:2]:
            blocks.setdefault(c, []).append(qid)
    key_of = dict(zip(q["qid"].to_numpy(), q["key"].to_numpy()))
    norm = index.norm
    parts = []
    hit_q: list[np.ndarray] = []
    hit_r: list[np.ndarray] = []
    hit_s: list[np.ndarray] = []
    for code, qids in blocks.items():
        rows = index.post_rows[index.post_starts[code] : index.post_starts[code + 1]]
        names = [key_of[x] for x in qids]
        # Threads only pay for themselves on big blocks.
        scores = process.cdist(
            names,
            norm[rows],
            scorer=fuzz.ratio,
            score_cutoff=CANDIDATE_CUTOFF,
            dtype=np.float32,
            workers=workers if len(names) * len(rows) > 200_000 else 1,
        )
        qi, rj = np.nonzero(scores)
        if len(qi):
            sc = scores[qi, rj].astype(float)
            # Word alignment needs the first words equal: test that in bulk, align only those.
            # (first word equal, second word's initial equal, no more words than the query)
            split = [n.split() for n in names]
            qfirst = np.array([index.word_codes.get(w[0], -2) for w in split])
            qsecond = np.array([ord(w[1][0]) if len(w) > 1 else -2 for w in split])
            qlen = np.array([len(w) for w in split])
            rr = rows[rj]
            same = np.flatnonzero(
                (index.first_code[rr] == qfirst[qi])
                & (index.second_initial[rr] == qsecond[qi])
                & (index.n_words[rr] <= qlen[qi])
                & (index.n_words[rr] >= 2)
            )
            agree = np.zeros(len(qi))
            agree[same] = [agreement_score(names[qi[k]], norm[rows[rj[k]]]) or 0.0 for k in same]
            hit_q.append(np.asarray(qids)[qi])
            hit_r.append(rows[rj])
            hit_s.append(np.maximum(sc, agree))
    if hit_q:
        parts.append(
            pd.DataFrame({"qid": np.concatenate(hit_q), "row": np.concatenate(hit_r), "score": np.concatenate(hit_s)})
        )
    # Annotation prefixes: exact lookups of the query's leading words.
    pre = [(qid, p, len(p) / len(key)) for qid, key in key_of.items() for p in annotation_prefixes(key)]
    if pre:
        pre = pd.DataFrame(pre, columns=["qid", "key", "cover"])
        pre = pre.merge(index.by_norm[index.by_norm["key"].isin(set(pre["key"]))], on="key")
        if len(pre):
            parts.append(
                pd.DataFrame(
                    {
                        "qid": pre["qid"].to_numpy(),
                        "row": pre["row"].to_numpy(),
                        "score": prefix_score(pre["cover"].to_numpy()),
                    }
                )
            )
    if not parts:
        return pd.DataFrame(columns=["qid", "row", "score", "second_row", "second_score", "decision"])
    h = pd.concat(parts, ignore_index=True)
    h = h.sort_values(["qid", "score"], ascending=[True, False]).drop_duplicates(["qid", "row"])
    # The best few per query decide; the long tail of weak candidates cannot.
    h = h.groupby("qid", sort=False).head(20)
    h = _companies_house_first(h, index.frame)
    h["entity"] = index.frame["entity"].to_numpy()[h["row"].to_numpy()]
    h["priority"] = index.frame["priority"].to_numpy()[h["row"].to_numpy()]
    h = h.sort_values(["qid", "score", "priority", "row"], ascending=[True, False, True, True])
    best_per_entity = h.drop_duplicates(["qid", "entity"])
    best = best_per_entity.drop_duplicates("qid")
    second = best_per_entity[~best_per_entity.index.isin(best.index)].drop_duplicates("qid")
    out = best.merge(
        second[["qid", "row", "score"]].rename(columns={"row": "second_row", "score": "second_score"}),
        on="qid",
        how="left",
    )
    out["second_score"] = out["second_score"].fillna(0.0)
    out = out[out["score"] >= review]
    ok = (out["score"] >= accept) & (out["score"] - out["second_score"] >= margin)
    out["decision"] = np.where(ok, "accept", "review")
    return out[["qid", "row", "score", "second_row", "second_score", "decision"]].reset_index(drop=True)
