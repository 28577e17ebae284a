"""Interruptions: SIGINT and SIGTERM become exceptions, and no child process outlives them.

``sharedcase run`` runs inside :func:`signals_raise`: Ctrl-C (SIGINT) raises
``KeyboardInterrupt`` as usual, and SIGTERM (which by default kills Python
without any clean-up) raises :class:`Terminated`.  Both are ``BaseException``
so that ``except Exception`` around one option or one report does not swallow
them.  Before raising, the handler asks every descendant of this process
(process-pool workers, Jupyter kernels, which run in sessions of their own,
Chromium) to stop, so the run does not wait for the notebooks in flight and
nothing keeps writing into the run folder; :func:`stop_children` (called
again by the runner before it marks the run folder incomplete) waits for them
and kills the ones still running.  The command then exits ``128 + signal``:
130 for SIGINT, 143 for SIGTERM.
"""

from __future__ import annotations

import contextlib
import signal
import threading
import time
from collections.abc import Iterator
from typing import Any

_signalled: list[Any] = []  # psutil.Process objects asked to stop, not yet waited for
_since: list[float] = []  # start times of the enclosing signals_raise blocks
CLOCK_SLACK = 1.0
"""Seconds: process start times are read from the kernel at tick resolution."""


class Terminated(BaseException):
    """SIGTERM (or another terminating signal) received; ``signum`` says which."""

    def __init__(self, signum: int = signal.SIGTERM) -> None:
        self.signum = int(signum)
        super().__init__(signal_name(self.signum))


def signal_name(signum: int) -> str:
    """``SIGINT``, ``SIGTERM``, ...

    >>> signal_name(2)
    'SIGINT'
    """
    try:
        return signal.Signals(signum).name
    except ValueError:
        return f"signal {signum}"


def interrupt_signal(exc: BaseException) -> int | None:
    """The signal an exception stands for (SIGINT for KeyboardInterrupt), else None."""
    if isinstance(exc, Terminated):
        return exc.signum
    if isinstance(exc, KeyboardInterrupt):
        return int(signal.SIGINT)
    return None


def exit_status(exc: BaseException) -> int:
    """Exit status after an interruption: ``128 + signal`` (130 SIGINT, 143 SIGTERM).

    >>> exit_status(KeyboardInterrupt()), exit_status(Terminated())
    (130, 143)
    """
    return 128 + (interrupt_signal(exc) or int(signal.SIGINT))


def stop_children(
    since: float | None = None, wait: bool = True, timeout: float = 10.0
) -> None:
    """Ask every descendant of this process started at or after ``since`` (a
    ``time.time()``; default: the start of :func:`signals_raise`) to stop
    (SIGTERM); with ``wait``, wait up to ``timeout`` seconds and kill (SIGKILL)
    any still running.  Processes that were already running when the run
    started (say in a notebook or a test session calling the runner) are
    spared.

    The whole tree is listed before any process is signalled, so grandchildren
    (Jupyter kernels, Chromium) are reached even when their parent goes first.
    Without psutil (a dependency of ipykernel) this does nothing.
    """
    if since is None:
        since = _since[-1] if _since else 0.0
    try:
        import psutil
    except ImportError:  # pragma: no cover - psutil comes with ipykernel
        return
    try:
        found = psutil.Process().children(recursive=True)
    except psutil.Error:  # pragma: no cover
        found = []
    helpers = _helper_pids()
    found = [
        p
        for p in found
        if p.pid not in helpers and (_created(p) or 0.0) >= since - CLOCK_SLACK
    ]
    known = {(p.pid, _created(p)) for p in _signalled}
    for p in found:
        if (p.pid, _created(p)) not in known:
            _signalled.append(p)
    for p in list(_signalled):
        with contextlib.suppress(psutil.Error):
            p.terminate()
    if not wait:
        return
    procs = list(_signalled)
    _signalled.clear()
    alive = _wait(procs, timeout)
    for p in alive:
        with contextlib.suppress(psutil.Error):
            p.kill()
    _wait(alive, timeout)


