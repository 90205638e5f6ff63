"""Committed notebooks are narrative, not records, all in one style (docs/CONTRACTS.md §6):
no outputs, no execution counts, one `parameters` cell with exactly the contract's names; then one
import cell, the visible setup line `r = open_report(...)`, and short cells that name the analysis
function behind each table and chart. The stand-in notebooks the runner's tests use are held to the
same shape (their tables are made by hand, so not to the naming rule)."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import nbformat
import pytest

from cwbtools.paths import repo_root
from cwbtools.report import parameters

ROOT = repo_root()
REPORT_NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
STANDINS = sorted((ROOT / "tests" / "data" / "notebooks").glob("*.ipynb"))
NOTEBOOKS = REPORT_NOTEBOOKS + STANDINS
CONTRACT = {
    "01_baseline": {"config_path", "year", "report_dir"},
    "02_change_over_time": {"config_path", "years", "report_dir"},
    "03_next_steps": {"config_path", "year", "report_dir"},
}
MAX_LINES, MAX_CHARS = 3, 100
HIDING_TAGS = {
    "remove-cell",
    "remove_cell",
    "remove-input",
    "remove_input",
    "hide-input",
    "hide_input",
    "hide-cell",
    "hide_cell",
    "remove-output",
    "remove_output",
    "hide-output",
    "hide_output",
}
# The packages whose functions make a notebook's tables and charts.
MAKERS = ("cwbtools.analysis", "cwbtools.report.charts")


def _ids(paths):
    return [str(p.relative_to(ROOT)) for p in paths]


def _code_cells(path: Path) -> list:
    nb = nbformat.read(str(path), as_version=4)
    return [c for c in nb.cells if c.cell_type == "code"]


def _is_params(cell) -> bool:
    return "parameters" in cell.metadata.get("tags", [])


def _calls(tree: ast.AST, obj: str, method: str) -> list[ast.Call]:
    return [
        n
        for n in ast.walk(tree)
        if isinstance(n, ast.Call)
        and isinstance(n.func, ast.Attribute)
        and n.func.attr == method
        and isinstance(n.func.value, ast.Name)
        and n.func.value.id == obj
    ]


def test_the_three_report_notebooks_are_committed():
    assert sorted(p.stem for p in REPORT_NOTEBOOKS) == sorted(CONTRACT)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_notebook_carries_no_outputs_and_no_execution_counts(path):
    nb = nbformat.read(str(path), as_version=4)
    nbformat.validate(nb)
    dirty = [
        i for i, c in enumerate(nb.cells) if c.cell_type == "code" and (c.outputs or c.execution_count is not None)
    ]
    assert not dirty, f"{path.name}: cells {dirty} carry outputs or execution counts; clear them before committing"
    assert "papermill" not in nb.metadata, f"{path.name} is an executed copy (papermill metadata), not the source"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_notebook_has_one_parameters_cell_with_the_contract_names(path):
    cells = _code_cells(path)
    tagged = [c for c in cells if _is_params(c)]
    assert len(tagged) == 1, f"{path.name}: {len(tagged)} cells tagged 'parameters'"
    assert cells[0] is tagged[0], f"{path.name}: the parameters cell is not the first code cell"
    assert set(parameters.notebook_parameters(path)) == CONTRACT[path.stem]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_every_cell_is_short(path):
    """Every code cell but the parameters cell: at most 3 lines (the import cell as many as it
    needs) of at most 100 characters, and no loops (the logic lives in the package)."""
    for i, cell in enumerate(_code_cells(path)[1:]):
        lines = cell.source.splitlines()
        assert i == 0 or len(lines) <= MAX_LINES, f"{path.name}: a cell of {len(lines)} lines:\n{cell.source}"
        long = [line for line in lines if len(line) > MAX_CHARS]
        assert not long, f"{path.name}: lines over {MAX_CHARS} characters: {long}"
        loops = [
            n
            for n in ast.walk(ast.parse(cell.source))
            if isinstance(n, (ast.For, ast.While, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp))
        ]
        assert not loops, f"{path.name}: a loop in a cell:\n{cell.source}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_imports_and_setup_are_visible_and_only_the_summary_is_hidden(path):
    """One cell of imports, right after the parameters; then, visible, `r = open_report(config_path,
    ..., report_dir=report_dir)`; the only cell hidden from readers is the one that writes the
    notebook's part of summary.json (`r.summary(...)`)."""
    cells = _code_cells(path)[1:]
    trees = [ast.parse(c.source) for c in cells]
    with_imports = [
        i for i, t in enumerate(trees) if any(isinstance(n, (ast.Import, ast.ImportFrom)) for n in ast.walk(t))
    ]
    assert with_imports == [0], f"{path.name}: imports belong in one cell, the first after the parameters"
    assert all(isinstance(n, (ast.Import, ast.ImportFrom)) for n in trees[0].body), (
        f"{path.name}: the import cell only imports"
    )

    setups = [
        (i, n)
        for i, t in enumerate(trees)
        for n in t.body
        if isinstance(n, ast.Assign) and [getattr(x, "id", None) for x in n.targets] == ["r"]
    ]
    assert len(setups) == 1, f"{path.name}: `r = open_report(...)` should appear once"
    at, setup = setups[0]
    call = setup.value
    assert isinstance(call, ast.Call) and getattr(call.func, "id", None) == "open_report"
    assert getattr(call.args[0], "id", None) == "config_path"
    assert {(k.arg, getattr(k.value, "id", None)) for k in call.keywords} >= {("report_dir", "report_dir")}
    assert not HIDING_TAGS & set(cells[at].metadata.get("tags", [])), f"{path.name}: the setup line is hidden"
    assert not any(n.id == "r" for t in trees[:at] for n in ast.walk(t) if isinstance(n, ast.Name)), (
        f"{path.name}: `r` is used before it is opened"
    )

    hidden = [c for c in cells if HIDING_TAGS & set(c.metadata.get("tags", []))]
    assert len(hidden) == 1, f"{path.name}: {len(hidden)} hidden cells; only the summary cell is hidden"
    assert _calls(ast.parse(hidden[0].source), "r", "summary"), f"{path.name}: the hidden cell is not the summary"
    assert set(hidden[0].metadata["tags"]) & {"remove-cell", "remove_cell"}, "the summary cell is removed whole"


