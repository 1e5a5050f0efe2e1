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


@pytest.mark.parametrize("value", [
    dt.datetime(2026, 3, 3, 14, 5, tzinfo=dt.UTC),
    dt.datetime(2026, 11, 1, 1, 30, tzinfo=dt.UTC),
    dt.datetime(2026, 5, 17, 9, 7),  # naive: the default zone's name
    dt.date(2026, 1, 5), None, "",
])
@pytest.mark.parametrize("zone", ["UTC", "Asia/Tokyo", "America/New_York", "Asia/Kolkata"])
def test_day_time_is_date_j_m_y_h_i_t_in_the_zone(value, zone):
    from django.template import engines

    fast = engines["jinja2"].from_string("{{ v|in_zone(z)|day_time }}").render(
        {"v": value, "z": zone})
    django = Template('{% load tz %}{{ v|timezone:z|date:"j M Y H:i T" }}').render(
        Context({"v": value, "z": zone}))
    assert fast == django


def test_day_time_leaves_out_the_zone_of_a_time_a_clock_change_makes_ambiguous():
    from zoneinfo import ZoneInfo

    from opsreview.templatetags.dates import day_time

    twice = dt.datetime(2026, 11, 1, 1, 30, tzinfo=ZoneInfo("America/New_York"))
    django = Template('{% load tz %}{{ v|timezone:"America/New_York"|date:"j M Y H:i T" }}')
    assert day_time(twice) == django.render(Context({"v": twice})) == "1 Nov 2026 01:30 "
