import datetime as dt

import numpy as np
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


def test_a_go_live_in_the_next_calendar_year_counts_months_across_new_year():
    # 1 Jan 2012 from 1 Apr 2011: (2012 - 2011) x 12 + (1 - 4) = 12 - 3 = 9
    assert calendar.month_index(dt.date(2012, 1, 1), "2011/12") == 9
    # 1 May 2013 from 1 Apr 2011: 2 x 12 + (5 - 4) = 25
    assert calendar.month_index(dt.date(2013, 5, 1), "2011/12") == 25


def test_an_age_is_a_whole_year_once_the_birthday_month_has_passed():
    # born 15 March 1970; on 10 June 2011 the birthday has passed (June > March)
    # though the 10th is before the 15th: 41 completed years
    born = np.array(["1970-03-15"], "datetime64[D]")
    assert (
        calendar.completed_years(born, np.array(["2011-06-10"], "datetime64[D]"))[0]
        == 41
    )
    # on 14 March 2011, the day before the birthday: 40
    assert (
        calendar.completed_years(born, np.array(["2011-03-14"], "datetime64[D]"))[0]
        == 40
    )


def test_whole_months_of_service_count_across_years_and_on_the_same_day():
    # 15 Nov 2009 to 15 Feb 2011: (2011 - 2009) x 12 + (2 - 11) = 24 - 9 = 15
    # whole months, the last completed on the same day of the month
    start = np.array(["2009-11-15", "2009-11-15"], "datetime64[D]")
    end = np.array(["2011-02-15", "2011-02-14"], "datetime64[D]")
    assert calendar.completed_months(start, end).tolist() == [15.0, 14.0]
