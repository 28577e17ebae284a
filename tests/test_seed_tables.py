"""Golden figures from the seed reports."""

import numpy as np

from models.engine.loading import load_case
from models.engine.projection import run_option, yearly_table
from models.report.tables_core import summary_position
from tests.conftest import SEED_002_CASE


def test_seed_002_para_6_9_summary_table_is_reproduced_to_the_pound_thousand():
    # seed 002 para 6.9, SUMMARY SHARED SERVICE FINANCIAL POSITION (£'000):
    #                2008/09  2009/10  2010/11
    # SAVINGS             85      432    1,016
    # SET UP COSTS        18       75      896
    # NET SAVINGS         67      357      120
    r = run_option(load_case(SEED_002_CASE), "as_reported")
    table = summary_position(r.long)
    rounded = (table / 1000).round().astype(int)
    assert list(rounded.columns) == ["2008/09", "2009/10", "2010/11"]
    assert rounded.loc["SAVINGS"].tolist() == [85, 432, 1016]
    assert rounded.loc["SET UP COSTS"].tolist() == [18, 75, 896]
    assert rounded.loc["NET SAVINGS"].tolist() == [67, 357, 120]


def test_seed_002_severance_of_the_single_management_team_is_896k():
    # seed 002 para 6.1: total severance cost £896k (against £927k expected)
    t = yearly_table(run_option(load_case(SEED_002_CASE), "as_reported").long)
    np.testing.assert_allclose(t.loc["Costs|Severance"].sum(), 896_000)
