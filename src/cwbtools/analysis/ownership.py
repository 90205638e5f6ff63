"""Plural ownership: spend with co-operatives and mutuals, charities and CIOs, community interest
companies (CICs) and housing associations, in the place, the rest of the wider area, outside and
unlocated (issue 19 point 6; the Key Cities inclusive-economy priorities).

Only what identifiers and registers show counts: a payee's name never makes it a co-operative or a
charity, so every figure is a floor. Each supplier is in at most one category, the first whose
evidence it has (`OWNERSHIP`), so the categories add up. A category the data at hand cannot measure
(CICs without Companies House, charities with neither the ledger's charity numbers nor the full
Charity Commission register) is reported as `not measured: needs ...`, never as zero.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from ..suppliers.classify import REGISTERED_SOCIETY_NUMBER
from .baseline import _geo_columns, _pence

# (category, label), in the order evidence is tried: a housing co-op on Co-operatives UK's list is
# a co-operative; a housing association registered as a society is a housing association, not a
# mutual; a CIC is never a charity.
OWNERSHIP = (
    ("coops_mutuals", "Co-operatives and mutuals"),
    ("housing_associations", "Housing associations"),
    ("cics", "Community interest companies (CICs)"),
    ("charities", "Charities and CIOs"),
)
LABELS = dict(OWNERSHIP)
ALL_PLURAL = ("plural_ownership", "All plural ownership (categories measured)")
ALL_BASE = ("base", "All spend on the base")

# A CIO registered at Companies House has a CE (England and Wales) or CS (Scotland) number.
CIO_NUMBER = r"^(?:CE|CS)\d"
# The full Charity Commission register lists about 170,000 main charities; the shared extract one
# area's 736. Below this the register cannot say a payee is not a charity.
FULL_CHARITY_REGISTER_ROWS = 100_000

NEEDS = {
    "coops_mutuals": "needs the Co-operatives UK register (`cwb reference build`)",
    "cics": (
        "needs Companies House BasicCompanyData (`cwb reference download companies-house`, then "
        "`cwb reference build --companies FILE` or `companies_file` in the config): only its company "
        "category says a company is a CIC"
    ),
    "charities": (
        "needs charity numbers in the ledger or the full Charity Commission register (the register at "
        "hand lists one area's charities)"
    ),
    "housing_associations": (
        "needs the register of public bodies (`cwb reference build`): only it tells a non-profit housing "
        "association from a for-profit provider"
    ),
}
# Found by a pattern in its name only: no register vouches for it.
_NAME_PATTERN = "name pattern"
# `public_bodies.parquet` notes a registered provider's designation: `registered provider 4764 (Profit)`.
_FOR_PROFIT = r"\(profit\)$"
MEASURED = "measured"


def _text(frame: pd.DataFrame, column: str) -> pd.Series:
    if column not in frame.columns:
        return pd.Series(pd.NA, index=frame.index, dtype="string")
    return frame[column].astype("string").str.strip().replace("", pd.NA)


# The registers (23,000 rows) and public bodies (88,000) have a handful of sources: their text is
# trimmed once per distinct value, not per row.
def _distinct(frame: pd.DataFrame, column: str) -> pd.DataFrame:
    return pd.DataFrame({column: frame[column].drop_duplicates()})


def _sources(registers: pd.DataFrame) -> set[str]:
    if "source" not in registers.columns:
        return set()
    return set(_text(_distinct(registers, "source"), "source").dropna())


def _is(frame: pd.DataFrame, column: str, value: str) -> pd.Series:
    """`_text(frame, column).eq(value)`, missing as False."""
    if column not in frame.columns:
        return pd.Series(False, index=frame.index)
    distinct = _distinct(frame, column)
    hits = distinct.loc[_text(distinct, column).eq(value).fillna(False).to_numpy(), column]
    return frame[column].isin(hits).fillna(False).astype(bool)


def not_measured(
    suppliers: pd.DataFrame, registers: pd.DataFrame, bodies: pd.DataFrame | None = None
) -> dict[str, str]:
    """Each category the data at hand cannot measure, with what it needs (measured ones left out)."""
    sources = _sources(registers)
    out = {}
    if bodies is None:
        out["housing_associations"] = NEEDS["housing_associations"]
    if not {"coops_uk", "companies_house"} & sources:
        out["coops_mutuals"] = NEEDS["coops_mutuals"]
    if "companies_house" not in sources:
        out["cics"] = NEEDS["cics"]
    # The ledger's own charity numbers are any not taken from a charity-register match.
    from_ledger = _text(suppliers, "charity_number").notna() & _text(suppliers, "register_source").ne(
        "charity_commission"
    ).fillna(True)
    charity_rows = int(_is(registers, "source", "charity_commission").sum())
    if not from_ledger.any() and charity_rows < FULL_CHARITY_REGISTER_ROWS:
        out["charities"] = NEEDS["charities"]
    return out


def _non_profit_housing(suppliers: pd.DataFrame, bodies: pd.DataFrame | None) -> pd.Series:
    """A housing association a register vouches for (not a name pattern) and no for-profit
    registered provider: a for-profit provider is a company like any other."""
    kind = _text(suppliers, "public_kind").eq("housing_association").fillna(False)
    evidence = _text(suppliers, "public_evidence")
    named_only = evidence.str.startswith(_NAME_PATTERN).fillna(False)
    if bodies is None:
        return kind & ~named_only
    rsh = bodies[_is(bodies, "source", "rsh").to_numpy()]
    profit = set(rsh.loc[_text(rsh, "note").str.lower().str.contains(_FOR_PROFIT).fillna(False).to_numpy(), "body_id"])
    ids = evidence.fillna("").str.findall(r"\brsh:[\w-]+")
    for_profit = ids.map(lambda found: bool(profit.intersection(found))).astype(bool)
    return kind & ~named_only & ~for_profit


def ownership_of(suppliers: pd.DataFrame, registers: pd.DataFrame, bodies: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per supplier (CONTRACTS §3): `supplier_key`, `ownership` (a category of `OWNERSHIP`, or null)
    and `ownership_evidence`. `registers` (CONTRACTS §2) gives the Companies House category of a
    supplier's company number, `bodies` (`public_bodies.parquet`) a housing association's
    designation; categories `not_measured` are never given."""
    keys = suppliers["supplier_key"].astype("string")
    number = _text(suppliers, "company_number").str.upper()
    source = _text(suppliers, "register_source")
    regs = registers[_text(registers, "company_number").isin(set(number.dropna())).fillna(False).to_numpy()]
    regs = regs[_text(regs, "source").eq("companies_house").fillna(False).to_numpy()]
    ch_kind = number.map(dict(zip(_text(regs, "company_number"), _text(regs, "kind"), strict=True)))
    person = _text(suppliers, "supplier_type").eq("individual").fillna(False) | keys.eq("individual").fillna(False)
    if "individual" in suppliers.columns:
        person |= suppliers["individual"].astype("boolean").fillna(False)
    rules = [
        ("coops_mutuals", source.eq("coops_uk"), "Co-operatives UK register"),
        (
            "housing_associations",
            _non_profit_housing(suppliers, bodies),
            "register of social housing providers (non-profit), or of public bodies",
        ),
        ("coops_mutuals", ch_kind.eq("coop"), "Companies House category: registered society"),
        ("coops_mutuals", number.str.contains(REGISTERED_SOCIETY_NUMBER), "registered society number"),
        ("cics", ch_kind.eq("cic"), "Companies House category: community interest company"),
        ("charities", _text(suppliers, "charity_number").notna(), "charity number"),
        ("charities", number.str.contains(CIO_NUMBER), "CIO number"),
        ("charities", ch_kind.eq("charity"), "Companies House category: CIO"),
    ]
    skip = not_measured(suppliers, registers, bodies)
    ownership = pd.Series(pd.NA, index=suppliers.index, dtype="string")
    evidence = pd.Series(pd.NA, index=suppliers.index, dtype="string")
    for category, hit, why in rules:
        if category in skip:
            continue
        take = hit.fillna(False).astype(bool) & ownership.isna() & ~person.astype(bool)
        ownership = ownership.mask(take, category)
        evidence = evidence.mask(take, why)
    return pd.DataFrame({"supplier_key": keys, "ownership": ownership, "ownership_evidence": evidence})


