"""User-facing errors.

A `CwbError` is a user's mistake or bad input: the CLI prints its message (which names the file,
sheet, row, column or key at fault) and exits non-zero, with no traceback. Anything else is our bug
and keeps its traceback.
"""


class CwbError(Exception):
    """Bad input or configuration, explained in words a user can act on."""

    exit_code = 2


class InputFileError(CwbError):
    """A ledger or reference file cannot be read as what it claims to be."""


class ConfigError(CwbError):
    """A city configuration is invalid."""
