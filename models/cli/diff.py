"""``sharedcase diff``: the NPV bridge between two options, or between two runs.

``sharedcase diff CASE --from OPTION --to OPTION`` lists the inputs that differ
between two options of a case and attributes the change in NPV to them one at a
time (:mod:`models.engine.bridge`, sequential attribution), in all and for each
council.  ``sharedcase diff RUN_A RUN_B --option OPTION`` does the same between
an option of two run folders of one case, each read from the copy of its inputs
the run keeps (``inputs/`` in the run folder, listed in ``manifest.json``).

``--json`` prints the bridge in pounds at full precision and writes nothing;
otherwise the command prints a table in whole pounds and writes ``bridge.html``
and ``bridge.xlsx`` into a new folder, ``--out DIR`` or
``outputs/<case>/bridges/<from>-to-<to>/`` (a folder that exists already is
refused, so no file is ever overwritten).  Bad input: ``error: ...`` on stderr,
exit status 2, nothing written.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from models.cli.messages import reports_input_errors
from models.core.errors import InputError
from models.core.names import folder_name_problem
from models.core.paths import file_sha256
from models.engine.bridge import (
    Bridge,
    bridge_json,
    case_bridge,
    named_file_digests,
    option_bridge,
)
from models.engine.loading import load_case
from models.inputs.case import Case
from models.report.bridge import (
    BridgeEnd,
    BridgeNames,
    bridge_page,
    bridge_text,
    names_of,
    option_label,
    write_bridge_excel,
)
from models.run.runfolder import RunFolder

OUTPUTS = Path("outputs")
"""Root of the default output folder, as for ``sharedcase run``."""


def check_option(case: Case, option: str | None, flag: str) -> str:
    """The option named by ``flag``, which must be an option of the case."""
    source = getattr(case, "_source", None)
    if option is None:
        raise InputError(
            source,
            flag,
            f"an option of the case ({', '.join(case.options)})",
            "none given",
        )
    if option not in case.options:
        raise InputError(
            source,
            flag,
            f"an option of the case ({', '.join(case.options)})",
            repr(option),
        )
    return option


def read_manifest(folder: Path) -> dict[str, Any]:
    """The manifest of a run folder; InputError naming the folder if there is none."""
    if not folder.is_dir():
        raise InputError(
            folder,
            None,
            "a run folder (outputs/<case>/<run-id>/) or a case file",
            "no such folder" if not folder.exists() else "a file that is not a case",
        )
    path = folder / "manifest.json"
    if not path.is_file():
        raise InputError(
            folder,
            None,
            "a run folder of 'sharedcase run' with its manifest.json",
            "no manifest.json",
        )
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(path, None, "a JSON manifest", str(exc)) from None
    if not isinstance(manifest, dict) or not manifest.get("inputs"):
        raise InputError(path, "inputs", "the inputs of the run", "none")
    return manifest


def run_case(folder: Path) -> tuple[Case, str]:
    """The case of a run folder, read from the copy of its inputs the run keeps
    (``inputs/<case file name>``), and the SHA-256 of that copy.

    The case file is the first input the manifest lists.  A run folder that keeps
    no copy, or whose copy no longer matches the SHA-256 the manifest records
    for it (``input_copies``), is refused.
    """
    manifest = read_manifest(folder)
    name = Path(next(iter(manifest["inputs"]))).name
    copy = folder / "inputs" / name
    if not copy.is_file():
        raise InputError(
            folder,
            None,
            f"a run folder that keeps a copy of its inputs (inputs/{name}, "
            "listed in manifest.json), to compare the case as it was run",
            "the run folder keeps no copy of its inputs",
        )
    digest = file_sha256(copy)
    recorded = (manifest.get("input_copies") or {}).get(f"inputs/{name}")
    if recorded is not None and recorded != digest:
        raise InputError(
            copy,
            None,
            f"the copy the run kept (SHA-256 {recorded} in manifest.json)",
            f"a file changed since the run (SHA-256 {digest})",
        )
    return load_case(copy), digest


def new_folder(out: Path, flag: str) -> Path:
    """``out``, which must not exist yet: a bridge is never written over files."""
    if out.exists() or out.is_symlink():
        raise InputError(
            None,
            flag,
            "a folder that does not exist yet (a bridge never overwrites files)",
            f"{out} already exists",
        )
    problem = folder_name_problem(out.name)
    if problem is not None:
        raise InputError(None, flag, "a plain folder name", problem)
    return out


def write_bridge(result: Bridge, names: BridgeNames, out: Path) -> list[Path]:
    """Write bridge.html and bridge.xlsx into the new folder ``out``, assembled
    beside it and renamed into place (nothing is left if writing fails)."""
    with RunFolder.writing(out) as folder:
        folder.write_text("bridge.html", bridge_page(result, names))
        write_bridge_excel(result, names, folder.path("bridge.xlsx"))
    return [out / "bridge.html", out / "bridge.xlsx"]


@dataclass(frozen=True)
class End:
    """One end of a bridge as read: the case, its option, the case file's SHA-256,
    and how a report labels it."""

    case: Case
    option: str
    digest: str
    label: str

    def named(self) -> BridgeEnd:
        """This end as the report names it."""
        return BridgeEnd(
            option=self.option,
            label=self.label,
            description=self.case.options[self.option].description.strip(),
            case_file=str(getattr(self.case, "_source", None) or ""),
            case_sha256=self.digest,
        )


@dataclass(frozen=True)
class Comparison:
    """What to bridge, checked before anything is computed: the two ends, the
    default folder name, and whether the ends are two runs."""

    start: End
    end: End
    folder: str
    is_runs: bool = False

    def bridge(self) -> tuple[Bridge, BridgeNames]:
        """The bridge (:mod:`models.engine.bridge`) and the names a report shows."""
        start, end = self.start, self.end
        if self.is_runs:
            result = case_bridge(
                start.case,
                end.case,
                start.option,
                end.option,
                named_file_digests(start.case, file_sha256),
                named_file_digests(end.case, file_sha256),
            )
        else:
            result = option_bridge(start.case, start.option, end.option)
        councils, services = names_of(start.case, end.case)
        names = BridgeNames(
            case_name=end.case.name,
            case_title=end.case.title,
            start=start.named(),
            end=end.named(),
            councils=councils,
            services=services,
        )
        return result, names


def options_comparison(
    case_path: Path, from_option: str | None, to_option: str | None
) -> Comparison:
    """Two options of a case file, checked."""
    case = load_case(case_path)
    digest = file_sha256(case_path)
    from_option = check_option(case, from_option, "--from")
    to_option = check_option(case, to_option, "--to")
    return Comparison(
        start=End(case, from_option, digest, option_label(from_option)),
        end=End(case, to_option, digest, option_label(to_option)),
        folder=f"{from_option}-to-{to_option}",
    )


def runs_comparison(
    run_from: Path, run_to: Path, from_option: str | None, to_option: str | None
) -> Comparison:
    """An option of each of two run folders of one case, checked."""
    case_from, digest_from = run_case(run_from)
    case_to, digest_to = run_case(run_to)
    if case_from.name != case_to.name:
        raise InputError(
            run_to,
            None,
            f"a run of the same case as {run_from} ({case_from.name})",
            f"a run of {case_to.name}",
        )
    from_option = check_option(case_from, from_option, "--option (or --from)")
    to_option = check_option(case_to, to_option, "--option (or --to)")
    return Comparison(
        start=End(
            case_from,
            from_option,
            digest_from,
            f"{option_label(from_option)}, run {run_from.name}",
        ),
        end=End(
            case_to,
            to_option,
            digest_to,
            f"{option_label(to_option)}, run {run_to.name}",
        ),
        folder=runs_folder_name(run_from, run_to, from_option, to_option),
        is_runs=True,
    )


def runs_folder_name(
    run_from: Path, run_to: Path, from_option: str, to_option: str
) -> str:
    """The default folder name of a bridge between two runs.

    >>> runs_folder_name(Path("o/c/r1"), Path("o/c/r2"), "a", "a")
    'r1-to-r2-a'
    """
    if from_option == to_option:
        return f"{run_from.name}-to-{run_to.name}-{to_option}"
    return f"{run_from.name}-{from_option}-to-{run_to.name}-{to_option}"


def comparison(
    targets: tuple[Path, ...],
    from_option: str | None,
    to_option: str | None,
    option: str | None,
) -> Comparison:
    """What the command's arguments ask to bridge, checked."""
    if len(targets) not in (1, 2):
        raise InputError(
            None,
            "arguments",
            "a case file, or two run folders of one case",
            f"{len(targets)} arguments",
        )
    if option is not None and (from_option or to_option):
        raise InputError(None, "--option", "either --option or --from and --to", "both")
    if len(targets) == 1:
        if option is not None:
            raise InputError(
                None,
                "--option",
                "--from OPTION --to OPTION to compare two options of a case "
                "(--option is for two run folders)",
                f"--option {option}",
            )
        return options_comparison(targets[0], from_option, to_option)
    return runs_comparison(
        targets[0], targets[1], from_option or option, to_option or option
    )


