"""``sharedcase severance STAFF --policy CASE.yaml``: cost a staff-at-risk table.

Prints the per-person costs and the totals by service, council and financial
year; ``--out FILE.csv`` also writes the per-person table in full precision to a
new file (an existing file is never overwritten: exit 2).
Bad input prints ``error: ...`` on stderr and exits 2, writing nothing.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import click
import pandas as pd

from models.cli.messages import reports_input_errors
from models.core.cells import write_csv
from models.core.errors import InputError
from models.inputs.severance import load_severance_policies, load_staff_table
from models.model.severance import cost_staff, severance_by_service

_PERSON_COLUMNS = [
    "post",
    "council",
    "service",
    "financial_year",
    "relevant_date",
    "age",
    "years_counted",
    "statutory_weeks",
    "statutory_pay",
    "discretionary_top_up",
    "pay_in_lieu",
    "pension_strain",
    "is_strain_estimate",
    "total",
]
_MONEY_COLUMNS = [
    "statutory_pay",
    "discretionary_top_up",
    "pay_in_lieu",
    "pension_strain",
    "total",
    "redundancy_pay",
]


def _parse_leaving_date(text: str | None) -> dt.date | None:
    """The ``--leaving-date`` option as a date (None if not given); InputError if
    it is not YYYY-MM-DD."""
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise InputError(
            None, "--leaving-date", "a date as YYYY-MM-DD", repr(text)
        ) from None


def _display_table(frame: pd.DataFrame) -> str:
    """``frame`` as plain text: money in whole pounds with thousands separators,
    dates as YYYY-MM-DD, ages and years whole, strain estimates marked."""
    shown = frame.copy()
    for name in _MONEY_COLUMNS:
        if name in shown:
            shown[name] = shown[name].map(lambda value: f"{value:,.0f}")
    if "relevant_date" in shown:
        shown["relevant_date"] = shown["relevant_date"].dt.strftime("%Y-%m-%d")
    if "is_strain_estimate" in shown:
        shown["is_strain_estimate"] = shown["is_strain_estimate"].map(
            {True: "estimate", False: ""}
        )
    for name in ("age", "years_counted"):
        if name in shown:
            shown[name] = shown[name].map(lambda value: f"{value:.0f}")
    return shown.to_string(index=False)


@click.command("severance")
@click.argument("staff", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--policy",
    "policy_path",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Case YAML with a severance_policies: block (council id -> policy).",
)
@click.option(
    "--leaving-date",
    "leaving_date",
    default=None,
    metavar="YYYY-MM-DD",
    help="Leaving date for rows that give none.",
)
@click.option(
    "--out",
    "out_path",
    default=None,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the per-person table to this CSV (full precision).",
)
@reports_input_errors
def severance(
    staff: Path, policy_path: Path, leaving_date: str | None, out_path: Path | None
) -> None:
    """Cost a staff-at-risk table STAFF (CSV or .xlsx) under council policies."""
    if out_path is not None:
        _check_new_file(out_path)
    default_leaving = _parse_leaving_date(leaving_date)
    policies = load_severance_policies(policy_path)
    table = load_staff_table(staff, default_leaving_date=default_leaving)
    try:
        costed = cost_staff(table, policies, default_leaving_date=default_leaving)
    except InputError as exc:
        raise exc.in_file(staff) from None
    by_service = severance_by_service(costed)
    _echo_costs(costed, by_service)
    if out_path is not None:
        _write_new_csv(costed, out_path)
        click.echo(f"Wrote {out_path}")


def _check_new_file(out_path: Path) -> None:
    """InputError unless ``out_path`` is in an existing folder and does not exist."""
    if not out_path.parent.is_dir():
        raise InputError(
            out_path,
            "--out",
            "a file in an existing folder",
            f"no folder {out_path.parent}",
        )
    if out_path.exists() or out_path.is_symlink():
        raise InputError(
            out_path,
            "--out",
            "a file that does not exist yet (an earlier file is never overwritten)",
            "the file exists",
        )


def _echo_costs(costed: pd.DataFrame, by_service: pd.DataFrame) -> None:
    """Print the per-person costs, the sums by service, council and financial year,
    and the grand total [GBP]."""
    click.echo("Severance cost per person (GBP)")
    click.echo(_display_table(costed[_PERSON_COLUMNS]))
    click.echo("")
    click.echo("By service, council and financial year (GBP)")
    click.echo(_display_table(by_service))
    click.echo("")
    grand_total = by_service[["redundancy_pay", "pension_strain", "total"]].sum()
    click.echo(
        f"Total: redundancy pay {grand_total['redundancy_pay']:,.0f}; pension strain "
        f"{grand_total['pension_strain']:,.0f}; total {grand_total['total']:,.0f} "
        f"({len(costed)} people; {int(costed['is_strain_estimate'].sum())} strain "
        "estimates). The revoked £95k exit cap is not applied."
    )


def _write_new_csv(frame: pd.DataFrame, out_path: Path) -> None:
    """Write ``frame`` to a new file ``out_path``: never a half-written file under
    the real name, never over an existing file, no ``.part`` left behind."""
    part_path = out_path.with_name(f".{out_path.name}.{os.getpid()}.part")
    try:
        write_csv(frame, part_path, index=False, date_format="%Y-%m-%d")
        try:
            os.link(part_path, out_path)  # fails if out_path appeared meanwhile
        except FileExistsError:
            raise InputError(
                out_path,
                "--out",
                "a file that does not exist yet (an earlier file is never overwritten)",
                "the file appeared while the table was written",
            ) from None
        except OSError:  # no hard links here: check and rename instead
            if out_path.exists():
                raise
            os.replace(part_path, out_path)
    finally:
        part_path.unlink(missing_ok=True)
