"""Compare like with like (issue 22): the figures of every place side by side, on the index
(`index.py`) and on `reports/comparison.html`, a chart of each place's shares as ranges, grouped
by the kinds of anchor measured, so that a council sees its figure beside other councils.

Shares are shown range first (`*_share_bounds`, docs/SUMMARY.md), the central figure only where
the summary gives one. Spend per resident divides an anchor's procurement spend by the residents
of the area it serves: the place's for a council, the wider area's for an area-wide anchor
(police, fire, county council, combined authority), counted by the IMD 2019 population
denominators (mid-2015).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from .. import __version__
from ..analysis.findings import DOMINANT_SUPPLIER_SHARE

#: Anchors that serve the whole wider area, not the place alone: their spend per resident is over
#: the wider area's residents.
AREA_WIDE_KINDS = frozenset({"county_council", "combined_authority", "police", "fire"})

POPULATION_SOURCE = "IMD 2019 population denominators (mid-2015)"

_KIND_NAMES = {
    "council": "councils",
    "county_council": "county councils",
    "combined_authority": "combined authorities",
    "police": "police",
    "fire": "fire",
    "college": "colleges",
    "university": "universities",
    "school": "schools",
    "nhs_trust": "NHS trusts",
    "health": "health bodies",
    "housing_association": "housing associations",
    "other": "other bodies",
}


def _number(value) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _pct(value) -> str:
    value = _number(value)
    return "n/a" if value is None else f"{value * 100:.1f}%"


def lad_population(lsoa: pd.DataFrame) -> dict[str, int]:
    """Residents per local authority district: the sum of its LSOAs' IMD 2019 population
    denominators (mid-2015; England only, so a Welsh district has none)."""
    pop = pd.to_numeric(lsoa["population"], errors="coerce")
    per = pop.groupby(lsoa["lad_code"].astype(str)).sum(min_count=1).dropna()
    return {lad: int(n) for lad, n in per.items() if n > 0}


def load_lad_population() -> dict[str, int]:
    """`lad_population` of the built reference LSOA table; empty when it is not built."""
    from ..errors import CwbError
    from ..reference import load_lsoa

    try:
        return lad_population(load_lsoa())
    except (CwbError, OSError, KeyError):
        return {}


def _residents(area: Mapping | None, population: Mapping[str, int]) -> int | None:
    """Residents of an area (`place` or `wider_area` of a summary); None when any of its districts
    has no count, rather than a count of part of it."""
    codes = list((area or {}).get("lad_codes") or [])
    if not codes or any(c not in population for c in codes):
        return None
    return sum(population[c] for c in codes)


def per_resident(summary: dict, block: dict, population: Mapping[str, int]) -> dict:
    """Procurement spend per resident of the year `block`: each anchor's spend over the residents
    of the area it serves (`AREA_WIDE_KINDS`: the wider area; any other kind: the place), summed
    over the anchors. `value` is None when a count or an anchor's spend is missing."""
    kinds = summary.get("anchor_kinds") if isinstance(summary.get("anchor_kinds"), dict) else {}
    place, wider = summary.get("place") or {}, summary.get("wider_area") or {}
    area_wide = {name for name, kind in kinds.items() if kind in AREA_WIDE_KINDS}
    if kinds and len(area_wide) == len(kinds):
        label = f"per resident of {wider.get('name') or 'the wider area'}"
    elif not area_wide:
        label = f"per resident of {place.get('name') or 'the place'}"
    else:
        label = "each anchor per resident of the area it serves"
    anchors = block.get("anchors") if isinstance(block.get("anchors"), dict) else {}
    value: float | None = 0.0
    if len(area_wide) in (0, len(kinds)):
        # One denominator for every anchor: the year's total over it.
        residents = _residents(wider if area_wide else place, population)
        total = _number(block.get("total_gbp"))
        value = total / residents if total is not None and residents else None
    else:
        for name in kinds:
            residents = _residents(wider if name in area_wide else place, population)
            total = _number((anchors.get(name) or {}).get("total_gbp"))
            if total is None or not residents:
                value = None
                break
            value += total / residents
    text = "n/a" if value is None else f"£{value:,.0f}"
    if value is not None and block.get("partial") and isinstance(block.get("months_covered"), int):
        text += f" ({block['months_covered']} months)"
    return {"value": value, "text": text, "label": label}


def share_range(block: dict, key: str) -> dict:
    """A share as a reader sees it: the range first (`<key>_bounds`), then the central figure
    when the summary gives one. A range that closes (every pound located) is one figure."""
    bounds = block.get(f"{key}_bounds")
    lo, hi = (_number(b) for b in bounds) if isinstance(bounds, list) and len(bounds) == 2 else (None, None)
    central = _number(block.get(key))
    if lo is None or hi is None:
        text = "n/a" if central is None else f"{_pct(central)} (no range given)"
    elif round(lo * 1000) == round(hi * 1000):
        text = _pct(central if central is not None else lo)
    else:
        text = f"{_pct(lo)} to {_pct(hi)}" + (f"; central {_pct(central)}" if central is not None else "")
    why = (block.get("central_note") or block.get("note") or "") if central is None else ""
    return {"lo": lo, "hi": hi, "central": central, "text": text, "why": str(why or "")}


