"""The baseline's headline figures as words, as the baseline block of summary.json, and beside the
figures others published.

summary.json's schema is docs/SUMMARY.md: each year's figures on the base the config names
(`definitions.base`, `analysis.base`), the same on all kept spend, and what the base set aside. The
prose quotes every share with its bounds, and says why when a share is not given.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from ..definitions import AnalysisDefinitions
from ..formats import gbp as _gbp
from ..formats import pct as _pct
from . import base as _base
from .baseline import (
    _is_individual,
    _located,
    _pence,
    _ratio,
    anchors_in,
    for_year,
    located_by_basis,
    measures,
    sme_measurable,
)
from .comparable import row_months

# --------------------------------------------------------------------------------------------
# summary.json: the baseline part (schema: docs/SUMMARY.md)


def _summary_block(m: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "total_gbp": m["total"] / 100,
        "place_gbp": m["place"] / 100,
        "place_share": m["place_share"],
        "wider_gbp": m["wider"] / 100,
        "wider_share": m["wider_share"],
        "outside_gbp": m["outside"] / 100,
        "unlocated_gbp": m["unlocated"] / 100,
        "located_share": m["located_share"],
        "place_share_bounds": [m["place_share_lo"], m["place_share_hi"]],
        "wider_share_bounds": [m["wider_share_lo"], m["wider_share_hi"]],
        "sme_share": m["sme_share"],
        "sme_share_bounds": [m["sme_share_lo"], m["sme_share_hi"]],
        "vcse_share": m["vcse_share"],
        "vcse_share_bounds": [m["vcse_share_lo"], m["vcse_share_hi"]],
        "deprived_share": m["deprived_share"],
        "deprived_share_bounds": [m["deprived_share_lo"], m["deprived_share_hi"]],
        "note": m["note"] or None,
        # Where firms trade: office-placed spend, and the part of it the bounds count as unknown.
        "office_placed_gbp": m["office"] / 100,
        "office_placed_share": m["office_share"],
        "branch_unknown_gbp": {"place": m["branch_place"] / 100, "wider": m["branch_wider"] / 100},
        "central_note": m["central_note"] or None,
    }


def months_covered(spend: pd.DataFrame) -> int:
    """Calendar months of one year's spend with a payment dated in them, or stated by the period of
    the file or sheet an undated payment came from (`comparable.row_months`)."""
    mask = int(np.bitwise_or.reduce(row_months(spend).to_numpy())) if len(spend) else 0
    return bin(mask).count("1")


def top_supplier_share(spend: pd.DataFrame) -> float:
    """The largest single payee's share of the spend (individuals, many payees, left out): NaN when
    the spend is not above zero."""
    total = _pence(spend["amount_pence"])
    named = spend[["supplier_key", "amount_pence"]][(~_is_individual(spend)).to_numpy(dtype=bool)]
    per = named.groupby(named["supplier_key"].astype("string"))["amount_pence"].sum()
    return float(per.max()) / total if total > 0 and len(per) else float("nan")


def _block(defs: AnalysisDefinitions, spend: pd.DataFrame, sme_measured: bool) -> dict[str, Any]:
    """One year's (or one anchor's) block from its classified kept spend."""
    shown = _base.analysed(spend, defs.base)
    months = months_covered(spend)
    limit = defs.office_share_limit
    return {
        "base": defs.base,
        **_summary_block(measures(shown, defs.deprived_deciles, sme_measured, limit)),
        "located_by_basis_gbp": {k: v / 100 for k, v in located_by_basis(shown).items()},
        "all_spend": _summary_block(measures(spend, defs.deprived_deciles, sme_measured, limit)),
        "excluded_gbp": {k: v / 100 for k, v in _base.excluded_pence(spend).items()},
        "months_covered": months,
        "partial": months < 12,
        "top_supplier_share": top_supplier_share(shown),
    }


def year_summary(
    defs: AnalysisDefinitions, spend: pd.DataFrame, sme_measured: bool = True, bodies: pd.DataFrame | None = None
) -> dict[str, Any]:
    """One year's block of summary.json from its kept spend (classified with `base.classify`, else
    classified here by the base's rules, `bodies` the register of public bodies): the measures on
    the base, on all kept spend, what the base set aside, and `anchors: {name: ...}`."""
    spend = _base.classified(spend, defs, bodies)
    block = _block(defs, spend, sme_measured)
    block["anchors"] = {
        a: _block(defs, spend[spend["anchor"].astype(str) == a], sme_measured) for a in anchors_in(spend)
    }
    return block


def baseline_summary(
    defs: AnalysisDefinitions, spend: pd.DataFrame, year: str, bodies: pd.DataFrame | None = None
) -> dict[str, Any]:
    """The baseline part of summary.json for `year` (docs/SUMMARY.md). `spend` is all kept spend."""
    return {
        "city": defs.name,
        "slug": defs.slug,
        "synthetic": defs.synthetic,
        "baseline_year": year,
        "base": defs.base,
        "anchor_kinds": dict(defs.anchors),
        "place": {"name": defs.place_name, "lad_codes": list(defs.place_lads)},
        "wider_area": {"name": defs.wider_name or "", "lad_codes": list(defs.wider_lads)},
        "years": {year: year_summary(defs, for_year(spend, year), sme_measurable(spend, defs), bodies)},
        "published": published_summary(defs, spend, bodies),
    }


# --------------------------------------------------------------------------------------------
# Published figures beside ours

_POUNDS = {"total": "total", "place": "place", "wider": "wider", "leakage": "outside"}


def _ours(m: Mapping[str, Any], measure: str) -> tuple[float, float, float]:
    """Our central figure and bounds for a published measure: pounds, or a share (fraction)."""
    if measure in ("place_share", "wider_share"):
        key = measure.removesuffix("_share")
        return m[f"{key}_share"], m[f"{key}_share_lo"], m[f"{key}_share_hi"]
    pence = m[_POUNDS[measure]]
    if measure == "total":
        return pence / 100, pence / 100, pence / 100
    # Unlocated spend could be any of it: the upper bound counts all of it in; so with large firms
    # placed by an office outside, which may trade inside (`baseline.may_branch`).
    if measure == "leakage":
        return pence / 100, (pence - m["branch_wider"]) / 100, (pence + m["unlocated"]) / 100
    return pence / 100, pence / 100, (pence + m["unlocated"] + m[f"branch_{_POUNDS[measure]}"]) / 100


def published_beside(
    defs: AnalysisDefinitions, spend: pd.DataFrame, bodies: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Each figure the config says someone published (`published:`), with their definition of
    local, source and year, beside ours for that year: central figure and bounds on our base, and
    the central figure on all kept spend. Shown, never tuned to. `spend` is all kept spend."""
    cols = [
        "year",
        "measure",
        "published",
        "their_definition",
        "source",
        "our_base",
        "ours",
        "ours_lo",
        "ours_hi",
        "ours_all_spend",
        "note",
    ]
    years = set(spend["financial_year"].astype(str))
    rows = []
    for p in defs.published:
        row = {
            "year": p.year,
            "measure": p.measure,
            "published": p.value,
            "their_definition": p.definition or "not stated",
            "source": p.source,
            "our_base": defs.base,
        }
        if p.year not in years:
            rows.append({**row, "note": f"no kept spend in {p.year}"})
            continue
        every = _base.classified(for_year(spend, p.year), defs, bodies)
        m = measures(_base.analysed(every, defs.base), defs.deprived_deciles, office_limit=defs.office_share_limit)
        ours, lo, hi = _ours(m, p.measure)
        rows.append(
            {
                **row,
                "ours": ours,
                "ours_lo": lo,
                "ours_hi": hi,
                "ours_all_spend": _ours(
                    measures(every, defs.deprived_deciles, office_limit=defs.office_share_limit), p.measure
                )[0],
                "note": m["note"],
            }
        )
    return pd.DataFrame(rows, columns=cols)


