"""Who a payee is, as a key: the supplier key every payment, supplier and table joins on, from the
normalised name and identifiers (`cwbtools.identifiers`). Payments to people share one key.
"""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd

from ..errors import CwbError
from ..identifiers import company_numbers_arrow
from ..identifiers import supplier_name as normalise_name
from ..schema import INDIVIDUAL_KEY


def _column(df: pd.DataFrame, name: str) -> pd.Series:
    if name in df.columns:
        return df[name]
    return pd.Series(pd.NA, index=df.index, dtype="string")


def _flag(df: pd.DataFrame, name: str) -> pd.Series:
    if name not in df.columns:
        return pd.Series(False, index=df.index)
    return df[name].astype("boolean").fillna(False).astype(bool)


def _clean_ids(series: pd.Series) -> pd.Series:
    s = series.astype("string").str.strip().str.upper()
    return s.mask(s == "")


def _company_numbers(series: pd.Series) -> pd.Series:
    """Company numbers in the one spelling (`cwbtools.identifiers`), worked out once per distinct value."""
    codes, uniq = pd.factorize(series.astype("string"), use_na_sentinel=True)
    canon = company_numbers_arrow(uniq.to_numpy(dtype=object)).to_pylist() + [None]
    return pd.Series(np.asarray(canon, dtype=object)[codes], index=series.index, dtype="string")


def _ids(df: pd.DataFrame, name: str) -> pd.Series:
    ids = _column(df, name)
    return _company_numbers(ids) if name == "company_number" else _clean_ids(ids)


def _names_norm(names: pd.Series) -> pd.Series:
    uniq = {v: normalise_name(v) for v in names.dropna().unique()}
    return names.map(uniq).fillna("").astype(str)


def supplier_key(transactions: pd.DataFrame) -> pd.Series:
    """The join key from transaction columns: normalised name plus company / charity / other id.

    Deterministic (a 16-hex-digit BLAKE2 digest). Every payment to an individual or a redacted
    payee shares one key, so no key can be traced back to a person's name.
    """
    df = transactions
    norm = _names_norm(_column(df, "supplier_name").astype("string"))
    parts = norm
    for col in ("company_number", "charity_number", "other_id"):
        parts = parts + "|" + _ids(df, col).fillna("")
    individual = _flag(df, "individual") | _flag(df, "redacted")
    uniq = {p: hashlib.blake2b(p.encode(), digest_size=8).hexdigest() for p in parts.unique()}
    key = parts.map(uniq)
    key = key.mask(individual.to_numpy(), INDIVIDUAL_KEY)
    return key.astype("string").rename("supplier_key")


def _prepare(transactions: pd.DataFrame) -> pd.DataFrame:
    tx = transactions.copy()
    if "amount_pence" not in tx.columns or "supplier_name" not in tx.columns:
        raise CwbError("transactions need `supplier_name` and `amount_pence` (CONTRACTS §1)")
    for col in (
        "company_number",
        "charity_number",
        "other_id",
        "postcode",
        "supplier_id",
        "expense_category",
        "anchor",
        "financial_year",
    ):
        tx[col] = _column(tx, col).astype("string")
    for col in ("company_number", "charity_number", "other_id"):
        tx[col] = _ids(tx, col)
    tx["individual"] = _flag(tx, "individual") | _flag(tx, "redacted")
    tx["amount_pence"] = tx["amount_pence"].astype("int64")
    tx["supplier_name"] = tx["supplier_name"].astype("string").fillna("")
    tx["supplier_key"] = supplier_key(tx)
    return tx
