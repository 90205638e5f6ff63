"""Workbooks (issue 17 point 5 and the workbook parts of point 8): .xls and .ods read; sheets that
are not the ledger set aside with a reason and never double counted; the used range taken from
the data, not the declared dimension; any workbook refused in one line before a library loads it
when it is beyond the run's limits.

The workbooks are written here as XML in a ZIP (the shapes openpyxl cannot make: a cell at
XFD1048576, a part that lies about its size, a pivot table's relationship), from payments whose
counts and pence are known without cwbtools.
"""

from __future__ import annotations

import csv
import struct
import time
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

import pytest

from cwbtools.errors import InputFileError
from cwbtools.ingest import ingest_paths, survey, workbooks
from cwbtools.ingest.limits import Limits

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
HEADER = ["Payment Date", "Supplier Name", "Amount", "Expense Type", "Transaction Number"]
NAMES = ["Ribble Plumbing Ltd", "Pennine Catering LLP", "Fylde Print Ltd", "Lune Joinery PLC", "Calder Haulage Ltd"]


def payments(n: int, month: int = 4, start: int = 0) -> list[list]:
    """`n` payments in April 2023 (or `month`), each supplier paid more than once."""
    return [
        [
            f"{1 + i % 28:02d}/{month:02d}/2023",
            NAMES[i % len(NAMES)],
            round(100 + i * 37.25, 2),
            "Repairs",
            f"T{start + i:05d}",
        ]
        for i in range(n)
    ]


def pence(rows: list[list]) -> int:
    return sum(round(r[2] * 100) for r in rows)


def col(n: int) -> str:
    out = ""
    while n:
        n, r = divmod(n - 1, 26)
        out = chr(65 + r) + out
    return out


def cell(ref: str, v) -> str:
    if v is None or v == "":
        return ""
    if isinstance(v, tuple):  # ("s", i): a shared string; ("styled",): formatting only
        return f'<c r="{ref}" t="s"><v>{v[1]}</v></c>' if v[0] == "s" else f'<c r="{ref}" s="1"/>'
    if isinstance(v, int | float):
        return f'<c r="{ref}"><v>{v}</v></c>'
    return f'<c r="{ref}" t="inlineStr"><is><t>{escape(str(v))}</t></is></c>'


def sheet_xml(rows, dimension: str | None = None, tail: str = "") -> str:
    """`rows`: a list from row 1, or {row number: cells}; `tail`: more XML inside sheetData."""
    numbered = rows.items() if isinstance(rows, dict) else enumerate(rows, start=1)
    body = "".join(
        f'<row r="{r}">' + "".join(cell(f"{col(j + 1)}{r}", v) for j, v in enumerate(cells)) + "</row>"
        for r, cells in numbered
    )
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    return f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN}">{dim}<sheetData>{body}{tail}</sheetData></worksheet>'


def write_xlsx(path: Path, sheets: list[tuple], shared: list[str] | None = None, pivot: set[str] = frozenset()) -> Path:
    """`sheets`: (name, state, sheet XML); `pivot`: names of sheets holding a pivot table."""
    parts = {
        "[Content_Types].xml": '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
        'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships'
        '+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>',
        "_rels/.rels": f'<?xml version="1.0"?><Relationships xmlns="{PKG}"><Relationship Id="rId1" '
        f'Type="{REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": f'<?xml version="1.0"?><workbook xmlns="{MAIN}" xmlns:r="{REL}"><sheets>'
        + "".join(
            f'<sheet name="{escape(n)}" sheetId="{i}" r:id="rId{i}"'
            + (f' state="{st}"' if st != "visible" else "")
            + "/>"
            for i, (n, st, _) in enumerate(sheets, 1)
        )
        + "</sheets></workbook>",
    }
    rels = [
        f'<Relationship Id="rId{i}" Type="{REL}/worksheet" Target="worksheets/sheet{i}.xml"/>'
        for i in range(1, len(sheets) + 1)
    ]
    if shared is not None:
        rels.append(f'<Relationship Id="rIdS" Type="{REL}/sharedStrings" Target="sharedStrings.xml"/>')
        parts["xl/sharedStrings.xml"] = (
            f'<?xml version="1.0"?><sst xmlns="{MAIN}">'
            + "".join(f"<si><t>{escape(s)}</t></si>" for s in shared)
            + "</sst>"
        )
    parts["xl/_rels/workbook.xml.rels"] = (
        f'<?xml version="1.0"?><Relationships xmlns="{PKG}">{"".join(rels)}</Relationships>'
    )
    for i, (name, _, xml) in enumerate(sheets, 1):
        parts[f"xl/worksheets/sheet{i}.xml"] = xml
        if name in pivot:
            parts[f"xl/worksheets/_rels/sheet{i}.xml.rels"] = (
                f'<?xml version="1.0"?><Relationships xmlns="{PKG}"><Relationship Id="rId1" '
                f'Type="{REL}/pivotTable" Target="../pivotTables/pivotTable1.xml"/></Relationships>'
            )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in parts.items():
            z.writestr(name, text)
    return path


