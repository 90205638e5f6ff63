"""How money and shares are written for people: one format everywhere (tables, prose, titles).

Its own module so that analysis (which must not depend on the report stage) and the report stage
share it.
"""

from __future__ import annotations

import pandas as pd


def gbp(pence: int | float | None, digits: int = 1) -> str:
    """Pence -> `£38.3m`, `£950k`, `£120`. Formats a total already summed in pence."""
    if pence is None or pd.isna(pence):
        return "n/a"
    pounds = pence / 100
    sign = "-" if pounds < 0 else ""
    pounds = abs(pounds)
    if pounds >= 1e9:
        return f"{sign}£{pounds / 1e9:.{digits}f}bn"
    if pounds >= 1e6:
        return f"{sign}£{pounds / 1e6:.{digits}f}m"
    if pounds >= 1e3:
        return f"{sign}£{pounds / 1e3:.0f}k"
    return f"{sign}£{pounds:,.0f}"


def pct(share: float | None, digits: int = 1) -> str:
    """A fraction 0..1 -> `5.1%`."""
    if share is None or pd.isna(share):
        return "n/a"
    return f"{share * 100:.{digits}f}%"
