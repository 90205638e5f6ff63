"""What readers see: HTML with code hidden and every piece of ledger text escaped, a table of
contents, definitions, provenance; the index's headline figures; the tables saved as CSV."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import sys
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from cwbtools import __version__
from cwbtools.report import html as report
from cwbtools.report import index, present, provenance
from cwbtools.schema import INDIVIDUALS_LABEL

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "data" / "notebooks"))
import runs  # noqa: E402

EVIL = "<script>alert(1)</script>"
# A 1x1 PNG.
PNG = base64.b64encode(
    bytes.fromhex(
        "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
        "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082"
    )
).decode()


def test_clean_html_shows_script_as_text_and_drops_what_could_run():
    out = report.clean_html(
        f'<p onclick="x()">{EVIL}</p><img src="x.png" onerror="alert(2)"><a href="javascript:alert(3)">j</a>'
        f'<a href="data:text/html,hi">d</a><a href="data/t.csv">csv</a><img src="data:image/png;base64,{PNG}">'
        '<iframe src="https://example.org"></iframe><style>body{}</style>'
    )
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in out
    assert not re.search(r"<(script|iframe|style)", out, re.I)
    for bad in ("onclick", "onerror", "javascript:", "data:text/html"):
        assert bad not in out
    assert '<a href="data/t.csv">csv</a>' in out
    assert f'src="data:image/png;base64,{PNG}"' in out


@pytest.mark.parametrize("name", ['<script>alert("x")</script> Ltd', "<img src=x onerror=alert(1)> Services Ltd"])
def test_a_supplier_named_with_markup_reads_as_text_after_cleaning(name, tmp_path):
    from html.parser import HTMLParser

    class Seen(HTMLParser):
        def __init__(self):
            super().__init__(convert_charrefs=True)
            self.tags, self.text = [], ""

        def handle_starttag(self, tag, attrs):
            self.tags.append(tag)

        def handle_data(self, data):
            self.text += data

    df = pd.DataFrame({"supplier_name": [name], "supplier_type": ["sme"], "spend_pence": [1]})
    seen = Seen()
    seen.feed(report.clean_html(present.table(df, "top", "Top", "b", tmp_path).data))
    assert name in seen.text
    assert not {"script", "img"} & set(seen.tags)
    # Raw in a fragment (a Markdown output): an unknown tag is escaped to text, not stripped.
    raw = report.clean_html(f"<p>Top: <strong>{name}</strong> <scr<script>ipt>x</p>")
    assert "<script" not in raw and "onerror" not in raw
    if name.startswith("<script"):
        assert f"Top: <strong>{name.replace('<', '&lt;').replace('>', '&gt;')}</strong>" in raw.replace("&quot;", '"')
    assert "&lt;scr&lt;script&gt;ipt&gt;x" in raw


def test_present_table_escapes_and_saves_the_csv(tmp_path):
    # Organisations (a legal form): reports name only payees with evidence of one (cwbtools.privacy).
    df = pd.DataFrame({"supplier": [f"{EVIL} Ltd", "A & B Ltd"], "spend_pence": [101, 202]})
    block = present.table(df, "Top suppliers!", "Top <2> suppliers", "based on <x>", tmp_path)
    html_text = block.data
    assert EVIL not in html_text and "&lt;script&gt;" in html_text
    assert "Top &lt;2&gt; suppliers" in html_text
    assert 'href="data/top-suppliers.csv"' in html_text
    assert (
        tmp_path / "data" / "top-suppliers.csv"
    ).read_text() == f"supplier,spend_pence\n{EVIL} Ltd,101\nA & B Ltd,202\n"


def test_present_table_never_names_an_individual(tmp_path):
    df = pd.DataFrame(
        {
            "supplier_name": ["Jane Smith", "Acme Ltd", "J Bloggs"],
            "supplier_type": ["individual", "sme", "sme"],
            "individual": [False, False, True],
            "amount_pence": [100, 200, 300],
        }
    )
    block = present.table(df, "suppliers", "t", "b", tmp_path)
    csv = (tmp_path / "data" / "suppliers.csv").read_text()
    for text in (csv, block.data):
        assert "Jane Smith" not in text and "J Bloggs" not in text
        assert text.count(INDIVIDUALS_LABEL) == 2 and "Acme Ltd" in text
    assert "100" in csv and "300" in csv, "amounts are kept: only the names go"
    assert df.loc[0, "supplier_name"] == "Jane Smith", "the caller's frame is not changed"


def _executed_notebook(path: Path) -> Path:
    """A notebook as papermill leaves it, with every kind of output a supplier name can reach."""
    svg = '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(4)</script></svg>'
    cells = [
        new_code_cell("config_path = 'x'  # SOURCE-CODE-MARKER", metadata={"tags": ["parameters"]}),
        new_markdown_cell("# Baseline\n\nIntro.\n\n## Where the money went"),
        new_code_cell(
            "present.table(...)",
            outputs=[
                new_output(
                    "execute_result",
                    data={
                        "text/html": f'<div><table><tr><td>{EVIL}</td></tr></table><a href="data/t.csv">CSV</a></div>',
                        "text/plain": "x",
                    },
                    execution_count=2,
                )
            ],
        ),
        new_code_cell(
            "display(Markdown(...)); print(...)",
            outputs=[
                new_output("display_data", data={"text/markdown": f"Top supplier: **{EVIL}**"}),
                new_output("stream", name="stdout", text=f"Top supplier: {EVIL}\n"),
                new_output("stream", name="stderr", text="FutureWarning: internal noise\n"),
                new_output("display_data", data={"image/png": PNG, "text/plain": "<Figure>"}),
                new_output("display_data", data={"image/svg+xml": svg}),
                new_output("display_data", data={"application/javascript": "alert(5)"}),
            ],
        ),
        new_markdown_cell("### By sector <b onmouseover='x()'>bold</b>"),
    ]
    nb = new_notebook(
        cells=cells, metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}
    )
    nbformat.write(nb, str(path))
    return path


@pytest.fixture
def rendered(tmp_path):
    folder = tmp_path / "city"
    (folder / "data").mkdir(parents=True)
    (folder / "data" / "t.csv").write_text("a\n1\n")
    config = tmp_path / "c.yml"
    config.write_text("name: X\n")
    executed = _executed_notebook(folder / "01_baseline.ipynb")
    prov = provenance.build_provenance(
        config, pd.Timestamp("2026-01-02 03:04:05", tz="UTC").to_pydatetime(), 12.34, {"01_baseline": 12.0}
    )
    definitions = pd.DataFrame(
        {"definition": ["Place"], "value": [f"Preston {EVIL}"], "default": ["-"], "source": ["s"]}
    )
    record = report.NotebookRecord("01_baseline", executed, seconds=12.0, tables=["t.csv"])
    out = report.render_notebook(
        record,
        folder / "01_baseline.html",
        city=report.City("Test <City>", "x", True),
        siblings=[record, report.NotebookRecord("02_change_over_time", executed)],
        provenance=prov,
        definitions=definitions,
    )
    return out.read_text(), config


def test_rendered_page_has_no_code_and_nothing_that_runs(rendered):
    page, _ = rendered
    assert "SOURCE-CODE-MARKER" not in page and "present.table" not in page
    assert not re.search(r"<script|<iframe|\son\w+=|javascript:", page, re.I)
    # The supplier name reaches the page four ways (table, markdown, print, definitions): all as text.
    assert page.count("&lt;script&gt;alert(1)&lt;/script&gt;") == 4
    assert "alert(5)" not in page, "javascript outputs are dropped"
    assert "internal noise" not in page, "stderr is for the executed notebook, not for readers"
    assert f"data:image/png;base64,{PNG}" in page
    assert "data:image/svg+xml;base64," in page and "<svg" not in page, "an SVG can only be an image"
    assert "Test &lt;City&gt;" in page


def test_rendered_page_has_contents_tables_definitions_and_provenance(rendered):
    page, config = rendered
    toc = page[page.index('<nav class="toc"') : page.index("</nav>")]
    assert 'href="#Where-the-money-went">Where the money went</a>' in toc
    assert ">By sector bold</a>" in toc
    assert "Synthetic data" in page
    assert '<a href="data/t.csv">t.csv</a>' in page
    assert '<a href="02_change_over_time.html">Change over time</a>' in page
    assert "Preston &lt;script&gt;" in page and 'href="data/definitions.csv"' in page
    assert hashlib.sha256(config.read_bytes()).hexdigest() in page
    assert f"cwbtools version</dt><dd>{__version__}" in page
    assert "started 2026-01-02 03:04:05 (UTC); notebooks ran in 12.3 s" in page
    assert "Contains OS data © Crown copyright" in page, "attribution from NOTICE"


def test_an_image_without_alt_text_is_given_one(rendered):
    page, _ = rendered
    png = re.search(r'<img[^>]*src="data:image/png;base64,[^"]*"[^>]*>', page).group(0)
    assert 'alt="No description has been provided for this image"' in png
    assert 'alt="chart"' in page, "an image with its own alt keeps it"
    # Markup quoted inside another tag's attribute is that attribute's text, not an image.
    quoted = '<a title="<img src=x onerror=y>" href="#a">t</a><img alt="" src="data/a.png">'
    assert report._alt_for_every_image(quoted) == quoted
    assert report._alt_for_every_image('<a title="<img x">t</a><IMG src=y>') == (
        '<a title="<img x">t</a><IMG alt="No description has been provided for this image" src=y>'
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("<B>x</B><Br/>", "<B>x</B><Br/>"),
        ("<b<i>x", "&lt;b<i>x"),
        ("</SCRIPT><h7>", "&lt;/SCRIPT>&lt;h7>"),
        ("<tbodyx> <td\n>", "&lt;tbodyx> <td\n>"),
        ("a < b <3 <", "a < b <3 <"),
    ],
)
def test_only_allowed_tags_stay_tags(text, expected):
    assert report._escape_unknown_tags(text) == expected


def test_a_page_is_the_same_rendered_first_or_after_another(tmp_path):
    """The exporter and its templates are made once per process (`html.warm`): no notebook's
    page may carry anything of the one rendered before it."""
    folder = tmp_path / "city"
    other = new_notebook(
        cells=[new_markdown_cell("# Other\n\n## Section"), new_code_cell("x", outputs=[])],
        metadata={"language_info": {"name": "R", "pygments_lexer": "r"}},
    )
    nbformat.write(other, str(tmp_path / "other.ipynb"))
    records = [
        report.NotebookRecord("01_baseline", _executed_notebook(tmp_path / "01_baseline.ipynb")),
        report.NotebookRecord("02_change_over_time", tmp_path / "other.ipynb"),
    ]

    config = tmp_path / "c.yml"
    config.write_text("name: X\n")
    prov = provenance.build_provenance(config, pd.Timestamp("2026-01-02", tz="UTC").to_pydatetime(), 1.0)

    def page(record):
        out = folder / f"{record.stem}.html"
        report.render_notebook(record, out, city=report.City("X", "x"), siblings=records, provenance=prov)
        return out.read_text()

    first = page(records[0])
    page(records[1])
    report.warm()
    assert page(records[0]) == first


def test_provenance_lists_the_reference_sources_with_dates_and_licences(built_reference, tmp_path):
    config = tmp_path / "c.yml"
    config.write_text("x\n")
    prov = provenance.build_provenance(config, pd.Timestamp.now(tz="UTC").to_pydatetime(), 1.0)
    assert prov["sources"], prov["sources_note"]
    for source in prov["sources"]:
        assert source["name"] and source["licence"], source
    assert any("Indices of Deprivation" in s["name"] or "IMD" in s["name"] for s in prov["sources"])


def test_headline_figures_come_from_the_baseline_year():
    summary = {
        "city": "P",
        "synthetic": True,
        "years": {
            "2016/17": {"total_gbp": 617_000_000.0, "place_share": 0.182, "wider_share": 0.792, "located_share": 0.5},
            "2012/13": {"total_gbp": 750_000_000.0, "place_share": 0.051, "wider_share": 0.389, "located_share": 0.9},
        },
        "change": {"from": "2012/13", "to": "2016/17", "place_share_change": 0.131},
    }
    expected = {
        "year": "2012/13",
        "base": "all kept spend",  # a summary from before the base (schema 1)
        "total": "£750.0m",
        "place_share": "5.1%",
        "wider_share": "38.9%",
        "place_share_all": "n/a",
        "change": "+13.1 pp (2012/13 to 2016/17)",
        "change_note": "",
        "located": "90.0%",
        "note": "",
    }
    h = index.headline(summary)
    assert {k: h[k] for k in expected} == expected  # the comparison's keys are tests/report/test_index.py's
    assert index.headline({"years": {}})["place_share"] == "n/a"


def test_index_reads_the_base_and_says_why_a_share_is_not_given():
    """Issue 18: the index's headline is the procurement base's, all kept spend beside it; a year
    with net credits shows no share and says why."""
    block = {
        "base": "procurement",
        "total_gbp": 40_000_000.0,
        "place_share": 0.121,
        "wider_share": 0.3,
        "located_share": 0.8,
        "all_spend": {"total_gbp": 267_000_000.0, "place_share": 0.736},
    }
    h = index.headline({"years": {"2019/20": block}})
    assert (h["base"], h["place_share"], h["place_share_all"], h["total"]) == (
        "procurement spend",
        "12.1%",
        "73.6%",
        "£40.0m",
    )
    net = {**block, "total_gbp": -1.0, "place_share": None, "note": "net spend is zero or negative"}
    h = index.headline({"years": {"2019/20": net}})
    assert h["place_share"] == "n/a" and "zero or negative" in h["note"]


def test_index_lists_each_city_with_links_and_labels_the_synthetic_ones(tmp_path):
    for slug, synthetic in (("real-town", False), ("demo-town", True)):
        folder = tmp_path / slug
        folder.mkdir()
        (folder / "summary.json").write_text(
            json.dumps(
                {
                    "city": slug.replace("-", " ").title(),
                    "synthetic": synthetic,
                    "years": {
                        "2019/20": {"total_gbp": 1234.5, "place_share": 0.25, "wider_share": 0.5, "located_share": 0.75}
                    },
                }
            )
        )
        (folder / "01_baseline.html").write_text("x")
    (tmp_path / ".failed" / "broken").mkdir(parents=True)
    (tmp_path / "no-summary").mkdir()
    page = index.write_index(tmp_path).read_text()
    rows = re.findall(r"<tr>\s*<td>(.*?)</td>", page, re.S)
    assert [r.split(" <span")[0] for r in rows] == ["Real Town", "Demo Town"], "real places first"
    assert "synthetic" not in rows[0] and 'class="label-synthetic"' in rows[1]
    assert 'href="real-town/01_baseline.html"' in page and "02_change_over_time" not in page
    assert "£1k" in page and "25.0%" in page and "75.0%" in page
    assert "broken" not in page and "no-summary" not in page


def test_standin_report_escapes_a_hostile_supplier_end_to_end():
    page = (runs.standin_run()["root"] / "standin-alpha" / "01_baseline.html").read_text()
    assert not re.search(r"<script", page, re.I)
    assert page.count("&lt;script&gt;alert(1)&lt;/script&gt;") == 3  # table, markdown, print
    assert "config_path" not in page.split("<main>")[1], "no code reaches readers"
