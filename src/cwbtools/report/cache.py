"""Tables the report notebooks derive from the reference data, kept between notebooks and runs.

Locating the built registers by postcode (a DuckDB join against the 2.6M-row postcode table) took
0.4 to 0.5 s in every notebook that counts organisations (01 and 03), each run, for the same answer.
It is kept in `data/processed/.cache/` with a stamp of what it was made from: the reference build
(its `.built` stamp and the tables read) and the package's reference code. A stale, missing or
unreadable copy is made again; two notebooks writing at once each write whole files in turn.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from pathlib import Path

import pandas as pd

from .. import paths

_LOCATED_REGISTERS = "registers-located"


def cache_dir() -> Path:
    return paths.processed_dir() / ".cache"


def _stamp(inputs: list[Path]) -> str:
    code = Path(__file__).resolve().parents[1] / "reference"
    payload = [paths.file_stat(p) for p in inputs] + [paths.file_stat(p) for p in sorted(code.glob("*.py"))]
    return hashlib.sha256(json.dumps(payload).encode()).hexdigest()


def _write(df: pd.DataFrame, path: Path, stamp: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    for suffix, write in ((".parquet", lambda p: df.to_parquet(p, index=False)), (".json", None)):
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=suffix)
        os.close(fd)
        try:
            if write:
                write(tmp)
            else:
                Path(tmp).write_text(json.dumps({"stamp": stamp}))
            os.replace(tmp, path.with_suffix(suffix))  # the stamp last: it vouches for the table
        finally:
            Path(tmp).unlink(missing_ok=True)


def _read(path: Path, stamp: str) -> pd.DataFrame | None:
    try:
        if json.loads(path.with_suffix(".json").read_text()).get("stamp") != stamp:
            return None
        return pd.read_parquet(path.with_suffix(".parquet"))
    except (OSError, ValueError):
        return None


def located_registers() -> pd.DataFrame:
    """The built registers (`reference.load_registers`) with `lad_code` and `ward_code` from
    their postcodes (`reference.lookup_postcodes`)."""
    from .. import reference

    ref = paths.reference_dir()
    stamp = _stamp([ref / ".built", ref / "registers.parquet", ref / "postcodes.parquet", ref / "lsoa.parquet"])
    path = cache_dir() / f"{_LOCATED_REGISTERS}.parquet"
    cached = _read(path, stamp)
    if cached is not None:
        return cached
    regs = reference.load_registers()
    located = reference.lookup_postcodes(regs["postcode"])
    regs = regs.assign(lad_code=located["lad_code"].to_numpy(), ward_code=located["ward_code"].to_numpy())
    with contextlib.suppress(OSError):  # a read-only data folder: the table is still right, only not kept
        _write(regs, path, stamp)
    return regs
