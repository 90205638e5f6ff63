"""Out-of-core baseline aggregates: DuckDB over parquet, small pandas frames out.

For spend too big for pandas (a combined authority, every English council: tens of millions of
payments), the baseline tables of `analysis/baseline.py` are computed by DuckDB directly over
parquet, so a notebook only ever holds aggregates:

- `source.py`: `open_spend` (spend parquet) and `open_transactions` (ingest's transactions joined to
  the suppliers table), each a `SpendSource` holding the `spend` view and the `cube` of spend per
  anchor, year and supplier;
- `tables.py`: `measures`, `headline`, `by_anchor_year`, `spend_by_sector`, `spend_by_business_type`,
  `spend_by_lad`, `spend_by_decile`, `top_suppliers`, `supplier_counts`, and `baseline` (all of them),
  each equal to its namesake in `baseline.py` on the same base (the procurement base when the source
  is opened with the config's `defs`), and `excluded_pence` (`base.excluded_pence`): see
  tests/analysis/test_aggregate.py.

Everything is importable from here: `from cwbtools.analysis import aggregate; aggregate.headline(...)`.
"""

from .source import RULE_COLUMNS, SpendSource, connect, open_spend, open_transactions
from .tables import (
    baseline,
    by_anchor_year,
    excluded_pence,
    headline,
    measures,
    spend_by_business_type,
    spend_by_decile,
    spend_by_lad,
    spend_by_sector,
    supplier_counts,
    top_suppliers,
)

__all__ = [
    "RULE_COLUMNS",
    "SpendSource",
    "baseline",
    "by_anchor_year",
    "connect",
    "excluded_pence",
    "headline",
    "measures",
    "open_spend",
    "open_transactions",
    "spend_by_business_type",
    "spend_by_decile",
    "spend_by_lad",
    "spend_by_sector",
    "supplier_counts",
    "top_suppliers",
]
