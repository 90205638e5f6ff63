"""Tables for people (`cwbtools.report.present`): money in pounds, shares as percentages, human
labels, no scientific notation, no `nan`/`None`/`<NA>`, long tables cut with a link to every row;
the CSV keeps the exact values. And a real built report read cell by cell."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import numpy as np
import pandas as pd
import pytest
from conftest import require_built

from cwbtools.paths import repo_root, reports_dir
from cwbtools.report import present
from cwbtools.report.html import once_per_page


def test_money_is_whole_pounds_with_separators():
    assert present.money(1_207_605_400) == "£12,076,054"
    assert present.money(-2_555_320) == "-£25,553"
    assert present.money(0) == "£0"


def test_shares_and_points_never_hide_a_small_figure():
    assert present.percent(0.253) == "25.3%"
    assert present.percent(0.006171196) == "0.62%"
    assert present.percent(0.00004) == "<0.01%" and present.percent(0) == "0%"
    assert present.points(0.005644) == "+0.56 pp" and present.points(-0.0001705) == "-0.02 pp"
    assert present.points(-0.0000001) == ">-0.01 pp", "not the misleading -0.0"


def test_numbers_are_never_in_scientific_notation():
    for x in (6.171196e-03, 1.66e-93, 1e-9, 123456789.5, 2.5e15):
        assert "e" not in present.number(x).lower(), x
    assert present.number(12345) == "12,345" and present.number(1.016155) == "1.02"
    assert present.p_value(1.66e-93) == "under 0.001: very unlikely to be chance"
    assert present.p_value(0.3).endswith("could well be chance")


def test_columns_are_read_by_their_names():
    kind = present.column_kind
    assert kind("spend_pence") == kind("pence_read") == "pence" and kind("leakage_gbp") == "gbp"
    assert kind("place_share_lo") == kind("share_of_total") == kind("wider_coverage") == "share"
    assert kind("share_points") == kind("composition_effect") == kind("share_change") == "points"
    assert kind("place_share_change") == "points"
    assert kind("company_number") == kind("lad_code") == kind("rank") == "id"
    assert kind("ci_lo") == "text" and kind("ci_lo", about_shares=True) == "share"
    assert present.column_label("place_share", "Bolton", "Greater Manchester") == "Share in Bolton"
    assert present.column_label("outside_pence", "Bolton", "Greater Manchester") == "Spend outside Greater Manchester"
    assert present.column_label("place_share_hi", "Bolton") == "Share in Bolton, high bound"
    assert present.column_label("some_new_lad_thing") == "Some new district thing", "a tidy fallback"
    # A unit suffix is the cell's to show (as £), so a bound of a known measure reads as one.
    assert present.column_label("round2_lo_pence") == "Round 2, low bound"
    assert present.column_label("round3_pence") == "Round 3"
    assert present.column_label("lm3_hi") == "LM3, high bound"


def test_a_caption_that_ends_a_sentence_is_not_given_a_second_full_stop():
    class Drawn:
        caption = "Payments to individuals are not drawn."

        def _repr_html_(self):
            return "<img alt='x'>"

    shown = present.figure(Drawn(), "Based on 3 payments.").data
    assert "not drawn.</strong>" in shown and ".." not in shown


def test_a_table_for_people_keeps_exact_values_in_its_csv(tmp_path):
    df = pd.DataFrame(
        {
            "lad_name": [f"District {i}" for i in range(40)],
            "spend_pence": np.arange(40) * 1_000_000_07,
            "share_of_total": [6.171196e-03] * 40,
            "sme_share": [np.nan] * 40,
            "suppliers": pd.array([pd.NA] + [3] * 39, dtype="Int64"),
            "note": [None] * 40,
        }
    )
    block = present.table(df, "by-lad", "By district", "Hand-made", tmp_path, place="Oldham").data
    cells = _cells(block)
    assert "£10,000,001" in cells and "0.62%" in cells and present.NOT_MEASURED in cells
    assert not [c for c in cells if re.search(r"\de-\d|^(nan|None|<NA>)$|nan%", c)]
    assert "District 19" in cells and "District 20" not in cells, "a long table shows its first rows"
    assert "all 40 rows (CSV)</a>" in block and 'href="data/by-lad.csv"' in block
    assert ">Spend</th>" in block and ">Share of all spend</th>" in block
    back = pd.read_csv(tmp_path / "data" / "by-lad.csv")
    assert back["spend_pence"].tolist() == df["spend_pence"].tolist(), "the CSV keeps exact pence"
    assert back["share_of_total"].iloc[0] == pytest.approx(6.171196e-03)
    # A table a few rows over the limit is shown whole.
    short = present.table(df.head(present.ROWS_SHOWN + 2), "short", "t", "b", tmp_path).data
    assert "District 21" in _cells(short) and "rows (CSV)" not in short


def test_a_repeated_note_is_shown_once_per_page():
    based = '<p class="cwb-based-on">Procurement spend: 11,391 payments.</p>'
    missing = '<div class="cwb-note cwb-missing"><p>No contract notices.</p></div>'
    caption = (
        '<figcaption class="cwb-based-on"><strong>A chart.</strong> Procurement spend: 11,391 payments. '
        '<a href="data/c.csv">Data (CSV)</a></figcaption>'
    )
    page = once_per_page(based + caption + based + missing + missing + missing)
    assert page.count("11,391 payments") == 1 and 'href="data/c.csv"' in page
    assert page.count("No contract notices.") == 1 and page.count('href="#cwb-note-1"') == 2


class _Cells(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.cells: list[tuple[str, str]] = []
        self._cell: list | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "td":
            self._cell = [dict(attrs).get("class") or "", ""]

    def handle_endtag(self, tag):
        if tag == "td" and self._cell is not None:
            self.cells.append((self._cell[0], self._cell[1].strip()))
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell[1] += data


def _cells(page: str, with_class: bool = False):
    parser = _Cells()
    parser.feed(page)
    return parser.cells if with_class else [text for _, text in parser.cells]


BAD_CELL = re.compile(r"\d[eE][-+]?\d|^(nan|NaN|None|<NA>|NaT)$|nan%")


@pytest.mark.realdata
def test_a_built_report_reads_as_a_table_for_people():
    """The last build (`cwb run configs/oldham.yml`): no cell in scientific notation, no nan/None/<NA>,
    no bare integer of pence (only identifiers such as company numbers are long bare digits), and
    no absolute path of the machine that built it."""
    folder = reports_dir() / "oldham"
    pages = sorted(folder.glob("0*.html"))
    if not pages:
        require_built(folder / "01_baseline.html", "oldham")
    local = [str(repo_root()), str(repo_root().parent / "shared")]
    for page in pages:
        text = page.read_text(encoding="utf-8")
        cells = _cells(text, with_class=True)
        assert len(cells) > 100, page.name
        bad = [c for _, c in cells if BAD_CELL.search(c)]
        assert not bad, f"{page.name}: {bad[:5]}"
        pence = [c for cls, c in cells if cls != "id" and re.fullmatch(r"-?\d{5,}", c)]
        assert not pence, f"{page.name}: bare integers {pence[:5]}"
        assert not [p for p in local if p in text], f"{page.name} names the building machine's folders"


def test_category_keys_read_as_words_and_a_key_beside_its_name_is_shown_once():
    by_type = pd.DataFrame(
        {
            "supplier_type": ["large", "vcse"],
            "business_type": ["Large business", "VCSE (voluntary, community, social enterprise)"],
            "total_pence": [100, 200],
        }
    )
    body, _ = present.table_html(by_type, "Bolton", "Greater Manchester")
    assert "Supplier type" not in body and ">large<" not in body and body.count("Large business") == 1
    suppliers = pd.DataFrame({"supplier_type": ["unknown"], "geo": ["wider"], "spend_pence": [5]})
    body, _ = present.table_html(suppliers, "Bolton", "Greater Manchester")
    assert ">Not classified<" in body and ">wider area<" in body
