"""``make mutants``: mutation testing of the model layer's formula modules.

A test suite that runs a formula is not one that checks it.  This script changes
one operator or constant at a time in the small formula modules (a *mutant*:
``costs * price_index`` becomes ``costs / price_index``), runs the tests that
cover that module, and counts the mutant *killed* if a test fails (or the run
times out) and *survived* if every test still passes.  A survivor is a blind
spot: a formula that could be wrong without any test noticing.

How it works:

* Mutants are enumerated with ``ast`` and applied to the source text at the
  exact place of the operator or constant, so that line numbers, comments and
  doctests stay as they are.  Docstrings, type annotations, strings, f-strings
  and the arguments of ``raise`` and ``warnings.warn`` (error messages) are left
  alone.
* Operators: ``+ -``, ``* /``, ``//`` and ``**`` (to ``/`` and ``*``), ``& |``;
  ``< <=``, ``> >=``, ``== !=``, ``in``/``not in``, ``is``/``is not``;
  ``and or``; a unary ``-``, ``~`` or ``not`` removed; ``+=`` and friends;
  numbers (an integer ``c`` to ``c + 1``; a float ``c`` to ``c + 1`` and to 0);
  ``True False``; an index ``[-1]`` to ``[0]``; and the paired names
  ``max min``, ``maximum minimum``, ``any all``, ``floor ceil``.
* The repository is copied to a temporary folder once per worker (the working
  tree is never touched: others run tests in it).  The script imports numpy,
  pandas, scipy, pydantic, pytest and hypothesis once, then for each mutant
  writes the mutated module into its worker's copy and forks a child that runs
  pytest there (``-x``, no cache, no bytecode, hypothesis derandomised with no
  deadline) on the module's own doctests and the test files mapped to it in
  :data:`TARGETS`.  A fork starts in a few milliseconds where a new interpreter
  takes a second and a half to import the same libraries.
* Each module's tests are first run unmutated: they must pass, and their time
  sets the module's timeout (a mutant that loops for ever counts as killed).
* Equivalent mutants, which cannot change behaviour, are listed in
  :data:`EQUIVALENT` with the reason, reported apart and left out of the score.
  Survivors that can change behaviour only where nothing real goes (a tolerance
  met exactly) are listed in :data:`EXPLAINED` with the reason: still scored as
  survivors, but reported with it.  docs/contributing.md says what to do with a
  survivor.

The last line is machine-readable:
``mutation_score=<killed/total> killed=<k> total=<n>``.

Usage: ``python benchmarks/mutants.py [--jobs 2] [--module savings ...] [--list]``
(``--list`` prints the mutants without running anything).
"""

from __future__ import annotations

import argparse
import ast
import dataclasses
import gc
import json
import os
import re
import resource
import shutil
import signal
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

TARGETS: dict[str, tuple[str, ...]] = {
    "models/core/calendar.py": ("tests/test_calendar.py",),
    "models/core/rounding.py": ("tests/test_rounding.py",),
    "models/reference/optimism_bias.py": ("tests/test_optimism_bias.py",),
    "models/inputs/bases.py": ("tests/test_bases.py",),
    "models/model/savings.py": ("tests/test_savings.py",),
    "models/model/costs.py": ("tests/test_costs.py", "tests/test_projection.py"),
    "models/model/appraisal.py": ("tests/test_appraisal.py",),
    "models/model/sharing.py": ("tests/test_sharing.py",),
    "models/model/severance.py": (
        "tests/test_severance_rules.py",
        "tests/test_severance.py",
        "tests/test_pricing_faults.py",
    ),
}
"""Each formula module and the test files that cover it (its own doctests run
too): its unit tests, and a case-level file only where the module's formulas are
reached through a case (which category of cost follows which price index; how
severance is priced and shared).  A file listed here that does not exist is
reported and left out."""


@dataclasses.dataclass(frozen=True)
class Known:
    """A mutant the tests do not kill, and why (matched on file and change)."""

    path: str
    change: str
    """As the runner names it: the change and the expression it is made in."""
    reason: str


_CONSTANT_SHIFT = (
    "adds the same constant to the cost of every {what} rounded up; how many are "
    "rounded up is fixed by the grand total (ups = round(G) - sum of floors), so "
    "the objective moves by a constant and the optimal roundings are the same "
    "(the solver may return another of several equally good ones, which no test "
    "should pin)"
)
_FOOTS_SIDES = (
    "swaps which side of the comparison is the total and which the sum of the "
    "others; with rtol=0 the test |a - b| <= 1e-6 is symmetric"
)

