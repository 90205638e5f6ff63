"""Where things live. One configurable path to the shared real data, one to generated outputs.

`CWB_DATA` points at the shared open data (default `../shared/data` beside the repository);
`CWB_PROCESSED` at generated tables (default `data/processed`), `CWB_REPORTS` at reports
(default `reports`). Everything generated stays under those two folders.
"""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]


def repo_root() -> Path:
    return REPO_ROOT


def shared_data_dir() -> Path:
    """The shared real-data folder (`CWB_DATA`, default `../shared/data` beside the repo)."""
    env = os.environ.get("CWB_DATA")
    if env:
        return Path(env).expanduser().resolve()
    return (REPO_ROOT.parent / "shared" / "data").resolve()


def processed_dir() -> Path:
    env = os.environ.get("CWB_PROCESSED")
    return Path(env).expanduser().resolve() if env else REPO_ROOT / "data" / "processed"


def raw_dir() -> Path:
    env = os.environ.get("CWB_RAW")
    return Path(env).expanduser().resolve() if env else REPO_ROOT / "data" / "raw"


def reference_dir() -> Path:
    """Built reference tables (postcodes, IMD, SIC, registers, geography)."""
    return processed_dir() / "reference"


def reports_dir() -> Path:
    env = os.environ.get("CWB_REPORTS")
    return Path(env).expanduser().resolve() if env else REPO_ROOT / "reports"


def configs_dir() -> Path:
    return REPO_ROOT / "configs"


def file_stat(path: Path) -> list:
    """What a cache is keyed on for one file: its path, size and modification time (None when it is
    missing), so a changed or removed input makes the cache stale."""
    try:
        st = path.stat()
        return [str(path), st.st_size, st.st_mtime_ns]
    except OSError:
        return [str(path), None, None]
