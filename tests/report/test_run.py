"""`cwb run`: parameters checked against the notebooks, cities isolated from each other, outputs
swapped in atomically and kept inside reports/, runs reproducible."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from cwbtools.errors import ConfigError, CwbError
from cwbtools.report import parameters, run
from cwbtools.report.html import check_slug, inside

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "data" / "notebooks"))
import runs  # noqa: E402

STANDINS = runs.HERE
NOTEBOOKS = parameters.notebook_paths(STANDINS)


def test_parameters_are_read_from_the_cell_even_where_papermill_misses_them():
    import papermill

    path = STANDINS / "01_baseline.ipynb"
    # papermill's line parser skips `year: str | None = None`; the runner must not.
    assert "year" not in papermill.inspect_notebook(str(path))
    assert set(parameters.notebook_parameters(path)) == {"config_path", "year", "report_dir"}
    assert set(parameters.notebook_parameters(STANDINS / "02_change_over_time.ipynb")) == {
        "config_path",
        "years",
        "report_dir",
    }


def test_a_misspelt_parameter_is_an_error_naming_the_nearest():
    with pytest.raises(CwbError, match=r"unknown notebook parameter 'yaer'; did you mean 'year'\?"):
        parameters.check_parameters(NOTEBOOKS, {"yaer": "2019/20"})


def test_each_parameter_goes_only_to_the_notebooks_that_declare_it():
    routed = parameters.check_parameters(NOTEBOOKS, {"year": "2019/20", "years": ["2018/19", "2019/20"]})
    assert routed == {
        "01_baseline": {"year": "2019/20"},
        "02_change_over_time": {"years": ["2018/19", "2019/20"]},
        "03_next_steps": {"year": "2019/20"},
    }


def test_the_runner_sets_config_and_report_dir_itself():
    with pytest.raises(CwbError, match="report_dir"):
        parameters.check_parameters(NOTEBOOKS, {"report_dir": "/etc"})


def test_parameters_on_the_command_line_are_read_as_yaml():
    assert parameters.parse_parameters(["year=2019/20", "years=[2018/19, 2019/20]", "flag=true"]) == {
        "year": "2019/20",
        "years": ["2018/19", "2019/20"],
        "flag": True,
    }
    with pytest.raises(CwbError, match="NAME=VALUE"):
        parameters.parse_parameters(["year"])


def test_a_year_the_config_does_not_have_is_an_error():
    plan = run.load_plan(runs.STANDIN_A)
    assert plan.slug == "standin-alpha" and plan.synthetic
    with pytest.raises(ConfigError, match=r"01_baseline: year 2020/21 is not one of standin-a.yml's years"):
        run._check_years(plan, {"01_baseline": {"year": "2020/21"}})


@pytest.mark.parametrize("slug", ["../evil", "a/b", "", ".hidden", "UPPER", "x" * 65, "/abs"])
def test_a_slug_that_could_leave_reports_is_refused(slug):
    with pytest.raises(ConfigError, match="slug"):
        check_slug(slug)


def test_paths_outside_the_reports_folder_are_refused(tmp_path):
    root = tmp_path / "reports"
    root.mkdir()
    (tmp_path / "elsewhere").mkdir()
    (root / "link").symlink_to(tmp_path / "elsewhere")
    assert inside(root, root / "city") == (root / "city").resolve()
    for bad in (root / ".." / "x", root / "link", root):
        with pytest.raises(CwbError, match="outside the reports folder"):
            inside(root, bad)


def test_only_the_demo_and_real_configs_with_data_are_chosen_by_default(tmp_path, monkeypatch):
    monkeypatch.setenv("CWB_DATA", str(tmp_path))  # no shared data at all
    chosen, skipped = run.default_and_available()
    assert [p.name for p in chosen] == ["preston-demo.yml"]
    assert skipped, "every real-data config should be skipped without its data"
    for path, reason in skipped:
        assert "missing" in reason and str(tmp_path) in reason, (path, reason)


def test_default_and_available_takes_real_configs_whose_data_is_present(shared_data):
    chosen, skipped = run.default_and_available()
    names = {p.name for p in chosen}
    assert "preston-demo.yml" in names
    assert "oxford.yml" in names, skipped  # Oxford's ledgers are in the shared data


def test_notebook_parts_merge_in_reading_order(tmp_path):
    from cwbtools.report import summary

    build = tmp_path / "build"
    for stem, part in (
        ("01", {"city": "X", "years": {"2019/20": {"total_gbp": 1.5}}}),
        ("02", {"years": {"2018/19": {"total_gbp": 2.0}, "2019/20": {"place_share": 0.25}}}),
    ):
        folder = build / ".parts" / stem
        (folder / "data").mkdir(parents=True)
        (folder / "data" / f"t{stem}.csv").write_text(f"a\n{stem}\n")
        summary.update(folder, part)
    assert run._merge_part(build / ".parts" / "01", build) == ["t01.csv"]
    assert run._merge_part(build / ".parts" / "02", build) == ["t02.csv"]
    assert summary.read(build) == {
        "city": "X",
        "schema_version": summary.SCHEMA_VERSION,
        "years": {"2018/19": {"total_gbp": 2.0}, "2019/20": {"total_gbp": 1.5, "place_share": 0.25}},
    }
    assert sorted(p.name for p in (build / "data").iterdir()) == ["t01.csv", "t02.csv"]


# -------------------------------------------------------------------------------------------
# A real batch of stand-in notebooks: two cities in two processes, one failing


def test_one_failing_city_does_not_stop_the_others():
    result = runs.standin_run()
    root = result["root"]
    assert result["code"] == 1
    alpha = root / "standin-alpha"
    for stem in ("01_baseline", "02_change_over_time", "03_next_steps"):
        assert (alpha / f"{stem}.ipynb").is_file() and (alpha / f"{stem}.html").is_file()
    summary = json.loads((alpha / "summary.json").read_text())
    assert summary["change"]["place_share_change"] == pytest.approx(0.05)
    # The failure summary names the city, the notebook, the cell and the error line.
    err = result["stderr"]
    assert "1 failure(s):" in err
    assert "Standin Beta: 01_baseline, cell In [" in err
    assert "RuntimeError: stand-in failure for standin-beta" in err


def test_a_failed_run_leaves_the_previous_report_in_place():
    root = runs.standin_run()["root"]
    beta = root / "standin-beta"
    assert json.loads((beta / "summary.json").read_text()) == {"city": "Standin Beta", "previous": True}
    assert "previous report" in (beta / "01_baseline.html").read_text()
    failed = root / ".failed" / "standin-beta"
    assert (failed / "01_baseline.ipynb").is_file(), "the failed run's executed notebook is kept"
    # No temporary build folder is left behind.
    assert not [p for p in root.iterdir() if ".building-" in p.name or ".old-" in p.name]


def test_every_table_is_written_inside_the_city_folder_and_linked():
    root = runs.standin_run()["root"]
    alpha = root / "standin-alpha"
    assert sorted(p.name for p in (alpha / "data").iterdir()) == [
        "definitions.csv",
        "place-share-by-year.csv",
        "scenarios.csv",
        "suppliers-curve.csv",
        "suppliers-curve.png",
        "suppliers-curve.svg",
        "suppliers.csv",
    ]
    assert 'href="data/suppliers.csv"' in (alpha / "01_baseline.html").read_text()
    assert 'href="data/place-share-by-year.csv"' in (alpha / "02_change_over_time.html").read_text()
    provenance = json.loads((alpha / "provenance.json").read_text())
    assert provenance["config_file"].endswith("standin-a.yml")
    assert set(provenance["notebook_seconds"]) == {"01_baseline", "02_change_over_time", "03_next_steps"}


def test_one_notebook_can_be_rerun_keeping_the_rest(tmp_path):
    import shutil

    from cwbtools.cli import main

    root = tmp_path / "reports"
    shutil.copytree(runs.standin_run()["root"] / "standin-alpha", root / "standin-alpha")
    before = (root / "standin-alpha" / "01_baseline.html").read_text()
    code = main(
        [
            "run",
            str(runs.STANDIN_A),
            "--only",
            "02",
            "-p",
            "years=[2018/19, 2019/20]",
            "--reports",
            str(root),
            "--notebooks",
            str(STANDINS),
        ]
    )
    assert code == 0
    folder = root / "standin-alpha"
    assert (folder / "01_baseline.html").read_text() == before
    assert (folder / "03_next_steps.html").is_file()
    assert (folder / "02_change_over_time.html").is_file()
    assert "standin-alpha/01_baseline.html" in (root / "index.html").read_text()


def test_an_invalid_config_fails_alone_with_its_key_named(tmp_path, capsys):
    from cwbtools.cli import main

    bad = tmp_path / "bad.yml"
    bad.write_text(runs.STANDIN_A.read_text().replace("years:", "yeras:"))
    # Among others: a line in the failure summary, the others go on.
    code = main(
        [
            "run",
            str(bad),
            str(tmp_path / "gone.yml"),
            "--reports",
            str(tmp_path / "reports"),
            "--notebooks",
            str(STANDINS),
        ]
    )
    assert code == 1
    err = capsys.readouterr().err
    assert "bad.yml: (config), -: " in err and "unknown key 'yeras'" in err
    assert "gone.yml: (config), -: " in err
    # Alone: its reason is the whole answer, one line, exit 2 as for any user mistake.
    code = main(["run", str(bad), "--reports", str(tmp_path / "reports"), "--notebooks", str(STANDINS)])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and err.startswith("cwb: error: ") and "unknown key 'yeras'" in err


# -------------------------------------------------------------------------------------------
# The real notebooks on the demo


def _real_notebooks_or_skip():
    try:
        parameters.notebook_paths()
    except CwbError as exc:
        pytest.skip(f"the real notebooks have not landed: {exc}")


@pytest.mark.slow
@pytest.mark.realdata
def test_the_demo_report_runs_and_two_runs_agree_to_the_byte(built_reference):
    """One run one notebook after another, one with the notebooks side by side: same bytes."""
    _real_notebooks_or_skip()
    first, second = runs.demo_runs()
    assert first["code"] == 0, first["stderr"][-3000:]
    assert second["code"] == 0, second["stderr"][-3000:]
    a, b = first["root"] / "preston-demo", second["root"] / "preston-demo"
    assert (a / "summary.json").read_bytes() == (b / "summary.json").read_bytes()
    tables_a = sorted(p.name for p in (a / "data").glob("*.csv"))
    assert tables_a == sorted(p.name for p in (b / "data").glob("*.csv"))
    assert len(tables_a) >= 5
    for name in tables_a:
        assert (a / "data" / name).read_bytes() == (b / "data" / name).read_bytes(), name
    summary = json.loads((a / "summary.json").read_text())
    assert summary["synthetic"] is True
    index = (first["root"] / "index.html").read_text()
    assert "Preston" in index and "synthetic" in index
