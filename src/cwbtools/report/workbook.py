"""One workbook per place, for board papers: `<slug>-tables.xlsx` with a contents sheet, a notes
sheet (definitions, coverage, sources) and every published table on a sheet of its own.

Made from the published CSVs and their descriptions (`datapackage.describe`), never from analysis
frames, so it holds exactly what the CSVs hold: the same privacy rule already applied
(`present.save_csv`), every text cell guarded again (`publish.guard`: none can run as a
formula). Laid out as the Government Analysis Function asks of spreadsheets: one table per sheet
starting at the top left under its title, an Excel table with headers, no merged cells, no blank
rows inside a table, numbers stored as numbers (money in pounds with a £ format, shares as
percentages) and the contents linking to every sheet. openpyxl directly, already a dependency:
gptables does the same through xlsxwriter and a theme file, more than these sheets need.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from ..publish import guard
from .datapackage import read_published

_MONEY = '"£"#,##0.00'
_FORMATS = {"share": "0.0%", "integer": "#,##0", "date": "yyyy-mm-dd", "datetime": "yyyy-mm-dd hh:mm:ss"}
_SHEET_BAD = re.compile(r"[\[\]:*?/\\]")
_WIDTH = (8, 60)


def workbook_name(slug: str) -> str:
    return f"{slug}-tables.xlsx"


def _number(text: str, unit: str | None):
    value = int(text) if text.lstrip("-").isdigit() else float(text)
    return value / 100 if unit == "pence" else value


def typed(frame: pd.DataFrame, schema: dict) -> tuple[list[list], list[str | None]]:
    """A published CSV's rows as Excel cells by its Table Schema: numbers, booleans and dates,
    money in pounds (the CSV's pence / 100), an empty cell None; with each column's number format."""
    from datetime import datetime

    columns, formats = [], []
    for field in schema["fields"]:
        values = frame[field["name"]].tolist()
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
    """Readers' column headings, unique (an Excel table needs that), saying the unit of money."""
    heads = []
    for field in schema["fields"]:
        head = field.get("title") or field["name"]
        if field.get("unit") in ("pence", "gbp") and "£" not in head:
            head += " (£)"
        if head in heads:
            head = f"{head} ({field['name']})"
        heads.append(str(guard(head)))
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


def _widths(ws, rows: list[list], start: int = 1) -> None:
    from openpyxl.utils import get_column_letter

    for i in range(max((len(r) for r in rows), default=0)):
        longest = max((len(str(r[i])) for r in rows if i < len(r) and r[i] is not None), default=0)
        ws.column_dimensions[get_column_letter(start + i)].width = min(max(longest + 2, _WIDTH[0]), _WIDTH[1])


def _title(ws, text: str, bold) -> None:
    ws.append([guard(text)])
    ws["A1"].font = bold


def _contents(wb, package: dict, sheets: list[str], bold) -> None:
    ws = wb.create_sheet("Contents", 0)
    _title(ws, f"{package['title']}: contents", bold)
    ws.append(["This workbook has a notes sheet and one sheet per table. Select a sheet name to go to it."])
    head = ["Sheet", "Table", "Shown on page", "CSV file", "Rows"]
    ws.append(head)
    rows = [["Notes", "Definitions, coverage, units and sources", "", "", None]]
    rows += [
        [sheet, r["title"], r.get("page", ""), r["path"], r["rows"]]
        for sheet, r in zip(sheets, package["resources"], strict=True)
    ]
    for row in rows:
        ws.append([guard(v) for v in row])
        cell = ws.cell(row=ws.max_row, column=1)
        cell.hyperlink = f"#'{row[0]}'!A1"
        cell.style = "Hyperlink"
    for cell in ws[3]:
        cell.font = bold
    _widths(ws, [head, *rows])
    ws.freeze_panes = "A4"


def _notes(wb, package: dict, bold) -> None:
    ws = wb.create_sheet("Notes", 1)
    _title(ws, f"{package['title']}: notes", bold)
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
    headings = set()
    for row in rows:
        ws.append([guard(v) for v in row])
        if row and row[0] in ("Note", "Definition", "Source") and row[1] in ("Text", "Value", "File"):
            headings.add(ws.max_row)
    for r in headings:
        for cell in ws[r]:
            cell.font = bold
    _widths(ws, rows)


def _table_sheet(wb, sheet: str, resource: dict, folder: Path, bold, index: int) -> None:
    from openpyxl.worksheet.table import Table, TableStyleInfo

    ws = wb.create_sheet(sheet)
    rows, formats = typed(read_published(folder / resource["path"]), resource["schema"])
    _title(ws, resource["title"], bold)
    chart = resource.get("chart")
    ws.append([guard(f"Source: {resource['path']}" + (f". Chart: {chart['alt']}" if chart else ""))])
    heads = _headers(resource["schema"])
    ws.append(heads)
    for cell in ws[3]:
        cell.font = bold
    for row in rows:
        ws.append(row)
    for col, fmt in enumerate(formats, start=1):
        if fmt:
            for (cell,) in ws.iter_rows(min_row=4, max_row=ws.max_row, min_col=col, max_col=col):
                cell.number_format = fmt
    if rows:
        from openpyxl.utils import get_column_letter

        ref = f"A3:{get_column_letter(len(heads))}{3 + len(rows)}"
        table = Table(displayName=f"Table{index}", ref=ref)
        table.tableStyleInfo = TableStyleInfo(name="TableStyleLight1", showRowStripes=True)
        ws.add_table(table)
    _widths(ws, [heads, *rows[:200]])
    ws.freeze_panes = "A4"


def write_workbook(folder: Path, package: dict) -> Path:
    """`<folder>/<slug>-tables.xlsx` from the place's data package (`datapackage.describe`)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    folder = Path(folder)
    bold = Font(bold=True)
    wb = Workbook()
    wb.remove(wb.active)
    sheets = _sheet_names([r["name"] for r in package["resources"]])
    _contents(wb, package, sheets, bold)
    _notes(wb, package, bold)
    for i, (sheet, resource) in enumerate(zip(sheets, package["resources"], strict=True), start=1):
        _table_sheet(wb, sheet, resource, folder, bold, i)
    wb.properties.title = package["title"]
    wb.properties.creator = "cwbtools"
    path = folder / workbook_name(package["name"])
    wb.save(path)
    return path


def write_downloads(folder: Path, config_path: Path, definitions: pd.DataFrame, provenance: dict) -> dict:
    """A finished place's downloads beside its CSVs: `datapackage.json` and the workbook. Returns
    the package descriptor."""
    from ..config import load_config
    from .datapackage import describe, write_datapackage
    from .html import NOTEBOOKS

    folder = Path(folder)
    config = load_config(config_path, check_inputs=False)
    notebooks = [folder / f"{stem}.ipynb" for stem in NOTEBOOKS if (folder / f"{stem}.ipynb").is_file()]
    package = describe(folder, config, definitions, provenance, notebooks)
    write_datapackage(folder, package)
    write_workbook(folder, package)
    return package