def write_ods(path: Path, sheets: list[tuple[str, str]]) -> Path:
    """`sheets`: (name, rows XML); the mimetype stored first, as the format asks."""
    ns = "urn:oasis:names:tc:opendocument:xmlns:"
    tables = "".join(f'<table:table table:name="{escape(n)}">{rows}</table:table>' for n, rows in sheets)
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="{ns}office:1.0" '
        f'xmlns:table="{ns}table:1.0" xmlns:text="{ns}text:1.0" office:version="1.2"><office:body>'
        f"<office:spreadsheet>{tables}</office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:'
        'xmlns:manifest:1.0"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/'
        'vnd.oasis.opendocument.spreadsheet"/></manifest:manifest>'
    )
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet", zipfile.ZIP_STORED)
        z.writestr("META-INF/manifest.xml", manifest, zipfile.ZIP_DEFLATED)
        z.writestr("content.xml", content, zipfile.ZIP_DEFLATED)
    return path


def ods_rows(rows: list[list]) -> str:
    def c(v) -> str:
        if v is None or v == "":
            return "<table:table-cell/>"
        if isinstance(v, int | float):
            return f'<table:table-cell office:value-type="float" office:value="{v}"><text:p>{v}</text:p></table:table-cell>'
        return f'<table:table-cell office:value-type="string"><text:p>{escape(str(v))}</text:p></table:table-cell>'

    return "".join(
        "<table:table-row>" + "".join(map(c, r)) + '<table:table-cell table:number-columns-repeated="16000"/>'
        "</table:table-row>"
        for r in rows
    )


def read(path: Path, **kw):
    res = ingest_paths([path], anchor="Workbook Council", **kw)
    assert res.balanced()
    return res


def reasons(res) -> dict[str, int]:
    rec = res.reconciliation
    return {c[7:]: int(rec[c].sum()) for c in rec.columns if c.startswith("reason_") and rec[c].sum()}


def no_library(monkeypatch) -> None:
    """Fail the test if a spreadsheet library is asked to load the file."""
    import python_calamine

    def refuse(*a, **k):
        raise AssertionError("the workbook was loaded before it was refused")

    monkeypatch.setattr(python_calamine.CalamineWorkbook, "from_path", refuse)
    monkeypatch.setattr(python_calamine.CalamineWorkbook, "from_filelike", refuse)


# ---- formats -----------------------------------------------------------------------------------


def test_an_ods_month_is_read_like_any_ledger(tmp_path):
    """OpenDocument as LibreOffice writes it: every row padded with a run of empty cells, and a
    million empty rows repeated at the foot."""
    rows = payments(12)
    body = ods_rows([HEADER, *rows]) + (
        '<table:table-row table:number-rows-repeated="1048000"><table:table-cell '
        'table:number-columns-repeated="16384"/></table:table-row>'
    )
    res = read(write_ods(tmp_path / "spend-2023-04.ods", [("April", body)]))
    tx = res.transactions
    assert (len(tx), int(tx.amount_pence.sum())) == (12, pence(rows))
    assert tx.supplier_name.tolist() == [r[1] for r in rows]
    assert tx.row_number.tolist() == list(range(2, 14))
    assert res.reconciliation.iloc[0].rows_read == 12


