"""Hostile and broken ledgers, one builder per case in issue 17's "Why", written at test time.

Each builder `(folder, rng) -> Case` writes small files (a few KB; the shapes openpyxl cannot make,
such as a cell at XFD1048576 or a 100 MB shared string, are written as XML into a zip by hand) and
says what `cwb ingest` must make of them, worked out from what it wrote, never from cwbtools:
- `read`: exit 0, every file balanced, exactly `rows_kept` payments worth `pence_kept`, paid to
  exactly the `names` written (when given);
- `error`: one line naming the file (and each of `says`);
- `read_or_error`: either, each checked as strictly (a file beyond a resource limit may be refused).
Nothing here imports cwbtools. Supplier names are made-up companies.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import random
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape

_WORDS = ["Ribble", "Pennine", "Fylde", "Bowland", "Lune", "Calder", "Wyre", "Darwen", "Hodder", "Kestrel"]
_TRADES = ["Plumbing", "Catering", "Scaffolding", "Print", "Cleaning", "Electrical", "Joinery", "Haulage"]
_FORMS = ["Ltd", "Limited", "LLP", "PLC", "Services Ltd"]
# Names whose bytes differ between UTF-8 and cp1252 (the mojibake cases).
_ACCENTED = ["Café Crème Ltd", "Zürich Façades Ltd", "Señor Peñas Catering Ltd", "Brontë Églantine LLP"]
HEADER = ["Payment Date", "Supplier Name", "Amount", "Expense Type", "Transaction Number"]


@dataclass
class Case:
    outcome: str  # "read" | "error" | "read_or_error"
    paths: list[str]  # given to `cwb ingest`, relative to the case folder
    rows_kept: int = 0
    pence_kept: int = 0
    names: set[str] | None = None  # the supplier names the kept rows must carry, exactly
    says: list[str] = field(default_factory=list)  # fragments the error must hold
    aside: dict[str, int] = field(default_factory=dict)  # reconciliation reason -> rows, checked when read
    args: list[str] = field(default_factory=list)  # extra `cwb ingest` arguments
    max_quarantine_bytes: int | None = None
    stdout_says: list[str] = field(default_factory=list)


@dataclass
class Payment:
    date: dt.date
    supplier: str
    pence: int
    ref: str

    def pounds(self) -> str:
        return f"{self.pence // 100}.{self.pence % 100:02d}"

    def row(self) -> list[str]:
        return [self.date.strftime("%d/%m/%Y"), self.supplier, self.pounds(), "Repairs", self.ref]


def _company(rng: random.Random) -> str:
    return f"{rng.choice(_WORDS)} {rng.choice(_TRADES)} {rng.choice(_FORMS)}"


def payments(rng: random.Random, n: int, month: int = 4, year: int = 2023, names=None) -> list[Payment]:
    """`n` payments in one month, to a handful of suppliers (so some are paid twice)."""
    names = names or sorted({_company(rng) for _ in range(max(3, n // 3))})
    return [
        Payment(dt.date(year, month, rng.randint(1, 28)), rng.choice(names), rng.randint(1_000, 2_500_000), f"T{i:06d}")
        for i in range(n)
    ]


def _total(ps: list[Payment]) -> int:
    return sum(p.pence for p in ps)


def _names(ps: list[Payment]) -> set[str]:
    return {p.supplier for p in ps}


def write_csv(path: Path, header: list[str], rows: list[list[str]], encoding: str = "utf-8") -> bytes:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows([header, *rows])
    data = buf.getvalue().encode(encoding)
    path.write_bytes(data)
    return data


# ---- workbooks written by hand ---------------------------------------------------------------


def col_letters(n: int) -> str:
    """1 -> A, 16384 -> XFD."""
    out = ""
    while n:
        n, r = divmod(n - 1, 26)
        out = chr(65 + r) + out
    return out


def _cell(ref: str, value) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, tuple):  # ("s", index): a shared string
        return f'<c r="{ref}" t="s"><v>{value[1]}</v></c>'
    if isinstance(value, int | float):
        return f'<c r="{ref}"><v>{value}</v></c>'
    return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{escape(str(value))}</t></is></c>'


def sheet_xml(rows: list[tuple[int, list]], dimension: str | None = None) -> str:
    """`rows`: (1-based row number, cells from column A)."""
    body = []
    for r, cells in rows:
        body.append(f'<row r="{r}">' + "".join(_cell(f"{col_letters(j + 1)}{r}", v) for j, v in enumerate(cells)))
        body.append("</row>")
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"{dim}<sheetData>{''.join(body)}</sheetData></worksheet>"
    )


def numbered(rows: list[list]) -> list[tuple[int, list]]:
    return [(i + 1, r) for i, r in enumerate(rows)]


def write_xlsx(path: Path, sheets: list[tuple[str, str, str]], shared: list[str] | None = None) -> None:
    """`sheets`: (name, state `visible`/`hidden`, sheet XML). `shared`: the shared strings, if any.
    Parts are deflated as Excel does; a sheet may be any XML (a far cell, a huge dimension)."""
    ns = "http://schemas.openxmlformats.org/"
    types = [
        f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        for i in range(1, len(sheets) + 1)
    ]
    rels = [
        f'<Relationship Id="rId{i}" Type="{ns}officeDocument/2006/relationships/worksheet" '
        f'Target="worksheets/sheet{i}.xml"/>'
        for i in range(1, len(sheets) + 1)
    ]
    if shared is not None:
        types.append(
            '<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
        )
        rels.append(
            f'<Relationship Id="rId{len(sheets) + 1}" Type="{ns}officeDocument/2006/relationships/sharedStrings" '
            'Target="sharedStrings.xml"/>'
        )
    parts = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            f'<Types xmlns="{ns}package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>' + "".join(types) + "</Types>"
        ),
        "_rels/.rels": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            f'<Relationships xmlns="{ns}package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{ns}officeDocument/2006/relationships/officeDocument" '
            'Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            f'<workbook xmlns="{ns}spreadsheetml/2006/main" xmlns:r="{ns}officeDocument/2006/relationships"><sheets>'
            + "".join(
                f'<sheet name="{escape(name)}" sheetId="{i}" r:id="rId{i}"'
                + (f' state="{state}"' if state != "visible" else "")
                + "/>"
                for i, (name, state, _) in enumerate(sheets, 1)
            )
            + "</sheets></workbook>"
        ),
        "xl/_rels/workbook.xml.rels": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            f'<Relationships xmlns="{ns}package/2006/relationships">' + "".join(rels) + "</Relationships>"
        ),
    }
    for i, (_, _, xml) in enumerate(sheets, 1):
        parts[f"xl/worksheets/sheet{i}.xml"] = xml
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        for name, text in parts.items():
            z.writestr(name, text)
        if shared is not None:
            # Streamed: a 100 MB string is written a MB at a time, never held whole.
            with z.open("xl/sharedStrings.xml", "w", force_zip64=True) as fh:
                fh.write(
                    f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><sst xmlns="{ns}spreadsheetml/2006/main" '
                    f'count="{len(shared)}" uniqueCount="{len(shared)}">'.encode()
                )
                for s in shared:
                    fh.write(b"<si><t>")
                    if isinstance(s, tuple):  # ("repeat", char, n): a huge string
                        chunk = (s[1] * (1 << 20)).encode()
                        for _ in range(s[2] >> 20):
                            fh.write(chunk)
                    else:
                        fh.write(escape(s).encode())
                    fh.write(b"</t></si>")
                fh.write(b"</sst>")


def ledger_sheet(ps: list[Payment], header: list[str] = HEADER) -> list[list]:
    return [header, *[[p.date.strftime("%d/%m/%Y"), p.supplier, p.pence / 100, "Repairs", p.ref] for p in ps]]


def write_ods(path: Path, sheets: list[tuple[str, list[list]]]) -> None:
    """A minimal OpenDocument spreadsheet: mimetype stored first, then content.xml."""

    def cell(v) -> str:
        if v is None or v == "":
            return "<table:table-cell/>"
        if isinstance(v, int | float):
            return f'<table:table-cell office:value-type="float" office:value="{v}"><text:p>{v}</text:p></table:table-cell>'
        return f'<table:table-cell office:value-type="string"><text:p>{escape(str(v))}</text:p></table:table-cell>'

    tables = "".join(
        f'<table:table table:name="{escape(name)}">'
        + "".join("<table:table-row>" + "".join(cell(v) for v in row) + "</table:table-row>" for row in rows)
        + "</table:table>"
        for name, rows in sheets
    )
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        f"<office:body><office:spreadsheet>{tables}</office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/" manifest:media-type="application/'
        'vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet", zipfile.ZIP_STORED)
        z.writestr("META-INF/manifest.xml", manifest, zipfile.ZIP_DEFLATED)
        z.writestr("content.xml", content, zipfile.ZIP_DEFLATED)


# ---- the cases -------------------------------------------------------------------------------

LGA_HEADER = [
    "OrganisationLabel",
    "OrganisationURI",
    "EffectiveDate",
    "OrganisationalUnit",
    "BeneficiaryName",
    "BeneficiaryOtherID",
    "PaymentDate",
    "TransactionNumber",
    "Amount",
    "IrrecoverableVATAmount",
    "Purpose",
    "ProclassLabel",
]


def lga_schema(folder: Path, rng: random.Random) -> Case:
    """The LGA spend schema, CamelCase headers, a constant URI column and an all-zero VAT column:
    was read as £0.00 paid to the council's own URI, and said balanced."""
    ps = payments(rng, 30)
    uri = "http://opendatacommunities.org/id/district-council/hostileshire"
    rows = [
        ["Hostileshire Council", uri, "30/04/2023", "Housing", p.supplier, f"S{i:05d}", p.date.strftime("%d/%m/%Y")]
        + [p.ref, p.pounds(), "0.00", "Repairs", "Construction"]
        for i, p in enumerate(ps)
    ]
    write_csv(folder / "spend-2023-04.csv", LGA_HEADER, rows)
    return Case("read", ["spend-2023-04.csv"], len(ps), _total(ps), _names(ps))


