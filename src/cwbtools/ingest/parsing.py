"""Money and dates as ledgers write them, parsed exactly.

Pure functions, one value at a time, plus vectorised forms used by ingest for speed. Money comes
back as integer pence (never float pounds); dates as `datetime.date`. Anything that cannot be read
is None, never a guess.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

# A currency mark as files carry it: `£`, cp1252 `£` read as UTF-8 (`Â£`), the DOS code page's `£`
# read as cp1252 (`œ`), or a `£` already lost to U+FFFD (`�`, or `ï¿½` once double-encoded).
_CURRENCY_MARKS = re.compile(r"[£$€\s\"'\u00a0\ufffdœ]|gbp|ï¿½|Â", re.IGNORECASE)
_AMOUNT_RE = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)$")
# The spreadsheet accounting format writes zero as a dash (` -   `, `£ -`).
_DASHES = {"-", "\u2013", "\u2014"}
_PENCE = Decimal("0.01")


_MAX_POUNDS = Decimal(2**63 - 1) / 100


def _decimal_to_pence(value: Decimal) -> int | None:
    # Ledgers hold pence; a third decimal (rare, from spreadsheet arithmetic) is rounded half-up.
    # Beyond int64 pence is a mangled cell, not a payment: unreadable rather than an overflow.
    if abs(value) >= _MAX_POUNDS:
        return None
    return int((value * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def exact_sum(values) -> int:
    """The exact sum of int64 pence, as a Python int: never wraps, however large (three payments of
    £4e16 sum past int64). Where int64 could wrap, summed in two halves of 32 bits that cannot."""
    if isinstance(values, (pa.Array, pa.ChunkedArray)):
        values = pc.fill_null(values, 0).to_numpy(zero_copy_only=False)
    arr = np.asarray(values)
    if arr.dtype == object:  # Python ints, exact already
        return sum(int(v) for v in arr.tolist())
    arr = arr.astype(np.int64, copy=False)
    if not len(arr):
        return 0
    if len(arr) * max(int(arr.max()), -int(arr.min())) < 2**63:
        return int(arr.sum())  # cannot have wrapped: the usual case, one pass
    low = arr & 0xFFFFFFFF
    return (int(((arr - low) >> 32).sum()) << 32) + int(low.sum())


def parse_amount_pence(text: object) -> int | None:
    """`£1,303.20` -> 130320; `(123.45)` and `123.45-` -> -12345; `1303.2` -> 130320; junk -> None.

    Spreadsheet numbers are taken at their shortest decimal form (49937.59000000003 -> 4993759),
    so float noise from Excel sums never reaches the pence.
    """
    if text is None or isinstance(text, bool):
        return None
    if isinstance(text, (int, np.integer)):
        return _decimal_to_pence(Decimal(int(text)))
    if isinstance(text, (float, np.floating)):
        if not np.isfinite(text):
            return None
        return _decimal_to_pence(Decimal(repr(float(text))))
    if isinstance(text, Decimal):
        return _decimal_to_pence(text) if text.is_finite() else None
    s = _CURRENCY_MARKS.sub("", str(text))
    if "," in s:
        if not _THOUSANDS_OK.match(s):
            return None
        s = s.replace(",", "")
    if not s:
        return None
    if s in _DASHES:
        return 0
    negative = False
    if s.startswith("(") and s.endswith(")"):
        negative, s = True, s[1:-1]
    if s.endswith("-"):
        negative, s = not negative, s[:-1]
    elif s.upper().endswith("CR"):
        negative, s = not negative, s[:-2]
    elif s.upper().endswith("DR"):  # a debit: the amount as it stands
        s = s[:-2]
    if s.startswith("-(") and s.endswith(")"):
        s = "-" + s[2:-1]
    if not _AMOUNT_RE.match(s):
        return None
    try:
        pence = _decimal_to_pence(Decimal(s))
    except InvalidOperation:  # pragma: no cover - the regex admits only numbers
        return None
    if pence is None:
        return None
    return -pence if negative else pence


_MONTH_NAMES = [dt.date(2000, m, 1).strftime("%B").lower() for m in range(1, 13)]
# Month words as ledgers and file names write them, lower case -> month number: the one list.
MONTH_WORDS = {
    **{name[:3]: i + 1 for i, name in enumerate(_MONTH_NAMES)},
    **{name: i + 1 for i, name in enumerate(_MONTH_NAMES)},
    "sept": 9,
}
_MONTHS = MONTH_WORDS
_EXCEL_EPOCH = dt.date(1899, 12, 30)
# A time after the date, as exports write it: `00:00`, `00:00:00.000`, US `12:00:00 AM`.
_TIME = r"(?:[ T]+\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:\s*[AaPp]\.?[Mm]\.?)?)?"
_NUMERIC_DATE = re.compile(r"^(\d{1,4})[/.\-](\d{1,2})[/.\-](\d{1,4})" + _TIME + "$")
_NAMED_MONTH = re.compile(r"^(\d{1,2})[\s\-/.]*([A-Za-z]{3,9})[\s\-/.,]*(\d{2,4})" + _TIME + "$")
# A month and no day: `Apr-23`, `April 2023`, `2023-04`, `04/2023`.
_MONTH_YEAR = re.compile(r"^([A-Za-z]{3,9})[\s\-/.,']*(\d{2}|\d{4})$")
_YEAR_MONTH = re.compile(r"^(\d{4})[\-/.](\d{1,2})$|^(\d{1,2})[\-/.](\d{4})$")
# A numeric period: `202401`, `202401.0`, `2024P01`, `2024-P13` (periods 1 to 16).
_PERIOD_NUMBER = re.compile(r"^((?:19|20)\d\d)(?:[Pp]|[\-/ ][Pp])?(\d{2})(?:\.0+)?$")
# Invisible characters that ride along with a pasted date.
_INVISIBLE = str.maketrans("", "", "\ufeff\u200b\u200e\u200f")
_MONTH_FIRST = re.compile(r"^([A-Za-z]{3,9})\s+(\d{1,2}),?\s+(\d{4})$")
_TIME_ONLY = re.compile(r"^\d{1,2}:\d{2}(:\d{2})?(\.\d+)?$")
_SERIAL = re.compile(r"^\d{5}(\.0+)?$")


def _year(y: int) -> int:
    if y < 100:  # two-digit years in ledgers are this century or the last
        return 2000 + y if y < 70 else 1900 + y
    return y


def _safe_date(y: int, m: int, d: int) -> dt.date | None:
    try:
        return dt.date(_year(y), m, d)
    except ValueError:
        return None


def _from_serial(n: float) -> dt.date | None:
    # Excel serials from 1950 to 2100: anything else in a date column is not a date.
    if 18264 <= n <= 73050:
        return _EXCEL_EPOCH + dt.timedelta(days=int(n))
    return None


def is_time_only(value: object) -> bool:
    """A bare `00:00:00`: the publisher's date field lost its date (the payment date is unknown)."""
    if isinstance(value, dt.time):
        return True
    return isinstance(value, str) and bool(_TIME_ONLY.match(value.strip()))


