"""What a table or chart looks like to readers, and the one safe way its data leaves as CSV.

Every table and every chart's data is written to `<report_dir>/data/<name>.csv` through `save_csv`:
a payee is named only with evidence of an organisation and free text never shows
(`cwbtools.privacy.for_readers`: this is where tables leave for readers), and no CSV cell can run as
a formula (`publish.write_csv`). Notebooks reach these through `cwbtools.report.context`.

Owned by the report stage; analysis code never imports it (analysis returns DataFrames).
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import pandas as pd

from ..formats import gbp, pct  # noqa: F401  (for notebooks and readers who format figures in prose)
from ..privacy import for_readers
from ..publish import write_csv

_SLUG_SAFE = re.compile(r"[^a-z0-9_-]+")


def file_stem(name: str) -> str:
    """The CSV file stem for a table name: lower case, anything but letters, digits, `-` and `_`
    made `-` (a name can never reach outside `data/`)."""
    stem = _SLUG_SAFE.sub("-", name.lower()).strip("-")
    if not stem:
        raise ValueError(f"table name {name!r} gives an empty file name")
    return stem


def _write(readers: pd.DataFrame, name: str, report_dir: str | Path, index: bool = False) -> str:
    data_dir = Path(report_dir) / "data"
    data_dir.mkdir(parents=True, exist_ok=True)
    file_name = f"{file_stem(name)}.csv"
    write_csv(readers, data_dir / file_name, index=index)
    return file_name


def save_csv(df: pd.DataFrame, name: str, report_dir: str | Path, index: bool = False) -> str:
    """Write `df` as readers may see it to `<report_dir>/data/<name>.csv`; return the file name."""
    return _write(for_readers(df), name, report_dir, index)


def table(df: pd.DataFrame, name: str, title: str, based_on: str, report_dir: str | Path | None, index: bool = False):
    """Write `df` to `<report_dir>/data/<name>.csv` (`save_csv`) and return an HTML block that shows
    the title, what the table is based on, the table (text escaped) and a link to its CSV."""
    from IPython.display import HTML

    df = for_readers(df)
    link = ""
    if report_dir is not None:
        file_name = _write(df, name, report_dir, index)
        link = f'<p class="cwb-download"><a href="data/{file_name}">Download this table (CSV)</a></p>'
    body = df.to_html(index=index, escape=True, border=0, classes="cwb-table", na_rep="")
    return HTML(
        f'<div class="cwb-figure"><h4>{html.escape(title)}</h4>'
        f'<p class="cwb-based-on">{html.escape(based_on)}</p>{body}{link}</div>'
    )


def figure(chart, based_on: str, csv_file: str | None = None):
    """A chart (`charts.Chart`) as readers see it: the image with its alt text, then its caption,
    what it is based on and, when its data were saved, a link to them."""
    from IPython.display import HTML

    link = f' <a href="data/{html.escape(csv_file)}">Data (CSV)</a>' if csv_file else ""
    caption = f"<strong>{html.escape(chart.caption)}.</strong> {html.escape(based_on)}{link}"
    return HTML(
        f'<figure class="cwb-chart-figure">{chart._repr_html_()}'
        f'<figcaption class="cwb-based-on">{caption}</figcaption></figure>'
    )