def hidden_draft_sheet(folder: Path, rng: random.Random) -> Case:
    """The published sheet, and a hidden draft of it in pence: the draft must not be counted."""
    ps = payments(rng, 24)
    draft = [[p.date.strftime("%d/%m/%Y"), p.supplier, p.pence, "Repairs", p.ref] for p in ps[:18]]
    write_xlsx(
        folder / "spend-april-2023.xlsx",
        [
            ("April 2023", "visible", sheet_xml(numbered(ledger_sheet(ps)))),
            ("Draft", "hidden", sheet_xml(numbered([HEADER, *draft]))),
        ],
    )
    return Case("read", ["spend-april-2023.xlsx"], len(ps), _total(ps), _names(ps))


def supplier_summary_sheet(folder: Path, rng: random.Random) -> Case:
    """A ledger sheet and a per-supplier summary sheet of the same payments (one row per supplier,
    its month's total): summing both counts every pound twice."""
    ps = payments(rng, 30)
    by_supplier: dict[str, int] = {}
    for p in ps:
        by_supplier[p.supplier] = by_supplier.get(p.supplier, 0) + p.pence
    summary = [["Payment Date", "Supplier Name", "Total Amount"]] + [
        ["30/04/2023", s, v / 100] for s, v in sorted(by_supplier.items())
    ]
    summary.append(["", "Total", _total(ps) / 100])
    write_xlsx(
        folder / "spend-april-2023.xlsx",
        [
            ("Transactions", "visible", sheet_xml(numbered(ledger_sheet(ps)))),
            ("Summary by supplier", "visible", sheet_xml(numbered(summary))),
        ],
    )
    return Case("read", ["spend-april-2023.xlsx"], len(ps), _total(ps), _names(ps))