def test_ods_is_read_in_a_folder_beside_csv(tmp_path):
    folder = tmp_path / "ledgers"
    folder.mkdir()
    april, may = payments(6), payments(7, month=5, start=100)
    with open(folder / "2023-04.csv", "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows([HEADER, *april])
    write_ods(folder / "2023-05.ods", [("May", ods_rows([HEADER, *may]))])
    res = read(folder)
    assert sorted(res.reconciliation.source_file) == ["2023-04.csv", "2023-05.ods"]
    assert int(res.transactions.amount_pence.sum()) == pence(april) + pence(may)


@pytest.mark.realdata
@pytest.mark.parametrize(
    "name", ["hampshire-iow-pcc/Transparency-Payments-2024-04.xls", "nhs-barts-health/BART_09_-_December.xls"]
)
def test_legacy_xls_reads_as_the_truth_table_counts(shared_data, name):
    with open(Path(__file__).parents[1] / "data" / "corpus" / "truth.csv", newline="", encoding="utf-8") as fh:
        truth = {r["file"]: r for r in csv.DictReader(fh)}[name]
    res = read(shared_data / "spend-corpus" / name)
    named = res.transactions[res.transactions.supplier_name.notna()]
    assert len(named) == int(truth["payment_rows"])
    assert int(named.amount_pence.sum()) == int(truth["total_pence"])


# ---- sheets that are not the ledger ------------------------------------------------------------


def test_a_parameters_sheet_first_and_data_on_the_second(tmp_path):
    rows = payments(20)
    params = [["Report", "Spend over 500"], ["Period", "April 2023"], ["Run by", "FINANCE"]]
    path = write_xlsx(
        tmp_path / "spend.xlsx",
        [("Parameters", "visible", sheet_xml(params)), ("Spend", "visible", sheet_xml([HEADER, *rows]))],
    )
    res = read(path)
    assert (len(res.transactions), int(res.transactions.amount_pence.sum())) == (20, pence(rows))
    assert reasons(res) == {"sheet_not_a_ledger": 1}
    assert res.reconciliation.iloc[0].sheet == "Parameters;Spend"


def test_a_hidden_draft_is_counted_and_set_aside(tmp_path):
    rows = payments(24)
    draft = [[r[0], r[1], round(r[2] * 100), r[3], r[4]] for r in rows[:18]]  # in pence, unpublished
    path = write_xlsx(
        tmp_path / "spend.xlsx",
        [("April", "visible", sheet_xml([HEADER, *rows])), ("Draft", "hidden", sheet_xml([HEADER, *draft]))],
    )
    res = read(path)
    assert (len(res.transactions), int(res.transactions.amount_pence.sum())) == (24, pence(rows))
    assert reasons(res) == {"sheet_hidden": 18}
    r = res.reconciliation.iloc[0]
    assert r.rows_read == 42 and r.pence_set_aside == sum(d[2] * 100 for d in draft)
    q = res.quarantine
    assert set(q[q.reason == "sheet_hidden"].sheet) == {"Draft"}
    notes = res.column_maps.set_index(["sheet", "field"]).note
    assert "sheet_hidden" in notes["Draft", "supplier_name"]


def test_a_hidden_sheet_whose_columns_are_in_doubt_is_set_aside_unread(tmp_path):
    """A hidden sheet whose amount column reads £0 beside one that varies would stop a file if it
    were read; set aside, it is one row of £0 naming its columns, and the ledger is read."""
    rows = payments(12)
    doubtful = [["Payment Date", "Supplier Name", "Amount", "Net"], *[[r[0], r[1], 0, r[2]] for r in rows]]
    path = write_xlsx(
        tmp_path / "spend.xlsx",
        [("Published", "visible", sheet_xml([HEADER, *rows])), ("Workings", "hidden", sheet_xml(doubtful))],
    )
    res = read(path)
    assert (len(res.transactions), int(res.transactions.amount_pence.sum())) == (12, pence(rows))
    q = res.quarantine
    assert q.reason.tolist() == ["sheet_hidden"] and q.amount_pence.tolist() == [0]
    assert q.raw.iloc[0].startswith("columns: Payment Date, Supplier Name")
    assert set(res.column_maps.sheet) == {"Published"}


def test_a_workbook_whose_only_ledger_sheet_is_hidden_is_read_with_a_note(tmp_path):
    rows = payments(15)
    cover = [["Spend over £500"], ["See the hidden sheet"]]
    path = write_xlsx(
        tmp_path / "spend.xlsx",
        [("Cover", "visible", sheet_xml(cover)), ("Data", "veryHidden", sheet_xml([HEADER, *rows]))],
    )
    res = read(path)
    assert (len(res.transactions), int(res.transactions.amount_pence.sum())) == (15, pence(rows))
    note = res.column_maps.set_index(["sheet", "field"]).note["Data", "supplier_name"]
    assert "hidden" in note and "read" in note


def test_a_per_supplier_summary_sheet_is_not_counted_again(tmp_path):
    rows = payments(30)
    totals = {}
    for r in rows:
        totals[r[1]] = round(totals.get(r[1], 0) + r[2], 2)
    summary = [["Payment Date", "Supplier Name", "Total Amount"]]
    summary += [["30/04/2023", s, v] for s, v in sorted(totals.items())] + [
        ["", "Total", round(sum(totals.values()), 2)]
    ]
    path = write_xlsx(
        tmp_path / "spend.xlsx",
        [("Summary", "visible", sheet_xml(summary)), ("Transactions", "visible", sheet_xml([HEADER, *rows]))],
    )
    res = read(path)
    assert (len(res.transactions), int(res.transactions.amount_pence.sum())) == (30, pence(rows))
    assert set(res.transactions.sheet) == {"Transactions"}
    assert reasons(res) == {"sheet_summary": len(totals), "total_row": 1}


def test_a_sheet_holding_a_pivot_table_is_a_summary(tmp_path):
    rows = payments(10)
    pivot = [["Supplier Name", "Payment Date", "Amount"], *[[r[1], r[0], r[2] * 3] for r in rows[:4]]]
    path = write_xlsx(
        tmp_path / "spend.xlsx",
        [("Data", "visible", sheet_xml([HEADER, *rows])), ("Pivot", "visible", sheet_xml(pivot))],
        pivot={"Pivot"},
    )
    res = read(path)
    assert int(res.transactions.amount_pence.sum()) == pence(rows)
    assert reasons(res) == {"sheet_summary": 4}


def test_a_quarter_sheet_repeating_its_months_is_set_aside_and_the_months_read(tmp_path):
    months = {m: payments(12, month=m, start=100 * m) for m in (4, 5, 6)}
    every = [r for m in (4, 5, 6) for r in months[m]]
    sheets = [(f"2023-{m:02d}", "visible", sheet_xml([HEADER, *months[m]])) for m in (4, 5, 6)]
    sheets.insert(0, ("Q1", "visible", sheet_xml([HEADER, *every])))
    res = read(write_xlsx(tmp_path / "q1.xlsx", sheets))
    assert (len(res.transactions), int(res.transactions.amount_pence.sum())) == (36, pence(every))
    assert set(res.transactions.sheet) == {"2023-04", "2023-05", "2023-06"}
    assert reasons(res) == {"sheet_repeats_others": 36}
    r = res.reconciliation.iloc[0]
    assert r.pence_read == 2 * pence(every) and r.pence_set_aside == pence(every)


def test_of_two_copies_of_a_sheet_the_later_is_set_aside(tmp_path):
    rows = payments(9)
    sheets = [("April", "visible", sheet_xml([HEADER, *rows])), ("April (2)", "visible", sheet_xml([HEADER, *rows]))]
    res = read(write_xlsx(tmp_path / "spend.xlsx", sheets))
    assert set(res.transactions.sheet) == {"April"} and len(res.transactions) == 9
    assert reasons(res) == {"sheet_repeats_others": 9}


def test_month_sheets_of_the_same_regular_payments_are_all_read(tmp_path):
    """The same payees paid the same amounts each month (rent, contracts) are payments, not
    repeats or summaries: every month is counted."""
    regular = [["Pennine Estates Ltd", 1250.0], ["Lune Cleaning Ltd", 830.5], ["Calder IT Ltd", 99.99]]
    sheets = [
        (
            f"2023-{m:02d}",
            "visible",
            sheet_xml([HEADER, *[[f"01/{m:02d}/2023", n, a, "Rent", f"R{m}{i}"] for i, (n, a) in enumerate(regular)]]),
        )
        for m in (4, 5, 6)
    ]
    res = read(write_xlsx(tmp_path / "spend.xlsx", sheets))
    assert len(res.transactions) == 9 and reasons(res) == {}
    one_each = [
        (f"Month {m}", "visible", sheet_xml([HEADER, [f"0{m}/05/2023", n, a, "Rent", "X"]]))
        for m, (n, a) in enumerate(regular, 1)
    ]
    assert len(read(write_xlsx(tmp_path / "one-each.xlsx", one_each)).transactions) == 3


def test_a_sheet_per_month_with_its_header_lower_on_one_sheet(tmp_path):
    april, may = payments(8), payments(9, month=5, start=50)
    title = [["Transparency Report April 2023"], [], [], [], []]
    sheets = [("Apr", "visible", sheet_xml([*title, HEADER, *april])), ("May", "visible", sheet_xml([HEADER, *may]))]
    res = read(write_xlsx(tmp_path / "q.xlsx", sheets))
    assert int(res.transactions.amount_pence.sum()) == pence(april) + pence(may)
    maps = res.column_maps.drop_duplicates("sheet").set_index("sheet").header_row
    assert (maps["Apr"], maps["May"]) == (6, 1)


# ---- the used range, from the data -------------------------------------------------------------


def test_blank_rows_inside_a_sheet_are_one_blank_row_each_stretch(tmp_path):
    rows = payments(6)
    sheet = {1: HEADER, **{i + 2: r for i, r in enumerate(rows[:3])}, **{i + 100: r for i, r in enumerate(rows[3:])}}
    res = read(write_xlsx(tmp_path / "spend.xlsx", [("S", "visible", sheet_xml(sheet))]))
    assert res.transactions.row_number.tolist() == [2, 3, 4, 100, 101, 102]
    q = res.quarantine
    assert q.row_number.tolist() == [5] and q.reason.tolist() == ["blank"]


def test_a_stray_character_in_the_last_row_is_read_in_stretches(tmp_path, monkeypatch):
    """A ledger, then `.` in row 1,048,576: two stretches of rows each read on their own (never a
    rectangle of a million rows), the million empty rows one `blank` row, the stray one row."""
    rows = payments(40)
    sheet = {1: HEADER, **{i + 2: r for i, r in enumerate(rows)}, 1_048_576: ["."]}
    path = write_xlsx(tmp_path / "spend.xlsx", [("S", "visible", sheet_xml(sheet, "A1:E1048576"))])
    s = survey.survey(path).sheets["S"]
    assert (s.first_row, s.last_row, s.columns) == (1, 1_048_576, 5) and not s.dense()
    started = time.perf_counter()
    res = read(path)
    assert time.perf_counter() - started < 10
    assert (len(res.transactions), int(res.transactions.amount_pence.sum())) == (40, pence(rows))
    q = res.quarantine
    assert q.row_number.tolist() == [42, 1_048_576] and q.reason.tolist() == ["blank", "no_amount"]
    assert res.reconciliation.iloc[0].rows_read == 42


def test_rows_scattered_down_a_million_rows_are_streamed(tmp_path, monkeypatch):
    """Too many stretches to read one by one: the sheet is streamed row by row (openpyxl), and
    read right, each stretch of empty rows one `blank` row."""
    rows = payments(40)
    sheet = {1: HEADER, **{2 + 25_000 * i: r for i, r in enumerate(rows)}}
    path = write_xlsx(tmp_path / "scattered.xlsx", [("S", "visible", sheet_xml(sheet))])
    assert not survey.survey(path).sheets["S"].dense()
    streamed = []
    real = workbooks._streamed_sheet
    monkeypatch.setattr(workbooks, "_streamed_sheet", lambda *a: streamed.append(1) or real(*a))
    res = read(path)
    assert streamed
    assert res.transactions.row_number.tolist() == [2 + 25_000 * i for i in range(40)]
    assert int(res.transactions.amount_pence.sum()) == pence(rows)
    assert reasons(res) == {"blank": 39}


def test_formatting_far_away_is_not_data(tmp_path, monkeypatch):
    """A styled empty cell at XFD1048576 (Ctrl+End in Excel) stores no value: read whole, at once."""
    rows = payments(30)
    path = write_xlsx(
        tmp_path / "spend.xlsx",
        [
            (
                "S",
                "visible",
                sheet_xml([HEADER, *rows], "A1:XFD1048576", '<row r="1048576"><c r="XFD1048576" s="1"/></row>'),
            )
        ],
    )
    s = survey.survey(path).sheets["S"]
    assert (s.last_row, s.columns, s.dense()) == (31, 5, True)
    monkeypatch.setattr(workbooks, "_banded_sheet", lambda *a: pytest.fail("read in stretches"))
    res = read(path)
    assert (len(res.transactions), int(res.transactions.amount_pence.sum())) == (30, pence(rows))


def test_a_declared_million_rows_of_nothing_is_read_fast(tmp_path, monkeypatch):
    """GMCA's `Cleansed Data` declares 1,048,501 rows and stores a million empty `<row/>`s
    after 2,890 rows of data: read whole, as the data it holds."""
    rows = payments(200)
    empty = "".join(f'<row r="{r}" customFormat="1" ht="14.5"/>' for r in range(202, 300_000))
    path = write_xlsx(
        tmp_path / "gm.xlsx", [("Cleansed Data", "visible", sheet_xml([HEADER, *rows], "A1:AE299999", empty))]
    )
    monkeypatch.setattr(workbooks, "_banded_sheet", lambda *a: pytest.fail("read in stretches"))
    started = time.perf_counter()
    res = read(path)
    assert time.perf_counter() - started < 10
    assert (len(res.transactions), res.reconciliation.iloc[0].rows_read) == (200, 200)


def test_cells_and_rows_without_references_are_placed_by_count(tmp_path):
    """A writer may leave out `r` (the cell's place): cells then follow one another. Such a sheet's
    range is not known until read: it is streamed, and read right."""
    rows = payments(12)
    body = "".join(
        "<row>" + "".join(cell("A1", v).replace(' r="A1"', "") for v in r) + "</row>" for r in [HEADER, *rows]
    )
    xml = f'<?xml version="1.0"?><worksheet xmlns="{MAIN}"><sheetData>{body}</sheetData></worksheet>'
    path = write_xlsx(tmp_path / "plain.xlsx", [("S", "visible", xml)])
    s = survey.survey(path).sheets["S"]
    assert s.unsure and not s.dense()
    res = read(path)
    assert res.transactions.supplier_name.tolist() == [r[1] for r in rows]
    assert int(res.transactions.amount_pence.sum()) == pence(rows)
    assert res.transactions.row_number.tolist() == list(range(2, 14))


def test_a_cell_at_xfd1048576_is_refused_in_one_line_before_loading(tmp_path, monkeypatch):
    rows = payments(20)
    sheet = {1: HEADER, **{i + 2: r for i, r in enumerate(rows)}, 1_048_576: [None] * 16_383 + ["x"]}
    path = write_xlsx(tmp_path / "spend.xlsx", [("Sheet1", "visible", sheet_xml(sheet, "A1:XFD1048576"))])
    assert path.stat().st_size < 10_000
    no_library(monkeypatch)
    with pytest.raises(InputFileError) as err:
        read(path)
    msg = str(err.value)
    assert "\n" not in msg and "spend.xlsx" in msg and "column 16,384" in msg and "--limit max_sheet_columns" in msg


def test_the_far_cell_is_read_when_the_limit_is_raised(tmp_path):
    rows = payments(20)
    sheet = {1: HEADER, **{i + 2: r for i, r in enumerate(rows)}, 1_048_576: [None] * 16_383 + ["x"]}
    path = write_xlsx(tmp_path / "spend.xlsx", [("Sheet1", "visible", sheet_xml(sheet, "A1:XFD1048576"))])
    res = read(path, limits=Limits().replace(max_sheet_columns=16_384))
    assert (len(res.transactions), int(res.transactions.amount_pence.sum())) == (20, pence(rows))
    assert res.quarantine.row_number.tolist() == [22, 1_048_576]


def test_rows_beyond_the_limit_are_refused(tmp_path, monkeypatch):
    sheet = {1: HEADER, 2: payments(1)[0], 500_000: payments(1)[0]}
    path = write_xlsx(tmp_path / "spend.xlsx", [("S", "visible", sheet_xml(sheet))])
    no_library(monkeypatch)
    with pytest.raises(InputFileError, match=r"row 500,000 \(limit max_sheet_rows=100,000\)"):
        read(path, limits=Limits().replace(max_sheet_rows=100_000))


def _bomb(tmp_path: Path, size: int = 50 << 20) -> Path:
    """A small workbook whose one shared string unpacks to `size` bytes of one letter."""
    rows = payments(5)
    rows[2][3] = ("s", 0)
    plain = write_xlsx(tmp_path / "plain.xlsx", [("S", "visible", sheet_xml([HEADER, *rows]))], shared=["x"])
    with zipfile.ZipFile(plain) as z:
        parts = {i.filename: z.read(i) for i in z.infolist() if i.filename != "xl/sharedStrings.xml"}
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        for name, blob in parts.items():
            z.writestr(name, blob)
        with z.open("xl/sharedStrings.xml", "w") as fh:  # streamed: never held whole
            fh.write(f'<?xml version="1.0"?><sst xmlns="{MAIN}"><si><t>'.encode())
            for _ in range(size >> 20):
                fh.write(b"A" * (1 << 20))
            fh.write(b"</t></si></sst>")
    return path


def test_a_shared_string_zip_bomb_is_refused_before_loading(tmp_path, monkeypatch):
    path = _bomb(tmp_path)
    assert path.stat().st_size < 200_000
    no_library(monkeypatch)
    started = time.perf_counter()
    with pytest.raises(InputFileError, match=r"bomb.xlsx: its part xl/sharedStrings.xml unpacks .*max_unzipped_ratio"):
        read(path)
    with pytest.raises(
        InputFileError, match=r"shared strings table holds a cell of more than 1,000,000 .*max_cell_chars"
    ):
        read(path, limits=Limits().replace(max_unzipped_ratio=100_000))
    assert time.perf_counter() - started < 10


def test_a_part_that_lies_about_its_size_is_refused(tmp_path, monkeypatch):
    """A part declared small that unpacks to more: the declared sizes are not trusted."""
    path = write_xlsx(tmp_path / "forged.xlsx", [("S", "visible", sheet_xml([HEADER, *payments(50)]))])
    blob = bytearray(path.read_bytes())
    name = b"xl/worksheets/sheet1.xml"
    with zipfile.ZipFile(path) as z:
        info = z.getinfo(name.decode())
    central = blob.rfind(b"PK\x01\x02", 0, blob.rfind(name))  # its central directory entry
    struct.pack_into("<I", blob, central + 24, 100)  # says 100 bytes
    struct.pack_into("<I", blob, info.header_offset + 22, 100)
    path.write_bytes(bytes(blob))
    no_library(monkeypatch)
    with pytest.raises(InputFileError, match=r"forged.xlsx: is damaged or forged: its part xl/worksheets/sheet1.xml"):
        read(path)


def test_a_cell_longer_than_the_limit_in_a_sheet_is_refused(tmp_path, monkeypatch):
    rows = payments(3)
    rows[1][3] = "y" * 3000
    path = write_xlsx(tmp_path / "long.xlsx", [("S", "visible", sheet_xml([HEADER, *rows]))])
    no_library(monkeypatch)
    with pytest.raises(InputFileError, match=r"sheet 'S' holds a cell of more than 2,000 characters"):
        read(path, limits=Limits().replace(max_cell_chars=2000))


def test_an_ods_whose_repeats_make_billions_of_cells_is_refused(tmp_path, monkeypatch):
    bomb = (
        '<table:table-row table:number-rows-repeated="1048000"><table:table-cell table:number-columns-repeated="900" '
        'office:value-type="string"><text:p>x</text:p></table:table-cell></table:table-row>'
    )
    path = write_ods(tmp_path / "bomb.ods", [("S", ods_rows([HEADER]) + bomb)])
    assert path.stat().st_size < 5_000
    no_library(monkeypatch)
    with pytest.raises(InputFileError, match=r"bomb.ods: sheet 'S' occupies 943,\d+,\d+ cells \(limit max_sheet_cells"):
        read(path)


# ---- the real corpus ---------------------------------------------------------------------------


@pytest.mark.realdata
def test_gmca_declared_million_rows_is_surveyed_as_its_data(shared_data):
    path = shared_data / "spend-corpus" / "gmca" / "gmca-spend-500-transparency-q1.xlsx"
    s = survey.survey(path).sheets["Cleansed Data"]
    assert (s.first_row, s.last_row, s.columns) == (1, 2890, 7) and s.dense()


@pytest.mark.realdata
def test_no_corpus_workbook_is_read_in_stretches_or_hides_a_sheet(shared_data):
    """Every real workbook is mostly data (read whole, at once) and shows all its sheets."""
    for path in sorted((shared_data / "spend-corpus").glob("*/*")):
        if path.suffix.lower() in (".xlsx", ".ods") and path.read_bytes()[:2] == b"PK":
            for s in survey.survey(path).sheets.values():
                assert s.dense() and not s.hidden and not s.pivot, (path.name, s)
