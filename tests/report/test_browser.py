"""The reports as a reader sees them: headless Chromium opens reports/index.html and a city report,
and finds no console errors, every image loaded, every CSV link pointing at a file in reports/, and
a hostile supplier name shown as text. Screenshots are kept under reports/screenshots/.

Chromium and its driver are Debian packages (scripts/install-browser.sh). Under CI a missing browser
is a failure, not a skip.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest
from conftest import require_built

from cwbtools.paths import reports_dir

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "data" / "notebooks"))
import runs  # noqa: E402

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1280,1000",
]


@pytest.fixture(scope="module")
def browser():
    missing = [p for p in (CHROMIUM, CHROMEDRIVER) if not Path(p).exists()]
    if missing:
        msg = f"{', '.join(missing)} missing: run scripts/install-browser.sh"
        if os.environ.get("CI"):
            pytest.fail(msg)
        pytest.skip(msg)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="cwb-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in FLAGS + [f"--user-data-dir={profile}"]:
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def _screenshot(driver, name: str) -> Path:
    height = driver.execute_script("return Math.min(document.documentElement.scrollHeight, 4000)")
    driver.set_window_size(1280, max(int(height), 600))
    out = reports_dir() / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{name}.png"
    driver.save_screenshot(str(path))
    driver.set_window_size(1280, 1000)
    return path


def read_as_a_reader(driver, page: Path, root: Path, shot: str) -> dict:
    """Open `page`; assert what a reader would notice; return what the page shows."""
    driver.get_log("browser")  # drop whatever an earlier page left
    driver.get(page.as_uri())
    assert driver.execute_script("return document.readyState") == "complete"
    images = driver.execute_script(
        "return Array.from(document.images).map(i => [i.src.slice(0, 40), i.complete, i.naturalWidth])"
    )
    broken = [src for src, complete, width in images if not complete or width == 0]
    assert not broken, f"{page.name}: images not loaded: {broken}"
    links = driver.execute_script("return Array.from(document.querySelectorAll('a[href]')).map(a => a.href)")
    csv_links = [h for h in links if urlparse(h).path.endswith(".csv")]
    for href in links:
        url = urlparse(href)
        if url.scheme != "file":
            continue
        target = Path(unquote(url.path))
        assert target.is_file(), f"{page.name}: link to {target} goes nowhere"
        assert target.resolve().is_relative_to(root.resolve()), f"{page.name}: link leaves the reports folder: {target}"
    wide, viewport = driver.execute_script(
        "return [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert wide <= viewport, f"{page.name}: the page scrolls sideways ({wide} px in {viewport} px)"
    errors = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
    assert not errors, f"{page.name}: console errors: {errors}"
    text = driver.find_element("tag name", "body").text
    path = _screenshot(driver, shot)
    assert path.stat().st_size > 10_000, "an empty screenshot"
    return {"text": text, "images": images, "csv_links": csv_links}


def summary_on_first_screen(driver, page: Path) -> None:
    """A report page opens with its summary (issue 22): the whole box within the first screen."""
    driver.get(page.as_uri())
    box = driver.execute_script(
        "const e = document.querySelector('.cwb-summary'); if (!e) return null;"
        "const r = e.getBoundingClientRect(); return [r.bottom, window.innerHeight]"
    )
    assert box is not None, f"{page}: no summary"
    assert box[0] <= box[1], f"{page}: the summary ends at {box[0]:.0f} px, below the first screen ({box[1]} px)"


def text_before_method(driver, page: Path) -> int:
    """Characters of visible text in the page's main column before the "Method and data" appendix."""
    driver.get(page.as_uri())
    main = driver.find_element("tag name", "main").text
    cut = main.find("\nMethod and data\n")
    assert cut > 0, f"{page}: no 'Method and data' appendix"
    return cut


REAL_CONFIGS = ["bolton", "hyndburn", "lancashire-blue-light", "oldham", "oxford", "salford"]
BOLTON_TEXT_BEFORE = 70_662  # visible characters of the Bolton baseline before issue 22


@pytest.mark.realdata
@pytest.mark.parametrize("slug", REAL_CONFIGS)
def test_every_real_report_opens_with_its_summary(browser, slug):
    """On the reports `make report` built (reports/<slug>/): each page's summary is on the first
    screen, and the Bolton baseline's text before its appendix is at most a third of what it was."""
    folder = reports_dir() / slug
    pages = [folder / f"{stem}.html" for stem in ("01_baseline", "02_change_over_time", "03_next_steps")]
    for page in pages:
        require_built(page, slug)
    for page in pages:
        summary_on_first_screen(browser, page)
    if slug == "bolton":
        assert text_before_method(browser, pages[0]) <= BOLTON_TEXT_BEFORE / 3


def test_standin_index_and_report_in_a_real_browser(browser):
    result = runs.standin_run()
    root = result["root"]
    index = read_as_a_reader(browser, root / "index.html", root, "standin-index")
    assert "Standin Alpha" in index["text"] and "synthetic" in index["text"]
    page = read_as_a_reader(browser, root / "standin-alpha" / "01_baseline.html", root, "standin-alpha-01_baseline")
    # The hostile supplier shows as text (an alert would have broken the calls above).
    assert "<script>alert(1)</script>" in page["text"]
    assert len(page["images"]) == 1, "the stand-in's one chart"
    assert {Path(urlparse(h).path).name for h in page["csv_links"]} == {
        "suppliers.csv",
        "suppliers-curve.csv",
        "definitions.csv",
    }
    assert "Provenance" in page["text"] and "Definitions in force" in page["text"]


@pytest.mark.slow
@pytest.mark.realdata
def test_demo_index_and_reports_in_a_real_browser(browser, built_reference):
    result = runs.demo_runs()[0]
    assert result["code"] == 0, result["stderr"][-3000:]
    root = result["root"]
    index = read_as_a_reader(browser, root / "index.html", root, "index")
    assert "Preston" in index["text"] and "synthetic" in index["text"]
    for stem in ("01_baseline", "02_change_over_time", "03_next_steps"):
        page = read_as_a_reader(browser, root / "preston-demo" / f"{stem}.html", root, f"preston-demo-{stem}")
        assert len(page["csv_links"]) >= 3, f"{stem}: tables not linked"
        assert page["images"], f"{stem}: no chart"
        assert "Synthetic data" in page["text"] and "Provenance" in page["text"]
        summary_on_first_screen(browser, root / "preston-demo" / f"{stem}.html")
        assert "\nMethod and data\n" in page["text"]
