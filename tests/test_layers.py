"""The package is layered: each layer imports only from the layers below it.

Every import of a ``models`` module is read with ``ast``, at module level and
inside functions alike (``TYPE_CHECKING`` blocks included).  An import from a
higher layer fails, and so does any import cycle between modules.  An import
inside a function ("lazy") is allowed only downward, only where it keeps start-up
fast, and only if it is listed in ``LAZY_IMPORTS`` below with its reason.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "models"

LAYERS = ("core", "reference", "inputs", "model", "engine", "report", "run", "cli")
"""From the bottom up; the package's ``__init__`` and ``__main__`` sit on top."""

LAZY_IMPORTS: dict[tuple[str, str], str] = {
    # (importing module, imported module): why it is imported inside a function
    ("models", "models.inputs.case"): "import models stays light (PEP 562)",
    ("models", "models.engine.loading"): "import models stays light (PEP 562)",
    ("models", "models.engine.projection"): "import models stays light (PEP 562)",
    ("models", "models.engine.whatif"): "import models stays light (PEP 562)",
    ("models", "models.report.notebook"): "import models loads no matplotlib",
    ("models", "models.core.version"): "reading package metadata takes 50 ms",
    (
        "models.__main__",
        "models.run.interrupt",
    ): "Ctrl-C is handled before anything else is imported",
    (
        "models.__main__",
        "models.cli",
    ): "Ctrl-C is handled before the command is imported",
    (
        "models.cli",
        "models.engine.validate",
    ): "sharedcase --help and init load no engine",
    ("models.cli", "models.run.runner"): "sharedcase validate loads no matplotlib",
    ("models.cli", "models.run.executors"): "sharedcase validate loads no pandas",
    (
        "models.run.runner",
        "models.run.report_runner",
    ): "--no-notebooks loads no jupyter",
    (
        "models.run.report_runner",
        "models.report.analysis_charts",
    ): "matplotlib in workers",
    ("models.run.report_runner", "models.report.browser"): "Chromium only for PDFs",
    ("models.run.report_runner", "models.report.export"): "nbconvert only for reports",
    ("models.run.report_runner", "models.report.notebook"): "what kernels preload",
    ("models.run.report_runner", "models.report.monitoring"): "what kernels preload",
    ("models.run.report_runner", "models.run.kernel_fork"): "ipykernel only to fork",
    ("models.run.report_runner", "models.run.progress"): "tqdm only when reports run",
    ("models.run.kernels", "models.run.kernel_fork"): "ipykernel only to fork",
    ("models.report.notebook", "models.engine.uncertainty"): "scipy only for tornadoes",
    (
        "models.report.bridge",
        "models.report.charts",
    ): "sharedcase --help and diff --json load no matplotlib",
}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def layer_of(module: str) -> int:
    """The layer's rank from the bottom; the package's top files rank above cli."""
    parts = module.split(".")
    if len(parts) > 1 and parts[1] in LAYERS:
        return LAYERS.index(parts[1])
    return len(LAYERS)


def imported_module(name: str) -> str:
    """The ``models`` module an imported name belongs to (a module or its parent)."""
    while name not in MODULES and "." in name:
        name = name.rsplit(".", 1)[0]
    return name


def imports_of(path: Path) -> list[tuple[str, int, bool]]:
    """(imported module, line, is inside a function) for every import of models."""
    tree = ast.parse(path.read_text(), str(path))
    found: list[tuple[str, int, bool]] = []

    def visit(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            inside = in_function or isinstance(
                child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda
            )
            if isinstance(child, ast.Import):
                for alias in child.names:
                    if alias.name.split(".")[0] == "models":
                        found.append(
                            (imported_module(alias.name), child.lineno, inside)
                        )
            elif isinstance(child, ast.ImportFrom) and child.module:
                if child.module.split(".")[0] == "models":
                    for alias in child.names:
                        target = imported_module(f"{child.module}.{alias.name}")
                        found.append((target, child.lineno, inside))
            visit(child, inside)

    visit(tree, False)
    return found


GRAPH = {
    module: {(t, line, lazy) for t, line, lazy in imports_of(path) if t != module}
    for module, path in MODULES.items()
}


def test_every_module_lies_in_a_layer():
    loose = [m for m in MODULES if layer_of(m) == len(LAYERS)]
    assert sorted(loose) == ["models", "models.__main__"]


def test_no_module_imports_from_a_higher_layer():
    upward = [
        f"{MODULES[m].relative_to(PACKAGE.parent)}:{line} imports {t}"
        for m, edges in GRAPH.items()
        for t, line, _ in edges
        if layer_of(t) > layer_of(m)
    ]
    assert upward == []


def test_imports_inside_functions_are_listed_and_point_down():
    unlisted = sorted(
        f"{MODULES[m].relative_to(PACKAGE.parent)}:{line} imports {t}"
        for m, edges in GRAPH.items()
        for t, line, lazy in edges
        if lazy and (m, t) not in LAZY_IMPORTS
    )
    assert unlisted == []


def test_every_listed_lazy_import_exists():
    lazy = {(m, t) for m, edges in GRAPH.items() for t, _, is_lazy in edges if is_lazy}
    assert sorted(set(LAZY_IMPORTS) - lazy) == []


def _cycles() -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def connect(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w, _, _ in GRAPH.get(v, ()):
            if w not in MODULES:
                continue
            if w not in index:
                connect(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for v in MODULES:
        if v not in index:
            connect(v)
    return groups


def test_there_is_no_import_cycle():
    assert _cycles() == []


@pytest.mark.parametrize("module", ["models.core.errors"])
def test_the_errors_module_does_not_know_the_command_line(module):
    assert "click" not in MODULES[module].read_text()