def published_summary(
    defs: AnalysisDefinitions, spend: pd.DataFrame, bodies: pd.DataFrame | None = None
) -> list[dict[str, Any]]:
    """summary.json's `published`: `published_beside` as a list, one entry per published figure in
    the config's order (docs/SUMMARY.md). Empty when the config gives none."""
    rows = published_beside(defs, spend, bodies).to_dict("records")
    return [
        {
            "year": p.year,
            "measure": p.measure,
            "unit": "share" if p.measure.endswith("_share") else "gbp",
            "value": p.value,
            "definition": p.definition,
            "source": p.source,
            "base": r["our_base"],
            "ours": r["ours"],
            "ours_bounds": [r["ours_lo"], r["ours_hi"]],
            "ours_all_spend": r["ours_all_spend"],
            "note": r["note"] or None,
        }
        for p, r in zip(defs.published, rows, strict=True)
    ]


def published_note(defs: AnalysisDefinitions) -> str:
    """What the published-figures table is based on, or that the config gives none."""
    if not defs.published:
        return "This config gives no published figures (`published:`): nothing to set beside ours."
    n = len(defs.published)
    return f"The config's {n} published figure{'s' if n != 1 else ''}; ours from the ledgers, on our base."


# --------------------------------------------------------------------------------------------
# Prose for the report


