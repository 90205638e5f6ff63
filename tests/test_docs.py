"""The docs follow the code: every repository path and every `cwbtools` name a Markdown file gives exists.

Read from each Markdown file (top level, docs/, notebooks/, benchmarks/, data/raw/), in code
(backticks or code blocks) and links:
- a repository path must be on disk (a glob must match; `<slug>` placeholders and git-ignored
  output folders are skipped), and a test named after a test file (`::test_x`, or `test_x` later on
  the same line) must be defined in it;
- a dotted `cwbtools...` name must import or resolve to an attribute, as must what a code block's
  `from cwbtools... import x` binds and the `x.attr` it then uses;
- `r.attr` (a notebook's `r = open_report(...)`) must be an attribute of the report, and a `cwb`
  command's subcommands and options must be the CLI's.
CHANGELOG.md is read from its Unreleased section only: released entries are history and may name
what has since moved. A doc that must name what no longer exists (a rename) writes it as plain text.
"""

from __future__ import annotations

import argparse
import ast
import importlib
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = sorted(
    [
        *ROOT.glob("*.md"),
        *(ROOT / "docs").glob("*.md"),
        *(ROOT / "notebooks").glob("*.md"),
        *(ROOT / "benchmarks").glob("*.md"),
        *(ROOT / "data" / "raw").glob("*.md"),
    ]
)

FENCE = re.compile(r"^ *(```|~~~)[^\n]*\n(.*?)^ *\1 *$", re.M | re.S)
INLINE = re.compile(r"(`+)(.+?)\1", re.S)
LINK = re.compile(r"\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
# A path starts at a folder of the repository; `<slug>`-style placeholders are skipped, globs must match.
PATH = re.compile(
    r"(?<![\w./$~-])((?:tests|src/cwbtools|docs|configs|notebooks|scripts|benchmarks|data/raw)/[\w./*<>{},-]*)"
    r"(?:::(\w+))?"
)
# Paths under a git-ignored folder (benchmarks/out/, reports/) are made by running things: not checked.
GENERATED = tuple(
    line.rstrip("*").rstrip("/") + "/"
    for line in (ROOT / ".gitignore").read_text(encoding="utf-8").splitlines()
    if "/" in line.rstrip("*").rstrip("/") and not line.startswith(("#", "!"))
)
NAME = re.compile(r"(?<![\w.])cwbtools(?:\.(?:\w+|\{[\w, ]+\}))+")
FROM_IMPORT = re.compile(r"^\s*from\s+(cwbtools[\w.]*)\s+import\s+\(?([\w, ]+)\)?", re.M)


def unreleased(changelog: str) -> str:
    match = re.search(r"^## \[?Unreleased\]?.*?(?=^## |\Z)", changelog, re.M | re.S | re.I)
    return match.group(0) if match else ""


def checked_text(path: Path) -> str:
    """The part of a doc that must follow the code: all of it, or CHANGELOG's Unreleased section."""
    text = path.read_text(encoding="utf-8")
    return unreleased(text) if path.name == "CHANGELOG.md" else text


def split(text: str) -> tuple[list[str], list[str], str]:
    """(code blocks, inline code spans, the prose left over)."""
    blocks = [m.group(2) for m in FENCE.finditer(text)]
    rest = FENCE.sub("\n", text)
    spans = [m.group(2) for m in INLINE.finditer(rest)]
    return blocks, spans, INLINE.sub(" ", rest)


def expand(token: str) -> list[str]:
    """`a/{b,c}.py` -> `a/b.py`, `a/c.py` (one level of braces, as the docs write them)."""
    match = re.search(r"\{([^{}]*)\}", token)
    if not match:
        return [token]
    head, tail = token[: match.start()], token[match.end() :]
    return [out for part in match.group(1).split(",") for out in expand(head + part.strip() + tail)]


def defined_tests(path: Path) -> set[str]:
    if not path.is_file():
        return set()  # reported as a missing file
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)}


def path_problem(token: str, test: str | None, base: Path = ROOT) -> str | None:
    """Why a written path does not hold, or None."""
    if "<" in token or ">" in token:
        return None
    token = token.rstrip(".,;:")
    for one in expand(token):
        where = (base / one).resolve()
        if not where.is_relative_to(ROOT):
            return f"{one}: outside the repository"
        if (where.relative_to(ROOT).as_posix() + "/").startswith(GENERATED):
            continue
        if "*" in one:
            if not list(base.glob(one)):
                return f"{one}: matches no file"
            continue
        target = base / one
        if not target.exists():
            return f"{one}: no such file or folder"
        if test is not None and (target.suffix != ".py" or test not in defined_tests(target)):
            return f"{one}::{test}: no test of that name in the file"
    return None