@click.command("diff")
@click.argument(
    "targets",
    nargs=-1,
    required=True,
    metavar="CASE | RUN_A RUN_B",
    type=click.Path(path_type=Path),
)
@click.option("--from", "from_option", default=None, help="Option to start from.")
@click.option("--to", "to_option", default=None, help="Option to end at.")
@click.option(
    "--option",
    "option",
    default=None,
    help="Between two run folders: the option to compare in both.",
)
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Print the bridge as JSON (pounds, full precision); write no files.",
)
@click.option(
    "--out",
    "out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="New folder for bridge.html and bridge.xlsx "
    "(default: outputs/<case>/bridges/<from>-to-<to>/).",
)
@reports_input_errors
def diff(
    targets: tuple[Path, ...],
    from_option: str | None,
    to_option: str | None,
    option: str | None,
    as_json: bool,
    out: Path | None,
) -> None:
    """The NPV bridge: which inputs differ between two options of CASE (or one
    option of two run folders RUN_A RUN_B of a case) and how much of the change
    in NPV each makes, one at a time, in all and for each council."""
    asked = comparison(targets, from_option, to_option, option)
    if as_json:
        result, names = asked.bridge()
        doc = {"case": names.case_name, "from": asked.start.option}
        doc |= {"to": asked.end.option, **bridge_json(result)}
        click.echo(json.dumps(doc, indent=2, default=str))
        return
    default = OUTPUTS / asked.end.case.name / "bridges" / asked.folder
    target = new_folder(  # refused before anything is computed
        out if out is not None else default,
        "--out" if out is not None else "the bridge folder",
    )
    result, names = asked.bridge()
    written = write_bridge(result, names, target)
    click.echo(bridge_text(result, names))
    for path in written:
        click.echo(f"wrote {path}")


if __name__ == "__main__":  # pragma: no cover
    diff()