EQUIVALENT: tuple[Known, ...] = (
    Known(
        "models/model/sharing.py",
        "`True` -> `False` in `keepdims=True`",
        "the column totals of shape (T,) broadcast over the councils exactly as "
        "(1, T) does, in the division and in its `where`",
    ),
    *(
        Known("models/core/rounding.py", f"`1.0` -> `{c}` in `1.0 - 2.0 * {f}`", r)
        for c in ("0.0", "2.0")
        for f, r in (
            ("fraction", _CONSTANT_SHIFT.format(what="cell")),
            ("row_frac", _CONSTANT_SHIFT.format(what="row total")),
            ("col_frac", _CONSTANT_SHIFT.format(what="column total")),
        )
    ),
    Known(
        "models/core/rounding.py",
        "`==` -> `!=` in `rounded.index == row_total`",
        _FOOTS_SIDES,
    ),
    Known(
        "models/core/rounding.py",
        "`==` -> `!=` in `rounded.columns == col_total`",
        _FOOTS_SIDES,
    ),
)
"""Mutants that cannot change behaviour: reported apart, not scored."""

_WEIGHT = (
    "the weight of the totals' rounding errors against the cells' (1000) is a "
    "'large enough' constant, not a figure of the method: {how}; tests pin what "
    "it is for (totals as close as any footing rounding allows, checked against "
    "brute force), which holds for either value; on 800 random tables the two "
    "gave the same roundings but for ties"
)

EXPLAINED: tuple[Known, ...] = (
    Known(
        "models/core/rounding.py",
        "`1000.0` -> `1001.0` in `_TOTAL_WEIGHT = 1000.0`",
        _WEIGHT.format(how="1001 for 1000"),
    ),
    *(
        Known(
            "models/core/rounding.py",
            f"`2.0` -> `3.0` in `2.0 * {f}`",
            _WEIGHT.format(
                how=f"1 - 3f = -0.5 + 1.5 (1 - 2f), so the {what} weigh 1.5 times "
                "as much against the rest"
            ),
        )
        for f, what in (
            ("fraction", "cells"),
            ("row_frac", "row totals"),
            ("col_frac", "column totals"),
        )
    ),
    *(
        Known(
            "models/core/rounding.py",
            f"`>` -> `>=` in `{f}_frac > 0`",
            f"lets a whole {what} total move by one unit at a cost of 1000, more "
            "than any footing rounding gains from it (a whole cell cannot move, "
            "so a whole total has nothing to foot against); no difference on 800 "
            "random tables but for ties",
        )
        for f, what in (("row", "row"), ("col", "column"))
    ),
    Known(
        "models/core/rounding.py",
        "`>` -> `>=` in `np.abs(found - exact) > tolerance`",
        "refuses a stated total off by exactly the tolerance (1e-9 of the "
        "table's scale) instead of accepting it: the edge between float noise "
        "and an error is arbitrary, and no stated total sits on it",
    ),
    Known(
        "models/model/sharing.py",
        "`>` -> `>=` in `np.abs(change) > tolerance + 1e-12`",
        "differs only for a relative change of exactly tolerance + 1e-12, which "
        "no driver figures give; the 1e-12 is there so that exactly 3% in floating "
        "point is within tolerance, which the tests pin",
    ),
)
"""Survivors the tests do not kill, each with its reason: scored as survivors."""


# --------------------------------------------------------------------- mutants


@dataclasses.dataclass(frozen=True)
class Mutant:
    """One change to one module: byte ranges of the source and their replacements."""

    path: str
    line: int
    change: str
    code: str
    patches: tuple[tuple[int, int, bytes], ...]

    def apply(self, source: bytes) -> bytes:
        out = source
        for start, end, text in sorted(self.patches, reverse=True):
            out = out[:start] + text + out[end:]
        return out

    def label(self) -> str:
        return f"{self.path}:{self.line}: {self.change}"