def year_label(year: str, months: int = 12) -> str:
    """A year as readers see it wherever a figure from it appears: `2019/20 (partial: 9 months)`."""
    return year if months >= 12 else f"{year} (partial: {months} months, not annualised)"


def headline_text(
    m: Mapping[str, Any], place_name: str, wider_name: str, year: str, base: str = "procurement", months: int = 12
) -> str:
    """The headline in two sentences of Markdown, every share with its bounds; when the spend is
    not above zero, the pounds and why no share is given. A partial year says so."""
    what = "procurement spend" if base == "procurement" else "all kept spend"
    year = year_label(year, months)
    if not m.get("meaningful", True):
        return (
            f"In {year} the anchors' net {what} was **{_gbp(m['total'])}**: {m['note']}. Of it, "
            f"{_gbp(m['place'])} went to suppliers in {place_name}, {_gbp(m['wider'])} to suppliers in "
            f"{wider_name} and {_gbp(m['outside'])} outside; {_gbp(m['unlocated'])} could not be located."
        )
    unknown = "all unlocated spend"
    if m.get("branch_place"):
        unknown += f" and large firms' spend placed by an office outside {place_name} ({_gbp(m['branch_place'])})"
    bounds = (
        f"If {unknown} were outside, the {place_name} share would be {_pct(m['place_share_lo'])}; if it "
        f"were all inside, {_pct(m['place_share_hi'])} (for {wider_name}: {_pct(m['wider_share_lo'])} to "
        f"{_pct(m['wider_share_hi'])})."
    )
    located = (
        f"In {year} the anchors' {what} was **{_gbp(m['total'])}**. Of the spend that could be located "
        f"({_gbp(m['located'])}, {_pct(m['located_share'])} of the total), "
    )
    if m.get("central_note"):
        return (
            f"{located}{_gbp(m['place'])} was placed in {place_name} and {_gbp(m['wider'])} in {wider_name}, "
            f"{place_name} included; {_gbp(m['outside'])} was placed outside {wider_name}"
            + (
                f", {_gbp(m['branch_wider'])} of it only by a large firm's head or registered office (the firm may "
                f"trade through a branch nearer)"
                if m.get("branch_wider")
                else ""
            )
            + f". No central share is given: {m['central_note']}. {bounds}"
        )
    return (
        f"{located}**{_pct(m['place_share'])}** went to "
        f"suppliers in {place_name} ({_gbp(m['place'])}) and **{_pct(m['wider_share'])}** to suppliers in "
        f"{wider_name}, {place_name} included ({_gbp(m['wider'])}); {_gbp(m['outside'])} left {wider_name}. "
        f"{bounds}"
    )


