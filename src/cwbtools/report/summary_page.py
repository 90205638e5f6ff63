"""A report page's opening screen, drawn from an `analysis.findings.Brief`: the spend, where it went
as one stacked bar with the place and wider bounds beneath it and in words, the located share and
what would raise it, the caveats, and the findings and next steps linked to their sections.

Plain HTML and an inline SVG (no scripts, nothing fetched), so it passes `html.clean_html` whole.
"""

from __future__ import annotations

import base64
import html
import re
from pathlib import Path

import pandas as pd

from ..analysis.findings import Brief, Link
from ..formats import gbp, pct

#: Okabe-Ito, as the charts: the place, the rest of the wider area, elsewhere, not known.
COLOURS = ("#0072B2", "#56B4E9", "#E69F00", "#BBBBBB")
#: The bar takes the left of the picture; the bounds are labelled in the right column.
WIDTH, BAR_W, BAR_Y, BAR_H = 900, 560, 2, 52


def address_sheet(config) -> pd.DataFrame | None:
    """The city's address-check sheet (`report.address_check`), or None when it was not written.
    Read for counts and pounds only: it names suppliers and never reaches a page."""
    from ..city.spend import city_dir
    from .address_check import FILE

    path = Path(city_dir(config)) / FILE
    return pd.read_csv(path, dtype={"resolved_by": str}) if path.is_file() else None


def anchor(section: str) -> str:
    """The id nbconvert gives a Markdown heading: its text with spaces as hyphens."""
    return section.strip().replace(" ", "-")


def _href(link: Link) -> str:
    return f"{link.page}#{anchor(link.section)}"


def _text(text: str) -> str:
    """Escaped, with `code` spans kept as code."""
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", html.escape(text))


ROW = 15  # one line of the right column


def _row_y(i: int) -> int:
    return BAR_Y + 11 + ROW * i


def _range(i: int, lo: float, hi: float, label: str) -> str:
    """Row `i`: the bounds as a line on the bar's scale, labelled in the right column."""
    x0, x1, y = BAR_W * lo, BAR_W * hi, _row_y(i) - 4
    return (
        f'<line x1="{x0:.1f}" y1="{y}" x2="{x1:.1f}" y2="{y}" stroke="#333" stroke-width="2"/>'
        f'<line x1="{x0:.1f}" y1="{y - 4}" x2="{x0:.1f}" y2="{y + 4}" stroke="#333" stroke-width="2"/>'
        f'<line x1="{x1:.1f}" y1="{y - 4}" x2="{x1:.1f}" y2="{y + 4}" stroke="#333" stroke-width="2"/>'
        f'<text x="{BAR_W + 12}" y="{_row_y(i)}" font-size="13">{html.escape(label)}</text>'
    )


def bar_svg(brief: Brief, place: str, wider: str) -> str:
    """The base as one stacked bar (place, rest of wider area, elsewhere, not known) with its key in
    the right column, and the place and wider shares' bounds as lines beneath it on the same scale."""
    parts, x = [], 0.0
    for i, (row, colour) in enumerate(zip(brief.where.itertuples(), COLOURS, strict=True)):
        share = 0.0 if pd.isna(row.share) else max(float(row.share), 0.0)
        w = BAR_W * share
        parts.append(f'<rect x="{x:.1f}" y="{BAR_Y}" width="{w:.1f}" height="{BAR_H}" fill="{colour}"/>')
        parts.append(
            f'<rect x="{BAR_W + 12}" y="{_row_y(i) - 10}" width="11" height="11" fill="{colour}"/>'
            f'<text x="{BAR_W + 28}" y="{_row_y(i)}" font-size="13">'
            f"{html.escape(f'{row.label[:32]}: {pct(share)}')}</text>"
        )
        x += w
    if not any(pd.isna(v) for v in (*brief.place_bounds, *brief.wider_bounds)):
        for i, (name, (lo, hi)) in enumerate(((place, brief.place_bounds), (wider, brief.wider_bounds)), start=4):
            parts.append(_range(i, lo, hi, f"{name[:22]}, bounds: {pct(lo)} to {pct(hi)}"))
    height = _row_y(5) + 6
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
        f'viewBox="0 0 {WIDTH} {height}" font-family="sans-serif">{"".join(parts)}</svg>'
    )


def alt_text(brief: Brief) -> str:
    shares = "; ".join(f"{r.label} {pct(r.share)}" for r in brief.where.itertuples())
    return f"Stacked bar of {brief.base_name}, {brief.year}: {shares}. Lines beneath: the bounds. {brief.where_text}"


def _links(links: list[Link]) -> str:
    return "".join(f'<li><a href="{_href(k)}" title="{html.escape(k.section)}">{_text(k.text)}</a></li>' for k in links)


def opening_html(brief: Brief, place: str, wider: str) -> str:
    """The opening screen as an HTML fragment (`opening` shows it in a notebook)."""
    svg = base64.b64encode(bar_svg(brief, place, wider).encode()).decode()
    caveats = "".join(f"<li>{_text(c)}</li>" for c in brief.caveats)
    return (
        '<div class="cwb-summary" id="summary"><h2 id="Summary">Summary</h2>'
        f'<p class="cwb-summary-spend"><strong>{html.escape(brief.year)}</strong>: all kept spend '
        f"<strong>{html.escape(gbp(brief.all_spend_gbp * 100))}</strong>; {html.escape(brief.base_name)} (the base of "
        f"every share) <strong>{html.escape(gbp(brief.base_gbp * 100))}</strong>.</p>"
        f'<img src="data:image/svg+xml;base64,{svg}" alt="{html.escape(alt_text(brief))}" '
        'width="900" class="cwb-summary-bar">'
        f"<p>{_text(brief.where_text)}</p>"
        f"<p><strong>Located: {html.escape(pct(brief.located_share))}</strong> of the spend could be placed. "
        f"{_text(brief.lever)}</p>"
        + (f'<p class="cwb-summary-head">Read with care:</p><ul>{caveats}</ul>' if caveats else "")
        + '<div class="cwb-summary-cols">'
        f"<div><h3>Findings</h3><ol>{_links(brief.findings)}</ol></div>"
        f"<div><h3>Next steps</h3><ol>{_links(brief.next_steps)}</ol></div></div></div>"
    )


def opening(brief: Brief, place: str, wider: str):
    """`opening_html` for a notebook to show."""
    from IPython.display import HTML

    return HTML(opening_html(brief, place, wider))
