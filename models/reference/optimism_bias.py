"""Optimism bias: Green Book supplementary guidance bounds and the uplift after mitigation.

Reference data: ``models/reference/optimism_bias.yaml`` (HM Treasury, Green Book
supplementary guidance - Optimism bias, 2003, Table 1).  A service may name its
project type in a case file (``services.<id>.optimism_bias``); its set-up
(capital) costs are then uplifted by ``upper bound x (1 - mitigation)`` instead of
the case-wide ``settings.optimism_bias.costs``, which its severance keeps (a
quoted fund strain figure takes no uplift).
"""

from __future__ import annotations

import datetime as dt
from typing import Literal, get_args

import numpy as np

from models.core.errors import InputError
from models.reference import REFERENCE_DIR, load_reference

ProjectType = Literal[
    "standard_buildings",
    "non_standard_buildings",
    "standard_civil_engineering",
    "non_standard_civil_engineering",
    "equipment_development",
    "outsourcing",
]


PROJECT_TYPES: tuple[str, ...] = get_args(ProjectType)
"""Green Book generic project types (models/reference/optimism_bias.yaml)."""


def optimism_bias_bounds(
    project_type: str, measure: str, date: dt.date | None = None
) -> tuple[float, float]:
    """Lower and upper optimism bias [/1] of a project type for a measure.

    ``measure``: ``works_duration``, ``capex`` or ``opex`` (outsourcing only).
    ``date``: the edition in force on that date (default: the latest).
    Source: HM Treasury Green Book supplementary guidance, optimism bias (2003),
    Table 1.

    >>> optimism_bias_bounds("equipment_development", "capex")
    (0.1, 2.0)
    >>> optimism_bias_bounds("outsourcing", "opex")
    (0.0, 0.41)
    """

    values = load_reference("optimism_bias")["values"]
    editions = sorted(d for d in values if date is None or d <= date)
    if not editions:
        raise ValueError(f"optimism bias: no edition in force on {date}")
    table = values[editions[-1]]
    where = REFERENCE_DIR / "optimism_bias.yaml"
    if project_type not in table:
        raise InputError(
            where, "project type", f"one of {', '.join(table)}", repr(project_type)
        )
    bounds = table[project_type].get(measure)
    if bounds is None:
        have = [m for m, b in table[project_type].items() if b is not None]
        raise InputError(
            where,
            f"{project_type}.{measure}",
            f"a measure with bounds for {project_type} ({', '.join(have)})",
            repr(measure),
        )
    return float(bounds["lower"]), float(bounds["upper"])


def optimism_bias_uplift(
    project_type: str,
    measure: str,
    mitigation: float | np.ndarray = 0.0,
    date: dt.date | None = None,
) -> float | np.ndarray:
    """Optimism bias uplift after mitigation [/1]: ``upper x (1 - mitigation)``.

    ``mitigation`` [/1] is the share of the contributory risk factors that has
    been managed or costed (0 at outline stage: the upper bound applies; the
    guidance expects the uplift to approach the lower bound by contract award).
    Source: Green Book supplementary guidance, optimism bias (2003), Table 1 and
    its worked example (51% x (1 - 0.92) = 4% for non-standard buildings capex).

    >>> optimism_bias_uplift("outsourcing", "opex")
    0.41
    >>> round(optimism_bias_uplift("non_standard_buildings", "capex", 0.92), 4)
    0.0408
    """
    m = np.asarray(mitigation, dtype=float)
    if np.any((m < 0) | (m > 1)):
        raise ValueError("mitigation must be a fraction between 0 and 1")
    _, upper = optimism_bias_bounds(project_type, measure, date)
    out = upper * (1.0 - m)
    return float(out) if out.ndim == 0 else out