def quarter_repeats_months(folder: Path, rng: random.Random) -> Case:
    """A sheet per month and a quarter sheet holding the same three months' payments again."""
    names = sorted({_company(rng) for _ in range(8)})
    months = {m: payments(rng, 12, month=m, names=names) for m in (4, 5, 6)}
    for i, p in enumerate(p for m in (4, 5, 6) for p in months[m]):
        p.ref = f"T{i:06d}"
    every = [p for m in (4, 5, 6) for p in months[m]]
    sheets = [
        (dt.date(2023, m, 1).strftime("%B %Y"), "visible", sheet_xml(numbered(ledger_sheet(months[m]))))
        for m in (4, 5, 6)
    ]
    sheets.append(("Q1 2023-24", "visible", sheet_xml(numbered(ledger_sheet(every)))))
    write_xlsx(folder / "spend-q1-2023.xlsx", sheets)
    return Case("read", ["spend-q1-2023.xlsx"], len(every), _total(every), _names(every))


def amount_in_pence(folder: Path, rng: random.Random) -> Case:
    """A header that says pence, amounts as whole pence: read as pounds they were 100x."""
    ps = payments(rng, 25)
    rows = [[p.date.strftime("%d/%m/%Y"), p.supplier, str(p.pence), p.ref] for p in ps]
    write_csv(folder / "payments.csv", ["Payment Date", "Supplier Name", "Amount (pence)", "Reference"], rows)
    return Case("read", ["payments.csv"], len(ps), _total(ps), _names(ps))


