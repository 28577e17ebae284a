"""Where a run's work goes: ``sharedcase run --executor local|dask|tcp://HOST:PORT``.

``local`` (the default) is what a run has always done: the reports on warm
worker processes forked from the command (or threads, where forking is not
safe, :mod:`models.run.report_runner`), and, without reports, the options
computed on forked worker processes in chunks (:func:`local_mapper`).

``dask`` starts a :class:`dask.distributed.LocalCluster` of worker processes
(``--jobs`` of them, one thread each) for the run and stops it afterwards;
``tcp://HOST:PORT`` connects to a scheduler already running (``dask scheduler``,
with workers started by ``dask worker tcp://HOST:PORT``).  Either way
(:class:`DaskRun`):

* each report is one Dask task (:func:`models.run.report_runner.render_notebook`
  with absolute paths), submitted with ``retries`` so that a report whose
  worker dies is run again on another; a report that still fails is isolated
  like any failed option (its status says why, the command exits 1, the other
  reports are kept);
* the options are computed as Dask tasks too, in chunks of options
  (:func:`chunked_map`); the case and the Monte Carlo draws (made once, in the
  command, from the case's seed) are sent to the workers once.  Each option's
  draws are its slice of that one stream, evaluated in the same blocks as in a
  local run, so the results are identical to a local run's.

**Files travel through a shared folder**, not with the tasks: a report reads
the notebook (installed with the package), the case and the files it names,
and the analysis the command saved in the run folder, and writes its files
into the run folder, all by absolute path.  Workers must therefore see the
case's folder and the output folder at the same paths as the command (the same
machine, or a shared file system mounted at the same place), and have this
package installed with its report dependencies (``pip install .[dask]``).
Before any report is sent, :meth:`DaskRun.check_shared` asks every worker
whether it can read the case and the notebooks and write into the run folder,
and the run stops with a clear message (exit 2, nothing written) if one cannot.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
import uuid
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future
from pathlib import Path
from typing import Any

from models.core.errors import InputError
from models.engine.analysis import in_process
from models.run.interrupt import Terminated
from models.run.orphans import die_with_parent

LOCAL = "local"
DASK = "dask"
RETRIES = 2
"""Times a Dask task is run again after its worker died or it raised."""

CHUNKS_PER_WORKER = 4
"""Chunks of options a worker gets over a run (more: better balance, more
overhead); with at most :data:`MAX_CHUNK` options in a chunk."""
MAX_CHUNK = 25
IN_FLIGHT_PER_WORKER = 2
"""Chunks sent ahead of the one the command is writing, per worker: the bound
on what waits in memory."""


def executor_choice(text: str) -> str:
    """``local``, ``dask`` or a scheduler address ``tcp://HOST:PORT``; else an
    :class:`InputError` for ``--executor``.

    >>> executor_choice("tcp://127.0.0.1:8786")
    'tcp://127.0.0.1:8786'
    """
    text = text.strip()
    if text in (LOCAL, DASK):
        return text
    if text.startswith("tcp://"):
        host, _, port = text[len("tcp://") :].rpartition(":")
        if host and port.isdigit():
            return text
    raise InputError(
        None,
        "--executor",
        "local, dask or the address of a Dask scheduler such as tcp://127.0.0.1:8786",
        repr(text),
    )


def chunk_size(options: int, workers: int) -> int:
    """Options in a chunk: about :data:`CHUNKS_PER_WORKER` chunks a worker,
    at most :data:`MAX_CHUNK`.

    >>> chunk_size(1000, 2), chunk_size(3, 2)
    (25, 1)
    """
    return max(1, min(MAX_CHUNK, options // (workers * CHUNKS_PER_WORKER)))


def chunked_map(
    submit: Callable[[list[str]], Future],
    names: list[str],
    size: int,
    in_flight: int,
    failed: Callable[[list[str], str], list] | None = None,
) -> Iterator[Any]:
    """Each name's result, in order: ``submit(chunk)`` for chunks of ``size``
    names, at most ``in_flight`` chunks sent ahead of the one being read (so
    that what waits in memory is bounded).  A chunk whose task fails for good
    (its workers died more often than retried, or the task was lost) gives
    ``failed(chunk, error)``: its options fail, the others go on; without
    ``failed``, or for an :class:`InputError`, the error propagates."""
    chunks = iter([names[i : i + size] for i in range(0, len(names), size)])
    pending: deque[tuple[list[str], Future]] = deque()
    for chunk in chunks:
        pending.append((chunk, submit(chunk)))
        if len(pending) >= in_flight:
            break
    while pending:
        sent, done = pending.popleft()
        chunk = next(chunks, None)
        if chunk is not None:
            pending.append((chunk, submit(chunk)))
        try:
            results = done.result()
        except (InputError, KeyboardInterrupt, SystemExit, Terminated):
            # bad input or the command interrupted: not a failure of the chunk
            for _, f in pending:
                f.cancel()
            raise
        except BaseException as exc:  # noqa: BLE001 - e.g. the worker died
            if failed is None:
                for _, f in pending:
                    f.cancel()
                raise
            results = failed(sent, f"on the cluster: {type(exc).__name__}: {exc}")
        yield from results


FORK_SWITCH = "SHAREDCASE_FORK_KERNELS"
"""Set to 0 to fork nothing (as for the report kernels, :mod:`models.run.kernel_fork`)."""


def can_fork_workers() -> bool:
    """Whether worker processes may be forked from this process now: Linux, no
    other thread running, not inside an IPython session, and not turned off
    (``SHAREDCASE_FORK_KERNELS=0``).  (The test of
    :func:`models.run.kernel_fork.can_fork`, without loading jupyter.)"""
    if not sys.platform.startswith("linux") or os.environ.get(FORK_SWITCH) == "0":
        return False
    if threading.active_count() != 1 or threading.current_thread() is not (
        threading.main_thread()
    ):
        return False
    ipython = sys.modules.get("IPython")
    return ipython is None or ipython.get_ipython() is None


def local_mapper(jobs: int | None, options: int) -> tuple[Callable, Executor | None]:
    """The mapper of a local run without reports: forked worker processes
    (``jobs``, default the number of cores) where forking is safe
    (:func:`can_fork_workers`) and there is more than one option
    and one core; else in this process.  Returns the mapper and the pool to
    shut down (or None)."""
    workers = min(jobs or os.cpu_count() or 1, options)
    if workers < 2 or not can_fork_workers():
        return in_process, None
    import gc
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor

    # what exists now is left out of garbage collection, so that the workers'
    # collections do not write to (and so copy) the pages they share with us
    gc.collect()
    gc.freeze()
    pool = ProcessPoolExecutor(
        workers, mp.get_context("fork"), initializer=_start_compute_worker
    )

    def mapper(task: Callable[[list[str]], list], names: list[str]) -> Iterator:
        return chunked_map(
            lambda chunk: pool.submit(task, chunk),
            names,
            chunk_size(len(names), workers),
            IN_FLIGHT_PER_WORKER * workers,
            getattr(task, "failed", None),
        )

    return mapper, pool


def _start_compute_worker() -> None:
    """In a forked compute worker: die with the command however it ends
    (:mod:`models.run.orphans`), and leave interrupts to it (the command stops
    its children; a worker would only print a traceback)."""
    import multiprocessing as mp
    import signal

    parent = mp.parent_process()
    die_with_parent(parent.pid if parent is not None else os.getppid())
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def _given(value: Any) -> Any:
    """On a worker: ``value`` itself (a task's result the scheduler can recompute)."""
    return value


def _call(task: Callable[[list[str]], list], chunk: list[str]) -> list:
    """On a worker: one chunk of options (``task`` arrives once, scattered)."""
    return task(chunk)


def _probe(read: list[str], write: str) -> list[str]:
    """On a worker: what it cannot read of ``read``, or write into ``write``."""
    problems = [f"cannot read {p}" for p in read if not os.access(p, os.R_OK)]
    probe = Path(write) / f".probe-{uuid.uuid4().hex}"
    try:
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        problems.append(f"cannot write into {write} ({exc.strerror})")
    return problems


class DaskExecutor(Executor):
    """A :class:`concurrent.futures.Executor` on a Dask client: every call is a
    Dask task, not cached (``pure=False``), run again up to :data:`RETRIES`
    times if its worker dies or it raises."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self._executor = client.get_executor(pure=False, retries=RETRIES)

    def submit(self, fn: Callable, /, *args: Any, **kwargs: Any) -> Future:
        return self._executor.submit(fn, *args, **kwargs)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self._executor.shutdown(wait=wait)


class DaskRun:
    """A run's Dask cluster: a new LocalCluster of worker processes
    (``address="dask"``) or a scheduler already running (``tcp://HOST:PORT``).
    A context manager; the cluster it started is stopped at the end."""

    def __init__(self, address: str, jobs: int | None = None) -> None:
        self.address = address
        self.jobs = jobs
        self.cluster: Any = None
        self.client: Any = None
        self.executor: DaskExecutor | None = None

    def __enter__(self) -> DaskRun:
        try:
            from distributed import Client, LocalCluster
        except ImportError:
            raise InputError(
                None,
                "--executor",
                "dask.distributed installed (pip install '.[dask]')",
                f"--executor {self.address} without it",
            ) from None
        try:
            if self.address == DASK:
                self.cluster = LocalCluster(
                    n_workers=self.jobs or os.cpu_count() or 1,
                    threads_per_worker=1,
                    processes=True,
                    dashboard_address=None,
                    silence_logs=logging.ERROR,
                )
                self.client = Client(self.cluster)
            else:
                self.client = Client(self.address, timeout="10s")
        except OSError as exc:
            self.close()
            raise InputError(
                None,
                "--executor",
                f"a Dask scheduler answering at {self.address}",
                f"none ({exc})",
            ) from None
        self.executor = DaskExecutor(self.client)
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Disconnect, and stop the cluster this run started."""
        if self.client is not None:
            self.client.close()
        if self.cluster is not None:
            self.cluster.close()
        self.client = self.cluster = None

    def workers(self) -> int:
        """Workers connected now (at least 1)."""
        return max(1, len(self.client.scheduler_info(n_workers=-1)["workers"]))

    def check_shared(self, read: list[Path], write: Path) -> None:
        """Every worker can read ``read`` and write into ``write`` at the same
        paths as this command; else an :class:`InputError` naming the worker
        and what it cannot do (see the module docstring: a shared folder)."""
        answers = self.client.run(
            _probe, [str(Path(p).resolve()) for p in read], str(Path(write).resolve())
        )
        for worker, problems in sorted(answers.items()):
            if problems:
                raise InputError(
                    None,
                    "--executor",
                    "workers that see the case and the output folder at the same "
                    "paths as this command (a shared folder)",
                    f"worker {worker}: {'; '.join(problems)}",
                )

    def mapper(self, task: Callable[[list[str]], list], names: list[str]) -> Iterator:
        """The options computed on the cluster in chunks.  ``task`` (the case
        and the draws) is sent once, as the result of a task of its own rather
        than scattered, so that the scheduler can make it again if the worker
        holding it dies (scattered data would be lost with it)."""
        workers = self.workers()
        shared = self.client.submit(_given, task, pure=False, retries=RETRIES)
        return chunked_map(
            lambda chunk: self.executor.submit(_call, shared, chunk),
            names,
            chunk_size(len(names), workers),
            IN_FLIGHT_PER_WORKER * workers,
            getattr(task, "failed", None),
        )
