"""Next steps (CLES report sections 5 and 6): where anchors could act and what it would be worth.

Pure functions over the spend frame (docs/CONTRACTS.md section 4) and the city's definitions,
returning tidy tables in integer pence, one module per section of notebook 03:

- `leakage`: located spend outside the wider area, by sector and anchor, and the organisations
  behind it (individuals are never named).
- `influenceable`: the not-influenceable rules applied in order, each payment removed by the first
  rule it meets; removed + influenceable == total, to the penny.
- `gaps`: influenceable leakage by SIC division against local capacity (registered organisations,
  location quotients, suppliers already used), ranked; candidate local suppliers.
- `scenarios`: direct uplift, indirect effects (re-spend range, IOAT 2020 multipliers) and a
  trajectory to a target.
- `pipeline`: the contract pipeline tables (`cwbtools.analysis.contracts` does the work).
- `recommendations`: sentences written from those tables by fixed rules, each naming its table.
- `summary`: the next-steps part of summary.json.

`in_pounds` (below) is how every next-steps table reaches readers: pence as pounds.

Inputs (registers, contract notices, the multipliers workbook, a supplier survey) are read on the
report side (`cwbtools.report.context`); nothing here reads a file or a config.
"""

from __future__ import annotations

import pandas as pd

_GBP_SUFFIX = "_pence"
_SHARES = ("share", "leakage_share_of_sector", "share_of_all_leakage", "share_of_total")


def in_pounds(df):
    """A next-steps table as readers see it: `x_pence` columns as `x_gbp` (pounds from the summed
    pence, to the penny), shares and location quotients to 4 decimals. Anything but a table (a
    missing input's note) comes back as it is."""
    if not isinstance(df, pd.DataFrame):
        return df
    out = df.copy()
    for col in list(out.columns):
        if col.endswith(_GBP_SUFFIX):
            pounds = pd.to_numeric(out[col], errors="coerce").astype("float64") / 100
            out[col] = pounds.round(2)
            out = out.rename(columns={col: col[: -len(_GBP_SUFFIX)] + "_gbp"})
        elif col.endswith("_share") or col.endswith("_lq") or col in _SHARES:
            out[col] = pd.to_numeric(out[col], errors="coerce").round(4)
    return out
