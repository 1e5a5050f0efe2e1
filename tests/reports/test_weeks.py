"""ISO weeks in the organisation's time zone: parsing, boundaries, DST, the last complete week."""

import datetime as dt

import pytest

from reports.weeks import Week, week_of

UTC = dt.UTC


def utc(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=UTC)


def test_parse_gives_monday_to_sunday():
    week = Week.parse("2026-W47")
    assert week.start == dt.date(2026, 11, 16)
    assert week.end == dt.date(2026, 11, 22)
    assert week.iso == "2026-W47"
    assert str(week) == "2026-W47 (16–22 Nov 2026)"


@pytest.mark.parametrize("text", ["2026-47", "2026-W7", "W47", "2026-W00", "2026-W54",
                                  "2025-W53", "", "2026-W47 ; drop"])
def test_parse_refuses_what_is_not_an_iso_week(text):
    with pytest.raises(ValueError):
        Week.parse(text)


def test_week_53_exists_in_long_years_and_belongs_to_its_iso_year():
    week = Week.parse("2026-W53")
    assert week.start == dt.date(2026, 12, 28)
    assert week.end == dt.date(2027, 1, 3)
    assert str(week) == "2026-W53 (28 Dec 2026 – 3 Jan 2027)"
    # 1 Jan 2027 is a Friday: it belongs to week 53 of 2026, not to week 1 of 2027.
    assert Week.containing(dt.date(2027, 1, 1)) == week
    assert Week.parse("2027-W01").start == dt.date(2027, 1, 4)


def test_weeks_across_a_month_boundary_read_well():
    assert Week.parse("2026-W49").days == "30 Nov – 6 Dec 2026"


def test_boundaries_are_local_midnights_in_utc(settings):
    settings.TIME_ZONE = "UTC"
    week = Week.parse("2026-W47")
    assert week.start_at == utc("2026-11-16 00:00")
    assert week.end_at == utc("2026-11-23 00:00")


def test_boundaries_follow_the_organisation_time_zone(settings):
    settings.TIME_ZONE = "America/New_York"
    week = Week.parse("2026-W47")
    # EST is UTC-5: the week starts five hours after midnight UTC.
    assert week.start_at == utc("2026-11-16 05:00")
    assert week.end_at == utc("2026-11-23 05:00")
    assert week.contains(utc("2026-11-23 04:59"))
    assert not week.contains(utc("2026-11-23 05:00"))


def test_week_of_the_last_sunday_of_october_is_an_hour_longer_in_helsinki(settings):
    settings.TIME_ZONE = "Europe/Helsinki"
    # 25 Oct 2026 is the last Sunday of October: clocks go back from EEST (+3) to EET (+2).
    week = Week.containing(dt.date(2026, 10, 25))
    assert week.iso == "2026-W43"
    assert week.start_at == utc("2026-10-18 21:00")  # Monday 00:00 EEST
    assert week.end_at == utc("2026-10-25 22:00")  # next Monday 00:00 EET
    assert week.end_at - week.start_at == dt.timedelta(hours=169)
    sunday_late = utc("2026-10-25 21:30")  # 23:30 on Sunday in Helsinki
    assert week.contains(sunday_late) and week_of(sunday_late) == week
    monday = utc("2026-10-25 22:00")
    assert week_of(monday) == week.next()


def test_week_of_the_last_sunday_of_march_is_an_hour_shorter_in_helsinki(settings):
    settings.TIME_ZONE = "Europe/Helsinki"
    week = Week.containing(dt.date(2026, 3, 29))
    assert week.end_at - week.start_at == dt.timedelta(hours=167)
    assert week.start_at == utc("2026-03-22 22:00")
    assert week.end_at == utc("2026-03-29 21:00")


def test_last_complete_week_depends_on_the_local_calendar(settings):
    # Sunday 22 Nov 2026, 23:00 UTC: already Monday 01:00 in Helsinki.
    now = utc("2026-11-22 23:00")
    settings.TIME_ZONE = "UTC"
    assert Week.last_complete(now).iso == "2026-W46"
    settings.TIME_ZONE = "Europe/Helsinki"
    assert Week.last_complete(now).iso == "2026-W47"


def test_a_week_is_complete_once_its_sunday_is_over(settings):
    settings.TIME_ZONE = "UTC"
    week = Week.parse("2026-W47")
    assert not week.is_complete(utc("2026-11-22 23:59"))
    assert week.is_complete(utc("2026-11-23 00:00"))


def test_only_mondays_start_weeks():
    with pytest.raises(ValueError):
        Week(dt.date(2026, 11, 17))
