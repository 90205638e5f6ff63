"""Masks and small arithmetic the next-steps sections share (the baseline's own helpers reused)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..baseline import _flag, _located, _pence, _rows
from ..baseline import _is_individual as _individual

__all__ = [
    "_flag",
    "_individual",
    "_located",
    "_pence",
    "_outside",
    "_div",
    "for_year",
    "_division",
    "_names",
    "_table",
]


def _outside(spend: pd.DataFrame) -> pd.Series:
    """Leakage: located and outside the wider area (which includes the place)."""
    return _located(spend) & ~_flag(spend, "in_wider")


def _div(num, den):
    num = pd.Series(num, dtype="float64") if not isinstance(num, pd.Series) else num.astype("float64")
    den = den.astype("float64") if isinstance(den, pd.Series) else float(den)
    if isinstance(den, float):
        return num / den if den else num * np.nan
    return num / den.where(den != 0)


def for_year(spend: pd.DataFrame, year: str) -> pd.DataFrame:
    """One year's payments; empty when the year has none (a scenario's base year may be unmeasured:
    the baseline's `for_year` refuses that, the scenarios report it)."""
    return _rows(spend, (spend["financial_year"].astype("string") == str(year)).fillna(False).to_numpy(dtype=bool))


def _division(spend: pd.DataFrame) -> pd.Series:
    div = (
        spend["sic_division"].astype("string")
        if "sic_division" in spend.columns
        else pd.Series(pd.NA, index=spend.index, dtype="string")
    )
    return div.str.strip().str.zfill(2).where(div.notna() & (div.str.strip() != ""))


def _names(sic: pd.DataFrame | None, level: str) -> dict[str, str]:
    if sic is None or not len(sic) or f"sic_{level}_name" not in sic.columns:
        return {}
    keys = sic[f"sic_{level}"].astype(str)
    if level == "division":
        keys = keys.str.zfill(2)
    return dict(zip(keys, sic[f"sic_{level}_name"].astype(str)))


def _table(value) -> pd.DataFrame | None:
    """`value` when it is a table, else None: an optional input that is not there comes as None or
    as the report's note saying how to supply it (analysis never imports the report to tell)."""
    return value if isinstance(value, pd.DataFrame) else None
