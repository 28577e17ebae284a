"""The ``sharedcase`` command: validate | init | run | severance | monitor | diff.

Bad input prints one paragraph naming the file, the key or row and what was
expected, and exits with status 2; no traceback, nothing written.
"""

from __future__ import annotations

import contextlib
import importlib
import sys
import warnings
from pathlib import Path

import click

from models.cli.messages import reports_input_errors
from models.core.errors import InputError, InputErrors
from models.core.names import SAFE_NAME_RULE, name_problem
from models.core.paths import allow_outside
from models.inputs.templates import new_case_text
from models.run.interrupt import (
    Terminated,
    exit_status,
    interrupt_signal,
    signal_name,
    signals_raise,
)

FEATURE_COMMANDS = {
    "severance": "models.cli.severance",
    "monitor": "models.cli.monitor",
    "diff": "models.cli.diff",
}
"""Commands that live in a module of their own, imported only when they run (so
that ``sharedcase validate`` does not load the monitoring report's libraries)."""


class Commands(click.Group):
    """The command group: its own commands plus :data:`FEATURE_COMMANDS`.

    Click's documented lazy-loading pattern: a command's module is imported when
    the command is looked up, and an error importing it is not swallowed.
    """

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted([*super().list_commands(ctx), *FEATURE_COMMANDS])

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in FEATURE_COMMANDS:
            module = importlib.import_module(FEATURE_COMMANDS[cmd_name])
            return getattr(module, cmd_name)
        return super().get_command(ctx, cmd_name)


@click.group(cls=Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="sharedcase", prog_name="sharedcase")
def main() -> None:
    """Financial modelling for councils that share services."""
    warnings.formatwarning = _format_warning
    _without_unused_iri_checker()


def _without_unused_iri_checker() -> None:
    """Leave jsonschema's IRI format checker out of this process: a second saved
    on every ``sharedcase run``.

    nbformat (for papermill and nbconvert) imports jsonschema, which imports
    ``rfc3987_syntax`` where installed (JupyterLab's dependencies install it),
    and that compiles some 35 Lark grammars on import: 1 s here, a third of the
    command's start-up (python-jsonschema/jsonschema#1428, jupyter/nbformat#420).
    It serves only the ``iri`` formats, which no notebook schema uses (a test
    checks), and jsonschema does without it when it cannot be imported.
    """
    sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]


DEFAULT_CASE = Path("scenarios/bromsgrove_redditch_2011.yaml")
"""The case ``sharedcase run`` runs when given none (from a source checkout)."""


def existing_file(path: Path) -> Path:
    """``path`` if it exists; else an InputError suggesting the case file a user
    most likely meant (``my_case`` after ``sharedcase init my_case`` is
    ``scenarios/my_case.yaml``)."""
    if path.exists():
        return path
    candidates = [
        path.with_suffix(".yaml"),
        Path("scenarios") / path,
        Path("scenarios") / path.with_suffix(".yaml"),
    ]
    found = [c for c in candidates if c.suffix and c.is_file()]
    hint = f" (did you mean {found[0]}?)" if found else ""
    raise InputError(path, None, "an existing file" + hint, "no such file")


def _format_warning(message, category, filename, lineno, line=None) -> str:  # noqa: ANN001
    """A warning as one line for a finance lead, without Python source lines."""
    return f"warning: {message}\n"


def _allow_outside(ctx: click.Context, param: click.Parameter, value: tuple) -> tuple:
    allow_outside(list(value))
    return value


allow_outside_option = click.option(
    "--allow-outside",
    "allowed",
    multiple=True,
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    callback=_allow_outside,
    expose_value=False,
    help="A folder the case may read files from besides its own (repeatable).",
)
"""``--allow-outside PATH``: a case reads only files under its own folder unless
the user names another (:func:`models.core.paths.outside_case_folder`)."""


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@allow_outside_option
@reports_input_errors
def validate(files: tuple[Path, ...]) -> None:
    """Check case files (and other scenario files) without running anything."""
    from models.engine.validate import validate_file

    failures: list[InputError] = []
    for f in files:
        try:
            f = existing_file(f)
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                kind = validate_file(f)
            click.echo(f"ok: {f} ({kind})")
            for w in caught:
                click.echo(f"warning: {f}: {w.message}", err=True)
        except InputError as exc:
            failures.extend(exc.errors if isinstance(exc, InputErrors) else [exc])
    if failures:
        raise InputErrors(failures)


