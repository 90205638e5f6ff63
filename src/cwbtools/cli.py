"""The `cwb` command. Each stage module registers its own sub-commands.

A module listed in STAGES may define `register(subparsers)`, adding parsers whose `func(args)`
returns an exit code. User mistakes raise `CwbError` and end as a one-line message, never a
traceback; so does a file-system refusal naming a path (a file where a folder is wanted, no
permission, a full disk).
"""

from __future__ import annotations

import argparse
import errno
import importlib
import sys

from . import __version__
from .errors import CwbError

STAGES = ["ingest", "reference", "suppliers", "config", "demo", "run"]

MAX_MESSAGE = 3000  # characters of an error message shown; the rest is cut, never a wall of text

# What to do about an OSError naming a path, by errno.
_OS_HINTS = {
    errno.EEXIST: "a file is in the way where a folder is wanted: name a folder, or move the file",
    errno.ENOTDIR: "part of the path is a file, not a folder: name a folder",
    errno.EISDIR: "is a folder where a file is wanted: name a file",
    errno.ENOENT: "no such file or folder: check the path",
    errno.EACCES: "permission denied: choose a path you may read and write, or change its permissions",
    errno.EPERM: "operation not permitted: choose a path you may read and write",
    errno.EROFS: "the file system is read-only: choose a writable folder",
    errno.ENOSPC: "no space left on the disk: free some space or choose another folder",
    errno.ENAMETOOLONG: "the name is too long: choose a shorter path",
}


def one_line(text: str, limit: int = MAX_MESSAGE) -> str:
    """A message as one terminal line: line breaks and control characters escaped, length capped."""
    out = "".join(ch if ch.isprintable() else ascii(ch)[1:-1] for ch in str(text))
    return out if len(out) <= limit else out[:limit] + "... (cut)"


def os_message(exc: OSError) -> str:
    """`path: what is wrong; what to do`, for an OSError about a path."""
    paths = " -> ".join(str(p) for p in (exc.filename, exc.filename2) if p is not None)
    hint = _OS_HINTS.get(exc.errno, exc.strerror or type(exc).__name__)
    return f"{paths}: {hint}"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cwb", description="Community wealth building supply-chain analysis.")
    parser.add_argument("--version", action="version", version=f"cwbtools {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in STAGES:
        try:
            module = importlib.import_module(f"cwbtools.{name}")
        except ModuleNotFoundError as exc:  # a stage not built yet
            if exc.name == f"cwbtools.{name}":
                continue
            raise
        register = getattr(module, "register", None)
        if register is not None:
            register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 1
    try:
        return int(args.func(args) or 0)
    except CwbError as exc:
        print(f"cwb: error: {one_line(exc)}", file=sys.stderr)
        return exc.exit_code
    except OSError as exc:
        if exc.filename is None:  # not about a path the user named: our bug, with its traceback
            raise
        print(f"cwb: error: {one_line(os_message(exc))}", file=sys.stderr)
        return CwbError.exit_code
    except KeyboardInterrupt:
        print("cwb: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
