"""A Jupyter kernel that runs a city's notebooks one after another (`cwb run`).

Starting a kernel and importing pandas, matplotlib and the package in it is 2 to 3 s of CPU, as
much as a notebook's own cells. A `Kernel` is started when first needed and kept for the city's
next notebook, with its namespace cleared in between (`IPython`'s `reset`: every name the notebook
made is gone and `In [1]` starts again; imported modules stay, as they would in JupyterLab after
"Restart kernel" and re-running imports, only faster). A kernel that died is replaced by a fresh
one. One city's notebooks only: a kernel never crosses cities. `warm` starts kernels before they
are needed (while `cwb run` reads the configs) and imports in them what the notebooks import.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

# Run silently (no history, no output) between two notebooks. Inside a function, so that it leaves
# no name behind; figures a notebook left open are closed as a fresh kernel would have none.
_CLEAR = """
def _cwb_clear():
    import sys
    plt = sys.modules.get("matplotlib.pyplot")
    if plt is not None:
        plt.close("all")
    get_ipython().reset(new_session=True)
_cwb_clear()
"""
#: The kernel's own start-up warnings (transport, debugger) are not the reader's business.
QUIET = ("--IPKernelApp.log_level=CRITICAL",)


#: How long a client waiting for the kernel listens for IOPub messages after the kernel answered.
#: jupyter_client waits for 0.2 s of silence, each time a client connects (twice a notebook: the
#: runner's and nbclient's): 0.2 s a notebook of a kernel doing nothing. What arrives then is the
#: status of the `kernel_info` request; nbclient ignores anything not answering its own request.
READY_FLUSH = 0.01


async def _wait_for_ready(self, timeout: float | None = None) -> None:
    """jupyter_client's `wait_for_ready` (kernel_info answered on the shell channel, IOPub proven
    connected), with a closing flush of `READY_FLUSH` instead of 0.2 s."""
    from queue import Empty

    from jupyter_core.utils import ensure_async

    deadline = time.monotonic() + (float("inf") if timeout is None else timeout)
    while True:
        self.kernel_info()
        try:
            msg = await ensure_async(self.shell_channel.get_msg(timeout=1))
        except Empty:
            msg = None
        if msg is not None and msg["msg_type"] == "kernel_info_reply":
            try:  # a message on IOPub proves it connected; else ask again
                await ensure_async(self.iopub_channel.get_msg(timeout=0.2))
            except Empty:
                pass
            else:
                self._handle_kernel_info_reply(msg)
                break
        if not await self._async_is_alive():
            raise RuntimeError("Kernel died before replying to kernel_info")
        if time.monotonic() > deadline:
            raise RuntimeError(f"Kernel didn't respond in {timeout:.0f} seconds")
    while True:
        try:
            await ensure_async(self.iopub_channel.get_msg(timeout=READY_FLUSH))
        except Empty:
            break


def _manager_class():
    from jupyter_client.asynchronous import AsyncKernelClient
    from jupyter_client.blocking import BlockingKernelClient
    from jupyter_client.manager import AsyncKernelManager
    from jupyter_core.utils import run_sync

    class Client(AsyncKernelClient):
        wait_for_ready = _wait_for_ready

    class BlockingClient(BlockingKernelClient):
        wait_for_ready = run_sync(_wait_for_ready)

    class Manager(AsyncKernelManager):
        """Keeps the clients a notebook run opens, so they can be stopped after it: nbclient
        leaves a client it did not start the kernel for open (its heartbeat thread included)."""

        def client(self, **kwargs):
            kc = super().client(**kwargs)
            self.opened.append(kc)
            return kc

    return Manager, Client, BlockingClient


class Kernel:
    """One kernel for several notebooks in turn; `manager()` before each notebook, `done()` after
    it, `shutdown()` at the end (or use it as a context manager)."""

    def __init__(self, name: str = "python3", cwd: str | Path | None = None, timeout: float = 60):
        self.name, self.cwd, self.timeout = name, str(cwd) if cwd else None, timeout
        self._km = None
        #: Notebooks this kernel has run.
        self.runs = 0

    def manager(self):
        """The started kernel's manager, ready for a notebook: a new kernel on first use or when
        the last one died, else the same kernel with its namespace cleared."""
        from jupyter_core.utils import run_sync

        if self._km is not None:
            try:
                if not run_sync(self._km.is_alive)():
                    raise RuntimeError("the kernel died")
                if self.runs:
                    self._clear()
            except Exception:  # noqa: BLE001 - a kernel that died or cannot be cleared is replaced
                self.shutdown()
        if self._km is None:
            manager, client, blocking = _manager_class()
            km = manager(kernel_name=self.name, client_factory=client, blocking_class=blocking)
            km.opened = []
            run_sync(km.start_kernel)(cwd=self.cwd, extra_arguments=list(QUIET))
            self._km = km
        self.runs += 1
        return self._km

    def done(self) -> None:
        """Stop the clients the last notebook's run left open."""
        if self._km is not None:
            for kc in self._km.opened:
                kc.stop_channels()
            self._km.opened.clear()

    def _clear(self) -> None:
        self.execute_silently(_CLEAR, "the kernel's namespace was not cleared")

    def execute_silently(self, code: str, failure: str = "the kernel could not run its set-up") -> None:
        """Run `code` in the started kernel: no history, no output."""
        kc = self._km.blocking_client()
        kc.start_channels()
        try:
            kc.wait_for_ready(timeout=self.timeout)
            reply = kc.execute_interactive(code, silent=True, store_history=False, timeout=self.timeout)
        finally:
            kc.stop_channels()
        if reply["content"]["status"] != "ok":
            raise RuntimeError(f"{failure}: {reply['content'].get('evalue')}")

    def shutdown(self) -> None:
        from jupyter_core.utils import run_sync

        if self._km is None:
            return
        self.done()
        km, self._km = self._km, None
        run_sync(km.shutdown_kernel)(now=True)  # its resources (connection file, ports) go with it

    def __enter__(self) -> Kernel:
        return self

    def __exit__(self, *exc) -> None:
        self.shutdown()


