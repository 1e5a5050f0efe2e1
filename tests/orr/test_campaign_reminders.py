"""Teams whose campaign ORR is not approved are reminded 7 working days before the target and
once when it is delayed: exactly once each, never at the weekend, not for approved services."""

import datetime as dt

import time_machine
from django.core.management import call_command
from django.utils import timezone

from notifications.models import Notification
from opsreview.schedules import BEAT_SCHEDULE
from orr import tasks
from orr.campaign_reminders import kind_due, send_campaign_reminders
from orr.models import Campaign, CampaignReminder
from reviews.services import document_assign_reviewer, document_decide, document_submit
from tests.conftest import answer_everything, make_service
from tests.orr.test_campaigns import launch

MONDAY = dt.date(2026, 11, 2)
TARGET = dt.date(2026, 11, 20)  # a Friday


def at(day: dt.date, hour: int = 9) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def _campaign(ops_lead, payments, launched=MONDAY, target=TARGET):
    make_service(payments, name="Wallet", slug="wallet", tier=1)
    with time_machine.travel(at(launched), tick=False):
        return launch(ops_lead, starts_on=MONDAY, target_on=target)


def _approve(review, author, reviewer):
    answer_everything(review, author)
    document_assign_reviewer(document=review, reviewer=reviewer, by=author)
    document_submit(document=review, by=author)
    document_decide(document=review, reviewer=reviewer, verdict="approve", reason="ok")


def test_reminded_before_the_target_and_when_delayed_exactly_once(
        questionnaires, payments, checkout, author, teammate, reviewer, ops_lead):
    campaign = _campaign(ops_lead, payments)
    with time_machine.travel(at(dt.date(2026, 11, 6)), tick=False):
        _approve(campaign.entries.get(service=checkout).review, author, reviewer)
    members = 2  # author and teammate of Payments; only Wallet is not approved

    assert send_campaign_reminders(today=dt.date(2026, 11, 10)) == 0  # 8 working days left
    assert send_campaign_reminders(today=dt.date(2026, 11, 11)) == members  # 7 working days
    assert send_campaign_reminders(today=dt.date(2026, 11, 11)) == 0
    assert send_campaign_reminders(today=dt.date(2026, 11, 12)) == 0
    assert send_campaign_reminders(today=TARGET) == 0
    # Delayed from Saturday; nobody is reminded at the weekend, Monday catches up, once.
    assert send_campaign_reminders(today=dt.date(2026, 11, 21)) == 0
    assert send_campaign_reminders(today=dt.date(2026, 11, 22)) == 0
    assert send_campaign_reminders(today=dt.date(2026, 11, 23)) == members
    assert send_campaign_reminders(today=dt.date(2026, 11, 24)) == 0

    reminders = CampaignReminder.objects.select_related("entry__service")
    assert sorted((r.kind, r.entry.service.slug, r.sent_on.isoformat()) for r in reminders) == [
        ("delayed", "wallet", "2026-11-23"), ("delayed", "wallet", "2026-11-23"),
        ("due_soon", "wallet", "2026-11-11"), ("due_soon", "wallet", "2026-11-11")]
    messages = list(Notification.objects.filter(user=author, verb="campaign_reminder")
                    .order_by("pk").values_list("message", "url"))
    wallet_review = campaign.entries.get(service__slug="wallet").review
    assert messages == [
        (f"Peak season: the ORR of Wallet is due by 20 Nov 2026, in 7 working days "
         f"({wallet_review.code} is not started).", wallet_review.get_absolute_url()),
        (f"Peak season: the ORR of Wallet was due by 20 Nov 2026 and is not approved "
         f"({wallet_review.code} is delayed).", wallet_review.get_absolute_url()),
    ]


def test_a_campaign_launched_late_reminds_from_the_next_working_day(
        questionnaires, payments, checkout, author, ops_lead):
    # Launched on Friday 13 Nov, five working days before its target: the launch notice
    # is that day's word; the reminder waits for Monday.
    _campaign(ops_lead, payments, launched=dt.date(2026, 11, 13))
    assert send_campaign_reminders(today=dt.date(2026, 11, 13)) == 0
    assert send_campaign_reminders(today=dt.date(2026, 11, 14)) == 0  # Saturday
    assert send_campaign_reminders(today=dt.date(2026, 11, 16)) == 2  # author: two services
    assert Notification.objects.filter(user=author, verb="campaign_reminder").count() == 2


def test_which_reminder_is_due():
    campaign = Campaign(starts_on=MONDAY, target_on=TARGET, created_at=at(MONDAY))
    assert kind_due(campaign, MONDAY - dt.timedelta(days=1)) is None  # not started
    assert kind_due(campaign, dt.date(2026, 11, 10)) is None
    assert kind_due(campaign, dt.date(2026, 11, 11)) == "due_soon"
    assert kind_due(campaign, TARGET) == "due_soon"
    assert kind_due(campaign, TARGET + dt.timedelta(days=1)) == "delayed"
    assert kind_due(campaign, TARGET + dt.timedelta(days=28)) == "delayed"
    assert kind_due(campaign, TARGET + dt.timedelta(days=29)) is None  # long over


def test_the_daily_task_the_command_and_the_schedule(
        questionnaires, payments, checkout, author, ops_lead):
    _campaign(ops_lead, payments)
    assert BEAT_SCHEDULE["campaign-reminders"]["task"] == tasks.send_campaign_reminders_task.name
    assert tasks.send_campaign_reminders_task.apply(args=["2026-11-11"]).get() == 2
    call_command("send_campaign_reminders", "--date", "2026-11-11")
    assert CampaignReminder.objects.count() == 2
