"""Warm Jupyter kernels: one kernel per worker, reused notebook after notebook.

Plain papermill starts a new kernel for every notebook and pays, each time, for
the kernel and for importing pandas, scipy, matplotlib and ``models``: seconds,
against milliseconds of arithmetic.  A batch instead keeps one kernel per worker
(process, or thread), imports the package in it once, and before each notebook
puts the kernel back in the state of a fresh one:

- the user namespace is emptied and the execution counter restarts at 1
  (``InteractiveShell.reset(new_session=True)``), so ``In``/``Out`` and every
  name a notebook defined are gone;
- open matplotlib figures are closed, warnings shown once are forgotten, and the
  working directory is set to the notebook's output folder.

Modules stay imported (that is the point); the package keeps no state between
calls, and a test runs every option both ways and asserts identical outputs.
On Linux the kernel is a fork of the process that starts it, with the package
imported already (:mod:`models.run.kernel_fork`); elsewhere it imports the package
as it starts (``exec_lines``).  It keeps no IPython history, leaves what it
imported out of garbage collection (``gc.freeze``), and is driven by one client
for all its notebooks (a new client waits for the kernel to answer and for its
output channel to fall quiet: 0.4 s a notebook).  A kernel that died is noticed
within half a second and replaced before the next notebook.

Papermill still executes the notebook (parameters cell injected as usual)
through the engine registered here as ``sharedcase-warm``: the stock nbclient
engine, told to use our running kernel, to close its client channels afterwards,
and the notebook is written once at the end rather than after every cell.
"""

from __future__ import annotations

import asyncio
import atexit
import json
import subprocess
import threading
import uuid
from pathlib import Path
from typing import Any

KERNEL = "python3"
ENGINE = "sharedcase-warm"
START_TIMEOUT = 120
"""Seconds to wait for a kernel to start [s]."""
PRELOAD = (
    "import models, models.report.notebook, models.report.monitoring\n"
    "import gc as _gc; _gc.freeze()"
)
"""Run once in each new kernel: what every report notebook imports.  Then all
that is left out of garbage collection (``gc.freeze``): the collection IPython
makes at each reset scans only what the last notebook made."""


def reset_code(cwd: str | Path) -> str:
    """Code that returns a used kernel to the state of a fresh one (see module doc).

    >>> "reset(new_session=True)" in reset_code("/tmp")
    True
    """
    return (
        "import os as _os, sys as _sys, warnings as _warnings\n"
        "import models.run.kernels as _kernels\n"
        "if 'matplotlib.pyplot' in _sys.modules:\n"
        "    _sys.modules['matplotlib.pyplot'].close('all')\n"
        "_warnings.onceregistry.clear()\n"
        "_warnings.filters[:] = _kernels.STARTING_FILTERS\n"
        "getattr(_warnings, '_filters_mutated', lambda: None)()\n"
        f"_os.chdir({str(cwd)!r})\n"
        "get_ipython().reset(new_session=True)\n"
    )


STARTING_FILTERS: list = []
"""In a warm kernel: the warning filters it started with, restored by each reset
(a notebook may have changed them)."""

# run first in every kernel: keep its warning filters for the resets, and
# match a fresh kernel where a forked one differs (models.run.kernel_fork)
_SET_UP = (
    "import warnings as _warnings, models.run.kernels as _kernels\n"
    "_kernels.STARTING_FILTERS = list(_warnings.filters)\n"
    "import models.run.kernel_fork as _fork; _fork.match_fresh_kernel()\n"
)


