"""``sharedcase monitor ACTUALS.yaml [--out DIR]``: budget against actual report.

Reads an actuals file (``kind: actuals``), writes ``monitoring.html`` and
``monitoring.xlsx`` into a new folder and prints the totals.  The folder is
``DIR`` if given (it must not exist yet), else a new run folder
``outputs/<actuals-name>/<timestamp>/`` (``latest`` then points at it, as for
``sharedcase run``).  Files are written into a temporary folder beside it and
renamed into place (:class:`models.run.runfolder.RunFolder`), so an earlier run is
never overwritten and a failed run leaves nothing behind.  Bad input:
``error: ...`` on stderr, exit status 2, nothing written.
"""

from __future__ import annotations

from pathlib import Path

import click
import pandas as pd

from models.cli.messages import reports_input_errors
from models.core.errors import InputError
from models.core.money import pounds
from models.core.names import folder_name_problem
from models.engine.monitoring import load_actuals
from models.inputs.actuals import Actuals
from models.model.monitoring import totals, variance_table
from models.report.monitoring import (
    percent,
    render_monitoring_html,
    write_monitoring_excel,
)
from models.run.runfolder import RunFolder

OUTPUTS = Path("outputs")


def write_report(actuals: Actuals, table: pd.DataFrame, out: Path) -> list[Path]:
    """Write monitoring.html and monitoring.xlsx into new folder ``out`` atomically
    (:meth:`models.run.runfolder.RunFolder.at`: assembled beside it, renamed into place;
    nothing left behind if it fails)."""
    if out.exists():
        raise FileExistsError(
            f"{out} already exists; monitor never overwrites a folder"
        )
    with RunFolder.writing(out) as folder:
        folder.write_text("monitoring.html", render_monitoring_html(actuals, table))
        write_monitoring_excel(actuals, table, folder.path("monitoring.xlsx"))
    return [out / "monitoring.html", out / "monitoring.xlsx"]


def write_run_folder(
    actuals: Actuals, table: pd.DataFrame, name: str, root: Path = OUTPUTS
) -> list[Path]:
    """Write the report into a new run folder ``root/<name>/<run-id>/``.

    Uses the shared run-folder convention (:class:`models.run.runfolder.RunFolder`):
    assembled under a temporary name, renamed into place, ``latest`` updated.
    """
    folder = RunFolder(root, name)
    try:
        folder.write_text("monitoring.html", render_monitoring_html(actuals, table))
        write_monitoring_excel(actuals, table, folder.path("monitoring.xlsx"))
    except BaseException:
        folder.abandon()
        raise
    final = folder.commit()
    if folder.latest_left_alone:
        click.echo(
            f"warning: 'latest' was left alone, not pointed at this report: "
            f"{folder.latest_left_alone}",
            err=True,
        )
    return [final / "monitoring.html", final / "monitoring.xlsx"]


def totals_text(actuals: Actuals, table: pd.DataFrame) -> str:
    """Group and overall totals as lines of text, in pounds."""
    lines = []
    for rec in totals(table).to_dict("records"):
        per_council = ", ".join(
            f"{actuals.council_names[c]} {pounds(rec[f'budget_{c}'])}"
            for c in actuals.councils
        )
        lines.append(
            f"{rec['label']}: budget {per_council}, "
            f"total {pounds(rec['budget_total'])}; "
            f"actual {pounds(rec['actual'])}; variance {pounds(rec['variance'])}, "
            f"{percent(rec['variance_pct'])}; status {rec['status_rule']}"
        )
    flagged = table[table["status_disagrees"]]
    for rec in flagged.to_dict("records"):
        lines.append(
            f"flag: {rec['label']}: officer light {rec['status_officer']}, "
            f"rule gives {rec['status_rule']}"
        )
    return "\n".join(lines)


@click.command("monitor")
@click.argument("actuals_file", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--out",
    "out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="New folder for monitoring.html and monitoring.xlsx "
    "(default: outputs/<actuals-name>/<timestamp>/).",
)
@reports_input_errors
def monitor(actuals_file: Path, out: Path | None) -> None:
    """Report budget against actual, per council, with RAG status."""
    actuals = load_actuals(actuals_file)
    table = variance_table(actuals)
    if out is None:
        problem = folder_name_problem(actuals_file.stem)
        if problem is not None:  # the file's name names the run folder
            raise InputError(
                actuals_file,
                None,
                "a file name that can name a folder under outputs/",
                problem,
            )
        written = write_run_folder(actuals, table, actuals_file.stem)
    else:
        if out.exists():
            raise InputError(
                None,
                "--out",
                "a folder that does not exist yet",
                f"{out} already exists",
            )
        problem = folder_name_problem(out.name)
        if problem is not None:
            raise InputError(None, "--out", "a plain folder name", problem)
        written = write_report(actuals, table, out)
    click.echo(totals_text(actuals, table))
    for path in written:
        click.echo(f"wrote {path}")


if __name__ == "__main__":  # pragma: no cover
    monitor()
