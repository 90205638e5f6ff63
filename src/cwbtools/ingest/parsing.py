"""Money and dates as ledgers write them, parsed exactly.

Pure functions, one value at a time, plus vectorised forms used by ingest for speed. Money comes
back as integer pence (never float pounds); dates as `datetime.date`. Anything that cannot be read
is None, never a guess.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

import numpy as np
import pandas as pd

_AMOUNT_CLEAN = re.compile(r"[£$€\s,\"']|gbp|Â|\u00a0", re.IGNORECASE)
_AMOUNT_RE = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)$")
_PENCE = Decimal("0.01")


def _decimal_to_pence(value: Decimal) -> int:
    # Ledgers hold pence; a third decimal (rare, from spreadsheet arithmetic) is rounded half-up.
    return int((value * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def parse_amount_pence(text: object) -> int | None:
    """`£1,303.20` -> 130320; `(123.45)` and `123.45-` -> -12345; `1303.2` -> 130320; junk -> None.

    Spreadsheet numbers are taken at their shortest decimal form (49937.59000000003 -> 4993759),
    so float noise from Excel sums never reaches the pence.
    """
    if text is None or isinstance(text, bool):
        return None
    if isinstance(text, (int, np.integer)):
        return int(text) * 100
    if isinstance(text, (float, np.floating)):
        if not np.isfinite(text):
            return None
        return _decimal_to_pence(Decimal(repr(float(text))))
    if isinstance(text, Decimal):
        return _decimal_to_pence(text) if text.is_finite() else None
    s = _AMOUNT_CLEAN.sub("", str(text))
    if not s:
        return None
    negative = False
    if s.startswith("(") and s.endswith(")"):
        negative, s = True, s[1:-1]
    if s.endswith("-"):
        negative, s = not negative, s[:-1]
    elif s.upper().endswith("CR"):
        negative, s = not negative, s[:-2]
    if s.startswith("-(") and s.endswith(")"):
        s = "-" + s[2:-1]
    if not _AMOUNT_RE.match(s):
        return None
    try:
        pence = _decimal_to_pence(Decimal(s))
    except InvalidOperation:  # pragma: no cover - the regex admits only numbers
        return None
    return -pence if negative else pence


_MONTHS = {m: i + 1 for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"])}
_MONTHS.update({"sept": 9, "june": 6, "july": 7})
_EXCEL_EPOCH = dt.date(1899, 12, 30)
_NUMERIC_DATE = re.compile(r"^(\d{1,4})[/.\-](\d{1,2})[/.\-](\d{1,4})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")
_NAMED_MONTH = re.compile(r"^(\d{1,2})[\s\-/]*([A-Za-z]{3,9})[\s\-/,]*(\d{2,4})(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?$")
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
    """`03/04/2018` (day first, UK), `2018-04-03`, `03-Apr-18`, `3 Apr 2018`, `20180403`,
    Excel serials (`43193`), `datetime`/`date` cells -> date; a bare time or junk -> None."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, pd.Timestamp):
        return None if pd.isna(value) else value.date()
    if isinstance(value, (int, float, np.integer, np.floating)):
        return _from_serial(float(value)) if np.isfinite(value) else None
    s = str(value).strip()
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


def financial_year(date: dt.date) -> str:
    """UK financial year, April to March: 2019-04-01 -> `2019/20`, 2020-03-31 -> `2019/20`."""
    start = date.year if date.month >= 4 else date.year - 1
    return f"{start}/{(start + 1) % 100:02d}"


def month_first_file(values) -> bool:
    """True when slash dates in this column are US-style (some second part > 12, no first part > 12)."""
    first_big = second_big = False
    for v in values:
        if not isinstance(v, str):
            continue
        m = _NUMERIC_DATE.match(v.strip())
        if not m or len(m.group(1)) == 4:
            continue
        a, b = int(m.group(1)), int(m.group(2))
        first_big |= a > 12
        second_big |= b > 12
    return second_big and not first_big


# ---- vectorised forms -------------------------------------------------------------------------

_FAST_AMOUNT = r"^-?\d{1,13}(\.\d{1,2})?$"


def amounts_to_pence(values: pd.Series) -> pd.Series:
    """Vectorised `parse_amount_pence`: Int64 with <NA> where unreadable.

    Plain `1234.5`/`-12` strings (nearly every row) are converted with string operations; the
    rest go through the scalar parser once per distinct value.
    """
    n = len(values)
    out = np.zeros(n, dtype=np.int64)
    ok = np.zeros(n, dtype=bool)
    if values.dtype == object:
        is_str = np.fromiter((isinstance(v, str) for v in values), dtype=bool, count=n)
    else:
        is_str = np.ones(n, dtype=bool)
        values = values.astype(object).where(values.notna(), None)
    if is_str.any():
        s = pd.Series(values[is_str].to_numpy(), dtype="str").str.strip().str.replace(",", "", regex=False)
        fast = s.str.fullmatch(_FAST_AMOUNT).fillna(False).to_numpy(dtype=bool)
        if fast.any():
            f = s[fast]
            neg = f.str.startswith("-").to_numpy()
            body = f.str.lstrip("-")
            parts = body.str.partition(".")
            whole = parts[0].astype("int64").to_numpy()
            frac = parts[2].str.pad(2, side="right", fillchar="0").replace("", "00").astype("int64").to_numpy()
            pence = whole * 100 + frac
            pence = np.where(neg, -pence, pence)
            idx = np.flatnonzero(is_str)[fast]
            out[idx] = pence
            ok[idx] = True
    rest = np.flatnonzero(~ok)
    if len(rest):
        sub = values.iloc[rest]
        cache: dict = {}
        for pos, v in zip(rest, sub):
            key = (type(v), v) if v is not None else None
            if key not in cache:
                cache[key] = parse_amount_pence(v)
            p = cache[key]
            if p is not None:
                out[pos] = p
                ok[pos] = True
    return pd.Series(pd.arrays.IntegerArray(out, ~ok), index=values.index)


def dates_of(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Vectorised `parse_date` (once per distinct value): (dates as object Series of date|None,
    bool Series: the cell was a bare time)."""
    vals = values.tolist()
    month_first = month_first_file(set(v for v in vals if isinstance(v, str)))
    cache: dict = {}
    dates = []
    time_only = []
    for v in vals:
        key = (type(v), v)
        hit = cache.get(key)
        if hit is None:
            hit = (parse_date(v, month_first=month_first), is_time_only(v))
            cache[key] = hit
        dates.append(hit[0])
        time_only.append(hit[1])
    return pd.Series(dates, index=values.index, dtype=object), pd.Series(time_only, index=values.index, dtype=bool)
