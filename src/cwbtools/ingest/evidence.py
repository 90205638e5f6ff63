"""Is a column map right? What a file's columns hold, weighed before its rows are trusted.

A header can name the wrong column and content detection can pick the wrong one: an LGA-schema
ledger read before its CamelCase headers were understood took `IrrecoverableVATAmount` (all 0.00)
as the amount and `OrganisationURI` (one web address) as the supplier, and balanced to the penny.
Here, per table, from its first data rows (`RawTable.sample`): an amount column all zero or
constant while another money column varies, a supplier column holding web addresses, codes or
numbers, are refused; columns sharing one header are told apart by what they hold; net, VAT and
gross side by side read net; line amounts beside invoice totals read the lines; a date column
outside the period the file states gives way to one inside it. Per file, once read
(`FileTally`): every amount zero, or one payee on every row, is refused. A field the user named
(`--column`, a config's `overrides:`) is taken as said. Messages describe columns, never quote rows.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

import pyarrow as pa
import pyarrow.compute as pc

from ..errors import InputFileError
from ..schema import COLUMN_MAP_COLUMNS
from .columns import CORE_FIELDS, ColumnMap, field_for, header_label, normalise_header, override_column, text_stem
from .parsing import month_first_file, parse_amount_pence, parse_date
from .periods import Months, month_index, names_of, stated_period

_URL = re.compile(r"^\s*(https?://|www\.)\S+\s*$", re.IGNORECASE)
_NUMBER = re.compile(r"^\s*[+-]?\d+(\.\d+)?\s*$")
# a reference rather than a name: one token holding a digit (`C22436`, `SUP-00123`, `4100/22`)
_CODE = re.compile(r"^\s*[A-Za-z]{0,4}[-/_.]?\d[\w\-/.]*\s*$")
_MONEY_WORDS = {"amount", "amounts", "value", "net", "gross", "total", "vat", "spend", "paid", "sum", "amt"}
_NET_WORDS = {"net", "nett", "excl", "excluding", "exc", "ex"}
_GROSS_WORDS = {"gross", "incl", "including", "inc"}
MIN_SAMPLE = 5  # fewer data rows than this say nothing about a column
MIN_FILE_ROWS = 20  # a file this long with one payee, or no money at all, is misread


def where(table) -> str:
    return f"{table.path}" + (f", sheet {table.sheet!r}" if table.sheet else "")


def label(cm: ColumnMap, j: int) -> str:
    """A column as the file names it (`columns.header_label`), or `column N` when it has none."""
    return header_label(cm.header, j) if cm.header is not None else f"column {j + 1}"


def _filled(sample: list[list], j: int) -> list:
    out = []
    for r in sample:
        v = r[j] if j < len(r) else None
        if v is not None and not (isinstance(v, str) and not v.strip()):
            out.append(v)
    return out


def describe_amounts(values: list) -> str:
    """`empty`, `not money`, `all zero`, `the same on every row` or `varies`."""
    if not values:
        return "empty"
    pence = [p for p in map(parse_amount_pence, values) if p is not None]
    if len(pence) < 0.8 * len(values):
        return "not money"
    if not any(pence):
        return "all zero"
    if len(set(pence)) == 1 and len(pence) >= MIN_SAMPLE:
        return "the same on every row"
    return "varies"


def describe_payees(values: list) -> str:
    """`empty`, `web addresses`, `numbers`, `codes`, `one name on every row` or `names`."""
    texts = [str(v).strip() for v in values]
    if not texts:
        return "empty"
    for what, pattern in (("web addresses", _URL), ("numbers", _NUMBER), ("codes", _CODE)):
        if sum(1 for t in texts if pattern.match(t)) >= 0.8 * len(texts):
            return what
    if len(set(texts)) == 1 and len(texts) >= MIN_SAMPLE:
        return "one name on every row"
    return "names"


def _money_kind(header: str) -> str | None:
    """`net`, `vat` or `gross` when a money header says which; None when it does not."""
    words = set(normalise_header(header).split())
    if "vat" in words and not words & (_NET_WORDS | _GROSS_WORDS):
        return "vat"
    if words & _NET_WORDS:
        return "net"
    if words & _GROSS_WORDS:
        return "gross"
    return None


def money_columns(cm: ColumnMap, sample: list[list]) -> list[int]:
    """Columns that hold money: named so by their header, or (no header) read so by content."""
    if cm.header is not None:
        out = []
        for j, h in enumerate(cm.header):
            hit = field_for(h)
            words = set(normalise_header(h).split())
            if (hit is not None and hit[0] in ("amount", "vat_amount")) or (
                words & _MONEY_WORDS and not (hit is not None and hit[0] not in ("amount", "vat_amount"))
            ):
                out.append(j)
        return out
    width = max((len(r) for r in sample), default=0)
    return [j for j in range(width) if describe_amounts(_filled(sample, j)) in ("all zero", "varies")]


def said_so(cm: ColumnMap, fld: str, overrides: dict[str, str] | None) -> bool:
    """The user named this field's column (`--column`, `overrides:`): what it holds is not doubted."""
    if not overrides or fld not in overrides or cm.header is None:
        return False
    return override_column(cm.header, overrides[fld]) == cm.columns.get(fld)


