"""The baseline's headline figures as words and as the baseline block of summary.json.

summary.json's schema is docs/SUMMARY.md; the prose quotes every share with its bounds.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd

from ..definitions import AnalysisDefinitions
from ..formats import gbp as _gbp
from ..formats import pct as _pct
from .baseline import _located, _pence, _ratio, anchors_in, for_year, measures, sme_measurable

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
    }


def year_summary(spend: pd.DataFrame, deprived_deciles: Iterable[int], sme_measured: bool = True) -> dict[str, Any]:
    """One year's block of summary.json: the measures for all anchors and `anchors: {name: ...}`."""
    block = _summary_block(measures(spend, deprived_deciles, sme_measured))
    block["anchors"] = {
        a: _summary_block(measures(spend[spend["anchor"].astype(str) == a], deprived_deciles, sme_measured))
        for a in anchors_in(spend)
    }
    return block


def baseline_summary(defs: AnalysisDefinitions, spend: pd.DataFrame, year: str) -> dict[str, Any]:
    """The baseline part of summary.json for `year` (docs/SUMMARY.md)."""
    return {
        "city": defs.name,
        "slug": defs.slug,
        "synthetic": defs.synthetic,
        "baseline_year": year,
        "place": {"name": defs.place_name, "lad_codes": list(defs.place_lads)},
        "wider_area": {"name": defs.wider_name or "", "lad_codes": list(defs.wider_lads)},
        "years": {year: year_summary(for_year(spend, year), defs.deprived_deciles, sme_measurable(spend, defs))},
    }


# --------------------------------------------------------------------------------------------
# Prose for the report


def headline_text(m: Mapping[str, Any], place_name: str, wider_name: str, year: str) -> str:
    """The headline in two sentences of Markdown, every share with its bounds."""
    return (
        f"In {year} the anchors spent **{_gbp(m['total'])}**. Of the spend that could be located "
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