def two_supplier_columns(folder: Path, rng: random.Random) -> Case:
    """Two columns headed `Supplier`: the first holds codes, the second names."""
    ps = payments(rng, 30)
    codes = {s: f"V{rng.randint(10_000, 99_999)}" for s in _names(ps)}
    rows = [[codes[p.supplier], p.supplier, p.date.strftime("%d/%m/%Y"), p.pounds(), p.ref] for p in ps]
    write_csv(folder / "payments.csv", ["Supplier", "Supplier", "Payment Date", "Amount", "Invoice Number"], rows)
    return Case("read", ["payments.csv"], len(ps), _total(ps), _names(ps))


def overflowing_amounts(folder: Path, rng: random.Random) -> Case:
    """Three amounts of £4e16: their sum in pence passes int64 and wrapped negative. Each is above
    the plausibility limit (£10bn) and is set aside; the rest read to the penny."""
    ps = payments(rng, 20)
    rows = [p.row() for p in ps]
    for k in range(3):
        rows.insert(
            rng.randint(0, len(rows)), ["15/04/2023", _company(rng), "40000000000000000.00", "Repairs", f"X{k}"]
        )
    write_csv(folder / "payments.csv", HEADER, rows)
    return Case("read", ["payments.csv"], len(ps), _total(ps), _names(ps), aside={"implausible_amount": 3})


def far_cell_xfd1048576(folder: Path, rng: random.Random) -> Case:
    """A 5 KB workbook with one cell at XFD1048576: a sheet of 16,384 x 1,048,576 cells if the
    declared range is believed (512 GB). Read the ledger, or refuse it in seconds."""
    ps = payments(rng, 20)
    rows = numbered(ledger_sheet(ps)) + [(1_048_576, [None] * 16_383 + ["x"])]
    write_xlsx(folder / "spend.xlsx", [("Sheet1", "visible", sheet_xml(rows, "A1:XFD1048576"))])
    return Case("read_or_error", ["spend.xlsx"], len(ps), _total(ps), _names(ps), says=["spend.xlsx"])


