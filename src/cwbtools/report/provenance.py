"""What each report was made from: cwbtools version, the config and its hash, the reference data
sources with their dates and licences, NOTICE's attributions, when it ran and for how long.
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import UTC, datetime
from pathlib import Path

from .. import __version__
from ..paths import repo_root
from .html import _write_atomic

PROVENANCE_FILE = "provenance.json"


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 16), b""):
            digest.update(chunk)
    return digest.hexdigest()


def notice_attribution(notice: Path | None = None) -> str:
    """The data attributions from the project's NOTICE (everything under its 'Data attribution'
    heading), for the provenance block of every report."""
    notice = notice or repo_root() / "NOTICE"
    if not notice.exists():
        return ""
    text = notice.read_text(encoding="utf-8")
    marker = re.search(r"^Data attribution.*\n(=+\n)?", text, re.MULTILINE)
    return (text[marker.end() :] if marker else text).strip()


def data_sources() -> tuple[list[dict], str]:
    """Reference data sources with their dates and licences, from the built reference tables;
    with a note saying why when they cannot be read."""
    try:
        from ..reference import load_sources
    except ImportError:
        return [], "Reference provenance is not available in this version of cwbtools."
    try:
        sources = load_sources()
    except Exception as exc:  # noqa: BLE001 - a report is still worth having; say why the list is missing
        return [], f"Reference data sources could not be read: {exc}"
    rows = []
    for s in sources or []:
        s = dict(s)
        rows.append({k: s.get(k) for k in ("name", "file", "date", "licence", "attribution", "rows")})
    return rows, ""


def _display_path(path: Path) -> str:
    path = Path(path).resolve()
    try:
        return str(path.relative_to(repo_root()))
    except ValueError:
        return str(path)


def build_provenance(
    config_path: Path,
    started: datetime,
    seconds: float,
    notebooks: dict[str, float] | None = None,
    config_sha256: str | None = None,
) -> dict:
    """What a report was made from: cwbtools version, the config and its sha256 (pass the hash
    taken when the run started), the reference data sources, NOTICE's attributions, run date and
    duration."""
    sources, note = data_sources()
    return {
        "cwbtools_version": __version__,
        "config_file": _display_path(config_path),
        "config_sha256": config_sha256 or sha256_file(config_path),
        "run_started": started.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S"),
        "run_seconds": round(seconds, 1),
        "notebook_seconds": {k: round(v, 1) for k, v in (notebooks or {}).items()},
        "sources": sources,
        "sources_note": note,
        "attribution": notice_attribution(),
    }


def write_provenance(folder: Path, provenance: dict) -> Path:
    path = Path(folder) / PROVENANCE_FILE
    _write_atomic(path, json.dumps(provenance, indent=2, sort_keys=True, ensure_ascii=False) + "\n")
    return path
