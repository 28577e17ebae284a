"""Rounding for display keeps every table footing (models/core/rounding.py)."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from models.core.rounding import footed_round, foots, largest_remainder, round_half_away


def with_totals(interior: pd.DataFrame, row: bool, col: bool) -> pd.DataFrame:
    """Append a 'Total' column and/or row holding the exact sums."""
    t = interior.copy()
    if col:
        t["Total"] = t.sum(axis=1)
    if row:
        t.loc["Total"] = t.sum(axis=0)
    return t


def test_three_cells_of_400_pounds_show_as_1_0_0_with_a_total_of_1_thousand():
    # 0.4 + 0.4 + 0.4 = 1.2 -> total 1; floors 0+0+0 leave 1 unit to give to the
    # largest remainder (a tie, so the first row).  Rounding each cell alone
    # would show 0 + 0 + 0 = 1.
    t = with_totals(pd.DataFrame({"Savings": [400.0, 400.0, 400.0]}), True, False)
    rounded = footed_round(t, row_total="Total")
    assert rounded["Savings"].tolist() == [1, 0, 0, 1]
    assert foots(rounded, row_total="Total")


def test_seed_appendix_a_shared_savings_split_foots_to_the_thousand():
    # seed 000 Appendix A: payroll 65 = 48 + 17; CCTV & Lifeline 283 = 81 + 202
    # (£'000).  Pound figures a few hundred pounds off the thousands still show
    # as the seed's table: 48,200 + 16,800 = 65,000 -> 48 + 17 = 65;
    # 81,100 + 201,900 = 283,000 -> 81 + 202; columns 129,300 -> 129 and
    # 218,700 -> 219, grand total 348,000 -> 348 = 129 + 219.
    interior = pd.DataFrame(
        {"Bromsgrove": [48_200.0, 81_100.0], "Redditch": [16_800.0, 201_900.0]},
        index=["Payroll", "CCTV & Lifeline"],
    )
    rounded = footed_round(with_totals(interior, True, True), 1000, "Total", "Total")
    assert rounded.loc["Payroll"].tolist() == [48, 17, 65]
    assert rounded.loc["CCTV & Lifeline"].tolist() == [81, 202, 283]
    assert rounded.loc["Total"].tolist() == [129, 219, 348]


def test_rounding_rows_on_their_own_would_not_foot_but_controlled_rounding_does():
    # Interior (£'000): [[0.8, 0.9, 0.2], [0.3, 0.8, 0.4]]; row totals 1.9, 1.5;
    # column totals 1.1, 1.7, 0.6; grand total 2.6 -> 3.
    # Rounding each row by largest remainder gives row totals 2 + 2 = 4, not 3.
    # Controlled rounding: rows must add to 3, so one row total goes down; the
    # cheaper is 1.5 -> 1 (error 0.5, against 0.9 for 1.9 -> 1).  Columns must add
    # to 3: (1, 2, 0) has errors 0.1 + 0.3 + 0.6 = 1.0, the least.  Then column 3
    # is 0 + 0, column 2 is 1 + 1, and row 2 (total 1) has its 1 in column 2, so
    # row 1 is 1, 1, 0.
    interior = pd.DataFrame([[800.0, 900.0, 200.0], [300.0, 800.0, 400.0]])
    naive_row_totals = largest_remainder(interior.to_numpy().T / 1000).T.sum(axis=1)
    assert naive_row_totals.sum() == 4  # but the grand total is round(2.6) = 3

    rounded = footed_round(with_totals(interior, True, True), 1000, "Total", "Total")
    assert rounded.values.tolist() == [[1, 1, 0, 2], [0, 1, 0, 1], [1, 2, 0, 3]]


def test_whole_thousands_are_never_moved():
    # Every cell is an exact multiple of £1,000 (one a float hair off), so rounding
    # is the identity.
    interior = pd.DataFrame([[48_000.0, 17_000.0], [81_000.0, 202_000.0000001]])
    rounded = footed_round(with_totals(interior, True, True), 1000, "Total", "Total")
    assert rounded.values.tolist() == [[48, 17, 65], [81, 202, 283], [129, 219, 348]]


def test_a_stated_total_that_is_not_the_sum_is_refused():
    t = pd.DataFrame({"a": [1000.0, 2000.0, 4000.0]}, index=["x", "y", "Total"])
    with pytest.raises(ValueError, match="total row 'Total' is not the sum"):
        footed_round(t, row_total="Total")


def test_halves_round_away_from_zero():
    assert round_half_away(np.array([2.5, -2.5, 0.49])).tolist() == [3.0, -3.0, 0.0]


def test_foots_notices_a_column_that_does_not_add_up():
    t = pd.DataFrame({"a": [1, 2, 3], "b": [1, 1, 3]}, index=["x", "y", "Total"])
    assert not foots(t, row_total="Total")
    assert foots(t[["a"]], row_total="Total")


# ---------------------------------------------------------------- properties

money = st.one_of(
    st.just(0.0),
    st.integers(-5_000, 5_000).map(lambda k: k * 500.0),  # halves of £'000
    st.integers(-(10**9), 10**9).map(lambda p: p / 100.0),  # pence, +-£10m
    st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False),
)


@st.composite
def tables(draw, max_rows: int = 40):
    n = draw(st.integers(1, max_rows))
    m = draw(st.integers(1, 6))
    cells = draw(st.lists(money, min_size=n * m, max_size=n * m))
    interior = pd.DataFrame(
        np.array(cells).reshape(n, m),
        index=[f"r{i}" for i in range(n)],
        columns=[f"c{j}" for j in range(m)],
    )
    row = draw(st.booleans())
    col = draw(st.booleans())
    unit = draw(st.sampled_from([1000.0, 1.0, 1_000_000.0]))
    return interior, row, col, unit


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tables())
def test_every_rounded_table_foots_and_every_figure_is_within_one_unit(drawn):
    interior, row, col, unit = drawn
    table = with_totals(interior, row, col)
    rounded = footed_round(
        table, unit, "Total" if row else None, "Total" if col else None
    )
    assert rounded.shape == table.shape
    assert foots(rounded, "Total" if row else None, "Total" if col else None)
    exact = table.to_numpy() / unit
    # Within one unit: the floor or the ceiling of the exact value (totals too).
    assert np.all(np.abs(rounded.to_numpy() - exact) < 1 + 1e-9)
    if row and col:
        grand = interior.to_numpy().sum() / unit
        assert rounded.loc["Total", "Total"] == round_half_away(grand)
    elif row:  # 1-D: every column total is the conventional rounding
        totals = interior.to_numpy().sum(axis=0) / unit
        _assert_conventional(rounded.loc["Total"].to_numpy(), totals)
    elif col:
        totals = interior.to_numpy().sum(axis=1) / unit
        _assert_conventional(rounded["Total"].to_numpy(), totals)


def _assert_conventional(shown: np.ndarray, exact: np.ndarray) -> None:
    """Each shown total is the conventional rounding of its exact total; where the
    exact total sits on a half to within float noise (1e-9 units), either
    neighbour is a conventional rounding."""
    on_half = np.abs(np.abs(exact - np.floor(exact)) - 0.5) < 1e-9
    conventional = shown == round_half_away(exact)
    near = np.abs(shown - exact) <= 0.5 + 1e-9
    assert np.all(conventional | (on_half & near))


def _best_total_errors_by_brute_force(x: np.ndarray) -> float:
    """Least total rounding error of row and column totals over every footing
    floor/ceil choice of the cells with grand total round(G) (the obvious,
    slow version)."""
    floors = np.floor(x)
    fractional = [
        (i, j)
        for i in range(x.shape[0])
        for j in range(x.shape[1])
        if x[i, j] > floors[i, j]
    ]
    rows, cols = x.sum(axis=1), x.sum(axis=0)
    grand = round_half_away(x.sum())
    best = np.inf
    for ups in itertools.product([0, 1], repeat=len(fractional)):
        r = floors.copy()
        for (i, j), u in zip(fractional, ups, strict=True):
            r[i, j] += u
        rr, rc = r.sum(axis=1), r.sum(axis=0)
        if (
            r.sum() != grand
            or np.any(np.abs(rr - rows) >= 1)
            or np.any(np.abs(rc - cols) >= 1)
        ):
            continue
        best = min(best, np.abs(rr - rows).sum() + np.abs(rc - cols).sum())
    return best


@settings(max_examples=150, deadline=None)
@given(
    st.integers(1, 3).flatmap(
        lambda n: st.integers(1, 3).flatmap(
            lambda m: st.lists(
                st.integers(-30, 30).map(lambda k: k / 10.0),
                min_size=n * m,
                max_size=n * m,
            ).map(lambda v: np.array(v).reshape(n, m))
        )
    )
)
def test_controlled_rounding_keeps_totals_as_close_as_any_footing_rounding(x):
    # Compared with trying every floor/ceil choice of the cells (small tables).
    table = with_totals(pd.DataFrame(x * 1000.0), True, True)
    rounded = footed_round(table, 1000, "Total", "Total").to_numpy()
    n, m = x.shape
    ours = (
        np.abs(rounded[:n, m] - x.sum(axis=1)).sum()
        + np.abs(rounded[n, :m] - x.sum(axis=0)).sum()
    )
    assert ours == pytest.approx(_best_total_errors_by_brute_force(x), abs=1e-9)


def test_a_large_figure_a_penny_short_of_a_whole_unit_is_not_treated_as_whole():
    # Found by hypothesis: with a relative tolerance of 1e-9, £9,999,999.99 was
    # snapped to £10,000,000 and the column total came out one pound high.
    # 861,673.74 + 9,999,999.99 = 10,861,673.73 -> shown total 10,861,674
    table = pd.DataFrame({"c0": [861_673.74, 9_999_999.99]}, index=["a", "b"])
    table.loc["Total"] = table.sum()
    rounded = footed_round(table, unit=1.0, row_total="Total")
    assert rounded["c0"].tolist() == [861_674, 10_000_000, 10_861_674]


# ------------------------------------------------------------ checks and guards


def test_by_default_figures_are_shown_in_whole_thousands():
    # 1,500 / 1,000 = 1.5 -> 2 (half away from zero); 499 / 1,000 = 0.499 -> 0
    rounded = footed_round(pd.DataFrame({"a": [1_500.0, 499.0]}))
    assert rounded["a"].tolist() == [2, 0]


@pytest.mark.parametrize("unit", [0.0, -1000.0])
def test_a_display_unit_of_zero_or_less_is_refused(unit):
    with pytest.raises(ValueError, match="unit must be positive"):
        footed_round(pd.DataFrame({"a": [1_000.0]}), unit=unit)


def test_a_table_with_one_missing_figure_is_refused():
    with pytest.raises(ValueError, match="missing"):
        footed_round(pd.DataFrame({"a": [1_000.0, np.nan]}))


def test_a_total_row_or_column_named_twice_is_refused():
    t = pd.DataFrame({"a": [1_000.0, 1_000.0, 1_000.0]}, index=["x", "Total", "Total"])
    with pytest.raises(ValueError, match="total row 'Total' appears more than once"):
        footed_round(t, row_total="Total")
    t = pd.DataFrame([[1_000.0, 1_000.0, 1_000.0]], columns=["x", "Total", "Total"])
    with pytest.raises(ValueError, match="total column 'Total' appears more than once"):
        footed_round(t, col_total="Total")


def test_a_total_row_or_column_that_is_not_there_is_refused():
    t = pd.DataFrame({"a": [1_000.0]}, index=["x"])
    with pytest.raises(ValueError, match="total row 'Total' is not in the table"):
        footed_round(t, row_total="Total")
    with pytest.raises(ValueError, match="total column 'Total' is not in the table"):
        footed_round(t, col_total="Total")


def test_a_stated_total_off_the_sum_only_by_float_noise_is_accepted():
    # 100,000.10 + 200,000.20 + 300,000.30 = 600,000.6000000001 in floating
    # point, stated as 600,000.60: the same total.  In £'000: 100.0001 -> 100,
    # 200.0002 -> 200, 300.0003 -> 300, total 600.0006 -> 600
    cells = [100_000.1, 200_000.2, 300_000.3]
    assert sum(cells) != 600_000.6
    t = pd.DataFrame({"a": [*cells, 600_000.6]}, index=["x", "y", "z", "T"])
    assert footed_round(t, row_total="T")["a"].tolist() == [100, 200, 300, 600]
    rounded = footed_round(t.T, col_total="T")
    assert rounded.values.tolist() == [[100, 200, 300, 600]]


def test_one_wrong_figure_in_a_stated_total_row_is_refused():
    # column a: 1,000 + 2,000 = 3,000 (right); column b: 1,000 + 1,000 != 3,000
    t = pd.DataFrame(
        {"a": [1_000.0, 2_000.0, 3_000.0], "b": [1_000.0, 1_000.0, 3_000.0]},
        index=["x", "y", "Total"],
    )
    with pytest.raises(ValueError, match="total row 'Total' is not the sum"):
        footed_round(t, row_total="Total")


def test_one_wrong_figure_in_a_stated_total_column_is_refused():
    # row x: 1,000 + 2,000 = 3,000 (right); row y: 1,000 + 1,000 != 3,000
    t = pd.DataFrame(
        [[1_000.0, 2_000.0, 3_000.0], [1_000.0, 1_000.0, 3_000.0]],
        index=["x", "y"],
        columns=["a", "b", "Total"],
    )
    with pytest.raises(ValueError, match="total column 'Total' is not the sum"):
        footed_round(t, col_total="Total")


def test_a_total_to_hit_below_the_sum_of_floors_is_refused():
    # floors 1 + 2 = 3: a total of 2 cannot be reached by rounding up or down
    with pytest.raises(ValueError, match="outside the sums of floors and ceilings"):
        largest_remainder(np.array([1.5, 2.5]), total=np.array([2.0]))


def test_a_total_to_hit_above_the_sum_of_ceilings_is_refused():
    # ceilings 2 + 3 = 5: a total of 6 cannot be reached
    with pytest.raises(ValueError, match="outside the sums of floors and ceilings"):
        largest_remainder(np.array([1.5, 2.5]), total=np.array([6.0]))


def test_a_total_of_every_ceiling_rounds_every_cell_up():
    # ceilings 2 + 3 = 5: both cells go up
    assert largest_remainder(np.array([1.5, 2.5]), total=np.array([5.0])).tolist() == [
        2.0,
        3.0,
    ]


def test_a_total_out_of_reach_is_refused_even_if_a_whole_cell_could_make_it_up():
    # [1.0, 1.5]: floors 1 + 1 = 2, ceilings 1 + 2 = 3 (a whole cell does not
    # move): a total of 4 is out of reach
    with pytest.raises(ValueError, match="outside the sums of floors and ceilings"):
        largest_remainder(np.array([1.0, 1.5]), total=np.array([4.0]))


def test_one_column_whose_total_is_out_of_reach_is_refused():
    # column 1: floors 1 + 2 = 3, ceilings 5, total 4 (fine);
    # column 2: floors 0 + 0 = 0, ceilings 2, total 3 (out of reach)
    cells = np.array([[1.5, 0.5], [2.5, 0.5]])
    with pytest.raises(ValueError, match="outside the sums of floors and ceilings"):
        largest_remainder(cells, total=np.array([4.0, 3.0]))
    with pytest.raises(ValueError, match="outside the sums of floors and ceilings"):
        largest_remainder(cells, total=np.array([2.0, 1.0]))


def test_foots_notices_a_total_column_one_unit_out():
    # rows foot (1 + 2 = 3 and 1 + 1 = 2 in the total row) but row y's
    # 1 + 1 is shown as 3 in the total column
    t = pd.DataFrame(
        [[1, 1, 2], [1, 1, 3], [2, 2, 5]],
        index=["x", "y", "Total"],
        columns=["a", "b", "Total"],
    )
    assert foots(t, row_total="Total")
    assert not foots(t, col_total="Total")
    assert not foots(t, row_total="Total", col_total="Total")


def test_foots_notices_a_table_of_millions_ten_units_out():
    # 999,990 + 0 shown with a total of 1,000,000: ten units out, however large
    # the figures (a relative tolerance of 1e-5 would let it pass)
    t = pd.DataFrame({"a": [999_990, 0, 1_000_000]}, index=["x", "y", "Total"])
    assert not foots(t, row_total="Total")
    assert not foots(t.T, col_total="Total")


# ------------------------------------------- whole numbers and float residue


def total_row_rounding(cells: list[float], unit: float = 1000.0) -> list[int]:
    """The cells and their total row, rounded with the total row footing."""
    t = pd.DataFrame({"a": cells})
    t.loc["Total"] = t.sum()
    return footed_round(t, unit=unit, row_total="Total")["a"].tolist()


def test_a_figure_a_float_hair_below_a_whole_thousand_counts_as_that_thousand():
    # £999.9999999999 (a computed share 1e-10 short) is 1 whole thousand, so the
    # exact total is 0.5 + 1 + 2 = 3.5 -> 4, and 0.5 rounds up to make it foot;
    # taken at face value the total 3.4999999999999 would show as 3
    assert total_row_rounding([500.0, 999.999_999_9999, 2_000.0]) == [1, 1, 2, 4]


def test_a_large_figure_within_its_relative_tolerance_counts_as_whole():
    # 9,999.999999995 / 1,000 = 9.999999999995: 5e-12 off 10, within 1e-12 x 10;
    # total 0.5 + 10 = 10.5 -> 11
    assert total_row_rounding([500.0, 9_999.999_999_995]) == [1, 10, 11]


def test_a_figure_within_a_millionth_of_a_millionth_of_zero_counts_as_zero():
    # in pounds: -0.5 + 1e-12 is -0.5 once 1e-12 counts as 0 (at the tolerance
    # itself): the total rounds half away from zero to -1
    assert total_row_rounding([-0.5, 1e-12], unit=1.0) == [-1, 0, -1]
    # one and a half times the tolerance is a figure: -0.4999999999985 -> 0
    assert total_row_rounding([-0.5, 1.5e-12], unit=1.0) == [0, 0, 0]


def test_a_whole_thousand_stays_even_where_moving_it_would_help_the_totals():
    # Interior (£'000) [[1, 0.6], [1, 0.6], [0.5, 1]]: rows 1.6, 1.6, 1.5, columns
    # 2.5, 2.2, grand 4.7 -> 5.  Each cell is its floor or ceiling, so the whole
    # ones stay 1; rows 1 + 2 + 2 = 5 then cost 0.6 + 0.4 + 0.5 in the row totals.
    # (Moving the 1 in row 2 to 2 would let the rows be 2, 2, 1: 0.4 + 0.4 + 0.5.)
    interior = pd.DataFrame([[1_000.0, 600.0], [1_000.0, 600.0], [500.0, 1_000.0]])
    rounded = footed_round(with_totals(interior, True, True), 1000, "Total", "Total")
    assert rounded.values.tolist() == [[1, 0, 1], [1, 1, 2], [1, 1, 2], [3, 2, 5]]


def test_foots_forgives_float_noise_in_a_table_of_pounds_and_pence():
    # 0.1 + 0.2 = 0.30000000000000004 in floating point: within 1e-6 of 0.3
    pence = pd.DataFrame({"a": [0.1, 0.2, 0.3]}, index=["x", "y", "Total"])
    assert foots(pence, row_total="Total")
    assert foots(pence.T, col_total="Total")
