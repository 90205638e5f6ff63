"""The period a ledger covers, and what a date column says when it gives less than a day.

A file or sheet name often states its period (`spending_2024_07_july.csv`, `Apr 24 PCC`,
`q1_apr_jun_2023.xlsx`, `2023-24-spend-quarter-1.xlsx`, `payments_made_2023_to_2024.csv`); rows
with no date of their own are payments of that period, as long as the file's own dates do not
contradict it. A date column can give only a month (`Apr-23`) or a numeric period (`202401`),
which is January 2024 in some ledgers and April 2024 (period 1 of the financial year 2024/25) in
others: decided per table from evidence in it, never guessed (`period_reading`).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import PurePosixPath

import numpy as np
import pandas as pd

from ..errors import InputFileError
from .columns import normalise_header
from .parsing import (
    BLANK,
    DAY,
    MONTH,
    MONTH_WORDS,
    PERIOD,
    TIME_ONLY,
    WORDS,
    date_cells,
    day_month_order,
    financial_year,
    parse_date,
)

_MONTH_WORDS = MONTH_WORDS
_CONNECTORS = {"to", "and", "till", "until", "through", "thru"}
_TOKEN = re.compile(r"[a-z]+|\d+")


@dataclass(frozen=True)
class Months:
    """An inclusive span of calendar months, each counted as `year * 12 + month - 1`.
    `named`: stated in words or as a financial year, not only as digits (`2023_04`), so it can
    settle what a numeric period means without reading digits by digits."""

    first: int
    last: int
    named: bool = True

    @staticmethod
    def month(year: int, month: int, named: bool = True) -> Months:
        n = year * 12 + month - 1
        return Months(n, n, named)

    @staticmethod
    def of_financial_year(start_year: int, named: bool = True) -> Months:
        return Months(start_year * 12 + 3, start_year * 12 + 14, named)

    def holds(self, n: int) -> bool:
        return self.first <= n <= self.last

    def within(self, other: Months) -> bool:
        return other.first <= self.first and self.last <= other.last

    def first_day(self) -> dt.date:
        return dt.date(self.first // 12, self.first % 12 + 1, 1)

    def single_month(self) -> dt.date | None:
        """The first day of the month, when the span is one month."""
        return self.first_day() if self.first == self.last else None

    def financial_year(self) -> str | None:
        """The financial year the span lies in, if it lies in one."""
        fy = financial_year(self.first_day())
        last = dt.date(self.last // 12, self.last % 12 + 1, 1)
        return fy if financial_year(last) == fy else None

    def describe(self) -> str:
        def name(n: int) -> str:
            return dt.date(n // 12, n % 12 + 1, 1).strftime("%B %Y")

        return name(self.first) if self.first == self.last else f"{name(self.first)} to {name(self.last)}"


def month_index(date: dt.date) -> int:
    return date.year * 12 + date.month - 1


# ---- periods stated by names -----------------------------------------------------------------


def _year4(tok: str) -> int | None:
    return int(tok) if len(tok) == 4 and tok.isdigit() and 1990 <= int(tok) <= 2099 else None


def _month_word_span(tokens: list[str]) -> Months | None:
    """Month words with their years: `apr jun 2014`, `nov 2019 to june 2020`, `2018 jan feb`,
    `2024 07 july`, `apr 24`. Every month word must find its year, in order."""
    found: list[int] = []
    for i, tok in enumerate(tokens):
        month = _MONTH_WORDS.get(tok)
        if month is None:
            continue
        year = None
        for j in range(i + 1, len(tokens)):  # forward, over further month words
            t = tokens[j]
            if t in _MONTH_WORDS or t in _CONNECTORS:
                continue
            year = _year4(t)
            if year is None and j == i + 1 and len(t) == 2 and t.isdigit():
                year = 2000 + int(t)  # `Apr-23`, `december_24`: two digits right after the month
            break
        if year is None:  # backward, over month words and the month's own number (`2024_07_july`)
            for j in range(i - 1, -1, -1):
                t = tokens[j]
                if t in _MONTH_WORDS or t in _CONNECTORS or (t.isdigit() and len(t) <= 2 and int(t) == month):
                    continue
                year = _year4(t)
                break
        if year is None:
            return None
        found.append(year * 12 + month - 1)
    if not found or any(b < a for a, b in zip(found, found[1:])):
        return None  # no month, or `nov-feb 2015`: which November is not said
    return Months(found[0], found[-1])


def _financial_year_span(tokens: list[str]) -> Months | None:
    """`2023_to_2024`, `2023-24`, `fy2024_25`, `FY2324`, `Q1.2023.2024`, `quarter-1` beside one."""
    start = None
    for i, tok in enumerate(tokens):
        y = _year4(tok)
        if y is not None:
            rest = [t for t in tokens[i + 1 : i + 3] if t not in _CONNECTORS][:1]
            if rest and (rest[0] == str(y + 1) or (len(rest[0]) == 2 and rest[0] == f"{(y + 1) % 100:02d}")):
                start = y
                break
        if tok == "fy" and i + 1 < len(tokens):
            t = tokens[i + 1]
            if len(t) == 4 and t.isdigit() and int(t[2:]) == (int(t[:2]) + 1) % 100:
                start = 2000 + int(t[:2])
                break
    if start is None:
        return None
    span = Months.of_financial_year(start)
    for i, tok in enumerate(tokens[:-1]):
        if tok in ("q", "quarter") and tokens[i + 1] in ("1", "2", "3", "4"):
            q = int(tokens[i + 1])
            first = span.first + 3 * (q - 1)
            return Months(first, first + 2)
    return span


def _numeric_span(tokens: list[str]) -> Months | None:
    """`2023_04`, `202304`, `2023-01-31` read as the calendar month they sort by; digits only."""
    for i, tok in enumerate(tokens):
        y = _year4(tok)
        if y is not None and i + 1 < len(tokens):
            t = tokens[i + 1]
            if t.isdigit() and len(t) <= 2 and 1 <= int(t) <= 12:
                return Months.month(y, int(t), named=False)
        if len(tok) == 6 and tok.isdigit() and _year4(tok[:4]) and 1 <= int(tok[4:]) <= 12:
            return Months.month(int(tok[:4]), int(tok[4:]), named=False)
    return None


def stated_period(name: str) -> Months | None:
    """The months a file or sheet name says it covers, or None.

    `expenditure-over-500-apr-jun-2014.csv` -> April to June 2014; `Apr 24 PCC` -> April 2024;
    `payments_2023_to_2024.csv` -> the financial year 2023/24; `2023-24-spend-quarter-1` -> April to
    June 2023; `2023_04.csv` -> April 2023 (digits only: not `named`); `Oct.xlsx`, `1701.csv` -> None.
    """
    stem = PurePosixPath(str(name)).name
    stem = re.sub(r"\.(csv|txt|tsv|xlsx|xlsm|xls|ods)$", "", stem, flags=re.IGNORECASE)
    tokens = _TOKEN.findall(stem.lower())
    return _month_word_span(tokens) or _financial_year_span(tokens) or _numeric_span(tokens)


def named_months(name: str) -> set[int]:
    """Months of the year a name mentions in words (`Oct.xlsx` -> {10}), year or not."""
    return {m for t in _TOKEN.findall(str(name).lower()) if (m := _MONTH_WORDS.get(t))}


def period_financial_year(name: str) -> str | None:
    """The financial year a file or sheet name's period falls in, if it names one wholly inside one
    (`expenditure-over-500-apr-jun-2014.csv` -> `2014/15`; `Jan 19` -> `2018/19`); else None."""
    span = stated_period(name)
    return span.financial_year() if span is not None else None


def names_of(sheet: str, source_file: str) -> list[str]:
    """Where a table's period may be stated, most specific first: its sheet, its file, its folders."""
    path = PurePosixPath(str(source_file))
    return [n for n in (sheet, path.name, *reversed(path.parent.parts)) if n and n != "."]