# ---------------------------------------------------------------------------------------------
# Kernels started early: while `cwb run` reads the configs, kernels start and import what the
# notebooks import, on the other core. A lane takes a warm kernel when there is one.

_WARM: list[tuple[Kernel, threading.Thread]] = []
_WARM_LOCK = threading.Lock()


def preload_code(notebooks: list[Path]) -> str:
    """Code that imports every module the notebooks import, leaving no name behind (a module that
    fails to import is left for the notebook to report in its own cell)."""
    import ast

    import nbformat

    modules: list[str] = []
    for path in notebooks:
        for cell in nbformat.read(str(path), as_version=4).cells:
            if cell.cell_type != "code":
                continue
            try:
                tree = ast.parse(cell.source)
            except SyntaxError:
                continue
            for node in ast.walk(tree):
                if isinstance(node, ast.Import):
                    modules += [a.name for a in node.names]
                elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                    # `from a import b`: b may be a module (a.b) or a name in a.
                    modules += [node.module] + [f"{node.module}.{a.name}" for a in node.names if a.name != "*"]
    wanted = list(dict.fromkeys(modules))
    return (
        "def _cwb_preload():\n"
        "    import importlib\n"
        f"    for name in {wanted!r}:\n"
        "        try:\n"
        "            importlib.import_module(name)\n"
        "        except Exception:\n"
        "            pass\n"
        # What is imported lives as long as the kernel: kept out of the garbage collector's full
        # passes, which walked every module's objects again and again (0.3 to 0.5 s a notebook).
        "    import gc\n"
        "    gc.freeze()\n"
        "_cwb_preload()\n"
        "del _cwb_preload\n"
    )


def warm(n: int, name: str, cwd: str | Path | None, preload: str = "") -> None:
    """Start `n` kernels now, each in a thread, running `preload` silently once started."""

    def start(kernel: Kernel) -> None:
        try:
            kernel.manager()
            if preload:
                kernel.execute_silently(preload)
        except Exception:  # noqa: BLE001 - a kernel that cannot start now is started again when taken
            kernel.shutdown()

    with _WARM_LOCK:
        for _ in range(n):
            kernel = Kernel(name, cwd=cwd)
            thread = threading.Thread(target=start, args=(kernel,), daemon=True)
            thread.start()
            _WARM.append((kernel, thread))


def take(name: str, cwd: str | Path | None) -> Kernel:
    """A warm kernel of that name and folder (waiting for its start to finish), else a new one."""
    with _WARM_LOCK:
        found = next((i for i, (k, _) in enumerate(_WARM) if k.name == name and k.cwd == _cwd(cwd)), None)
        kernel, thread = _WARM.pop(found) if found is not None else (None, None)
    if kernel is None:
        return Kernel(name, cwd=cwd)
    thread.join()
    kernel.runs = 0  # started and preloaded, but no notebook has run in it: nothing to clear
    return kernel


def cool() -> None:
    """Stop every warm kernel no lane took, and wait for the retiring ones."""
    with _WARM_LOCK:
        left = list(_WARM)
        _WARM.clear()
    for kernel, thread in left:
        thread.join()
        kernel.shutdown()
    settle()


_RETIRING: list[threading.Thread] = []


def retire(kernel: Kernel) -> None:
    """Shut a kernel down in a thread: a lane done with its notebooks goes on to the city's chores
    and pages at once (stopping a kernel and removing its files takes 0.1 to 0.2 s)."""
    thread = threading.Thread(target=kernel.shutdown, daemon=True)
    thread.start()
    with _WARM_LOCK:
        _RETIRING.append(thread)


def settle() -> None:
    """Wait until every kernel given to `retire` is shut down."""
    with _WARM_LOCK:
        threads = list(_RETIRING)
        _RETIRING.clear()
    for thread in threads:
        thread.join()


def _cwd(cwd: str | Path | None) -> str | None:
    return str(cwd) if cwd else None
