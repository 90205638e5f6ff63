"""Payments to individuals are never named: the one rule that hides them.

The pipeline applies `hide_individuals` to every table it writes. Where tables leave for readers
(`present.table`, chart data) `for_readers` goes further: a payee is named only with positive
evidence of an organisation (`name_shown`, `cwbtools.organisations`), free text never leaves, and
the ledger's category and service area are shown only beside a named payee. A table built some
other way still cannot name a person. Imports only `schema` and `organisations` (and through it
`individuals`), so any stage can use it.
"""

from __future__ import annotations

import pandas as pd

from .schema import INDIVIDUAL_LABEL, INDIVIDUALS_LABEL, NAME_SHOWN

# Columns that can hold a payee's name...
NAME_COLUMNS = ("supplier_name", "registered_name", "supplier", "beneficiary_name", "payee", "awarded_supplier")
# ...and columns that could lead back to one.
IDENTIFYING_COLUMNS = (
    "company_number",
    "charity_number",
    "other_id",
    "postcode",
    "description",
    "transaction_ref",
    "supplier_id",
    "vat_number",
)


def individual_rows(frame: pd.DataFrame) -> pd.Series:
    """True for a row of a private individual or a redacted payee: `individual` or `redacted` true,
    or `supplier_type` "individual"."""
    flags = pd.Series(False, index=frame.index)
    for col in ("individual", "redacted"):
        if col in frame.columns:
            flags |= frame[col].astype("boolean").fillna(False).astype(bool)
    if "supplier_type" in frame.columns:
        flags |= frame["supplier_type"].astype("string").eq("individual").fillna(False).astype(bool)
    return flags


def hide_individuals(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of `frame` whose individuals' rows keep their figures but have every name column set
    to "(individual)" and every identifying column emptied. Text columns keep their dtype (a
    column that cannot hold the label becomes object)."""
    flags = individual_rows(frame)
    out = frame.copy()
    if not flags.any():
        return out
    for col in NAME_COLUMNS:
        if col in out.columns:
            values = out[col] if isinstance(out[col].dtype, pd.StringDtype) else out[col].astype("object")
            out[col] = values.where(~flags, INDIVIDUAL_LABEL)
    for col in IDENTIFYING_COLUMNS:
        if col in out.columns:
            out.loc[flags, col] = pd.NA
    return out


# Free text a ledger writes about a payment: it can name anyone, so no reader sees it.
FREE_TEXT_COLUMNS = ("description", "transaction_ref", "reference", "raw")
# What was bought and for which service: shown only beside a payee shown by name.
CONTEXT_COLUMNS = ("expense_category", "service_area")
_LABELS = frozenset({INDIVIDUAL_LABEL, INDIVIDUALS_LABEL})


def unnamed_rows(frame: pd.DataFrame) -> pd.Series:
    """True for a row whose payee readers may not see by name: an individual (`individual_rows`),
    or any payee without positive evidence of an organisation: `name_shown` false, or, in a table
    that does not carry `name_shown`, a name whose words give none (`organisations.name_evidence`).
    A row whose name is already a label, or empty, names nobody either way."""
    from .organisations import name_evidence

    hidden = individual_rows(frame)
    if NAME_SHOWN in frame.columns:
        return hidden | ~frame[NAME_SHOWN].astype("boolean").fillna(False).astype(bool)
    for col in NAME_COLUMNS:
        if col in frame.columns:
            names = frame[col].astype("string").str.strip()
            nobody = names.isna() | names.eq("") | names.isin(_LABELS)
            hidden |= ~(nobody.fillna(True).astype(bool) | name_evidence(names))
    return hidden


def for_readers(frame: pd.DataFrame) -> pd.DataFrame:
    """The display rule, where a table leaves for readers (report HTML and CSV): on every row whose
    payee is not shown (`unnamed_rows`) the names become the readers' one label, INDIVIDUALS_LABEL
    (the aggregated line's own label stays), identifiers are emptied and the category and service area blanked; free-text columns
    and `name_shown` itself are dropped. Figures are untouched."""
    hidden = unnamed_rows(frame)
    out = frame.drop(columns=[c for c in (*FREE_TEXT_COLUMNS, NAME_SHOWN) if c in frame.columns])
    if not hidden.any():
        return out
    for col in NAME_COLUMNS:
        if col in out.columns:
            values = out[col] if isinstance(out[col].dtype, pd.StringDtype) else out[col].astype("object")
            keep = ~hidden | values.eq(INDIVIDUALS_LABEL).fillna(False).astype(bool)
            out[col] = values.where(keep, INDIVIDUALS_LABEL)
    for col in (*IDENTIFYING_COLUMNS, *CONTEXT_COLUMNS):
        if col in out.columns:
            out.loc[hidden, col] = pd.NA
    return out