def parse_date(value: object, month_first: bool = False) -> dt.date | None:
    """`03/04/2018` (day first, UK), `2018-04-03`, `03-Apr-18`, `3 Apr 2018`, `03.04.2018`,
    `20180403` (text or number), Excel serials (`43193`), `datetime`/`date` cells -> date;
    a bare time, a month with no day (`parse_month`) or junk -> None."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, pd.Timestamp):
        return None if pd.isna(value) else value.date()
    if isinstance(value, (int, float, np.integer, np.floating)):
        if not np.isfinite(value):
            return None
        if 19000101 <= value <= 21001231 and float(value).is_integer():  # `20240115`: YYYYMMDD
            n = int(value)
            return _safe_date(n // 10000, n // 100 % 100, n % 100)
        return _from_serial(float(value))
    s = str(value).translate(_INVISIBLE).strip()  # `strip` takes a leading no-break space too
    if not s:
        return None
    m = _NUMERIC_DATE.match(s)
    if m:
        a, b, c = (int(x) for x in m.groups())
        if len(m.group(1)) == 4:  # ISO: year first
            return _safe_date(a, b, c)
        if month_first:
            return _safe_date(c, a, b)
        return _safe_date(c, b, a)
    m = _NAMED_MONTH.match(s)
    if m:
        month = _MONTHS.get(m.group(2).lower()[:4]) or _MONTHS.get(m.group(2).lower()[:3])
        return _safe_date(int(m.group(3)), month, int(m.group(1))) if month else None
    m = _MONTH_FIRST.match(s)
    if m:
        month = _MONTHS.get(m.group(1).lower()[:3])
        return _safe_date(int(m.group(3)), month, int(m.group(2))) if month else None
    if len(s) == 8 and s.isdigit():
        return _safe_date(int(s[:4]), int(s[4:6]), int(s[6:]))
    if _SERIAL.match(s):
        return _from_serial(float(s))
    return None


def parse_month(value: object) -> tuple[int, int] | None:
    """A month given without a day: `Apr-23`, `April 2023`, `2023-04`, `04/2023` -> (2023, 4)."""
    if not isinstance(value, str):
        return None
    s = value.translate(_INVISIBLE).strip()
    m = _MONTH_YEAR.match(s)
    if m:
        month = _MONTHS.get(m.group(1).lower()[:4]) or _MONTHS.get(m.group(1).lower()[:3])
        # the month's name or the start of it, nothing else (`Mayor 23`, `Various 2023` are no month)
        if month is None or not _MONTH_NAMES[month - 1].startswith(m.group(1).lower()):
            return None
        return _year(int(m.group(2))), month
    m = _YEAR_MONTH.match(s)
    if m:
        year, month = (int(m.group(1)), int(m.group(2))) if m.group(1) else (int(m.group(4)), int(m.group(3)))
        return (year, month) if 1 <= month <= 12 and 1900 <= year <= 2100 else None
    return None


def period_number(value: object) -> tuple[int, int] | None:
    """A numeric period with its year: `202401`, `202401.0`, `2024P01` -> (2024, 1); `202413` ->
    (2024, 13). Whether 202401 is January or April 2024 is the table's to decide (`periods`)."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, (float, np.floating)):
        if not np.isfinite(value) or not float(value).is_integer():
            return None
        value = int(value)
    m = _PERIOD_NUMBER.match(str(value).strip())
    if not m:
        return None
    number = int(m.group(2))
    return (int(m.group(1)), number) if 1 <= number <= 16 else None


