"""One workbook per place, for board papers: `<slug>-tables.xlsx` with a contents sheet, a notes
sheet (definitions, coverage, sources) and every published table on a sheet of its own.

Made from the published CSVs and their descriptions (`datapackage.describe`), never from analysis
frames, so it holds exactly what the CSVs hold: the same privacy rule already applied
(`present.save_csv`), every text cell guarded again (`publish.guard`: none can run as a
formula). Laid out as the Government Analysis Function asks of spreadsheets: one table per sheet
starting at the top left under its title, an Excel table with headers, no merged cells, no blank
rows inside a table, numbers stored as numbers (money in pounds with a £ format, shares as
percentages) and the contents linking to every sheet. Written with XlsxWriter, which only writes,
and fast: a place's workbook holds some ten thousand cells, and openpyxl's cost per cell made it
the slowest step after the notebooks. openpyxl reads the workbook back in the tests.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from dataclasses import field as _field
from datetime import datetime
from itertools import zip_longest
from pathlib import Path

import pandas as pd

from ..publish import guard
from .datapackage import Columns, read_columns

_MONEY = '"£"#,##0.00'
_FORMATS = {"share": "0.0%", "integer": "#,##0", "date": "yyyy-mm-dd", "datetime": "yyyy-mm-dd hh:mm:ss"}
_SHEET_BAD = re.compile(r"[\[\]:*?/\\]")
_WIDTH = (8, 60)


def workbook_name(slug: str) -> str:
    return f"{slug}-tables.xlsx"


def _number(text: str, unit: str | None):
    value = int(text) if text.lstrip("-").isdigit() else float(text)
    return value / 100 if unit == "pence" else value


def typed(frame: pd.DataFrame | Columns, schema: dict) -> tuple[list[list], list[str | None]]:
    """A published CSV's rows as Excel cells by its Table Schema: numbers, booleans and dates,
    money in pounds (the CSV's pence / 100), an empty cell None; with each column's number format."""
    columns, formats = [], []
    for field in schema["fields"]:
        values = frame[field["name"]]
        values = values if isinstance(values, list) else values.tolist()
        kind, unit = field["type"], field.get("unit")
        if kind in ("integer", "number"):
            columns.append([None if v == "" else _number(v, unit) for v in values])
            money = unit in ("pence", "gbp")
            formats.append(
                _MONEY if money else _FORMATS.get(unit or "", _FORMATS["integer"] if kind == "integer" else None)
            )
        elif kind == "boolean":
            columns.append([None if v == "" else v == "True" for v in values])
            formats.append(None)
        elif kind in ("date", "datetime"):
            fmt = field.get("format", "%Y-%m-%d")
            columns.append([None if v == "" else datetime.strptime(v, fmt) for v in values])
            formats.append(_FORMATS[kind])
        else:
            # Published text was guarded already; guarded again here, so no cell can be a formula.
            columns.append([None if v == "" else guard(v) for v in values])
            formats.append(None)
    return [list(row) for row in zip(*columns, strict=True)], formats


def _headers(schema: dict) -> list[str]:
    """Readers' column headings, unique ignoring case (an Excel table needs that), saying the unit
    of money."""
    heads, seen = [], set()
    for field in schema["fields"]:
        head = field.get("title") or field["name"]
        if field.get("unit") in ("pence", "gbp") and "£" not in head:
            head += " (£)"
        if head.lower() in seen:
            head = f"{head} ({field['name']})"
        heads.append(str(guard(head)))
        seen.add(heads[-1].lower())
    return heads


def _sheet_names(stems: list[str]) -> list[str]:
    """Excel's sheet names: at most 31 characters, unique ignoring case, none named like ours."""
    used = {"contents", "notes"}
    names = []
    for stem in stems:
        base = _SHEET_BAD.sub("-", stem)[:31]
        name, n = base, 1
        while name.lower() in used:
            n += 1
            name = f"{base[: 31 - len(str(n)) - 1]}~{n}"
        used.add(name.lower())
        names.append(name)
    return names


def _widths(rows: list[list]) -> list[int]:
    """Each column's width in characters: its longest cell, within `_WIDTH`."""
    widths = []
    for i in range(max((len(r) for r in rows), default=0)):
        longest = max((len(str(r[i])) for r in rows if i < len(r) and r[i] is not None), default=0)
        widths.append(min(max(longest + 2, _WIDTH[0]), _WIDTH[1]))
    return widths


@dataclass
class _Sheet:
    """One worksheet to write: its rows of values, column widths, the panes frozen above row 4 or
    not, its rows in bold (numbered from 1), each column's number format in the rows below the
    headings (row 4 on), links from cells in column A to other sheets, and the Excel table over its
    rows from row 3 (`table`: its number, named `Table<n>`)."""

    title: str
    rows: list[list]
    widths: list[int]
    frozen: bool = True
    bold: set[int] = _field(default_factory=set)
    formats: list[str | None] = _field(default_factory=list)
    links: dict[int, str] = _field(default_factory=dict)  # row number -> sheet
    table: int | None = None


def _heading(sheet: _Sheet, values: list, width: int = 1) -> None:
    """A bold row, across the sheet's width (its empty cells too, as a reader's selection of the
    row would be)."""
    sheet.rows.append([guard(v) for v in [*values, *[None] * (width - len(values))]])
    sheet.bold.add(len(sheet.rows))


def _contents(package: dict, sheets: list[str]) -> _Sheet:
    head = ["Sheet", "Table", "Shown on page", "CSV file", "Rows"]
    rows = [["Notes", "Definitions, coverage, units and sources", "", "", None]]
    rows += [
        [sheet, r["title"], r.get("page", ""), r["path"], r["rows"]]
        for sheet, r in zip(sheets, package["resources"], strict=True)
    ]
    out = _Sheet("Contents", [], _widths([head, *rows]))
    _heading(out, [f"{package['title']}: contents"])
    out.rows.append(["This workbook has a notes sheet and one sheet per table. Select a sheet name to go to it."])
    _heading(out, head, len(head))
    for row in rows:
        out.rows.append([guard(v) for v in row])
        out.links[len(out.rows)] = row[0]
    return out


def _notes(package: dict) -> _Sheet:
    cov = package["coverage"]
    place, wider = cov["place"], cov["wider_area"]
    lines = [
        ["About", package["description"]],
        ["Money", "Pounds in this workbook (the CSV files hold exact pence in their `_pence` columns)."],
        ["Place", f"{place['name']} ({', '.join(place['lad_codes'])})"],
        ["Wider area", f"{wider['name']} ({len(wider['lad_codes'])} districts, the place included)"],
        ["Years", f"{', '.join(cov['years'])}; baseline {cov['baseline_year']}"],
        ["Anchors", "; ".join(f"{a['name']} ({a['kind']})" for a in cov["anchors"])],
    ]
    if cov.get("notes"):
        lines.append(["Coverage notes", cov["notes"]])
    if cov.get("synthetic"):
        lines.append(["Synthetic", "Made-up ledgers: a demonstration, not a measurement of real payments."])
    lines.append(["Made with", f"cwbtools {package['cwbtools']['version']}, {package.get('created', '')}".strip(", ")])
    rows = [["Note", "Text"], *lines, [], ["Definition", "Value", "Default", "Source"]]
    rows += [[d.get("definition"), d.get("value"), d.get("default"), d.get("source")] for d in package["definitions"]]
    rows += [[], ["Source", "File", "Date", "Licence"]]
    rows += [[s["title"], s.get("path", ""), s.get("date", ""), s.get("licence", "")] for s in package["sources"]]
    width = max(len(row) for row in rows)
    out = _Sheet("Notes", [], _widths(rows), frozen=False)
    _heading(out, [f"{package['title']}: notes"])
    for row in rows:
        if row and row[0] in ("Note", "Definition", "Source") and row[1] in ("Text", "Value", "File"):
            _heading(out, row, width)
        else:
            out.rows.append([guard(v) for v in row])
    return out


def _table_sheet(sheet: str, resource: dict, table: Columns, index: int) -> _Sheet:
    rows, formats = typed(table, resource["schema"])
    heads = _headers(resource["schema"])
    chart = resource.get("chart")
    out = _Sheet(sheet, [], _widths([heads, *rows[:200]]), formats=formats, table=index if rows else None)
    _heading(out, [resource["title"]])
    out.rows.append([guard(f"Source: {resource['path']}" + (f". Chart: {chart['alt']}" if chart else ""))])
    _heading(out, heads, len(heads))
    out.rows += rows
    return out


def write_workbook(folder: Path, package: dict, tables: dict[str, Columns] | None = None) -> Path:
    """`<folder>/<slug>-tables.xlsx` from the place's data package (`datapackage.describe`);
    `tables`: its CSVs already read (`datapackage.read_columns`) by path, any other read here."""
    folder = Path(folder)
    tables = tables if tables is not None else {}
    names = _sheet_names([r["name"] for r in package["resources"]])
    sheets = [_contents(package, names), _notes(package)]
    for i, (sheet, resource) in enumerate(zip(names, package["resources"], strict=True), start=1):
        table = tables.get(resource["path"])
        if table is None:
            table = read_columns(folder / resource["path"])
        sheets.append(_table_sheet(sheet, resource, table, i))
    path = folder / workbook_name(package["name"])
    _write_xlsx(path, package["title"], sheets, _created(package))
    return path


# ---------------------------------------------------------------------------------------------
# The .xlsx file, by XlsxWriter. It stores each cell as given: `typed` and the sheets above decide
# every cell's type, and text is written as text (no guessing of formulas, links or numbers).

#: What Excel cannot hold in a cell; XlsxWriter would escape it, but a published CSV holding one is
#: a fault upstream, so it is refused here as it always was.
_ILLEGAL = re.compile(r"[\000-\010\013\014\016-\037]")
_TEXT_MAX = 32767
#: The created date when the package has none, so the same tables give the same file.
_CREATED = datetime(2000, 1, 1)
_OPTIONS = {
    "in_memory": True,  # no temporary files; the parts are small
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
}


def _created(package: dict) -> datetime:
    """The run's start (UTC, as `datapackage.describe` gives it), so a run's file is the same each
    time it is written."""
    text = package.get("created")
    return datetime.fromisoformat(text.removesuffix("Z")) if text else _CREATED


def _text(value: str) -> str:
    if _ILLEGAL.search(value):
        raise ValueError(f"{value!r} cannot be written to a workbook: it holds a control character")
    return value[:_TEXT_MAX]


def _write_cell(ws, row: int, col: int, value, fmt) -> None:
    if isinstance(value, str):
        if value:
            ws.write_string(row, col, _text(value), fmt)
        elif fmt is not None:
            ws.write_blank(row, col, None, fmt)
    elif isinstance(value, bool):
        ws.write_boolean(row, col, value, fmt)
    elif isinstance(value, datetime):
        ws.write_datetime(row, col, value, fmt)
    elif value is None or (isinstance(value, float) and not math.isfinite(value)):
        # Nothing, or a number Excel cannot hold: an empty cell, keeping its format.
        if fmt is not None:
            ws.write_blank(row, col, None, fmt)
    else:
        ws.write_number(row, col, value, fmt)


def _write_sheet(ws, sheet: _Sheet, formats: dict) -> None:
    bold = formats["bold"]
    numbers = [formats.get(fmt) for fmt in sheet.formats]
    for r, row in enumerate(sheet.rows):
        styles = [bold] * len(row) if r + 1 in sheet.bold else numbers if r >= 3 else ()
        for c, (value, fmt) in enumerate(zip_longest(row, styles[: len(row)])):
            if c == 0 and r + 1 in sheet.links:
                target = sheet.links[r + 1].replace("'", "''")
                ws.write_url(r, c, f"internal:'{target}'!A1", None, _text(value))  # Excel's hyperlink style
            else:
                _write_cell(ws, r, c, value, fmt)
    for i, width in enumerate(sheet.widths):
        # `width` as Excel stores it (7 pixels a character of Calibri 11): as openpyxl wrote it.
        ws.set_column_pixels(i, i, 7 * width)
    if sheet.frozen:
        ws.freeze_panes(3, 0)
    if sheet.table:
        heads = sheet.rows[2]
        columns = [{"header": head, "header_format": bold} for head in heads]
        options = {"name": f"Table{sheet.table}", "style": "Table Style Light 1", "columns": columns}
        ws.add_table(2, 0, len(sheet.rows) - 1, len(heads) - 1, options)


def _write_xlsx(path: Path, title: str, sheets: list[_Sheet], created: datetime) -> None:
    from xlsxwriter import Workbook

    wb = Workbook(str(path), _OPTIONS)
    wb.set_properties({"title": title, "author": "cwbtools", "created": created})
    formats = {
        "bold": wb.add_format({"bold": True}),
        **{fmt: wb.add_format({"num_format": fmt}) for fmt in (_MONEY, *_FORMATS.values())},
    }
    for sheet in sheets:
        _write_sheet(wb.add_worksheet(sheet.title), sheet, formats)
    wb.close()


def write_downloads(folder: Path, config_path: Path, definitions: pd.DataFrame, provenance: dict) -> dict:
    """A finished place's downloads beside its CSVs: `datapackage.json` and the workbook. Returns
    the package descriptor."""
    from ..config import load_config
    from .datapackage import describe, write_datapackage
    from .html import NOTEBOOKS

    folder = Path(folder)
    config = load_config(config_path, check_inputs=False)
    notebooks = [folder / f"{stem}.ipynb" for stem in NOTEBOOKS if (folder / f"{stem}.ipynb").is_file()]
    # Each CSV read once, for both downloads.
    tables = {f"data/{p.name}": read_columns(p) for p in sorted((folder / "data").glob("*.csv"))}
    package = describe(folder, config, definitions, provenance, notebooks, tables)
    write_datapackage(folder, package)
    write_workbook(folder, package, tables)
    return package
