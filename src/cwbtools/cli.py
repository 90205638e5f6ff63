"""The `cwb` command. Each stage module registers its own sub-commands.

A module listed in STAGES may define `register(subparsers)`, adding parsers whose `func(args)`
returns an exit code. User mistakes raise `CwbError` and end as a one-line message, never a
traceback.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from . import __version__
from .errors import CwbError

STAGES = ["ingest", "reference", "suppliers", "config", "demo", "run"]


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
        print(f"cwb: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("cwb: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
