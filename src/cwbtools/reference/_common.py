"""Small helpers shared by the reference builders."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pandas as pd

from ..errors import InputFileError

# The attribution every report and NOTICE repeats for postcode-derived tables.
OS_ONS_ATTRIBUTION = (
    "Contains OS data © Crown copyright and database right; contains Royal Mail data © Royal Mail "
    "copyright and database right; source: Office for National Statistics, licensed under the "
    "Open Government Licence v3.0."
)
OGL = "Open Government Licence v3.0"


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
