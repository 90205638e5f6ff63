"""Who is public: each supplier's kind of body, the class the config's decision table gives that kind
(`definitions.public_bodies`), and the evidence (CONTRACTS §3 `public_kind`, `public_class`,
`public_evidence`).

Evidence, strongest first; the first that finds a body decides:

1. `crosswalk`: a person's decision (the crosswalk's `supplier_type`).
2. `identifier`: a company number, charity number, school URN, NHS ODS code (a hospital site's
   code is its trust's code and two more characters) or CQC id the supplier carries, found in the
   register of public bodies (`reference/public_bodies.py`).
3. `name`: the supplier's name, or the name of the register row resolution matched, equal to a name
   of a body in that register (key: `reference.public_frames.public_name`, so `&` is `and`, `Ltd`,
   `the` and punctuation do not count, `CCG` is `clinical commissioning group`; a ledger's
   bracketed annotations and GM's `#` aliases are tried without). Then a name that begins with a
   council's, force's, NHS body's or department's whole name and goes on to name an account; a
   name of a family the guide classifies en bloc (`Groundwork Trusts`: its words in order); a name
   cut short (three words or more beginning the name of one council, force, NHS body or department,
   and of no other body).
4. `initials (last resort)`: a payee written as the initials of a council of the config's place or
   wider area (`LCC` beside Hyndburn). Initials of councils elsewhere mean nothing (SCC is an IT firm).
5. `name pattern (last resort)`: `PATTERNS` below, for bodies no register lists (parish councils,
   bodies newer than the registers, ledgers' own spellings). Families, not names: a pattern for a
   public body has traps for the organisations that share its words (a council of mosques, a
   police credit union, a university's college, a taxi firm called after a college).

A name or number several bodies share: the class most of them have, then, of that class, the kind
first in `KIND_ORDER`. A supplier nothing finds has no kind and no class: it is not public.
Individuals are never looked up.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from collections.abc import Iterable

import numpy as np
import pandas as pd

from ..definitions import PublicBodyRules
from ..identifiers import charity_number, company_number
from ..reference.public_bodies import PUBLIC_BODY_COLUMNS, public_name
from ..reference.public_frames import family_key

PUBLIC_COLUMNS = ["public_kind", "public_class", "public_evidence"]

# When one name or number belongs to bodies of several kinds of the winning class: most specific first.
KIND_ORDER = [
    "council",
    "combined_authority",
    "police",
    "fire",
    "nhs_trust",
    "icb",
    "ccg",
    "academy_trust",
    "housing_association",
    "university",
    "independent_school",
    "fe_college",
    "school",
    "gp_practice",
    "independent_hospital",
    "care_home",
    "almo",
    "council_company",
    "parish_council",
    "local_government",
    "central_government",
    "public_corporation",
]

# A crosswalk's supplier_type says the class, not the kind.
_CROSSWALK_CLASS = {"public": "general_government", "public_corporation": "public_corporation"}

# Words that make a police, fire or government name an association of people, not the body itself.
_PEOPLES = (
    r"\b(?:federation|mutual|credit union|union|association|club|benevolent|charity|charitable|treatment|"
    r"memorial|sports?|society|insurance|dependants|widows|friends of|museum|scouts?)\b"
)
_COUNCIL_TRAPS = (
    r"\b(?:parochial church|church|churches|pcc|mosques?|faiths?|interfaith|muslim|hindu|sikh|jewish|trades|"
    r"tenants|residents|students|pupils|youth|parents|carers|voluntary|scouts?|guides)\b"
)
# A council by its tier (`... Borough Council`), its formal styles (`Council of the City of ...`,
# `London Borough of ...`). A bare `... Council` is left to the register, which has every council's
# name (`Bolton Council`): as a pattern it would take in `Restorative Justice Council`.
_PUBLIC_COUNCIL = (
    r"\b(?:city|borough|county|district|metropolitan borough|metropolitan district|county borough|unitary) council$"
    r"|^council of the (?:city|borough|county|royal borough|london borough|district)\b|^(?:london|royal) borough of\b"
)
_NOT_A_COUNCIL = rf"\bcouncils? (?:of|for)\b(?! the (?:city|borough|county|royal borough|london borough|district)\b)|{_COUNCIL_TRAPS}"
# A legal form in the name as published: a company, not a council, force or department.
_COMPANY = re.compile(r"\b(?:ltd|limited|plc|llp|cic|company|enterprises)\b")
# What, after a body's name, makes a payee another organisation (`... Council of Mosques`).
_REST_REFUSED = re.compile(rf"{_NOT_A_COUNCIL}|{_PEOPLES}")
_PRIVATE_SCHOOL = r"\b(?:private|independent|preparatory|prep|montessori|day nursery)\b"

# (kind or None, pattern, refuse-if pattern or None, what it is, a company's legal form refuses it).
# Tried in order on the lower-case name with `&` as `and` and abbreviations spelt out; the first
# pattern that matches decides, and a match whose refuse-if also matches says "not public" (kind
# None). Order matters: `University Hospitals ... NHS Trust` is a trust before it is a university.
PATTERNS: list[tuple[str | None, str, str | None, str, bool]] = [
    ("ccg", r"\bclinical commissioning group\b", None, "a clinical commissioning group", True),
    ("icb", r"\bintegrated care board\b", None, "an integrated care board", True),
    (
        "nhs_trust",
        r"\bnhs\b.*\btrust\b|\buniversity hospitals?\b.*\btrust\b"
        r"|\b(?:hospitals?|health|healthcare|ambulance service) (?:nhs )?(?:foundation )?trust$",
        _PEOPLES,
        "an NHS trust",
        True,
    ),
    ("central_government", r"\bnhs\b", _PEOPLES, "an NHS body that is not a trust or commissioner", True),
    (
        "university",
        r"\buniversit(?:y|ies)\b",
        r"\b(?:technical college|utc|academy|free school)\b",
        "a university or one of its colleges",
        False,
    ),
    ("combined_authority", r"\bcombined (?:county )?authority\b", None, "a combined authority", True),
    (
        "parish_council",
        r"\b(?:parish|town|community|village|neighbourhood) council$|\bparish meeting$",
        _COUNCIL_TRAPS,
        "a parish or town council",
        True,
    ),
    ("council", _PUBLIC_COUNCIL, _NOT_A_COUNCIL, "a council", True),
    (
        "police",
        r"\bpolice and crime commission|\bpolice (?:authority|force|service|scotland)\b|\b(?:police|constabulary)$"
        r"|\bchief constable\b",
        _PEOPLES,
        "a police force or commissioner",
        True,
    ),
    (
        "fire",
        r"\bfire (?:and rescue|authority|brigade|and civil defence)\b|\bcombined fire\b",
        _PEOPLES,
        "a fire and rescue authority",
        True,
    ),
    (
        "central_government",
        r"\b(?:department|ministry) (?:for|of)\b|^hm\b|\b(?:home office|cabinet office|crown prosecution service|"
        r"magistrates court|crown court|county court|coroners? court|hm courts)\b",
        r"\buniversit|\bcollege\b|" + _PEOPLES,
        "a government department, agency or court",
        True,
    ),
    ("academy_trust", r"\b(?:multi academy|academy|academies) trust\b", None, "an academy trust", False),
    # Councils' buying organisations trade under their own names (LASER is Kent County Council's,
    # YPO, ESPO and NEPO are joint committees of councils); a firm that buys for others is a company.
    (
        "local_government",
        r"\b(?:energy )?buying (?:group|organisation|consortium)\b|\bpurchasing (?:organisation|consortium)\b"
        r"|^(?:ypo|espo|nepo)$",
        None,
        "a public buying organisation",
        True,
    ),
    (
        "fe_college",
        r"\bsixth form college\b|\bcollege of further education\b|\bfurther education college\b|\btertiary college\b",
        None,
        "a further education college",
        False,
    ),
    (
        "school",
        r"\b(?:primary|infant|infants|junior|juniors|nursery|high|secondary|grammar|special|middle|first|c of e|"
        r"cofe|ce|rc|catholic|church of england|community|free) school\b|\bpupil referral (?:unit|service)\b",
        _PRIVATE_SCHOOL,
        "a school",
        True,
    ),
    (
        "housing_association",
        r"\bhousing (?:association|trust|society|co ?operative|group)\b",
        None,
        "a housing association",
        False,
    ),
]
_COMPILED = [(k, re.compile(p), re.compile(r) if r else None, what, body) for k, p, r, what, body in PATTERNS]


def pattern_kind(name: object) -> tuple[str | None, str | None]:
    """(kind, evidence) from the name patterns: the last resort. A trap gives (None, why). The
    evidence names the pattern, never the payee."""
    text = public_name(name, keep_nhs=True) if isinstance(name, str) else ""
    if not text:
        return None, None
    company = bool(_COMPANY.search(name.lower()))
    for kind, pattern, refuse, what, body in _COMPILED:
        if not pattern.search(text):
            continue
        if (refuse is not None and refuse.search(text)) or (body and company):
            return None, f"name pattern (last resort): reads like {what}, but other words say it is not one"
        return kind, f"name pattern (last resort): {what}"
    return None, None


class PublicRegister:
    """The register of public bodies indexed for lookup: by identifier and by name key."""

    def __init__(self, bodies: pd.DataFrame | None):
        bodies = bodies if bodies is not None else pd.DataFrame(columns=PUBLIC_BODY_COLUMNS)
        self.ids: dict[str, list[tuple[str, str, str]]] = {}
        self.names: dict[str, list[tuple[str, str, str]]] = {}
        self.trusts: set[str] = set()
        self.prefixes: dict[str, list[tuple[str, str, str]]] = {}
        self.keys_of: dict[str, set[str]] = {}
        self.families: list[tuple[tuple[str, ...], str, str, str]] = []
        self.councils: dict[str, tuple[str, str, str, str]] = {}
        self._sorted_keys: list[str] | None = None
        if bodies.empty:
            return
        b = bodies.astype(object).where(bodies.notna(), None)
        ident = b.drop_duplicates("body_id")
        for col, prefix in (("company_number", "CH:"), ("charity_number", "CC:"), ("other_id", "")):
            for value, kind, body, source in zip(ident[col], ident["kind"], ident["body_id"], ident["source"]):
                if value:
                    self.ids.setdefault(prefix + str(value).upper(), []).append((kind, body, source))
        trusts = ident.loc[ident["kind"] == "nhs_trust", "other_id"].dropna().str.upper()
        self.trusts = set(trusts[trusts.str.fullmatch(r"NHS-[A-Z0-9]{3}")])
        councils = b[b["kind"].isin(["council", "combined_authority"]) & (b["name_type"] == "official")]
        self.councils = {
            body: (name, kind, source, (gss or "").removeprefix("GSS-"))
            for body, name, kind, source, gss in zip(
                councils["body_id"], councils["name"], councils["kind"], councils["source"], councils["other_id"]
            )
        }
        families = b[b["name_type"] == "family"]
        # A family the name patterns know is of their kind (`clinical commissioning group` is `ccg`),
        # else of its sector's.
        self.families = [
            (tuple(key.split()), pattern_kind(key)[0] or kind, body, source)
            for key, kind, body, source in zip(
                families["name_norm"], families["kind"], families["body_id"], families["source"]
            )
        ]
        named = b[~b["name_type"].isin(["id_only", "family"])].drop_duplicates(["body_id", "name_norm"])
        for key, kind, body, source in zip(named["name_norm"], named["kind"], named["body_id"], named["source"]):
            self.names.setdefault(key, []).append((kind, body, source))
            self.keys_of.setdefault(body, set()).add(key)
            if kind in _PREFIX_KINDS and key.rsplit(" ", 1)[-1] in _BODY_ENDS and " " in key:
                self.prefixes.setdefault(key, []).append((kind, body, source))

    def by_id(self, scheme: str, value: object) -> tuple[list, str] | None:
        if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)) or not str(value).strip():
            return None
        # Numbers in the one spelling of `cwbtools.identifiers` (the register's are already).
        spelt = {"CH:": company_number, "CC:": charity_number}.get(scheme, lambda x: str(x).strip())(value)
        if not spelt:
            return None
        v = spelt.upper()
        hits = self.ids.get(scheme + v)
        if hits:
            return hits, v
        # A hospital site's ODS code is its trust's code and two more characters.
        if scheme == "" and v.startswith("NHS-") and len(v) == 9 and v[:7] in self.trusts:
            return self.ids[v[:7]], f"{v} (site of trust {v[4:7]})"
        return None

    def by_name(self, name: object) -> list | None:
        for variant in name_variants(name):
            key = public_name(variant)
            hits = self.names.get(key) if key else None
            if hits:
                return hits
        return None

    def aliases(self, name: object) -> set[str]:
        """Every name key of the bodies `name` is a name of (an anchor's own names, to find its
        payments to itself: `Bolton Council` -> `bolton metropolitan borough council`, ...)."""
        bodies = {body for _, body, _ in self.by_name(name) or []}
        return set().union(*(self.keys_of[b] for b in bodies)) if bodies else set()

    def by_prefix(self, name: object) -> list | None:
        """A name that begins with a body's whole name and goes on to say which account or office
        (`Rochdale Borough Council Debt Recovery`), unless what follows makes it another
        organisation (`... Council of Mosques`, `... Police Federation`, `... Ltd`)."""
        for variant in name_variants(name):
            words = public_name(variant).split()
            for n in range(len(words) - 1, 1, -1):
                hits = self.prefixes.get(" ".join(words[:n]))
                if hits:
                    rest = " ".join(words[n - 1 :])
                    if _REST_REFUSED.search(rest) or _COMPANY.search(variant.lower()):
                        return None
                    return hits
        return None

    def by_family(self, name: object) -> list | None:
        """A name of the family an "(En Bloc)" heading of the guide classifies: the heading's words,
        singular, in order, at most two other words between them (`Groundwork Trusts` finds `The
        Groundwork South Trust`), unless other words make it another organisation. A company's legal
        form refuses it unless the family is one of bodies that are companies (trusts, colleges)."""
        if not self.families:
            return None
        for variant in name_variants(name):
            words = family_key(variant).split()
            if _REST_REFUSED.search(" ".join(words)) or re.search(_PRIVATE_SCHOOL, " ".join(words)):
                continue
            company = bool(_COMPANY.search(variant.lower()))
            hits = [
                (kind, body, source)
                for key, kind, body, source in self.families
                if _in_order(key, words) and (not company or key[-1] in _CORPORATE_FAMILIES)
            ]
            if hits:
                return hits
        return None

    def area_initials(self, lad_codes: Iterable[str] = (), wider_name: str | None = None) -> dict[str, list]:
        """The initials of the councils of a place and its wider area (`LCC` for Lancashire County
        Council beside Hyndburn): councils whose GSS code is one of `lad_codes`, and the county
        council or combined authority named as the wider area. Three letters or more."""
        codes = set(lad_codes)
        wider = public_name(wider_name) if wider_name else ""
        out: dict[str, list] = {}
        for body, (name, kind, source, gss) in self.councils.items():
            key = public_name(name)
            if gss in codes or (
                wider and key.startswith(wider + " ") and key.split()[len(wider.split())] in _AREA_BODY
            ):
                letters = "".join(w[0] for w in re.findall(r"[A-Za-z]+", name) if w.lower() not in _SMALL_WORDS)
                if len(letters) >= 3:
                    out.setdefault(letters.upper(), []).append((kind, body, source))
        return out

    def by_start(self, name: object) -> list | None:
        """A name cut short: three words or more that begin the name of exactly one body of the kinds
        a longer payee name may begin with (`Central Manchester University` for `Central Manchester
        University Hospitals NHS Foundation Trust`), and begin no other body's name in the register."""
        if self._sorted_keys is None:
            self._sorted_keys = sorted(self.names)
        for variant in name_variants(name):
            key = public_name(variant)
            if len(key.split()) < 3 or _COMPANY.search(variant.lower()) or _REST_REFUSED.search(key):
                continue
            lo = bisect.bisect_left(self._sorted_keys, key + " ")
            bodies: dict[str, tuple[str, str, str]] = {}
            for k in self._sorted_keys[lo:]:
                if not k.startswith(key + " "):
                    break
                for kind, body, source in self.names[k]:
                    bodies[body] = (kind, body, source)
                if len(bodies) > 1:
                    break
            if len(bodies) == 1:
                hit = next(iter(bodies.values()))
                return [hit] if hit[0] in _PREFIX_KINDS else None
        return None


