"""Committed notebooks are narrative, not records: no outputs, no execution counts, one
`parameters` cell with exactly the names of docs/CONTRACTS.md §6."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from cwbtools import run

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb")) + sorted((ROOT / "tests" / "data" / "notebooks").glob("*.ipynb"))
CONTRACT = {
    "01_baseline": {"config_path", "year", "report_dir"},
    "02_change_over_time": {"config_path", "years", "report_dir"},
    "03_next_steps": {"config_path", "year", "report_dir"},
}


def test_the_three_report_notebooks_are_committed():
    assert sorted(p.stem for p in (ROOT / "notebooks").glob("*.ipynb")) == sorted(CONTRACT)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[str(p.relative_to(ROOT)) for p in NOTEBOOKS])
def test_notebook_carries_no_outputs_and_no_execution_counts(path):
    nb = nbformat.read(str(path), as_version=4)
    nbformat.validate(nb)
    dirty = [i for i, c in enumerate(nb.cells) if c.cell_type == "code" and (c.outputs or c.execution_count is not None)]
    assert not dirty, f"{path.name}: cells {dirty} carry outputs or execution counts; clear them before committing"
    assert "papermill" not in nb.metadata, f"{path.name} is an executed copy (papermill metadata), not the source"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[str(p.relative_to(ROOT)) for p in NOTEBOOKS])
def test_notebook_has_one_parameters_cell_with_the_contract_names(path):
    nb = nbformat.read(str(path), as_version=4)
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1, f"{path.name}: {len(tagged)} cells tagged 'parameters'"
    assert set(run.notebook_parameters(path)) == CONTRACT[path.stem]
