"""One way to open DuckDB, shared by every stage."""

from __future__ import annotations

import contextlib

import duckdb


def connect(database: str = ":memory:") -> duckdb.DuckDBPyConnection:
    """A DuckDB connection with its progress bar off where that can be switched off.

    Inside Jupyter DuckDB refuses any change to the progress-bar setting unless ipywidgets is
    installed (and refuses it as a connect-time option too), so the setting is best effort: a
    report run must not fail over a progress bar.
    """
    con = duckdb.connect(database)
    with contextlib.suppress(duckdb.InvalidInputException):
        con.execute("SET enable_progress_bar = false")
    return con