def huge_shared_string(folder: Path, rng: random.Random) -> Case:
    """A ~100 KB workbook whose one shared string is 100 MB (a zip bomb in a cell): it hung holding
    4.7 GB. Refuse it in seconds, or read it in little memory."""
    ps = payments(rng, 20)
    rows = ledger_sheet(ps)
    rows[5] = rows[5][:3] + [("s", 0)] + rows[5][4:]  # one row's expense type is the huge string
    write_xlsx(
        folder / "spend.xlsx", [("Sheet1", "visible", sheet_xml(numbered(rows)))], shared=[("repeat", "A", 100 << 20)]
    )
    return Case("read_or_error", ["spend.xlsx"], len(ps), _total(ps), _names(ps), says=["spend.xlsx"])


def stray_cell_last_row(folder: Path, rng: random.Random) -> Case:
    """A stray character in row 1,048,576 under a short ledger: a million blank rows between must
    not each become a quarantine row (53 MB)."""
    ps = payments(rng, 20)
    rows = numbered(ledger_sheet(ps)) + [(1_048_576, ["."])]
    write_xlsx(folder / "spend.xlsx", [("Sheet1", "visible", sheet_xml(rows, "A1:E1048576"))])
    return Case("read", ["spend.xlsx"], len(ps), _total(ps), _names(ps), max_quarantine_bytes=64_000)


def _accented_payments(rng: random.Random, n: int) -> list[Payment]:
    return payments(rng, n, names=_ACCENTED)


def cut_mid_character(folder: Path, rng: random.Random) -> Case:
    """A UTF-8 download cut in the middle of a character: the complete rows keep their names."""
    ps = _accented_payments(rng, 20)
    data = write_csv(folder / "payments.csv", HEADER, [p.row() for p in ps])
    last = data.rstrip(b"\r\n").rfind(b"\n") + 1  # start of the last row
    cut = next(i for i in range(last, len(data)) if data[i] >= 0xC0) + 1  # one byte into a 2-byte character
    (folder / "payments.csv").write_bytes(data[:cut])
    kept = ps[:-1]
    return Case("read", ["payments.csv"], len(kept), _total(kept), _names(kept))


