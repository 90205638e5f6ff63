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

from ..analysis.baseline import BUSINESS_TYPE_NAMES
from ..formats import gbp, pct  # noqa: F401  (for notebooks and readers who format figures in prose)
from ..privacy import for_readers
from ..publish import write_csv

_SLUG_SAFE = re.compile(r"[^a-z0-9_-]+")
#: Rows shown on the page before a table is cut to its top rows (the CSV keeps them all).
ROWS_SHOWN = 20
#: A table only this much longer than ROWS_SHOWN is shown whole: hiding a handful of rows helps no one.
ROWS_SLACK = 5


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


def table(
    df: pd.DataFrame,
    name: str,
    title: str,
    based_on: str,
    report_dir: str | Path | None,
    index: bool = False,
    *,
    place: str | None = None,
    wider: str | None = None,
    limit: int | None = ROWS_SHOWN,
):
    """Write `df` to `<report_dir>/data/<name>.csv` (`save_csv`, exact values) and return an HTML
    block: the title, what the table is based on, the table for readers (`table_html`: pounds,
    percentages, labels, its first rows when long) and a link to its CSV."""
    from IPython.display import HTML

    df = for_readers(df)
    file_name = _write(df, name, report_dir, index) if report_dir is not None else None
    body, cut = table_html(df.reset_index() if index else df, place, wider, limit)
    link = ""
    if cut:
        what = f"Showing the first {limit} of {len(df):,} rows"
        all_rows = f'<a href="data/{file_name}">all {len(df):,} rows (CSV)</a>' if file_name else ""
        link = f'<p class="cwb-download">{what}{": " + all_rows if all_rows else "."}</p>'
    elif file_name:
        link = f'<p class="cwb-download"><a href="data/{file_name}">Download this table (CSV)</a></p>'
    return HTML(
        f'<div class="cwb-figure"><h4>{html.escape(title)}</h4>'
        f'<p class="cwb-based-on">{html.escape(based_on)}</p>{body}{link}</div>'
    )


def figure(chart, based_on: str, csv_file: str | None = None, images: dict[str, str] | None = None):
    """A chart (`charts.Chart`) as readers see it: the image with its alt text, then its caption,
    what it is based on and, when saved, links to its `images` ({"PNG": file, ...}) and data."""
    from IPython.display import HTML

    files = [*(images or {}).items(), *([("Data (CSV)", csv_file)] if csv_file else [])]
    links = " · ".join(f'<a href="data/{html.escape(f)}">{html.escape(label)}</a>' for label, f in files)
    link = f" {links}" if links else ""
    caption = f"<strong>{html.escape(chart.caption.rstrip('.'))}.</strong> {html.escape(based_on)}{link}"
    return HTML(
        f'<figure class="cwb-chart-figure">{chart._repr_html_()}'
        f'<figcaption class="cwb-based-on">{caption}</figcaption></figure>'
    )


# ---------------------------------------------------------------------------------------------
# Tables for people: what each column holds, read from its name (the analysis naming conventions:
# integer pence `*_pence`, pounds `*_gbp`, fractions `*_share`/`share_*`/`*_coverage` with their
# `_lo`/`_hi` bounds), and each cell written as a reader reads it. The CSV keeps the raw values.

NOT_MEASURED = "not measured"
NO_VALUE = "—"

_SHARE = re.compile(r"(^|_)(share|coverage|shares|rate)($|_)|^weight(_|$)|^place_lsoas_in_deciles$")
_POINTS = {"share_points", "difference", "composition_effect", "localisation_effect", "change_points"}
_IDS = {"rank", "number", "order", "header_row", "year", "imd_decile", "sic_division", "sic_code", "decile"}
_ID_END = ("_code", "_number", "_id", "_decile", "_row")
_RATIOS = {"lm3", "output_multiplier", "multiplier"}
# Bounds and intervals named without `share`: shares when the table is about shares.
_SHARE_IF_CONTEXT = re.compile(r"^(lo|hi|estimate|ci_lo|ci_hi|bounds_.+|without_top_\d+|ours.*|published|benchmark)$")
_MISSING_TEXT = {"", "nan", "none", "<na>", "nat", "null"}