def bare_test_problems(line: str) -> list[str]:
    """On one line, a bare test name (`::test_x` or `test_x`) belongs to the test file named before it,
    and a bare test file name (`test_x.py`) must be somewhere under tests/."""
    current, bad = None, []
    for span in (m.group(2) for m in INLINE.finditer(line)):
        path = PATH.fullmatch(span)
        if path and path.group(1).startswith("tests/") and path.group(1).endswith(".py"):
            current = ROOT / path.group(1)
        elif re.fullmatch(r"test_\w+\.py", span):
            if not list((ROOT / "tests").rglob(span)):
                bad.append(f"{span}: no such test file under tests/")
        elif (bare := re.fullmatch(r"(?:::)?(test_\w+)", span)) and current and bare[1] not in defined_tests(current):
            bad.append(f"{current.relative_to(ROOT)}::{bare[1]}: no test of that name in the file")
    return bad


def resolves(name: str) -> bool:
    """Whether a dotted name is a module of the installed package or an attribute of one."""
    parts = name.split(".")
    for i in range(len(parts), 0, -1):
        module_name = ".".join(parts[:i])
        try:
            obj = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name is not None and module_name.startswith(exc.name):
                continue
            raise
        for attr in parts[i:]:
            if not hasattr(obj, attr):
                return False
            obj = getattr(obj, attr)
        return True
    return False


def report_attributes() -> set[str]:
    """What a notebook's `r` has: the class's members and what its methods set on `self`."""
    from cwbtools.report import context

    tree = ast.parse(Path(context.__file__).read_text(encoding="utf-8"))
    assigned = {
        n.attr
        for n in ast.walk(tree)
        if isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name) and n.value.id == "self"
        if isinstance(n.ctx, ast.Store)
    }
    return set(dir(context.Report)) | assigned


def report_problems(codes: list[str]) -> list[str]:
    """`r.x` in code is the notebook's report (`r = open_report(...)`): x must be one of its attributes."""
    known = report_attributes()
    used = {m.group(1) for code in codes for m in re.finditer(r"(?<![\w.])r\.([A-Za-z_]\w*)", code)}
    return [f"r.{a}: the notebook report has no such attribute" for a in sorted(used - known)]


def _subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    return next((a.choices for a in parser._actions if isinstance(a, argparse._SubParsersAction)), {})


def cli_problems(blocks: list[str], spans: list[str]) -> list[str]:
    """`cwb` commands written in code: each subcommand and each option must be one the CLI has."""
    from cwbtools.cli import build_parser

    # A code block's command is one line (its comment cut off); an inline span may wrap.
    lines = [re.split(r"\s#\s", line)[0] for b in blocks for line in b.splitlines()]
    bad = []
    for line in lines + [" ".join(span.split()) for span in spans]:
        for m in re.finditer(r"(?<![\w.-])cwb((?: +[^\s|;&]+)*)", line):
            parser, words, said = build_parser(), m.group(1).split(), ["cwb"]
            while (choices := _subcommands(parser)) and words and re.fullmatch(r"[a-z][\w-]*", words[0]):
                if words[0] not in choices:
                    bad.append(f"{' '.join([*said, words[0]])}: no such command")
                    break
                said.append(words[0])
                parser = choices[words.pop(0)]
            for opt in re.findall(r"(?<![\w-])(--?[A-Za-z][\w-]*)", " ".join(words)):
                if opt not in parser._option_string_actions:
                    bad.append(f"{' '.join(said)} {opt}: no such option")
    return bad


