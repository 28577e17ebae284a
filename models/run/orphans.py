"""No orphans: a child process of a run dies with the process that started it.

A run starts report workers (forked processes), Jupyter kernels (forked by the
workers, or launched as new interpreters) and one Chromium.  SIGINT and SIGTERM
stop them in order (:mod:`models.run.interrupt`), but SIGKILL, and the kernel's
out-of-memory killer, give the command no chance to: without more, the workers
and their kernels would live on with parent PID 1, holding the caller's stdout
open, and a caller waiting for the output would hang.

So every child arranges, as it starts, to die with its parent:

- on Linux each forked worker and each forked kernel asks the kernel for
  SIGKILL when its parent dies (``prctl(PR_SET_PDEATHSIG)``, called through
  ctypes: :func:`die_with_parent`);
- a kernel launched as a new interpreter is watched by ipykernel's own parent
  poller (``JPY_PARENT_PID``, set by jupyter_client), which ends it within a
  second of its parent's death;
- Chromium is driven over ``--remote-debugging-pipe`` and ends when that pipe
  closes, which it does when the process holding the other end dies.

The caveats of ``PR_SET_PDEATHSIG`` (see ``man 2 prctl``), and how they are met:

- it fires when the *thread* that forked the child ends, not the process: run
  children are forked only by a main thread, which lives as long as its process
  (``ProcessPoolExecutor`` forks every worker at its first ``submit``, made by
  the command's main thread; a kernel is forked only from a main thread, see
  :func:`models.run.kernel_fork.can_fork`);
- it is not inherited: each generation asks for itself (a worker, then the
  kernel it forks);
- the parent may die before the child asks: the child then compares its
  parent's PID with the one it was forked from, and leaves at once if they
  differ;
- it is kept across ``exec`` of an ordinary program, and cleared by ``exec`` of
  a set-user-ID one (none is run).

Elsewhere than Linux no process is forked (reports run on threads of the
command, each driving a launched kernel with its parent poller), so nothing
more is needed.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys

PR_SET_PDEATHSIG = 1
"""``prctl`` option: the signal this process gets when its parent dies
(``<linux/prctl.h>``)."""


def die_with_parent(parent_pid: int, signum: int = signal.SIGKILL) -> bool:
    """In a child that has just started: be sent ``signum`` when the parent dies.

    ``parent_pid`` is the process that forked this one; if it has died already
    (this process's parent is no longer it), the process leaves at once with
    status 1.  Returns whether the request was taken (False where
    ``prctl`` is not available, i.e. not on Linux).
    """
    taken = False
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            taken = libc.prctl(PR_SET_PDEATHSIG, int(signum), 0, 0, 0) == 0
        except (OSError, AttributeError):  # pragma: no cover - no prctl in libc
            taken = False
    if os.getppid() != parent_pid:  # the parent died before the request
        os._exit(1)
    return taken
