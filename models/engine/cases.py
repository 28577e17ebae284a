"""Reading a case: validate the file, then check what needs the model.

:func:`read_case` reads a case file (and the tables it names), validates it
against the schema of :mod:`models.inputs.case`, costs its staff table, checks
its risk register, and checks every option as a case of its own
(:func:`option_case`: the baseline with the option's overrides).  Any problem
raises :class:`~models.core.errors.InputError` naming the file and key.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import pandas as pd
from pydantic import ValidationError

from models.core import calendar
from models.core.errors import InputError
from models.core.paths import outside_case_folder
from models.core.yamlio import describe, load_yaml
from models.inputs.affordability import merge_posts_moving_grades
from models.inputs.case import Case, apply_overrides, merge_baseline_costs
from models.inputs.pydantic_errors import validation_errors
from models.inputs.risk_register import load_risk_register
from models.inputs.severance import load_staff_table
from models.model import severance as sev


def read_case(path: str | Path) -> Case:
    """Read and validate a case file, including every option applied to the baseline.

    Everything is checked but the actuals files the case lists, which may take
    their budgets from a case (:func:`models.engine.loading.load_case` checks
    them too).

    Tables the case names (``baseline_costs_file``, ``staff_moving_grades``) are
    read relative to the case file and merged in before validation.  Raises :class:`InputError` naming the
    file and key path (or the table's row and column) on any problem.
    """
    path = Path(path)
    raw = load_yaml(path)
    table = raw.get("baseline_costs_file") if isinstance(raw, dict) else None
    if table and isinstance(table, str):  # other types: the schema names the key
        _check_named_file(path, "baseline_costs_file", table)
        raw = merge_baseline_costs(raw, path.parent / table)
    moving = raw.get("staff_moving_grades") if isinstance(raw, dict) else None
    if moving and isinstance(moving, str):  # other types: the schema names the key
        _check_named_file(path, "staff_moving_grades", moving)
        raw = merge_posts_moving_grades(raw, path.parent / moving)
    return case_from_dict(raw, source=path)


def _check_named_file(source: Path, key: str, name: str) -> None:
    """A file the case names must exist beside it, under the case's folder
    (symbolic links resolved) or a folder allowed by ``--allow-outside``
    (:func:`models.core.paths.outside_case_folder`): name the case file and key."""
    outside = outside_case_folder(source, name)
    if outside is not None:
        raise InputError(
            source,
            key,
            f"a file under the case's folder {source.resolve().parent} (links "
            "followed), or under a folder given with --allow-outside",
            f"{name!r}, which is {outside}" if str(outside) != name else repr(name),
        )
    path = source.parent / name
    if not path.is_file():
        raise InputError(
            source,
            key,
            "the name of an existing file (relative to the case file)",
            f"no file {path}" if not path.exists() else f"{path} is a folder",
        )


def _check_named_files(case: Case, source: Path) -> None:
    """Check the staff table, risk register and actuals the case names exist."""
    named = [
        ("staff_at_risk", case.staff_at_risk),
        ("risk_register", case.risk_register),
    ]
    named += [(f"actuals[{i}]", n) for i, n in enumerate(case.actuals)]
    for key, name in named:
        if name:
            _check_named_file(source, key, name)


def case_from_dict(raw: Any, source: str | Path | None = None) -> Case:
    """Validate a case held as a dict (as read from YAML); check every option too."""
    if not isinstance(raw, dict):
        raise InputError(
            source, None, "a mapping of keys at the top level", describe(raw)
        )
    if raw.get("kind", "case") != "case":
        raise InputError(source, "kind", "'case'", repr(raw.get("kind")))
    try:
        case = Case.model_validate(raw)
    except ValidationError as exc:
        raise validation_errors(exc, source, Case, data=raw) from None
    case._raw = raw  # type: ignore[attr-defined]
    case._source = str(source) if source is not None else None  # type: ignore[attr-defined]
    if source is not None:
        _check_named_files(case, Path(source))
    staff_severance(case)  # a bad staff table fails here, before anything runs
    if case.risk_register and source is not None:
        # a bad register fails validation even where no Monte Carlo would read it
        load_risk_register(Path(source).parent / case.risk_register)
        case.effective_uncertainty()  # and so does a bad link
    for number, name in enumerate(case.options):
        option_case(case, name)  # every option must itself be a valid case
        if number >= OPTIONS_KEPT:  # checked, then let go (see OPTIONS_KEPT)
            case._option_cache.pop(name)  # type: ignore[attr-defined]
    return case


OPTIONS_KEPT = 64
"""Options whose validated case stays on the case after loading (so that a run
need not validate them again): the first 64.  A validated option's case takes
about a megabyte, so a case of 1,000 options keeping them all would take a
gigabyte; the others are validated again when they are run (issue 18)."""


def option_case(case: Case, option: str) -> Case:
    """The case as the named option sees it: the baseline with the option's overrides."""
    if option not in case.options:
        raise InputError(
            getattr(case, "_source", None),
            "options",
            f"an option of the case ({', '.join(case.options)})",
            repr(option),
        )
    cached = getattr(case, "_option_cache", None)
    if cached is None:
        cached = {}
        case._option_cache = cached  # type: ignore[attr-defined]
    if option in cached:
        return cached[option]
    raw = getattr(case, "_raw", None) or case.model_dump(mode="json")
    source = getattr(case, "_source", None)
    where = f"options.{option}.overrides"
    merged = apply_overrides(raw, case.options[option].overrides, source, where)
    try:
        with warnings.catch_warnings():
            # an option that moves every service off a basis leaves it unused; the
            # baseline case is where an unused basis is worth a warning
            warnings.filterwarnings("ignore", message=".*no service uses this basis")
            result = Case.model_validate(merged)
    except ValidationError as exc:
        errs = validation_errors(
            exc, source, Case, prefix=f"(option '{option}') ", data=merged
        )
        raise errs from None
    result._raw = merged  # type: ignore[attr-defined]
    result._source = source  # type: ignore[attr-defined]
    if source is not None:  # an option may name other files: the same rules
        _check_named_files(result, Path(source))
    staff_severance(result)
    cached[option] = result
    return result


_STAFF_CACHE: dict[tuple, Any] = {}
"""Costed staff tables by (file, its modification time, the policies): every
option of a case costs the same table under the same policies."""


def staff_severance(case: Case) -> pd.DataFrame | None:
    """Severance costed from the case's staff-at-risk table, or None.

    Returns a DataFrame (service, council, financial_year, redundancy_pay,
    pension_strain, total) [GBP] from :func:`models.model.severance.cost_staff` and
    :func:`models.model.severance.severance_by_service` under the case's
    ``severance_policies``.  Checks that every row names a service and council of
    the case, that its leaving year is inside the horizon, and that no service has
    both staff rows and a flat severance figure.
    """
    if not case.staff_at_risk:
        return None
    source = getattr(case, "_source", None)
    path = Path(source or ".").parent / case.staff_at_risk
    if not case.severance_policies:
        raise InputError(
            source,
            "severance_policies",
            "a severance policy per council (or 'default') to cost "
            f"the staff table {case.staff_at_risk}",
            "none",
        )
    costed, by_service = _costed_staff_table(case, path)
    # checks against this case run every time: another case may share the table
    _check_staff_rows_name_the_case(case, path, costed)
    _check_staff_rows_fit_the_services(case, path, costed)
    out = by_service.copy()
    return out if isinstance(out, pd.DataFrame) else None


def _costed_staff_table(case: Case, path: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The staff table costed person by person and by service (cached)."""
    policies = case.severance_policies
    key = (
        str(path.resolve()),
        path.stat().st_mtime_ns if path.exists() else 0,
        repr(sorted((k, v.model_dump_json()) for k, v in policies.items())),
    )
    if key not in _STAFF_CACHE:
        staff = load_staff_table(path)
        try:
            costed = sev.cost_staff(staff, policies)
        except InputError as exc:  # a row's council without a policy, say
            raise exc.in_file(path) from None
        _STAFF_CACHE[key] = (costed, sev.severance_by_service(costed))
    return _STAFF_CACHE[key]


def _check_staff_rows_name_the_case(
    case: Case, path: Path, costed: pd.DataFrame
) -> None:
    """Every row of the staff table names a service and a council of the case."""
    rows = costed[["service", "council"]].itertuples(index=False)
    for i, row in enumerate(rows, 1):
        if row.service not in case.services:
            raise InputError(
                path,
                f"data row {i} (file line {i + 1}), column service",
                f"a service of the case ({', '.join(case.services)})",
                repr(row.service),
            )
        if row.council not in case.councils:
            raise InputError(
                path,
                f"data row {i} (file line {i + 1}), column council",
                f"a council of the case ({', '.join(case.councils)})",
                repr(row.council),
            )


LEAVING_MARGIN_YEARS = 1
"""Years either side of the horizon a leaving date may fall in where the service
fixes the year its severance is counted in (notice served the year before)."""


def _check_staff_rows_fit_the_services(
    case: Case, path: Path, costed: pd.DataFrame
) -> None:
    """Each leaving date falls inside the horizon (unless the service fixes the
    year of its severance), and no service has both staff rows and a flat figure."""
    years = case.settings.years()
    margin = calendar.fy_labels(
        calendar.fy_label(calendar.fy_start_year(years[0]) - LEAVING_MARGIN_YEARS),
        len(years) + 2 * LEAVING_MARGIN_YEARS,
    )
    for i, row in enumerate(costed.itertuples(index=False), 1):
        service = case.services[row.service]
        fixed = service.severance.year is not None
        if row.financial_year not in (margin if fixed else years):
            raise InputError(
                path,
                f"data row {i} (file line {i + 1}), column leaving_date",
                f"a leaving date inside the horizon {years[0]} to {years[-1]}"
                + (
                    f" (or within {LEAVING_MARGIN_YEARS} year of it, where the "
                    "service fixes the year of its severance)"
                    if fixed
                    else ""
                ),
                f"{row.leaving_date:%Y-%m-%d} ({row.financial_year})",
            )
        if service.severance.has_flat_cost():
            raise InputError(
                getattr(case, "_source", None),
                f"services.{row.service}.severance",
                "either a flat severance figure or rows in the staff table "
                f"{case.staff_at_risk}, not both",
                "both",
            )
