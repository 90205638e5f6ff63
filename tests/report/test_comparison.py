"""Compare like with like (issue 22 point 3): the index and reports/comparison.html show every
place's shares as ranges (central only where given), located share, spend per resident, flags for
partial years and dominant suppliers, grouped by the kinds of anchor measured."""

from __future__ import annotations

import json
import re
import shutil

import pandas as pd
import pytest
from conftest import require_built

from cwbtools.paths import reports_dir
from cwbtools.reference import load_lsoa
from cwbtools.report import comparison, index

POP = {"P1": 100_000, "W1": 300_000, "W2": 600_000}


def _summary(kinds: dict, partial=False, top=0.05, central=None, anchors=None) -> dict:
    block = {
        "total_gbp": 9_000_000.0,
        "place_share": central,
        "place_share_bounds": [0.1, 0.6],
        "wider_share": None,
        "wider_share_bounds": [0.2, 0.9],
        "located_share": 0.5,
        "partial": partial,
        "months_covered": 9 if partial else 12,
        "top_supplier_share": top,
        "anchors": anchors or {},
    }
    return {
        "city": "Town",
        "anchor_kinds": kinds,
        "place": {"name": "Town", "lad_codes": ["P1"]},
        "wider_area": {"name": "Shire", "lad_codes": ["P1", "W1", "W2"]},
        "baseline_year": "2019/20",
        "years": {"2019/20": block},
    }


def test_a_share_reads_range_first_and_central_only_when_given():
    withheld = comparison.share_range(_summary({"C": "council"})["years"]["2019/20"], "place_share")
    assert withheld["text"] == "10.0% to 60.0%" and withheld["central"] is None
    given = comparison.share_range(_summary({"C": "council"}, central=0.3)["years"]["2019/20"], "place_share")
    assert given["text"] == "10.0% to 60.0%; central 30.0%"
    closed = {"place_share": 0.051, "place_share_bounds": [0.051, 0.051]}
    assert comparison.share_range(closed, "place_share")["text"] == "5.1%"


def test_flags_say_partial_year_and_dominant_supplier():
    block = _summary({"C": "council"}, partial=True, top=0.147)["years"]["2019/20"]
    assert comparison.flags(block) == ["partial year: 9 months", "one supplier has 14.7% of spend"]
    assert comparison.flags(_summary({"C": "council"})["years"]["2019/20"]) == []


def test_spend_per_resident_is_over_the_area_each_anchor_serves():
    council = _summary({"C": "council"})
    assert comparison.per_resident(council, council["years"]["2019/20"], POP)["value"] == 90.0
    police = _summary({"P": "police", "F": "fire"})
    r = comparison.per_resident(police, police["years"]["2019/20"], POP)
    assert r["value"] == 9.0 and r["label"] == "per resident of Shire"
    # Mixed: each anchor over its own area, summed: 6m / 100k + 3m / 1m.
    anchors = {"C": {"total_gbp": 6_000_000.0}, "P": {"total_gbp": 3_000_000.0}}
    mixed = _summary({"C": "council", "P": "police"}, anchors=anchors)
    r = comparison.per_resident(mixed, mixed["years"]["2019/20"], POP)
    assert r["value"] == pytest.approx(63.0) and "area it serves" in r["label"]
    # A district without a count gives no figure, not a figure for part of the area.
    assert comparison.per_resident(police, police["years"]["2019/20"], {"P1": 1, "W1": 2})["text"] == "n/a"


def test_places_are_grouped_by_the_kinds_of_anchor_measured():
    assert comparison.kind_group(_summary({"A": "council"})) == "Councils"
    assert comparison.kind_group(_summary({"P": "police", "F": "fire"})) == "Police and fire"
    several = comparison.kind_group(_summary({"A": "council", "B": "police", "C": "college"}))
    assert several == "Several kinds: councils, police and colleges"


def test_lad_population_sums_the_imd_denominators(built_reference):
    lsoa = load_lsoa()
    pop = comparison.lad_population(lsoa)
    bolton = pd.to_numeric(lsoa.loc[lsoa["lad_code"] == "E08000001", "population"]).sum()
    assert pop["E08000001"] == bolton and 250_000 < bolton < 300_000  # Bolton, mid-2015


def _built_summaries() -> dict[str, dict]:
    found = {
        p.parent.name: json.loads(p.read_text())
        for p in sorted(reports_dir().glob("*/summary.json"))
        if not p.parent.name.startswith(".")  # a run in progress
    }
    if not found:
        require_built(reports_dir() / "index.html")
    return found


@pytest.fixture(scope="module")
def pages(tmp_path_factory, built_reference):
    """The index and comparison page written over copies of every built summary.json."""
    root = tmp_path_factory.mktemp("reports")
    summaries = _built_summaries()
    for slug in summaries:
        (root / slug).mkdir()
        shutil.copy(reports_dir() / slug / "summary.json", root / slug / "summary.json")
    population = comparison.lad_population(load_lsoa())
    index.write_index(root, population)
    return summaries, (root / "index.html").read_text(), (root / "comparison.html").read_text(), population


