"""The working-day calendar: Monday to Friday are working days, Saturday and Sunday are not.

One module for every rule that counts in working days: action item due dates (moved off the
weekend), reminders ("due within the next N working days", no reminders on a weekend), the
review queue's waiting time and the reports. Plain Python, no Django: the lowest layer.
"""

from __future__ import annotations

import datetime as dt

SATURDAY = 5


def is_working_day(day: dt.date) -> bool:
    return day.weekday() < SATURDAY


def next_working_day(day: dt.date) -> dt.date:
    """`day` itself if it is a working day, else the Monday after it."""
    while not is_working_day(day):
        day += dt.timedelta(days=1)
    return day


def add_working_days(day: dt.date, days: int) -> dt.date:
    """The date `days` working days after `day` (weekends are skipped, not counted)."""
    while days > 0:
        day += dt.timedelta(days=1)
        if is_working_day(day):
            days -= 1
    return day


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days after `start` up to and including `end` (0 when end <= start)."""
    days = 0
    day = start
    while day < end:
        day += dt.timedelta(days=1)
        days += is_working_day(day)
    return days
