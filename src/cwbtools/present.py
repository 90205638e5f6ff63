"""Presenting figures in notebooks: every table is saved as CSV beside the report and every chart
says what it is based on. Notebooks call these and nothing else to show results.

Owned by the report stage; analysis code never imports it (analysis returns DataFrames).
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import pandas as pd

from .formats import gbp, pct  # noqa: F401  (for notebooks and readers who format figures in prose)

_SLUG_SAFE = re.compile(r"[^a-z0-9_-]+")


def _file_stem(name: str) -> str:
    stem = _SLUG_SAFE.sub("-", name.lower()).strip("-")
    if not stem:
        raise ValueError(f"table name {name!r} gives an empty file name")
    return stem


INDIVIDUAL = "(individual)"
_NAME_COLUMNS = ("supplier_name", "registered_name", "supplier", "beneficiary_name", "payee")


def hide_individuals(df: pd.DataFrame) -> pd.DataFrame:
    """The last guard before a table leaves the package: any row flagged as a payment to an
    individual (`individual` true, or `supplier_type` "individual") has its name columns replaced
    by "(individual)". Upstream stages do this already; a table built some other way must not
    name a person either."""
    flags = pd.Series(False, index=df.index)
    if "individual" in df.columns:
        flags |= df["individual"].astype("boolean").fillna(False).astype(bool)
    if "supplier_type" in df.columns:
        flags |= df["supplier_type"].astype("string").eq("individual").fillna(False).astype(bool)
    names = [c for c in _NAME_COLUMNS if c in df.columns]
    if not names or not flags.any():
        return df
    out = df.copy()
    for column in names:
        out[column] = out[column].astype("object").where(~flags, INDIVIDUAL)
    return out


def table(df: pd.DataFrame, name: str, title: str, based_on: str, report_dir: str | Path | None,
          index: bool = False):
    """Write `df` to `<report_dir>/data/<name>.csv` and return an HTML block that shows the title,
    what the table is based on, the table (text escaped) and a link to its CSV. Individuals are
    never named (see `hide_individuals`)."""
    from IPython.display import HTML

    df = hide_individuals(df)

    link = ""
    if report_dir is not None:
        data_dir = Path(report_dir) / "data"
        data_dir.mkdir(parents=True, exist_ok=True)
        file_name = f"{_file_stem(name)}.csv"
        df.to_csv(data_dir / file_name, index=index, lineterminator="\n")
        link = f'<p class="cwb-download"><a href="data/{file_name}">Download this table (CSV)</a></p>'
    body = df.to_html(index=index, escape=True, border=0, classes="cwb-table", na_rep="")
    return HTML(
        f'<div class="cwb-figure"><h4>{html.escape(title)}</h4>'
        f'<p class="cwb-based-on">{html.escape(based_on)}</p>{body}{link}</div>'
    )


def chart_caption(title: str, based_on: str, csv_name: str | None = None):
    """The caption under a chart: what it is based on and, when its data were saved, a link."""
    from IPython.display import HTML

    link = f' <a href="data/{_file_stem(csv_name)}.csv">Data (CSV)</a>' if csv_name else ""
    return HTML(f'<p class="cwb-based-on"><strong>{html.escape(title)}.</strong> {html.escape(based_on)}{link}</p>')
