import datetime as dt

from opsreview.workdays import (
    add_working_days,
    is_working_day,
    next_working_day,
    working_days_between,
)

FRIDAY = dt.date(2026, 11, 20)
SATURDAY = dt.date(2026, 11, 21)
SUNDAY = dt.date(2026, 11, 22)
MONDAY = dt.date(2026, 11, 23)


def test_weekends_are_not_working_days():
    assert is_working_day(FRIDAY) and is_working_day(MONDAY)
    assert not is_working_day(SATURDAY) and not is_working_day(SUNDAY)


def test_next_working_day_moves_only_weekend_days_to_monday():
    assert next_working_day(FRIDAY) == FRIDAY
    assert next_working_day(SATURDAY) == MONDAY
    assert next_working_day(SUNDAY) == MONDAY


def test_adding_working_days_skips_the_weekend():
    assert add_working_days(FRIDAY, 1) == MONDAY
    assert add_working_days(SATURDAY, 1) == MONDAY
    assert add_working_days(FRIDAY, 0) == FRIDAY


def test_counting_and_adding_agree():
    for n in range(0, 12):
        assert working_days_between(FRIDAY, add_working_days(FRIDAY, n)) == n
