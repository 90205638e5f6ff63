"""The procurement base: which kept payments are procurement, the one home of every exclusion.

CLES measured local spend on procurement: what an anchor buys from suppliers. A ledger also pays
other public bodies, persons, HMRC, pension funds, precepts and pooled budgets, and the anchor
itself; counted as spend, those transfers decide the headline (one pooled-budget payment was 96%
of a council's "local" pounds). So every payment meets one ordered set of rules
(`definitions.exclusions`, `AnalysisDefinitions.exclusions`) and is set aside by the first it meets:

| order | rule | category (`excluded_as`) | scope |
|---|---|---|---|
| 1 | the anchor paying itself (its name and the register's other names for it) | `self` | base |
| 2 | another anchor of the same config (its own spend is already counted) | `inter_anchor` | base |
| 3 | individuals (positive evidence of a person only; unrecognised payees stay) | `individual` | base |
| 4 | transfers by payee words (HMRC, pension funds, refund accounts, ...) | `transfer` | base |
| 5 | transfers by expense words (tax, precepts, levies, pooled budgets, benefits, ...) | `transfer` | base |
| 6 | public bodies: general government (`definitions.public_bodies`) | `public_body` | base |
| 7 | public corporations, when `exclusions.public_corporations` is `base` or `influenceable` | `public_corporation` | as set |
| 8 | the ledger's own flag says not influenceable (`ledger_influenceable` false) | `published` | influenceable |
| 9 | supplier types set aside | `supplier_type` | influenceable |
| 10 | utilities by SIC division | `utility` | influenceable |
| 11 | named national frameworks | `framework` | influenceable |

`base` rules take a payment out of the procurement base and so out of every headline share;
`influenceable` rules only out of influenceable spend (the next steps), which is a part of the base.
`definitions.base` says what the headline is measured on: `procurement` (the base) or `all` kept
spend (`analysed`). Grants stay in the base, flagged (`grant`) where the ledger's expense category
or description says grant. Pure functions over the spend frame; money in integer pence.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import pandas as pd

from ..definitions import AnalysisDefinitions
from ..formats import gbp
from ..identifiers import supplier_name as normalise_name
from ..reference.public_frames import public_name
from ..suppliers.public import name_variants
from .baseline import _each_distinct, _flag, _is_individual, _pence, _pence_by

# summary.json's `excluded_gbp` keys: every category a base rule can set aside, in this order.
BASE_CATEGORIES = ("public_body", "public_corporation", "individual", "transfer", "self", "inter_anchor")
CLASSIFIED_COLUMNS = ["excluded_by", "excluded_as", "exclusion_scope", "in_base", "influenceable", "grant"]
TRANSFER_FIELDS = ("expense_category", "description")
PROCUREMENT_LINE = "Procurement spend (the base)"
INFLUENCEABLE_LINE = "Influenceable spend"
LEDGER_FLAG = "ledger_influenceable"


@dataclass(frozen=True)
class ExclusionRule:
    """One rule of the set. `kind` says how it matches: `self`, `inter_anchor`, `individual`,
    `payee_words`, `expense_words`, `public_class` (`values`: supplier types and public classes),
    `ledger_flag` (the ledger's `ledger_influenceable` is false), `supplier_type`, `sic_division`,
    `supplier` (normalised names). `names`: each anchor's name keys
    (the `self` and `inter_anchor` rules)."""

    name: str
    kind: str
    category: str
    scope: str
    values: tuple[str, ...] = ()
    reason: str = ""
    names: Mapping[str, frozenset[str]] = field(default_factory=dict, compare=False)


# --------------------------------------------------------------------------------------------
# Names


def name_keys(name: object) -> frozenset[str]:
    """The keys a payee name is matched on (the register's: `reference.public_frames.public_name`
    of the name, of it without bracketed notes, and of its first `#` part)."""
    return _name_keys(name) if isinstance(name, str) else frozenset()


# A notebook classifies the same payees several times (each year, the influenceable rules, the
# summary): each name is keyed once per process.
@lru_cache(maxsize=1 << 16)
def _name_keys(name: str) -> frozenset[str]:
    return frozenset(k for k in (public_name(v) for v in name_variants(name)) if k)


def anchor_names(anchors: Iterable[str], bodies: pd.DataFrame | None = None) -> dict[str, frozenset[str]]:
    """Each anchor's name keys: its own name, and every name the register of public bodies
    (`public_bodies.parquet`: the local-authority register's alternative names, the police force of
    a commissioner, ...) gives a body of that name. Without the register, its own name only."""
    out = {}
    for anchor in anchors:
        keys = set(name_keys(anchor))
        if bodies is not None and len(bodies):
            norm = bodies["name_norm"].astype("string")
            ids = set(bodies.loc[norm.isin(keys).fillna(False).to_numpy(), "body_id"].dropna())
            keys |= set(norm[bodies["body_id"].isin(ids).to_numpy()].dropna())
        out[anchor] = frozenset(keys)
    return out


def words_regex(words: Iterable[str]) -> re.Pattern | None:
    """Whole words, a plural allowed, case-insensitive: `tax` never finds `taxi`, `levy` finds
    `levies`, `pass-through` finds `pass through`. None for no words."""
    parts = []
    for w in words:
        text = re.escape(str(w).strip().lower()).replace(r"\ ", r"[\s_-]+").replace(r"\-", r"[\s_-]*")
        if not text:
            continue
        if text.endswith("y"):
            text = text[:-1] + "(?:y|ies)"
        parts.append(rf"\b{text}(?:s|es)?\b")
    return re.compile("|".join(parts), re.IGNORECASE) if parts else None


# --------------------------------------------------------------------------------------------
# The rules


def exclusion_rules(
    defs: AnalysisDefinitions,
    bodies: pd.DataFrame | None = None,
    file_suppliers: Iterable[str] | None = None,
    influenceable: bool = True,
) -> list[ExclusionRule]:
    """The rules in the order applied (the table above). `bodies` is the register of public bodies
    (anchors' other names); `file_suppliers` the names read from
    `exclusions.not_influenceable.suppliers_file` (the caller reads it). `influenceable=False`
    gives the base's rules only (enough for the headline; no file needed)."""
    ex = defs.exclusions
    if influenceable and ex.suppliers_file is not None and file_suppliers is None:
        # Without this the file's suppliers would silently count as influenceable.
        raise ValueError(
            f"definitions.exclusions.not_influenceable.suppliers_file {ex.suppliers_file} is set: "
            "pass the names read from it as file_suppliers"
        )
    names = anchor_names(defs.anchors, bodies)
    rules = [
        ExclusionRule(
            "The anchor paying itself",
            "self",
            "self",
            "base",
            reason="Money moved between the anchor's own accounts is not spend with a supplier.",
            names=names,
        ),
        ExclusionRule(
            "Another anchor of this config",
            "inter_anchor",
            "inter_anchor",
            "base",
            reason="That anchor's own spend is already counted; counting the payment too would count it twice.",
            names=names,
        ),
        ExclusionRule(
            "Individuals (not named)",
            "individual",
            "individual",
            "base",
            reason="Payments to persons (positive evidence only) are not procurement from firms.",
        ),
        ExclusionRule(
            "Transfers (by payee)",
            "payee_words",
            "transfer",
            "base",
            tuple(ex.transfer_payees),
            "Tax, pensions, refunds and benefits pass through the anchor: no supplier was chosen.",
        ),
        ExclusionRule(
            "Transfers (by expense category or description)",
            "expense_words",
            "transfer",
            "base",
            tuple(ex.transfer_expenses),
            "Tax, pensions, precepts, levies, pooled budgets, benefits, rates and refunds are not purchases.",
        ),
        ExclusionRule(
            "Public bodies (general government)",
            "public_class",
            "public_body",
            "base",
            ("public", "general_government"),
            "Payments to councils, the NHS, police, fire, schools and government are transfers within the "
            "public sector, not procurement an anchor could place locally.",
        ),
    ]
    if ex.public_corporations != "keep":
        rules.append(
            ExclusionRule(
                "Public corporations",
                "public_class",
                "public_corporation",
                ex.public_corporations,
                ("public_corporation",),
                "Set aside by the config (definitions.exclusions.public_corporations).",
            )
        )
    if not influenceable:
        return rules
    # The publisher's word, first of the influenceable rules; never the base's (what it counts as
    # influenceable is its own definition, not a transfer). A flag that is absent or yes does nothing.
    rules.append(
        ExclusionRule(
            "Published as not influenceable (the ledger's flag)",
            "ledger_flag",
            "published",
            "influenceable",
            reason="The publishing body's own ledger marks the payment as spend it cannot influence.",
        )
    )
    if ex.supplier_types:
        rules.append(
            ExclusionRule(
                f"Supplier types: {', '.join(ex.supplier_types)}",
                "supplier_type",
                "supplier_type",
                "influenceable",
                tuple(ex.supplier_types),
                "Set aside by the config (definitions.exclusions.not_influenceable.supplier_types).",
            )
        )
    divisions = tuple(str(d).zfill(2) for d in ex.sic_divisions)
    if divisions:
        rules.append(
            ExclusionRule(
                f"Utilities (SIC {', '.join(divisions)})",
                "sic_division",
                "utility",
                "influenceable",
                divisions,
                "Energy and water are bought from whoever owns the network.",
            )
        )
    listed = [str(s) for s in ex.suppliers] + [str(s) for s in (file_suppliers or ())]
    if listed:
        rules.append(
            ExclusionRule(
                "National frameworks (named suppliers)",
                "supplier",
                "framework",
                "influenceable",
                tuple(sorted({normalise_name(n) for n in listed} - {""})),
                "Contracts let nationally (frameworks) that the anchor cannot re-let locally.",
            )
        )
    return rules


def _text(spend: pd.DataFrame, column: str) -> pd.Series:
    if column not in spend.columns:
        return pd.Series("", index=spend.index, dtype="string")
    return spend[column].astype("string").fillna("")


def _by_unique(values: pd.Series, func) -> pd.Series:
    """`func` of each distinct value, mapped back (names repeat thousands of times)."""
    return pd.Series(_each_distinct(values, func), index=values.index)


def _words_in(spend: pd.DataFrame, columns: Iterable[str], words: Iterable[str]) -> pd.Series:
    regex = words_regex(words)
    mask = pd.Series(False, index=spend.index)
    if regex is None:
        return mask
    for col in columns:
        text = _text(spend, col).str.replace("&", " and ", regex=False)
        mask |= _by_unique(text, lambda t: _found(regex, t)).astype(bool)
    return mask


# A notebook classifies the same spend more than once (all kept spend, then a year of it for the
# influenceable rules): each payee name is normalised, and each text searched, once per process.
@lru_cache(maxsize=1 << 16)
def _normalised(name: str) -> str:
    return normalise_name(name)


@lru_cache(maxsize=1 << 16)
def _found(regex: re.Pattern, text: str) -> bool:
    return bool(regex.search(text))


def _anchor_match(spend: pd.DataFrame, names: Mapping[str, frozenset[str]], own: bool) -> pd.Series:
    """Payments to the paying anchor itself (`own`) or to another anchor of the config."""
    anchor_codes, anchors = pd.factorize(_text(spend, "anchor"))
    name_codes, payees = pd.factorize(_text(spend, "supplier_name"))
    anchors, payees = list(anchors), list(payees)
    # Each distinct (anchor, payee) pair is tested once and the answer spread to its payments.
    width = max(len(payees), 1)
    pairs, rows = np.unique(anchor_codes.astype("int64") * width + name_codes, return_inverse=True)
    hits = np.zeros(len(pairs), dtype=bool)
    for i, pair in enumerate(pairs.tolist()):
        a, k = anchors[pair // width], name_keys(payees[pair % width])
        hits[i] = bool(k & names.get(a, frozenset())) if own else any(k & v for b, v in names.items() if b != a)
    return pd.Series(hits[rows.reshape(-1)], index=spend.index)


def _public_class(spend: pd.DataFrame, values: tuple[str, ...]) -> pd.Series:
    """By `public_class` (the registers' decision, when the spend carries it) or `supplier_type`
    (`public` is general government, `public_corporation` its own type)."""
    hit = spend["supplier_type"].astype("string").isin(values).fillna(False)
    if "public_class" in spend.columns:
        hit |= spend["public_class"].astype("string").isin(values).fillna(False)
    return hit.astype(bool)


def _published_not_influenceable(spend: pd.DataFrame) -> pd.Series:
    """The ledger's `ledger_influenceable` is false (null and absent: no word, nothing set aside)."""
    if LEDGER_FLAG not in spend.columns:
        return pd.Series(False, index=spend.index)
    return spend[LEDGER_FLAG].astype("boolean").eq(False).fillna(False).astype(bool)


def rules_shown(spend: pd.DataFrame, rules: list[ExclusionRule]) -> list[ExclusionRule]:
    """The rules a table of exclusions lists for `spend`: all, less the ledger's flag where no
    ledger gave one (so spend without it is shown as before)."""
    given = LEDGER_FLAG in spend.columns and bool(spend[LEDGER_FLAG].notna().any())
    return [r for r in rules if r.kind != "ledger_flag" or given]


def _division(spend: pd.DataFrame) -> pd.Series:
    div = _text(spend, "sic_division").str.strip()
    return div.str.zfill(2).where(div != "")


def rule_mask(spend: pd.DataFrame, rule: ExclusionRule) -> pd.Series:
    """The payments `rule` matches (whatever an earlier rule took)."""
    if rule.kind in ("self", "inter_anchor"):
        return _anchor_match(spend, rule.names, own=rule.kind == "self")
    if rule.kind == "individual":
        return _is_individual(spend)
    if rule.kind == "payee_words":
        return _words_in(spend, ["supplier_name"], rule.values)
    if rule.kind == "expense_words":
        return _words_in(spend, TRANSFER_FIELDS, rule.values)
    if rule.kind == "public_class":
        return _public_class(spend, rule.values)
    if rule.kind == "ledger_flag":
        return _published_not_influenceable(spend)
    if rule.kind == "supplier_type":
        return spend["supplier_type"].astype("string").isin(rule.values).fillna(False).astype(bool)
    if rule.kind == "sic_division":
        return _division(spend).isin(rule.values).fillna(False).astype(bool)
    if rule.kind == "supplier":
        return _by_unique(_text(spend, "supplier_name"), _normalised).isin(set(rule.values)).astype(bool)
    raise ValueError(f"unknown exclusion rule kind {rule.kind!r}")


# --------------------------------------------------------------------------------------------
# Classifying the spend


def classify(spend: pd.DataFrame, rules: list[ExclusionRule]) -> pd.DataFrame:
    """The spend with `excluded_by` (the first rule a payment meets, NA when none), `excluded_as`
    (its category), `exclusion_scope` (`base` or `influenceable`), `in_base`, `influenceable` and
    `grant` (the ledger's expense category or description says grant; kept in the base)."""
    out = spend.drop(columns=[c for c in CLASSIFIED_COLUMNS if c in spend.columns]).copy()
    # Each payment's first rule as a number (len(rules): none), then the three text columns at once.
    first = np.full(len(out), len(rules), dtype="int64")
    for i, rule in enumerate(rules):
        first[rule_mask(out, rule).to_numpy(dtype=bool) & (first == len(rules))] = i

    def text(values: list[str]) -> pd.Series:
        return pd.Series(np.array([*values, None], dtype=object)[first], index=out.index, dtype="string")

    by = text([r.name for r in rules])
    category = text([r.category for r in rules])
    scope = text([r.scope for r in rules])
    out["excluded_by"] = by
    out["excluded_as"] = category
    out["exclusion_scope"] = scope
    out["in_base"] = (scope != "base").fillna(True).astype(bool)
    out["influenceable"] = by.isna().to_numpy()
    out["grant"] = _words_in(out, TRANSFER_FIELDS, ["grant"]).to_numpy()
    return out


def is_classified(spend: pd.DataFrame) -> bool:
    return all(c in spend.columns for c in CLASSIFIED_COLUMNS)


def classified(spend: pd.DataFrame, defs: AnalysisDefinitions, bodies: pd.DataFrame | None = None) -> pd.DataFrame:
    """`spend` as it is when already classified, else classified by the base's rules (no register
    of public bodies unless given: each anchor known by its own name). Its `influenceable` column is
    then the base's: classify with every rule (`exclusion_rules`) for influenceable spend."""
    if is_classified(spend):
        return spend
    return classify(spend, exclusion_rules(defs, bodies, influenceable=False))


def analysed(spend: pd.DataFrame, base: str = "procurement") -> pd.DataFrame:
    """The spend the headline is measured on (`definitions.base`): the procurement base's payments
    (`procurement`) or every kept payment (`all`). `spend` is classified (`classify`)."""
    if base == "all":
        return spend
    if base != "procurement":
        raise ValueError(f"base must be 'procurement' or 'all', not {base!r}")
    return spend[spend["in_base"].astype(bool)]


def excluded_pence(spend: pd.DataFrame) -> dict[str, int]:
    """Pence the base's rules set aside, by category (`BASE_CATEGORIES`, every one, 0 when none)."""
    base_rule = (spend["exclusion_scope"] == "base").fillna(False).astype(bool)
    by = _pence_by(spend["amount_pence"], spend["excluded_as"].astype("string").where(base_rule))
    return {c: by.get(c, 0) for c in BASE_CATEGORIES}


# --------------------------------------------------------------------------------------------
# Where every pound went


def _steps(part: pd.DataFrame, rules: list[ExclusionRule]) -> list[dict]:
    amount = part["amount_pence"].astype("int64")
    by = part["excluded_by"].astype("string")
    rows = [{"line": "All kept spend", "scope": "", "payments": len(part), "spend_pence": _pence(amount)}]
    left = _pence(amount)

    def step(rule: ExclusionRule) -> dict:
        nonlocal left
        hit = (by == rule.name).fillna(False).astype(bool)
        pence = _pence(amount[hit])
        left -= pence
        return {"line": rule.name, "scope": rule.scope, "payments": int(hit.sum()), "spend_pence": -pence}

    rows += [step(r) for r in rules if r.scope == "base"]
    base = part["in_base"].astype(bool)
    rows.append({"line": PROCUREMENT_LINE, "scope": "", "payments": int(base.sum()), "spend_pence": left})
    for label, mask in (
        ("of which grants (the ledger says so)", base & _flag(part, "grant")),
        (
            "of which public corporations (kept, shown apart)",
            base & _public_class(part, ("public_corporation",)),
        ),
    ):
        rows.append({"line": label, "scope": "memo", "payments": int(mask.sum()), "spend_pence": _pence(amount[mask])})
    rows += [step(r) for r in rules_shown(part, rules) if r.scope == "influenceable"]
    keep = part["influenceable"].astype(bool)
    rows.append({"line": INFLUENCEABLE_LINE, "scope": "", "payments": int(keep.sum()), "spend_pence": left})
    return rows


def where_every_pound(spend: pd.DataFrame, rules: list[ExclusionRule], by_anchor: bool = False) -> pd.DataFrame:
    """From all kept spend through each exclusion to procurement spend (the base), then through the
    influenceable-only rules to influenceable spend: one row per rule in the order applied, each
    excluded amount negative, so the lines above a subtotal add up to it, to the penny. Memo lines
    (grants, public corporations) are parts of the base, not steps. `spend` is classified with
    `rules`; with `by_anchor`, all anchors first, then each anchor."""
    groups = [("All anchors", spend)]
    if by_anchor:
        groups += [(a, spend[spend["anchor"].astype(str) == a]) for a in sorted(spend["anchor"].astype(str).unique())]
    frames = []
    for anchor, part in groups:
        rows = pd.DataFrame(_steps(part, rules))
        total = int(rows["spend_pence"].iloc[0])
        rows["share_of_total"] = rows["spend_pence"] / total if total else float("nan")
        rows.insert(0, "anchor", anchor)
        frames.append(rows)
    out = pd.concat(frames, ignore_index=True)
    out["spend_pence"] = out["spend_pence"].astype("int64")
    return out if by_anchor else out.drop(columns="anchor")


def base_note(base: str, spend: pd.DataFrame) -> str:
    """What the figures are measured on, for a report: the base and its pounds of all kept spend."""
    amount = spend["amount_pence"].astype("int64")
    total = _pence(amount)
    if base == "all":
        return (
            f"Measured on all kept spend ({gbp(total)}), `definitions.base: all`: transfers and public bodies included."
        )
    kept = _pence(amount[spend["in_base"].astype(bool)])
    return (
        f"Measured on procurement spend (`definitions.base: procurement`): {gbp(kept)} of {gbp(total)} kept "
        "spend, after the anchors' payments to themselves and each other, to individuals, transfers and "
        "public bodies are set aside (see 'Where every pound went')."
    )