def plural_ownership(
    spend: pd.DataFrame, suppliers: pd.DataFrame, registers: pd.DataFrame, bodies: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Spend with each plural-ownership category by geography (`baseline._geo_columns`: `wider`
    includes the place), each part also as a share of all the spend given (pass the base,
    `r.year_spend`), then their sum and the whole spend. `status` says `measured`, or
    `not measured: needs ...` with every figure of the row left empty."""
    owners = ownership_of(suppliers, registers, bodies).drop_duplicates("supplier_key")
    frame = spend.copy()
    frame["ownership"] = (
        frame["supplier_key"].astype("string").map(owners.set_index("supplier_key")["ownership"]).fillna("")
    )
    evidence = (
        # Only the evidence of suppliers this spend paid.
        owners[owners["supplier_key"].isin(set(frame["supplier_key"].astype("string").unique()))]
        .dropna(subset=["ownership"])
        .groupby("ownership")["ownership_evidence"]
        .agg(lambda e: "; ".join(sorted(set(e))))
    )
    total = _pence(frame["amount_pence"])
    by = _geo_columns(frame, "ownership").set_index("ownership")
    whole = _geo_columns(frame.assign(ownership="base"), "ownership").set_index("ownership")
    plural = _geo_columns(frame[frame["ownership"].ne("")].assign(ownership="plural_ownership"), "ownership")
    skip = not_measured(suppliers, registers, bodies)
    rows = []
    for category, label in (*OWNERSHIP, ALL_PLURAL, ALL_BASE):
        if category in skip:
            rows.append({"category": category, "ownership": label, "status": f"not measured: {skip[category]}"})
            continue
        source = {"base": whole, "plural_ownership": plural.set_index("ownership")}.get(category, by)
        got = source.loc[category] if category in source.index else None
        row = {"category": category, "ownership": label, "status": MEASURED}
        for part in ("total", "place", "wider", "outside", "unlocated"):
            row[f"{part}_pence"] = int(got[f"{part}_pence"]) if got is not None else 0
        row["suppliers"] = int(got["suppliers"]) if got is not None else 0
        for part in ("total", "place", "wider", "outside", "unlocated"):
            row[f"{part}_share_of_base"] = row[f"{part}_pence"] / total if total > 0 else float("nan")
        located = row["total_pence"] - row["unlocated_pence"]
        row["place_share_of_located"] = row["place_pence"] / located if located > 0 else float("nan")
        row["wider_share_of_located"] = row["wider_pence"] / located if located > 0 else float("nan")
        row["evidence"] = evidence.get(category, "")
        rows.append(row)
    out = pd.DataFrame(rows)
    if len(skip):
        measured = ", ".join(LABELS[c] for c, _ in OWNERSHIP if c not in skip)
        out.loc[out["category"].eq("plural_ownership"), "evidence"] = f"the sum of {measured} only"
    pence = [f"{p}_pence" for p in ("total", "place", "wider", "outside", "unlocated")]
    return out.astype({c: "Int64" for c in [*pence, "suppliers"]})[
        [
            "category",
            "ownership",
            "status",
            "suppliers",
            *pence,
            *[f"{p}_share_of_base" for p in ("total", "place", "wider", "outside", "unlocated")],
            "place_share_of_located",
            "wider_share_of_located",
            "evidence",
        ]
    ]


def ownership_summary(table: pd.DataFrame, year: str) -> dict[str, Any]:
    """summary.json's `plural_ownership` (docs/SUMMARY.md) from a `plural_ownership` table; no
    table (an input that was not there) gives no block."""
    if not isinstance(table, pd.DataFrame):
        return {}
    blocks = {}
    for row in table.to_dict("records"):
        measured = row["status"] == MEASURED
        block: dict[str, Any] = {
            "measured": measured,
            "not_measured": None if measured else row["status"].removeprefix("not measured: "),
        }
        for part in ("total", "place", "wider", "outside", "unlocated"):
            pence = row.get(f"{part}_pence")
            block[f"{part}_gbp"] = int(pence) / 100 if measured else None
        block["share"] = row["total_share_of_base"] if measured else None
        block["suppliers"] = int(row["suppliers"]) if measured else None
        blocks[row["category"]] = block
    return {"plural_ownership": {"year": str(year), **blocks}}