def table_period(names: list[str], dated: dict[int, int]) -> Months | None:
    """The period a table's undated rows belong to, from the first of its names that states one:
    that period, unless most of the table's own dates (`dated`: month index -> rows) fall outside
    it. A name whose month is right but whose year is missing or wrong (`Oct.xlsx`; Spelthorne's
    `spending_2025_03_march.csv`, dated March 2024 throughout) takes the year of the dates, when
    most of them fall in that one month. Otherwise None: never guessed."""
    total = sum(dated.values())
    for name in names:
        span, months = stated_period(name), named_months(name)
        if span is None and not months:
            continue
        if span is not None and (not total or sum(c for m, c in dated.items() if span.holds(m)) * 2 > total):
            return span
        if total and len(months) == 1:
            [month] = months
            best = max(dated, key=lambda m: (m % 12 + 1 == month, dated[m]))
            if best % 12 + 1 == month and dated[best] * 2 > total:
                return Months.month(best // 12, month)
        return None
    return None


def undated_ledgers(tables: list) -> list:
    """A file's tables read as ledgers although they have no date column: none, when any of its
    tables has one (a payee-and-amount sheet beside dated ones is a summary). Else each table with
    a payee and an amount whose sheet, file or folder name states a period inside one financial
    year (Thames Valley PCC publishes three columns: amount, supplier, category): its rows are
    `file_period`."""
    if any(t.colmap is not None and not t.colmap.missing_core() for t in tables):
        return []
    out = []
    for t in tables:
        cm = t.colmap
        if cm is None or cm.missing_core() != ["payment_date"] or t.rows is None:
            continue
        span = table_period(names_of(t.sheet, t.source_file), {})
        if span is not None and span.financial_year() is not None:
            out.append(t)
    return out


# ---- numeric periods (`202401`) --------------------------------------------------------------

_FINANCIAL_WORDS = {"fiscal", "financial", "accounting", "fy", "finance", "ledger", "gl"}
_CALENDAR_WORDS = {"calendar", "month", "yyyymm"}


def calendar_month(year: int, number: int) -> int | None:
    return year * 12 + number - 1 if number <= 12 else None


def financial_month(year: int, number: int) -> int | None:
    """Period 1 of the financial year `year`/`year+1` is April `year`; 13 to 16 (year-end
    adjustments) are in no month."""
    return year * 12 + 3 + number - 1 if number <= 12 else None


@dataclass(frozen=True)
class PeriodReading:
    """How a table's numeric periods read: `calendar` (202401 is January 2024) or `financial`
    (period 1 of 2024/25, April 2024), and the evidence that decided it."""

    convention: str
    evidence: str

    def month(self, year: int, number: int) -> int | None:
        return (calendar_month if self.convention == "calendar" else financial_month)(year, number)

    def financial_year(self, year: int, number: int) -> str:
        if self.convention == "calendar":
            return financial_year(dt.date(year, number, 1))
        return f"{year}/{(year + 1) % 100:02d}"


def period_reading(periods: set[tuple[int, int]], header: str, names: list[str], where: str) -> PeriodReading:
    """Decide from evidence in the table whether its numeric periods are calendar months or
    financial periods: a period above 12, words in the column's header, or agreement with the
    period its sheet or file name states in words. Refused (InputFileError) when nothing decides."""
    if any(number > 12 for _, number in periods):
        return PeriodReading("financial", "a period above 12 (year-end periods) in the column")
    words = set(normalise_header(header).split())
    if words & _FINANCIAL_WORDS:
        return PeriodReading("financial", f"the header {header.strip()!r}")
    if words & _CALENDAR_WORDS:
        return PeriodReading("calendar", f"the header {header.strip()!r}")
    for name in names:
        span = stated_period(name)
        if span is None or not span.named:
            continue
        fits = {
            c: all(span.holds(r.month(y, p)) for y, p in periods)
            for c, r in (("calendar", PeriodReading("calendar", "")), ("financial", PeriodReading("financial", "")))
        }
        if fits["calendar"] != fits["financial"]:
            convention = "calendar" if fits["calendar"] else "financial"
            return PeriodReading(convention, f"the period {name!r} states ({span.describe()})")
        break
    y, p = min(periods)
    cal = dt.date(y, p, 1).strftime("%B %Y")
    fin = PeriodReading("financial", "")
    fin_month = fin.month(y, p)
    fin_name = dt.date(fin_month // 12, fin_month % 12 + 1, 1).strftime("%B %Y")
    raise InputFileError(
        f"{where}: the date column {header.strip()!r} holds periods such as {y}{p:02d}, which could be "
        f"{cal} (a calendar month) or {fin_name} (period {p} of the financial year {fin.financial_year(y, p)}), "
        "and nothing in the file decides which: no period above 12, no header saying `financial` or "
        "`calendar`, no month in the sheet or file name. Put the month or quarter the file covers in its "
        "name (e.g. `..._april-2024.csv`) and ingest it again."
    )


# ---- a table's date column, read -------------------------------------------------------------


@dataclass
class DatesRead:
    """Per distinct date cell (`codes[i]` is row i's; the last entry is a missing cell): the
    payment date (None: no day or month known), the financial year (None: the row has no usable
    date and is set aside) and the `date_source` (`schema.DATE_SOURCES`); `kinds` as `parsing`."""

    codes: np.ndarray
    dates: list
    years: list
    sources: list
    kinds: np.ndarray
    period: Months | None = None  # the table's period, when undated rows needed it


def _month_first(cells_values: list, counts: np.ndarray, names: list[str], given: bool | None) -> bool:
    """Day or month first for this column. A day above 12 decides (`parsing.day_month_order`; the
    reader may have decided so for the whole file: `given`); when none is, the period the names
    state does, if only the month-first reading fits it."""
    if given:
        return True
    span = next((s for s in map(stated_period, names) if s is not None and s.named), None)
    if span is None and given is False:
        return False  # nothing to weigh beyond what the reader saw
    texts = [v for v in cells_values if isinstance(v, str)]
    order = day_month_order(texts)
    if order is not None or span is None:
        return bool(order)
    fits = {False: 0, True: 0}
    total = 0
    for v, c in zip(cells_values, counts):
        if not isinstance(v, str):
            continue
        read = {mf: parse_date(v, mf) for mf in (False, True)}
        if read[False] is None or read[True] is None or read[False] == read[True]:
            continue
        total += int(c)
        for mf, d in read.items():
            fits[mf] += int(c) * span.holds(month_index(d))
    return bool(total) and fits[True] * 10 >= total * 9 and fits[False] * 2 < total


def read_dates(
    values: pd.Series | None, n: int, month_first: bool | None, header: str, names: list[str], where: str
) -> DatesRead:
    """A table's date column (None: it has none) as payment dates, financial years and where each
    came from: the row's day (`ledger`), its month or numeric period (`ledger_month`: the first of
    the month), or, for a row with no date of its own (blank, words such as `Various`, a bare time),
    the table's period (`file_period`, see `table_period`). CONTRACTS §1 has the rule."""
    factorized = None
    if values is not None:
        codes, uniques = pd.factorize(values, use_na_sentinel=True)
        uniques = uniques.tolist()  # one conversion, visited twice
        factorized = codes, uniques
        counts = np.bincount(codes[codes >= 0], minlength=len(uniques))
        month_first = _month_first(uniques, counts, names, month_first)
    cells = date_cells(values, n, month_first, factorized)
    kinds = cells.kinds
    rows = np.bincount(cells.codes, minlength=len(kinds))
    used = rows > 0
    dates: list = [None] * len(kinds)
    years: list = [None] * len(kinds)
    sources: list = [None] * len(kinds)
    present = {cells.periods[e] for e in np.flatnonzero((kinds == PERIOD) & used)}
    reading = period_reading(present, header, names, where) if present else None
    for e, kind in enumerate(kinds.tolist()):
        if kind in (DAY, MONTH):
            dates[e], years[e] = cells.dates[e], financial_year(cells.dates[e])
            sources[e] = "ledger" if kind == DAY else "ledger_month"
        elif kind == PERIOD and reading is not None:
            y, p = cells.periods[e]
            m = reading.month(y, p)
            dates[e] = dt.date(m // 12, m % 12 + 1, 1) if m is not None else None
            years[e], sources[e] = reading.financial_year(y, p), "ledger_month"
    undated = np.isin(kinds, (BLANK, WORDS, TIME_ONLY)) & used
    dated_rows = int(rows[np.array([y is not None for y in years], dtype=bool)].sum())
    if int(rows[kinds == WORDS].sum()) >= dated_rows:
        undated &= kinds != WORDS  # words in most cells: no date column at all, not `Various` in one
    period = None
    if undated.any():
        dated: dict[int, int] = {}
        for e in np.flatnonzero(used & ~undated):
            if dates[e] is not None:
                m = month_index(dates[e])
                dated[m] = dated.get(m, 0) + int(rows[e])
        period = table_period(names, dated)
        fy = period.financial_year() if period is not None else None
        if fy is not None:
            for e in np.flatnonzero(undated):
                dates[e], years[e], sources[e] = period.single_month(), fy, "file_period"
    return DatesRead(cells.codes, dates, years, sources, kinds, period)