BINARY = {
    ast.Add: (ast.Sub, "+", "-"),
    ast.Sub: (ast.Add, "-", "+"),
    ast.Mult: (ast.Div, "*", "/"),
    ast.Div: (ast.Mult, "/", "*"),
    ast.FloorDiv: (ast.Div, "//", "/"),
    ast.Pow: (ast.Mult, "**", "*"),
    ast.BitAnd: (ast.BitOr, "&", "|"),
    ast.BitOr: (ast.BitAnd, "|", "&"),
    ast.Mod: (ast.FloorDiv, "%", "//"),
}
COMPARE = {
    ast.Lt: (ast.LtE, "<", "<="),
    ast.LtE: (ast.Lt, "<=", "<"),
    ast.Gt: (ast.GtE, ">", ">="),
    ast.GtE: (ast.Gt, ">=", ">"),
    ast.Eq: (ast.NotEq, "==", "!="),
    ast.NotEq: (ast.Eq, "!=", "=="),
    ast.In: (ast.NotIn, "in", "not in"),
    ast.NotIn: (ast.In, "not in", "in"),
    ast.Is: (ast.IsNot, "is", "is not"),
    ast.IsNot: (ast.Is, "is not", "is"),
}
BOOLEAN = {ast.And: (ast.Or, "and", "or"), ast.Or: (ast.And, "or", "and")}
PAIRED_NAMES = {
    "max": "min",
    "min": "max",
    "maximum": "minimum",
    "minimum": "maximum",
    "any": "all",
    "all": "any",
    "floor": "ceil",
    "ceil": "floor",
}
UNARY = {ast.USub: "-", ast.Invert: "~", ast.Not: "not"}
MESSAGE_CALLS = {"warn", "InputError", "ValueError", "TypeError", "RuntimeError"}


def _operator_pattern(token: str) -> re.Pattern[str]:
    if token[0].isalpha():
        words = r"\s+".join(token.split())
        return re.compile(rf"(?<![\w.]){words}(?!\w)")
    # a single * must not match **, nor < match <=, nor / match //
    return re.compile(rf"(?<![*/<>=!]){re.escape(token)}(?![*/<>=])")


class _Source:
    """The text of a module with byte offsets for ast positions (UTF-8 columns)."""

    def __init__(self, path: str, source: bytes):
        self.path = path
        self.bytes = source
        self.lines = source.split(b"\n")
        self.starts = [0]
        for line in self.lines:
            self.starts.append(self.starts[-1] + len(line) + 1)

    def offset(self, line: int, col: int) -> int:
        return self.starts[line - 1] + col

    def code(self, line: int) -> str:
        return self.lines[line - 1].decode().strip()

    def operator_between(self, left: ast.AST, right: ast.AST, token: str) -> int:
        """Byte offset of ``token`` between two nodes (skipping parentheses, comments)."""
        start = self.offset(left.end_lineno, left.end_col_offset)
        end = self.offset(right.lineno, right.col_offset)
        gap = self.bytes[start:end].decode()
        gap = re.sub(r"#[^\n]*", lambda m: " " * len(m.group(0).encode()), gap)
        found = list(_operator_pattern(token).finditer(gap))
        if len(found) != 1:
            raise ValueError(
                f"{self.path}:{left.end_lineno}: expected one {token!r} in {gap!r}"
            )
        return start + len(gap[: found[0].start()].encode())


def _skipped_nodes(tree: ast.AST) -> set[int]:
    """Ids of nodes never mutated: docstrings, annotations, messages, strings."""
    skip: set[int] = set()

    def skip_all(node: ast.AST | None) -> None:
        if node is not None:
            skip.update(id(n) for n in ast.walk(node))

    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if (
            isinstance(body, list)
            and body
            and isinstance(body[0], ast.Expr)
            and isinstance(body[0].value, ast.Constant)
            and isinstance(body[0].value.value, str)
        ):
            skip_all(body[0])
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            skip_all(node)  # attribute docstrings
        if isinstance(node, ast.arg | ast.AnnAssign):
            skip_all(node.annotation)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            skip_all(node.returns)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            for decorator in node.decorator_list:
                skip_all(decorator)
        if isinstance(node, ast.Raise | ast.JoinedStr | ast.ImportFrom | ast.Import):
            skip_all(node)
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else None
            name = func.id if isinstance(func, ast.Name) else name
            if name in MESSAGE_CALLS:
                skip_all(node)
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skip_all(node)
        if isinstance(node, ast.BinOp) and any(
            isinstance(side, ast.JoinedStr)
            or (isinstance(side, ast.Constant) and isinstance(side.value, str))
            for side in (node.left, node.right)
        ):
            skip_all(node)  # building a message
    return skip


def _number(value: float) -> str:
    return repr(value)


