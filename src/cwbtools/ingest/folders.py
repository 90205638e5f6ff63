"""Files and folders given to ingest -> the ledgers to read, and every other entry with why not.

Every entry under a folder has an outcome: a ledger is read; anything else is set aside with a
reason (`file_unsupported`, `file_unreadable`, `file_hidden` in `schema.INGEST_REASONS`) and a few
words saying why (the quarantine's `raw`), recorded in the reconciliation and printed by `cwb ingest`. Nothing under a
folder is skipped in silence. A path named on the command line is read whatever its name says, or
is an error.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

from ..errors import InputFileError
from ..schema import FILE_HIDDEN, FILE_UNREADABLE, FILE_UNSUPPORTED
from .readers import LEDGER_SUFFIXES

FILE_REASONS = (FILE_UNSUPPORTED, FILE_UNREADABLE, FILE_HIDDEN)


@dataclass(frozen=True)
class Entry:
    """One entry found: `reason` None for a ledger to read, else why it is set aside (`why` in words)."""

    path: Path
    source_file: str
    reason: str | None = None
    why: str = ""


def _hidden(name: str) -> str | None:
    if name.startswith("~$"):
        return "an Office lock file (the workbook was open when copied)"
    if name.startswith("."):
        return "a hidden file"
    return None


def _judge(path: Path, source_file: str) -> Entry:
    """A folder's entry that is not a folder to search."""
    hidden = _hidden(path.name)
    if hidden:
        return Entry(path, source_file, FILE_HIDDEN, hidden)
    try:
        st = path.stat()  # follows a link
    except OSError as exc:
        why = "a broken link (it points at nothing)" if path.is_symlink() else f"cannot be read ({exc.strerror})"
        return Entry(path, source_file, FILE_UNREADABLE, why)
    if not stat.S_ISREG(st.st_mode):  # a pipe or a device would block or never end
        return Entry(path, source_file, FILE_UNREADABLE, "not a regular file (a pipe, socket or device)")
    suffix = path.suffix.lower()
    if suffix not in LEDGER_SUFFIXES:
        kind = f"a {suffix} file" if suffix else "a file with no extension"
        kinds = ", ".join(sorted(LEDGER_SUFFIXES))
        return Entry(path, source_file, FILE_UNSUPPORTED, f"{kind}, not a ledger type ({kinds})")
    if not os.access(path, os.R_OK):
        return Entry(path, source_file, FILE_UNREADABLE, "cannot be read (permission denied)")
    return Entry(path, source_file)


def _walk(folder: Path, root: Path, seen: set[str]) -> list[Entry]:
    out: list[Entry] = []
    try:
        children = sorted(folder.iterdir())
    except OSError as exc:
        rel = folder.relative_to(root).as_posix()
        return [Entry(folder, rel + "/", FILE_UNREADABLE, f"a folder that cannot be listed ({exc.strerror})")]
    for child in children:
        rel = child.relative_to(root).as_posix()
        if child.is_dir():  # follows a link to a folder; a loop is searched once
            hidden = _hidden(child.name)
            if hidden:  # `.git`, `__MACOSX/._x`: recorded once, not searched
                out.append(Entry(child, rel + "/", FILE_HIDDEN, "a hidden folder, not searched"))
                continue
            real = os.path.realpath(child)
            if real in seen:
                continue
            seen.add(real)
            out.extend(_walk(child, root, seen))
        else:
            out.append(_judge(child, rel))
    return out


def list_entries(paths) -> list[Entry]:
    """Every entry under `paths` (folders searched recursively), with its `source_file` name
    relative to the folder given. A path named itself is read whatever its name; one that is
    missing, a broken link or not a regular file is an error."""
    out: list[Entry] = []
    for p in paths:
        p = Path(p)
        if p.is_dir():
            out.extend(_walk(p, p, {os.path.realpath(p)}))
        elif p.is_file():
            out.append(Entry(p, p.name))
        elif p.is_symlink():
            raise InputFileError(f"{p}: a broken link (it points at nothing): check the path")
        elif p.exists():
            raise InputFileError(f"{p}: not a regular file (a pipe, socket or device): name a ledger file")
        else:
            raise InputFileError(f"{p}: no such file or folder")
    return out


def expand_paths(paths) -> list[tuple[Path, str]]:
    """The ledgers under `paths`: (path, source_file name relative to the folder given)."""
    return [(e.path, e.source_file) for e in list_entries(paths) if e.reason is None]