def _in_order(key: tuple[str, ...], words: list[str], gap: int = 2) -> bool:
    """`key`'s words appear in `words` in order, at most `gap` other words between two of them."""
    for start in (i for i, w in enumerate(words) if w == key[0]):
        at, ok = start, True
        for k in key[1:]:
            window = words[at + 1 : at + 2 + gap]
            if k not in window:
                ok = False
                break
            at += 1 + window.index(k)
        if ok:
            return True
    return False


# The word after a wider area's name that makes a body its council (`Lancashire County Council`,
# `Greater Manchester Combined Authority`, not `Lancashire Care NHS Trust`).
_AREA_BODY = {"county", "combined", "council"}
_SMALL_WORDS = {"of", "the", "and", "with", "upon", "on", "in"}


def initials_of(name: object) -> str | None:
    """The letters of a payee written as initials (`LCC`, `L.C.C.`), else None."""
    for variant in name_variants(name):
        letters = re.sub(r"[.\s]", "", variant)
        if 3 <= len(letters) <= 6 and letters.isalpha() and letters.isupper():
            return letters
    return None


# Families of the guide whose bodies are companies or charitable companies (a `Ltd` does not refuse them).
_CORPORATE_FAMILIES = {"trust", "college", "school", "academy", "corporation", "port"}

