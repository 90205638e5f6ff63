"""The baseline's headline figures as words, as the baseline block of summary.json, and beside the
figures others published.

summary.json's schema is docs/SUMMARY.md: each year's figures on the base the config names
(`definitions.base`, `analysis.base`), the same on all kept spend, and what the base set aside. The
prose quotes every share with its bounds, and says why when a share is not given.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from ..definitions import AnalysisDefinitions
from ..formats import gbp as _gbp
from ..formats import pct as _pct
from . import base as _base
from .baseline import _is_individual, _located, _pence, _ratio, anchors_in, for_year, measures, sme_measurable

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
    }


def months_covered(spend: pd.DataFrame) -> int:
    """Calendar months with at least one dated payment."""
    dates = pd.to_datetime(spend["payment_date"], errors="coerce").dropna()
    return int(dates.dt.to_period("M").nunique())


def top_supplier_share(spend: pd.DataFrame) -> float:
    """The largest single payee's share of the spend (individuals, many payees, left out): NaN when
    the spend is not above zero."""
    total = _pence(spend["amount_pence"])
    named = spend[~_is_individual(spend)]
    per = named.groupby(named["supplier_key"].astype("string"))["amount_pence"].sum()
    return float(per.max()) / total if total > 0 and len(per) else float("nan")


def _block(defs: AnalysisDefinitions, spend: pd.DataFrame, sme_measured: bool) -> dict[str, Any]:
    """One year's (or one anchor's) block from its classified kept spend."""
    shown = _base.analysed(spend, defs.base)
    months = months_covered(spend)
    return {
        "base": defs.base,
        **_summary_block(measures(shown, defs.deprived_deciles, sme_measured)),
        "all_spend": _summary_block(measures(spend, defs.deprived_deciles, sme_measured)),
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
    # Unlocated spend could be any of it: the upper bound counts all of it in.
    return pence / 100, pence / 100, (pence + m["unlocated"]) / 100


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
        m = measures(_base.analysed(every, defs.base), defs.deprived_deciles)
        ours, lo, hi = _ours(m, p.measure)
        rows.append(
            {
                **row,
                "ours": ours,
                "ours_lo": lo,
                "ours_hi": hi,
                "ours_all_spend": _ours(measures(every, defs.deprived_deciles), p.measure)[0],
                "note": m["note"],
            }
        )
    return pd.DataFrame(rows, columns=cols)


def published_note(defs: AnalysisDefinitions) -> str:
    """What the published-figures table is based on, or that the config gives none."""
    if not defs.published:
        return "This config gives no published figures (`published:`): nothing to set beside ours."
    n = len(defs.published)
    return f"The config's {n} published figure{'s' if n != 1 else ''}; ours from the ledgers, on our base."


# --------------------------------------------------------------------------------------------
# Prose for the report


def headline_text(m: Mapping[str, Any], place_name: str, wider_name: str, year: str, base: str = "procurement") -> str:
    """The headline in two sentences of Markdown, every share with its bounds; when the spend is
    not above zero, the pounds and why no share is given."""
    what = "procurement spend" if base == "procurement" else "all kept spend"
    if not m.get("meaningful", True):
        return (
            f"In {year} the anchors' net {what} was **{_gbp(m['total'])}**: {m['note']}. Of it, "
            f"{_gbp(m['place'])} went to suppliers in {place_name}, {_gbp(m['wider'])} to suppliers in "
            f"{wider_name} and {_gbp(m['outside'])} outside; {_gbp(m['unlocated'])} could not be located."
        )
    return (
        f"In {year} the anchors' {what} was **{_gbp(m['total'])}**. Of the spend that could be located "
        f"({_gbp(m['located'])}, {_pct(m['located_share'])} of the total), **{_pct(m['place_share'])}** went to "
        f"suppliers in {place_name} ({_gbp(m['place'])}) and **{_pct(m['wider_share'])}** to suppliers in "
        f"{wider_name}, {place_name} included ({_gbp(m['wider'])}); {_gbp(m['outside'])} left {wider_name}. "
        f"If all unlocated spend were outside, the {place_name} share would be {_pct(m['place_share_lo'])}; if it "
        f"were all inside, {_pct(m['place_share_hi'])} (for {wider_name}: {_pct(m['wider_share_lo'])} to "
        f"{_pct(m['wider_share_hi'])})."
    )


def coverage_note(spend: pd.DataFrame, what: str = "") -> str:
    """`Based on 1,234 payments by 6 anchors in 2012/13; £X of £Y located to a postcode (Z%).`"""
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
    text = f"{what}: {text}" if what else text
    return text[0].upper() + text[1:]
