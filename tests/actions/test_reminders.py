import datetime as dt
import smtplib

import pytest
import time_machine
from celery.exceptions import Retry
from django.core import mail
from django.core.management import call_command

from actions import reminders
from actions.models import Reminder
from actions.reminders import RemindersNotSent, send_due_reminders
from actions.tasks import dispatch_due_reminders_task, send_due_reminders_task
from notifications.models import Notification
from opsreview.workdays import add_working_days
from reviews.models import Document, State

from .conftest import make_item

Kind = Reminder.Kind
WEDNESDAY = dt.date(2026, 11, 25)
SATURDAY = dt.date(2026, 11, 28)
MONDAY = dt.date(2026, 11, 30)


def days(n: int) -> dt.timedelta:
    return dt.timedelta(days=n)


def recipients() -> list[str]:
    return sorted(address for message in mail.outbox for address in message.to)


def test_working_days_skip_the_weekend():
    assert add_working_days(WEDNESDAY, 3) == MONDAY
    assert add_working_days(dt.date(2026, 11, 27), 1) == MONDAY


def test_running_twice_a_day_sends_each_reminder_once(author, teammate, payments):
    make_item(owner=author, team=payments, due_date=WEDNESDAY + days(2))
    make_item(owner=teammate, team=payments, due_date=WEDNESDAY - days(1))

    first = send_due_reminders(today=WEDNESDAY)
    second = send_due_reminders(today=WEDNESDAY)

    assert first == {"due_soon": 1, "overdue": 1, "escalation": 0}
    assert second == {"due_soon": 0, "overdue": 0, "escalation": 0}
    assert recipients() == ["author@example.com", "teammate@example.com"]
    assert Reminder.objects.count() == 2
    assert Notification.objects.count() == 2


def test_due_soon_counts_working_days_and_skips_closed_items(author, payments):
    # Wednesday + 3 working days is Monday.
    monday = make_item(owner=author, team=payments, due_date=MONDAY)
    make_item(owner=author, team=payments, due_date=MONDAY + days(1))
    done = make_item(owner=author, team=payments, due_date=WEDNESDAY + days(1))
    done.set_status("done", note="Shipped.")

    send_due_reminders(today=WEDNESDAY)

    assert list(Reminder.objects.values_list("item", "kind")) == [(monday.pk, Kind.DUE_SOON)]


def test_an_item_due_soon_is_reminded_again_once_overdue(author, payments):
    make_item(owner=author, team=payments, due_date=WEDNESDAY)
    send_due_reminders(today=WEDNESDAY)
    send_due_reminders(today=WEDNESDAY + days(1))
    send_due_reminders(today=WEDNESDAY + days(2))
    assert sorted(Reminder.objects.values_list("kind", flat=True)) == ["due_soon", "overdue"]
    assert len(mail.outbox) == 2


def test_nothing_goes_on_a_saturday_and_monday_catches_up(author, payments):
    make_item(owner=author, team=payments, due_date=SATURDAY + days(1))  # Sunday
    make_item(owner=author, team=payments, due_date=SATURDAY + days(3))  # Tuesday

    assert send_due_reminders(today=SATURDAY) == {"due_soon": 0, "overdue": 0, "escalation": 0}
    assert send_due_reminders(today=SATURDAY + days(1))["overdue"] == 0
    assert mail.outbox == []

    assert send_due_reminders(today=MONDAY) == {"due_soon": 1, "overdue": 1, "escalation": 0}
    assert len(mail.outbox) == 2


def test_overdue_items_escalate_once_to_team_reviewers_and_ops_leads(
    author, teammate, own_team_reviewer, reviewer, ops_lead, payments
):
    make_item(owner=author, team=payments, due_date=WEDNESDAY - days(15))

    first = send_due_reminders(today=WEDNESDAY)
    second = send_due_reminders(today=WEDNESDAY + days(1))

    assert first == {"due_soon": 0, "overdue": 1, "escalation": 2}
    assert second == {"due_soon": 0, "overdue": 0, "escalation": 0}
    # Not the teammate (a member, not a reviewer) nor the reviewer of another team.
    assert recipients() == [
        "author@example.com", "opslead@example.com", "ownreviewer@example.com",
    ]
    escalation = next(m for m in mail.outbox if m.to == ["opslead@example.com"])
    assert "15 days overdue" in escalation.subject


def test_fourteen_days_overdue_is_not_yet_escalated(author, own_team_reviewer, ops_lead, payments):
    make_item(owner=author, team=payments, due_date=WEDNESDAY - days(14))
    assert send_due_reminders(today=WEDNESDAY)["escalation"] == 0


def test_a_reviewer_who_is_also_an_ops_lead_gets_one_escalation(
    author, own_team_reviewer, ops_lead, payments
):
    from catalog.models import ops_leads_group

    own_team_reviewer.groups.add(ops_leads_group())
    make_item(owner=author, team=payments, due_date=WEDNESDAY - days(20))
    assert send_due_reminders(today=WEDNESDAY)["escalation"] == 2