def mutants_of(path: str, source: bytes) -> Iterator[Mutant]:
    """Every mutant of one module, in source order."""
    text = _Source(path, source)
    tree = ast.parse(source)
    skip = _skipped_nodes(tree)
    parents = {
        id(child): node
        for node in ast.walk(tree)
        for child in ast.iter_child_nodes(node)
    }

    def make(
        node: ast.AST,
        change: str,
        *patches: tuple[int, int, str],
        context: tuple[ast.AST, ast.AST] | None = None,
    ) -> Mutant:
        """A mutant named by its change and the expression it is made in."""
        first, last = context or (node, node)
        if isinstance(node, ast.Constant) and context is None:
            parent = parents.get(id(node), node)
            first = last = parent if hasattr(parent, "end_col_offset") else node
        start = text.offset(first.lineno, first.col_offset)
        end = text.offset(last.end_lineno, last.end_col_offset)
        where = " ".join(text.bytes[start:end].decode().split())
        if len(where) > 60:
            at_patch = len(text.bytes[start : patches[0][0]].decode())
            left = max(0, min(at_patch - 30, len(where) - 60))
            where = "..." + where[left : left + 60] + "..."
        return Mutant(
            path,
            node.lineno,
            f"{change} in `{where}`",
            text.code(node.lineno),
            tuple((s, e, t.encode()) for s, e, t in patches),
        )

    def at(node: ast.AST) -> tuple[int, int]:
        return (
            text.offset(node.lineno, node.col_offset),
            text.offset(node.end_lineno, node.end_col_offset),
        )

    found: list[Mutant] = []
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.BinOp) and type(node.op) in BINARY:
            _, old, new = BINARY[type(node.op)]
            where = text.operator_between(node.left, node.right, old)
            found.append(
                make(node, f"`{old}` -> `{new}`", (where, where + len(old), new))
            )
        elif isinstance(node, ast.AugAssign) and type(node.op) in BINARY:
            _, old, new = BINARY[type(node.op)]
            where = text.operator_between(node.target, node.value, old + "=")
            found.append(
                make(node, f"`{old}=` -> `{new}=`", (where, where + len(old), new))
            )
        elif isinstance(node, ast.Compare):
            left = node.left
            for op, right in zip(node.ops, node.comparators, strict=True):
                if type(op) in COMPARE:
                    _, old, new = COMPARE[type(op)]
                    where = text.operator_between(left, right, old)
                    span = len(
                        _operator_pattern(old)
                        .search(text.bytes[where:].decode())
                        .group(0)
                        .encode()
                    )
                    found.append(
                        make(
                            node,
                            f"`{old}` -> `{new}`",
                            (where, where + span, new),
                            context=(left, right),
                        )
                    )
                left = right
        elif isinstance(node, ast.BoolOp):
            _, old, new = BOOLEAN[type(node.op)]
            patches = []
            for left, right in zip(node.values, node.values[1:], strict=False):
                where = text.operator_between(left, right, old)
                patches.append((where, where + len(old), new))
            found.append(make(node, f"`{old}` -> `{new}`", *patches))
        elif isinstance(node, ast.UnaryOp) and type(node.op) in UNARY:
            start, _ = at(node)
            operand, _ = at(node.operand)
            symbol = UNARY[type(node.op)]
            found.append(make(node, f"`{symbol}` removed", (start, operand, "")))
            parent = parents.get(id(node))
            if (
                isinstance(node.op, ast.USub)
                and isinstance(node.operand, ast.Constant)
                and node.operand.value == 1
                and isinstance(parent, ast.Subscript)
                and parent.slice is node
            ):
                start, end = at(node)
                found.append(make(node, "index `[-1]` -> `[0]`", (start, end, "0")))
        elif isinstance(node, ast.Constant):
            value = node.value
            start, end = at(node)
            if isinstance(value, bool):
                found.append(
                    make(
                        node,
                        f"`{value}` -> `{not value}`",
                        (start, end, str(not value)),
                    )
                )
            elif isinstance(value, int):
                found.append(
                    make(
                        node,
                        f"`{value}` -> `{value + 1}`",
                        (start, end, str(value + 1)),
                    )
                )
            elif isinstance(value, float):
                plus = _number(value + 1.0)
                found.append(make(node, f"`{value!r}` -> `{plus}`", (start, end, plus)))
                if value != 0:
                    found.append(
                        make(node, f"`{value!r}` -> `0.0`", (start, end, "0.0"))
                    )
        elif isinstance(node, ast.Attribute) and node.attr in PAIRED_NAMES:
            _, end = at(node)
            new = PAIRED_NAMES[node.attr]
            found.append(
                make(
                    node,
                    f"`.{node.attr}` -> `.{new}`",
                    (end - len(node.attr), end, new),
                )
            )
        elif (
            isinstance(node, ast.Name)
            and node.id in PAIRED_NAMES
            and isinstance(parents.get(id(node)), ast.Call)
        ):
            start, end = at(node)
            new = PAIRED_NAMES[node.id]
            found.append(make(node, f"`{node.id}` -> `{new}`", (start, end, new)))
    found.sort(key=lambda m: (m.line, min(s for s, _, _ in m.patches), m.change))
    for mutant in found:
        _check(mutant, source, tree)
        yield mutant


