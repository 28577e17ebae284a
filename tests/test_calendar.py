import datetime as dt

import pytest

from models.core import calendar


def test_a_financial_year_runs_april_to_march():
    assert calendar.financial_year_of(dt.date(2011, 4, 1)) == "2011/12"
    assert calendar.financial_year_of(dt.date(2012, 3, 31)) == "2011/12"
    assert calendar.financial_year_of(dt.date(2000, 1, 15)) == "1999/00"


def test_labels_of_non_consecutive_years_are_refused():
    with pytest.raises(ValueError, match="consecutive"):
        calendar.fy_start_year("2011/13")
    with pytest.raises(ValueError, match="2011/12"):
        calendar.fy_start_year("2011-12")


def test_a_go_live_after_the_first_of_the_month_counts_from_the_next_month():
    # 1 Oct 2011 is month 6 from 1 Apr 2011; 2 Oct 2011 counts from 1 Nov: month 7
    assert calendar.month_index(dt.date(2011, 10, 1), "2011/12") == 6
    assert calendar.month_index(dt.date(2011, 10, 2), "2011/12") == 7
