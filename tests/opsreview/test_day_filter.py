"""{{ x|day }} writes what {{ x|date:"j M Y" }} writes, in the current time zone."""

import datetime as dt

import pytest
from django.template import Context, Template
from django.utils import timezone

VALUES = [
    dt.date(2026, 1, 5), dt.date(2025, 12, 31),
    dt.datetime(2026, 3, 1, 23, 30, tzinfo=dt.UTC),  # already 2 March in Tokyo
    dt.datetime(2026, 7, 9, 0, 15, tzinfo=dt.UTC),   # still 8 July in New York
    dt.datetime(2026, 5, 17, 12, 0),  # naive
    None, "", "not a date",
]


@pytest.mark.parametrize("zone", ["UTC", "Asia/Tokyo", "America/New_York"])
@pytest.mark.parametrize("value", VALUES)
def test_day_is_date_j_m_y(value, zone):
    with timezone.override(zone):
        fast = Template("{% load dates %}{{ v|day }}").render(Context({"v": value}))
        django = Template('{{ v|date:"j M Y" }}').render(Context({"v": value}))
    assert fast == django