def column_kind(name: str, series: pd.Series | None = None, about_shares: bool = False) -> str:
    """What a column holds, from its name (and dtype): `pence`, `gbp`, `share`, `points`,
    `p_value`, `ratio`, `hhi`, `id`, `bool`, `date`, `number` or `text`."""
    n = str(name).lower()
    if series is not None and pd.api.types.is_bool_dtype(series):
        return "bool"
    if series is not None and pd.api.types.is_datetime64_any_dtype(series):
        return "date"
    if n == "pence" or n.endswith("_pence") or n.startswith("pence_"):
        return "pence"
    if n == "gbp" or n.endswith("_gbp"):
        return "gbp"
    if n.endswith("p_value"):
        return "p_value"
    # A change in a share is in points: "-17.5%" would read as a relative fall.
    if n in _POINTS or n.endswith(("_points", "_pp", "share_change")):
        return "points"
    if _SHARE.search(n) or (about_shares and _SHARE_IF_CONTEXT.match(n)):
        return "share"
    if n in _IDS or n.endswith(_ID_END):
        return "id"
    if n == "hhi":
        return "hhi"
    if n in _RATIOS or n.endswith(("_lq", "_multiplier")):
        return "ratio"
    if series is not None and pd.api.types.is_numeric_dtype(series):
        return "number"
    return "text"


def _about_shares(df: pd.DataFrame) -> bool:
    """A table of shares: a share column, or a `measure` column naming shares only."""
    if any(column_kind(c) == "share" for c in df.columns):
        return True
    if "measure" in df.columns:
        measures = df["measure"].dropna().astype(str)
        return len(measures) > 0 and measures.str.endswith("_share").all()
    return False


def is_missing(value) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return value.strip().lower() in _MISSING_TEXT - {""}
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def number(x) -> str:
    """A number in plain notation, never scientific: whole numbers with thousands separators,
    others to three significant figures (at least two decimals above 1)."""
    import numpy as np

    x = float(x)
    if x == int(x) and abs(x) < 1e15:
        return f"{int(x):,}"
    if abs(x) >= 100:
        return f"{x:,.0f}"
    if abs(x) >= 1:
        return f"{x:,.2f}"
    return np.format_float_positional(x, precision=3, unique=True, fractional=False, trim="-")


def money(pence) -> str:
    """Pence -> `£12,076,054` (whole pounds, thousands separators): a table cell. Prose uses `gbp`."""
    pounds = round(float(pence) / 100)
    return f"-£{-pounds:,}" if pounds < 0 else f"£{pounds:,}"


def percent(share) -> str:
    """A fraction -> `25.3%`; small shares keep two decimals, and a share too small to show is
    `<0.01%`, never a misleading `0.0%`."""
    x = float(share) * 100
    if x == 0:
        return "0%"
    if abs(x) < 0.01:
        return "<0.01%" if x > 0 else ">-0.01%"
    return f"{x:.2f}%" if abs(x) < 1 else f"{x:.1f}%"


def points(share_change) -> str:
    """A change in a share (a fraction) -> `+0.56 pp` (percentage points, signed)."""
    x = float(share_change) * 100
    if x == 0:
        return "0 pp"
    if abs(x) < 0.01:
        return "<+0.01 pp" if x > 0 else ">-0.01 pp"
    return f"{x:+.2f} pp" if abs(x) < 1 else f"{x:+.1f} pp"


def p_value(p) -> str:
    """A p-value in plain words, with the figure."""
    p = float(p)
    figure = "under 0.001" if p < 0.001 else f"{p:.3f}"
    if p < 0.01:
        return f"{figure}: very unlikely to be chance"
    if p < 0.05:
        return f"{figure}: unlikely to be chance"
    return f"{figure}: could well be chance"


def _identifier(x) -> str:
    if isinstance(x, float) and x == int(x):
        return str(int(x))
    return str(x)


def _cell(value, kind: str) -> str:
    import numpy as np

    if is_missing(value):
        return NOT_MEASURED if kind in ("share", "points", "p_value") else NO_VALUE
    if isinstance(value, bool | np.bool_) or kind == "bool":
        return "yes" if bool(value) else "no"
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d") if value == value.normalize() else value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, str):
        return value
    if kind == "id":
        return _identifier(value)
    try:
        float(value)
    except (TypeError, ValueError):
        return str(value)
    if kind == "pence":
        return money(value)
    if kind == "gbp":
        return money(float(value) * 100)
    if kind == "share":
        return percent(value)
    if kind == "points":
        return points(value)
    if kind == "p_value":
        return p_value(value)
    if kind == "ratio":
        return f"{float(value):,.2f}"
    if kind == "hhi":
        return f"{float(value):,.0f}"
    return number(value)