def _makers(import_cell: str) -> dict[str, object]:
    """The names the import cell binds to modules of `MAKERS`: alias -> module."""
    out = {}
    for node in ast.parse(import_cell).body:
        if isinstance(node, ast.ImportFrom) and node.module:
            for alias in node.names:
                name = f"{node.module}.{alias.name}"
                if name.startswith(MAKERS):
                    out[alias.asname or alias.name] = importlib.import_module(name)
    return out


def _dotted(node: ast.AST) -> list[str] | None:
    """`a.b.c` as ["a", "b", "c"]; None for anything but names and attributes."""
    if isinstance(node, ast.Name):
        return [node.id]
    if isinstance(node, ast.Attribute):
        head = _dotted(node.value)
        return None if head is None else [*head, node.attr]
    return None


def _named_makers(expr: ast.AST, makers: dict, made: set[str]) -> list[str]:
    """The functions of `makers` that `expr` names (`baseline.spend_by_lad`, or through a
    sub-module: `nextsteps.leakage.by_sector`), directly or through a name `made` from them earlier.
    Each function named must exist."""
    inner = {id(n.value) for n in ast.walk(expr) if isinstance(n, ast.Attribute)}
    found = []
    for node in ast.walk(expr):
        path = _dotted(node) if id(node) not in inner else None
        if path and len(path) > 1 and path[0] in makers:
            target = makers[path[0]]
            for part in path[1:]:
                target = getattr(target, part, None)
            assert callable(target), f"{'.'.join(path)}: no such function"
            found.append(".".join(path))
        elif isinstance(node, ast.Name) and node.id in made:
            found.append(node.id)
    return found


@pytest.mark.parametrize("path", REPORT_NOTEBOOKS, ids=_ids(REPORT_NOTEBOOKS))
def test_every_table_and_chart_names_the_function_that_makes_it(path):
    """For `r.table(X, ...)`: X is an input shown as it is (`r.<name>`), or X is made by a function
    of `cwbtools.analysis` named in the cell (`baseline.spend_by_lad(...)`, also when handed to
    `given`) or earlier, through a name assigned from one. For `r.chart(X, ...)`: X is made by a
    function of `cwbtools.report.charts`. A function named must exist."""
    cells = _code_cells(path)[1:]
    makers = _makers(cells[0].source)
    assert any(m.__name__.startswith("cwbtools.analysis") for m in makers.values()), f"{path.name}: imports no analysis"
    made: set[str] = set()
    shown = 0
    for cell in cells[1:]:
        tree = ast.parse(cell.source)
        for stmt in tree.body:
            if isinstance(stmt, ast.Assign) and _named_makers(stmt.value, makers, made):
                made |= {n.id for t in stmt.targets for n in ast.walk(t) if isinstance(n, ast.Name)}
        for call in _calls(tree, "r", "table"):
            x = call.args[0]
            as_is = isinstance(x, ast.Attribute) and getattr(x.value, "id", None) == "r"
            assert as_is or _named_makers(x, makers, made), f"{path.name}: no analysis function makes\n{cell.source}"
            shown += 1
        for call in _calls(tree, "r", "chart"):
            charts = [
                n
                for n in _named_makers(call.args[0], makers, made)
                if getattr(makers.get(n.split(".")[0]), "__name__", "") == "cwbtools.report.charts"
            ]
            assert charts, f"{path.name}: no chart function makes\n{cell.source}"
            shown += 1
    assert shown, f"{path.name}: shows no table or chart"