def name_problems(blocks: list[str], spans: list[str]) -> list[str]:
    """Dotted names anywhere in code, and in code blocks what `from cwbtools... import x` binds and
    `x.attr` uses."""
    names: set[str] = set()
    for code in [*blocks, *spans]:
        names.update(one.rstrip(".") for m in NAME.finditer(code) for one in expand(m.group(0)))
    for code in blocks:
        for m in FROM_IMPORT.finditer(code):
            for imported in m.group(2).replace("\n", " ").split(","):
                imported = imported.strip()
                if not imported:
                    continue
                local = imported.split(" as ")[-1].strip()
                dotted = f"{m.group(1)}.{imported.split(' as ')[0].strip()}"
                names.add(dotted)
                names.update(f"{dotted}.{a}" for a in re.findall(rf"(?<![\w.]){re.escape(local)}\.(\w+)", code))
    return [f"{n}: does not import or resolve" for n in sorted(names) if not resolves(n)]


def problems(doc: Path, text: str) -> list[str]:
    blocks, spans, prose = split(text)
    found = []
    for code in [*blocks, *spans]:
        for m in PATH.finditer(code):
            found.append(path_problem(m.group(1), m.group(2)))
    found += [p for line in FENCE.sub("\n", text).splitlines() for p in bare_test_problems(line)]
    for m in LINK.finditer(prose):
        target = m.group(1).split("#")[0]
        if target and not re.match(r"[a-z][a-z+.-]*:", target):
            found.append(path_problem(target, None, base=doc.parent))
    found += report_problems([*blocks, *spans]) + cli_problems(blocks, spans)
    return sorted({p for p in found if p}) + name_problems(blocks, spans)


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: str(p.relative_to(ROOT)))
def test_doc_names_what_exists(doc: Path) -> None:
    bad = problems(doc, checked_text(doc))
    assert not bad, f"{doc.relative_to(ROOT)} names what does not exist:\n  " + "\n  ".join(bad)


def test_the_docs_are_found() -> None:
    found = {str(p.relative_to(ROOT)) for p in DOCS}
    assert {"README.md", "CONTRIBUTING.md", "CHANGELOG.md", "docs/CONTRACTS.md", "docs/GLOSSARY.md"} <= found
    assert not any(p.startswith("tests/") for p in found)


def test_a_planted_bad_reference_is_caught() -> None:
    text = """# Planted

See [the contracts](docs/CONTRACTS.md), [nowhere](docs/NOWHERE.md) and [a site](https://example.org).
Tests: `tests/test_layering.py`, `tests/test_gone.py`, `tests/test_layering.py::test_no_such_test`,
`tests/test_docs.py` (`test_the_docs_are_found`, `::test_not_here`), `test_docs.py`, `test_nowhere.py`,
`tests/test_docs.py::test_a_planted_bad_reference_is_caught`, `configs/*.yml`, `configs/*.toml`,
`configs/<slug>.yml`, `src/cwbtools/report/charts/{_base,missing}.py`.
Names: `cwbtools.report.context.open_report`, `cwbtools.analysis.respend_lm3`, `cwbtools.nextsteps`.
Commands: `cwb run configs/oxford.yml --only 01`, `cwb frobnicate FILE`, `cwb suppliers
resolve DIR --out DIR --fast`; the report's `r.year_spend`, `r.defs` and `r.no_such_input`.

```python
from cwbtools.analysis import baseline, no_such_module
baseline.no_such_function(r.spend)
```

```bash
.venv/bin/cwb config check configs/*.yml --strict   # a comment naming --anything
```
"""
    bad = problems(ROOT / "PLANTED.md", text)
    assert sorted(b.split(": ")[0] for b in bad) == sorted(
        [
            "docs/NOWHERE.md",
            "tests/test_gone.py",
            "tests/test_layering.py::test_no_such_test",
            "tests/test_docs.py::test_not_here",
            "test_nowhere.py",
            "configs/*.toml",
            "src/cwbtools/report/charts/missing.py",
            "cwbtools.analysis.respend_lm3",
            "cwbtools.nextsteps",
            "cwbtools.analysis.no_such_module",
            "cwbtools.analysis.baseline.no_such_function",
            "cwb frobnicate",
            "cwb suppliers resolve --fast",
            "cwb config check --strict",
            "r.no_such_input",
        ]
    ), bad


def test_changelog_history_is_not_checked() -> None:
    text = "# Changelog\n\n## [Unreleased]\n\n- `tests/new.py`\n\n## [0.1.0]\n\n- `tests/old.py`\n"
    section = unreleased(text)
    assert "tests/new.py" in section and "tests/old.py" not in section
    shipped = checked_text(ROOT / "CHANGELOG.md")
    assert "## [Unreleased]" in shipped and "## [0.1.0]" not in shipped
