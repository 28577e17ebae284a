"""Cost sharing between partner councils: shares by basis, allocation, true-up.

A basis (models.inputs.bases) gives each partner council a share of a line for each
financial year.  Fixed bases use agreed shares, driver bases shares in proportion
to a driver (payslips produced, electorate, cameras: seed 002 para 6.3), hybrid
bases a weighted mix of the two.  A council that joins from a later year
(``councils.<id>.joins``) has a share of 0 before it, and the other partners'
shares are scaled up in proportion so that every year's shares sum to 1.

Allocation multiplies each service's yearly line by its shares; because every
year's shares sum to 1, the council lines sum to the whole (to floating-point
precision, about 1e-16 of the amount: money is never rounded here).

Rounding for display is in models.core.rounding;
:func:`models.report.council_tables.council_table` applies it to a council x year
table so that it foots to the £'000.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Literal

import numpy as np
import pandas as pd

from models.core import calendar
from models.core.errors import InputError
from models.inputs.case import Case

if TYPE_CHECKING:  # pragma: no cover
    pass


def council_active(case: Case, councils: list[str], years: list[str]) -> np.ndarray:
    """Whether each council is a partner in each year [bool], shape ``(C, T)``.

    ``active[c, t] = (t >= index of councils.<c>.joins)``; always true without
    ``joins``.
    """
    start = np.array(
        [
            calendar.fy_index(case.councils[c].joins, case.settings.base_year)
            if c in case.councils and case.councils[c].joins
            else 0
            for c in councils
        ]
    )
    return np.arange(len(years))[None, :] >= start[:, None]


def proportional_shares(weights: np.ndarray, active: np.ndarray) -> np.ndarray:
    """Shares in proportion to weights among the active partners [/1], ``(C, T)``.

    ``share[c, t] = w[c] x active[c, t] / sum_c' (w[c'] x active[c', t])``

    Columns whose active weights sum to 0 come out as 0 (the caller reports it).

    Parameters
    ----------
    weights : array (C,)
        Fixed shares or driver values [/1 or driver unit], non-negative.
    active : array (C, T) of bool
        Whether each council is a partner in each year.

    >>> proportional_shares(np.array([0.4, 0.3, 0.3]),
    ...                     np.array([[True, True], [True, True], [False, True]]))
    array([[0.571..., 0.4 ],
           [0.428..., 0.3 ],
           [0.     , 0.3 ]])
    """
    w = np.asarray(weights, dtype=float)[:, None] * active
    total = w.sum(axis=0, keepdims=True)
    return np.divide(w, total, out=np.zeros_like(w), where=total > 0)


def fixed_weights(case: Case, basis: str, councils: list[str]) -> np.ndarray:
    """Fixed shares of a fixed or hybrid basis by council [/1], ``(C,)``; 0 if unnamed."""
    b = case.bases[basis]
    return np.array([b.shares[c].value if c in b.shares else 0.0 for c in councils])


def driver_values(case: Case, basis: str, councils: list[str]) -> np.ndarray:
    """Driver values of a driver or hybrid basis by council [driver unit], ``(C,)``.

    Councils that are not partners of the basis get 0.  A partner without the
    driver is an InputError naming ``councils.<id>.drivers.<driver>``.
    """
    b = case.bases[basis]
    partners = set(b.partners(list(case.councils)))
    out = np.zeros(len(councils))
    for i, c in enumerate(councils):
        if c not in partners:
            continue
        drivers = case.councils[c].drivers
        if b.driver not in drivers:
            raise InputError(
                getattr(case, "_source", None),
                f"councils.{c}.drivers.{b.driver}",
                f"a value of the driver '{b.driver}' (basis '{basis}')",
                "it is missing",
            )
        out[i] = drivers[b.driver].value
    return out


COUNCIL_WEIGHTS = {"shares": fixed_weights, "driver": driver_values}
"""How each kind of basis part weighs the councils (the kinds a basis's ``parts()``
names): a new sharing basis is one schema class in models.inputs.bases and, if
it weighs councils in a new way, one entry here."""


def basis_shares(
    case: Case, basis: str, councils: list[str], horizon_years: int
) -> np.ndarray:
    """Shares of each council in each year under a named basis [/1], ``(C, T)``.

    * fixed: ``share[c, t] = s[c] a[c, t] / sum s a``
    * driver: ``share[c, t] = d[c] a[c, t] / sum d a``
    * hybrid: ``share = fixed_weight x (fixed shares) + driver_weight x (driver shares)``

    where ``a[c, t]`` is 1 once council c has joined (``councils.<c>.joins``) and 0
    before; each part is renormalised among the partners present that year.

    Parameters
    ----------
    case : Case
        The (option) case holding ``bases`` and ``councils``.
    basis : str
        Name of the basis under ``bases``.
    councils : list of str
        Council ids, in the order of the result's rows.
    horizon_years : int
        Number of financial years from ``settings.base_year`` [years].

    Source: seed 002 para 6.3 (bases in use); issue 4.

    >>> from models.inputs.case import Case
    >>> case = Case.model_validate({"kind": "case", "name": "x", "title": "x",
    ...     "councils": {"a": {"name": "A"}, "b": {"name": "B"}},
    ...     "settings": {"base_year": "2011/12", "horizon_years": 2},
    ...     "bases": {"sixty_forty": {"type": "fixed", "shares": {"a": 0.6, "b": 0.4}}},
    ...     "services": {"s": {"name": "S", "basis": "sixty_forty"}},
    ...     "options": {"o": {"title": "O", "description": "As written."}}})
    >>> basis_shares(case, "sixty_forty", ["a", "b"], 2).tolist()
    [[0.6, 0.6], [0.4, 0.4]]
    """
    years = calendar.fy_labels(case.settings.base_year, horizon_years)
    active = council_active(case, councils, years)
    parts = [
        (
            weight,
            proportional_shares(COUNCIL_WEIGHTS[kind](case, basis, councils), active),
        )
        for weight, kind in case.bases[basis].parts()
    ]
    for weight, part in parts:
        empty = np.flatnonzero(part.sum(axis=0) == 0)
        if weight > 0 and empty.size:
            raise InputError(
                getattr(case, "_source", None),
                f"bases.{basis}",
                "a partner with a positive share or driver value in every year",
                f"none in {years[empty[0]]}",
            )
    return sum(weight * part for weight, part in parts)


def allocate(values: np.ndarray, shares: np.ndarray) -> np.ndarray:
    """Split yearly values of each service to councils [GBP].

    ``allocated[..., s, c, t] = values[..., s, t] x shares[s, c, t]``

    >>> allocate(np.array([[100.0, 50.0]]), np.array([[[0.25, 0.25], [0.75, 0.75]]])).tolist()
    [[[25.0, 12.5], [75.0, 37.5]]]
    """
    return np.asarray(values)[..., :, None, :] * shares


def unused_bases(case: Case) -> list[str]:
    """Bases that no service names (a warning, not an error).

    >>> from models.inputs.case import Case
    >>> import warnings
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     case = Case.model_validate({"kind": "case", "name": "x", "title": "x",
    ...         "councils": {"a": {"name": "A"}},
    ...         "settings": {"base_year": "2011/12", "horizon_years": 1},
    ...         "bases": {"all_a": {"shares": {"a": 1}}}, "services": {},
    ...         "options": {"o": {"title": "O", "description": "As written."}}})
    >>> unused_bases(case)
    ['all_a']
    """
    used = {
        b
        for svc in case.services.values()
        for b in (svc.basis, svc.savings_basis, svc.set_up_basis, svc.severance.basis)
        if b is not None
    }
    return [b for b in case.bases if b not in used]


# ----------------------------------------------------------------- council views


# ----------------------------------------------------------------------- true-up


def true_up(
    estimated_drivers: Mapping[str, float] | pd.Series,
    actual_drivers: Mapping[str, float] | pd.Series,
    amount: float,
    tolerance: float = 0.03,
    compare: Literal["driver", "share"] = "driver",
) -> pd.DataFrame:
    """Restated shares and the re-allocation each council owes (+) or is owed (-).

    Shares were charged on estimated drivers; once actual activity is known they
    are restated on actual drivers, but only if the actual differs materially:

    ``relative_change[c] = (actual[c] - estimate[c]) / estimate[c]`` of each
    council's driver (``compare="driver"``, the default), or of each council's
    share (``compare="share"``: share on actuals against share on estimates);
    a council is *beyond tolerance* if ``|relative_change| > tolerance``
    (strictly: exactly 3% is not restated).  If any council is beyond tolerance,
    every share is restated on the actual drivers; otherwise no share is restated
    and nothing is owed.  (Restating one council alone is not possible: shares
    must still sum to 1, so the others' shares move with it.)

    ``re_allocation[c] = (restated_share[c] - estimated_share[c]) x amount``; for
    a shared cost, + is what the council owes its partners and - what it is owed;
    re-allocations sum to 0.

    Parameters
    ----------
    estimated_drivers, actual_drivers : mapping council -> driver value
        Same councils in both [driver unit, e.g. payslips a year], non-negative.
    amount : float
        The amount shared on those drivers [GBP].
    tolerance : float
        Relative change at or below which shares are not restated [/1].
    compare : "driver" or "share"
        What the tolerance compares (see above).

    Returns
    -------
    DataFrame indexed by council: estimated_driver, actual_driver,
    relative_change, beyond_tolerance, estimated_share, restated_share, charged,
    restated_charge, re_allocation [GBP].

    >>> t = true_up({"a": 100, "b": 100}, {"a": 110, "b": 90}, 20000)
    >>> t[["restated_share", "re_allocation"]].values.tolist()
    [[0.55, 1000.0], [0.45, -1000.0]]
    """
    est = pd.Series(estimated_drivers, dtype=float)
    act = pd.Series(actual_drivers, dtype=float)
    if set(est.index) != set(act.index):
        raise ValueError(
            "expected the same councils in estimated and actual drivers, found "
            f"{sorted(est.index)} and {sorted(act.index)}"
        )
    act = act.reindex(est.index)
    if (est < 0).any() or (act < 0).any():
        raise ValueError("expected non-negative driver values")
    if est.sum() <= 0 or act.sum() <= 0:
        raise ValueError("expected some positive driver value")
    if compare not in ("driver", "share"):
        raise ValueError(f"expected compare 'driver' or 'share', found {compare!r}")
    est_share = est / est.sum()
    act_share = act / act.sum()
    before, after = (est, act) if compare == "driver" else (est_share, act_share)
    with np.errstate(divide="ignore", invalid="ignore"):
        change = np.where(
            before > 0, (after - before) / before, np.where(after > 0, np.inf, 0.0)
        )
    beyond = np.abs(change) > tolerance + 1e-12
    restated = act_share if beyond.any() else est_share
    frame = pd.DataFrame(
        {
            "estimated_driver": est,
            "actual_driver": act,
            "relative_change": change,
            "beyond_tolerance": beyond,
            "estimated_share": est_share,
            "restated_share": restated,
            "charged": est_share * amount,
            "restated_charge": restated * amount,
        }
    )
    frame["re_allocation"] = frame["restated_charge"] - frame["charged"]
    frame.index.name = "council"
    return frame