def flags(block: dict) -> list[str]:
    """What changes the reading of a year's figures: a partial year and a dominant supplier."""
    out = []
    if block.get("partial"):
        months = block.get("months_covered")
        out.append(f"partial year: {months} months" if isinstance(months, int) else "partial year")
    top = _number(block.get("top_supplier_share"))
    if top is not None and top >= DOMINANT_SUPPLIER_SHARE:
        out.append(f"one supplier has {_pct(top)} of spend")
    return out


def kind_group(summary: dict) -> str:
    """The kinds of anchor a place's figures are for, as a group heading: `Councils`, `Police and
    fire`, ... Places are compared within a group."""
    kinds = summary.get("anchor_kinds") if isinstance(summary.get("anchor_kinds"), dict) else {}
    order = list(_KIND_NAMES)
    present = sorted({str(k) for k in kinds.values()}, key=lambda k: (order.index(k) if k in order else len(order), k))
    names = [_KIND_NAMES.get(k, k.replace("_", " ")) for k in present]
    if not names:
        return "Anchors of unstated kinds"
    text = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    return f"Several kinds: {text}" if len(names) > 2 else text[0].upper() + text[1:]


def _group_order(group: str) -> tuple:
    return (group != "Councils", group.startswith("Several kinds"), group)


# ---------------------------------------------------------------------------------------------
# The comparison page

_AXIS_LEFT, _AXIS_WIDTH = 250, 480  # where 0% and 100% sit in the chart's 760-wide viewBox
_ROW, _LINE = 22, 14  # a range bar's row; a line of the place's label


def _bar(share: dict, y: int, series: str) -> dict:
    """One range as SVG geometry: a bar from `lo` to `hi` (at least 2 units wide so a closed range
    shows) and a dot at the central figure when there is one."""
    lo, hi = share["lo"], share["hi"]
    bar = {"y": y, "series": series, "text": share["text"], "x": None, "width": 0, "cx": None}
    if lo is not None and hi is not None:
        x0, x1 = _AXIS_LEFT + lo * _AXIS_WIDTH, _AXIS_LEFT + hi * _AXIS_WIDTH
        bar.update(x=round(min(x0, x1 - 2), 1), width=round(max(x1 - x0, 2), 1))
    if share["central"] is not None:
        bar["cx"] = round(_AXIS_LEFT + share["central"] * _AXIS_WIDTH, 1)
    return bar


def chart_groups(places: Iterable[dict]) -> list[dict]:
    """The places (rows of `index.headline`) grouped by `group`, each with its chart geometry:
    for every place a row of two ranges, in the place and in the wider area."""
    groups: dict[str, list[dict]] = {}
    for p in places:
        groups.setdefault(p["group"], []).append(p)
    out = []
    for name in sorted(groups, key=_group_order):
        rows, y = [], 28
        for p in sorted(groups[name], key=lambda p: p["name"].lower()):
            bars = [_bar(p["place_range"], y + 4, "place"), _bar(p["wider_range"], y + 4 + _ROW, "wider")]
            # The label: name, slug and year, located and per resident, then one line a flag.
            lines = [{"y": y + 12 + i * _LINE, "flag": f} for i, f in enumerate(p["flags"], start=3)]
            rows.append({**p, "y": y, "bars": bars, "flag_lines": lines})
            y += max(2 * _ROW + 16, (3 + len(lines)) * _LINE + 12)
        ticks = [{"x": _AXIS_LEFT + t * _AXIS_WIDTH, "label": f"{t:.0%}"} for t in (0, 0.25, 0.5, 0.75, 1)]
        out.append({"name": name, "places": rows, "height": y + 4, "ticks": ticks, "axis_left": _AXIS_LEFT})
    return out


def write_comparison(root: Path, places: list[dict], glossary_html: str = "") -> Path:
    """`reports/comparison.html`: every place's place and wider-area shares as ranges, grouped by
    the kinds of anchor measured, with the flags and spend per resident beside them."""
    from .html import _css, _jinja, _write_atomic

    page = (
        _jinja()
        .get_template("comparison.html.j2")
        .render(
            css=_css(),
            groups=chart_groups(places),
            any_synthetic=any(p["synthetic"] for p in places),
            population_source=POPULATION_SOURCE,
            dominant=_pct(DOMINANT_SUPPLIER_SHARE),
            glossary_html=glossary_html,
            written=datetime.now(UTC).strftime("%Y-%m-%d %H:%M"),
            version=__version__,
        )
    )
    out = Path(root) / "comparison.html"
    _write_atomic(out, page)
    return out
