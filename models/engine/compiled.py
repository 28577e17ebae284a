"""One option compiled once while its analyses run.

An option's analyses each compile it from the case: its yearly model
(:func:`models.engine.projection.compile_option`), then its sensitivity sweep,
switching values and Monte Carlo draws (:func:`models.engine.uncertainty.compile_model`,
which compiles the option again inside).  That was four compilations an
option (about 25 ms of the 0.3 CPU-s an option costs in a streamed run).
Inside :func:`compiled_once`
each is done once for the same case object and option, and the same result is
handed out again.

What is handed out again is made read-only (every numpy array it holds as a
field), so that a caller writing into it fails at once instead of changing
what the next caller gets.  Outside the block nothing is remembered and every
call compiles afresh, as before.  The case must not be changed inside the block
(it is not: the analyses only read it).
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from typing import Any, TypeVar

import numpy as np

T = TypeVar("T")

_MEMO: ContextVar[dict | None] = ContextVar("sharedcase_compiled", default=None)


@contextlib.contextmanager
def compiled_once() -> Iterator[None]:
    """Within this block an option of a case is compiled once (see module doc);
    a block inside another shares what the outer one remembers."""
    if _MEMO.get() is not None:
        yield
        return
    token = _MEMO.set({})
    try:
        yield
    finally:
        _MEMO.reset(token)


def remembered(kind: str, case: Any, option: str, build: Callable[[], T]) -> T:
    """``build()``, or, inside :func:`compiled_once`, what it gave for the same
    ``kind``, case object and option (made read-only)."""
    memo = _MEMO.get()
    if memo is None:
        return build()
    key = (kind, id(case), option)
    hit = memo.get(key)
    if hit is None or hit[0] is not case:  # the case object is held: ids stay unique
        hit = memo[key] = (case, read_only(build()))
    return hit[1]


def read_only(value: T) -> T:
    """``value`` with every numpy array it holds as a dataclass field made
    read-only (in place), and returned."""
    if dataclasses.is_dataclass(value):
        for f in dataclasses.fields(value):
            array = getattr(value, f.name)
            if isinstance(array, np.ndarray):
                array.setflags(write=False)
    return value