def financial_year(date: dt.date) -> str:
    """UK financial year, April to March: 2019-04-01 -> `2019/20`, 2020-03-31 -> `2019/20`."""
    start = date.year if date.month >= 4 else date.year - 1
    return f"{start}/{(start + 1) % 100:02d}"


def day_month_order(values) -> bool | None:
    """Whether slash dates in this column put the month first (US): True when some second part is
    above 12 and no first part is; False when some first part is above 12; None when no date says
    (every day 12 or less, or no such dates)."""
    first_big = second_big = False
    for v in values:
        if not isinstance(v, str):
            continue
        m = _NUMERIC_DATE.match(v.translate(_INVISIBLE).strip())
        if not m or len(m.group(1)) == 4:
            continue
        a, b = int(m.group(1)), int(m.group(2))
        first_big |= a > 12
        second_big |= b > 12
    if first_big:
        return False
    return True if second_big else None


def month_first_file(values) -> bool:
    """True when slash dates in this column are US-style (some second part > 12, no first part > 12)."""
    return day_month_order(values) is True


# ---- vectorised forms -------------------------------------------------------------------------

# Thousands separators must group in threes: `12,50` is a European decimal comma, and reading it
# as 1,250 pounds would be a silent hundredfold error. Such values are left unreadable.
_FAST_AMOUNT = r"^-?(\d{1,3}(,\d{3})+|\d{1,13})(\.\d{1,2})?$"
_THOUSANDS_OK = re.compile(r"^[(\-+]*\d{1,3}(,\d{3})+(\.\d*)?\D*$")


