"""Rounding money for display so that every displayed table foots.

Money is computed in full precision (pounds) and rounded only for display, by
default to whole £'000.  Rounding each figure on its own breaks the arithmetic a
reader checks first: 0.4 + 0.4 + 0.4 = 1.2 shows as 0 + 0 + 0 = 1.  This module
rounds a whole table at once ("controlled rounding") so that

* every interior cell is its exact value rounded down or up (never further than
  one unit away);
* every displayed row and column of rounded figures adds to the rounded total
  shown for it;
* the totals are the conventional rounding (half away from zero) of the exact
  totals wherever the table allows it; the grand total always is.

1-D tables (a total row only, or a total column only) are rounded by the largest
remainder method, one column (row) at a time: take the floor of every cell, then
give the units still missing from the rounded total to the cells with the
largest fractional parts.

2-D tables (a total row and a total column) cannot always be rounded like that:
rounding rows and then columns by largest remainder can leave a row that no
longer foots, and the row totals may not all be able to equal their
conventional rounding (two rows of 0.5 have a grand total of 1, but each row
rounds to 0 by itself).  Instead we solve the controlled rounding problem
exactly as a small integer programme whose constraint matrix is a network
(transportation) matrix, so it always has an integral solution (Bacharach 1966;
Cox and Ernst 1982, "Controlled rounding", INFOR 20(4)):

    choose up[i, j] in {0, 1} (0 where the cell is already whole), and for each
    row, column and the grand total choose up in {0, 1}, such that
    sum_j (floor x[i, j] + up[i, j]) = floor R[i] + up_row[i]     (rows foot)
    sum_i (floor x[i, j] + up[i, j]) = floor C[j] + up_col[j]     (columns foot)
    sum_i (floor R[i] + up_row[i])   = round G                    (grand total)
    sum_j (floor C[j] + up_col[j])   = round G
    minimising   sum |rounded - exact| over cells
               + 1000 x sum |rounded - exact| over row and column totals.

The exact fractional parts are a feasible fractional flow; the flow polytope has
integral vertices, so an integral flow with any integer grand total between the
floor and the ceiling of the exact one exists.  The programme is solved by
scipy.optimize.milp (HiGHS); the heavy weight on totals makes totals equal their
conventional rounding whenever some footing rounding allows it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_matrix

# Exact values within this many units of a whole number are treated as whole
# (so 48,000.0000001 pounds is 48 £'000, not "47 or 48").
_WHOLE_TOLERANCE = 1e-12
# Weight of a total's rounding error relative to a cell's in the objective.
_TOTAL_WEIGHT = 1000.0


def round_half_away(x: np.ndarray | float) -> np.ndarray:
    """Conventional rounding: halves go away from zero [/1].

    ``round_half_away(x) = sign(x) x floor(|x| + 0.5)``

    >>> round_half_away(np.array([0.5, 1.5, -0.5, 2.4999, -2.6])).tolist()
    [1.0, 2.0, -1.0, 2.0, -3.0]
    """
    x = np.asarray(x, dtype=float)
    return np.sign(x) * np.floor(np.abs(x) + 0.5)


def _snap_whole(x: np.ndarray) -> np.ndarray:
    """Treat values within a rounding hair of a whole number as whole."""
    nearest = np.rint(x)
    close = np.abs(x - nearest) <= _WHOLE_TOLERANCE * np.maximum(1.0, np.abs(x))
    return np.where(close, nearest, x)


def largest_remainder(exact: np.ndarray, total: np.ndarray | None = None) -> np.ndarray:
    """Round each column of ``exact`` so that it adds to its rounded total [units].

    ``rounded = floor(exact) + 1 for the k cells with the largest fractional
    parts, where k = total - sum floor(exact)`` and ``total = round(sum exact)``
    (half away from zero) unless given.

    Parameters
    ----------
    exact : array (N,) or (N, M)
        Exact values [units of display, e.g. £'000]; 2-D arrays are rounded
        column by column.
    total : array (M,), optional
        Whole-number totals to hit [units]; each must lie between the sum of
        floors and the sum of ceilings.

    >>> largest_remainder(np.array([0.4, 0.4, 0.4])).tolist()  # ties: first row
    [1.0, 0.0, 0.0]
    >>> largest_remainder(np.array([[1.6, -0.6], [2.7, -0.6]])).tolist()
    [[1.0, 0.0], [3.0, -1.0]]
    """
    x = _snap_whole(np.asarray(exact, dtype=float))
    one_d = x.ndim == 1
    if one_d:
        x = x[:, None]
    floors = np.floor(x)
    fraction = x - floors
    if total is None:
        target = round_half_away(_snap_whole(x.sum(axis=0)))
    else:
        target = np.atleast_1d(np.asarray(total, dtype=float))
    missing = (target - floors.sum(axis=0)).astype(int)  # (M,)
    if np.any(missing < 0) or np.any(missing > (fraction > 0).sum(axis=0)):
        raise ValueError("a total lies outside the sums of floors and ceilings")
    # Rank cells by fractional part, largest first (stable: earlier row wins ties).
    order = np.argsort(-fraction, axis=0, kind="stable")
    rank = np.empty_like(order)
    np.put_along_axis(rank, order, np.arange(x.shape[0])[:, None], axis=0)
    rounded = floors + (rank < missing[None, :])
    return rounded[:, 0] if one_d else rounded


def _controlled_round_2d(x: np.ndarray) -> np.ndarray:
    """Controlled rounding of interior cells ``x`` (N, M) [units] with totals.

    Returns the interior rounded; rows, columns and the grand total of the
    result are the footing totals.  See the module docstring for the programme.
    """
    n, m = x.shape
    floors = np.floor(x)
    fraction = x - floors
    row_exact = _snap_whole(x.sum(axis=1))
    col_exact = _snap_whole(x.sum(axis=0))
    grand_exact = _snap_whole(x.sum())
    row_floor, col_floor = np.floor(row_exact), np.floor(col_exact)
    row_frac, col_frac = row_exact - row_floor, col_exact - col_floor
    grand = float(round_half_away(grand_exact))

    # Variables: cells (n*m), row totals (n), column totals (m).
    n_cells = n * m
    n_vars = n_cells + n + m
    row_var = n_cells + np.arange(n)
    col_var = n_cells + n + np.arange(m)

    # Cost of rounding up instead of down: (1 - f) - f = 1 - 2f.
    cost = np.concatenate(
        [
            (1.0 - 2.0 * fraction).ravel(),
            _TOTAL_WEIGHT * (1.0 - 2.0 * row_frac),
            _TOTAL_WEIGHT * (1.0 - 2.0 * col_frac),
        ]
    )
    upper = np.concatenate([(fraction > 0).ravel(), row_frac > 0, col_frac > 0]).astype(
        float
    )

    # Constraint rows: n row sums, m column sums, grand total by rows, by columns.
    #   row i:    sum_j up[i, j] - up_row[i] = floor R[i] - sum_j floor x[i, j]
    #   column j: sum_i up[i, j] - up_col[j] = floor C[j] - sum_i floor x[i, j]
    #   grand:    sum_i up_row[i] = round G - sum_i floor R[i]  (and for columns)
    i_idx, j_idx = np.divmod(np.arange(n_cells), m)
    rows_i = np.concatenate(
        [
            i_idx,
            np.arange(n),
            n + j_idx,
            n + np.arange(m),
            np.full(n, n + m),
            np.full(m, n + m + 1),
        ]
    )
    cols_i = np.concatenate(
        [np.arange(n_cells), row_var, np.arange(n_cells), col_var, row_var, col_var]
    )
    vals = np.concatenate(
        [
            np.ones(n_cells),
            -np.ones(n),
            np.ones(n_cells),
            -np.ones(m),
            np.ones(n),
            np.ones(m),
        ]
    )
    rhs = np.concatenate(
        [
            row_floor - floors.sum(axis=1),
            col_floor - floors.sum(axis=0),
            [grand - row_floor.sum(), grand - col_floor.sum()],
        ]
    )
    k = n + m + 2

    a = coo_matrix((vals, (rows_i, cols_i)), shape=(k, n_vars)).tocsr()
    b = np.round(np.array(rhs))
    result = milp(
        cost,
        constraints=LinearConstraint(a, b, b),
        integrality=np.ones(n_vars),
        bounds=Bounds(np.zeros(n_vars), upper),
    )
    if not result.success:  # pragma: no cover - impossible by the flow argument
        raise RuntimeError(f"controlled rounding failed: {result.message}")
    up = np.rint(result.x[:n_cells]).reshape(n, m)
    return floors + up


def footed_round(
    table: pd.DataFrame,
    unit: float = 1000.0,
    row_total: str | None = None,
    col_total: str | None = None,
) -> pd.DataFrame:
    """Round a table of pounds to whole ``unit`` so that it still foots [units].

    ``rounded[i, j] in {floor(x[i, j] / unit), ceil(x[i, j] / unit)}``, every
    displayed row and column adds to its displayed total, and the grand total is
    ``round(exact grand total / unit)`` (half away from zero).  With only a total
    row (or only a total column) every total is the conventional rounding of its
    exact total (largest remainder); with both, row and column totals are the
    conventional rounding wherever a footing table allows, otherwise the nearest
    other whole unit (see the module docstring: controlled rounding as a
    transportation problem).  With no total, each cell is rounded on its own.

    Parameters
    ----------
    table : DataFrame
        Exact money [GBP]; may hold negatives and zeros.  If ``row_total`` or
        ``col_total`` is given, that row / column must hold the sums of the
        others (checked; its exact values are recomputed from them).
    unit : float
        Display unit [GBP], e.g. 1000 for £'000.
    row_total : label, optional
        Index label of the total row (sum of all other rows).
    col_total : label, optional
        Column label of the total column (sum of all other columns).

    Returns
    -------
    DataFrame
        Same labels and order; whole numbers of ``unit`` as int64.

    Source: issue 4 "tables that add up"; Cox and Ernst (1982).

    >>> t = pd.DataFrame({"a": [400.0, 400.0, 400.0]}, index=["x", "y", "z"])
    >>> t.loc["Total"] = t.sum()
    >>> footed_round(t, row_total="Total")["a"].tolist()
    [1, 0, 0, 1]
    >>> t = pd.DataFrame([[600.0, 300.0], [300.0, 600.0]], columns=["p", "q"])
    >>> t["All"] = t.sum(axis=1)
    >>> t.loc["All"] = t.sum()
    >>> footed_round(t, row_total="All", col_total="All").values.tolist()
    [[1, 0, 1], [0, 1, 1], [1, 1, 2]]
    """
    if unit <= 0:
        raise ValueError(f"unit must be positive, found {unit}")
    values = table.to_numpy(dtype=float)
    if np.isnan(values).any():
        raise ValueError("cannot round a table with missing (NaN) values")
    row_mask = np.ones(len(table.index), dtype=bool)
    col_mask = np.ones(len(table.columns), dtype=bool)
    if row_total is not None:
        row_mask = np.asarray(table.index != row_total)
        if row_mask.all():
            raise ValueError(f"total row {row_total!r} is not in the table")
        if (~row_mask).sum() > 1:
            raise ValueError(f"total row {row_total!r} appears more than once")
    if col_total is not None:
        col_mask = np.asarray(table.columns != col_total)
        if col_mask.all():
            raise ValueError(f"total column {col_total!r} is not in the table")
        if (~col_mask).sum() > 1:
            raise ValueError(f"total column {col_total!r} appears more than once")

    interior = values[np.ix_(row_mask, col_mask)] / unit
    _check_given_totals(values, row_mask, col_mask, unit, row_total, col_total)
    x = _snap_whole(interior)

    if row_total is not None and col_total is not None:
        inner = _controlled_round_2d(x) if x.size else x
    elif row_total is not None:
        inner = largest_remainder(x) if x.size else x
    elif col_total is not None:
        inner = largest_remainder(x.T).T if x.size else x
    else:
        inner = round_half_away(x)

    out = np.zeros(values.shape)
    out[np.ix_(row_mask, col_mask)] = inner
    if row_total is not None:
        out[~row_mask, :] = out[row_mask, :].sum(axis=0)
    if col_total is not None:
        out[:, ~col_mask] = out[:, col_mask].sum(axis=1)[:, None]
    return pd.DataFrame(
        np.rint(out).astype(np.int64), index=table.index, columns=table.columns
    )


def _check_given_totals(
    values: np.ndarray,
    row_mask: np.ndarray,
    col_mask: np.ndarray,
    unit: float,
    row_total: str | None,
    col_total: str | None,
) -> None:
    """Raise ValueError if a stated total row/column is not the sum of the others."""
    scale = np.abs(values).sum() + unit
    tolerance = 1e-9 * scale
    if row_total is not None:
        found = values[~row_mask, :][0]
        exact = values[row_mask, :].sum(axis=0)
        if np.any(np.abs(found - exact) > tolerance):
            raise ValueError(
                f"total row {row_total!r} is not the sum of the other rows"
            )
    if col_total is not None:
        found = values[:, ~col_mask][:, 0]
        exact = values[:, col_mask].sum(axis=1)
        if np.any(np.abs(found - exact) > tolerance):
            raise ValueError(
                f"total column {col_total!r} is not the sum of the other columns"
            )


def foots(
    rounded: pd.DataFrame, row_total: str | None = None, col_total: str | None = None
) -> bool:
    """Whether a displayed table adds up: rows and columns sum to the totals shown.

    ``sum_{i != total} rounded[i, j] == rounded[total, j]`` for every column j
    (total row), and likewise across each row for the total column: exactly (to
    1e-6 of a unit), however large the figures; a relative tolerance would let a
    table of millions be some units out.

    >>> t = pd.DataFrame({"a": [0, 1, 1]}, index=["x", "y", "Total"])
    >>> foots(t, row_total="Total")
    True
    >>> foots(pd.DataFrame({"a": [0, 0, 1]}, index=["x", "y", "Total"]), "Total")
    False
    """
    values = rounded.to_numpy(dtype=float)
    ok = True
    if row_total is not None:
        is_total = np.asarray(rounded.index == row_total)
        ok &= bool(
            np.allclose(
                values[~is_total].sum(axis=0),
                values[is_total].sum(axis=0),
                rtol=0.0,
                atol=1e-6,
            )
        )
    if col_total is not None:
        is_total = np.asarray(rounded.columns == col_total)
        ok &= bool(
            np.allclose(
                values[:, ~is_total].sum(axis=1),
                values[:, is_total].sum(axis=1),
                rtol=0.0,
                atol=1e-6,
            )
        )
    return ok
