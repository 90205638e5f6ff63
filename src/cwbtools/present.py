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
from .privacy import for_readers
from .publish import write_csv

_SLUG_SAFE = re.compile(r"[^a-z0-9_-]+")


def _file_stem(name: str) -> str:
    stem = _SLUG_SAFE.sub("-", name.lower()).strip("-")
    if not stem:
        raise ValueError(f"table name {name!r} gives an empty file name")
    return stem


def table(df: pd.DataFrame, name: str, title: str, based_on: str, report_dir: str | Path | None,
          index: bool = False):
    """Write `df` to `<report_dir>/data/<name>.csv` and return an HTML block that shows the title,
    what the table is based on, the table (text escaped) and a link to its CSV. A payee is named
    only with evidence of an organisation and free text never shows (`cwbtools.privacy.for_readers`:
    this is where tables leave for readers); no CSV cell can run as a formula (`publish.write_csv`)."""
    from IPython.display import HTML

    df = for_readers(df)

    link = ""
    if report_dir is not None:
        data_dir = Path(report_dir) / "data"
        data_dir.mkdir(parents=True, exist_ok=True)
        file_name = f"{_file_stem(name)}.csv"
        write_csv(df, data_dir / file_name, index=index)
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