def _check(mutant: Mutant, source: bytes, tree: ast.AST) -> None:
    """A mutant must parse and differ from the original (else the runner is wrong)."""
    try:
        mutated = ast.parse(mutant.apply(source))
    except SyntaxError as error:  # pragma: no cover - a bug in this script
        raise ValueError(f"{mutant.label()} does not parse: {error}") from None
    if ast.dump(mutated) == ast.dump(tree):  # pragma: no cover
        raise ValueError(f"{mutant.label()} changes nothing")


def all_mutants(paths: list[str], sources: dict[str, bytes]) -> list[Mutant]:
    return [m for p in paths for m in mutants_of(p, sources[p])]


def _reason(mutant: Mutant, known: tuple[Known, ...]) -> str | None:
    for entry in known:
        if (entry.path, entry.change) == (mutant.path, mutant.change):
            return entry.reason
    return None


def equivalent_reason(mutant: Mutant) -> str | None:
    """Why a mutant cannot change behaviour, if it is listed in EQUIVALENT."""
    return _reason(mutant, EQUIVALENT)


# ---------------------------------------------------------------------- running


def _preload() -> None:
    """Import the heavy libraries once, in the parent, before any fork."""
    for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(name, "1")
    os.environ["PYTHONDONTWRITEBYTECODE"] = "1"
    # Only the hypothesis plugin (named in PYTEST_ARGS): anyio's takes 0.4 s.
    os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    sys.dont_write_bytecode = True
    import _hypothesis_pytestplugin  # noqa: F401
    import _pytest.doctest  # noqa: F401
    import _pytest.python  # noqa: F401
    import hypothesis  # noqa: F401
    import numpy  # noqa: F401
    import pandas  # noqa: F401
    import pydantic  # noqa: F401
    import pytest  # noqa: F401
    import scipy.optimize  # noqa: F401
    import scipy.stats  # noqa: F401
    import yaml  # noqa: F401

    gc.freeze()  # the children's collections need not scan all of the above


PYTEST_ARGS = (
    "-x",
    "-q",
    "-p",
    "no:cacheprovider",
    "-p",
    "_hypothesis_pytestplugin",
    "-W",
    "ignore::pytest.PytestAssertRewriteWarning",
)
"""Stop at the first failure; no cache; the one plugin the tests need."""


def _copy_tree(source: Path, target: Path) -> None:
    shutil.copytree(
        source,
        target,
        ignore=shutil.ignore_patterns(
            ".venv",
            ".git",
            "__pycache__",
            ".hypothesis",
            "outputs",
            "build",
            "*.egg-info",
        ),
    )


class _FastestFirst:
    """pytest plugin: run the quickest tests first, and time them.

    A mutant is usually killed by some quick test; only the survivors (and
    equivalent mutants) pay for the slow property-based tests.  The unmutated
    run records each test's time in ``record``; the mutant runs sort by it.
    """

    def __init__(self, durations: dict[str, float], record: Path | None):
        self.durations = durations
        self.record = record
        self.measured: dict[str, float] = {}

    def pytest_collection_modifyitems(self, items: list) -> None:
        items.sort(key=lambda item: self.durations.get(item.nodeid, 0.0))

    def pytest_runtest_logreport(self, report) -> None:
        self.measured[report.nodeid] = (
            self.measured.get(report.nodeid, 0.0) + report.duration
        )

    def pytest_sessionfinish(self) -> None:
        if self.record is not None:
            self.record.write_text(json.dumps(self.measured))


