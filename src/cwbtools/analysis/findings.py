"""What a report page says first (issue 22): one screen a councillor reads before the sections.

A `Brief` holds, for one year: all kept and procurement spend; where the base went (the place, the
rest of the wider area, elsewhere, not known) in pounds, with the place and wider shares as bounds
and a central figure only where `baseline.measures` gives one; the located share and the one thing
that would raise it most; the caveats that change the reading; and three findings and the next
steps, each naming the section of the page (its heading) that shows it. Computed here from the
tables the sections use; `report.summary_page` only draws it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from ..definitions import AnalysisDefinitions
from ..formats import gbp as _gbp
from ..formats import pct as _pct
from .baseline import (
    ALL_ANCHORS,
    _each_distinct,
    _flag,
    _is_individual,
    _located,
    _pence,
    _ratio,
    for_year,
    measures,
    sme_measurable,
)
from .headlines import months_covered, top_supplier_share

#: One payee with at least this share of the base dominates it (a flag wherever shares are read:
#: the summary, the index and the comparison page). A share resting on one contract moves with it.
DOMINANT_SUPPLIER_SHARE = 0.1
# Said wherever pounds placed outside are mostly placed by head offices (the central share withheld).
_OFFICE_WORDS = ", most of it by a large firm's head or registered office: some may trade through a branch nearer"

#: One supplier with at least this share of the pounds placed in the place dominates them.
DOMINANT_PLACE_SHARE = 0.5
#: Head or registered offices placing this much of located spend change how "in the place" reads.
OFFICE_CAVEAT_SHARE = 0.25
# The names Companies House registers (a limited company, PLC, LLP or CIC): what its data would place.
_REGISTRABLE = re.compile(r"(?<![^\W\d_])(?:ltd|limited|plc|llp|cic)(?![^\W\d_])", re.IGNORECASE)
ADDRESS_SHEET = "data/processed/{slug}/address-check.csv"
WHERE_AREAS = ("place", "rest of wider area", "elsewhere", "not known")


@dataclass(frozen=True)
class Link:
    """A sentence and the heading of the section that shows it (`page`: another report's file)."""

    text: str
    section: str
    page: str = ""


@dataclass(frozen=True)
class Brief:
    """A page's opening screen (module docstring). `where` has one row per `WHERE_AREAS`:
    `area`, `label`, `spend_gbp`, `share` (of the base)."""

    year: str
    base_name: str
    all_spend_gbp: float
    base_gbp: float
    where: pd.DataFrame
    place_bounds: tuple[float, float]
    wider_bounds: tuple[float, float]
    place_share: float | None
    wider_share: float | None
    where_text: str
    located_share: float
    lever: str
    caveats: list[str] = field(default_factory=list)
    findings: list[Link] = field(default_factory=list)
    next_steps: list[Link] = field(default_factory=list)


def _central(m: dict, key: str) -> float | None:
    value = m[f"{key}_share"]
    return None if m.get("central_note") or value is None or np.isnan(value) else float(value)


def where_it_went(m: dict, place: str, wider: str) -> pd.DataFrame:
    """The base in four parts that add up to it, from `baseline.measures`: the place, the rest of
    the wider area, located elsewhere, not known (unlocated)."""
    parts = [m["place"], m["wider"] - m["place"], m["outside"], m["unlocated"]]
    labels = [place, f"rest of {wider}", f"outside {wider}", "not known"]
    return pd.DataFrame(
        {
            "area": list(WHERE_AREAS),
            "label": labels,
            "spend_gbp": [p / 100 for p in parts],
            "share": [_ratio(p, m["total"]) if m["total"] > 0 else np.nan for p in parts],
        }
    )


def _span(lo: float, hi: float) -> str:
    """A range as words; one figure when its bounds meet (everything located)."""
    return _pct(lo) if _pct(lo) == _pct(hi) else f"Between {_pct(lo)} and {_pct(hi)}"


def where_text(m: dict, place: str, wider: str, base_name: str) -> str:
    """Where the base went in words: the range first, a central figure only where one is given."""
    if not m.get("meaningful", True):
        return f"No share is given: {m['note']}."
    text = (
        f"{_span(m['place_share_lo'], m['place_share_hi'])} of {base_name} went to suppliers in {place}, and "
        f"{_span(m['wider_share_lo'], m['wider_share_hi']).lower()} to suppliers in {wider} ({place} included)"
    )
    place_c, wider_c = _central(m, "place"), _central(m, "wider")
    if place_c is None:
        office = _ratio(m["office"], m["located"]) if m["located"] > 0 else 0.0
        why = (
            f"{_pct(office)} of located spend is placed by a head or registered office, where firms are based, "
            "not where they trade"
            if m.get("central_note")
            else "too little could be located"
        )
        return f"{text}. No central figure: {why}."
    return f"{text}; the central figures, on located spend, are {_pct(place_c)} and {_pct(wider_c)}."


def registrable_unlocated(spend: pd.DataFrame) -> int:
    """Unlocated pence paid to names Companies House registers (limited companies, PLCs, LLPs,
    CICs): what its data would place."""
    unlocated = (~_located(spend) & ~_is_individual(spend)).to_numpy(dtype=bool)
    names = spend["supplier_name"].astype("string").fillna("")[unlocated]
    registrable = _each_distinct(names, lambda name: _REGISTRABLE.search(name) is not None).astype(bool)
    return _pence(spend["amount_pence"].astype("int64")[unlocated][registrable])


def on_the_sheet(spend: pd.DataFrame, sheet: pd.DataFrame | None) -> tuple[int, int]:
    """(suppliers, pence) of `spend`'s unlocated spend with the sheet's unresolved suppliers. The
    sheet lists the baseline year's largest; a page of another year counts that year's pounds."""
    if sheet is None or not len(sheet):
        return 0, 0
    open_keys = sheet.loc[sheet["resolved_by"].astype(str).eq("unresolved"), "supplier_key"].astype(str)
    mask = (~_located(spend) & ~_is_individual(spend)).to_numpy(dtype=bool)
    mask &= spend["supplier_key"].astype(str).isin(set(open_keys)).to_numpy(dtype=bool)
    rows = spend[["supplier_key", "amount_pence"]][mask]
    return int(rows["supplier_key"].nunique()), _pence(rows["amount_pence"].astype("int64"))


def raise_located(spend: pd.DataFrame, m: dict, companies_house: bool, sheet: pd.DataFrame | None, slug: str) -> str:
    """The one thing that would raise the located share most, in pounds: supplying Companies House
    data (the unlocated spend with registrable names), or checking the addresses of the unlocated
    suppliers on the address-check sheet. The larger wins."""
    unlocated = m["unlocated"]
    if unlocated <= 0:
        return "Every pound was located."
    ch = 0 if companies_house else registrable_unlocated(spend)
    n_open, checked = on_the_sheet(spend, sheet)
    if ch >= checked and ch > 0:
        return (
            f"What would raise it most: supplying Companies House data (`cwb reference build --companies FILE`), "
            f"which would place limited companies paid {_gbp(ch)} ({_pct(_ratio(ch, unlocated))} of unlocated spend)."
        )
    if checked > 0:
        return (
            f"What would raise it most: checking the addresses of the {n_open} largest unlocated "
            f"suppliers ({_gbp(checked)}, {_pct(_ratio(checked, unlocated))} of unlocated spend) on the "
            f"address-check sheet, {ADDRESS_SHEET.format(slug=slug)}."
        )
    return "Unlocated spend is with payees no register names: only the anchors' own records could place it."


def caveats(spend: pd.DataFrame, m: dict, place: str, year: str) -> list[str]:
    """The caveats that change the reading: a partial year, a few suppliers dominating, and
    located spend placed by head or registered offices."""
    out = []
    months = months_covered(spend)
    if months < 12:
        out.append(f"Partial year: the ledgers cover {months} of 12 months of {year}; figures are not annualised.")
    top = top_supplier_share(spend)
    if top >= DOMINANT_SUPPLIER_SHARE:
        out.append(f"A few suppliers dominate: the largest payee has {_pct(top)} of the spend.")
    elif m["place"] > 0:
        # In pounds, not as a share of located spend: that share is the central figure, often withheld.
        mask = _located(spend) & _flag(spend, "in_place") & ~_is_individual(spend)
        placed = spend[["supplier_key", "amount_pence"]][mask.to_numpy(dtype=bool)]
        per = placed.groupby(placed["supplier_key"].astype("string"))["amount_pence"].sum()
        if len(per) and per.max() / m["place"] >= DOMINANT_PLACE_SHARE:
            out.append(
                f"One supplier holds {_pct(per.max() / m['place'])} of the {_gbp(m['place'])} placed in {place}: "
                f"the {place} figures move with it."
            )
    office = _ratio(m["office"], m["located"]) if m["located"] > 0 else 0.0
    # When the central share is withheld for it, the words on where the money went already say so.
    if office >= OFFICE_CAVEAT_SHARE and not m.get("central_note"):
        out.append(
            f"Head-office locations: {_pct(office)} of located spend is placed by a head or registered office, "
            "where a firm is based, not where it trades."
        )
    return out


def glance(
    spend: pd.DataFrame,
    all_spend: pd.DataFrame,
    defs: AnalysisDefinitions,
    year: str,
    companies_house: bool,
    sheet: pd.DataFrame | None = None,
) -> Brief:
    """A page's opening screen for one year without its findings: `spend` the base's payments of
    `year`, `all_spend` all kept payments of it, `sheet` the city's address-check sheet (or None)."""
    place, wider = defs.place_name, defs.wider_name or "the wider area"
    base_name = "procurement spend" if defs.base == "procurement" else "all kept spend"
    m = measures(spend, defs.deprived_deciles, sme_measurable(spend, defs), defs.office_share_limit)
    return Brief(
        year=year,
        base_name=base_name,
        all_spend_gbp=_pence(all_spend["amount_pence"].astype("int64")) / 100,
        base_gbp=m["total"] / 100,
        where=where_it_went(m, place, wider),
        place_bounds=(m["place_share_lo"], m["place_share_hi"]),
        wider_bounds=(m["wider_share_lo"], m["wider_share_hi"]),
        place_share=_central(m, "place"),
        wider_share=_central(m, "wider"),
        where_text=where_text(m, place, wider, base_name),
        located_share=m["located_share"],
        lever=raise_located(spend, m, companies_house, sheet, defs.slug),
        caveats=caveats(spend, m, place, year),
    )


def _anchors(table: pd.DataFrame) -> set[str]:
    return set(table["anchor"].astype(str)) - {ALL_ANCHORS}


def several_anchors(table: pd.DataFrame) -> pd.DataFrame | None:
    """A per-anchor breakdown, or None when it has one anchor (it would repeat the table above)."""
    return table if len(_anchors(table)) > 1 else None


def one_anchor_once(table: pd.DataFrame) -> pd.DataFrame:
    """A table of `All anchors` rows and each anchor's: with one anchor, its rows repeat the
    `All anchors` rows, so only those are kept, named for the anchor."""
    anchors = _anchors(table)
    if len(anchors) != 1:
        return table
    out = table[table["anchor"].astype(str) == ALL_ANCHORS].copy()
    out["anchor"] = anchors.pop()
    return out.reset_index(drop=True)


# --------------------------------------------------------------------------------------------
# Each page's findings and next steps


def _top_share(spend: pd.DataFrame, n: int = 10) -> float:
    named = spend[["supplier_key", "amount_pence"]][(~_is_individual(spend)).to_numpy(dtype=bool)]
    per = named.groupby(named["supplier_key"].astype("string"))["amount_pence"].sum()
    total = _pence(spend["amount_pence"].astype("int64"))
    return float(per.nlargest(n).sum()) / total if total > 0 else np.nan


def _bounds_text(lo: float, hi: float, central: float | None) -> str:
    text = f"{_pct(lo)} to {_pct(hi)}"
    return text if central is None or np.isnan(central) else f"{text} (central {_pct(central)})"


def _lever_step(brief: Brief) -> Link:
    if brief.lever.startswith("Every pound"):
        return Link("How each supplier was located, layer by layer.", "Method and data")
    return Link("Raise the located share as said above; how each supplier was located now.", "Method and data")


def baseline_brief(spend, all_spend, defs, year, companies_house, sheet=None) -> Brief:
    """The baseline page's opening: `glance` with its findings (leakage, suppliers, VCSE share)."""
    b = glance(spend, all_spend, defs, year, companies_house, sheet)
    m = measures(spend, defs.deprived_deciles, sme_measurable(spend, defs), defs.office_share_limit)
    wider = defs.wider_name or "the wider area"
    outside = b.where.set_index("area").loc["elsewhere"]
    found = [
        Link(
            f"{_gbp(outside['spend_gbp'] * 100)} ({_pct(outside['share'])} of {b.base_name}) was placed outside "
            f"{wider}" + (_OFFICE_WORDS if m.get("central_note") else "") + ".",
            "2. Geography",
        ),
        Link(f"The 10 largest suppliers took {_pct(_top_share(spend))} of {b.base_name}.", "6. Suppliers"),
        Link(
            "Voluntary, community and social enterprises: "
            f"{_bounds_text(m['vcse_share_lo'], m['vcse_share_hi'], m['vcse_share'])} of the spend.",
            "4. Business type",
        ),
    ]
    steps = [
        _lever_step(b),
        Link(
            "Where spend leaks, what is influenceable and what could move: the next-steps report.",
            "1. Leakage",
            "03_next_steps.html",
        ),
    ]
    return replace(b, findings=found, next_steps=steps)


def _next_steps_report(
    text: str = "Where spend leaks, what is influenceable and what could move: the next-steps report.",
) -> Link:
    return Link(text, "1. Leakage", "03_next_steps.html")


def change_brief(spend, all_spend, defs, years, companies_house, sheet=None) -> Brief:
    """The change page's opening: `glance` on the latest year, with its findings (whether the years
    compare, spend and located coverage in the two years compared). `spend`/`all_spend` cover all `years`."""
    from . import change

    latest = years[-1]
    b = glance(for_year(spend, latest), for_year(all_spend, latest), defs, latest, companies_house, sheet)
    cmp = change.comparison(all_spend, *change.comparison_years(defs, years))
    # The two years compared, not every year: the sections give the rest.
    shown = list(dict.fromkeys([cmp.year_from, cmp.year_to]))
    parts = {n: for_year(spend, n) for n in shown}
    by_year = "; ".join(
        f"{_gbp(_pence(y['amount_pence'].astype('int64')))} in {name} ({months_covered(y)} months)"
        for name, y in parts.items()
    )
    located = "; ".join(
        f"{_pct(_ratio(_pence(y['amount_pence'][_located(y)].astype('int64')), _pence(y['amount_pence'].astype('int64'))))}"
        f" in {name}"
        for name, y in parts.items()
    )
    first = cmp.text or cmp.reason.rsplit(". ", 1)[-1]
    if cmp.comparable:
        # The change itself, in pounds placed in the place on the months compared (a share may be withheld).
        same = change.comparable_spend(spend, cmp)
        placed = [
            _pence(y["amount_pence"][_located(y) & _flag(y, "in_place")].astype("int64"))
            for y in (for_year(same, cmp.year_from), for_year(same, cmp.year_to))
        ]
        first = (
            f"{first.rstrip('.')}: spend placed in {defs.place_name} {_gbp(placed[0])} in {cmp.year_from}, "
            f"{_gbp(placed[1])} in {cmp.year_to}."
        )
    found = [
        # Not compared: the reason's last sentence says so; the section gives the rest.
        Link(first, "3. Why local spend changed"),
        Link(f"{b.base_name.capitalize()}: {by_year}.", "2. Every baseline measure by year"),
        Link(f"Share of the spend located: {located}.", "1. Are the years comparable?"),
    ]
    steps = []
    if not cmp.comparable:
        steps.append(
            Link("Add the ledgers of the missing months, so that the years compare.", "1. Are the years comparable?")
        )
    steps.append(_next_steps_report())
    return replace(b, findings=found, next_steps=steps)


def next_steps_brief(spend, all_spend, defs, year, companies_house, rules, sic=None, sheet=None) -> Brief:
    """The next-steps page's opening: `glance` with its findings (leakage, the sector leaking most,
    influenceable spend). `rules` the exclusion rules in force."""
    from .nextsteps import influenceable, leakage

    b = glance(spend, all_spend, defs, year, companies_house, sheet)
    wider = defs.wider_name or "the wider area"
    m = measures(spend, defs.deprived_deciles, sme_measurable(spend, defs), defs.office_share_limit)
    sectors = leakage.by_sector(spend, "section", sic)
    found = [
        Link(
            f"Leakage: {_gbp(m['outside'])} of located {b.base_name} was placed outside {wider} "
            f"({_pct(_ratio(m['outside'], m['located']) if m['located'] > 0 else np.nan)} of located spend)"
            + (_OFFICE_WORDS if m.get("central_note") else "")
            + ".",
            "1. Leakage",
        )
    ]
    if len(sectors) and sectors["leakage_pence"].max() > 0:
        top = sectors.sort_values("leakage_pence", ascending=False).iloc[0]
        found.append(
            Link(
                f"The sector leaking most: {top['sector_name']}, {_gbp(top['leakage_pence'])} "
                f"({_pct(top['share_of_all_leakage'])} of leakage).",
                "1. Leakage",
            )
        )
    kinds = influenceable.measures(influenceable.classify(all_spend, rules), defs.base).set_index("spend")
    inf = int(kinds.loc["Influenceable spend", "total_pence"])
    found.append(
        Link(
            f"Influenceable spend: {_gbp(inf)}, {_pct(_ratio(inf, m['total']) if m['total'] > 0 else np.nan)} "
            f"of {b.base_name}.",
            "2. Influenceable spend",
        )
    )
    steps = [
        Link(
            "Invite the candidate local suppliers in the sectors with most influenceable leakage.",
            "4. Candidate local suppliers",
        ),
        Link("Read the recommendations, each from the table behind it.", "7. Recommendations"),
        _lever_step(b),
    ]
    return replace(b, findings=found, next_steps=steps)