def one_bad_byte(folder: Path, rng: random.Random) -> Case:
    """UTF-8 throughout but one byte that is not (a stray 0xFF in one row's description): every
    other row's names stay right."""
    ps = _accented_payments(rng, 20)
    rows = [p.row() for p in ps]
    data = bytearray(write_csv(folder / "payments.csv", HEADER, rows))
    at = data.index(b"Repairs", len(data) // 2)
    data[at + 3] = 0xFF
    (folder / "payments.csv").write_bytes(bytes(data))
    return Case("read", ["payments.csv"], len(ps), _total(ps), _names(ps))


def mixed_utf8_cp1252_rows(folder: Path, rng: random.Random) -> Case:
    """Rows appended by two systems: some UTF-8, some cp1252, in one file. Each row decoded right."""
    ps = _accented_payments(rng, 24)
    lines = [",".join(HEADER).encode("ascii")]
    for i, p in enumerate(ps):
        buf = io.StringIO()
        csv.writer(buf, lineterminator="").writerow(p.row())
        lines.append(buf.getvalue().encode("utf-8" if i % 3 else "cp1252"))
    (folder / "payments.csv").write_bytes(b"\r\n".join(lines) + b"\r\n")
    return Case("read", ["payments.csv"], len(ps), _total(ps), _names(ps))


def ods_month_in_folder(folder: Path, rng: random.Random) -> Case:
    """A folder of monthly ledgers, one month published as .ods: it was skipped without a word."""
    ledgers = folder / "ledgers"
    ledgers.mkdir()
    april, may = payments(rng, 15, month=4), payments(rng, 15, month=5)
    for i, p in enumerate(may):
        p.ref = f"M{i:06d}"
    write_csv(ledgers / "spend-2023-04.csv", HEADER, [p.row() for p in april])
    write_ods(ledgers / "spend-2023-05.ods", [("May 2023", ledger_sheet(may))])
    both = april + may
    return Case("read", ["ledgers"], len(both), _total(both), _names(both), stdout_says=["spend-2023-05.ods"])


def broken_symlink_in_folder(folder: Path, rng: random.Random) -> Case:
    """A folder holding a link to a file that is gone: named, and set aside in the reconciliation."""
    ledgers = folder / "ledgers"
    ledgers.mkdir()
    ps = payments(rng, 15)
    write_csv(ledgers / "spend-2023-04.csv", HEADER, [p.row() for p in ps])
    os.symlink(folder / "moved-away.csv", ledgers / "spend-2023-05.csv")
    return Case(
        "read",
        ["ledgers"],
        len(ps),
        _total(ps),
        _names(ps),
        aside={"file_unreadable": 1},
        stdout_says=["spend-2023-05.csv", "broken link"],
    )


def junk_before_zip_header(folder: Path, rng: random.Random) -> Case:
    """A workbook with bytes in front of its ZIP header (a damaged download)."""
    ps = payments(rng, 10)
    write_xlsx(folder / "clean.xlsx", [("Sheet1", "visible", sheet_xml(numbered(ledger_sheet(ps))))])
    junk = bytes(rng.randrange(256) for _ in range(rng.randint(50, 900)))
    (folder / "spend-2023-04.xlsx").write_bytes(junk + (folder / "clean.xlsx").read_bytes())
    (folder / "clean.xlsx").unlink()
    return Case("error", ["spend-2023-04.xlsx"], says=["spend-2023-04.xlsx", "ZIP"])


def pdf_as_xlsx(folder: Path, rng: random.Random) -> Case:
    (folder / "spend-2023-04.xlsx").write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n")
    return Case("error", ["spend-2023-04.xlsx"], says=["spend-2023-04.xlsx", "PDF"])


def html_as_csv(folder: Path, rng: random.Random) -> Case:
    page = b"<!DOCTYPE html>\n<html><head><title>Page not found</title></head><body>Sorry</body></html>\n"
    (folder / "spend-2023-04.csv").write_bytes(page)
    return Case("error", ["spend-2023-04.csv"], says=["spend-2023-04.csv", "web page"])


def _lga_for_overrides(folder: Path, rng: random.Random) -> tuple[Case, str]:
    case = lga_schema(folder, rng)
    return case, case.paths[0]


def override_one_field(folder: Path, rng: random.Random) -> Case:
    """`--column amount=Amount` alone takes effect (it was ignored unless all three were given)."""
    case, _ = _lga_for_overrides(folder, rng)
    case.args = ["--column", "amount=Amount"]
    return case


def override_unknown_header(folder: Path, rng: random.Random) -> Case:
    """`--column amount=NoSuchHeader` is an error naming the header (it was silently ignored)."""
    _, name = _lga_for_overrides(folder, rng)
    return Case("error", [name], says=[name, "NoSuchHeader"], args=["--column", "amount=NoSuchHeader"])


def override_unknown_field(folder: Path, rng: random.Random) -> Case:
    """`--column bogusfield=Amount` is an error listing the fields (it was silently ignored)."""
    _, name = _lga_for_overrides(folder, rng)
    return Case("error", [name], says=["bogusfield", "supplier_name"], args=["--column", "bogusfield=Amount"])


CASES = {
    f.__name__: f
    for f in (
        lga_schema,
        override_one_field,
        override_unknown_header,
        override_unknown_field,
        hidden_draft_sheet,
        supplier_summary_sheet,
        quarter_repeats_months,
        amount_in_pence,
        two_supplier_columns,
        overflowing_amounts,
        far_cell_xfd1048576,
        huge_shared_string,
        stray_cell_last_row,
        cut_mid_character,
        one_bad_byte,
        mixed_utf8_cp1252_rows,
        ods_month_in_folder,
        broken_symlink_in_folder,
        junk_before_zip_header,
        pdf_as_xlsx,
        html_as_csv,
    )
}