def _wait(procs: list[Any], timeout: float) -> list[Any]:
    """Wait up to ``timeout`` seconds for ``procs`` to end; those still running.

    A child started by :mod:`multiprocessing` (a report worker of a process
    pool) is waited for through its own ``Process`` object: were it reaped
    here (``psutil.wait_procs`` calls ``waitpid``), the pool would never learn
    that it ended, and its shutdown would wait for ever.
    """
    import multiprocessing

    import psutil

    own = {c.pid: c for c in multiprocessing.active_children()}
    deadline = time.monotonic() + timeout
    for p in procs:
        if p.pid in own:
            own[p.pid].join(max(0.0, deadline - time.monotonic()))
    others = [p for p in procs if p.pid not in own]
    _, alive = psutil.wait_procs(others, timeout=max(0.0, deadline - time.monotonic()))
    return alive + [p for p in procs if p.pid in own and own[p.pid].is_alive()]


def _helper_pids() -> set[int]:
    """multiprocessing's resource tracker: it ignores SIGTERM and exits by itself
    when this process ends, so it is left alone."""
    try:
        from multiprocessing import resource_tracker

        pid = getattr(resource_tracker._resource_tracker, "_pid", None)
    except Exception:  # noqa: BLE001  # pragma: no cover
        return set()
    return {pid} if pid else set()


def _created(p: Any) -> float | None:
    try:
        return p.create_time()
    except Exception:  # noqa: BLE001 - gone already
        return None


def _raise_keyboard_interrupt(signum: int, frame: Any) -> None:
    stop_children(wait=False)
    raise KeyboardInterrupt


def _raise_terminated(signum: int, frame: Any) -> None:
    stop_children(wait=False)
    raise Terminated(signum)


def _raise_terminated_quietly(signum: int, frame: Any) -> None:
    raise Terminated(signum)


def raise_terminated_on_sigint() -> None:
    """From now on SIGINT raises :class:`Terminated` (``signum`` 2) instead of
    ``KeyboardInterrupt``, in the main thread of the command only
    (``models.__main__``): click turns a ``KeyboardInterrupt`` into
    ``Aborted!`` and exit status 1, but lets this through to the command's
    entry point, which prints one line and exits 130.  Within
    :func:`signals_raise` (a run) that block's own handler is in force.  A
    SIGINT that is ignored (a background job) stays ignored.
    """
    if threading.current_thread() is not threading.main_thread():
        return
    if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
        signal.signal(signal.SIGINT, _raise_terminated_quietly)


@contextlib.contextmanager
def signals_raise() -> Iterator[None]:
    """Within the block SIGINT raises KeyboardInterrupt and SIGTERM raises
    :class:`Terminated`, each after asking this process's children to stop.
    The previous handlers are restored afterwards.  A signal that was being
    ignored (e.g. SIGINT for a background job) stays ignored; outside the main
    thread nothing changes (Python delivers signals to the main thread only).
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    handlers = {
        signal.SIGINT: _raise_keyboard_interrupt,
        signal.SIGTERM: _raise_terminated,
    }
    previous = {s: signal.getsignal(s) for s in handlers}
    _since.append(time.time())
    for s, handler in handlers.items():
        if previous[s] is not signal.SIG_IGN:
            signal.signal(s, handler)
    try:
        yield
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler if handler is not None else signal.SIG_DFL)
        _since.pop()


@contextlib.contextmanager
def signals_held(deliver_after: bool = False) -> Iterator[None]:
    """Within the block SIGINT and SIGTERM are held off: a run folder is not
    left half renamed or half marked.  With ``deliver_after`` a signal that
    arrived is delivered when the block ends (to the handler then in force);
    otherwise it is dropped (the run is already stopping)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    arrived: list[int] = []
    previous = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}
    for s, handler in previous.items():
        if handler is not signal.SIG_IGN:
            signal.signal(s, lambda signum, frame: arrived.append(signum))
    try:
        yield
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler if handler is not None else signal.SIG_DFL)
        if deliver_after and arrived:
            signal.raise_signal(arrived[0])