def _how_to(fld: str, header: str) -> str:
    return (
        f"name the right column: `cwb ingest ... --column {fld}='{header}'` "
        f"(or `overrides: {{{fld}: '{header}'}}` for the ledger in a city config)"
    )


def _text_column(cm: ColumnMap, j: int) -> int | None:
    """The `X(T)` column beside column `X`: the text label of a code, as Unit4 exports write it."""
    if cm.header is None:
        return None
    want = normalise_header(cm.header[j])
    for i, h in enumerate(cm.header):
        stem = text_stem(h) if i != j else None
        if stem is not None and normalise_header(stem) == want:
            return i
    return None


def _code_column(cm: ColumnMap, j: int) -> int | None:
    """The column `X` that column `X(T)` gives the text of; None when `j` is not such a column."""
    stem = text_stem(cm.header[j]) if cm.header is not None else None
    if stem is None:
        return None
    want = normalise_header(stem)
    return next((i for i, h in enumerate(cm.header) if i != j and normalise_header(h) == want), None)


def _payee_header(header: object) -> bool:
    hit = field_for(header)
    return hit is not None and hit[0] == "supplier_name"


@dataclass
class Verdict:
    """What the evidence says of one table's map: per-field notes; a map it cannot trust raises."""

    notes: dict[str, str] = field(default_factory=dict)


def prefer_net(cm: ColumnMap, overrides: dict[str, str] | None) -> str | None:
    """Net, VAT and gross side by side: the net column is the amount (what the supplier was paid
    for its goods; VAT goes to HMRC). Moves `amount` to net when detection took gross; the note."""
    if cm.header is None or "amount" not in cm.columns or said_so(cm, "amount", overrides):
        return None
    kinds = {j: _money_kind(h) for j, h in enumerate(cm.header)}
    nets = [j for j, k in kinds.items() if k == "net"]
    gross = [j for j, k in kinds.items() if k == "gross"]
    vat = [j for j, k in kinds.items() if k == "vat"]
    j = cm.columns["amount"]
    if not nets:
        if kinds.get(j) == "gross" and vat:
            return f"gross read: {label(cm, j)!r}; no net column (VAT in {label(cm, vat[0])!r})"
        return None
    if not (gross or vat):
        return None
    # an amount the header leaves unqualified (`Amount`, `Total`) beside net and VAT is the gross
    if kinds.get(j) == "gross" or (kinds.get(j) is None and vat):
        cm.columns = {f: i for f, i in cm.columns.items() if i != nets[0]}
        cm.columns["amount"] = nets[0]
        j = nets[0]
    if kinds.get(j) != "net":
        return None
    beside = ", ".join(f"{label(cm, i)!r} ({kinds[i]})" for i in gross + vat)
    return f"net read: {label(cm, j)!r}, beside {beside}"