# Bodies whose name may begin a longer payee name, and the words such a name ends with.
_PREFIX_KINDS = {"council", "combined_authority", "police", "fire", "nhs_trust", "ccg", "icb", "central_government"}
_BODY_ENDS = {"council", "authority", "constabulary", "police", "trust", "group", "board", "office", "customs",
              "service", "agency", "commissioner", "department"}  # fmt: skip


# Ledgers add to a payee's name: `(Direct Debit)`, `(DD ONLY)`, `[229816]`, and GM's `#`-joined
# other names (`HM Revenue & Customs Only#Was Inland Revenue#2`).
_ANNOTATION = re.compile(r"\([^)]*\)|\[[^\]]*\]")


def name_variants(name: object) -> list[str]:
    """The name, then without bracketed annotations, then its first `#` part: each is tried in turn."""
    if not isinstance(name, str) or not name.strip():
        return []
    out = [name, _ANNOTATION.sub(" ", name), name.split("#")[0], _ANNOTATION.sub(" ", name.split("#")[0])]
    return [v for i, v in enumerate(out) if v.strip() and v not in out[:i]]


def _decide(hits: list[tuple[str, str, str]], rules: PublicBodyRules) -> tuple[str, str, str]:
    """(kind, class, bodies) for the bodies sharing one identifier or name: the class most of them
    have (a tie: the class of the most specific kind), then that class's most specific kind.
    `bodies` lists them by id, those of other classes after `also`."""
    rank = {k: i for i, k in enumerate(KIND_ORDER)}
    bodies = sorted({body: kind for kind, body, _ in hits}.items(), key=lambda bk: (rank[bk[1]], bk[0]))
    classes = Counter(rules.classes[k] for _, k in bodies)
    first = {}
    for _, k in bodies:
        first.setdefault(rules.classes[k], rank[k])
    best = max(classes, key=lambda c: (classes[c], -first[c]))
    kind = next(k for _, k in bodies if rules.classes[k] == best)
    same = [b for b, k in bodies if rules.classes[k] == best]
    other = [f"{k} {b}" for b, k in bodies if rules.classes[k] != best]
    shown = ", ".join(same[:3]) + (f" and {len(same) - 3} more" if len(same) > 3 else "")
    return kind, best, shown + (f"; also {', '.join(other[:3])}" if other else "")


