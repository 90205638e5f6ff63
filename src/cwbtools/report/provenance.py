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
        return [], hide_local_paths(f"Reference data sources could not be read: {exc}")
    rows = []
    for s in sources or []:
        s = dict(s)
        row = {k: s.get(k) for k in ("name", "file", "date", "licence", "attribution", "rows")}
        row["file"] = display_path(row["file"]) or "not supplied"
        row.update({k: _shown(row[k]) for k in ("name", "date", "licence")})
        row["attribution"] = row["attribution"] or ""
        row["rows"] = row["rows"] if isinstance(row["rows"], int) else None
        rows.append(row)
    return rows, ""


def _local_roots() -> list[tuple[str, str]]:
    """The building machine's folders and how a report names them, longest first (a folder
    inside another is named by the nearer one)."""
    from ..paths import processed_dir, reports_dir, shared_data_dir

    roots = {
        str(repo_root()): ".",
        str(shared_data_dir()): "${CWB_DATA}",
        str(processed_dir()): "${CWB_PROCESSED}",
        str(reports_dir()): "${CWB_REPORTS}",
    }
    # Inside the repository, a path is named relative to it (not by the variable).
    named = {
        root: (str(Path(root).relative_to(repo_root())) if Path(root).is_relative_to(repo_root()) else name)
        for root, name in roots.items()
    }
    return sorted(named.items(), key=lambda item: -len(item[0]))


def display_path(path) -> str:
    """A path as a report shows it: relative to the repository, or under `${CWB_DATA}` (or the
    other configurable folders); elsewhere only its name. An archive member (`x.whl!a/b.7z`) keeps
    its member path. Nothing of the building machine's layout leaks into a report."""
    if path is None or str(path).strip() == "":
        return ""
    text = str(path)
    outer, bang, member = text.partition("!")
    if not Path(outer).is_absolute():
        return text
    resolved = str(Path(outer).resolve())
    for root, name in _local_roots():
        if resolved == root or resolved.startswith(root + "/"):
            rest = resolved[len(root) :].lstrip("/")
            shown = "/".join(part for part in (name if name != "." else "", rest) if part) or "."
            return shown + bang + member
    return Path(outer).name + bang + member


def hide_local_paths(text: str) -> str:
    """`text` with every absolute path under the building machine's folders written as
    `display_path` writes it (notes and messages quote the files they could not read)."""
    for root, name in _local_roots():
        replacement = "" if name in (".", "") else name + "/"
        text = text.replace(root + "/", replacement)
        text = text.replace(root, name or ".")
    return text


def _shown(value, missing: str = "not stated") -> str | int:
    """A provenance value for readers: never `None`."""
    if value is None or (isinstance(value, str) and value.strip().lower() in ("", "none", "nan")):
        return missing
    return value


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
        "config_file": display_path(config_path),
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