def test_a_retry_sends_what_failed_and_nothing_twice(
    monkeypatch, author, teammate, own_team_reviewer, payments
):
    make_item(owner=author, team=payments, due_date=WEDNESDAY + days(1))
    make_item(owner=teammate, team=payments, due_date=WEDNESDAY + days(1))
    make_item(owner=author, team=payments, due_date=WEDNESDAY - days(30))
    real_send_mail = reminders.send_mail
    failures = []

    def flaky_send_mail(subject, message, from_email, recipient_list, **kwargs):
        if recipient_list == [teammate.email] and not failures:
            failures.append(subject)
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        return real_send_mail(subject, message, from_email, recipient_list, **kwargs)

    monkeypatch.setattr(reminders, "send_mail", flaky_send_mail)

    with pytest.raises(RemindersNotSent) as failed:
        send_due_reminders(today=WEDNESDAY)
    # The failure did not stop the others, and left no claim behind.
    assert failed.value.counts == {"due_soon": 1, "overdue": 1, "escalation": 1}
    assert recipients() == ["author@example.com", "author@example.com", "ownreviewer@example.com"]
    assert not Reminder.objects.filter(recipient=teammate).exists()
    assert not Notification.objects.filter(user=teammate).exists()

    assert send_due_reminders(today=WEDNESDAY) == {"due_soon": 1, "overdue": 0, "escalation": 0}
    assert recipients().count("teammate@example.com") == 1
    assert len(mail.outbox) == 4


def test_an_item_of_an_approved_document_is_still_reminded(review, author, payments):
    Document.objects.filter(pk=review.pk).update(state=State.APPROVED)
    make_item(owner=author, team=payments, document=review, due_date=WEDNESDAY - days(2))

    assert send_due_reminders(today=WEDNESDAY)["overdue"] == 1
    assert review.code in mail.outbox[0].body


def test_the_email_says_what_when_and_where(settings, author, payments):
    settings.SITE_URL = "https://opsreview.example.com"
    item = make_item(
        owner=author, team=payments, priority="P1", due_date=WEDNESDAY + days(1),
        title="Alarm on checkout\np99 latency",
    )
    send_due_reminders(today=WEDNESDAY)

    [message] = mail.outbox
    assert message.subject == (
        "[OpsReview] Action item due on 26 Nov 2026: Alarm on checkout p99 latency"
    )
    assert "Priority: P1 (high)" in message.body
    assert "Due: 26 Nov 2026" in message.body
    assert f"https://opsreview.example.com/actions/{item.pk}/" in message.body
    notification = Notification.objects.get(user=author)
    assert (notification.verb, notification.url) == ("due_soon", item.get_absolute_url())


def test_a_user_without_an_address_is_told_in_the_app_only(author, payments):
    author.email = ""
    author.save(update_fields=["email"])
    make_item(owner=author, team=payments, due_date=WEDNESDAY + days(1))

    assert send_due_reminders(today=WEDNESDAY)["due_soon"] == 1
    assert mail.outbox == []
    assert Notification.objects.filter(user=author).count() == 1


def test_a_new_owner_is_reminded_too(author, teammate, payments):
    item = make_item(owner=author, team=payments, due_date=WEDNESDAY + days(1))
    send_due_reminders(today=WEDNESDAY)
    item.owner = teammate
    item.save(update_fields=["owner"])
    send_due_reminders(today=WEDNESDAY)
    assert recipients() == ["author@example.com", "teammate@example.com"]


@time_machine.travel(dt.datetime(2026, 11, 25, 7, tzinfo=dt.UTC))
def test_the_beat_task_runs_the_reminders_of_today(author, payments):
    make_item(owner=author, team=payments, due_date=WEDNESDAY + days(1))
    dispatch_due_reminders_task.delay()
    assert len(mail.outbox) == 1


def test_the_task_runs_for_a_given_day(author, payments):
    make_item(owner=author, team=payments, due_date=MONDAY)
    result = send_due_reminders_task.delay(WEDNESDAY.isoformat())
    assert result.get() == {"due_soon": 1, "overdue": 0, "escalation": 0}


def test_the_task_asks_to_be_retried_when_a_send_fails(monkeypatch, author, teammate, payments):
    make_item(owner=author, team=payments, due_date=MONDAY)
    make_item(owner=teammate, team=payments, due_date=MONDAY)
    real_send_mail = reminders.send_mail

    def send_mail_down_for_teammate(subject, message, from_email, recipient_list, **kwargs):
        if recipient_list == [teammate.email]:
            raise ConnectionRefusedError("SMTP server down")
        return real_send_mail(subject, message, from_email, recipient_list, **kwargs)

    monkeypatch.setattr(reminders, "send_mail", send_mail_down_for_teammate)
    with pytest.raises(Retry):
        send_due_reminders_task.apply(args=[WEDNESDAY.isoformat()])
    monkeypatch.setattr(reminders, "send_mail", real_send_mail)
    send_due_reminders_task.apply(args=[WEDNESDAY.isoformat()])

    assert recipients() == ["author@example.com", "teammate@example.com"]


def test_the_command_runs_for_a_date_and_prints_the_counts(capsys, author, payments):
    make_item(owner=author, team=payments, due_date=WEDNESDAY - days(1))
    call_command("send_reminders", "--date", WEDNESDAY.isoformat())
    out = capsys.readouterr().out
    assert "Due soon: 0" in out
    assert "Overdue: 1" in out
    assert "Escalation: 0" in out


def test_the_command_refuses_a_bad_date(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="not a date"):
        call_command("send_reminders", "--date", "30/11/2026")
