"""What travels with a place's CSVs: `datapackage.json`, a Frictionless Data Package (Table Schema
for every CSV under `data/`), so the data keep their meaning when they leave the report.

Each CSV is described as it was published (after `present.save_csv`: the safe path), never as an
analysis frame: its fields, their types as read back from the file, units from the column naming
conventions (`present.column_kind`: pence, pounds, fractions), the title it had in the report, and
for a chart's data the PNG and SVG beside it with their alt text. The package carries the
definitions in force, the place and its coverage, and the sources (the ledgers, the reference data).
The workbook (`workbook.py`) is made from the same descriptions, so the two never disagree.
"""

from __future__ import annotations

import csv
import html
import json
import re
from pathlib import Path

import pandas as pd

from . import present

PACKAGE_FILE = "datapackage.json"

# A cell type is read from what was written: pandas writes integers bare, NaN as an empty cell,
# booleans as True/False and timestamps as `YYYY-MM-DD[ HH:MM:SS]`.
_INTEGER = re.compile(r"^-?(0|[1-9]\d*)$")  # `0123` is an identifier, not a number
_NUMBER = re.compile(r"^-?(0|[1-9]\d*)(\.\d*)?([eE][+-]?\d+)?$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$")
_BOOLEAN = {"True", "False"}
DATETIME_FORMAT = "%Y-%m-%d %H:%M:%S"

#: What a number in a column of each kind (`present.column_kind`) counts.
UNITS = {
    "pence": "pence (GBP; 100 pence = £1)",
    "gbp": "pounds (GBP)",
    "share": "fraction (0 to 1; 0.25 = 25%)",
    "points": "change in a fraction (0.01 = 1 percentage point)",
    "p_value": "probability (0 to 1)",
    "hhi": "Herfindahl-Hirschman index (0 to 10,000)",
    "ratio": "ratio",
}
_CSV_LINK = re.compile(r'href="data/([^"#?/]+\.csv)"')
_TITLE = re.compile(r"<h4>(.*?)</h4>|<figcaption[^>]*>\s*<strong>(.*?)</strong>", re.DOTALL)
_TAG = re.compile(r"<[^>]+>")


def read_published(path: Path) -> pd.DataFrame:
    """A published CSV as text, exactly as written (no type guessed, an empty cell empty)."""
    return pd.read_csv(path, dtype=str, keep_default_na=False, na_filter=False)


#: A published table as its columns of text, in order: {column name: [cell, ...]}.
Columns = dict[str, list[str]]


def read_columns(path: Path) -> Columns:
    """A published CSV as `read_published` reads it, as plain columns of text: the csv module reads
    the place's tables in a twentieth of pandas' time. A file pandas would read differently (a
    repeated or empty header, a ragged or blank-looking row) is left to pandas."""
    with open(path, newline="", encoding="utf-8-sig") as handle:
        rows = [row for row in csv.reader(handle) if row]  # pandas skips blank lines
    header = rows[0] if rows else []
    width = len(header)
    plain = (
        width > 0
        and "" not in header
        and len(set(header)) == width
        and all(len(row) == width for row in rows)
        and (width > 1 or all(row[0] == "" or row[0].strip() for row in rows))
    )
    if not plain:
        frame = read_published(path)
        return {str(c): frame[c].tolist() for c in frame.columns}
    return {name: [row[i] for row in rows[1:]] for i, name in enumerate(header)}


def _rows(columns: Columns) -> int:
    return len(next(iter(columns.values()), []))


def field_type(values: pd.Series | list[str]) -> dict:
    """The Table Schema type of a column of published text: integer, number, boolean, date,
    datetime (with its format) or string. Empty cells are missing values and say nothing."""
    given = [v for v in (values if isinstance(values, list) else values.tolist()) if v != ""]
    if not given:
        return {"type": "string"}
    for kind, test in (
        ("integer", _INTEGER.match),
        ("number", _NUMBER.match),
        ("boolean", _BOOLEAN.__contains__),
        ("date", _DATE.match),
    ):
        if all(test(v) for v in given):
            return {"type": kind}
    if all(_DATETIME.match(v) for v in given):
        return {"type": "datetime", "format": DATETIME_FORMAT}
    return {"type": "string"}


def _about_shares(columns: Columns) -> bool:
    """`present._about_shares` of published text (where no cell is missing, only empty)."""
    if any(present.column_kind(c) == "share" for c in columns):
        return True
    measures = columns.get("measure")
    return measures is not None and len(measures) > 0 and all(v.endswith("_share") for v in measures)


def table_schema(frame: pd.DataFrame | Columns, place: str | None = None, wider: str | None = None) -> dict:
    """The Table Schema of a published CSV (read with `read_published` or `read_columns`): each
    field's name, its title for readers, type and, for money and shares, unit (`unit`, and in
    words in `description`)."""
    columns = frame if isinstance(frame, dict) else {str(c): frame[c].tolist() for c in frame.columns}
    about_shares = _about_shares(columns)
    fields = []
    for name, values in columns.items():
        kind = present.column_kind(name, None, about_shares)
        field = {"name": name, "title": present.column_label(name, place, wider), **field_type(values)}
        if kind in UNITS and all(v == "" for v in values):
            field["type"] = "number"  # a measure not measured here is still a number where it is
        if field["type"] in ("integer", "number") and kind in UNITS:
            field["unit"] = kind
            field["description"] = f"In {UNITS[kind]}."
        fields.append(field)
    return {"fields": fields, "missingValues": [""]}


