"""Safety: supplier and ledger text is inert in HTML; outputs stay under reports/ and the processed
folder whatever a config says; a run makes no network connection; a run that fails part-way leaves
the previous report exactly as it was."""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

from cwbtools.cli import main
from cwbtools.config import load_config
from cwbtools.errors import ConfigError, CwbError
from cwbtools.report import html as report
from cwbtools.report import parameters, provenance, run

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE / "data" / "bad"))
sys.path.insert(0, str(HERE / "data" / "notebooks"))
import city_run  # noqa: E402

STANDINS = HERE / "data" / "notebooks"


class _Elements(HTMLParser):
    """Every tag with its attributes, and the text a reader sees."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def _elements(html: str) -> _Elements:
    parser = _Elements()
    parser.feed(html)
    return parser


def _assert_inert(html: str) -> None:
    # The index's own column sort is the one script allowed, as its exact text (its CSP hash lets
    # nothing else run): a ledger's `<script>` is never it.
    from cwbtools.report.index import SORT_SCRIPT

    doc = _elements(html.replace(f"<script>{SORT_SCRIPT}</script>", ""))
    for tag, attrs in doc.tags:
        assert tag not in ("script", "iframe", "object", "embed"), tag
        handlers = [a for a in attrs if a.lower().startswith("on")]
        assert not handlers, (tag, attrs)
        for name in ("href", "src", "action"):
            assert not str(attrs.get(name) or "").strip().lower().startswith(("javascript:", "vbscript:")), attrs


# ---- HTML --------------------------------------------------------------------------------------

HOSTILE = [
    '<script>alert("x")</script>',
    "<img src=x onerror=alert(1)>",
    '<a href="javascript:alert(1)">click</a>',
    "<svg onload=alert(1)>",
    '"><iframe src=//evil.example>',
    "<style>body{display:none}</style>",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_a_supplier_name_is_text_in_a_table_and_after_cleaning(text, tmp_path):
    import pandas as pd

    from cwbtools.report import present

    # `name_shown`: organisations (a register match, say), so the report names them (cwbtools.privacy).
    frame = pd.DataFrame(
        {
            "supplier_name": [text, "Plain Ltd"],
            "supplier_type": ["sme", "sme"],
            "spend_pence": [100, 200],
            "name_shown": [True, True],
        }
    )
    block = present.table(frame, "hostile", f"Title {text}", f"Based on {text}", tmp_path)
    html = block.data if hasattr(block, "data") else str(block)
    for fragment in (html, report.clean_html(html), report.clean_html(text)):
        _assert_inert(fragment)
    assert text in "".join(_elements(html).text)  # shown to the reader, as text
    assert pd.read_csv(tmp_path / "data" / "hostile.csv")["supplier_name"][0] == text  # the CSV keeps it exactly


@pytest.mark.slow
@pytest.mark.realdata
def test_markup_in_a_real_ledger_is_inert_in_every_report_page(built_reference, spend_dir):
    result = city_run.privacy_city_run()
    assert result["code"] == 0, result["stderr"][-3000:]
    pages = sorted(result["reports"].rglob("*.html"))
    assert len(pages) >= 4
    for page in pages:
        _assert_inert(page.read_text())
    baseline = "".join(_elements((result["city"] / "01_baseline.html").read_text()).text)
    for name in city_run.MARKUP:
        assert name in baseline, f"{name!r} should be shown as text in the top-suppliers table"


# ---- paths -------------------------------------------------------------------------------------

_CONFIG = """\
name: {name}
slug: {slug}
place: {{name: Preston, lad_codes: [E07000123]}}
wider_area: {{name: Lancashire, lad_codes: [E07000117, E07000123]}}
years: [2019/20]
synthetic: true
anchors:
  - {{name: {anchor}, kind: council, ledgers: [x.csv]}}
