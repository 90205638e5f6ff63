"""The house by stage: imports point one way, only the CLI knows argparse, no module is too long.

Every module of the package is parsed (not imported) and each import it makes, at the top or
inside a function, is checked against the layers below. A new import that points the wrong way
fails here, naming the module, the line and the stage it reached.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "cwbtools"

# Lower layers never import higher ones. Stages of one layer do not import each other.
BASE = {
    "__init__",
    "paths",
    "errors",
    "identifiers",
    "schema",
    "definitions",
    "formats",
    "individuals",
    "organisations",
    "privacy",
    "publish",
    "duck",
}
LAYERS = [BASE, {"ingest", "reference"}, {"config"}, {"suppliers"}, {"city"}, {"analysis"}, {"report"}, {"cli"}]
RANK = {stage: i for i, stages in enumerate(LAYERS) for stage in stages}
# Analysis is pure functions over frames: it reads no config, builds no city, draws no page.
FORBIDDEN = {"analysis": {"config", "city", "report"}}

# Known exceptions, by (module, stage imported). Kept visible here until they are removed:
EXCEPTIONS: set[tuple[str, str]] = set()
MAX_LINES = 700
LONG_MODULES: set[str] = set()


def _module(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


FILES = sorted(PACKAGE.rglob("*.py"))
MODULES = {_module(p) for p in FILES}


def _stage(module: str) -> str:
    parts = module.split(".")
    return "__init__" if len(parts) == 1 else parts[1]


def _imports(module: str, path: Path) -> list[tuple[str, int]]:
    """Every cwbtools module `module` imports, with the line: relative imports resolved, and
    `from . import x` counted as importing the submodule x when there is one."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(a.name, node.lineno) for a in node.names if a.name.split(".")[0] == "cwbtools"]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.split(".")[0] != "cwbtools":
                continue
            subs = [f"{target}.{a.name}" for a in node.names if f"{target}.{a.name}" in MODULES]
            found += [(t, node.lineno) for t in subs or [target]]
    return found


def _argparse_users() -> list[str]:
    users = []
    for path in FILES:
        module = _module(path)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module]
                if isinstance(node, ast.ImportFrom)
                else []
            )
            if "argparse" in names:
                users.append(module)
    return users


def test_every_module_is_in_a_layer():
    assert {_stage(m) for m in MODULES} <= set(RANK), {_stage(m) for m in MODULES} - set(RANK)


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_point_one_way(path):
    module = _module(path)
    stage = _stage(module)
    wrong = []
    for target, line in _imports(module, path):
        other = _stage(target)
        if other == stage or (module, other) in EXCEPTIONS:
            continue
        if other == "__init__" and target == "cwbtools":  # `from cwbtools import __version__`
            continue
        if (
            RANK[other] > RANK[stage]
            or (RANK[other] == RANK[stage] and stage != "__init__" and other not in BASE)
            or other in FORBIDDEN.get(stage, ())
        ):
            wrong.append(f"{module}:{line} imports {target} ({other} may not be imported by {stage})")
    assert not wrong, "\n".join(wrong)


def test_the_checker_sees_a_wrong_way_import(tmp_path):
    # The rule must be able to fail: an analysis module importing the config, written both ways.
    probe = tmp_path / "probe.py"
    probe.write_text("from ..config import load_config\n\ndef f():\n    from cwbtools.report import charts\n")
    found = _imports("cwbtools.analysis.probe", probe)
    assert ("cwbtools.config", 1) in found and ("cwbtools.report.charts", 4) in found
    assert {_stage(t) for t, _ in found} & FORBIDDEN["analysis"] == {"config", "report"}


def test_only_the_cli_knows_argparse():
    assert _argparse_users() == ["cwbtools.cli"]


def test_no_module_is_too_long():
    long = {
        str(p.relative_to(PACKAGE)): n
        for p in FILES
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES and _module(p) not in LONG_MODULES
    }
    assert not long, f"modules over {MAX_LINES} lines: {long}"


def test_exceptions_are_still_needed():
    # An exception nobody needs any more is removed, so the list says what is still owed.
    used = {(_module(p), _stage(t)) for p in FILES for t, _ in _imports(_module(p), p)}
    assert used >= EXCEPTIONS, EXCEPTIONS - used
