"""Kernels started by forking this process, which has imported the package already.

A new Jupyter kernel is a new Python process that imports IPython, ipykernel,
pandas, scipy, matplotlib and ``models`` before it can run a cell: about 2
CPU-seconds here, the cost the benchmark's floor pays per notebook.  The process
running a batch has imported all of that already, so on Linux its kernels are
``os.fork()`` copies of it that go straight to ``IPKernelApp.launch_instance``
with the arguments jupyter_client would have given ``python -m
ipykernel_launcher``: the imports are shared copy-on-write, and a kernel is
ready in a fraction of a second.

A forked kernel must look like a fresh one to the notebooks it runs (a test
runs every report both ways and compares the outputs).  The child therefore
starts a new session (as jupyter_client does), gets the kernel's own
environment, working directory, ``sys.argv`` and ``sys.path``, default signal
handlers and warning formatting, no event loop and no exit handlers of the
parent, and leaves with ``os._exit`` so that nothing of the parent runs twice.
It dies with the process that forked it, however that one ends (SIGKILL
included: :mod:`models.run.orphans`).

Forking is used only where it is safe: on Linux, from a process that is not
itself an IPython session, while it runs no other thread (a child keeps only
the forking thread; a lock another thread held would stay held), and for a
kernel spec that runs this very interpreter.
Otherwise, or with ``SHAREDCASE_FORK_KERNELS=0`` in the environment, kernels
are launched as usual.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import importlib.util
import os
import signal
import subprocess
import sys
import threading
import time
import traceback
import warnings
from pathlib import Path
from typing import Any, NoReturn

from jupyter_client.provisioning import LocalProvisioner

from models.run.orphans import die_with_parent

LAUNCHER = "ipykernel_launcher"
"""The module jupyter_client runs as a kernel (``python -m ipykernel_launcher``)."""
ENV_SWITCH = "SHAREDCASE_FORK_KERNELS"
"""Set to 0 to launch every kernel as a new interpreter."""


def can_fork() -> bool:
    """Whether a kernel may be forked from this process now (see module doc)."""
    if not sys.platform.startswith("linux") or os.environ.get(ENV_SWITCH) == "0":
        return False
    if (
        threading.active_count() != 1
        or threading.current_thread() is not threading.main_thread()
    ):
        return False
    return not in_ipython()


def runs_here(cmd: list[str]) -> bool:
    """Whether a kernel command is this interpreter running ipykernel, so that
    a fork of this process is that kernel (a kernel spec may name another
    Python, with other packages: that one is launched as it says).

    >>> runs_here([sys.executable, "-m", LAUNCHER, "-f", "k.json"])
    True
    >>> runs_here(["/opt/other/bin/python", "-m", LAUNCHER, "-f", "k.json"])
    False
    """
    return (
        len(cmd) > 2
        and os.path.abspath(cmd[0]) == os.path.abspath(sys.executable)
        and LAUNCHER in cmd
        and cmd[cmd.index(LAUNCHER) - 1] == "-m"
    )


def in_ipython() -> bool:
    """Whether this process is an IPython session (a kernel, or a terminal)."""
    ipython = sys.modules.get("IPython")
    return ipython is not None and ipython.get_ipython() is not None


def prepare_to_fork() -> None:
    """Import what a kernel needs in this process, so that every child shares it."""
    import ipykernel.kernelapp  # noqa: F401


def match_fresh_kernel() -> None:
    """Redo, in a kernel, what libraries decided on import outside one.

    Run in every kernel once its shell exists (a no-op in a kernel that imported
    them itself).  pandas shows at most 20 columns in a kernel but fits a
    terminal's width outside one, and decides which when it is imported
    (``pandas.core.config_init.is_terminal``).
    """
    if "pandas" in sys.modules:
        import pandas as pd
        from pandas.core.config_init import is_terminal

        pd.set_option("display.max_columns", 0 if is_terminal() else 20)


class ForkedProcess:
    """The ``subprocess.Popen`` interface jupyter_client uses, for a forked child."""

    stdin = stdout = stderr = None

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None:
            try:
                pid, status = os.waitpid(self.pid, os.WNOHANG)
            except ChildProcessError:  # reaped elsewhere (e.g. psutil.wait_procs)
                self.returncode = -signal.SIGKILL
            else:
                if pid:
                    self.returncode = os.waitstatus_to_exitcode(status)
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired(f"kernel {self.pid}", timeout or 0)
            time.sleep(0.02)
        return self.returncode  # type: ignore[return-value]

    def send_signal(self, signum: int) -> None:
        if self.poll() is None:
            os.kill(self.pid, signum)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)


class ForkProvisioner(LocalProvisioner):
    """jupyter_client's local provisioner, launching the kernel by ``os.fork()``
    where :func:`can_fork` allows, else exactly as the stock one does."""

    async def launch_kernel(self, cmd: list[str], **kwargs: Any) -> Any:
        if not runs_here(cmd) or not can_fork():
            return await super().launch_kernel(cmd, **kwargs)
        args = cmd[cmd.index(LAUNCHER) + 1 :]
        env = dict(kwargs.get("env") or os.environ)
        env["JPY_PARENT_PID"] = str(os.getpid())  # the kernel stops if we die
        cwd = kwargs.get("cwd")
        for stream in (sys.stdout, sys.stderr):  # else the child writes it again
            stream.flush()
        pid = os.fork()
        if pid == 0:
            _kernel_child(args, env, cwd, kwargs.get("stdout"), kwargs.get("stderr"))
        self.process = ForkedProcess(pid)
        self.pid = pid
        self.pgid = pid  # the child leads a session of its own
        self.cwd = cwd or Path.cwd()
        return self.connection_info

    async def wait(self) -> int | None:
        """Wait for a forked kernel to end, looking every 10 ms (the stock
        provisioner looks every 100 ms: a tenth of a second at every stop)."""
        if not isinstance(self.process, ForkedProcess):
            return await super().wait()
        while self.process.poll() is None:
            await asyncio.sleep(0.01)
        code, self.process = self.process.returncode, None
        return code


def _kernel_child(
    args: list[str], env: dict[str, str], cwd: str | None, stdout: Any, stderr: Any
) -> NoReturn:
    """Run the kernel in the forked child; never returns."""
    code = 1
    try:
        # dies with the process that forked it, SIGKILL included
        die_with_parent(int(env["JPY_PARENT_PID"]))
        os.setsid()
        _fresh_process_state(args, env, cwd, stdout, stderr)
        from ipykernel.kernelapp import IPKernelApp

        # ipykernel reads JPY_PARENT_PID (stop when the parent dies) when it is
        # imported, which was in the parent: say it again
        parent = f"--IPKernelApp.parent_handle={env['JPY_PARENT_PID']}"
        IPKernelApp.launch_instance(argv=[*args, parent])
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else int(exc.code is not None)
    except BaseException:  # noqa: BLE001 - reported on the kernel's stderr
        traceback.print_exc()
    finally:
        try:
            atexit._run_exitfuncs()  # the kernel's own: the parent's were cleared
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(code)


def _fresh_process_state(
    args: list[str], env: dict[str, str], cwd: str | None, stdout: Any, stderr: Any
) -> None:
    """Make the child what ``python -m ipykernel_launcher ARGS`` would start as."""
    # the name ps and top show (the command line stays the parent's)
    with contextlib.suppress(OSError):
        Path("/proc/self/comm").write_text("ipykernel")
    atexit._clear()  # the parent's exit handlers are the parent's business
    asyncio.events._set_running_loop(None)  # forked inside the parent's loop
    asyncio.set_event_loop(None)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    for signum in (signal.SIGTERM, signal.SIGHUP, signal.SIGCHLD):
        signal.signal(signum, signal.SIG_DFL)
    signal.set_wakeup_fd(-1)
    warnings.formatwarning = warnings._formatwarning_orig  # type: ignore[attr-defined]
    warnings.showwarning = warnings._showwarning_orig  # type: ignore[attr-defined]
    devnull = os.open(os.devnull, os.O_RDWR)
    os.dup2(devnull, 0)
    for fd, target in ((1, stdout), (2, stderr)):
        if target == subprocess.DEVNULL:
            os.dup2(devnull, fd)
        elif isinstance(target, int) and target >= 0:
            os.dup2(target, fd)
        elif hasattr(target, "fileno"):
            os.dup2(target.fileno(), fd)
    os.close(devnull)
    if cwd:
        os.chdir(cwd)
    os.environ.clear()
    os.environ.update(env)
    launcher = importlib.util.find_spec(LAUNCHER)
    sys.argv = [launcher.origin if launcher and launcher.origin else LAUNCHER, *args]
    # the interpreter put its script's folder (or the working directory) first;
    # python -m ipykernel_launcher removes it, and IPython adds '' later
    if not sys.flags.safe_path and sys.path:
        sys.path = sys.path[1:]
