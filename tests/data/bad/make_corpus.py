"""The bad-input corpus: ledgers and configs as users really hand them over, each with its outcome.

Every case is a builder `(folder, rng) -> Expect` that writes its file(s) and says what ingest (or
`cwb config check`) must make of them. The committed files under `tests/data/bad/` are seed 0;
tests also build the same kinds at other seeds (other names, amounts, row counts) so the mechanism
is tested, not the file names. `python tests/data/bad/make_corpus.py` rewrites the committed files
and MANIFEST.csv. The 1 GB one-line file is never committed: `one_gigabyte_line(path)` makes it,
sparse, at test time.

Expected outcomes:
- `reconciled`: `cwb ingest` exits 0, every file balances to the penny, `rows_kept`/`pence_kept` and
  the set-aside counts by reason are exactly as written (worked out from what the builder wrote).
- `error`: a non-zero exit, no traceback, and a message containing each `message` fragment (the
  file's name, the sheet, the key).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import random
import sys
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
HEADER = ["Payment Date", "Supplier Name", "Amount", "Expense Type", "Transaction Number"]

_WORDS = [
    "Ribble",
    "Pennine",
    "Fylde",
    "Bowland",
    "Lune",
    "Calder",
    "Wyre",
    "Darwen",
    "Hodder",
    "Brock",
    "Kestrel",
    "Heron",
    "Granite",
    "Copper",
    "Harbour",
    "Meadow",
    "Beacon",
    "Summit",
    "Anvil",
    "Orchard",
]
_TRADES = [
    "Plumbing",
    "Catering",
    "Scaffolding",
    "Print",
    "Cleaning",
    "Electrical",
    "Joinery",
    "Haulage",
    "Software",
    "Landscaping",
    "Waste",
    "Security",
    "Glazing",
    "Roofing",
    "Training",
]
_FORMS = ["Ltd", "Limited", "LLP", "PLC", "Services Ltd", "CIC"]


@dataclass
class Expect:
    outcome: str  # "reconciled" | "error"
    files: list[str]  # relative to the case folder, as written
    rows_kept: int = 0
    pence_kept: int = 0
    reasons: dict[str, int] = field(default_factory=dict)
    message: list[str] = field(default_factory=list)  # fragments the error must contain
    command: str = "ingest"  # "ingest" | "config"
    note: str = ""
    # Checked by tests beside the counts: exact kept (date, supplier, pence) for a few cases.
    kept: list[tuple[str, str, int]] | None = None


def firm(rng: random.Random) -> str:
    return f"{rng.choice(_WORDS)} {rng.choice(_WORDS)} {rng.choice(_TRADES)} {rng.choice(_FORMS)}"


def pounds(p: int) -> str:
    sign = "-" if p < 0 else ""
    return f"{sign}{abs(p) // 100}.{abs(p) % 100:02d}"


def thousands(p: int) -> str:
    return f"{abs(p) // 100:,}.{abs(p) % 100:02d}"


def payments(rng: random.Random, n: int | None = None, year: int = 2019) -> list[tuple[dt.date, str, int]]:
    """n payments (date, supplier, pence) in one financial year, positive amounts."""
    n = n if n is not None else rng.randint(3, 9)
    start = dt.date(year, 4, 1)
    return [
        (start + dt.timedelta(days=rng.randint(0, 364)), firm(rng), rng.randint(50_00, 2_500_000_00)) for _ in range(n)
    ]


def write_csv(path: Path, rows: list[list], encoding: str = "utf-8", newline: str = "\r\n") -> None:
    buf = io.StringIO()
    csv.writer(buf, lineterminator=newline).writerows(rows)
    path.write_bytes(buf.getvalue().encode(encoding))


def ledger(pays, fmt_amount=pounds, fmt_date=lambda d: d.strftime("%d/%m/%Y")) -> list[list]:
    return [HEADER] + [[fmt_date(d), s, fmt_amount(p), "Supplies", f"T{i:05d}"] for i, (d, s, p) in enumerate(pays)]


def _ok(name: str, pays, reasons=None, note="", exact=False) -> Expect:
    return Expect(
        "reconciled",
        [name],
        len(pays),
        sum(p for _, _, p in pays),
        reasons or {},
        note=note,
        kept=[(d.isoformat(), s, p) for d, s, p in pays] if exact else None,
    )


# ---------------------------------------------------------------------------------------------
# Files that are not ledgers at all: a clear error naming the file.


def empty(folder: Path, rng) -> Expect:
    (folder / "empty.csv").write_bytes(b"")
    return Expect("error", ["empty.csv"], message=["empty.csv"], note="0 bytes")


def bom_only(folder: Path, rng) -> Expect:
    (folder / "bom_only.csv").write_bytes(b"\xef\xbb\xbf\r\n\r\n")
    return Expect("error", ["bom_only.csv"], message=["bom_only.csv"], note="a BOM and blank lines")


def header_only(folder: Path, rng) -> Expect:
    write_csv(folder / "header_only.csv", [HEADER])
    return Expect("reconciled", ["header_only.csv"], note="a header and no rows: nothing read, nothing lost")


def binary_junk(folder: Path, rng) -> Expect:
    (folder / "binary_junk.csv").write_bytes(bytes(rng.randrange(256) for _ in range(4096)))
    return Expect("error", ["binary_junk.csv"], message=["binary_junk.csv"])


def pdf_renamed(folder: Path, rng) -> Expect:
    body = (
        b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
        b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\nstream\n"
        + bytes(rng.randrange(256) for _ in range(800))
        + b"\nendstream\n%%EOF\n"
    )
    (folder / "spend_report_pdf.csv").write_bytes(body)
    return Expect("error", ["spend_report_pdf.csv"], message=["spend_report_pdf.csv"], note="a PDF renamed .csv")


def html_error_page(folder: Path, rng) -> Expect:
    (folder / "html_error_page.csv").write_text(
        "<!DOCTYPE html>\n<html><head><title>404 Not Found</title></head>\n<body>\n"
        "<h1>Not Found</h1>\n<p>The requested URL /spend/2019-20.csv was not found on this server.</p>\n"
        f"<p>Request id {rng.randrange(10**8)}</p>\n</body></html>\n"
    )
    return Expect(
        "error",
        ["html_error_page.csv"],
        message=["html_error_page.csv"],
        note="a web server's error page saved as .csv",
    )


def no_ledger_columns(folder: Path, rng) -> Expect:
    write_csv(
        folder / "staff_list.csv",
        [["Name", "Team", "Extension"]]
        + [[f"Person {i}", rng.choice(_TRADES), str(rng.randrange(1000, 9999))] for i in range(5)],
    )
    return Expect(
        "error",
        ["staff_list.csv"],
        message=["staff_list.csv", "Columns found"],
        note="a CSV with no supplier/amount/date columns",
    )


def utf16_export(folder: Path, rng) -> Expect:
    pays = payments(rng)
    buf = io.StringIO()
    csv.writer(buf, delimiter="\t", lineterminator="\r\n").writerows(ledger(pays))
    (folder / "utf16_export.csv").write_bytes(buf.getvalue().encode("utf-16"))
    return _ok("utf16_export.csv", pays, note="Excel 'Unicode text': UTF-16 with BOM, tab-delimited")


def xlsx_password(folder: Path, rng) -> Expect:
    """A workbook saved with a password: an OLE compound file holding the encrypted package."""
    plain = folder / "_plain.xlsx"
    _xlsx(plain, [("Spend", ledger(payments(rng)))])
    try:
        sys.path.insert(0, "/tmp/msoff")
        import msoffcrypto  # only needed to regenerate; the committed file is the artefact
        from msoffcrypto.format.ooxml import OOXMLFile
    except ImportError:
        plain.unlink()
        raise
    out = folder / "password.xlsx"
    with open(plain, "rb") as src, open(out, "wb") as dst:
        OOXMLFile(src).encrypt("secret", dst)
    plain.unlink()
    del msoffcrypto
    return Expect(
        "error",
        ["password.xlsx"],
        message=["password.xlsx", "password"],
        note="encrypted workbook; the message should say it is password-protected",
    )


def xlsx_truncated(folder: Path, rng) -> Expect:
    path = folder / "truncated.xlsx"
    _xlsx(path, [("Spend", ledger(payments(rng)))])
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return Expect("error", ["truncated.xlsx"], message=["truncated.xlsx"], note="a download cut off half way")


def csv_named_xlsx(folder: Path, rng) -> Expect:
    buf = io.StringIO()
    csv.writer(buf).writerows(ledger(payments(rng)))
    (folder / "really_a_csv.xlsx").write_text(buf.getvalue())
    return Expect("error", ["really_a_csv.xlsx"], message=["really_a_csv.xlsx"], note="a CSV saved as .xlsx")


def xlsx_chart_only(folder: Path, rng) -> Expect:
    import openpyxl
    from openpyxl.chart import BarChart, Reference

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "hidden data"
    ws.sheet_state = "hidden"
    for _ in range(4):
        ws.append([rng.randint(1, 100)])
    chart = BarChart()
    chart.add_data(Reference(ws, min_col=1, min_row=1, max_row=4))
    cs = wb.create_chartsheet("Chart1")
    cs.add_chart(chart)
    wb.save(folder / "chart_only.xlsx")
    return Expect(
        "error",
        ["chart_only.xlsx"],
        message=["chart_only.xlsx"],
        note="a chart sheet and a numbers-only sheet: no ledger",
    )


# ---------------------------------------------------------------------------------------------
# Workbooks and layouts: read, every row accounted for.


def _xlsx(path: Path, sheets, merges: dict[str, list[str]] | None = None) -> None:
    import openpyxl

    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for title, rows in sheets:
        ws = wb.create_sheet(title)
        for r in rows:
            ws.append(r)
        for rng_ in (merges or {}).get(title, []):
            ws.merge_cells(rng_)
    wb.save(path)


def xlsx_with_chart_sheet(folder: Path, rng) -> Expect:
    import openpyxl
    from openpyxl.chart import BarChart, Reference

    pays = payments(rng)
    path = folder / "with_chart_sheet.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Spend"
    for i, (d, s, p) in enumerate(pays):
        if i == 0:
            ws.append(HEADER)
        ws.append([d, s, p / 100 if p % 100 else p // 100, "Supplies", f"T{i:05d}"])
    chart = BarChart()
    chart.add_data(Reference(ws, min_col=3, min_row=1, max_row=len(pays) + 1))
    wb.create_chartsheet("Spend chart").add_chart(chart)
    wb.save(path)
    return _ok(path.name, pays, note="a ledger sheet beside a chart sheet", exact=True)


def merged_title(folder: Path, rng) -> Expect:
    pays = payments(rng)
    rows = [["Anytown Council: payments over £500", None, None, None, None], [None] * 5, HEADER]
    rows += [[d, s, p / 100, "Supplies", f"T{i:05d}"] for i, (d, s, p) in enumerate(pays)]
    _xlsx(folder / "merged_title.xlsx", [("Spend", rows)], {"Spend": ["A1:E1", "A2:E2"]})
    # The title and blank rows above the header are read and set aside: counted, worth nothing.
    return _ok(
        "merged_title.xlsx",
        pays,
        {"blank": 1, "no_amount": 1},
        note="a merged title row and a blank merged row above the header",
        exact=True,
    )


def merged_header_two_rows(folder: Path, rng) -> Expect:
    pays = payments(rng)
    rows = [["Payment", None, "Amount", "Expense Type", "Transaction Number"], ["Date", "Supplier", None, None, None]]
    rows += [[d, s, p / 100, "Supplies", f"T{i:05d}"] for i, (d, s, p) in enumerate(pays)]
    _xlsx(folder / "merged_header.xlsx", [("Spend", rows)], {"Spend": ["C1:C2", "D1:D2", "E1:E2"]})
    # Half the header in one row, half in the next, merged cells spanning both (issue 17 point 1):
    # read as one header, `Payment` over `Date` giving the payment date. The top row is the header's
    # first half, not a row of data, so nothing is set aside.
    return _ok("merged_header.xlsx", pays, {}, note="a header merged over two rows, read as one", exact=True)


def two_header_rows(folder: Path, rng) -> Expect:
    pays = payments(rng)
    rows = [["Payment details", "", "", "Coding", ""]] + ledger(pays)
    write_csv(folder / "two_header_rows.csv", rows)
    # The group row above the header is read and set aside (no amount): counted, worth nothing.
    return _ok("two_header_rows.csv", pays, {"no_amount": 1}, note="a group row above the real header")


def totals_in_middle(folder: Path, rng) -> Expect:
    first, second = payments(rng), payments(rng)
    rows = ledger(first)
    sub = sum(p for _, _, p in first)
    rows.append(["", "Total", pounds(sub), "", ""])
    rows.append(["", "", "", "", ""])
    rows += ledger(second)[1:]
    rows.append(["Grand Total", "", thousands(sub + sum(p for _, _, p in second)), "", ""])
    write_csv(folder / "totals_in_middle.csv", rows)
    return _ok(
        "totals_in_middle.csv",
        first + second,
        {"total_row": 2, "blank": 1},
        note="a subtotal mid-file, a blank line, a grand total at the foot",
    )


def _amounts(name: str, style, note: str):
    def build(folder: Path, rng) -> Expect:
        pays = payments(rng)
        pays = [(d, s, -p if i % 3 == 1 else p) for i, (d, s, p) in enumerate(pays)]
        write_csv(folder / name, ledger(pays, fmt_amount=style))
        return _ok(name, pays, note=note, exact=True)

    build.__name__ = name.removesuffix(".csv")
    return build


amounts_pound_sign = _amounts(
    "amounts_pound_sign.csv", lambda p: ("-£" if p < 0 else "£") + thousands(p), "£1,234.56 and -£12.00"
)
amounts_spaces = _amounts(
    "amounts_spaces.csv",
    lambda p: (" - " if p < 0 else "  ") + f"{abs(p) // 100:,}".replace(",", " ") + f".{abs(p) % 100:02d} ",
    "spaces as thousands separators and padding",
)
amounts_brackets = _amounts(
    "amounts_brackets.csv", lambda p: f"({thousands(p)})" if p < 0 else thousands(p), "credits in brackets: (1,234.56)"
)
amounts_trailing_minus = _amounts(
    "amounts_trailing_minus.csv", lambda p: f"{pounds(-p)}-" if p < 0 else pounds(p), "credits with a trailing -"
)
amounts_cr_dr = _amounts(
    "amounts_cr_dr.csv", lambda p: f"{pounds(-p)} CR" if p < 0 else f"{pounds(p)} DR", "CR for credits, DR for debits"
)
amounts_currency_code = _amounts("amounts_gbp.csv", lambda p: f"GBP {pounds(p)}", "GBP before the amount")


def european_decimals(folder: Path, rng) -> Expect:
    pays = payments(rng)
    euro = lambda p: f"{abs(p) // 100:,}".replace(",", ".") + f",{abs(p) % 100:02d}"  # noqa: E731
    amb = [(d, s, p) for d, s, p in pays if p >= 1000_00]  # 1.234,56: a thousands dot, unreadable
    small = [(d, s, p) for d, s, p in pays if p < 1000_00]  # 12,50: read as 1,250 would be a silent x100
    write_csv(folder / "european_decimals.csv", ledger(pays, fmt_amount=euro), newline="\n")
    return Expect(
        "reconciled",
        ["european_decimals.csv"],
        0,
        0,
        {"unreadable_amount": len(amb) + len(small)},
        note="1.234,56: never guessed, set aside as unreadable (a wrong guess is a x100 error)",
    )


def text_in_amount(folder: Path, rng) -> Expect:
    pays = payments(rng, 6)
    rows = ledger(pays)
    junk = ["see attached", "#REF!", "TBC", "N/A", "1e5", "12.5.3"]
    bad = rng.sample(range(1, len(rows)), 2)
    for i, j in zip(bad, rng.sample(junk, 2)):
        rows[i][2] = j
    kept = [p for i, p in enumerate(pays, start=1) if i not in bad]
    write_csv(folder / "text_in_amount.csv", rows)
    return _ok("text_in_amount.csv", kept, {"unreadable_amount": 2})


def amount_column_blank(folder: Path, rng) -> Expect:
    pays = payments(rng)
    write_csv(folder / "amount_blank.csv", ledger(pays, fmt_amount=lambda p: ""))
    return Expect(
        "reconciled",
        ["amount_blank.csv"],
        0,
        0,
        {"no_amount": len(pays)},
        note="every amount cell empty: every row set aside as no_amount",
    )


def huge_amount(folder: Path, rng) -> Expect:
    pays = payments(rng)
    rows = ledger(pays)
    rows.insert(2, [rows[1][0], firm(rng), "123456789012345678901.00", "Supplies", "T99999"])
    write_csv(folder / "huge_amount.csv", rows)
    return _ok(
        "huge_amount.csv",
        pays,
        {"unreadable_amount": 1},
        note="an amount beyond int64 pence: unreadable, not an overflow",
    )


def dates_three_formats(folder: Path, rng) -> Expect:
    pays = payments(rng, 9)
    fmts = [lambda d: d.strftime("%d/%m/%Y"), lambda d: d.isoformat(), lambda d: d.strftime("%d-%b-%y")]
    rows = [HEADER] + [[fmts[i % 3](d), s, pounds(p), "Supplies", f"T{i:05d}"] for i, (d, s, p) in enumerate(pays)]
    write_csv(folder / "dates_three_formats.csv", rows)
    return _ok("dates_three_formats.csv", pays, note="dd/mm/yyyy, ISO and dd-Mon-yy in one column", exact=True)


def two_digit_years(folder: Path, rng) -> Expect:
    pays = payments(rng, year=rng.choice([2015, 2018, 2021]))
    write_csv(folder / "two_digit_years.csv", ledger(pays, fmt_date=lambda d: d.strftime("%d/%m/%y")))
    return _ok("two_digit_years.csv", pays, note="dd/mm/yy", exact=True)


def unreadable_dates(folder: Path, rng) -> Expect:
    pays = payments(rng, 6)
    rows = ledger(pays)
    rows[2][0] = "31/02/2019"
    rows[4][0] = ""
    kept = [p for i, p in enumerate(pays, start=1) if i not in (2, 4)]
    write_csv(folder / "unreadable_dates.csv", rows)
    return _ok(
        "unreadable_dates.csv",
        kept,
        {"unreadable_date": 1, "no_date": 1},
        note="31 February and a blank date: set aside, not guessed (the file name names no period)",
    )


def no_supplier(folder: Path, rng) -> Expect:
    pays = payments(rng, 5)
    rows = ledger(pays)
    rows[3][1] = "   "
    write_csv(folder / "blank_supplier.csv", rows)
    return _ok("blank_supplier.csv", [p for i, p in enumerate(pays, start=1) if i != 3], {"no_supplier": 1})


def duplicated_files(folder: Path, rng) -> Expect:
    pays = payments(rng)
    sub = folder / "duplicated"
    sub.mkdir(exist_ok=True)
    write_csv(sub / "spend-2019.csv", ledger(pays))
    write_csv(sub / "spend-2019 (1).csv", ledger(pays))
    return Expect(
        "reconciled",
        ["duplicated/spend-2019.csv", "duplicated/spend-2019 (1).csv"],
        len(pays),
        sum(p for _, _, p in pays),
        {"duplicate_of_other_file": len(pays)},
        note="the same file downloaded twice: the copy's rows set aside as duplicates",
    )


def two_encodings(folder: Path, rng) -> Expect:
    pays = [
        (d, s.replace("Ltd", "Café Ltd", 1) if i % 2 == 0 else s + " £", p) for i, (d, s, p) in enumerate(payments(rng))
    ]
    sub = folder / "two_encodings"
    sub.mkdir(exist_ok=True)
    write_csv(sub / "spend-utf8.csv", ledger(pays), encoding="utf-8")
    write_csv(sub / "spend-cp1252.csv", ledger(pays), encoding="cp1252")
    return Expect(
        "reconciled",
        ["two_encodings/spend-utf8.csv", "two_encodings/spend-cp1252.csv"],
        len(pays),
        sum(p for _, _, p in pays),
        {"duplicate_of_other_file": len(pays)},
        note="one ledger saved as UTF-8 and as cp1252 (é, £): one copy kept",
        kept=[(d.isoformat(), s, p) for d, s, p in pays],
    )


def mixed_line_endings(folder: Path, rng) -> Expect:
    pays = payments(rng, 9)
    lines = [",".join(HEADER)] + [f"{d:%d/%m/%Y},{s},{pounds(p)},Supplies,T{i:05d}" for i, (d, s, p) in enumerate(pays)]
    ends = ["\r\n", "\n", "\r"]
    text = "".join(line + ends[i % 3] for i, line in enumerate(lines))
    (folder / "mixed_line_endings.csv").write_bytes(text.encode())
    return _ok("mixed_line_endings.csv", pays, note="CRLF, LF and CR-only lines in one file", exact=True)


def script_supplier(folder: Path, rng) -> Expect:
    pays = payments(rng, 4)
    pays[1] = (pays[1][0], '<script>alert("cwb")</script>', pays[1][2])
    pays[2] = (pays[2][0], '<img src=x onerror=alert(1)> & "Sons" Ltd', pays[2][2])
    write_csv(folder / "script_supplier.csv", ledger(pays))
    return _ok("script_supplier.csv", pays, note="markup as a supplier name: kept as text", exact=True)


def long_supplier(folder: Path, rng) -> Expect:
    pays = payments(rng, 4)
    name = ((firm(rng) + " ") * 400)[:9_990].rstrip()
    pays[0] = (pays[0][0], name + "X" * (10_000 - len(name)), pays[0][2])
    write_csv(folder / "long_supplier.csv", ledger(pays))
    return _ok("long_supplier.csv", pays, note="a supplier name 10,000 characters long", exact=True)


def unknown_postcode(folder: Path, rng) -> Expect:
    pays = payments(rng, 4)
    rows = [HEADER + ["Supplier Postcode"]] + [
        r + [pc] for r, pc in zip(ledger(pays)[1:], ["ZZ99 9ZZ", "PR1 2AB", "not known", "XX1 1XX"])
    ]
    write_csv(folder / "unknown_postcode.csv", rows)
    return _ok("unknown_postcode.csv", pays, note="postcodes that exist nowhere, or are not postcodes: kept, unlocated")


def ragged_rows(folder: Path, rng) -> Expect:
    pays = payments(rng, 6)
    rows = ledger(pays)
    rows[2] = rows[2] + ["stray", "cells"]
    rows[4] = rows[4][:3]
    write_csv(folder / "ragged_rows.csv", rows)
    return _ok("ragged_rows.csv", pays, note="rows longer and shorter than the header")


def repeated_header(folder: Path, rng) -> Expect:
    a, b = payments(rng), payments(rng)
    rows = ledger(a) + ledger(b)  # two exports pasted together, header and all
    write_csv(folder / "pasted_twice.csv", rows)
    return _ok("pasted_twice.csv", a + b, note="a second copy of the header mid-file is not a row")


def semicolon_delimited(folder: Path, rng) -> Expect:
    pays = payments(rng)
    buf = io.StringIO()
    csv.writer(buf, delimiter=";", lineterminator="\n").writerows(ledger(pays))
    (folder / "semicolons.csv").write_text(buf.getvalue())
    return _ok("semicolons.csv", pays, note="semicolon-delimited, point decimals")


def nul_bytes(folder: Path, rng) -> Expect:
    pays = payments(rng, 5)
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows(ledger(pays))
    text = buf.getvalue().encode()
    lines = text.split(b"\r\n")
    lines[2] = lines[2].replace(b"Supplies", b"Supp\x00lies")
    (folder / "nul_bytes.csv").write_bytes(b"\r\n".join(lines))
    return _ok("nul_bytes.csv", pays, note="a NUL byte inside a cell (a damaged export)")


def formulas_uncached(folder: Path, rng) -> Expect:
    pays = payments(rng, 4)
    rows = [HEADER] + [[d, s, p / 100, "Supplies", f"T{i:05d}"] for i, (d, s, p) in enumerate(pays)]
    rows.append([pays[0][0], firm(rng), "=C2*2", "Supplies", "T90000"])
    rows.append([None, "Total", f"=SUM(C2:C{len(rows)})", None, None])
    _xlsx(folder / "formulas.xlsx", [("Spend", rows)])
    # A workbook written by a program, not saved by Excel, holds formulas with no stored value:
    # there is no amount to read, and the row says so.
    return _ok(
        "formulas.xlsx",
        pays,
        {"no_amount": 1, "total_row": 1},
        note="formula cells with no cached value (written by a script, never opened in Excel)",
    )


def odd_cells(folder: Path, rng) -> Expect:
    pays = payments(rng, 4)
    rows = [HEADER] + [[d, s, p / 100, "Supplies", f"T{i:05d}"] for i, (d, s, p) in enumerate(pays)]
    rows += [
        [dt.time(0, 0), firm(rng), 12.5, "Supplies", "T90001"],  # the date lost its date
        [pays[0][0], firm(rng), True, "Supplies", "T90002"],  # a tick box in the amount column
        [pays[0][0], firm(rng), dt.datetime(2019, 5, 1), "Supplies", "T90003"],
    ]  # a date as the amount
    _xlsx(folder / "odd_cells.xlsx", [("Spend", rows)])
    return _ok(
        "odd_cells.xlsx",
        pays,
        {"date_time_only": 1, "unreadable_amount": 2},
        note="a bare time as the date, TRUE and a date as amounts",
    )


def unterminated_quote(folder: Path, rng) -> Expect:
    pays = payments(rng, 4)
    rows = ledger(pays)
    text = "".join(",".join(f'"{c}"' if "," in c else c for c in r) + "\r\n" for r in rows)
    text += f'01/05/2019,"{firm(rng)},12.50,Supplies,T90000\r\n'  # the quote never closes: the rest is one cell
    (folder / "unterminated_quote.csv").write_text(text)
    return _ok("unterminated_quote.csv", pays, {"no_amount": 1}, note="an opening quote never closed on the last line")


def only_a_total(folder: Path, rng) -> Expect:
    pence = rng.randint(100_00, 10_000_000_00)
    write_csv(folder / "only_a_total.csv", [HEADER, ["", "Total", pounds(pence), "", ""]])
    return Expect(
        "reconciled",
        ["only_a_total.csv"],
        0,
        0,
        {"total_row": 1},
        note="a ledger whose only line is its total: read, set aside, nothing kept",
    )


def nan_inf_amounts(folder: Path, rng) -> Expect:
    pays = payments(rng, 4)
    rows = ledger(pays)
    for word in ("NaN", "inf", "-Infinity", "1e309"):
        rows.append([rows[1][0], firm(rng), word, "Supplies", "T9"])
    write_csv(folder / "nan_inf.csv", rows)
    return _ok("nan_inf.csv", pays, {"unreadable_amount": 4}, note="NaN, inf and 1e309 in the amount column")


def unicode_names(folder: Path, rng) -> Expect:
    pays = payments(rng, 5)
    odd = [
        "\U0001f600 Caf\u00e9 \u2615 Ltd",
        "\u202eDTL YNAPMOC",
        "Zero\u200bWidth Ltd",
        "Cafe\u0301 Ltd",
        "\u041e\u041e\u041e \u0420\u043e\u043c\u0430\u0448\u043a\u0430",
    ]
    pays = [(d, name, p) for (d, _, p), name in zip(pays, odd)]
    write_csv(folder / "unicode_names.csv", ledger(pays))
    return _ok(
        "unicode_names.csv",
        pays,
        note="emoji, a right-to-left override, a zero-width space, a combining accent, Cyrillic",
        exact=True,
    )


def wide_row(folder: Path, rng) -> Expect:
    pays = payments(rng, 3)
    extra = [f"Spare {i}" for i in range(5000)]
    rows = [HEADER + extra] + [r + [""] * len(extra) for r in ledger(pays)[1:]]
    write_csv(folder / "wide_row.csv", rows)
    return _ok("wide_row.csv", pays, note="5,000 spare columns")


def quoted_newlines(folder: Path, rng) -> Expect:
    pays = payments(rng, 4)
    pays[1] = (pays[1][0], pays[1][1].replace(" ", "\n", 1), pays[1][2])
    rows = ledger(pays)
    rows[3][3] = "line one\r\nline two"
    write_csv(folder / "quoted_newlines.csv", rows)
    # A line break inside a supplier name is kept as published (trimmed at the ends only).
    return _ok("quoted_newlines.csv", pays, note="line breaks inside quoted cells", exact=True)


# ---------------------------------------------------------------------------------------------
# Configs: `cwb config check` names the key or the path.

_CONFIG = """\
name: Bad Town
slug: bad-town
place: {{name: Preston, lad_codes: [E07000123]}}
wider_area: {{name: Lancashire, lad_codes: [E07000117, E07000123]}}
years: [2019/20]
anchors:
  - name: Bad Town Council
    kind: council
    ledgers: [{ledger}]