def _dates(values: list) -> list[dt.date]:
    month_first = month_first_file(values)
    return [d for d in (parse_date(v, month_first) for v in values) if d is not None]


def _fit(fld: str, values: list) -> tuple[int, str]:
    """How well a column's first rows fit a core field (2 well, 1 barely, 0 not) and what they hold."""
    if fld == "supplier_name":
        what = describe_payees(values)
        return {"names": 2, "one name on every row": 1}.get(what, 0), what
    if fld == "amount":
        what = describe_amounts(values)
        return {"varies": 2, "all zero": 1, "the same on every row": 1}.get(what, 0), what
    if not values:
        return 0, "empty"
    return (2, "dates") if len(_dates(values)) >= 0.8 * len(values) else (0, "not dates")


def _later(sample: list[list], a: int, b: int) -> int | None:
    """Of two date columns, the one never earlier than the other and sometimes later (a payment
    follows its invoice); None when neither is."""
    pairs = []
    fa, fb = month_first_file(_filled(sample, a)), month_first_file(_filled(sample, b))
    for r in sample:
        da = parse_date(r[a], fa) if a < len(r) else None
        db = parse_date(r[b], fb) if b < len(r) else None
        if da is not None and db is not None:
            pairs.append((da, db))
    if len(pairs) < MIN_SAMPLE:
        return None
    if all(x >= y for x, y in pairs) and any(x > y for x, y in pairs):
        return a
    if all(y >= x for x, y in pairs) and any(y > x for x, y in pairs):
        return b
    return None


def resolve_twins(table, overrides: dict[str, str] | None = None) -> dict[str, str]:
    """Columns sharing one header (`Supplier` twice, one holding codes): the one whose content fits
    the field is read, with a note; of two date columns, the later (when it was paid). Refused
    (InputFileError) when their content cannot decide. Field -> note."""
    cm, sample = table.colmap, table.sample
    notes: dict[str, str] = {}
    if cm.header is None or len(sample) < MIN_SAMPLE:
        return notes
    for fld in CORE_FIELDS:
        if fld not in cm.columns or said_so(cm, fld, overrides):
            continue
        j = cm.columns[fld]
        norm = normalise_header(cm.header[j])
        taken = {i for f, i in cm.columns.items() if f != fld}
        twins = [i for i, h in enumerate(cm.header) if normalise_header(h) == norm and (i == j or i not in taken)]
        if len(twins) < 2:
            continue
        fits = {i: _fit(fld, _filled(sample, i)) for i in twins}
        top = max(q for q, _ in fits.values())
        if top == 0:
            continue  # none fits: the checks below say so
        best = [i for i in twins if fits[i][0] == top]
        if len(best) > 1 and all(_filled(sample, i) == _filled(sample, best[0]) for i in best):
            best = best[:1]  # the same values twice
        if len(best) == 2 and fld == "payment_date" and (later := _later(sample, *best)) is not None:
            best = [later]
        described = "; ".join(f"{label(cm, i)!r}: {fits[i][1]}" for i in twins)
        if len(best) > 1:
            raise InputFileError(
                f"{where(table)}: {len(twins)} columns are headed {label(cm, j)!r} and what they hold does not "
                f"decide which is the {fld} ({described}): {_how_to(fld, label(cm, best[-1]))} "
                f"(`#2` is the second column of that name)"
            )
        i = best[0]
        if i != j:
            cm.columns = {f: c for f, c in cm.columns.items() if c != i}
            cm.columns[fld] = i
        why = "the later dates" if fld == "payment_date" and fits[i][1] == "dates" and len(twins) == 2 else fits[i][1]
        notes[fld] = f"{len(twins)} columns headed {label(cm, j)!r}: {label(cm, i)!r} read ({why}); {described}"
    return notes


_LINE_WORDS = {"line", "lines", "detail", "item", "items"}
_WHOLE_WORDS = {"invoice", "total", "document", "voucher"}


def _words(cm: ColumnMap, j: int) -> set[str]:
    return set(normalise_header(cm.header[j]).split()) if cm.header is not None and j < len(cm.header) else set()


