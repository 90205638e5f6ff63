"""The bounds every ledger read stays within, whatever the file: one home for each limit.

A hostile or broken file (a cell at XFD1048576, a 100 MB shared string, a line of a gigabyte,
a zip bomb) must stop with a clear error within seconds and well under 1 GB of memory, or be read.
Every limit here is configurable: `cwb ingest --limit NAME=VALUE`, or `ingest_limits:` in a city
config; `using(...)` sets them for one ingest run (a context variable, so runs on other threads
keep their own).
"""

from __future__ import annotations

import contextlib
import contextvars
import dataclasses
from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    """Defaults are far above any real ledger seen (the largest corpus file is some 200k rows)."""

    max_line_chars: int = 10_000_000  # one CSV line; longer is a dump or a binary, refused unread
    max_cell_chars: int = 1_000_000  # one workbook cell or CSV field
    max_sheet_rows: int = 2_000_000  # rows of one sheet's used range (data, not the declared dimension)
    max_sheet_columns: int = 1_000  # columns of one sheet's used range
    # rows x columns a sheet may occupy once read. A sheet is held whole in memory, some 240 bytes a
    # cell (Hammersmith's 48,713 x 9 sheet, the corpus's largest, peaks at 227 MB); 2.5M cells stays
    # under 1 GB. A genuine larger sheet: raise it, or export the sheet as CSV (streamed).
    max_sheet_cells: int = 2_500_000
    max_unzipped_bytes: int = 2_000_000_000  # a workbook's parts, decompressed, together
    max_unzipped_ratio: int = 200  # decompressed / compressed size of one part (a zip bomb is 1000s)
    max_payment_pounds: int = 10_000_000_000  # a single payment above this is `implausible_amount`

    @classmethod
    def names(cls) -> list[str]:
        return [f.name for f in dataclasses.fields(cls)]

    def replace(self, **changes: int) -> Limits:
        unknown = sorted(set(changes) - set(self.names()))
        if unknown:
            raise ValueError(f"unknown limit {', '.join(unknown)}; limits are: {', '.join(self.names())}")
        bad = [k for k, v in changes.items() if not isinstance(v, int) or isinstance(v, bool) or v <= 0]
        if bad:
            got = ", ".join(f"{k}={changes[k]!r}" for k in bad)
            raise ValueError(f"limit {got}: must be a whole number above 0; limits are: {', '.join(self.names())}")
        return dataclasses.replace(self, **changes)

    def parse(self, items: list[str] | None) -> Limits:
        """These limits with `NAME=VALUE` items applied (`cwb ingest --limit`); VALUE a whole number,
        `_` or `,` between digits allowed (`max_sheet_rows=5_000_000`)."""
        changes: dict[str, int] = {}
        for item in items or []:
            name, sep, value = item.partition("=")
            name = name.strip()
            if not sep or not name:
                raise ValueError(f"{item!r}: expected NAME=VALUE, e.g. max_sheet_rows=5000000")
            digits = value.strip().replace("_", "").replace(",", "")
            changes[name] = int(digits) if digits.isascii() and digits.isdigit() else value  # else refused below
        return self.replace(**changes)


_DEFAULTS = Limits()
_CURRENT: contextvars.ContextVar[Limits | None] = contextvars.ContextVar("cwb_ingest_limits", default=None)


def current() -> Limits:
    """The limits in force for this ingest run."""
    return _CURRENT.get() or _DEFAULTS


@contextlib.contextmanager
def using(limits: Limits | None):
    """Run a block under `limits` (None: the defaults)."""
    token = _CURRENT.set(limits or Limits())
    try:
        yield
    finally:
        _CURRENT.reset(token)