"""

TRAVERSALS = [
    "../evil",
    "../../etc",
    "/tmp/evil",
    "a/../../b",
    "..",
    ".",
    "x\\..\\y",
    "%2e%2e",
    "evil/",
    "Evil",
    "~root",
    "-rf",
    "reports/../..",
    ".hidden",
    "x\x00y",
    "ok\nslug",
]


@pytest.mark.parametrize("slug", TRAVERSALS)
def test_a_slug_that_could_leave_its_folder_is_refused(slug, tmp_path):
    import json

    path = tmp_path / "city.yml"
    path.write_text(_CONFIG.format(name="Town", slug=json.dumps(slug), anchor="Council"))
    with pytest.raises(ConfigError, match="slug"):
        load_config(path, check_inputs=False, resolve_areas=False)
    with pytest.raises(CwbError):
        report.city_dir(slug, tmp_path / "reports")
    assert not (tmp_path / "evil").exists() and not (tmp_path.parent / "evil").exists()


def test_a_hostile_city_or_anchor_name_writes_only_under_its_slug(tmp_path):
    """Names are labels, never paths: the report folder is reports/<slug>."""
    path = tmp_path / "city.yml"
    path.write_text(_CONFIG.format(name='"../../etc/passwd"', slug="safe-town", anchor='"../../../tmp/evil"'))
    config = load_config(path, check_inputs=False, resolve_areas=False)
    assert report.city_dir(config.slug, tmp_path / "reports") == (tmp_path / "reports" / "safe-town").resolve()
    from cwbtools.city import spend as cache
    from cwbtools.paths import processed_dir

    assert cache.city_dir(config) == processed_dir() / "safe-town"


def test_a_synthetic_config_cannot_make_the_demo_writer_write_for_it(tmp_path, monkeypatch):
    """Only the Preston demo's ledgers are ever generated, into their own folder: a config calling
    itself synthetic gets an error, not files written where its ledger paths point."""
    from cwbtools.city import spend as cache

    monkeypatch.setenv("CWB_PROCESSED", str(tmp_path / "processed"))
    path = tmp_path / "city.yml"
    # allow_outside_data: the path is refused on loading otherwise (tests/test_messages.py); here
    # the demo writer's own guard is under test.
    path.write_text(
        _CONFIG.format(name="Town", slug="elsewhere", anchor="Council").replace(
            "ledgers: [x.csv]", 'ledgers: ["../../cwb-evil/ledger.csv"]'
        )
        + "allow_outside_data: true\n"
    )
    config = load_config(path, check_inputs=False, resolve_areas=False)
    with pytest.raises(CwbError, match="only the 'preston-demo' demo"):
        cache.build_city(config)
    assert not (tmp_path.parent.parent / "cwb-evil").exists() and not (tmp_path / "processed" / "demo").exists()


@pytest.mark.parametrize("name", ["../../evil", "/tmp/cwb-evil-table", "..\\evil", "data/../../evil"])
def test_a_table_name_cannot_write_outside_the_data_folder(name, tmp_path):
    import pandas as pd

    from cwbtools.report import present

    report_dir = tmp_path / "reports" / "town"
    present.table(pd.DataFrame({"a": [1]}), name, "t", "b", report_dir)
    written = [p for p in tmp_path.rglob("*.csv")]
    assert len(written) == 1 and written[0].parent == report_dir / "data", written
    assert not Path("/tmp/cwb-evil-table.csv").exists()


@pytest.mark.parametrize("value", ["/tmp/cwb-evil", "../../cwb-evil"])
def test_the_report_folder_cannot_be_redirected_by_a_parameter(value, tmp_path):
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        code = main(
            [
                "run",
                str(STANDINS / "standin-a.yml"),
                "-p",
                f"report_dir={value}",
                "--reports",
                str(tmp_path / "reports"),
                "--notebooks",
                str(STANDINS),
            ]
        )
    assert code != 0 and "report_dir" in err.getvalue()
    assert not Path("/tmp/cwb-evil").exists() and not (tmp_path / "reports").exists()


def test_nothing_outside_the_reports_folder_is_written_through_a_symlink(tmp_path):
    root = tmp_path / "reports"
    root.mkdir()
    (root / "town").symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    with pytest.raises(CwbError, match="outside the reports folder"):
        report.city_dir("town", root)


# ---- network -----------------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.realdata
def test_a_run_makes_no_network_connection(built_reference, spend_dir):
    result = city_run.privacy_city_run()
    assert result["code"] == 0, result["stderr"][-3000:]
    log = result["network_log"]
    attempts = log.read_text() if log.exists() else ""
    assert attempts == "", f"network connections attempted during a run:\n{attempts}"
    # The guard is live in the same environment: a connection is refused and logged.
    probe = subprocess.run(
        [sys.executable, "-c", "import socket; socket.create_connection(('192.0.2.1', 80), 1)"],
        env=result["env"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert probe.returncode != 0 and "network blocked by the test" in probe.stderr
    assert "192.0.2.1" in log.read_text()
    log.write_text("")


# ---- atomic outputs ----------------------------------------------------------------------------


def _tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def previous_report(tmp_path, monkeypatch):
    """A finished report to protect, and a runner whose notebooks "execute" by copying (no kernels:
    what is under test is the build-render-swap around them, which runs for real)."""
    import shutil

    root = tmp_path / "reports"
    plan = run.load_plan(STANDINS / "standin-a.yml")
    previous = root / plan.slug
    (previous / "data").mkdir(parents=True)
    (previous / "summary.json").write_text('{"city": "Standin Alpha", "previous": true}\n')
    (previous / "01_baseline.html").write_text("<!DOCTYPE html><title>previous</title><p>previous report</p>\n")
    (previous / "data" / "headline.csv").write_text("measure,value\nplace_share,0.1\n")

    def execute(nb, out, params, kernel):
        shutil.copy(nb, out)
        return {"total": 0.0, "kernel": 0.0, "analysis": 0.0}

    monkeypatch.setattr(run, "_execute", execute)
    return root, plan, parameters.notebook_paths(STANDINS), _tree(previous)


def _no_leftovers(root: Path) -> None:
    assert not [p.name for p in root.iterdir() if ".building-" in p.name or ".old-" in p.name]


def test_a_crash_while_rendering_leaves_the_previous_report(previous_report, monkeypatch):
    root, plan, notebooks, before = previous_report
    calls = []
    real = report.render_notebook

    def fail_second(record, *args, **kwargs):
        calls.append(record.stem)
        if len(calls) == 2:
            raise MemoryError("the machine ran out of memory half way through")
        return real(record, *args, **kwargs)

    monkeypatch.setattr(report, "render_notebook", fail_second)
    result = run.run_city(plan, notebooks, root=root)
    assert not result.ok and "MemoryError" in result.failures[0].line()
    assert _tree(root / plan.slug) == before
    _no_leftovers(root)


def test_an_interrupt_mid_run_leaves_the_previous_report(previous_report, monkeypatch):
    root, plan, notebooks, before = previous_report

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(provenance, "write_provenance", interrupted)
    with pytest.raises(KeyboardInterrupt):
        run.run_city(plan, notebooks, root=root)
    assert _tree(root / plan.slug) == before
    _no_leftovers(root)


def test_a_failure_inside_the_swap_leaves_the_previous_report(previous_report, monkeypatch):
    root, plan, notebooks, before = previous_report
    real = os.replace
    calls = []

    def flaky(src, dst):
        calls.append((src, dst))
        if ".building-" in str(src) and Path(dst) == (root / plan.slug).resolve():  # the swap itself
            raise OSError(28, "No space left on device")
        return real(src, dst)

    monkeypatch.setattr(run.os, "replace", flaky)
    result = run.run_city(plan, notebooks, root=root)
    monkeypatch.setattr(run.os, "replace", real)
    assert not result.ok
    assert (root / plan.slug).is_dir() and _tree(root / plan.slug) == before


def test_a_run_that_succeeds_replaces_the_previous_report_whole(previous_report):
    """The control for the tests above: with nothing failing the same runner does swap the report in."""
    root, plan, notebooks, before = previous_report
    result = run.run_city(plan, notebooks, root=root)
    assert result.ok, result.failures
    after = _tree(root / plan.slug)
    assert after != before and "data/headline.csv" not in after and "01_baseline.html" in after
    _no_leftovers(root)