def _pct(x: float) -> str:
    return f"{x * 100:.1f}%"


def _expected(summary: dict, population: dict) -> dict:
    """What every place must show, worked out here from its summary.json."""
    block = summary["years"][summary["baseline_year"]]
    texts = {}
    for key in ("place_share", "wider_share"):
        lo, hi = block[f"{key}_bounds"]
        text = _pct(lo) if _pct(lo) == _pct(hi) else f"{_pct(lo)} to {_pct(hi)}"
        if block[key] is not None and _pct(lo) != _pct(hi):
            text += f"; central {_pct(block[key])}"
        texts[key] = text
    flags = [f"partial year: {block['months_covered']} months"] if block["partial"] else []
    if block["top_supplier_share"] > comparison.DOMINANT_SUPPLIER_SHARE:
        flags.append(f"one supplier has {_pct(block['top_supplier_share'])} of spend")
    return {**texts, "flags": flags, "located": _pct(block["located_share"])}


def test_every_built_place_shows_its_ranges_and_flags_on_the_index(pages):
    summaries, page, _, population = pages
    rows = re.findall(r"<tr>\s*<td>(.*?)</tr>", page, re.S)
    assert len(rows) == len(summaries)
    for slug, summary in summaries.items():
        row = next(r for r in rows if f'<span class="slug">{slug}</span>' in r)
        want = _expected(summary, population)
        assert f">{want['place_share']}<" in row and f">{want['wider_share']}<" in row, slug
        assert f">{want['located']}<" in row, slug
        assert all(f'<span class="flag">{f}</span>' in row for f in want["flags"]), slug
        if not want["flags"]:
            assert ">none<" in row
        assert "per resident of" in row or "area it serves" in row, slug


def test_no_built_place_is_given_a_change_where_its_years_do_not_compare(pages):
    summaries, page, _, _ = pages
    rows = re.findall(r"<tr>\s*<td>(.*?)</tr>", page, re.S)
    for slug, summary in summaries.items():
        row = next(r for r in rows if f'<span class="slug">{slug}</span>' in r)
        change = summary.get("change") or {}
        if len(summary["years"]) < 2 or change.get("comparable") is False or change.get("place_share_change") is None:
            assert re.search(r'class="num change"[^>]*>n/a', row), slug


def test_the_real_council_spend_per_resident_is_over_its_residents(pages):
    summaries, page, _, population = pages
    if "bolton" not in summaries:
        require_built(reports_dir() / "bolton" / "summary.json", "bolton")
    block = summaries["bolton"]["years"][summaries["bolton"]["baseline_year"]]
    per = block["total_gbp"] / population["E08000001"]
    assert f"£{per:,.0f} ({block['months_covered']} months)" in page


def test_the_comparison_page_shows_every_place_grouped_with_ranges_and_flags(pages):
    summaries, _, page, population = pages
    sections = re.findall(r'<section class="comparison-group">\s*<h2>(.*?)</h2>(.*?)</section>', page, re.S)
    assert sections and sections[0][0] == "Councils" or "Councils" not in page
    for slug, summary in summaries.items():
        group = comparison.kind_group(summary)
        body = next(b for name, b in sections if name == group)
        assert f'<span class="slug">{slug}</span>' in body, (slug, group)
        want = _expected(summary, population)
        row = re.search(rf'<tr><td>[^<]*<span class="slug">{slug}</span>.*?</tr>', body, re.S).group(0)
        assert f">{want['place_share']}<" in row and f">{want['wider_share']}<" in row, slug
        assert all(f in row for f in want["flags"]), slug
        # The chart: one bar per range, from lo to hi, in the group's SVG.
        block = summary["years"][summary["baseline_year"]]
        lo, hi = block["place_share_bounds"]
        assert f"{summary.get('city')}, in the place: {want['place_share']}" in body
        assert f'width="{max(round(hi * 480 - lo * 480, 1), 2)}"' in body, slug


@pytest.mark.browser
def test_the_index_sorts_by_a_column_in_the_browser(pages, tmp_path):
    """The inline sort, in headless Chromium: a numeric column orders the rows, no console error."""
    from pathlib import Path

    if not (Path("/usr/bin/chromium").exists() and Path("/usr/bin/chromedriver").exists()):
        pytest.skip("chromium missing: run scripts/install-browser.sh")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    summaries, page, _, _ = pages
    (tmp_path / "index.html").write_text(page)
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", f"--user-data-dir={tmp_path / 'profile'}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path="/usr/bin/chromedriver"), options=options)
    try:
        driver.get((tmp_path / "index.html").as_uri())
        buttons = driver.find_elements("css selector", "table.index th button")
        next(b for b in buttons if b.text.startswith("Located")).click()
        shown = [r.find_element("css selector", ".slug").text for r in driver.find_elements("css selector", "tbody tr")]
        located = {s: v["years"][v["baseline_year"]]["located_share"] for s, v in summaries.items()}
        assert shown == sorted(located, key=located.get)
        assert not [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
    finally:
        driver.quit()
