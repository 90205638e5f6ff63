"""Supplier resolution: distinct supplier names to located, classified suppliers (CONTRACTS §3).

`resolve.py` runs the layers; `keys.py` makes the supplier key, `matching.py` matches names to
registers, `classify.py` says what a supplier is, `crosswalk.py` holds people's decisions and
`coverage.py` says which layer found each pound.
"""

from .coverage import coverage, format_coverage
from .crosswalk import fold_review, read_crosswalk
from .keys import supplier_key
from .resolve import Resolution, default_registers, resolve_suppliers

__all__ = [
    "Resolution",
    "coverage",
    "default_registers",
    "fold_review",
    "format_coverage",
    "read_crosswalk",
    "resolve_suppliers",
    "supplier_key",
]
