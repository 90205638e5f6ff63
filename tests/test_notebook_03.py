"""Notebook 03 (next steps): committed clean, and runs end to end with papermill on the demo."""

from __future__ import annotations

import ast
import json

import nbformat
import pandas as pd
import pytest

from cwbtools.paths import repo_root

NOTEBOOK = repo_root() / "notebooks" / "03_next_steps.ipynb"


def test_committed_without_outputs_and_one_parameters_cell():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    params = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(params) == 1
    src = params[0].source
    for name in ("config_path", "year", "report_dir"):
        assert f"{name}:" in src or f"{name} =" in src
    assert "years" not in src  # 03 takes one year (CONTRACTS §6)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None


def test_cells_name_the_analysis_they_run():
    """The one notebook style: an imports cell, one setup line, then short cells that call the
    analysis functions by name (no facade); summary.json written by a cell hidden from readers."""
    nb = nbformat.read(NOTEBOOK, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"][1:]  # after the parameters
    imports, setup, rest = code[0], code[1], code[2:]
    assert all(
        isinstance(n, ast.ImportFrom) and n.module.startswith("cwbtools.") for n in ast.parse(imports.source).body
    )
    assert setup.source == 'r = open_report(config_path, year=year, report_dir=report_dir, default_year="latest")'
    for cell in rest:
        lines = [line for line in cell.source.splitlines() if line.strip()]
        assert len(lines) <= 3 and max(map(len, lines)) <= 100, cell.source
    text = "\n".join(c.source for c in rest)
    assert "NextSteps" not in text and "import" not in text
    for call in (
        "leakage.by_sector(",
        "influenceable.classify(",
        "gaps.opportunities(",
        "scenarios.uplift(",
        "scenarios.trajectory(",
        "recommendations.from_tables(",
        "charts.leakage_by_sector(",
        "charts.trajectory(",
    ):
        assert call in text, call
    hidden = [c for c in rest if "remove-cell" in c.metadata.get("tags", [])]
    assert [c.source for c in hidden] == ["r.summary(summary.next_steps_part(r.year, measures, scen))"]


@pytest.fixture(scope="module")
def demo_run(built_reference, tmp_path_factory):
    papermill = pytest.importorskip("papermill")
    tmp = tmp_path_factory.mktemp("nb03")
    report = tmp / "report"
    papermill.execute_notebook(
        str(NOTEBOOK),
        str(tmp / "out.ipynb"),
        cwd=str(repo_root()),
        kernel_name="python3",
        progress_bar=False,
        parameters={"config_path": "configs/preston-demo.yml", "year": "2012/13", "report_dir": str(report)},
    )
    return report


@pytest.mark.slow
def test_runs_on_the_preston_demo(demo_run):
    import pandas as pd

    report = demo_run
    summary = json.loads((report / "summary.json").read_text())
    assert summary["next_steps_year"] == "2012/13"
    # CLES: £458m leaked out of Lancashire in 2012/13 (the demo is calibrated to it).
    assert summary["leakage_gbp"] == pytest.approx(458_000_000, abs=200_000)
    assert 0 < summary["influenceable_gbp"] < 750_000_000
    for s in summary["scenarios"]:
        assert s["direct_uplift_gbp"] >= 0
        assert s["respend_uplift_gbp_low"] <= s["respend_uplift_gbp"] <= s["respend_uplift_gbp_high"]
    data = report / "data"
    for name in (
        "leakage-by-sector",
        "leakage-by-sector-chart",
        "exclusions",
        "gap-analysis",
        "scenarios",
        "contract-awards",
        "contracts-ending-soon",
        "recommendations",
        "trajectory",
        "trajectory-chart",
    ):
        assert (data / f"{name}.csv").exists(), name
    # Nothing lost: the exclusions table reconciles to the penny.
    ex = pd.read_csv(data / "exclusions.csv")
    assert round(ex["spend_gbp"].iloc[:-2].sum() * 100) + round(ex["spend_gbp"].iloc[-2] * 100) == round(
        ex["spend_gbp"].iloc[-1] * 100
    )
    # Individuals are never named.
    sup = pd.read_csv(data / "leakage-suppliers.csv")
    assert not sup["supplier_type"].eq("individual").any()
    assert not sup["supplier_name"].str.contains("redacted", case=False).any()


@pytest.mark.slow
def test_cles_scenario_gives_37_5m(demo_run):
    """CLES's own scenario: Preston's share from 5% to 10% of the 2012/13 total of £750m."""
    summary = json.loads((demo_run / "summary.json").read_text())
    cles = next(s for s in summary["scenarios"] if s["name"].startswith("CLES"))
    assert cles["to_share"] == 0.10
    assert cles["base_total_gbp"] == 750_000_000
    assert cles["from_share"] == 0.05
    assert cles["direct_uplift_gbp"] == 37_500_000
    assert cles["scenario_base"] == "procurement"  # as CLES stated it
    # Re-spend and input-output on separate lines; the regional (FLQ) figure is far below re-spend.
    assert 15_000_000 <= cles["respend_uplift_gbp_low"] <= cles["respend_uplift_gbp_high"]  # 40p per £1 and up
    assert 0 < cles["io_indirect_uplift_gbp"] < 0.5 * 37_500_000
    # One pound figure everywhere: the trajectory (and its chart) ends on it, the recommendation names it.
    data = demo_run / "data"
    table = pd.read_csv(data / "scenarios.csv")
    assert table.loc[table["name"] == cles["name"], "direct_uplift_gbp"].iloc[0] == 37_500_000
    # The trajectory heads for the first scenario still ahead in the latest year: it ends on that one's pounds.
    assert pd.read_csv(data / "trajectory.csv")["uplift_gbp"].iloc[-1] in set(table["direct_uplift_gbp"])
    recs = pd.read_csv(data / "recommendations.csv")
    assert (recs.loc[recs["based_on_table"] == "scenarios", "figure_gbp"] == 37_500_000).all()
