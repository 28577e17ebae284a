"""Progress bars (tqdm) that start no thread.

tqdm starts a monitor thread with its first bar, and the thread stays for the
life of the process.  A process running another thread may not fork kernels
(:mod:`models.run.kernel_fork`), so a bar would make every later batch of the same
command (``sharedcase run a.yaml b.yaml``) start its kernels the slow way.
"""

from __future__ import annotations

from typing import Any


def progress_bar(*args: Any, auto: bool = False, **kwargs: Any) -> Any:
    """A tqdm bar (``auto``: the notebook widget where there is one) without
    the monitor thread (which only caps how long a stalled bar goes unredrawn)."""
    if auto:
        from tqdm.auto import tqdm
    else:
        from tqdm import tqdm

    class Bar(tqdm):  # type: ignore[misc, valid-type]
        monitor_interval = 0

    return Bar(*args, **kwargs)
