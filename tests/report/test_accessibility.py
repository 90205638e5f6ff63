"""Accessible and printable: headings in order, every scrolling table reachable by keyboard, and
axe-core (selenium-axe-python's bundled copy) finding no serious or critical violation on the
index and every report page; printed on A4, no table runs off the page, no contents list, charts
within a page.

The browser tests drive the same headless Chromium as test_browser.py (its `browser` fixture).
"""

from __future__ import annotations

import base64
import json
import re
import sys
from pathlib import Path

import pytest
from conftest import require_built
from test_browser import browser  # noqa: F401  the one headless Chromium fixture

from cwbtools.paths import reports_dir
from cwbtools.report import html as report

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "data" / "notebooks"))
import runs  # noqa: E402

STEMS = list(report.NOTEBOOKS)


# ---------------------------------------------------------------------------------------------
# The rendering fix, on hand-made pages


def _figure(title: str, columns: int = 2) -> str:
    """A table block as `present.table` writes it."""
    head = "".join(f"<th>c{i}</th>" for i in range(columns))
    return (
        f'<div class="cwb-figure"><h4>{title}</h4><p class="cwb-based-on">x</p>'
        f'<div class="cwb-scroll"><table class="cwb-table"><thead><tr>{head}</tr></thead>'
        f"<tbody><tr>{'<td>1</td>' * columns}</tr></tbody></table></div></div>"
    )


def _levels(body: str) -> list[tuple[int, str]]:
    return [(int(level), re.sub(r"<[^>]+>", "", text)) for level, text in re.findall(r"<h(\d)[^>]*>(.*?)</h\1>", body)]


def test_table_titles_sit_one_level_below_their_section():
    body = (
        '<h1 id="T">Title</h1><h2 id="A">A</h2>'
        + _figure("under A")
        + '<h3 id="B">B<a class="anchor-link" href="#B">¶</a></h3>'
        + _figure("under B")
        + '<h2 id="C">C</h2><h4 id="D">D skips a level</h4>'
        + _figure("under D")
    )
    out = report.accessible(body)
    assert _levels(out) == [(1, "Title"), (2, "A"), (3, "under A"), (3, "B¶"), (4, "under B")] + [
        (2, "C"),
        (3, "D skips a level"),
        (4, "under D"),
    ]
    # Never a jump of more than one level down, and the ids the contents list links to are kept.
    levels = [level for level, _ in _levels(out)]
    assert all(b <= a + 1 for a, b in zip(levels, levels[1:]))
    assert [h["id"] for h in report.headings(out)] == ["T", "A", "B", "C", "D"]
    assert report.accessible(out) == out, "applying it twice changes nothing"


def test_a_scrolling_table_takes_focus_is_named_and_says_how_wide_it_is():
    out = report.accessible(
        '<h2 id="A">A</h2>'
        + _figure("Spend &amp; &quot;more&quot;")
        + _figure("Wide", report.WIDE_COLUMNS + 1)
        + _figure("Too wide", report.PRINT_COLUMNS + 1)
    )
    regions = re.findall(
        r'<div class="cwb-scroll([^"]*)" data-columns="(\d+)" tabindex="0" role="region" '
        r'aria-label="([^"]*)">',
        out,
    )
    assert regions == [
        ("", "2", "Table: Spend &amp; &quot;more&quot;"),
        (" cwb-wide", str(report.WIDE_COLUMNS + 1), "Table: Wide"),
        (" cwb-too-wide", str(report.PRINT_COLUMNS + 1), "Table: Too wide"),
    ]
    # A table with no title of its own (the definitions block) is still a named region.
    assert 'aria-label="Table"' in report.accessible(
        '<div class="cwb-scroll"><table><thead><tr><th>a</th></tr></thead></table></div>'
    )


def test_the_print_rules_hide_what_paper_cannot_use():
    css = (report.TEMPLATES / "report.css").read_text(encoding="utf-8")
    printed = css[css.index("@media print") :]
    for rule in ("nav.toc", ".cwb-too-wide > table { display: none; }", "thead { display: table-header-group; }"):
        assert rule in printed
    assert re.search(r"@page \{ size: A4; margin: \d+mm \d+mm", printed)


# ---------------------------------------------------------------------------------------------
# In the browser: axe-core, and the page as printed


def axe_problems(driver, *, every_cell: bool = True) -> list[str]:
    """axe-core's serious and critical violations on the open page, and any heading out of order.
    Colour contrast costs ~0.01 s a table cell: `every_cell=False` checks it everywhere but in table
    bodies (whose cells share the few styles the stand-in's full check covers)."""
    from selenium_axe_python import Axe

    driver.set_script_timeout(300)
    axe = Axe(driver)
    axe.inject()
    only_violations = {"resultTypes": ["violations"]}
    if every_cell:
        found = axe.run(options=json.dumps(only_violations))["violations"]
    else:
        found = axe.run(options=json.dumps({**only_violations, "rules": {"color-contrast": {"enabled": False}}}))
        contrast = axe.run(
            context=json.dumps({"exclude": [["tbody"]]}),
            options=json.dumps({**only_violations, "runOnly": {"type": "rule", "values": ["color-contrast"]}}),
        )
        found = found["violations"] + contrast["violations"]
    return [
        f"{v['id']} ({v['impact']}, {len(v['nodes'])}x): {v['nodes'][0]['html'][:120]}"
        for v in found
        if v["impact"] in ("serious", "critical") or v["id"] == "heading-order"
    ]