# What each `location_basis` means, for readers (`schema.LOCATION_BASES` order).
LOCATION_BASIS_NAMES = {
    "ledger_postcode": "Postcode in the ledger or creditor file",
    "officer_checked": "Branch confirmed by an officer (address check)",
    "trading_site": "Trading site (school, GP practice, hospital site, care home, crosswalk)",
    "registered_office": "Registered office (Companies House)",
    "head_office": "Head office (Gender Pay Gap employer, NHS headquarters)",
    "register_address": "Register address (co-op, charity)",
    "postcode_district": "Postcode district only",
}


def location_basis_table(spend: pd.DataFrame) -> pd.DataFrame:
    """Located spend by the address that placed it, with its share of located spend (pounds)."""
    by = located_by_basis(spend)
    located = sum(by.values())
    return pd.DataFrame(
        {
            "location_basis": list(by),
            "address": [LOCATION_BASIS_NAMES[b] for b in by],
            "spend_gbp": [v / 100 for v in by.values()],
            "share_of_located": [_ratio(v, located) if located > 0 else float("nan") for v in by.values()],
        }
    )


def location_note(spend: pd.DataFrame, place_name: str, lad_codes: list[str] | tuple[str, ...]) -> str:
    """Which address defines "in the place", and the share of located spend each kind of address
    placed: said on every report page that shows a place share."""
    by = located_by_basis(spend)
    located = sum(by.values())
    office = by["head_office"] + by["registered_office"]
    parts = [
        f"{_pct(_ratio(v, located))} {LOCATION_BASIS_NAMES[b].split(' (')[0].lower()}"
        for b, v in by.items()
        if v and located > 0
    ]
    text = (
        f'"In {place_name}" means a supplier whose address lies in {", ".join(lad_codes)}: the ledger\'s '
        "postcode, a branch an officer confirmed or a trading site when there is one, else the head or "
        "registered office, which says where a firm is based, not where it trades. "
    )
    if located <= 0:
        return text + "No spend was located."
    return text + (
        f"Of located spend ({_gbp(located)}), {'; '.join(parts)}. {_pct(_ratio(office, located))} was placed by a "
        "head or registered office: a large firm so placed outside the place may have a local branch, so the "
        "bounds count it as unknown."
    )


# Said wherever location is reported without it (and by `make reference`, README).
COMPANIES_HOUSE_MISSING = (
    "Without Companies House BasicCompanyData (`cwb reference download companies-house`, then "
    "`cwb reference build --companies FILE`) most firms cannot be located or sized: only large "
    "employers' head offices and a few registers place them."
)


def coverage_note(spend: pd.DataFrame, what: str = "", companies_house: bool | None = None) -> str:
    """`Based on 1,234 payments by 6 anchors in 2012/13; £X of £Y located to a postcode (Z%).`, with
    the spend officers placed (the address check) and, when `companies_house` is False, what is missing."""
    amount = spend["amount_pence"].astype("int64")
    total, located = _pence(amount), _pence(amount[_located(spend)])
    years = sorted(spend["financial_year"].dropna().astype(str).unique())
    n_anchors = spend["anchor"].nunique()
    year_text = years[0] if len(years) == 1 else (f"{years[0]} to {years[-1]}" if years else "no year")
    text = (
        f"based on {len(spend):,} payments by {n_anchors} anchor{'s' if n_anchors != 1 else ''} in "
        f"{year_text}; {_gbp(located)} of {_gbp(total)} located to a postcode "
        f"({_pct(_ratio(located, total))})."
    )
    if "resolved_by" in spend:
        checked = _pence(amount[spend["resolved_by"].astype("string").eq("officer_checked").fillna(False)])
        if checked:
            text = text[:-1] + f"; {_gbp(checked)} placed by officers' address checks."
    if companies_house is False:
        text += f" {COMPANIES_HOUSE_MISSING}"
    text = f"{what}: {text}" if what else text
    return text[0].upper() + text[1:]