def _repeats_per_invoice(cm: ColumnMap, sample: list[list], total: int, line: int) -> bool:
    """`total` holds each invoice's total on every one of its lines, and `line` sums to it: rows
    grouped by transaction reference (or, with none, consecutive rows of one payee and date)."""
    keys = [cm.columns[f] for f in ("transaction_ref",) if f in cm.columns] or [
        cm.columns[f] for f in ("supplier_name", "payment_date") if f in cm.columns
    ]
    by_ref = "transaction_ref" in cm.columns
    groups: dict[tuple, list[tuple[int | None, int | None]]] = {}
    run, prev = 0, None
    for r in sample:
        key = tuple(str(r[k]).strip() if k < len(r) and r[k] is not None else "" for k in keys)
        if not any(key):
            prev = None
            continue
        if not by_ref:  # a run of consecutive rows is one invoice
            run += key != prev
            prev, key = key, (run,)
        t = parse_amount_pence(r[total]) if total < len(r) else None
        x = parse_amount_pence(r[line]) if line < len(r) else None
        groups.setdefault(key, []).append((t, x))
    multi = [g for g in groups.values() if len(g) > 1 and all(t is not None and x is not None for t, x in g)]
    summed = [g for g in multi if len({t for t, _ in g}) == 1 and sum(x for _, x in g) == g[0][0]]
    return len(summed) >= 2 and len(summed) >= 0.8 * len(multi)


def prefer_lines(cm: ColumnMap, sample: list[list], overrides: dict[str, str] | None) -> str | None:
    """Line amounts beside invoice totals (`Invoice Total` repeated on each line of an invoice,
    beside `Line Amount`): summing the totals counts an invoice once per line, so the line amount
    is read when the header says so or the totals are seen repeating and the lines summing to them."""
    if cm.header is None or "amount" not in cm.columns or said_so(cm, "amount", overrides):
        return None
    j = cm.columns["amount"]
    if _words(cm, j) & _LINE_WORDS:
        totals = [i for i in money_columns(cm, sample) if i != j and _words(cm, i) & _WHOLE_WORDS - {"total"}]
        if not totals:
            return None
        return f"line amounts read: {label(cm, j)!r}, not {label(cm, totals[0])!r} (an invoice's total: summing it would count an invoice once per line)"
    order = {"net": 0, None: 1, "gross": 2}
    others = sorted(
        (i for i in money_columns(cm, sample) if i != j and _money_kind(cm.header[i]) != "vat"),
        key=lambda i: (not _words(cm, i) & _LINE_WORDS, order.get(_money_kind(cm.header[i]), 3), i),
    )
    for i in others:
        by_header = bool(_words(cm, i) & _LINE_WORDS and _words(cm, j) & _WHOLE_WORDS)
        seen = len(sample) >= MIN_SAMPLE and _repeats_per_invoice(cm, sample, j, i)
        if by_header or seen:
            cm.columns = {f: c for f, c in cm.columns.items() if c != i}
            cm.columns["amount"] = i
            how = "it repeats on each line of an invoice and the lines sum to it" if seen else "its header says so"
            return f"line amounts read: {label(cm, i)!r}; {label(cm, j)!r} is each invoice's total ({how}): summing it would count an invoice once per line"
    return None


def _stated(table) -> tuple[Months, str] | None:
    """The period the table says it covers, in words: its title rows first, then its sheet, file
    and folder names (`periods.stated_period`)."""
    for text in table.colmap.title:
        span = stated_period(text)
        if span is not None and span.named:
            return span, "its title"
    for name in names_of(table.sheet, table.source_file):
        span = stated_period(name)
        if span is not None and span.named:
            return span, f"the name {name!r}"
    return None


