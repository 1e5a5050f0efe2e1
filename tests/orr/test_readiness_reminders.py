"""Teams are reminded 30 and 7 days before readiness lapses: once each, never at the weekend."""

import datetime as dt

import time_machine
from django.core import mail
from django.core.management import call_command

from notifications.models import Notification
from orr.models import ReadinessReminder
from orr.reminders import lead_time_due, send_readiness_reminders
from tests.orr.test_ready_until import APPROVED, approve_with_risk


def test_lead_time_due():
    lapse = dt.date(2026, 4, 1)
    assert lead_time_due(lapse, dt.date(2026, 3, 1)) is None  # 31 days left
    assert lead_time_due(lapse, dt.date(2026, 3, 2)) == 30
    assert lead_time_due(lapse, dt.date(2026, 3, 24)) == 30  # 8 days left
    assert lead_time_due(lapse, dt.date(2026, 3, 25)) == 7
    assert lead_time_due(lapse, dt.date(2026, 4, 1)) == 7
    assert lead_time_due(lapse, dt.date(2026, 4, 2)) is None


def _approved_with_risk(review, author, reviewer, teammate):
    teammate.email = "teammate@example.com"
    teammate.save()
    with time_machine.travel(APPROVED, tick=False):
        # Readiness lapses as 1 April 2026 begins: the risk's last day is 31 March.
        approve_with_risk(review, author, reviewer, dt.date(2026, 3, 31))


def test_reminded_30_and_7_days_before_the_lapse_exactly_once(ready_review, author, reviewer,
                                                             teammate):
    _approved_with_risk(ready_review, author, reviewer, teammate)
    members = 2  # author and teammate of Payments
    assert send_readiness_reminders(today=dt.date(2026, 2, 27)) == 0  # 33 days left
    assert send_readiness_reminders(today=dt.date(2026, 3, 2)) == members  # 30 days, Monday
    assert send_readiness_reminders(today=dt.date(2026, 3, 2)) == 0
    assert send_readiness_reminders(today=dt.date(2026, 3, 3)) == 0
    assert send_readiness_reminders(today=dt.date(2026, 3, 25)) == members  # 7 days
    assert send_readiness_reminders(today=dt.date(2026, 3, 26)) == 0
    assert sorted(ReadinessReminder.objects.values_list("days_before", flat=True)) == [
        7, 7, 30, 30]
    assert [m.to for m in mail.outbox] == [["teammate@example.com"]] * 2
    assert "lapses on 1 Apr 2026" in mail.outbox[0].subject
    assert "accepted risk on “Do you practice backup restoration" in mail.outbox[0].body
    assert Notification.objects.filter(verb="readiness_lapsing", user=author).count() == 2


def test_never_at_the_weekend_and_caught_up_on_monday(ready_review, author, reviewer, teammate):
    _approved_with_risk(ready_review, author, reviewer, teammate)
    # No run sent the 30-day reminder; on Saturday the 7-day one is due but waits.
    saturday = dt.date(2026, 3, 28)  # 4 days left: the 7-day reminder is due
    assert saturday.weekday() == 5
    assert send_readiness_reminders(today=saturday) == 0
    assert send_readiness_reminders(today=saturday + dt.timedelta(days=1)) == 0
    # Monday catches up, with only the nearer lead time (the 30-day one was missed).
    assert send_readiness_reminders(today=dt.date(2026, 3, 30)) == 2
    assert set(ReadinessReminder.objects.values_list("days_before", flat=True)) == {7}


def test_no_reminder_once_readiness_has_lapsed(ready_review, author, reviewer,
                                                                 teammate):
    _approved_with_risk(ready_review, author, reviewer, teammate)
    with time_machine.travel(dt.datetime(2026, 4, 2, 9, tzinfo=dt.UTC), tick=False):
        assert send_readiness_reminders(today=dt.date(2026, 4, 2)) == 0
    assert not ReadinessReminder.objects.exists()


def test_command_runs_for_a_given_day(ready_review, author, reviewer, teammate, capsys):
    _approved_with_risk(ready_review, author, reviewer, teammate)
    with time_machine.travel(dt.datetime(2026, 3, 2, 7, tzinfo=dt.UTC), tick=False):
        call_command("send_readiness_reminders", "--date", "2026-03-02")
    assert "Readiness reminders sent: 2" in capsys.readouterr().out
