"""What each column of a published ledger means, found from its header.

Councils publish under the Local Government Transparency Code but name columns as they please
(`Supplier Name`, `Beneficiary Name`, `* SUPPLIER FINAL`, `Name:  `, `Net Amount(£)`, `TOTAL`,
`Expenditure Catergory`, ...). Headers are normalised (case, punctuation, currency marks, leading
`*`/`+` dropped) and looked up in `data/column_synonyms.csv`, whose row order is the priority when
two columns claim one field; headers not in it are read by their words. Family rules rank the
rest: a Unit4 `X(T)` text column before its code `X` (and the text of an id is the name), a clean
column before its `- ORIGINAL`/raw twin, a paid date before an invoice date. A file with no header
line at all is read by recognising what its columns hold (dates, money, names).
"""

from __future__ import annotations

import csv
import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

from ..schema import LEDGER_EXTRA_COLUMNS

# The three a payment cannot be analysed without.
CORE_FIELDS = ("supplier_name", "amount", "payment_date")

# Fields of the transactions contract (CONTRACTS §1) that come straight from a ledger column.
CONTRACT_TEXT_FIELDS = (
    "supplier_id",
    "company_number",
    "charity_number",
    "other_id",
    "vat_number",
    "postcode",
    "expense_category",
    "service_area",
    "description",
    "transaction_ref",
)

# `Net Amount(£)`: cp1252 £ is \xa3; files saved from DOS code page 850 carry £ as \x9c, which
# cp1252 decodes as `œ`. Both mean the same header.
_CURRENCY = re.compile(r"[£œ€$]|\bgbp\b|\(\s*\)")
_NON_ALNUM = re.compile(r"[^a-z0-9]+")


# The LGA / opendatacommunities schema writes `BeneficiaryName`, `IrrecoverableVATAmount`: a word
# starts at a capital after a small letter or digit, and at the last capital of a run of capitals
# followed by a small letter (`VATAmount` -> `VAT Amount`). All-capital and all-small headers stay.
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
# `1. YEAR`, `5) Beneficiary`, `3 - Amount`: a list number before the name says nothing.
_NUMBERED = re.compile(r"^\s*\d{1,2}\s*[.):\-]\s*(?=[^\W\d_])")
# Card and report-writer exports qualify a column by its table, as SQL does (`MCH.MERCHANT NAME`,
# `FIN.NET TRANSACTION AMOUNT`, `FIN.TAX.TAX AMOUNT`): a short word and a dot, no space after it.
_QUALIFIER = re.compile(r"^\s*(?:(?:[A-Z]{2,4}|[a-z]{2,4})\.(?=[A-Za-z]))+")


def normalise_header(text: object) -> str:
    """`' * SUPPLIER FINAL'` -> `supplier final`; `Net Amount(£)` -> `net amount`; `Name:  ` -> `name`;
    `BeneficiaryName` -> `beneficiary name`; `net_amount` -> `net amount`; `1. YEAR` -> `year`;
    `MCH.MERCHANT NAME` -> `merchant name`."""
    if text is None:
        return ""
    s = str(text).replace("\ufeff", "").replace("Â£", "£")
    s = _NUMBERED.sub("", s)
    s = _QUALIFIER.sub("", s)
    if not (s.isupper() or s.islower()):
        s = _CAMEL.sub(" ", s)
    s = s.lower()
    s = _CURRENCY.sub(" ", s)
    s = s.replace("_", " ")
    s = _NON_ALNUM.sub(" ", s)
    return " ".join(s.split())


def amount_unit(header: object) -> str:
    """`pence` when a money header says its figures are pence (`Amount (pence)`), else `pounds`."""
    return "pence" if set(normalise_header(header).split()) & {"pence", "pennies"} else "pounds"


@lru_cache(maxsize=1)
def synonyms() -> dict[str, tuple[str, int]]:
    """Normalised header -> (field, priority); lower priority wins when two columns claim a field."""
    out: dict[str, tuple[str, int]] = {}
    text = resources.files("cwbtools").joinpath("data/column_synonyms.csv").read_text(encoding="utf-8")
    for rank, row in enumerate(csv.DictReader(text.splitlines())):
        key = normalise_header(row["header"])
        out.setdefault(key, (row["field"], rank))
    return out