def _child(copy_root: Path, tests: list[str], order: _FastestFirst) -> None:
    """Run pytest in a worker's copy and leave with its exit code (never returns)."""
    code = 3
    try:
        os.setpgid(0, 0)
        gib = 2**30
        resource.setrlimit(resource.RLIMIT_AS, (6 * gib, 6 * gib))
        os.chdir(copy_root)
        sys.path.insert(0, str(copy_root))
        os.environ["PYTHONPATH"] = str(copy_root)
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.dup2(devnull, 2)
        import hypothesis
        import pytest

        hypothesis.settings.register_profile(
            "mutants", deadline=None, derandomize=True, database=None
        )
        hypothesis.settings.load_profile("mutants")
        code = int(pytest.main([*PYTEST_ARGS, *tests], plugins=[order]))
    finally:
        os._exit(code)


@dataclasses.dataclass
class _Job:
    mutant: Mutant | None
    path: str
    slot: int
    pid: int
    started: float
    timeout: float


class Runner:
    """``jobs`` forked pytest runs at a time, each in its own copy of the tree.

    The first copy is a snapshot of the working tree taken once; mutants are
    made from the snapshot's sources (:attr:`sources`), so that edits made to the
    working tree during the run change nothing.
    """

    def __init__(self, jobs: int, workdir: Path, paths: list[str]):
        self.workdir = workdir
        self.durations: dict[str, dict[str, float]] = {}
        self.copies = [workdir / f"copy{slot}" for slot in range(jobs)]
        _copy_tree(ROOT, self.copies[0])
        for target in self.copies[1:]:
            _copy_tree(self.copies[0], target)
        self.sources = {p: (self.copies[0] / p).read_bytes() for p in paths}
        self.tests = {p: _test_files(self.copies[0], p) for p in paths}
        self.free = list(range(jobs))[::-1]
        self.running: dict[int, _Job] = {}

    def start(self, path: str, mutant: Mutant | None, timeout: float) -> None:
        """Write the mutant (or the original) into a free copy and fork pytest."""
        slot = self.free.pop()
        source = self.sources[path]
        module = self.copies[slot] / path
        module.write_bytes(source if mutant is None else mutant.apply(source))
        tests = self.tests[path]
        record = self.workdir / f"{Path(path).stem}.json" if mutant is None else None
        order = _FastestFirst(self.durations.get(path, {}), record)
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child
            _child(self.copies[slot], tests, order)
        self.running[pid] = _Job(mutant, path, slot, pid, time.monotonic(), timeout)

    def _release(self, job: _Job) -> None:
        del self.running[job.pid]
        (self.copies[job.slot] / job.path).write_bytes(self.sources[job.path])
        self.free.append(job.slot)

    def wait(self) -> tuple[_Job, str, float]:
        """Wait for a run to end: the job, "passed", "failed" or "timeout", seconds."""
        while True:
            for pid, job in list(self.running.items()):
                done, status = os.waitpid(pid, os.WNOHANG)
                seconds = time.monotonic() - job.started
                if done:
                    self._release(job)
                    code = os.waitstatus_to_exitcode(status)
                    return job, ("passed" if code == 0 else "failed"), seconds
                if seconds > job.timeout:
                    os.killpg(pid, signal.SIGKILL)
                    os.waitpid(pid, 0)
                    self._release(job)
                    return job, "timeout", seconds
            time.sleep(0.01)


def _short(path: str) -> str:
    return Path(path).stem


def _test_files(copy_root: Path, path: str) -> list[str]:
    """The module itself (its doctests) and its mapped test files that exist."""
    present = [t for t in TARGETS[path] if (copy_root / t).exists()]
    for missing in sorted(set(TARGETS[path]) - set(present)):
        print(f"note: {missing} (mapped to {path}) is not there; left out")
    return [path, *present]


def _baseline(runner: Runner, paths: list[str]) -> dict[str, float] | None:
    """Run each module's tests unmutated: seconds taken, or None if any fails."""
    seconds_by_path: dict[str, float] = {}
    pending = list(paths)
    while pending or runner.running:
        while pending and runner.free:
            runner.start(pending.pop(0), None, timeout=600.0)
        job, outcome, seconds = runner.wait()
        if outcome != "passed":
            print(f"{job.path}: its tests fail unmutated ({outcome}); fix that first")
            return None
        seconds_by_path[job.path] = seconds
        record = runner.workdir / f"{_short(job.path)}.json"
        runner.durations[job.path] = json.loads(record.read_text())
    return seconds_by_path


