"""Report runs shared by tests/test_run.py, test_report.py and test_browser.py.

Each run costs kernel starts, so it is made once per pytest session (a module-level cache: every
test module imports this same module) into a temporary reports folder, never the user's reports/.
"""

from __future__ import annotations

import contextlib
import functools
import io
import os
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
STANDIN_A = HERE / "standin-a.yml"
STANDIN_B = HERE / "standin-b.yml"


@functools.cache
def standin_run() -> dict:
    """Stand-in notebooks for two cities, two at a time: Alpha succeeds; Beta fails in its first
    notebook, over a previous Beta report that must survive. Returns the exit code, stderr and
    the reports folder."""
    from cwbtools.cli import main

    root = Path(tempfile.mkdtemp(prefix="cwb-standin-reports-"))
    previous = root / "standin-beta"
    previous.mkdir()
    (previous / "summary.json").write_text('{"city": "Standin Beta", "previous": true}\n')
    (previous / "01_baseline.html").write_text("<!DOCTYPE html><title>previous</title><p>previous report</p>\n")
    err = io.StringIO()
    old = os.environ.get("CWB_STANDIN_FAIL")
    os.environ["CWB_STANDIN_FAIL"] = "standin-beta"
    try:
        with contextlib.redirect_stderr(err):
            code = main(["run", str(STANDIN_A), str(STANDIN_B), "--jobs", "2", "--reports", str(root),
                         "--notebooks", str(HERE)])
    finally:
        if old is None:
            os.environ.pop("CWB_STANDIN_FAIL", None)
        else:
            os.environ["CWB_STANDIN_FAIL"] = old
    return {"code": code, "stderr": err.getvalue(), "root": root}


@functools.cache
def demo_run(n: int = 1) -> dict:
    """The real three notebooks on the Preston demo (run `n` is a separate, fresh folder)."""
    from cwbtools.cli import main

    root = Path(tempfile.mkdtemp(prefix=f"cwb-demo-reports-{n}-"))
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        code = main(["run", "preston-demo", "--reports", str(root)])
    return {"code": code, "stderr": err.getvalue(), "root": root}
