"""Loading a case as a command or a notebook does: every input file checked.

:func:`load_case` is :func:`models.engine.cases.read_case` and, for each actuals
file the case lists (``actuals:``), the actuals loaded and their councils checked
against the case's, so that a bad actuals file fails validation before anything
runs.  An actuals file whose budgets come from an approved case reads that case
with :func:`~models.engine.cases.read_case`.
"""

from __future__ import annotations

from pathlib import Path

from models.engine.cases import read_case
from models.engine.monitoring import load_actuals
from models.inputs.actuals import check_councils_of_case
from models.inputs.case import Case


def load_case(path: str | Path) -> Case:
    """Load and validate a case file, its options, tables and actuals files.

    Tables the case names (``baseline_costs_file``) are read relative to the case
    file and merged in before validation.  Raises
    :class:`~models.core.errors.InputError` naming the file and key path (or the
    table's row and column) on any problem.
    """
    case = read_case(path)
    for actuals_path in case.actuals_files():
        actuals = load_actuals(actuals_path)
        councils = [c.model_dump() for c in actuals.spec.councils]
        check_councils_of_case(actuals_path, councils, list(case.councils), Path(path))
    return case