@lru_cache(maxsize=1)
def override_fields() -> tuple[str, ...]:
    """Every field a ledger column can be read as, so every field `--column FIELD=HEADER` (or a
    config ledger's `overrides:`) may name: the core three, the contract's, the kept extras, then
    any other the synonyms table knows (read so as not to be misread, e.g. a VAT column)."""
    kept = (*CORE_FIELDS, *CONTRACT_TEXT_FIELDS, *LEDGER_EXTRA_COLUMNS)
    return kept + tuple(sorted({fld for fld, _ in synonyms().values()} - set(kept)))


def expected_names() -> dict[str, list[str]]:
    """Field -> the header names recognised for it (for error messages)."""
    out: dict[str, list[str]] = {}
    for key, (fld, _) in synonyms().items():
        out.setdefault(fld, []).append(key)
    return out


# Last resort for headers not in the table: words that give a column's meaning away. Checked in
# order; an identifier word stops a name/amount reading (`Supplier ID` is not a supplier name).
_ID_WORDS = {"id", "number", "no", "code", "ref", "reference", "postcode", "type", "classification"}
_MONEY = {"amount", "value", "amt", "invoiced", "total"}
_PUBLIC_BODY = re.compile(
    r"\b(council|borough|constabulary|police|nhs|ministry|commissioner|combined authority|"
    r"fire and rescue|department (for|of))\b"
)
_CORE_WORDS = {"supplier", "beneficiary", "payee", "vendor", "creditor", "merchant", "date", "paid", *_MONEY}
_VAT_QUALIFIED = {"net", "nett", "gross", "excl", "excluding", "exc", "ex", "incl", "including", "inc", "plus", "less"}


_GUESSED = 10_000  # the rank of a field guessed from a header's words: below every table entry


def _guess_field(norm: str) -> tuple[str, int] | None:
    words = set(norm.split())
    if not words:
        return None
    base = _GUESSED
    if "postcode" in words or {"post", "code"} <= words:
        return ("postcode", base)
    if "vat" in words and words & {"number", "no", "registration", "reg"}:
        return ("vat_number", base)
    if "company" in words and words & {"number", "no", "registration", "reg"}:
        return ("company_number", base)
    if "charity" in words and words & {"number", "no", "registration", "reg"}:
        return ("charity_number", base)
    if _PUBLIC_BODY.search(norm) and not words & _CORE_WORDS:
        # a column titled with the publisher's own name (`Slough Borough Council`, `Department for
        # Education`): whatever it holds, its words (`service`, `department`) do not name a field
        return ("body_name", base)
    if "mcc" in words or "category" in words and words & {"code", "id", "number", "no"}:
        # a card's `MERCHANT CATEGORY CODE (MCC)` and `MCC DESCRIPTION` say what was bought
        return ("expense_category", base) if "description" in words else ("expense_code", base)
    if words & {"supplier", "beneficiary", "payee", "vendor", "creditor", "merchant"}:
        if words & _ID_WORDS:
            return ("supplier_id", base + 1)
        return ("supplier_name", base)
    if "date" in words or "paid" in words and not words & _MONEY:
        return ("payment_date", base)
    if "period" in words and not words & _ID_WORDS:
        # `Period`, `Accounting Period` (`Apr-23`, `202401`): the date of a ledger that gives no day,
        # read only where no date column is (`ingest.periods` reads it)
        return ("payment_date", base + 2)
    if words & {"vat", "tax"} and words & _MONEY and not words & _VAT_QUALIFIED:
        return ("vat_amount", base)  # `FIN.TAX.TAX AMOUNT`; `Amount inc VAT` is the amount
    if words & _MONEY:
        return ("amount", base)
    if words & {"transaction", "invoice", "ref", "reference", "voucher"}:
        return ("transaction_ref", base)
    if words & {"expenditure", "expense", "category", "subjective", "account"}:
        return ("expense_category", base)
    if words & {"directorate", "department", "portfolio"}:
        return ("directorate", base)
    if words & {"service", "cost", "division", "unit"}:
        return ("service_area", base)
    if words & {"description", "narrative", "details"}:
        return ("description", base)
    return None


def field_for(header: object) -> tuple[str, float] | None:
    """The field a header names, with its priority, or None."""
    if isinstance(header, str):
        return _field_for_text(header)
    return _field_for(header)


@lru_cache(maxsize=100_000)
def _field_for_text(header: str) -> tuple[str, float] | None:
    # every cell of a file's first rows is looked up, and the same header texts recur in every file
    return _field_for(header)


