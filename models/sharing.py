"""Cost sharing between partner councils: shares by basis, allocation of lines.

A basis gives each partner council a share of a line, for each financial year
(so that a partner joining from a later year can be expressed).  Allocation
multiplies a service's yearly line by its shares; the council lines sum to the
whole in full precision because every year's shares sum to 1.
"""

from __future__ import annotations

import numpy as np

from models.case import Case


def basis_shares(
    case: Case, basis: str, councils: list[str], horizon_years: int
) -> np.ndarray:
    """Shares of each council in each year under a named basis [/1], shape ``(C, T)``.

    ``share[c, t] = fixed share of council c`` (fixed bases).

    >>> # see tests/test_sharing.py for worked cases
    """
    b = case.bases[basis]
    col = np.array([b.shares[c].value if c in b.shares else 0.0 for c in councils])
    return np.repeat(col[:, None], horizon_years, axis=1)


def allocate(values: np.ndarray, shares: np.ndarray) -> np.ndarray:
    """Split yearly values of each service to councils [GBP].

    ``allocated[..., s, c, t] = values[..., s, t] x shares[s, c, t]``

    >>> allocate(np.array([[100.0, 50.0]]), np.array([[[0.25, 0.25], [0.75, 0.75]]])).tolist()
    [[[25.0, 12.5], [75.0, 37.5]]]
    """
    return np.asarray(values)[..., :, None, :] * shares