def _fast_pence(arr: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """(pence, ok) for plain `1234.5` / `-12` / `1,303.20` strings, in Arrow's C++ kernels: the
    decimal128(18, 2) cast is exact and its unscaled value is the pence."""
    trimmed = pc.utf8_trim_whitespace(arr)
    fast = pc.fill_null(pc.match_substring_regex(trimmed, _FAST_AMOUNT), False)
    cleaned = pc.replace_substring(trimmed, ",", "")
    ok = np.asarray(fast.to_numpy(zero_copy_only=False), dtype=bool)
    out = np.zeros(len(arr), dtype=np.int64)
    if ok.any():
        dec = pc.cast(pc.filter(cleaned, fast), pa.decimal128(18, 2))
        if isinstance(dec, pa.ChunkedArray):
            dec = dec.combine_chunks()
        words = np.frombuffer(dec.buffers()[1], dtype=np.int64)
        out[ok] = words[2 * dec.offset :: 2][: len(dec)]  # low 64 bits: |pence| < 2**63 here
    return out, ok


def amounts_to_pence(values: pd.Series) -> pd.Series:
    """Vectorised `parse_amount_pence`: Int64 with <NA> where unreadable.

    Plain strings (nearly every CSV row) are converted in Arrow; the rest (spreadsheet numbers,
    `(12.50)`, `£1,303.20`, `12.50-`) go through the scalar parser once per distinct value.
    """
    n = len(values)
    if values.dtype == object:
        is_str = np.fromiter((isinstance(v, str) for v in values.tolist()), dtype=bool, count=n)
        out = np.zeros(n, dtype=np.int64)
        ok = np.zeros(n, dtype=bool)
        if is_str.any():
            p, o = _fast_pence(pa.array(values[is_str].tolist(), type=pa.string()))
            idx = np.flatnonzero(is_str)
            out[idx[o]] = p[o]
            ok[idx[o]] = True
    else:
        out, ok = _fast_pence(
            pa.array(values, type=pa.large_string())
            if not isinstance(values.dtype, pd.StringDtype)
            else pa.array(values)
        )
    rest = np.flatnonzero(~ok)
    if len(rest):
        sub = values.iloc[rest]
        codes, uniq = pd.factorize(sub.astype(object) if sub.dtype != object else sub, use_na_sentinel=True)
        parsed = [parse_amount_pence(u) for u in uniq]
        for pos, c in zip(rest, codes):
            if c >= 0 and parsed[c] is not None:
                out[pos] = parsed[c]
                ok[pos] = True
    return pd.Series(pd.arrays.IntegerArray(out, ~ok), index=values.index)


# What a date cell gives: a day, a month with no day (`Apr-23`), a numeric period (`202401`), only a
# time (`00:00:00`), words with no digit (`Various`, `TBC`), something unreadable, or nothing.
DAY, MONTH, PERIOD, TIME_ONLY, WORDS, UNREADABLE, BLANK = range(7)


def date_cell(value: object, month_first: bool = False) -> tuple[dt.date | None, int, tuple[int, int] | None]:
    """(date, kind, period) for one date cell: `date` the day, or the first of the month for a
    MONTH; `period` (year, number) for a PERIOD."""
    if _missing_cell(value):
        return None, BLANK, None
    d = parse_date(value, month_first)
    if d is not None:
        return d, DAY, None
    ym = parse_month(value)
    if ym is not None:
        return dt.date(ym[0], ym[1], 1), MONTH, None
    pn = period_number(value)
    if pn is not None:
        return None, PERIOD, pn
    if is_time_only(value):
        return None, TIME_ONLY, None
    if isinstance(value, str) and not any(c.isdigit() for c in value):
        return None, WORDS, None
    return None, UNREADABLE, None


def _missing_cell(value: object) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float) and value != value:
        return True
    return isinstance(value, str) and not value.strip()


@lru_cache(maxsize=200_000)
def _date_text(value: str, month_first: bool) -> tuple[dt.date | None, int, tuple[int, int] | None]:
    # The same date strings recur in every chunk and every monthly file: parse each once.
    return date_cell(value, month_first)


@dataclass
class DateCells:
    """A date column read: `codes[i]` is row i's distinct value, an index into the per-value lists
    (`dates`, `kinds`, `periods`), whose last entry stands for a missing cell."""

    codes: np.ndarray
    values: list
    dates: list
    kinds: np.ndarray
    periods: list

    def row_kinds(self) -> np.ndarray:
        return self.kinds[self.codes]


def date_cells(values: pd.Series | None, n: int, month_first: bool | None = None, factorized=None) -> DateCells:
    """Vectorised `date_cell`, each distinct value read once. `values` None: the table has no date
    column (every row missing). `month_first`: decided for the whole file by the caller, or (None)
    from these values. `factorized`: `pd.factorize(values)` when the caller has it already."""
    if values is None:
        return DateCells(np.zeros(n, dtype=np.int64), [], [None], np.array([BLANK]), [None])
    codes, uniques = factorized if factorized is not None else pd.factorize(values, use_na_sentinel=True)
    uniques = list(uniques)
    if month_first is None:
        month_first = month_first_file(v for v in uniques if isinstance(v, str))
    parsed = [_date_text(v, month_first) if isinstance(v, str) else date_cell(v, month_first) for v in uniques]
    parsed.append((None, BLANK, None))
    codes = np.where(codes < 0, len(uniques), codes)
    return DateCells(
        codes,
        uniques,
        [d for d, _, _ in parsed],
        np.array([k for _, k, _ in parsed], dtype=np.int8),
        [p for _, _, p in parsed],
    )