# Unit4 / Agresso exports give a coded column and its text side by side (`Supplier ID` and
# `Supplier ID(T)`, `Account` and `Account(T)`): the text is what a person reads, so it outranks its
# code, and the text of an identifier is a name.
_TEXT_SUFFIX = re.compile(r"\s*\(\s*[Tt]\s*\)\s*$")
_NAME_OF = {"supplier_id": "supplier_name", "expense_code": "expense_category", "body_code": "body_name"}
# `MCH.MERCHANT NAME - ORIGINAL` beside `MCH.MERCHANT NAME`: a value as captured, before the
# publisher cleaned it. It is read only when no clean column of its field is there.
_RAW_WORDS = {"original", "raw", "unmapped", "uncleansed", "uncleaned", "unformatted", "unedited", "uncorrected"}
_RAW_PENALTY = 100_000  # below every clean header of the field, guessed ones included


def text_stem(header: object) -> str | None:
    """`Supplier ID` for `Supplier ID(T)`: the coded column a Unit4 text column labels; else None."""
    if not isinstance(header, str):
        return None
    m = _TEXT_SUFFIX.search(header)
    stem = header[: m.start()] if m else ""
    return stem if normalise_header(stem) else None


def _field_for(header: object) -> tuple[str, float] | None:
    stem = text_stem(header)
    if stem is not None:
        hit = _field_for(stem)
        # half a rank ahead of its code column, and of nothing else
        return None if hit is None else (_NAME_OF.get(hit[0], hit[0]), hit[1] - 0.5)
    norm = normalise_header(header)
    if not norm:
        # a column headed only `£` (or `(£)`, `GBP`) holds the money: below every named amount
        return ("amount", _GUESSED + 2) if _CURRENCY.search(str(header or "").lower().replace("Â£", "£")) else None
    words = norm.split()
    clean = [w for w in words if w not in _RAW_WORDS]
    if clean and len(clean) < len(words):
        hit = _field_for(" ".join(clean))
        return None if hit is None else (hit[0], hit[1] + _RAW_PENALTY)
    hit = synonyms().get(norm)
    if hit is None and len(parts := _GROUPED.split(str(header))) > 1:
        # `Transaction – Transaction Date`, `Statement Period – End Date` (card exports): a group,
        # then the field; the field alone may be a known header
        hit = synonyms().get(normalise_header(parts[-1]))
    hit = hit or _guess_field(norm)
    if hit is not None and hit[0] == "payment_date" and set(words) & _NOT_PAID and not set(words) & _PAID:
        # `Invoice Date` beside `Cheque Date`: a payment's date is when it was paid, so a date that
        # says it is something else is read only when no other date column is there (a period
        # column, which gives no day, still comes after it)
        return (hit[0], _GUESSED + 1)
    return hit


_GROUPED = re.compile(r"\s[-\u2013\u2014]\s")
_NOT_PAID = {"invoice", "inv", "order", "received", "receipt", "due", "created", "raised", "document", "goods"}
_PAID = {"paid", "payment", "pay", "cheque", "bacs", "clearing", "cleared", "settlement", "settled", "remittance"}


@dataclass
class ColumnMap:
    """Which column index holds each field; `header` as found (None when inferred from content)."""

    columns: dict[str, int]
    header: list[str] | None
    inferred: bool = False
    notes: list[str] = field(default_factory=list)
    unmatched: dict[str, str] = field(default_factory=dict)  # overrides whose header is not in `header`
    title: list[str] = field(default_factory=list)  # text of the rows above the header (titles, parameters)
    header_rows: int = 1  # rows the header spans: 2 when a merged top row stands over it (`stacked`)

    def missing_core(self) -> list[str]:
        return [f for f in CORE_FIELDS if f not in self.columns]


def check_overrides(overrides: Mapping[str, object] | None) -> dict[str, str]:
    """`overrides` (field -> source header) checked: a ValueError naming the first unknown field
    (with the valid ones) or empty header. The one rule for `--column` and a config's `overrides:`."""
    out: dict[str, str] = {}
    for fld, header in (overrides or {}).items():
        name = str(fld).strip()
        if name not in override_fields():
            near = difflib.get_close_matches(name, override_fields(), n=1, cutoff=0.6)
            hint = f"; did you mean {near[0]!r}?" if near else ""
            raise ValueError(f"unknown field {name!r}{hint} (valid fields: {', '.join(override_fields())})")
        text = "" if header is None else str(header)
        if not normalise_header(text):
            raise ValueError(f"{name}: give the header of the column that holds it (got {text!r})")
        out[name] = text
    return out


_NTH = re.compile(r"^(.*?)\s*#\s*(\d{1,3})$")


