"""A city's notebooks share a kernel (`report.kernels.Kernel`): one start and one set of imports,
but each notebook finds a namespace as clean as a new kernel's, and a kernel that died is replaced."""

from __future__ import annotations

import nbformat
import pytest

from cwbtools.report import run
from cwbtools.report.kernels import Kernel


def _notebook(path, *sources):
    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell("config_path = None\nreport_dir = None")
    params.metadata["tags"] = ["parameters"]
    nb.cells = [params, *(nbformat.v4.new_code_cell(s) for s in sources)]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, str(path))
    return path


def _outputs(path) -> list[str]:
    nb = nbformat.read(str(path), as_version=4)
    return ["".join(o.get("text", "") for o in c.outputs).strip() for c in nb.cells if c.cell_type == "code"]


@pytest.mark.slow
def test_notebooks_in_one_kernel_start_clean_and_a_dead_kernel_is_replaced(tmp_path):
    first = _notebook(
        tmp_path / "a.ipynb",
        "import os, sys\nleft_behind = 1\nsys.modules['json'].cwb_mark = os.getpid()\nprint(os.getpid())",
    )
    second = _notebook(
        tmp_path / "b.ipynb",
        "import os, sys\nprint(os.getpid())",
        "print('left_behind' in dir(), hasattr(sys.modules['json'], 'cwb_mark'))",
    )
    dies = _notebook(tmp_path / "c.ipynb", "import os\nprint(os.getpid())\nos._exit(1)")
    with Kernel("python3") as kernel:
        run._execute(first, tmp_path / "a.out.ipynb", {}, kernel)
        timing = run._execute(second, tmp_path / "b.out.ipynb", {}, kernel)
        with pytest.raises(Exception):  # noqa: B017 - papermill's dead-kernel error, whatever its class
            run._execute(dies, tmp_path / "c.out.ipynb", {}, kernel)
        run._execute(second, tmp_path / "d.out.ipynb", {}, kernel)
        assert kernel.runs == 4
    pid_a = _outputs(tmp_path / "a.out.ipynb")[1]
    _, pid_b, state = _outputs(tmp_path / "b.out.ipynb")
    assert pid_b == pid_a, "the second notebook ran in the same kernel"
    # No name of the first notebook is left; modules (and their state) stay; In [n] counts afresh.
    assert state == "False True"
    counts = [c.execution_count for c in nbformat.read(str(tmp_path / "b.out.ipynb"), as_version=4).cells]
    assert counts == [1, 2, 3]
    assert timing["analysis"] >= 0 and timing["total"] >= timing["analysis"]
    pid_d = _outputs(tmp_path / "d.out.ipynb")[1]
    assert pid_d != pid_a, "the kernel that died was replaced"


@pytest.mark.slow
def test_a_warm_kernel_has_the_notebooks_imports_and_no_name_of_its_own(tmp_path):
    """`cwb run` starts kernels while it reads the configs (`kernels.warm`): the notebook finds the
    modules it imports already loaded, its namespace as a new kernel's, and In [1] first; a kernel no
    lane took is stopped by `cool`."""
    from cwbtools.report import kernels

    nb = _notebook(
        tmp_path / "a.ipynb",
        "import sys\nfrom email import parser",
        "print(sorted(n for n in dir() if not n.startswith('_') and n not in {'In', 'Out', 'exit', 'quit', "
        "'get_ipython', 'open', 'sys', 'parser', 'config_path', 'report_dir'}), 'email.parser' in sys.modules)",
    )
    preload = kernels.preload_code([nb])
    assert "'email.parser'" in preload
    kernels.warm(2, "python3", tmp_path, preload)
    kernel = kernels.take("python3", tmp_path)
    with kernel:
        assert kernel.runs == 0
        kernel.execute_silently("import sys\nassert 'email.parser' in sys.modules, 'preloaded'")
        # What the preload imported is kept out of the garbage collector's full passes.
        kernel.execute_silently("assert __import__('gc').get_freeze_count() > 1000, 'frozen'")
        run._execute(nb, tmp_path / "a.out.ipynb", {}, kernel)
    assert _outputs(tmp_path / "a.out.ipynb")[-1] == "[] True"
    counts = [c.execution_count for c in nbformat.read(str(tmp_path / "a.out.ipynb"), as_version=4).cells]
    assert counts == [1, 2, 3]
    left = list(kernels._WARM)
    assert len(left) == 1
    kernels.cool()
    assert not kernels._WARM and left[0][0]._km is None


@pytest.mark.slow
def test_a_retired_kernel_is_stopped_in_the_background_and_settle_waits_for_it(tmp_path):
    """A lane done with its notebooks hands its kernel to `retire` and goes on; `settle` (run at the
    end of each city) returns only when the kernel process is gone."""
    import os

    from cwbtools.report import kernels

    kernel = Kernel("python3", cwd=tmp_path)
    km = kernel.manager()
    # Both clients a notebook's run opens wait for the kernel the quick way (`kernels.READY_FLUSH`).
    assert type(km.client()).wait_for_ready is kernels._wait_for_ready
    kernel.done()
    kernel.execute_silently("import os\nopen('pid', 'w').write(str(os.getpid()))")
    pid = int((tmp_path / "pid").read_text())
    kernels.retire(kernel)
    kernels.settle()
    assert kernel._km is None and not kernels._RETIRING
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
