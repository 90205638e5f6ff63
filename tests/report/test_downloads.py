"""Downloads (issue 23, points 1-3): every chart as PNG and SVG beside its CSV, with alt text from
its data; one workbook per place; `datapackage.json` describing every CSV. First on hand-made
tables, then on the built reports of the demo and every real config with its data at hand."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pandas as pd
import pytest

from cwbtools.analysis.baseline import BUSINESS_TYPE_NAMES
from cwbtools.config import load_config
from cwbtools.paths import processed_dir, repo_root, reports_dir
from cwbtools.privacy import unnamed_rows
from cwbtools.publish import _NUMBER, is_formula_like
from cwbtools.report import charts, datapackage, workbook

STANDIN_A = repo_root() / "tests" / "data" / "notebooks" / "standin-a.yml"
DEMO = repo_root() / "configs" / "preston-demo.yml"


def _churn():
    return charts.churn_chart(
        pd.DataFrame(
            {
                "suppliers": ["continuing", "gained", "lost"],
                "count": [10, 4, 2],
                "change_pence": [150_00, 2_500_000_00, -40_000_00],
            }
        ),
        "Preston",
    )


@pytest.fixture
def r(tmp_path):
    from cwbtools.report.context import open_report

    report = open_report(STANDIN_A, year="2019/20", report_dir=tmp_path)
    report.shown = []
    report.show = report.shown.append
    report.coverage = "Based on hand-made figures."
    return report


# ---------------------------------------------------------------------------------------------
# Charts: PNG and SVG beside the CSV, alt text inside and on the page


def test_a_chart_is_saved_as_png_and_svg_beside_its_csv_and_linked(r, tmp_path):
    chart = _churn()
    r.chart(chart, "supplier-churn-chart")
    data = tmp_path / "data"
    assert sorted(p.name for p in data.iterdir()) == [
        "supplier-churn-chart.csv",
        "supplier-churn-chart.png",
        "supplier-churn-chart.svg",
    ]
    [shown] = r.shown
    page = shown.data
    assert f'alt="{chart.alt}"' in page
    links = re.findall(r'<a href="data/([^"]+)">([^<]+)</a>', page)
    assert links == [
        ("supplier-churn-chart.png", "PNG"),
        ("supplier-churn-chart.svg", "SVG"),
        ("supplier-churn-chart.csv", "Data (CSV)"),
    ]
    assert " · " in page
    # The alt text is computed from the data: it says the kind of chart and the figures.
    assert chart.alt != chart.title and "chart" in chart.alt.lower() and "£2.5m" in chart.alt


def test_the_images_carry_the_title_and_alt_text_and_are_the_same_on_every_run(tmp_path):
    from PIL import Image

    chart = _churn()
    files = chart.save_images(tmp_path, "churn")
    svg = (tmp_path / files["SVG"]).read_text(encoding="utf-8")
    import html

    assert f"<desc>{html.escape(chart.alt, quote=False)}</desc>" in svg
    assert f"<title>{html.escape(chart.title, quote=False)}</title>" in svg
    assert "<text" in svg  # text kept as text: searchable, and readable aloud
    assert "Continuing" in svg or "continuing" in svg
    info = Image.open(io.BytesIO((tmp_path / files["PNG"]).read_bytes())).info
    assert info["Description"] == chart.alt
    assert _churn().svg == chart.svg, "an SVG drawn twice differs: ids or dates are not fixed"


# ---------------------------------------------------------------------------------------------
# Table Schema types, read from what was written


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (["1", "-20", ""], {"type": "integer"}),
        (["0123", "45"], {"type": "string"}),  # an identifier with a leading zero stays text
        (["0.5", "1e-05", "-3"], {"type": "number"}),
        (["True", "False", ""], {"type": "boolean"}),
        (["2019-04-01"], {"type": "date"}),
        (["2019-04-01 10:00:00"], {"type": "datetime", "format": "%Y-%m-%d %H:%M:%S"}),
        (["'-0.96 to +20.31", "1"], {"type": "string"}),
        (["", ""], {"type": "string"}),
    ],
)
def test_field_types_are_read_from_the_published_text(values, expected):
    assert datapackage.field_type(pd.Series(values)) == expected


@pytest.mark.parametrize(
    "text",
    [
        'a,b\n1,2\n"x\ny","1,2"\n',
        "a,b\r\n1,2\r\n\n3,4\n",  # Windows line ends, a blank line
        "\ufeffa,b\nNA,nan\n",  # a byte order mark; no value is missing
        'a\n""\nx\n',  # one column: an empty cell is kept
        "a\n \nx\n",  # ... a blank-looking one is not
        "a,a\n1,2\n",  # repeated and empty headers: pandas renames them
        "a,\n1,2\n",
        "a,b\n1\n",  # a short row
        "a,b\n1,2\n   \n",
        "a,b\n",
    ],
)
def test_a_published_csv_is_read_as_pandas_reads_it(text, tmp_path):
    path = tmp_path / "t.csv"
    path.write_text(text, encoding="utf-8", newline="")
    frame = datapackage.read_published(path)
    assert datapackage.read_columns(path) == {c: frame[c].tolist() for c in frame.columns}


# ---------------------------------------------------------------------------------------------
# A hand-made place: the package validates, the workbook holds every table as numbers


@pytest.fixture
def place(tmp_path):
    """A report folder with two published CSVs (one a chart's data with its images), an executed
    notebook naming them, and its downloads written."""
    from cwbtools.publish import write_csv

    data = tmp_path / "data"
    data.mkdir()
    write_csv(
        pd.DataFrame(
            {
                "supplier_name": ['=HYPERLINK("http://x","y") Ltd', "Acme Ltd", "(individuals)"],
                "company_number": ["01234567", "", ""],
                "spend_pence": [123_456, 1_000_00, 5_00],
                "place_share": [0.25, None, 0.001],
                "first_payment": pd.to_datetime(["2019-04-01", "2019-05-02", None]),
                "small": [True, False, True],
            }
        ),
        data / "top-suppliers.csv",
    )
    chart = _churn()
    write_csv(chart.data, data / "churn-chart.csv")
    chart.save_images(data, "churn-chart")
    outputs = [
        {"output_type": "display_data", "metadata": {}, "data": {"text/html": html}}
        for html in (
            '<div class="cwb-figure"><h4>Top suppliers &amp; more</h4><a href="data/top-suppliers.csv">CSV</a></div>',
            '<figure><img alt="x"/><figcaption class="cwb-based-on"><strong>Supplier churn.</strong> '
            'Based on. <a href="data/churn-chart.csv">Data (CSV)</a></figcaption></figure>',
        )
    ]
    nb = {"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [{"cell_type": "code", "outputs": outputs}]}
    (tmp_path / "01_baseline.ipynb").write_text(json.dumps(nb), encoding="utf-8")
    config = load_config(DEMO, check_inputs=False)
    prov = {
        "run_started": "2026-01-02 03:04:05",
        "cwbtools_version": "0",
        "sources": [{"name": "Made up", "licence": "OGL"}],
    }
    package = workbook.write_downloads(tmp_path, DEMO, config.definitions_table(), prov)
    return tmp_path, package


def test_the_data_package_describes_every_csv_with_types_units_and_titles(place):
    import frictionless

    folder, package = place
    written = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    assert written == package
    report = frictionless.validate(str(folder / "datapackage.json"))
    assert report.valid, report.flatten(["type", "message"])
    by_name = {r["name"]: r for r in package["resources"]}
    assert set(by_name) == {"top-suppliers", "churn-chart"}
    top = {f["name"]: f for f in by_name["top-suppliers"]["schema"]["fields"]}
    assert top["spend_pence"]["type"] == "integer" and top["spend_pence"]["unit"] == "pence"
    assert top["place_share"]["unit"] == "share" and top["company_number"]["type"] == "string"
    assert top["first_payment"]["type"] == "date" and top["small"]["type"] == "boolean"
    assert by_name["top-suppliers"]["title"] == "Top suppliers & more"
    assert by_name["churn-chart"]["title"] == "Supplier churn"
    chart = by_name["churn-chart"]["chart"]
    assert chart["png"] == "data/churn-chart.png" and chart["alt"] == _churn().alt
    assert package["definitions"] and package["sources"][-1]["title"] == "Made up"
    assert any("ledger" in s["title"] for s in package["sources"])


def test_the_package_check_fails_when_a_csv_no_longer_matches(place):
    import frictionless

    folder, _ = place
    path = folder / "data" / "top-suppliers.csv"
    path.write_text(path.read_text().replace("123456", "lots"), encoding="utf-8")
    assert not frictionless.validate(str(folder / "datapackage.json")).valid


def test_the_workbook_has_contents_notes_and_every_table_as_numbers(place):
    from openpyxl import load_workbook

    folder, package = place
    wb = load_workbook(folder / "preston-demo-tables.xlsx")
    assert wb.sheetnames == ["Contents", "Notes", "top-suppliers", "churn-chart"]
    ws = wb["top-suppliers"]
    assert ws["A1"].value == "Top suppliers & more"
    heads = [c.value for c in ws[3]]
    assert heads[:3] == ["Supplier", "Company number", "Spend (£)"]
    rows = list(ws.iter_rows(min_row=4, values_only=True))
    assert rows[0][0] == '\'=HYPERLINK("http://x","y") Ltd'  # text, inert
    assert rows[0][1] == "01234567"
    assert rows[0][2] == pytest.approx(1234.56) and ws["C4"].number_format == '"£"#,##0.00'
    assert rows[0][3] == 0.25 and ws["D4"].number_format == "0.0%"
    assert rows[1][3] is None and rows[0][5] is True
    assert [t for t in ws.tables] and not ws.merged_cells.ranges
    contents = [r[0] for r in wb["Contents"].iter_rows(min_row=4, values_only=True)]
    assert contents == ["Notes", "top-suppliers", "churn-chart"]
    notes = "\n".join(str(v) for r in wb["Notes"].iter_rows(values_only=True) for v in r if v)
    assert "Place" in notes and "Made up" in notes and "Definition" in notes
    first = (folder / "preston-demo-tables.xlsx").read_bytes()
    assert workbook.write_workbook(folder, package).read_bytes() == first, "the same tables give the same file"


def test_the_workbook_keeps_dates_booleans_spaces_and_markup(tmp_path):
    from datetime import datetime

    from openpyxl import load_workbook

    from cwbtools.publish import write_csv

    (tmp_path / "data").mkdir()
    write_csv(
        pd.DataFrame(
            {
                "supplier_name": ["  padded  ", 'A & B <c> "q"', "#N/A", "", "   "],
                "first_payment": pd.to_datetime(["2019-04-01", None, "1900-01-15", "1900-03-01", "2024-02-29"]),
                "last_payment": pd.to_datetime(["2019-04-01 10:11:12", None, None, None, "2024-02-29 06:30:00"]),
                "small": [True, False, None, True, False],
                "ratio_lq": [1.5, None, 1e20, -0.5, 1 / 3],
            }
        ),
        tmp_path / "data" / "t.csv",
    )
    config = load_config(DEMO, check_inputs=False)
    workbook.write_downloads(tmp_path, DEMO, config.definitions_table(), {"sources": []})
    ws = load_workbook(tmp_path / "preston-demo-tables.xlsx")["t"]
    rows = list(ws.iter_rows(min_row=4, values_only=True))
    assert [r[0] for r in rows] == ["  padded  ", 'A & B <c> "q"', "#N/A", None, "   "]
    assert ws["A6"].data_type == "s", "text that looks like an error stays text"
    assert [r[1] for r in rows] == [datetime(2019, 4, 1), None, datetime(1900, 1, 15), datetime(1900, 3, 1)] + [
        datetime(2024, 2, 29)
    ]
    assert ws["B4"].number_format == "yyyy-mm-dd" and ws["C4"].number_format == "yyyy-mm-dd hh:mm:ss"
    assert rows[0][2] == datetime(2019, 4, 1, 10, 11, 12) and rows[4][2] == datetime(2024, 2, 29, 6, 30)
    assert [r[3] for r in rows] == [True, False, None, True, False]
    assert [r[4] for r in rows] == [1.5, None, 1e20, -0.5, pytest.approx(1 / 3)]
    assert ws.freeze_panes == "A4" and ws["A3"].font.b and ws.tables["Table1"].ref == "A3:E8"
    contents = load_workbook(tmp_path / "preston-demo-tables.xlsx")["Contents"]
    assert contents["A5"].value == "t" and contents["A5"].hyperlink.location == "'t'!A1"


def test_a_control_character_cannot_reach_the_workbook(tmp_path):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "t.csv").write_text("a\nbell \x07\n", encoding="utf-8")
    config = load_config(DEMO, check_inputs=False)
    with pytest.raises(ValueError, match="control character"):
        workbook.write_downloads(tmp_path, DEMO, config.definitions_table(), {"sources": []})


def test_sheet_names_fit_excel():
    names = workbook._sheet_names(["a" * 40, "a" * 40, "notes", "Contents"])
    assert all(len(n) <= 31 for n in names) and len({n.lower() for n in names}) == 4
    assert "notes" not in names and "Contents" not in names


# ---------------------------------------------------------------------------------------------
# The built reports: the demo and every real config with its data


def _places() -> list[str]:
    from cwbtools.report.run import default_and_available

    chosen, _ = default_and_available()
    return [load_config(p, check_inputs=False, resolve_areas=False).slug for p in chosen]


@pytest.fixture(scope="module", params=_places())
def built(request):
    folder = reports_dir() / request.param
    if not (folder / datapackage.PACKAGE_FILE).is_file():
        pytest.fail(f"{folder} has no downloads: rebuild it with `cwb run configs/{request.param}.yml`")
    return folder


def _cells(folder: Path) -> dict[str, list[str]]:
    """Every text a reader downloads, by file: CSV and workbook cells, SVG texts, alt texts."""
    from openpyxl import load_workbook

    out = {}
    for path in sorted((folder / "data").glob("*.csv")):
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        out[path.name] = [*frame.columns, *frame.to_numpy().ravel().tolist()]
    for path in sorted((folder / "data").glob("*.svg")):
        out[path.name] = re.findall(r">([^<>]+)</(?:text|tspan|title|desc)>", path.read_text(encoding="utf-8"))
    wb = load_workbook(next(folder.glob("*-tables.xlsx")))
    for ws in wb.worksheets:
        out[f"xlsx:{ws.title}"] = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    return out


@pytest.mark.realdata
def test_every_chart_has_png_svg_csv_and_alt_text(built):
    pages = {p.name: p.read_text(encoding="utf-8") for p in built.glob("*.html")}
    figures = [f for page in pages.values() for f in re.findall(r"<figure.*?</figure>", page, re.DOTALL)]
    assert figures, "no chart in the pages"
    for fig in figures:
        alt = re.search(r'<img[^>]*alt="([^"]*)"', fig).group(1)
        links = dict((text, href) for href, text in re.findall(r'<a href="(data/[^"]+)"[^>]*>([^<]+)</a>', fig))
        assert set(links) >= {"PNG", "SVG", "Data (CSV)"}, fig[-400:]
        assert all((built / href).is_file() for href in links.values())
        stem = Path(links["SVG"]).stem
        assert alt.strip() and "<desc>" in (built / links["SVG"]).read_text(encoding="utf-8"), stem
    for svg in (built / "data").glob("*.svg"):
        assert svg.with_suffix(".png").is_file() and svg.with_suffix(".csv").is_file()
    package = json.loads((built / datapackage.PACKAGE_FILE).read_text(encoding="utf-8"))
    charted = [r for r in package["resources"] if "chart" in r]
    assert len(charted) == len(list((built / "data").glob("*.svg"))) >= len(figures) // 3
    assert all(r["chart"]["alt"] and r["chart"]["alt"] != r["chart"]["title"] for r in charted), [
        r["name"] for r in charted if r["chart"]["alt"] == r["chart"]["title"]
    ]


@pytest.mark.realdata
def test_the_data_package_validates_against_the_csvs(built):
    import frictionless

    package = json.loads((built / datapackage.PACKAGE_FILE).read_text(encoding="utf-8"))
    csvs = sorted(p.name for p in (built / "data").glob("*.csv"))
    assert sorted(Path(r["path"]).name for r in package["resources"]) == csvs
    for resource in package["resources"]:
        header = pd.read_csv(built / resource["path"], nrows=0).columns.tolist()
        assert [f["name"] for f in resource["schema"]["fields"]] == header, resource["name"]
    report = frictionless.validate(str(built / datapackage.PACKAGE_FILE))
    assert report.valid, report.flatten(["resource", "type", "message"])[:10]


@pytest.mark.realdata
def test_the_workbook_opens_and_has_every_table(built):
    from openpyxl import load_workbook

    package = json.loads((built / datapackage.PACKAGE_FILE).read_text(encoding="utf-8"))
    wb = load_workbook(built / workbook.workbook_name(package["name"]))
    assert wb.sheetnames[:2] == ["Contents", "Notes"]
    assert len(wb.sheetnames) == 2 + len(package["resources"])
    for ws, resource in zip(wb.worksheets[2:], package["resources"], strict=True):
        assert ws["A1"].value == resource["title"] and ws.max_row == 3 + resource["rows"], resource["name"]
        assert not ws.merged_cells.ranges
    for html_page in built.glob("*.html"):
        text = html_page.read_text(encoding="utf-8")
        assert f'href="{workbook.workbook_name(package["name"])}"' in text and 'href="datapackage.json"' in text


@pytest.mark.realdata
def test_no_download_names_a_person_or_holds_a_formula(built):
    from openpyxl import load_workbook

    cells = _cells(built)
    formulas = [
        f"{name}: {c[:50]!r}"
        for name, values in cells.items()
        if not name.endswith(".svg")  # a spreadsheet opens CSVs and the workbook, not pictures
        for c in values
        if is_formula_like(c) and not _NUMBER.match(c)
    ]
    assert not formulas, formulas[:10]
    wb = load_workbook(next(built.glob("*-tables.xlsx")))
    assert not [c.coordinate for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.data_type == "f"]
    spend = pd.read_parquet(processed_dir() / built.name / "spend.parquet", columns=None)
    hidden = spend.loc[unnamed_rows(spend), "supplier_name"].dropna().astype(str).str.strip()
    # A ledger's placeholder payee ("Not classified") is hidden too, and is also one of our labels.
    ours = {v.casefold() for v in BUSINESS_TYPE_NAMES.values()} | {"(individual)", "(individuals)"}
    # A person has a name of two words or more; one word alone (`Accommodation`) may be a sector.
    people = {n.casefold() for n in hidden if len(n) >= 6 and len(n.split()) >= 2} - ours
    assert people, "no payee is hidden here: the check would prove nothing"
    named = [
        f"{name}: {v!r}"
        for name, values in cells.items()
        for v in values
        if isinstance(v, str) and v.strip().casefold() in people
    ]
    alts = " ".join(v for name, values in cells.items() if name.endswith(".svg") for v in values).casefold()
    named += [p for p in people if len(p) >= 10 and p in alts]
    assert not named, named[:10]