def date_in_period(table, overrides: dict[str, str] | None = None) -> str | None:
    """A date column every date of which falls outside the period the file says it covers: another
    date column whose dates fall inside it is read instead (an invoice date taken for the payment
    date); with none, the dates are read as they are and a note says so (a file's name can be
    wrong: Stoke's `April 2023` file holds August 2024). Margin: a month either side."""
    cm, sample = table.colmap, table.sample
    if "payment_date" not in cm.columns or said_so(cm, "payment_date", overrides) or len(sample) < MIN_SAMPLE:
        return None
    stated = _stated(table)
    if stated is None:
        return None
    span, source = stated
    near = Months(span.first - 1, span.last + 1)
    j = cm.columns["payment_date"]
    mine = [month_index(d) for d in _dates(_filled(sample, j))]
    if len(mine) < MIN_SAMPLE or any(near.holds(n) for n in mine):
        return None
    used = set(cm.columns.values())
    width = max((len(r) for r in sample), default=0)
    for i in range(width):
        hit = field_for(cm.header[i]) if cm.header is not None and i < len(cm.header) else None
        if i in used or hit is None or hit[0] != "payment_date":
            continue
        theirs = [month_index(d) for d in _dates(_filled(sample, i))]
        if len(theirs) >= MIN_SAMPLE and sum(near.holds(n) for n in theirs) >= 0.8 * len(theirs):
            cm.columns["payment_date"] = i
            return (
                f"{label(cm, i)!r} read: its dates fall in {span.describe()}, the period {source} states; "
                f"every date in {label(cm, j)!r} falls outside it"
            )
    return f"every date in {label(cm, j)!r} falls outside {span.describe()}, the period {source} states: read as dated"


def weigh(table, overrides: dict[str, str] | None = None) -> Verdict:
    """Check one readable table's column map against its first data rows; raise InputFileError
    (one line, columns described) when the map contradicts what the columns hold."""
    cm, sample = table.colmap, table.sample
    verdict = Verdict()
    verdict.notes.update(resolve_twins(table, overrides))
    for fld, note in (
        ("amount", prefer_net(cm, overrides)),
        ("amount", prefer_lines(cm, sample, overrides)),
        ("payment_date", date_in_period(table, overrides)),
    ):
        if note:
            verdict.notes[fld] = "; ".join(filter(None, (verdict.notes.get(fld), note)))
    if len(sample) < MIN_SAMPLE:
        return verdict
    if not said_so(cm, "amount", overrides):
        j = cm.columns["amount"]
        mine = describe_amounts(_filled(sample, j))
        if mine in ("all zero", "the same on every row"):
            others = [i for i in money_columns(cm, sample) if i != j]
            varying = [i for i in others if describe_amounts(_filled(sample, i)) == "varies"]
            if varying:
                alts = "; ".join(f"{label(cm, i)!r}: varies" for i in varying[:3])
                raise InputFileError(
                    f"{where(table)}: the amount column is in doubt ({label(cm, j)!r}: {mine} in the first "
                    f"{len(sample)} rows; {alts}): {_how_to('amount', label(cm, varying[0]))}"
                )
    if not said_so(cm, "supplier_name", overrides):
        j = cm.columns["supplier_name"]
        mine = describe_payees(_filled(sample, j))
        text = _text_column(cm, j)
        code = _code_column(cm, j)
        if code is not None and mine == "names":
            # read from the header already: `Supplier(T)` outranks its code column `Supplier`
            held = describe_payees(_filled(sample, code))
            verdict.notes["supplier_name"] = f"{label(cm, code)!r} holds {held}: its text column {label(cm, j)!r} read"
        elif mine in ("numbers", "codes") and text is not None and describe_payees(_filled(sample, text)) == "names":
            # `Supplier` beside `Supplier(T)`: an Agresso/Unit4 export's code and its text
            cm.columns = {f: i for f, i in cm.columns.items() if i != text}
            cm.columns["supplier_name"] = text
            verdict.notes["supplier_name"] = f"{label(cm, j)!r} holds {mine}: its text column {label(cm, text)!r} read"
        elif mine in ("web addresses", "numbers", "codes"):
            used = set(cm.columns.values())
            width = max((len(r) for r in sample), default=0)
            names = [i for i in range(width) if i not in used and describe_payees(_filled(sample, i)) == "names"]
            # a column whose header names a payee first
            names.sort(key=lambda i: (cm.header is None or _payee_header(cm.header[i]) is False, i))
            alts = "; ".join(f"{label(cm, i)!r}: names" for i in names[:3]) or "no other column holds names"
            target = label(cm, names[0]) if names else "Their Header"
            raise InputFileError(
                f"{where(table)}: the supplier column is in doubt ({label(cm, j)!r}: {mine}; {alts}): "
                f"{_how_to('supplier_name', target)}"
            )
    return verdict


