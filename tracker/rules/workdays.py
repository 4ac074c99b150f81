"""Chinese working days (工作日): statutory holidays and make-up workdays (调休) from
`chinesecalendar`; for years it does not cover, weekends only (and the caller says so)."""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache


@lru_cache(maxsize=8192)
def is_workday(day: date) -> tuple[bool, bool]:
    """(is a working day, known to the holiday calendar)."""
    import chinese_calendar

    try:
        return chinese_calendar.is_workday(day), True
    except NotImplementedError:  # outside the calendar's years
        return day.weekday() < 5, False


def workdays_after(start: date, end: date) -> tuple[int, bool]:
    """Working days in (start, end]: how many, and whether the calendar knew every day."""
    count, known = 0, True
    day = start + timedelta(days=1)
    while day <= end:
        working, calendar_known = is_workday(day)
        count += working
        known = known and calendar_known
        day += timedelta(days=1)
    return count, known