def readable(df: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """`df` as a reader sees it: every cell text (money in pounds, shares as percentages, no
    scientific notation, a missing value said so), and each column's kind."""
    about_shares = _about_shares(df)
    kinds = [column_kind(c, df[c], about_shares) for c in df.columns]
    out = pd.DataFrame(
        {i: [_cell(v, kind) for v in df.iloc[:, i].tolist()] for i, kind in enumerate(kinds)}, index=df.index
    )
    out.columns = df.columns
    return out, kinds


# Human column labels: one home. `{place}` and `{wider}` are the report's place and wider area.
_AREAS = {
    "place": "in {place}",
    "wider": "in {wider}",
    "outside": "outside {wider}",
    "unlocated": "not located",
    "located": "located",
    "sme": "with SMEs",
    "vcse": "with VCSEs",
    "deprived": "in deprived areas",
    "leakage": "leaving {wider}",
    "influenceable": "influenceable",
    "influenceable_leakage": "influenceable, leaving {wider}",
    "local": "local",
    "local_supplier": "with local suppliers",
}
LABELS = {
    "anchor": "Anchor",
    "anchors": "Anchors",
    "year": "Year",
    "financial_year": "Year",
    "period": "Period",
    "payments": "Payments",
    "suppliers": "Suppliers",
    "supplier_name": "Supplier",
    "supplier": "Supplier",
    "supplier_type": "Supplier type",
    "business_type": "Business type",
    "lad_code": "District code",
    "lad_name": "District",
    "ward_code": "Ward code",
    "ward_name": "Ward",
    "ward": "Ward",
    "local_authority": "Local authority",
    "geo": "Where",
    "sector": "Sector",
    "sector_name": "Sector name",
    "sic_code": "SIC code",
    "sic_division": "SIC division",
    "sic_division_name": "Industry",
    "imd_decile": "Deprivation decile (IMD 2019)",
    "total_pence": "Total spend",
    "total_gbp": "Total spend",
    "spend_pence": "Spend",
    "spend_gbp": "Spend",
    "amount_pence": "Spend",
    "share": "Share",
    "share_lo": "Share, low bound",
    "share_hi": "Share, high bound",
    "lo": "Low bound",
    "hi": "High bound",
    "ci_lo": "Interval, low",
    "ci_hi": "Interval, high",
    "share_of_total": "Share of all spend",
    "share_of_spend": "Share of spend",
    "share_of_suppliers": "Share of suppliers",
    "share_of_place": "Share of spend in {place}",
    "share_of_located": "Share of located spend",
    "share_of_all_leakage": "Share of all spend leaving {wider}",
    "leakage_share_of_sector": "Share of the sector's located spend leaving {wider}",
    "cumulative_share": "Cumulative share",
    "top10_share": "Share of the 10 largest suppliers",
    "hhi": "Concentration (HHI, 0-10,000)",
    "lm3": "LM3",
    "coverage": "Located share behind it",
    "located_share": "Share located to a postcode",
    "meaningful": "Meaningful",
    "note": "Note",
    "measure": "Measure",
    "value": "Value",
    "estimate": "Estimate",
    "std_error": "Standard error",
    "p_value": "p-value",
    "rows_read": "Rows read",
    "rows_kept": "Rows kept",
    "rows_set_aside": "Rows set aside",
    "pence_read": "Amount read",
    "pence_kept": "Amount kept",
    "pence_set_aside": "Amount set aside",
    "source_file": "File",
    "header_row": "Header row",
    "read_from": "Found by",
    "respend_rate": "Re-spend rate",
    "with_decile_pence": "Spend with a known decile",
    "round1": "Round 1",
    "round2": "Round 2",
    "round3": "Round 3",
    "place_lsoas_in_deciles": "Share of {place}'s neighbourhoods in these deciles",
    "place_lsoa_share": "Share of {place}'s neighbourhoods",
    "pence_at_later_total": "Spend at the later total",
    "output_multiplier": "Output multiplier",
    "benchmark": "Benchmark",
    "difference": "Difference",
    "verdict": "Verdict",
    "share_points": "Change",
    "from": "From",
    "to": "To",
    "count": "Count",
    "months": "Months",
    "first_payment": "First payment",
    "last_payment": "Last payment",
    "rank": "Rank",
    "name": "Name",
    "postcode": "Postcode",
    "company_number": "Company number",
    "charity_number": "Charity number",
    "already_supplies": "Already a supplier",
    "place_lq": "Location quotient, {place}",
    "wider_lq": "Location quotient, {wider}",
    "weight": "Weight",
}
_WORDS = {
    "lad": "district",
    "sic": "SIC",
    "imd": "IMD",
    "lq": "location quotient",
    "sme": "SME",
    "vcse": "VCSE",
    "hhi": "HHI",
    "lm3": "LM3",
    "ci": "interval",
    "lo": "low",
    "hi": "high",
    "gbp": "",
    "pence": "",
    "pct": "%",
    "orgs": "organisations",
    "ioat": "IOAT",
}
_BOUND = {"_lo": ", low bound", "_hi": ", high bound", "_ci_lo": ", interval low", "_ci_hi": ", interval high"}


def _label_text(n: str) -> str | None:
    if n in LABELS:
        return LABELS[n]
    for end, words in _BOUND.items():
        if n.endswith(end) and (base := _label_text(n[: -len(end)])):
            return base + words
    # The unit is the cell's business (money() writes the £), not the label's: round2_lo_pence.
    for unit in ("_pence", "_gbp"):
        if n.endswith(unit) and n[: -len(unit)] not in _AREAS and (base := _label_text(n[: -len(unit)])):
            return base
    for end, template in (("_pence", "Spend {}"), ("_gbp", "Spend {}"), ("_share", "Share {}")):
        if n.endswith(end) and n[: -len(end)] in _AREAS:
            return template.format(_AREAS[n[: -len(end)]])
    if n.endswith("_share_bounds") and n[: -len("_share_bounds")] in _AREAS:
        return f"Share {_AREAS[n[: -len('_share_bounds')]]}, bounds"
    if n.endswith("_coverage") and n[: -len("_coverage")] in _AREAS:
        return f"Located share behind the share {_AREAS[n[: -len('_coverage')]]}"
    if n.startswith("reason_"):
        return "Set aside: " + n[len("reason_") :].replace("_", " ")
    return None


def column_label(name, place: str | None = None, wider: str | None = None) -> str:
    """A column's heading for readers: from `LABELS`, composed for area measures (`place_share`
    -> `Share in Bolton`), else the name in words."""
    n = str(name)
    text = _label_text(n.lower())
    if text is None:
        words = [_WORDS.get(w, w) for w in n.split("_")]
        text = " ".join(w for w in words if w) or n
        text = text[:1].upper() + text[1:]
    return text.format(place=place or "the place", wider=wider or "the wider area")


def _html_table(shown: pd.DataFrame, kinds: list[str], labels: list[str]) -> str:
    """A plain table: text escaped, numbers right-aligned, identifiers marked (`class="id"`)."""
    classes = ["num" if k not in ("text", "id", "bool", "date") else ("id" if k == "id" else "") for k in kinds]

    def attr(c: str) -> str:
        return f' class="{c}"' if c else ""

    head = "".join(f"<th{attr(c)}>{html.escape(label)}</th>" for c, label in zip(classes, labels, strict=True))
    rows = "".join(
        "<tr>" + "".join(f"<td{attr(c)}>{html.escape(v)}</td>" for c, v in zip(classes, row, strict=True)) + "</tr>"
        for row in shown.itertuples(index=False, name=None)
    )
    return (
        f'<div class="cwb-scroll"><table class="cwb-table"><thead><tr>{head}</tr></thead>'
        f"<tbody>{rows}</tbody></table></div>"
    )


def _in_words(shown: pd.DataFrame, place: str | None) -> pd.DataFrame:
    """Category keys said in words (the CSV keeps the keys); a key column that then repeats another
    column (the business type beside its name) is shown once."""
    # Short: the column repeats down long tables whose title names the areas.
    where = {"place": place or "the place", "wider": "wider area", "outside": "outside", "unlocated": "not located"}
    out = shown.copy()
    for col, words in {"supplier_type": BUSINESS_TYPE_NAMES, "geo": where}.items():
        if col not in out.columns:
            continue
        out[col] = out[col].map(lambda v, w=words: w.get(v, v))
        if any(out[col].equals(out[other]) for other in out.columns if other != col):
            out = out.drop(columns=col)
    return out


def table_html(df: pd.DataFrame, place: str | None = None, wider: str | None = None, limit: int | None = ROWS_SHOWN):
    """`df` as readers see it: (the HTML table of its first `limit` rows, formatted; whether rows
    were left out). A table is cut only when more than `ROWS_SLACK` rows would be hidden."""
    cut = limit is not None and len(df) > limit + ROWS_SLACK
    shown, kinds = readable(df.head(limit) if cut else df)
    worded = _in_words(shown, place)
    kinds = [k for c, k in zip(shown.columns, kinds, strict=True) if c in worded.columns]
    shown, df = worded, df[list(worded.columns)]
    labels = [column_label(c, place, wider) for c in df.columns]
    # Two columns that read the same (a change in points and in pounds) say their unit.
    units = {"pence": " (£)", "gbp": " (£)", "points": " (points)", "share": " (%)"}
    labels = [
        label + units.get(kind, "") if labels.count(label) > 1 else label
        for label, kind in zip(labels, kinds, strict=True)
    ]
    return _html_table(shown, kinds, labels), cut