class FileTally:
    """A file's kept payments as they stream past: enough to tell no money at all, or one payee
    on every row, without holding the rows."""

    def __init__(self) -> None:
        self.rows = 0
        self.nonzero = False
        self.payees: set[str] = set()  # at most two: one payee or more than one is all we ask

    def add(self, kept: pa.Table) -> None:
        if not kept.num_rows:
            return
        self.rows += kept.num_rows
        if not self.nonzero:
            self.nonzero = bool(pc.any(pc.not_equal(kept["amount_pence"], 0)).as_py())
        if len(self.payees) < 2:
            names = pc.unique(pc.drop_null(kept["supplier_name"])).to_pylist()
            self.payees.update(names[:2])

    def check(self, table, overrides: dict[str, str] | None = None) -> None:
        """Refuse a file of MIN_FILE_ROWS or more payments none of which moves money, or all of
        which go to one payee, unless the user named that column. `table`: the file's first read table."""
        if self.rows < MIN_FILE_ROWS or table is None or table.colmap is None:
            return
        cm = table.colmap
        if not self.nonzero and not said_so(cm, "amount", overrides):
            j = cm.columns["amount"]
            raise InputFileError(
                f"{where(table)}: every one of its {self.rows} payments reads £0.00 (amount from "
                f"{label(cm, j)!r}): if another column holds the money, {_how_to('amount', 'Their Header')}; "
                f"if zero is right, name {label(cm, j)!r} the same way"
            )
        if len(self.payees) == 1 and not said_so(cm, "supplier_name", overrides):
            j = cm.columns["supplier_name"]
            raise InputFileError(
                f"{where(table)}: all {self.rows} payments go to one payee (supplier from {label(cm, j)!r}): "
                f"if another column names the payees, {_how_to('supplier_name', 'Their Header')}; "
                f"if one payee is right, name {label(cm, j)!r} the same way"
            )


def read_from(cm: ColumnMap, fld: str, overrides: dict[str, str] | None) -> str:
    """How a field's column was found: `override`, `header`, `earlier_file` or `content`."""
    if cm.inferred:
        return "content"
    if said_so(cm, fld, overrides):
        return "override"
    j = cm.columns[fld]
    header = cm.header[j] if cm.header is not None and j < len(cm.header) else None
    if field_for(header) is not None or (fld == "service_area" and cm.columns.get("directorate") == j):
        return "header"
    return "earlier_file"  # a header cell nobody names, read as in an earlier file (`core._borrow_layout`)


def column_map_rows(table, overrides: dict[str, str] | None = None, notes: dict[str, str] | None = None) -> list[dict]:
    """One row per field of a table's column map (COLUMN_MAP_COLUMNS): core fields first, then
    the others in column order."""
    cm = table.colmap
    if cm is None:
        return []
    order = [f for f in CORE_FIELDS if f in cm.columns] + sorted(
        (f for f in cm.columns if f not in CORE_FIELDS), key=lambda f: (cm.columns[f], f)
    )
    rows = []
    for fld in order:
        j = cm.columns[fld]
        rows.append(
            dict(
                zip(
                    COLUMN_MAP_COLUMNS,
                    [
                        table.source_file,
                        table.sheet,
                        table.header_row,
                        fld,
                        label(cm, j),
                        j + 1,
                        read_from(cm, fld, overrides),
                        "; ".join(n for n in ((notes or {}).get(fld, ""), table.notes.get(fld, "")) if n),
                    ],
                )
            )
        )
    return rows
