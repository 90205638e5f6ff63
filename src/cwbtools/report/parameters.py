"""The notebooks `cwb run` runs and their parameters: which notebooks, in reading order; the names
each declares in its `parameters` cell; which of the user's `-p NAME=VALUE` go to which notebook
(Papermill accepts a misspelt parameter silently, so every name is checked here first)."""

from __future__ import annotations

import difflib
from pathlib import Path

import yaml

from ..errors import CwbError
from ..paths import repo_root
from . import html

#: The parameters every notebook declares (docs/CONTRACTS.md §6) that the runner sets itself.
RUNNER_PARAMETERS = ("config_path", "report_dir")


def notebooks_dir() -> Path:
    return repo_root() / "notebooks"


def notebook_paths(folder: Path | None = None, only: list[str] | None = None) -> list[Path]:
    """The notebooks to run, in reading order. `only` picks some by stem or prefix (`01`)."""
    folder = Path(folder) if folder is not None else notebooks_dir()
    paths = [folder / f"{stem}.ipynb" for stem in html.NOTEBOOKS]
    if only:
        chosen = []
        for item in only:
            match = [p for p in paths if p.stem == item or p.stem.split("_")[0] == item]
            if not match:
                raise CwbError(f"--only {item!r}: no such notebook (choose from {', '.join(html.NOTEBOOKS)})")
            chosen.extend(m for m in match if m not in chosen)
        paths = [p for p in paths if p in chosen]
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        raise CwbError(f"notebook(s) not found: {', '.join(missing)}")
    return paths


def notebook_parameters(path: Path) -> dict[str, dict]:
    """The names declared in a notebook's `parameters` cell, read with Python's own parser.

    Not papermill.inspect_notebook: its line parser misses annotated names whose type is a union
    (`year: str | None = None`, as docs/CONTRACTS.md §6 writes them), and it cost a third of a
    second per notebook on every run.
    """
    import ast

    import nbformat

    nb = nbformat.read(str(path), as_version=4)
    cells = [c for c in nb.cells if c.cell_type == "code" and "parameters" in c.metadata.get("tags", [])]
    if not cells:
        raise CwbError(f"{path}: no cell tagged 'parameters' (see docs/CONTRACTS.md §6)")
    params: dict[str, dict] = {}
    try:
        tree = ast.parse(cells[0].source)
    except SyntaxError as exc:
        raise CwbError(f"{path}: the parameters cell is not valid Python (line {exc.lineno}: {exc.msg})") from None
    for node in tree.body:
        targets = (
            node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(node, ast.AnnAssign) else []
        )
        for target in targets:
            if isinstance(target, ast.Name) and target.id not in params:
                params[target.id] = {"name": target.id, "default": ast.unparse(node.value) if node.value else None}
    return params


def check_parameters(notebooks: list[Path], extra: dict) -> dict[str, dict]:
    """Which of the user's parameters go to which notebook; an error for a name no notebook
    declares (with the nearest valid name), and for a notebook missing the runner's own."""
    declared = {nb.stem: notebook_parameters(nb) for nb in notebooks}
    for nb in notebooks:
        lacking = [p for p in RUNNER_PARAMETERS if p not in declared[nb.stem]]
        if lacking:
            raise CwbError(f"{nb}: the parameters cell lacks {', '.join(lacking)} (docs/CONTRACTS.md §6)")
    valid = sorted({name for params in declared.values() for name in params} - set(RUNNER_PARAMETERS))
    per_notebook: dict[str, dict] = {nb.stem: {} for nb in notebooks}
    for name, value in extra.items():
        if name in RUNNER_PARAMETERS:
            raise CwbError(f"parameter {name!r} is set by `cwb run` itself; choose the config instead")
        takers = [stem for stem, params in declared.items() if name in params]
        if not takers:
            near = difflib.get_close_matches(name, valid, n=1, cutoff=0.5)
            hint = f"; did you mean '{near[0]}'?" if near else ""
            raise CwbError(
                f"unknown notebook parameter {name!r}{hint} "
                f"(parameters of {', '.join(declared)}: {', '.join(valid) or 'none'})"
            )
        for stem in takers:
            per_notebook[stem][name] = value
    return per_notebook


def parse_parameters(items: list[str] | None) -> dict:
    """`-p year=2019/20 -p years=[2018/19,2019/20]`: values read as YAML scalars or lists."""
    out = {}
    for item in items or []:
        name, sep, text = item.partition("=")
        name = name.strip()
        if not sep or not name.isidentifier():
            raise CwbError(f"-p {item!r}: write a parameter as NAME=VALUE, e.g. -p year=2019/20")
        try:
            value = yaml.safe_load(text) if text.strip() else None
        except yaml.YAMLError as exc:
            raise CwbError(f"-p {item!r}: value is not readable: {exc}") from None
        # 2019/20 reads as a string already; a bare 2019 would be an int, which no year is
        out[name] = value
    return out
