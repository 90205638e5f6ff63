"""A city's build folders: named for the process that owns them, swept when it is gone, swapped in whole.

Temporary folders are hidden (`.<slug>.building-<pid>-<start>-...`, never indexed) and carry the
process that made them: a run first sweeps its city's folders whose process is gone (SIGKILL, a
power cut). A finished build is swapped in for `reports/<slug>` so readers never see half a report;
a failed one is kept in `reports/.failed/<slug>/` stripped of its outputs: no input file's contents
are kept there. `run.py` runs the notebooks into these folders.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import CwbError
from . import html

if TYPE_CHECKING:
    from .run import Failure


def error_line(text: str) -> str:
    """The first non-blank line of an error message: what a one-line failure shows."""
    lines = [line.strip() for line in str(text).splitlines() if line.strip()]
    return lines[0] if lines else ""


def _start_time(pid: int) -> str | None:
    """The process's start time in clock ticks since boot (Linux), telling a reused pid apart;
    "0" where /proc is not there; None when the process is gone or a zombie."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except FileNotFoundError:
        return None if Path("/proc/self/stat").exists() else "0"
    except (OSError, IndexError):
        return "0"
    return None if fields[0] in ("Z", "X") else fields[19]


def _owner_token() -> str:
    pid = os.getpid()
    return f"{pid}-{_start_time(pid) or 0}"


def _alive(pid: int, start: str) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # another user's process: alive
        return True
    now = _start_time(pid)
    return now is not None and (start == "0" or now == "0" or now == start)


def temp_dir(root: Path, slug: str, kind: str) -> Path:
    """`.<slug>.<kind>-<pid>-<start>-<random>`: hidden from the index, owned by this process."""
    return Path(tempfile.mkdtemp(dir=root, prefix=f".{slug}.{kind}-{_owner_token()}-"))


LEGACY_STALE_SECONDS = 24 * 3600  # a folder from before owners were recorded: stale after a day


def sweep(root: Path, slug: str) -> list[Path]:
    """Remove `slug`'s temporary folders whose run is no longer alive; a previous report that a
    killed swap had moved aside is put back when `reports/<slug>` is missing. Returns what it removed."""
    removed = []
    final = root / slug
    for path in sorted(root.glob(f".{slug}.*")):
        kind, _, rest = path.name[len(slug) + 2 :].partition("-")
        if kind not in ("building", "old") or not path.is_dir() or path.is_symlink():
            continue
        parts = rest.split("-")
        if len(parts) == 3 and parts[0].isdigit():
            if _alive(int(parts[0]), parts[1]):
                continue
        elif time.time() - path.stat().st_mtime < LEGACY_STALE_SECONDS:
            continue
        if kind == "old" and not final.exists():
            os.replace(path, final)  # killed between the swap's two renames
            continue
        shutil.rmtree(path, ignore_errors=True)
        removed.append(path)
    return removed


_OUR_ERRORS = {cls.__name__ for cls in (CwbError, *CwbError.__subclasses__())}
_NOT_KEPT = "(message not kept here: it may quote an input file; it was shown when the run failed)"


def _kept_error(ename: str, evalue: str) -> str:
    """An error's message as reports/.failed keeps it: ours are written never to quote a file;
    another library's may quote a cell (a supplier, a person), so only its type is kept."""
    return error_line(evalue) if ename in _OUR_ERRORS else _NOT_KEPT


def _strip_outputs(path: Path) -> None:
    """An executed notebook with its outputs removed (tables, prints, charts hold input data),
    keeping where it stopped: the error's type, and its message when it is one of ours."""
    import nbformat

    nb = nbformat.read(str(path), as_version=4)
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        cell.outputs = [
            nbformat.v4.new_output(
                "error",
                ename=o.get("ename", ""),
                evalue=_kept_error(o.get("ename", ""), o.get("evalue", "")),
                traceback=[],
            )
            for o in cell.outputs
            if o.output_type == "error"
        ]
    nbformat.write(nb, str(path))


def keep_failed(root: Path, slug: str, build: Path, failures: list[Failure]) -> None:
    """Keep a failed build's executed notebooks for diagnosis, out of the readers' way, stripped
    of everything read from the inputs (outputs, tables, pages)."""
    failed_root = root / ".failed"
    failed_root.mkdir(exist_ok=True)
    target = html.inside(root, failed_root / slug)
    for path in sorted(build.iterdir()):
        if path.suffix == ".ipynb" and path.is_file():
            try:
                _strip_outputs(path)
            except Exception:  # noqa: BLE001 - unreadable: not kept rather than kept whole
                path.unlink()
        elif path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink()
    lines = []
    for f in failures:
        ename, _, evalue = f.error.partition(": ")
        lines.append(f"{f.notebook}, {f.cell}: {ename}: {_kept_error(ename, evalue)}")
    (build / "FAILED.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    if target.exists():
        shutil.rmtree(target)
    os.replace(build, target)


def swap(root: Path, build: Path, final: Path) -> None:
    """Put a finished build in place of `final` (`reports/<slug>`), never leaving it missing; the
    city's kept failure (`.failed/<slug>`) goes: it no longer describes the report in place."""
    # Readable by whoever serves reports/ (temporary files are created private).
    for path in build.rglob("*"):
        os.chmod(path, 0o755 if path.is_dir() else 0o644)
    old = None
    if final.exists():
        old = temp_dir(root, final.name, "old")
        os.rmdir(old)
        os.replace(final, old)
    try:
        os.replace(build, final)
    except BaseException:
        if old is not None:  # put the previous report back: never leave reports/<slug> missing
            os.replace(old, final)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
    stale = root / ".failed" / final.name
    if stale.is_dir():
        shutil.rmtree(stale, ignore_errors=True)