def classify_public(
    suppliers: pd.DataFrame,
    register: pd.DataFrame | None,
    rules: PublicBodyRules,
    area_codes: Iterable[str] = (),
    wider_name: str | None = None,
) -> pd.DataFrame:
    """`public_kind`, `public_class`, `public_evidence` for each supplier (same index).

    `suppliers` has `supplier_name` and, when known, `registered_name`, `company_number`,
    `charity_number`, `other_id`, `crosswalk_type`, `individual`; `register` is
    `public_bodies.parquet` (None: name patterns only). `area_codes` (the LAD codes of the place and
    its wider area) and `wider_name` say whose initials a payee may be (`LCC`)."""
    reg = register if isinstance(register, PublicRegister) else PublicRegister(register)
    initials = reg.area_initials(area_codes, wider_name)

    def col(name: str) -> list:
        if name not in suppliers.columns:
            return [None] * len(suppliers)
        s = suppliers[name].astype(object)
        return s.where(s.notna(), None).tolist()

    person = [bool(v) for v in col("individual")]
    rows = zip(
        col("supplier_name"),
        col("registered_name"),
        col("company_number"),
        col("charity_number"),
        col("other_id"),
        col("crosswalk_type"),
        person,
    )
    out = [_one(reg, rules, initials, *r) for r in rows]
    frame = pd.DataFrame(out, columns=PUBLIC_COLUMNS, index=suppliers.index)
    return frame.astype("string")


