"""Dates and times read the same way on every page: '17 november 2026 om 14:03', Dutch time."""

import datetime as dt

from app.dates import local_date, local_datetime


def test_a_moment_reads_as_day_month_year_at_dutch_time():
    winter = dt.datetime(2026, 11, 17, 13, 3, tzinfo=dt.UTC)
    summer = dt.datetime(2026, 7, 1, 6, 5, tzinfo=dt.UTC)
    assert local_datetime(winter) == "17 november 2026 om 14:03"
    assert local_datetime(summer) == "1 juli 2026 om 08:05"


def test_a_date_is_the_dutch_day_even_when_utc_is_still_the_day_before():
    late_evening = dt.datetime(2026, 12, 31, 23, 30, tzinfo=dt.UTC)
    assert local_date(late_evening) == "1 januari 2027"
    assert local_date(dt.date(2026, 3, 10)) == "10 maart 2026"


def test_nothing_to_show_is_an_empty_string():
    assert local_datetime(None) == ""
    assert local_date(None) == ""
