"""Small helpers shared by the reference builders."""

from __future__ import annotations

import hashlib
import json
import os
import re
from pathlib import Path

import pandas as pd

from ..errors import InputFileError

_CO_NUMBER = re.compile(r"^([A-Z]{0,2})(\d{1,8})$")
# Registered societies on the Companies House register: `IP29627R`, `RS007654`-style with a letter after.
_SOCIETY_NUMBER = re.compile(r"^([A-Z]{2})(\d{1,5})([A-Z])$")

# The attribution every report and NOTICE repeats for postcode-derived tables.
OS_ONS_ATTRIBUTION = (
    "Contains OS data © Crown copyright and database right; contains Royal Mail data © Royal Mail "
    "copyright and database right; source: Office for National Statistics, licensed under the "
    "Open Government Licence v3.0."
)
OGL = "Open Government Licence v3.0"


def company_number(value: object) -> str | None:
    """`226143` -> `00226143`, `sc16876` -> `SC016876`; blanks and junk -> None.

    Companies House numbers are 8 characters: an optional 2-letter prefix (SC, NI, OC, RC, ...)
    then digits, zero-padded. Registers drop the leading zeros, so matching needs them back.
    Registered societies (`IP29627R`) keep their trailing letter, their 5 digits padded.
    """
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    text = re.sub(r"[^A-Za-z0-9]", "", str(value)).upper()
    if not text or set(text) == {"0"}:
        return None
    society = _SOCIETY_NUMBER.match(text)
    if society:
        prefix, digits, suffix = society.groups()
        return None if set(digits) == {"0"} else prefix + digits.zfill(5) + suffix
    match = _CO_NUMBER.match(text)
    if not match:
        return None
    prefix, digits = match.groups()
    if len(prefix) + len(digits) > 8 or set(digits) == {"0"}:
        return None
    return prefix + digits.zfill(8 - len(prefix))


def company_numbers(series: pd.Series) -> pd.Series:
    """`company_number` over a Series (millions of rows in BasicCompanyData), via Arrow."""
    return pd.Series(company_numbers_fast(series.astype(object).tolist()), index=series.index, dtype=object)


def fingerprint(paths: list[Path | None], extra: str = "") -> str:
    """Identity of a set of inputs: path, size and mtime (content hashing 400 MB is not worth it)."""
    parts = [extra]
    for p in paths:
        if p is None:
            parts.append("-")
            continue
        st = Path(p).stat()
        parts.append(f"{Path(p).resolve()}|{st.st_size}|{int(st.st_mtime)}")
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]


def read_json(path: Path, default):
    try:
        return json.loads(path.read_text())
    except (FileNotFoundError, json.JSONDecodeError):
        return default


def write_json_atomic(path: Path, obj) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(obj, indent=2, sort_keys=True, default=str) + "\n")
    os.replace(tmp, path)


def write_parquet_atomic(df: pd.DataFrame, path: Path) -> None:
    tmp = path.with_suffix(".parquet.tmp")
    df.to_parquet(tmp, index=False)
    os.replace(tmp, path)


def require_file(path: Path, what: str) -> Path:
    if not Path(path).exists():
        raise InputFileError(f"{what} not found: {path} (set CWB_DATA to the shared data folder)")
    return Path(path)


def require_columns(df: pd.DataFrame, columns: list[str], path: Path) -> None:
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise InputFileError(f"{path}: missing column(s) {', '.join(missing)}; found {', '.join(map(str, df.columns))}")


def to_int(series: pd.Series) -> pd.Series:
    """`"29,199"` -> 29199 (Int64); blanks -> NA."""
    text = series.astype("string").str.replace(",", "", regex=False).str.strip()
    return pd.to_numeric(text, errors="coerce").astype("Int64")


# -- Arrow versions of the hot normalisers, for millions of rows (BasicCompanyData) ------------------
# They must agree with `cwbtools.normalise.postcode` and `company_number` above; tests check both.

def _compact_upper(values) -> "pa.ChunkedArray | pa.Array":
    import pyarrow as pa
    import pyarrow.compute as pc

    arr = pa.array(values, type=pa.string(), from_pandas=True) if not isinstance(values, (pa.Array, pa.ChunkedArray)) else values
    return pc.utf8_upper(pc.replace_substring_regex(arr, r"[^A-Za-z0-9]", ""))


def postcodes_fast(values) -> list:
    """`normalise.postcode` over many values at C speed: a list of `str | None`."""
    import pyarrow.compute as pc

    t = _compact_upper(values)
    valid = pc.match_substring_regex(t, r"^[A-Z]{1,2}[0-9][A-Z0-9]?[0-9][A-Z]{2}$")
    spaced = pc.replace_substring_regex(t, r"^(.+)([0-9][A-Z]{2})$", r"\1 \2")
    return pc.if_else(pc.fill_null(valid, False), spaced, None).to_pylist()


def company_numbers_fast(values) -> list:
    """`company_number` over many values at C speed: a list of `str | None`."""
    import pyarrow as pa
    import pyarrow.compute as pc

    t = _compact_upper(values)
    parts = pc.extract_regex(t, r"^(?P<p>[A-Z]{0,2})(?P<d>\d{1,8})$")
    ok = pc.fill_null(pc.is_valid(parts), False)
    prefix = pc.struct_field(parts, [0])
    digits = pc.struct_field(parts, [1])
    plen = pc.utf8_length(prefix)
    padded = pc.if_else(
        pc.equal(plen, 0), pc.utf8_lpad(digits, 8, "0"),
        pc.if_else(pc.equal(plen, 1), pc.binary_join_element_wise(prefix, pc.utf8_lpad(digits, 7, "0"), ""),
                   pc.binary_join_element_wise(prefix, pc.utf8_lpad(digits, 6, "0"), "")))
    ok = pc.and_(ok, pc.less_equal(pc.add(plen, pc.utf8_length(digits)), 8))
    ok = pc.and_(ok, pc.invert(pc.fill_null(pc.match_substring_regex(digits, r"^0+$"), False)))
    soc = pc.extract_regex(t, r"^(?P<p>[A-Z]{2})(?P<d>\d{1,5})(?P<s>[A-Z])$")
    soc_digits = pc.struct_field(soc, [1])
    soc_ok = pc.and_(pc.fill_null(pc.is_valid(soc), False),
                     pc.invert(pc.fill_null(pc.match_substring_regex(soc_digits, r"^0+$"), False)))
    soc_value = pc.binary_join_element_wise(pc.struct_field(soc, [0]), pc.utf8_lpad(soc_digits, 5, "0"),
                                            pc.struct_field(soc, [2]), "")
    none = pa.scalar(None, pa.string())
    return pc.if_else(pc.fill_null(pc.is_valid(soc), False), pc.if_else(soc_ok, soc_value, none),
                      pc.if_else(ok, padded, none)).to_pylist()
