import datetime as dt

import pytest
import time_machine

from actions.forms import ActionItemForm
from actions.services import default_due_date

SATURDAY = dt.datetime(2026, 11, 28, 12, tzinfo=dt.UTC)
WEDNESDAY = dt.datetime(2026, 11, 25, 12, tzinfo=dt.UTC)


@pytest.mark.parametrize(("priority", "due"), [
    ("P1", dt.date(2026, 12, 23)),
    ("P2", dt.date(2027, 1, 20)),
    ("P3", dt.date(2027, 2, 17)),
])
@time_machine.travel(WEDNESDAY)
def test_default_due_date_is_weeks_by_priority(priority, due):
    assert default_due_date(priority) == due


@pytest.mark.parametrize(("priority", "due"), [
    # Four, eight and twelve weeks from a Saturday are Saturdays: moved to the Monday.
    ("P1", dt.date(2026, 12, 28)),
    ("P2", dt.date(2027, 1, 25)),
    ("P3", dt.date(2027, 2, 22)),
])
@time_machine.travel(SATURDAY)
def test_default_due_date_skips_the_weekend(priority, due):
    assert default_due_date(priority) == due
    assert due.weekday() == 0


@time_machine.travel(SATURDAY)
def test_form_fills_an_empty_due_date_with_the_default_of_the_priority(db, author, payments):
    form = ActionItemForm(
        data={"title": "Alarm on checkout p99 latency above 800 ms", "owner": author.pk,
              "priority": "P1", "due_date": ""},
        team=payments,
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data["due_date"] == dt.date(2026, 12, 28)