"""


def config_misspelt_key(folder: Path, rng) -> Expect:
    write_csv(folder / "config_ledger.csv", ledger(payments(rng)))
    wrong = rng.choice(["yeras", "ancors", "wider_aera"])
    right = {"yeras": "years", "ancors": "anchors", "wider_aera": "wider_area"}[wrong]
    text = _CONFIG.format(ledger=json.dumps("config_ledger.csv")).replace(f"{right}:", f"{wrong}:", 1)
    (folder / "config_misspelt_key.yml").write_text(text)
    return Expect(
        "error",
        ["config_misspelt_key.yml"],
        message=["config_misspelt_key.yml", wrong],
        command="config",
        note="a misspelt top-level key",
    )


def config_missing_ledger(folder: Path, rng) -> Expect:
    missing = f"ledgers/not-there-{rng.randrange(10**6)}.csv"
    (folder / "config_missing_ledger.yml").write_text(_CONFIG.format(ledger=json.dumps(missing)))
    return Expect(
        "error",
        ["config_missing_ledger.yml"],
        message=["config_missing_ledger.yml", Path(missing).name],
        command="config",
        note="a ledger path that does not exist",
    )


def config_traversal_slug(folder: Path, rng) -> Expect:
    text = _CONFIG.format(ledger=json.dumps("x.csv")).replace("slug: bad-town", "slug: ../../etc")
    (folder / "config_traversal_slug.yml").write_text(text)
    return Expect(
        "error",
        ["config_traversal_slug.yml"],
        message=["config_traversal_slug.yml", "slug"],
        command="config",
        note="a slug that would write outside reports/",
    )


def config_not_yaml(folder: Path, rng) -> Expect:
    (folder / "config_not_yaml.yml").write_text("name: Bad Town\nslug: [unclosed\n  anchors: {\n")
    return Expect(
        "error", ["config_not_yaml.yml"], message=["config_not_yaml.yml"], command="config", note="broken YAML"
    )


CASES = [
    empty,
    bom_only,
    header_only,
    binary_junk,
    pdf_renamed,
    html_error_page,
    no_ledger_columns,
    utf16_export,
    xlsx_password,
    xlsx_truncated,
    csv_named_xlsx,
    xlsx_chart_only,
    xlsx_with_chart_sheet,
    merged_title,
    merged_header_two_rows,
    two_header_rows,
    totals_in_middle,
    amounts_pound_sign,
    amounts_spaces,
    amounts_brackets,
    amounts_trailing_minus,
    amounts_cr_dr,
    amounts_currency_code,
    european_decimals,
    text_in_amount,
    amount_column_blank,
    huge_amount,
    dates_three_formats,
    two_digit_years,
    unreadable_dates,
    no_supplier,
    duplicated_files,
    two_encodings,
    mixed_line_endings,
    script_supplier,
    long_supplier,
    unknown_postcode,
    ragged_rows,
    repeated_header,
    semicolon_delimited,
    nul_bytes,
    formulas_uncached,
    odd_cells,
    unterminated_quote,
    only_a_total,
    nan_inf_amounts,
    unicode_names,
    wide_row,
    quoted_newlines,
    config_misspelt_key,
    config_missing_ledger,
    config_traversal_slug,
    config_not_yaml,
]
# Generated only at test time with a fresh seed (their builders need packages tests do not).
COMMITTED_ONLY = {"xlsx_password"}


def build(case, folder: Path, seed: int) -> Expect:
    """Write one case into `folder / case.__name__` and return its expectation."""
    sub = folder / case.__name__
    sub.mkdir(parents=True, exist_ok=True)
    return case(sub, random.Random(f"{case.__name__}:{seed}"))


def one_gigabyte_line(path: Path, size: int = 1 << 30) -> Path:
    """A ledger-looking header then one line of `size` bytes with no line break, made sparse (a hole
    of zeros) so it costs no disk and no time to write."""
    with open(path, "wb") as fh:
        fh.write(b"Payment Date,Supplier Name,Amount,")
        fh.truncate(size)
    return path


def huge_line_after_rows(path: Path, size: int = 1 << 30, rows: int = 50) -> Path:
    """A good header and `rows` good payments, then one line running (sparse) to `size` bytes: the
    readers must refuse the line as they meet it, not read it whole."""
    with open(path, "wb") as fh:
        fh.write(",".join(HEADER).encode() + b"\r\n")
        fh.write(b"01/05/2019,Acme Ltd,12.50,Supplies,T1\r\n" * rows + b"01/05/2019,Acme Ltd,")
        fh.truncate(size)
    return path


MANIFEST_COLUMNS = ["case", "command", "files", "outcome", "rows_kept", "pence_kept", "reasons", "message", "note"]


def manifest_row(name: str, e: Expect) -> dict:
    return {
        "case": name,
        "command": e.command,
        "files": ";".join(e.files),
        "outcome": e.outcome,
        "rows_kept": e.rows_kept,
        "pence_kept": e.pence_kept,
        "reasons": ";".join(f"{k}={v}" for k, v in sorted(e.reasons.items())),
        "message": ";".join(e.message),
        "note": e.note,
    }


def main() -> None:
    import shutil

    old_rows = {}
    if (HERE / "MANIFEST.csv").exists():
        with open(HERE / "MANIFEST.csv", encoding="utf-8") as fh:
            old_rows = {r["case"]: r for r in csv.DictReader(fh)}
    rows = []
    kept = {}
    for case in CASES:
        if case.__name__ in COMMITTED_ONLY and case.__name__ in old_rows:
            try:  # needs msoffcrypto-tool (pip install --target /tmp/msoff msoffcrypto-tool)
                sys.path.insert(0, "/tmp/msoff")
                import msoffcrypto  # noqa: F401
            except ImportError:
                print(f"kept the committed {case.__name__} (msoffcrypto-tool not installed)")
                rows.append(old_rows[case.__name__])
                continue
        shutil.rmtree(HERE / case.__name__, ignore_errors=True)
        e = build(case, HERE, 0)
        rows.append(manifest_row(case.__name__, e))
        if e.kept is not None:
            kept[case.__name__] = e.kept
    with open(HERE / "MANIFEST.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, MANIFEST_COLUMNS, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    (HERE / "expected_kept.json").write_text(json.dumps(kept, indent=1, ensure_ascii=False) + "\n")
    print(f"{len(rows)} cases written to {HERE}")


if __name__ == "__main__":
    main()
