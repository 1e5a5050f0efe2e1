from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone


def next_working_day(day: dt.date) -> dt.date:
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return day


def default_due_date(priority: str, today: dt.date | None = None) -> dt.date:
    """Due date by priority (weeks from today), moved off the weekend."""
    weeks = settings.ACTION_DUE_WEEKS.get(priority, 8)
    return next_working_day((today or timezone.localdate()) + dt.timedelta(weeks=weeks))


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days after `start` up to and including `end` (0 when end <= start)."""
    days = 0
    day = start
    while day < end:
        day += dt.timedelta(days=1)
        days += day.weekday() < 5
    return days