def titles(notebooks: list[Path]) -> dict[str, dict]:
    """Each CSV's title in the report and the page showing it, read from the executed notebooks'
    outputs (the table's heading, or the chart's caption): {"x.csv": {"title", "page"}}."""
    found: dict[str, dict] = {}
    for path in notebooks:
        # Plain JSON (nbformat 4): nbformat's validator would cost seconds to import, nothing to gain.
        nb = json.loads(Path(path).read_text(encoding="utf-8"))
        for cell in nb.get("cells", []):
            for output in cell.get("outputs", []):
                text = output.get("data", {}).get("text/html")
                if not text:
                    continue
                text = "".join(text) if isinstance(text, list) else text
                m = _TITLE.search(text)
                title = html.unescape(_TAG.sub("", next(g for g in m.groups() if g is not None))) if m else ""
                for name in _CSV_LINK.findall(text):
                    found.setdefault(name, {"title": title.strip().rstrip("."), "page": f"{path.stem}.html"})
    return found


def chart_images(data_dir: Path, stem: str) -> dict | None:
    """A chart's images beside its CSV and its alt text (the SVG's `<desc>`), or None."""
    png, svg = data_dir / f"{stem}.png", data_dir / f"{stem}.svg"
    if not (png.is_file() and svg.is_file()):
        return None
    text = svg.read_text(encoding="utf-8")
    alt = re.search(r"<desc>(.*?)</desc>", text, re.DOTALL)
    finding = re.search(r"<title>(.*?)</title>", text, re.DOTALL)
    return {
        "png": f"data/{png.name}",
        "svg": f"data/{svg.name}",
        "title": html.unescape(finding.group(1)) if finding else "",
        "alt": html.unescape(alt.group(1)) if alt else "",
    }


def _sources(config, provenance: dict) -> list[dict]:
    from .provenance import display_path

    ledgers = [
        {"title": f"{anchor.name}: spending ledger {Path(str(ledger.path)).name}", "kind": "ledger"}
        for anchor in config.anchors
        for ledger in anchor.ledgers
    ]
    reference = [
        {
            "title": s.get("name") or "",
            "path": display_path(s.get("file")) or "",
            "date": s.get("date") or "",
            "licence": s.get("licence") or "",
            "kind": "reference",
        }
        for s in provenance.get("sources", [])
    ]
    return ledgers + [{k: v for k, v in s.items() if v} for s in reference]


def describe(
    folder: Path,
    config,
    definitions: pd.DataFrame,
    provenance: dict,
    notebooks: list[Path],
    tables: dict[str, Columns] | None = None,
) -> dict:
    """The Data Package descriptor of the place's report folder: every CSV under `data/`, in the
    order the report shows them. `tables`: the CSVs already read (`read_columns`) by their path
    in the package (`data/x.csv`); any other is read here."""
    folder = Path(folder)
    data_dir = folder / "data"
    place, wider = config.place.name, config.wider_area.name or "the wider area"
    shown = titles(notebooks)
    tables = tables if tables is not None else {}
    resources = []
    # In the order a reader meets them, page by page; any not shown on a page last.
    order = {name: i for i, name in enumerate(shown)}
    for path in sorted(data_dir.glob("*.csv"), key=lambda p: (order.get(p.name, len(order)), p.name)):
        frame = tables.get(f"data/{path.name}")
        if frame is None:
            frame = read_columns(path)
        about = shown.get(path.name, {})
        resource = {
            "name": path.stem,
            "path": f"data/{path.name}",
            "title": about.get("title") or path.stem.replace("-", " ").capitalize(),
            "profile": "tabular-data-resource",
            "format": "csv",
            "mediatype": "text/csv",
            "encoding": "utf-8",
            "schema": table_schema(frame, place, wider),
        }
        if about.get("page"):
            resource["page"] = about["page"]
        chart = chart_images(data_dir, path.stem)
        if chart:
            resource["chart"] = chart
        resource["rows"] = _rows(frame)
        resources.append(resource)
    created = provenance.get("run_started")
    return {
        "profile": "tabular-data-package",
        "name": config.slug,
        "title": f"{config.name}: community wealth building spend analysis",
        "description": (
            f"The tables and chart data of the {config.name} reports: public bodies' spend with their "
            f"suppliers, located in {place}, in {wider} or elsewhere. Money columns say their unit: "
            "`_pence` columns hold exact pence, `_gbp` columns pounds; shares are fractions. "
            "Payments to individuals are never named. A text cell that a spreadsheet would run as a "
            "formula starts with a single quote."
        ),
        **({"created": str(created).replace(" ", "T") + "Z"} if created else {}),
        "coverage": {
            "place": {"name": place, "lad_codes": list(config.place.lad_codes)},
            "wider_area": {"name": wider, "lad_codes": list(config.wider_area.lad_codes or [])},
            "years": list(config.years),
            "baseline_year": config.baseline_year,
            "anchors": [{"name": a.name, "kind": a.kind} for a in config.anchors],
            "notes": " ".join(str(config.notes or "").split()),
            "synthetic": bool(config.synthetic),
        },
        "definitions": definitions.astype(object).where(definitions.notna(), "").to_dict("records"),
        "sources": _sources(config, provenance),
        "cwbtools": {
            "version": provenance.get("cwbtools_version", ""),
            "config_sha256": provenance.get("config_sha256", ""),
        },
        "resources": resources,
    }


def write_datapackage(folder: Path, package: dict) -> Path:
    path = Path(folder) / PACKAGE_FILE
    path.write_text(json.dumps(package, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path