def _one(
    reg: PublicRegister,
    rules: PublicBodyRules,
    initials: dict,
    name,
    registered,
    company,
    charity,
    other,
    crosswalk,
    person,
):
    if person:
        return None, None, None
    if crosswalk in _CROSSWALK_CLASS:
        return None, _CROSSWALK_CLASS[crosswalk], f"crosswalk: supplier_type {crosswalk}"
    if crosswalk:
        return None, "not_public", f"crosswalk: supplier_type {crosswalk}"
    for scheme, value, label in (
        ("CH:", company, "company number"),
        ("CC:", charity, "charity number"),
        ("", other, ""),
    ):
        found = reg.by_id(scheme, value)
        if found:
            kind, cls, note = _decide(found[0], rules)
            return kind, cls, f"identifier {label + ' ' if label else ''}{found[1]}: {kind} [{note}]"
    # The register by name, strongest first: how each looks, and what its evidence says.
    lookups = [
        (lambda: reg.by_name(name), "name: {}"),
        (lambda: reg.by_name(registered), "registered name: {}"),
        (lambda: reg.by_prefix(name), "name begins with the name of {}"),
        (lambda: reg.by_family(name), "name of a family of bodies the guide classifies en bloc: {}"),
        (lambda: reg.by_start(name), "name cut short: the start of the name of {}"),
    ]
    if rules.name_patterns:
        lookups.append(
            (
                lambda: initials.get(initials_of(name) or ""),
                "initials (last resort): a council of the place or wider area, {}",
            )
        )
    for find, says in lookups:
        found = find()
        if found:
            kind, cls, note = _decide(found, rules)
            return kind, cls, f"{says.format(kind)} [{note}]"
    if not rules.name_patterns:
        return None, None, None
    # Patterns read a name without its annotations first: `(RE: OXFORD UNIVERSITY PRESS)` is not the payee.
    for value in (*name_variants(name)[::-1], *name_variants(registered)[::-1]):
        kind, why = pattern_kind(value)
        if why:
            return kind, (rules.classes[kind] if kind else None), why
    return None, None, None