def print_problems(driver, page: Path) -> list[str]:
    """Open `page` as printed on A4 (report.css's @page margins): tables wider than the paper,
    a contents list shown, charts taller than a page."""
    css = (report.TEMPLATES / "report.css").read_text(encoding="utf-8")
    top, side, bottom = map(int, re.search(r"@page \{ size: A4; margin: (\d+)mm (\d+)mm (\d+)mm", css).groups())
    mm = 96 / 25.4
    width, height = round((210 - 2 * side) * mm), round((297 - top - bottom) * mm)
    driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
    )
    try:
        driver.get(page.as_uri())
        return driver.execute_script(
            """
            const [w, h] = arguments, out = [];
            document.querySelectorAll('table').forEach(t => {
              const r = t.getBoundingClientRect();
              if (r.width && r.right > w + 1) {
                const title = t.closest('.cwb-figure')?.querySelector('h2,h3,h4,h5,h6')?.textContent || t.className;
                out.push(`table ${title} is ${Math.round(r.right)} px on ${w} px of paper`);
              }
            });
            const nav = document.querySelector('nav.toc');
            if (nav && getComputedStyle(nav).display !== 'none') out.push('the contents list is printed');
            Array.from(document.images).forEach(i => {
              if (i.getBoundingClientRect().height > h) out.push(`an image taller than a page: ${i.alt.slice(0, 60)}`);
            });
            return out;""",
            width,
            height,
        )
    finally:
        driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})
        driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


def check_pages(driver, pages: list[Path], *, every_cell: bool = True) -> dict[str, list[str]]:
    problems = {}
    for page in pages:
        driver.get(page.as_uri())
        found = axe_problems(driver, every_cell=every_cell) + print_problems(driver, page)
        if found:
            problems[str(page)] = found
    return problems


@pytest.mark.browser
def test_standin_pages_pass_axe_and_print_on_a4(browser):  # noqa: F811
    root = runs.standin_run()["root"]
    pages = [root / "index.html", root / "standin-alpha" / "01_baseline.html"]
    assert "<h4>" not in pages[1].read_text(encoding="utf-8"), "the stand-in's table titles sit under a ## section"
    assert check_pages(browser, pages) == {}


@pytest.mark.browser
def test_axe_finds_what_it_is_asked_to(browser, tmp_path):  # noqa: F811
    # The check can fail: a heading that skips a level and a scroll box with no focus are caught.
    page = tmp_path / "bad.html"
    page.write_text(
        '<!DOCTYPE html><html lang="en"><head><title>t</title></head><body><main><h1>A</h1><h4>B</h4>'
        '<div style="overflow:auto;width:100px"><p style="width:900px">wide text</p></div></main></body></html>',
        encoding="utf-8",
    )
    browser.get(page.as_uri())
    found = " ".join(axe_problems(browser))
    assert "heading-order" in found and "scrollable-region-focusable" in found


@pytest.mark.slow
@pytest.mark.realdata
@pytest.mark.browser
def test_demo_pages_pass_axe_and_print_on_a4(browser, built_reference):  # noqa: F811
    result = runs.demo_runs()[0]
    assert result["code"] == 0, result["stderr"][-3000:]
    root = result["root"]
    pages = [root / "index.html"] + [root / "preston-demo" / f"{stem}.html" for stem in STEMS]
    assert check_pages(browser, pages, every_cell=False) == {}
    # A printed copy for people to look at, beside the screenshots.
    pdf = browser.execute_cdp_cmd("Page.printToPDF", {"preferCSSPageSize": True})
    path = reports_dir() / "screenshots" / "preston-demo-03_next_steps.pdf"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(base64.b64decode(pdf["data"]))
    assert path.read_bytes().startswith(b"%PDF") and path.stat().st_size > 10_000


@pytest.mark.slow
@pytest.mark.browser
def test_built_reports_pass_axe_and_print_on_a4(browser):  # noqa: F811
    """Whatever `make report` last built in reports/ (every real config): the same checks."""
    root = reports_dir()
    pages = sorted(p for p in root.glob("*/*.html") if p.stem in STEMS)
    if not pages:
        require_built(root / "index.html")
    extra = [p for p in (root / "index.html", root / "comparison.html") if p.is_file()]
    assert check_pages(browser, extra + pages, every_cell=False) == {}
