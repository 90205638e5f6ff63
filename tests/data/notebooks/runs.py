"""Report runs shared by tests/test_run.py, test_report.py and test_browser.py.

Each run costs kernel starts, so it is made once per pytest session (a module-level cache: every
test module imports this same module) into a temporary reports folder, never the user's reports/.
"""

from __future__ import annotations

import contextlib
import functools
import io
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
STANDIN_A = HERE / "standin-a.yml"
STANDIN_B = HERE / "standin-b.yml"


@functools.cache
def standin_run() -> dict:
    """Stand-in notebooks for two cities, two at a time: Alpha succeeds; Beta (always) fails in its
    first notebook, over a previous Beta report that must survive. Returns the exit code, stderr and
    the reports folder."""
    from cwbtools.cli import main

    root = Path(tempfile.mkdtemp(prefix="cwb-standin-reports-"))
    previous = root / "standin-beta"
    previous.mkdir()
    (previous / "summary.json").write_text('{"city": "Standin Beta", "previous": true}\n')
    (previous / "01_baseline.html").write_text("<!DOCTYPE html><title>previous</title><p>previous report</p>\n")
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        code = main(
            ["run", str(STANDIN_A), str(STANDIN_B), "--jobs", "2", "--reports", str(root), "--notebooks", str(HERE)]
        )
    return {"code": code, "stderr": err.getvalue(), "root": root}


@functools.cache
def demo_runs() -> tuple[dict, dict]:
    """The real three notebooks on the Preston demo, twice, into two fresh folders: one after
    another in this process, and side by side (`--jobs 2`) in a `cwb run` process started
    alongside it."""
    import subprocess

    from cwbtools.cli import main

    roots = [Path(tempfile.mkdtemp(prefix=f"cwb-demo-reports-{n}-")) for n in (1, 2)]
    second = subprocess.Popen(
        # --jobs 2 with one city runs its notebooks side by side: the result must not change.
        [sys.executable, "-m", "cwbtools.cli", "run", "preston-demo", "--jobs", "2", "--reports", str(roots[1])],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    err = io.StringIO()
    try:
        with contextlib.redirect_stderr(err):
            code = main(["run", "preston-demo", "--reports", str(roots[0])])
    finally:
        out2, err2 = second.communicate(timeout=900)
    return (
        {"code": code, "stderr": err.getvalue(), "root": roots[0]},
        {"code": second.returncode, "stderr": err2, "root": roots[1]},
    )
