"""`reports/index.html`: every city with a summary.json, its headline figures and links to its
reports (docs/SUMMARY.md is the summary's schema).
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path

from .. import __version__
from ..paths import reports_dir
from . import comparison
from .glossary import glossary_html
from .html import NOTEBOOKS, City, _css, _jinja, _write_atomic
from .provenance import PROVENANCE_FILE

# The one script any page of ours carries: the index's column sort. The page's Content-Security-Policy
# lets only this exact text run (its hash), so markup from a ledger could never run a script even if
# it were ever let through.
SORT_SCRIPT = (Path(__file__).resolve().parents[1] / "templates" / "sort.js").read_text(encoding="utf-8")


def script_hash(script: str) -> str:
    """The CSP source for one inline script: `sha256-<base64 of its digest>`."""
    return "sha256-" + base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii")


def _pct(value) -> str:
    return "n/a" if not isinstance(value, (int, float)) or isinstance(value, bool) else f"{value * 100:.1f}%"


def _pp(value) -> str:
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        return "n/a"
    return f"{value * 100:+.1f} pp"


def baseline_year(summary: dict) -> str | None:
    """The year the headline figures are for: the summary's own `baseline_year`, else the year
    the change is measured from, else the earliest year in it."""
    years = summary.get("years") if isinstance(summary.get("years"), dict) else {}
    change = summary.get("change") if isinstance(summary.get("change"), dict) else {}
    for candidate in (summary.get("baseline_year"), change.get("from")):
        if candidate in years:
            return candidate
    return min(years) if years else None


_BASES = {"procurement": "procurement spend", "all": "all kept spend"}


def _year_label(year: str | None, block: dict) -> str:
    """The year, and `(partial: 9 months)` when its ledgers cover part of it."""
    if not year:
        return "n/a"
    months = block.get("months_covered")
    return f"{year} (partial: {months} months)" if block.get("partial") and isinstance(months, int) else year


def change_cell(summary: dict) -> tuple[str, str]:
    """The change in the place share as the index shows it, and why it reads n/a or what it
    compares. A change compares like with like (`change.comparable`, docs/SUMMARY.md) or reads n/a:
    a summary from before comparable months gives no figure between partial years."""
    years = summary.get("years") if isinstance(summary.get("years"), dict) else {}
    change = summary.get("change") if isinstance(summary.get("change"), dict) else {}
    moved = _pp(change.get("place_share_change"))
    if len(years) < 2 or change.get("from") == change.get("to"):
        return "n/a", "one year analysed: no change to measure"
    if change.get("comparable") is False:
        return "n/a", str(change.get("reason") or "the years do not compare")
    if "comparable" not in change and any(
        isinstance(years.get(y), dict) and years[y].get("partial") for y in (change.get("from"), change.get("to"))
    ):
        return "n/a", "partial years, not compared on common months: run the report again"
    if moved == "n/a":
        # Comparable years, but a year given as a range only has no central share to move.
        ends = [change.get("from"), change.get("to")]
        ranged = [y for y in ends if isinstance(years.get(y), dict) and years[y].get("place_share") is None]
        if ranged:
            return moved, f"no central place share in {' and '.join(ranged)}, only its range"
        return moved, "the change in the place share is not measured"
    months = {str(m) for m in (change.get("months") or {}).values()}
    only = f", {months.pop()} only" if change.get("partial") and len(months) == 1 else ""
    only = only or (", common months only" if change.get("partial") else "")
    span = f" ({change['from']} to {change['to']}{only})" if change.get("from") and change.get("to") else ""
    return moved + span, str(change.get("compared") or "")


def headline(summary: dict, population: Mapping[str, int] | None = None) -> dict:
    """Headline figures for the index from a city's summary.json (docs/SUMMARY.md): the baseline
    year's total, place and wider shares (of located spend) on the year's `base` (a summary from
    before the base, schema 1, measured all kept spend) as ranges first (`comparison.share_range`),
    located coverage, spend per resident (`population`: residents by district), the flags that
    change the reading, the place share on all kept spend, the change in the place share between
    the years the change part compares (`change_cell`), and the anchor-kind group it is compared in."""
    from ..formats import gbp

    year = baseline_year(summary)
    block = summary["years"][year] if year else {}
    total = block.get("total_gbp")
    every = block.get("all_spend") if isinstance(block.get("all_spend"), dict) else {}
    moved, why = change_cell(summary)
    resident = comparison.per_resident(summary, block, population or {})
    return {
        "year": _year_label(year, block),
        "base": _BASES.get(block.get("base") or "all", str(block.get("base"))),
        "total": gbp(round(total * 100)) if isinstance(total, (int, float)) else "n/a",
        "total_value": total if isinstance(total, (int, float)) else None,
        "place_share": _pct(block.get("place_share")),
        "wider_share": _pct(block.get("wider_share")),
        "place_range": comparison.share_range(block, "place_share"),
        "wider_range": comparison.share_range(block, "wider_share"),
        "place_share_all": _pct(every.get("place_share")),
        "change": moved,
        "change_value": None if moved == "n/a" else summary["change"]["place_share_change"],
        "change_note": why,
        "located": _pct(block.get("located_share")),
        "located_value": block.get("located_share"),
        "per_resident": resident,
        "flags": comparison.flags(block),
        "group": comparison.kind_group(summary),
        "note": block.get("note") or "",
    }


def city_from_summary(folder: Path, summary: dict) -> City:
    try:
        prov = json.loads((folder / PROVENANCE_FILE).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        prov = {}
    return City(
        name=str(summary.get("city") or summary.get("name") or prov.get("city") or folder.name),
        slug=folder.name,
        synthetic=bool(summary.get("synthetic", prov.get("synthetic", False))),
    )


def _summaries(root: Path) -> list[tuple[Path, dict]]:
    """Every city folder under `root` with a readable summary.json, by folder name."""
    out = []
    for folder in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")):
        try:
            out.append((folder, json.loads((folder / "summary.json").read_text(encoding="utf-8"))))
        except (OSError, json.JSONDecodeError):
            continue
    return out


def write_index(root: Path | None = None, population: Mapping[str, int] | None = None) -> Path:
    """`reports/index.html`: every city with a summary.json, its headline figures as a sortable
    comparison, links to its reports and a 'synthetic' label where the summary says so; and
    `reports/comparison.html`, the same places as a chart (`comparison.write_comparison`).
    `population` (residents by district) defaults to the built reference LSOA table's."""
    root = Path(root) if root is not None else reports_dir()
    root.mkdir(parents=True, exist_ok=True)
    if population is None:
        population = comparison.load_lad_population()
    cities = []
    for folder, summary in _summaries(root):
        city = city_from_summary(folder, summary)
        reports = [
            {"title": title, "href": f"{folder.name}/{stem}.html"}
            for stem, title in NOTEBOOKS.items()
            if (folder / f"{stem}.html").is_file()
        ]
        cities.append(
            {
                "name": city.name,
                "slug": city.slug,
                "synthetic": city.synthetic,
                "reports": reports,
                **headline(summary, population),
            }
        )
    cities.sort(key=lambda c: (c["synthetic"], c["name"].lower()))
    comparison.write_comparison(root, cities, glossary_html())
    page = (
        _jinja()
        .get_template("index.html.j2")
        .render(
            css=_css(),
            cities=cities,
            any_synthetic=any(c["synthetic"] for c in cities),
            population_source=comparison.POPULATION_SOURCE,
            dominant=_pct(comparison.DOMINANT_SUPPLIER_SHARE),
            written=datetime.now(UTC).strftime("%Y-%m-%d %H:%M"),
            version=__version__,
            sort_script=SORT_SCRIPT,
            sort_script_hash=script_hash(SORT_SCRIPT),
        )
    )
    out = root / "index.html"
    _write_atomic(out, page)
    return out