def _run_mutants(
    runner: Runner, live: list[Mutant], timeouts: dict[str, float]
) -> dict[Mutant, str]:
    """Each mutant's outcome: "passed" (survived), "failed" or "timeout" (killed)."""
    outcomes: dict[Mutant, str] = {}
    queue = list(live)
    began = time.monotonic()
    while queue or runner.running:
        while queue and runner.free:
            mutant = queue.pop(0)
            runner.start(mutant.path, mutant, timeouts[mutant.path])
        job, outcome, _ = runner.wait()
        outcomes[job.mutant] = outcome
        if len(outcomes) % 50 == 0:
            minutes = (time.monotonic() - began) / 60
            print(
                f"  {len(outcomes)}/{len(live)} mutants, {minutes:.1f} min",
                file=sys.stderr,
            )
    return outcomes


def _report(
    paths: list[str],
    live: list[Mutant],
    equivalent: list[Mutant],
    outcomes: dict[Mutant, str],
    baseline: dict[str, float],
) -> list[Mutant]:
    """Print the table by module, the survivors and the equivalent mutants."""
    survivors = [m for m in live if outcomes[m] == "passed"]
    print(f"{'module':<36} {'killed':>7} {'total':>6} {'equivalent':>11} {'tests':>7}")
    for path in paths:
        mine = [m for m in live if m.path == path]
        killed = sum(outcomes[m] != "passed" for m in mine)
        n_equivalent = sum(m.path == path for m in equivalent)
        print(
            f"{path:<36} {killed:>7} {len(mine):>6} {n_equivalent:>11}"
            f" {baseline[path]:>6.1f}s"
        )
    timed_out = [m for m in live if outcomes[m] == "timeout"]
    print(f"(tests: the unmutated run's time; {len(timed_out)} killed by the timeout)")
    for mutant in timed_out:
        print(f"  timed out: {mutant.label()}")

    print(f"\nsurvivors ({len(survivors)}):")
    for mutant in survivors:
        reason = _reason(mutant, EXPLAINED)
        print(f"  {mutant.label()}")
        print(f"      {reason}" if reason else "      (no reason given: a blind spot)")
    print(f"\nequivalent, not scored ({len(equivalent)}):")
    for mutant in equivalent:
        print(f"  {mutant.label()}\n      {equivalent_reason(mutant)}")
    found = {(m.path, m.change) for m in [*live, *equivalent]}
    for entry in (*EQUIVALENT, *EXPLAINED):
        if entry.path in paths and (entry.path, entry.change) not in found:
            print(f"  listed but no longer made: {entry.path}: {entry.change}")
    killed_listed = [
        m for m in live if outcomes[m] != "passed" and _reason(m, EXPLAINED)
    ]
    for mutant in killed_listed:
        print(f"  listed as a survivor but killed: {mutant.label()}")
    return survivors


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    parser.add_argument(
        "--module",
        action="append",
        choices=[_short(p) for p in TARGETS],
        help="only this module (repeatable); default: all of them",
    )
    parser.add_argument(
        "--list", action="store_true", help="print the mutants and stop"
    )
    args = parser.parse_args(argv)
    paths = [p for p in TARGETS if not args.module or _short(p) in args.module]

    if args.list:
        for mutant in all_mutants(paths, {p: (ROOT / p).read_bytes() for p in paths}):
            reason = equivalent_reason(mutant)
            print(mutant.label() + ("  [equivalent]" if reason else ""))
        return 0

    began = time.monotonic()
    _preload()
    with tempfile.TemporaryDirectory(prefix="mutants-") as workdir:
        runner = Runner(max(1, args.jobs), Path(workdir), paths)
        mutants = all_mutants(paths, runner.sources)
        equivalent = [m for m in mutants if equivalent_reason(m)]
        live = [m for m in mutants if not equivalent_reason(m)]
        baseline = _baseline(runner, paths)
        if baseline is None:
            return 2
        timeouts = {p: max(10.0, 3.0 * s + 5.0) for p, s in baseline.items()}
        outcomes = _run_mutants(runner, live, timeouts)

    survivors = _report(paths, live, equivalent, outcomes, baseline)
    print(f"\nwall time {time.monotonic() - began:.0f} s with {args.jobs} jobs")
    killed, total = len(live) - len(survivors), len(live)
    score = killed / total if total else 1.0
    print(f"mutation_score={score:.3f} killed={killed} total={total}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