def _cell_texts(cells: list[object]) -> list[str]:
    return ["" if c is None else " ".join(str(c).replace("\ufeff", "").split()) for c in cells]


def _same_header(texts: list[str], want: str) -> list[int]:
    """Cells that are `want`: the same text once trimmed, else the same after `normalise_header`."""
    exact = [i for i, t in enumerate(texts) if t == want]
    if exact:
        return exact
    norm = normalise_header(want)
    return [i for i, t in enumerate(texts) if norm and normalise_header(t) == norm]


def override_column(cells: list[object], header: str) -> int | None:
    """The index of the cell that is `header` (see `_same_header`), the first such cell; `Supplier#2`
    names the second of two columns headed `Supplier` (as `header_label` shows it); else None."""
    texts = _cell_texts(cells)
    want = " ".join(header.split())
    same = _same_header(texts, want)
    if same:
        return same[0]
    m = _NTH.match(want)
    if m:
        same = _same_header(texts, m.group(1).strip())
        k = int(m.group(2))
        if 1 <= k <= len(same):
            return same[k - 1]
    return None


def header_label(cells: list[object], j: int) -> str:
    """Column `j` as its header names it, whitespace collapsed; the second and later of columns
    with one header are `Supplier#2`, ... (what `override_column` takes); `column N` when blank."""
    texts = _cell_texts(cells)
    text = texts[j] if j < len(texts) else ""
    if not text:
        return f"column {j + 1}"
    k = _same_header(texts, text).index(j) + 1
    return text if k == 1 else f"{text}#{k}"


def map_header(cells: list[object], overrides: dict[str, str] | None = None) -> ColumnMap:
    """Map header cells to fields. `overrides` (field -> source header, see `override_column`)
    fix any fields' columns; detection reads the others from the remaining cells, so a column
    claimed by an override is no other field's and a displaced field falls to its next-best."""
    claimed: dict[str, int] = {}
    unmatched: dict[str, str] = {}
    for fld, source in (overrides or {}).items():
        idx = override_column(cells, source)
        if idx is None:
            unmatched[fld] = source
        else:
            claimed[fld] = idx
    best: dict[str, tuple[int, int]] = {}
    for idx, cell in enumerate(cells):
        hit = None if idx in claimed.values() else field_for(cell)
        if hit is None:
            continue
        fld, rank = hit
        if fld not in best or rank < best[fld][1]:
            best[fld] = (idx, rank)
    columns = {fld: idx for fld, (idx, _) in best.items()}
    columns.update(claimed)
    if "service_area" not in columns and "directorate" in columns:
        # the only organisational column a ledger gives is the best service area it has
        columns["service_area"] = columns["directorate"]
    header = ["" if c is None else str(c) for c in cells]
    return ColumnMap(columns=columns, header=header, unmatched=unmatched)


def header_score(cells: list[object]) -> int:
    """How much a row looks like a ledger header: distinct core fields found x 10 + other fields.

    A header row must also be text: a row holding a date or amount in a claimed column is data.
    """
    fields: dict[str, int] = {}
    for cell in cells:
        if cell is None or not isinstance(cell, str):
            continue
        hit = field_for(cell)
        if hit is not None:
            fields.setdefault(hit[0], hit[1])
    core = sum(1 for f in CORE_FIELDS if f in fields)
    return core * 10 + (len(fields) - core)


HEADER_MIN_SCORE = 21  # two core fields and one more, or all three core fields

# A cell no header has: a number, a date, an amount, a long run of digits.
DATA_LIKE = re.compile(r"^(?=.*\d)[\d\s.,:/£$€()+-]+$|\d{4}")


def quote_header(cells: list[object], limit: int = 12, width: int = 40) -> str:
    """A row's cells for an error message, only when the row reads as a header: it names at least
    one known field and holds no number, date or long text. Any other row may be data (a person's
    name, a line of a system file) and is described, never quoted."""
    if not cells:
        return "(none)"
    texts = [c.strip() for c in cells if isinstance(c, str) and c.strip()]
    header = (
        len(texts) == len([c for c in cells if c not in (None, "")])
        and any(field_for(t) is not None for t in texts)
        and not any(DATA_LIKE.search(t) or len(t) > 2 * width for t in texts)
    )
    if not header:
        return f"none recognisable (the top row's {len(cells)} cell(s) are not shown: they may be data)"
    shown = [repr(t if len(t) <= width else t[:width] + "...") for t in texts[:limit]]
    more = f" and {len(texts) - limit} more" if len(texts) > limit else ""
    return ", ".join(shown) + more
