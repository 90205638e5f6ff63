"""The contract pipeline as notebook 03 shows it: published awards with where the winner is, and
the contracts ending soon (`cwbtools.analysis.contracts` does the work; this picks the columns a
reader needs)."""

from __future__ import annotations

from datetime import date

import pandas as pd

from .. import contracts

AWARD_COLUMNS = [
    "awarded_date",
    "title",
    "awarded_supplier",
    "awarded_value_pence",
    "awarded_to_sme",
    "winner_geo",
    "end_date",
    "end_basis",
    "url",
]
ENDING_COLUMNS = ["end_date", "end_basis", "title", "awarded_supplier", "awarded_value_pence", "awarded_to_sme", "url"]


def awards(located: pd.DataFrame, n: int = 20) -> pd.DataFrame:
    """The `n` largest awards (`contracts.locate_winners`), with where each winner is."""
    return located[AWARD_COLUMNS].head(n)


def ending(notices: pd.DataFrame, as_of: date) -> pd.DataFrame:
    """Contracts ending within two years of `as_of`, soonest first: the next chances to re-let."""
    return contracts.ending_soon(notices, as_of)[ENDING_COLUMNS]
