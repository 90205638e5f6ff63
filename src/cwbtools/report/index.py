"""`reports/index.html`: every city with a summary.json, its headline figures and links to its
reports (docs/SUMMARY.md is the summary's schema).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from .. import __version__
from ..paths import reports_dir
from .html import NOTEBOOKS, City, _css, _jinja, _write_atomic
from .provenance import PROVENANCE_FILE


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
    if change.get("comparable") is False:
        return "n/a", str(change.get("reason") or "the years do not compare")
    if "comparable" not in change and any(
        isinstance(years.get(y), dict) and years[y].get("partial") for y in (change.get("from"), change.get("to"))
    ):
        return "n/a", "partial years, not compared on common months: run the report again"
    if moved == "n/a":
        return moved, ""
    months = {str(m) for m in (change.get("months") or {}).values()}
    only = f", {months.pop()} only" if change.get("partial") and len(months) == 1 else ""
    only = only or (", common months only" if change.get("partial") else "")
    span = f" ({change['from']} to {change['to']}{only})" if change.get("from") and change.get("to") else ""
    return moved + span, str(change.get("compared") or "")


def headline(summary: dict) -> dict:
    """Headline figures for the index from a city's summary.json (docs/SUMMARY.md): the baseline
    year's total, place and wider shares (of located spend) on the year's `base` (a summary from
    before the base, schema 1, measured all kept spend), located coverage, the place share on all
    kept spend beside it, the change in the place share between the years the change part compares
    (`change_cell`), and why a share is not given when it is not. A partial year says so."""
    from ..formats import gbp

    year = baseline_year(summary)
    block = summary["years"][year] if year else {}
    total = block.get("total_gbp")
    every = block.get("all_spend") if isinstance(block.get("all_spend"), dict) else {}
    moved, why = change_cell(summary)
    return {
        "year": _year_label(year, block),
        "base": _BASES.get(block.get("base") or "all", str(block.get("base"))),
        "total": gbp(round(total * 100)) if isinstance(total, (int, float)) else "n/a",
        "place_share": _pct(block.get("place_share")),
        "wider_share": _pct(block.get("wider_share")),
        "place_share_all": _pct(every.get("place_share")),
        "change": moved,
        "change_note": why,
        "located": _pct(block.get("located_share")),
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


def write_index(root: Path | None = None) -> Path:
    """`reports/index.html`: every city with a summary.json, its headline figures, links to its
    reports and a 'synthetic' label where the summary says so."""
    root = Path(root) if root is not None else reports_dir()
    root.mkdir(parents=True, exist_ok=True)
    cities = []
    for folder in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")):
        summary_path = folder / "summary.json"
        if not summary_path.is_file():
            continue
        try:
            summary = json.loads(summary_path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError):
            continue
        city = city_from_summary(folder, summary)
        reports = [
            {"title": title, "href": f"{folder.name}/{stem}.html"}
            for stem, title in NOTEBOOKS.items()
            if (folder / f"{stem}.html").is_file()
        ]
        cities.append({"name": city.name, "synthetic": city.synthetic, "reports": reports, **headline(summary)})
    cities.sort(key=lambda c: (c["synthetic"], c["name"].lower()))
    page = (
        _jinja()
        .get_template("index.html.j2")
        .render(
            css=_css(),
            cities=cities,
            any_synthetic=any(c["synthetic"] for c in cities),
            written=datetime.now(UTC).strftime("%Y-%m-%d %H:%M"),
            version=__version__,
        )
    )
    out = root / "index.html"
    _write_atomic(out, page)
    return out
