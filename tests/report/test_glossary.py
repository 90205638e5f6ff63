"""Plain words (issue 22 point 4): every reader's page ends with a glossary generated from
docs/GLOSSARY.md that explains the terms a reader meets."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import nbformat
from nbformat.v4 import new_markdown_cell, new_notebook

from cwbtools.paths import repo_root
from cwbtools.report import glossary, provenance
from cwbtools.report import html as report

# The terms a reader meets in the reports, the index and the comparison page: each must be a term
# (not only a word in another's meaning) of the glossary.
READER_TERMS = [
    "LM3",
    "location quotient",
    "FLQ",
    "multiplier",
    "HHI",
    "concentration",
    "bounds",
    "range",
    "central figure",
    "influenceable",
    "procurement spend",
    "located",
    "location basis",
    "head office",
    "leakage",
    "coverage",
    "deprived",
    "LSOA",
    "SIC",
    "business type",
    "spend per resident",
    "partial year",
    "comparable months",
    "percentage points",
    "dominant supplier",
    "leave-top-k",
    "shift-share",
    "p-value",
    "plural ownership",
    "scenario",
    "displacement",
    "re-spend",
    "area-wide anchor",
    "baseline year",
    "wider area",
]


def _terms() -> dict[str, str]:
    text = (repo_root() / glossary.GLOSSARY_FILE).read_text(encoding="utf-8")
    return {row["term"].lower(): row["meaning"] for row in glossary.terms(text)}


def test_the_glossary_explains_every_term_a_reader_meets():
    terms = _terms()
    missing = [t for t in READER_TERMS if not any(t.lower() in term for term in terms)]
    assert not missing, f"docs/GLOSSARY.md has no entry for {missing}"
    for term, meaning in terms.items():
        assert len(meaning) > 20, f"{term}: {meaning!r} explains nothing"


def test_lm3_round_one_is_procurement_spend():
    lm3 = _terms()["lm3"]
    assert "round 1 is procurement spend" in lm3 and "transfers" in lm3


def test_glossary_html_is_a_definition_list_of_every_row_with_code_as_code(tmp_path):
    source = tmp_path / "GLOSSARY.md"
    source.write_text(
        "# Glossary\n\n| term | meaning | where |\n|---|---|---|\n"
        "| bounds | the lowest and highest `share` <b>could</b> be | `x` |\n| LM3 | a multiplier | y |\n"
    )
    html = glossary.glossary_html(source)
    assert re.findall(r"<dt>(.*?)</dt>", html) == ["bounds", "LM3"]
    assert "<code>share</code>" in html and "&lt;b&gt;could&lt;/b&gt;" in html
    assert "<code>x</code>" not in html, "where the rule lives is for developers"
    assert glossary.glossary_html(tmp_path / "absent.md") == ""


def test_every_rendered_page_ends_with_the_glossary(tmp_path):
    folder = tmp_path / "city"
    folder.mkdir()
    executed = folder / "01_baseline.ipynb"
    nbformat.write(new_notebook(cells=[new_markdown_cell("# Baseline\n\n## Where the money went")]), str(executed))
    config = tmp_path / "c.yml"
    config.write_text("name: Town\n")
    prov = provenance.build_provenance(config, datetime(2026, 1, 2, tzinfo=UTC), 1.0)
    record = report.NotebookRecord("01_baseline", executed)
    page = report.render_notebook(
        record, folder / "01_baseline.html", city=report.City("Town", "town"), siblings=[record], provenance=prov
    ).read_text()
    appendix = page[page.index('<section class="appendix" id="glossary">') :]
    assert page.index('id="provenance"') < page.index('id="glossary"'), "the glossary comes last"
    assert '<a href="#glossary">Glossary</a>' in page
    dts = re.findall(r"<dt>(.*?)</dt>", appendix)
    assert len(dts) == len(_terms()) and "LM3" in dts