class WarmKernel:
    """A running kernel that executes notebook after notebook with papermill."""

    def __init__(self, kernel_name: str = KERNEL, preload: str = PRELOAD) -> None:
        from jupyter_client import AsyncKernelManager
        from jupyter_core.utils import run_sync

        from models.run import kernel_fork

        self._run_sync = run_sync
        self.kernel_name = kernel_name
        self.km = AsyncKernelManager(kernel_name=kernel_name)
        if kernel_fork.can_fork():  # a copy of this process, imports and all
            kernel_fork.prepare_to_fork()
            self.km.provisioner = kernel_fork.ForkProvisioner(
                kernel_id=self.km.kernel_id or str(uuid.uuid4()),
                kernel_spec=self.km.kernel_spec,
                parent=self.km,
            )
        # The preload runs as the kernel starts (IPython's exec_lines), so this
        # returns at once and the kernel imports while the caller goes on; the
        # first notebook waits until the kernel is ready.  The kernel's own
        # stderr carries only its start-up transport warning; errors raised in
        # a notebook are kept in the executed notebook.
        lines = [*_SET_UP.splitlines(), *preload.splitlines()]
        run_sync(self.km.start_kernel)(
            stderr=subprocess.DEVNULL,
            extra_arguments=[
                f"--IPKernelApp.exec_lines={json.dumps(lines)}",
                "--HistoryManager.enabled=False",  # no history database written per cell
            ],
        )
        self.notebooks = 0
        self._kc: Any = None

    def _client(self) -> Any:
        """The kernel's client, started (and waited ready for) on first use.

        One client serves every notebook: a new one would wait for the kernel
        to answer and its output channel to fall quiet, a fixed 0.2-0.5 s a
        notebook.  Its channels belong to the event loop of the thread that
        first used it, so a kernel is driven from one thread only.
        """
        if self._kc is None:
            kc = self.km.client()
            kc.start_channels()
            self._until_done(kc.wait_for_ready(timeout=START_TIMEOUT))
            self._kc = kc
        return self._kc

    def _until_done(self, awaitable: Any) -> Any:
        """Run ``awaitable`` on this thread's loop; give up if the kernel dies."""

        async def run() -> Any:
            task = asyncio.ensure_future(awaitable)
            while True:  # a kernel killed meanwhile must not be waited for
                done, _ = await asyncio.wait({task}, timeout=0.5)
                if done:
                    return task.result()
                if not await self.km.is_alive():
                    task.cancel()
                    raise RuntimeError("the kernel stopped")

        return self._run_sync(run)()

    def _execute(self, code: str) -> None:
        """Run code in the kernel outside any notebook; raise if it fails."""
        kc = self._client()
        reply = self._until_done(
            kc.execute_interactive(
                code, store_history=False, timeout=START_TIMEOUT, output_hook=_ignore
            )
        )
        if reply["content"]["status"] != "ok":
            content = reply["content"]
            raise RuntimeError(
                f"kernel set-up failed: {content.get('ename')}: {content.get('evalue')}"
            )

    def alive(self) -> bool:
        return bool(self._run_sync(self.km.is_alive)())

    def execute_notebook(
        self,
        notebook: str | Path,
        output: str | Path,
        parameters: dict[str, Any],
        cwd: str | Path,
    ) -> Any:
        """Reset the kernel, then execute ``notebook`` into ``output`` with papermill.

        Raises what ``papermill.execute_notebook`` raises (the executed notebook,
        with the error in it, is written first).
        """
        import papermill as pm

        register_engine()
        self._execute(reset_code(cwd))
        self.notebooks += 1
        return pm.execute_notebook(
            str(notebook),
            str(output),
            parameters=parameters,
            kernel_name=self.kernel_name,
            engine_name=ENGINE,
            km=self.km,
            kc=self._client(),
            progress_bar=False,
            log_output=False,
            request_save_on_cell_execute=False,  # written once, at the end
        )

    def shutdown(self) -> None:
        """Stop the kernel (from any thread): politely, else by killing it."""
        if self._kc is not None:
            self._kc.stop_channels()
            self._kc = None
        try:
            self._run_sync(self.km.shutdown_kernel)(now=True)
        except Exception:  # noqa: BLE001 - e.g. called from another thread's loop
            process = getattr(self.km.provisioner, "process", None)
            if process is not None and process.poll() is None:
                process.kill()
                process.wait()


def _ignore(_msg: Any) -> None:
    """Output of set-up code is not shown anywhere."""


_KERNELS: dict[int, WarmKernel] = {}  # one kernel per thread of this process
_LOCK = threading.Lock()


def warm_kernel() -> WarmKernel:
    """This thread's warm kernel, started on first use, replaced if it died,
    shut down when the process exits."""
    key = threading.get_ident()
    kernel = _KERNELS.get(key)
    if kernel is not None and not kernel.alive():
        kernel.shutdown()
        kernel = None
    if kernel is None:
        kernel = WarmKernel()
        with _LOCK:
            if not _KERNELS:
                atexit.register(shutdown_kernels)
            _KERNELS[key] = kernel
    return kernel


def shutdown_kernels() -> None:
    """Shut down every warm kernel of this process."""
    with _LOCK:
        kernels = list(_KERNELS.values())
        _KERNELS.clear()
    for k in kernels:
        k.shutdown()


_REGISTERED = False


def register_engine() -> None:
    """Register the ``sharedcase-warm`` papermill engine (once per process)."""
    global _REGISTERED
    if _REGISTERED:
        return
    from papermill.clientwrap import PapermillNotebookClient
    from papermill.engines import NBClientEngine, papermill_engines
    from papermill.utils import merge_kwargs, remove_args

    class WarmEngine(NBClientEngine):
        @classmethod
        def execute_managed_notebook(
            cls,
            nb_man: Any,
            kernel_name: str,
            log_output: bool = False,
            start_timeout: int = START_TIMEOUT,
            execution_timeout: int | None = None,
            **kwargs: Any,
        ) -> Any:
            kwargs = remove_args(["input_path", "timeout", "startup_timeout"], **kwargs)
            kc = kwargs.pop("kc")
            client = PapermillNotebookClient(
                nb_man,
                **merge_kwargs(
                    kwargs,
                    timeout=execution_timeout,
                    startup_timeout=start_timeout,
                    kernel_name=kernel_name,
                    log_output=log_output,
                ),
            )
            client.kc = kc  # the kernel's own client: nbclient then starts none
            return client.execute()

    papermill_engines.register(ENGINE, WarmEngine)
    _REGISTERED = True
