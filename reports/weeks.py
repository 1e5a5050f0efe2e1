"""ISO weeks (Monday to Sunday) in the organisation's time zone, the unit of the ops review."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

_ISO_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")


@dataclass(frozen=True, order=True)
class Week:
    start: dt.date  # the Monday

    def __post_init__(self):
        if self.start.weekday() != 0:
            raise ValueError(f"{self.start} is not a Monday.")

    @classmethod
    def parse(cls, text: str) -> Week:
        """"2026-W47" → the week; ValueError for anything else, week 53 of a 52-week year too."""
        match = _ISO_WEEK.match(text.strip())
        if not match:
            raise ValueError(f"“{text}” is not an ISO week like 2026-W47.")
        year, number = int(match[1]), int(match[2])
        try:
            return cls(dt.date.fromisocalendar(year, number, 1))
        except ValueError:
            raise ValueError(f"{year} has no week {number}.") from None

    @classmethod
    def containing(cls, day: dt.date) -> Week:
        return cls(day - dt.timedelta(days=day.weekday()))

    @classmethod
    def last_complete(cls, now: dt.datetime | None = None) -> Week:
        """The latest week whose Sunday is over, in the organisation's time zone."""
        today = (now or timezone.now()).astimezone(zone()).date()
        return cls.containing(today).previous()

    @property
    def end(self) -> dt.date:
        """The Sunday."""
        return self.start + dt.timedelta(days=6)

    @property
    def iso(self) -> str:
        year, number, _ = self.start.isocalendar()
        return f"{year}-W{number:02d}"

    @property
    def start_at(self) -> dt.datetime:
        """Monday 00:00 local time, as an aware datetime in UTC (inclusive)."""
        return _local_midnight(self.start)

    @property
    def end_at(self) -> dt.datetime:
        """The next Monday 00:00 local time (exclusive). Not always 168 hours after start_at:
        a week with a DST change is an hour longer or shorter."""
        return _local_midnight(self.start + dt.timedelta(days=7))

    @property
    def as_of(self) -> dt.date:
        """The Monday after: the day the report is produced and "overdue" is judged on."""
        return self.start + dt.timedelta(days=7)

    def previous(self, weeks: int = 1) -> Week:
        return Week(self.start - dt.timedelta(weeks=weeks))

    def next(self, weeks: int = 1) -> Week:
        return Week(self.start + dt.timedelta(weeks=weeks))

    def contains(self, moment: dt.datetime) -> bool:
        return self.start_at <= moment < self.end_at

    def is_complete(self, now: dt.datetime | None = None) -> bool:
        return self.end_at <= (now or timezone.now())

    @property
    def days(self) -> str:
        """"16–22 Nov 2026", "30 Nov – 6 Dec 2026"."""
        a, b = self.start, self.end
        if (a.year, a.month) == (b.year, b.month):
            return f"{a.day}–{b.day} {b:%b %Y}"
        if a.year == b.year:
            return f"{a.day} {a:%b} – {b.day} {b:%b %Y}"
        return f"{a.day} {a:%b %Y} – {b.day} {b:%b %Y}"

    def __str__(self) -> str:
        return f"{self.iso} ({self.days})"


def zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def week_of(moment: dt.datetime) -> Week:
    """The week an aware datetime falls in, by the organisation's local calendar."""
    return Week.containing(moment.astimezone(zone()).date())


def _local_midnight(day: dt.date) -> dt.datetime:
    # In UTC: Python compares and subtracts two datetimes of the same zone by wall clock, which
    # would make a week with a DST change 168 hours long. (zoneinfo picks the first of two
    # midnights if one ever repeats; in Europe the clocks change at night, not at midnight.)
    return dt.datetime.combine(day, dt.time.min, tzinfo=zone()).astimezone(dt.UTC)
