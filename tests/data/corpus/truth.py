"""Independent truth table for the spend corpus: payment-row count and total pence per file and sheet.

Built WITHOUT cwbtools, from per-file notes written by eye (`notes.csv`), so that `cwb ingest`'s
readers can be tested against figures that share none of their code.

Run:  .venv/bin/python tests/data/corpus/truth.py [--root ../shared/data/spend-corpus] [--only SUBSTR]
      [--anomalies]      (prints, per sheet, the rows the counting rules left out or could not read)

Counting rules (one notes row = one file, or one sheet of a workbook; `sheet` `*` = every sheet):
- The table starts on the row after `header_row` (1-based, counted in the raw file or sheet,
  blank rows included). Columns are found by header text, compared after trimming and collapsing
  whitespace (headers carry stray spaces and line breaks as published).
- A PAYMENT ROW is a row below the header whose amount cell is non-blank and parses as money, and
  whose supplier cell is non-blank, except: a repeat of the header row (supplier cell equals the
  supplier header text), and rows matching `skip_rows_matching`.
  Blank lines, title/preamble rows, export markers and totals rows with no payee fall out by rule;
  totals rows that DO carry text in the supplier column are removed by `skip_rows_matching`.
  Zero amounts and redacted payees ("REDACTED PERSONAL DATA") are payment rows.
- Money: integer pence via Decimal (never float arithmetic). Text amounts may carry `£`, commas,
  spaces, a leading or trailing minus, brackets for negatives, or a `CR` (negative) / `DR` suffix;
  a bare `-` (accounting format's zero) is 0.
  Workbook floats are read through repr() and rounded half-up to the penny (float noise such as
  851.5699999999999); a true sub-penny value is reported as an anomaly. `pence=true` means the
  column already holds pence. An amount that will not parse is an error, never skipped silently.
- `skip_rows_matching`: rules separated by ` ; `, each `column~regex` (Python regex, searched in
  the cell's text, case-insensitive) with several conditions joined by ` & `; `column` `*` means
  any cell of the row.
- `kind` `not_ledger` rows are listed with blank counts.
- truth.csv adds, per table: `zero_rows` and `negative_rows` (among payment rows) and
  `no_payee_rows` (rows with money but a blank payee that no skip rule removed: blanked-out
  individuals, bank-charge journals; NOT counted as payment rows, listed so a reader can decide).
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import re
import sys
from collections import Counter
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

HERE = Path(__file__).resolve().parent
NOTES = HERE / "notes.csv"
TRUTH = HERE / "truth.csv"
DEFAULT_ROOT = Path(os.environ.get("CWB_DATA", HERE.parents[2].parent / "shared" / "data")) / "spend-corpus"

TRUTH_FIELDS = [
    "file",
    "sheet",
    "kind",
    "payment_rows",
    "total_pence",
    "supplier_column",
    "amount_column",
    "header_row",
    "zero_rows",
    "negative_rows",
    "no_payee_rows",
]

_MONEY = re.compile(r"^(?P<sign>[-+])?(?P<num>\d+(?:\.\d*)?|\.\d+)(?P<trail>-)?$")


def norm(text: object) -> str:
    """Header text as compared: trimmed, inner whitespace (incl. line breaks, nbsp) collapsed."""
    return " ".join(str(text).replace("\xa0", " ").split())


def is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def to_pence(value: object, *, pence: bool = False) -> int:
    """Money cell to integer pence; raises ValueError for anything that is not money."""
    if isinstance(value, bool):
        raise ValueError(f"boolean amount {value!r}")
    if isinstance(value, int):
        amount = Decimal(value)
    elif isinstance(value, float):
        amount = Decimal(repr(value))
    else:
        text = str(value).strip().replace("\xa0", "").replace(" ", "")
        negative = False
        if text.startswith("(") and text.endswith(")"):
            negative, text = True, text[1:-1]
        upper = text.upper()
        if upper.endswith("CR"):
            negative, text = not negative, text[:-2]
        elif upper.endswith("DR"):
            text = text[:-2]
        text = text.replace("£", "").replace(",", "")
        if text in ("-", "–"):  # spreadsheet "accounting" format shows zero as a bare dash
            return 0
        if text.startswith("-£") or text.startswith("£-"):
            text = "-" + text[2:]
        m = _MONEY.match(text)
        if not m:
            raise ValueError(f"not money: {value!r}")
        amount = Decimal(m["num"])
        if (m["sign"] == "-") != bool(m["trail"]):
            amount = -amount
        elif m["sign"] == "-" and m["trail"]:
            raise ValueError(f"two minus signs: {value!r}")
        if negative:
            amount = -amount
    if pence:
        if amount != amount.to_integral_value():
            raise ValueError(f"fractional pence: {value!r}")
        return int(amount)
    rounded = amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    if abs(rounded - amount) > Decimal("0.000001"):
        raise ValueError(f"sub-penny amount: {value!r}")
    return int(rounded * 100)


# ---------------------------------------------------------------- reading


def decode(data: bytes, encoding: str) -> str:
    """`utf-8-sig`, `cp1252`, or `mixed` (each line UTF-8 if it decodes, else cp1252)."""
    if encoding != "mixed":
        return data.decode(encoding)
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    out = []
    for line in data.splitlines(keepends=True):
        try:
            out.append(line.decode("utf-8"))
        except UnicodeDecodeError:
            out.append(line.decode("cp1252"))
    return "".join(out)


def read_csv(path: Path, encoding: str) -> list[list[str]]:
    # newline="" lets csv see CR, LF and CRLF (and quoted line breaks) as the publisher wrote them
    return list(csv.reader(io.StringIO(decode(path.read_bytes(), encoding), newline="")))


def workbook_sheets(path: Path) -> list[str]:
    from python_calamine import CalamineWorkbook

    return list(CalamineWorkbook.from_path(str(path)).sheet_names)


def read_sheet(path: Path, sheet: str) -> list[list[object]]:
    """Rows of one sheet from A1 (blank rows kept, so row numbers are the sheet's own).

    calamine for xlsx, xls and ods alike: it stops at the last cell holding data, whatever the
    sheet's declared dimension says (one file declares ~1M rows).
    """
    from python_calamine import CalamineWorkbook

    wb = CalamineWorkbook.from_path(str(path))
    return wb.get_sheet_by_name(sheet).to_python(skip_empty_area=False)


# ---------------------------------------------------------------- counting


@dataclass
class Note:
    file: str
    sheet: str
    header_row: int
    amount_column: str
    supplier_column: str
    pence: bool
    skip: list[list[tuple[str, re.Pattern]]]
    encoding: str
    kind: str
    raw: dict = field(repr=False, default_factory=dict)


def parse_skip(text: str) -> list[list[tuple[str, re.Pattern]]]:
    rules = []
    for rule in filter(None, (r.strip() for r in (text or "").split(" ; "))):
        conds = []
        for cond in rule.split(" & "):
            col, _, rx = cond.partition("~")
            conds.append((norm(col), re.compile(rx, re.I)))
        rules.append(conds)
    return rules


def load_notes(path: Path = NOTES) -> list[Note]:
    with path.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    return [
        Note(
            file=r["file"],
            sheet=r["sheet"],
            header_row=int(r["header_row"] or 0),
            amount_column=r["amount_column"],
            supplier_column=r["supplier_column"],
            pence=r["pence"].strip().lower() == "true",
            skip=parse_skip(r["skip_rows_matching"]),
            encoding=r["encoding"] or "utf-8-sig",
            kind=r["kind"],
            raw=r,
        )
        for r in rows
    ]


def column_index(header: list[object], name: str) -> int:
    hits = [i for i, h in enumerate(header) if norm(h) == norm(name)]
    if len(hits) != 1:
        raise KeyError(f"column {name!r} found {len(hits)} times in header {header!r}")
    return hits[0]


@dataclass
class Count:
    payment_rows: int = 0
    total_pence: int = 0
    zero_rows: int = 0
    negative_rows: int = 0
    no_payee_rows: int = 0
    left_out: Counter = field(default_factory=Counter)
    examples: dict = field(default_factory=dict)

    def leave_out(self, why: str, lineno: int, row: list[object]) -> None:
        self.left_out[why] += 1
        self.examples.setdefault(why, []).append((lineno, row))


def count_rows(rows: list[list[object]], note: Note) -> Count:
    """Apply the counting rules (module docstring) to one table."""
    header = rows[note.header_row - 1]
    a = column_index(header, note.amount_column)
    s = column_index(header, note.supplier_column)
    names = [norm(h) for h in header]
    out = Count()
    for lineno, row in enumerate(rows[note.header_row :], start=note.header_row + 1):
        # CSV rows may be shorter than the header
        amount = row[a] if a < len(row) else None
        supplier = row[s] if s < len(row) else None
        if all(is_blank(v) for v in row):
            out.left_out["blank line"] += 1
            continue
        if _skipped(row, names, note):
            out.leave_out("skip rule", lineno, row)
            continue
        if norm(supplier) == norm(note.supplier_column):
            out.leave_out("repeated header", lineno, row)
            continue
        if is_blank(amount):
            out.leave_out("blank amount", lineno, row)
            continue
        try:
            pence = to_pence(amount, pence=note.pence)
        except ValueError as exc:
            out.leave_out(f"unreadable amount ({exc})", lineno, row)
            continue
        if is_blank(supplier):
            out.no_payee_rows += 1
            out.leave_out("blank supplier", lineno, row)
            continue
        out.payment_rows += 1
        out.total_pence += pence
        out.zero_rows += pence == 0
        out.negative_rows += pence < 0
    return out


def _skipped(row: list[object], names: list[str], note: Note) -> bool:
    def text(i: int) -> str:
        return "" if i >= len(row) or row[i] is None else str(row[i])

    for rule in note.skip:
        ok = True
        for col, rx in rule:
            if col == "*":
                ok = any(rx.search(text(i)) for i in range(len(row)))
            else:
                ok = bool(rx.search(text(names.index(col))))
            if not ok:
                break
        if ok:
            return True
    return False


def tables(root: Path, note: Note) -> list[tuple[str, list[list[object]]]]:
    """(sheet name, rows) for each table a notes row covers."""
    path = root / note.file
    if path.suffix.lower() == ".csv":
        return [("", read_csv(path, note.encoding))]
    names = workbook_sheets(path) if note.sheet == "*" else [note.sheet]
    return [(name, read_sheet(path, name)) for name in names]


def truth_rows(root: Path, note: Note) -> list[tuple[dict, Count | None]]:
    base = {
        "file": note.file,
        "kind": note.kind,
        "supplier_column": note.supplier_column,
        "amount_column": note.amount_column,
        "header_row": note.header_row or "",
    }
    if note.kind != "ledger":
        return [
            (
                {
                    **base,
                    "sheet": note.sheet,
                    "payment_rows": "",
                    "total_pence": "",
                    "zero_rows": "",
                    "negative_rows": "",
                    "no_payee_rows": "",
                },
                None,
            )
        ]
    out = []
    for sheet, rows in tables(root, note):
        c = count_rows(rows, note)
        out.append(
            (
                {
                    **base,
                    "sheet": sheet,
                    "payment_rows": c.payment_rows,
                    "total_pence": c.total_pence,
                    "zero_rows": c.zero_rows,
                    "negative_rows": c.negative_rows,
                    "no_payee_rows": c.no_payee_rows,
                },
                c,
            )
        )
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--root", type=Path, default=DEFAULT_ROOT)
    ap.add_argument("--only", default="")
    ap.add_argument("--anomalies", action="store_true")
    args = ap.parse_args(argv)
    notes = [n for n in load_notes() if args.only in n.file]
    results = []
    for note in notes:
        for row, c in truth_rows(args.root.resolve(), note):
            results.append(row)
            if args.anomalies and c is not None:
                print(
                    f"== {row['file']} [{row['sheet']}] rows={c.payment_rows} "
                    f"pence={c.total_pence} left_out={dict(c.left_out)}"
                )
                for why, ex in c.examples.items():
                    for lineno, r in ex[:3]:
                        print(f"   {why} @{lineno}: {[v for v in r if not is_blank(v)][:8]}")
    if not args.only:
        with TRUTH.open("w", newline="", encoding="utf-8") as fh:
            w = csv.DictWriter(fh, fieldnames=TRUTH_FIELDS, lineterminator="\n")
            w.writeheader()
            w.writerows({k: r[k] for k in TRUTH_FIELDS} for r in results)
        print(f"wrote {len(results)} rows to {TRUTH}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
