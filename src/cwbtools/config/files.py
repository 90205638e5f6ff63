"""Where a config's paths lead: `${CWB_*}` expanded, a relative path looked for beside the config
then in the shared data folder, and the fence every path must stay inside (docs/SECURITY.md).
"""

from __future__ import annotations

import os
from pathlib import Path

from ..ingest.readers import LEDGER_SUFFIXES as _LEDGER_SUFFIXES  # one list: ingest's
from ..paths import configs_dir, processed_dir, raw_dir, shared_data_dir


def _expand(path: Path) -> list[Path]:
    if path.is_dir():
        return sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() in _LEDGER_SUFFIXES)
    if any(ch in path.name for ch in "*?["):
        return sorted(p for p in path.parent.glob(path.name) if p.is_file())
    return [path] if path.is_file() else []


_VARS = {
    "CWB_DATA": shared_data_dir,
    "CWB_PROCESSED": processed_dir,
    "CWB_RAW": raw_dir,
}


def data_folders(config_dir: Path | None = None) -> list[Path]:
    """The folders a config may read from: shared data, processed, raw, and the config's own."""
    folders = [
        shared_data_dir(),
        processed_dir().resolve(),
        raw_dir().resolve(),
        (config_dir or configs_dir()).resolve(),
    ]
    return list(dict.fromkeys(folders))


def inside_data(path: Path, folders: list[Path]) -> bool:
    """Whether `path`, after symlinks, lies under one of `folders` and not in a hidden file or
    folder below it (a config beside one's home folder must not reach `~/.ssh`)."""
    real = Path(path).resolve()
    return any(
        real.is_relative_to(folder) and not any(part.startswith(".") for part in real.relative_to(folder).parts)
        for folder in folders
    )


def resolve_path(value: str, config_dir: Path | None = None) -> Path:
    """`${CWB_DATA}/spend/x.csv` -> the shared data folder; a relative path beside the config if it
    exists there, else in the shared data folder (where the real ledgers live)."""
    text = str(value)
    for var, func in _VARS.items():
        for token in (f"${{{var}}}", f"${var}"):
            if token in text:
                text = text.replace(token, str(func()))
    path = Path(os.path.expanduser(text))
    if path.is_absolute():
        return path
    base = config_dir or configs_dir()
    beside = (base / path).resolve()
    if beside.exists() or any(ch in path.name for ch in "*?[") and _expand(beside):
        return beside
    shared = (shared_data_dir() / path).resolve()
    if shared.exists() or _expand(shared):
        return shared
    return beside