@main.command()
@click.argument("name")
@click.option(
    "--dir",
    "directory",
    default="scenarios",
    type=click.Path(path_type=Path),
    show_default=True,
    help="Folder to write the new case file in.",
)
@reports_input_errors
def init(name: str, directory: Path) -> None:
    """Write a new, commented case file NAME.yaml to start from."""
    found = name_problem(name)
    if found is not None:
        raise InputError(None, "NAME", f"a case name of {SAFE_NAME_RULE}", found)
    target = directory / f"{name}.yaml"
    if target.exists():
        raise InputError(
            target,
            None,
            "a file name not yet taken",
            "the file exists (not overwritten)",
        )
    directory.mkdir(parents=True, exist_ok=True)
    target.write_text(new_case_text(name), encoding="utf-8")
    click.echo(f"wrote {target}")


@main.command()
@click.argument("cases", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--options",
    "option_list",
    default=None,
    help="Comma-separated options to run (default: all).",
)
@click.option(
    "--jobs",
    default=None,
    type=click.IntRange(min=1),
    help="Parallel processes (default: number of cores).",
)
@click.option(
    "--out",
    "out_dir",
    default="outputs",
    type=click.Path(path_type=Path),
    show_default=True,
    help="Root folder for run folders.",
)
@click.option(
    "--no-notebooks",
    is_flag=True,
    help="Compute results only; skip notebooks and exports.",
)
@allow_outside_option
@click.option(
    "--executor",
    default="local",
    show_default=True,
    help="Where the options and reports are computed: local (worker processes "
    "of this command), dask (a Dask cluster of --jobs worker processes started "
    "for the run) or tcp://HOST:PORT (a running Dask scheduler; its workers "
    "must see the case and --out folders at the same paths).",
)
@reports_input_errors
def run(
    cases: tuple[Path, ...],
    option_list: str | None,
    jobs: int | None,
    out_dir: Path,
    no_notebooks: bool,
    executor: str,
) -> None:
    """Run CASE files: validate, compute every option, write a new run folder."""
    from models.run.executors import LOCAL, DaskRun, executor_choice
    from models.run.runner import run_cases

    choice = executor_choice(executor)

    if not cases:
        if not DEFAULT_CASE.is_file():
            raise InputError(
                None, "CASES", "a case file to run (sharedcase run CASE.yaml)", "none"
            )
        click.echo(f"no case given: running the default case {DEFAULT_CASE}", err=True)
        cases = (DEFAULT_CASE,)
    cases = tuple(existing_file(path) for path in cases)
    options = [o.strip() for o in option_list.split(",")] if option_list else None
    cluster = DaskRun(choice, jobs) if choice != LOCAL else contextlib.nullcontext()
    try:
        with signals_raise(), cluster as dask:  # SIGINT, SIGTERM: stop children
            status = run_cases(
                list(cases),
                options=options,
                jobs=jobs,
                out_root=out_dir,
                notebooks=not no_notebooks,
                cluster=dask,
            )
    except (KeyboardInterrupt, Terminated) as exc:
        sys.exit(_interrupted(exc))
    except OSError as exc:  # a full or read-only disk part-way: already said
        if getattr(exc, "kept_folder", None) is None:
            click.echo(f"error: the run stopped: {exc}", err=True)
        sys.exit(1)
    sys.exit(status)


def _interrupted(exc: BaseException) -> int:
    """One line on stderr about an interrupted run; the exit status (130, 143)."""
    kept = getattr(exc, "kept_folder", None)
    where = (
        f"the unfinished run is kept in {kept}, marked incomplete"
        if kept is not None
        else "no unfinished run folder was left"
    )
    click.echo(
        f"interrupted by {signal_name(interrupt_signal(exc) or 2)}: {where}; "
        "earlier runs are unchanged and 'latest' points at the last complete run",
        err=True,
    )
    return exit_status(exc)


if __name__ == "__main__":  # pragma: no cover
    main()
