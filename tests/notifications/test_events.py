"""The review workflow and the outbound webhooks notify through their signals: reviews and
integrations send them, notifications subscribes (it sits above both and they never import it)."""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone

from integrations import services as integrations
from integrations import webhooks
from integrations.models import Subscription
from integrations.signals import webhook_paused
from notifications import receivers
from notifications.models import Notification
from reviews.services import document_assign_reviewer, document_decide, document_submit
from reviews.signals import document_decided, reviewer_assigned


@pytest.fixture(autouse=True)
def emails(author, reviewer, teammate):
    for user in (author, reviewer, teammate):
        user.email = f"{user.username}@example.com"
        user.save(update_fields=["email"])


@contextmanager
def received(signal):
    """The keyword arguments of every send of `signal` inside the block."""
    sends: list[dict] = []

    def record(sender, **kwargs):
        sends.append({"sender": sender, **kwargs})

    signal.connect(record, weak=False)
    try:
        yield sends
    finally:
        signal.disconnect(record)


@contextmanager
def unsubscribed(signal, receiver, uid: str):
    """notifications' receiver switched off for the block (it is connected again after)."""
    assert signal.disconnect(dispatch_uid=uid)
    try:
        yield
    finally:
        signal.connect(receiver, dispatch_uid=uid)


def test_assigning_a_reviewer_sends_the_event_and_notifies_through_it(
        review, author, reviewer, teammate, django_capture_on_commit_callbacks):
    with received(reviewer_assigned) as sends, django_capture_on_commit_callbacks(execute=True):
        document_assign_reviewer(document=review, reviewer=reviewer, by=author)
        document_assign_reviewer(document=review, reviewer=reviewer, by=author)  # already is
    assert [(s["document"], s["reviewer"], s["by"]) for s in sends] == [(review, reviewer, author)]
    note = Notification.objects.get()
    assert (note.user, note.verb, note.url) == (reviewer, "reviewer_assigned",
                                                review.get_absolute_url())
    assert note.message == (f"{author.get_username()} asked you to review "
                            f"{review.code} {review.title}")
    assert [m.to for m in mail.outbox] == [["reviewer@example.com"]]

    with unsubscribed(reviewer_assigned, receivers.on_reviewer_assigned,
                      "notifications.reviewer_assigned"):
        document_assign_reviewer(document=review, reviewer=teammate, by=author)
    assert not Notification.objects.filter(user=teammate).exists()
    assert review.assignments.filter(user=teammate).exists()


def test_a_decision_sends_the_event_and_notifies_the_author_through_it(
        ready_review, author, reviewer, django_capture_on_commit_callbacks):
    document_submit(document=ready_review, by=author)
    with received(document_decided) as sends, django_capture_on_commit_callbacks(execute=True):
        decision = document_decide(document=ready_review, reviewer=reviewer,
                                   verdict="request_changes", reason="Numbers please.")
    assert [(s["document"].pk, s["decision"], s["reviewer"]) for s in sends] == [
        (ready_review.pk, decision, reviewer)]
    note = Notification.objects.get(verb="decision")
    assert (note.user, note.url) == (author, ready_review.get_absolute_url())
    assert note.message == (f"{reviewer.get_username()}: request changes on "
                            f"{ready_review.code} — Numbers please.")
    assert [m.to for m in mail.outbox] == [["author@example.com"]]

    document_submit(document=ready_review, by=author)
    with unsubscribed(document_decided, receivers.on_document_decided,
                      "notifications.document_decided"):
        document_decide(document=ready_review, reviewer=reviewer, verdict="approve",
                        reason="Good now.")
    assert Notification.objects.filter(verb="decision").count() == 1


def test_the_notification_rolls_back_with_the_assignment(review, author, reviewer,
                                                         django_capture_on_commit_callbacks):
    """The receiver runs in the service's transaction, as the direct call did."""
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        with transaction.atomic():
            document_assign_reviewer(document=review, reviewer=reviewer, by=author)
            raise RuntimeError("the surrounding change fails")
    assert not review.assignments.exists()
    assert not Notification.objects.exists()
    assert mail.outbox == []


def test_a_paused_webhook_tells_its_creator_through_the_event(settings, payments, author):
    settings.WEBHOOK_ALLOWED_HOSTS = ["localhost"]
    settings.WEBHOOK_PAUSE_AFTER_DAYS = 3
    subscriptions = [
        integrations.subscription_create(team=payments, by=author, kind="webhook",
                                         url=f"http://localhost:9/{name}", events=["coe.created"])
        for name in ("one", "two")
    ]
    Subscription.objects.update(failing_since=timezone.now() - dt.timedelta(days=4))
    with received(webhook_paused) as sends:
        assert webhooks.subscription_pause_if_failing(subscription=subscriptions[0])
    assert [(s["subscription"], s["days"]) for s in sends] == [(subscriptions[0], 3)]
    note = Notification.objects.get(verb="webhook_paused")
    assert (note.user, note.url) == (author, "/integrations/payments/")
    assert note.message == ("Webhook to http://localhost:9/one paused: its deliveries have failed "
                            "for 3 days. Fix the receiver and resume it.")

    with unsubscribed(webhook_paused, receivers.on_webhook_paused,
                      "notifications.webhook_paused"):
        assert webhooks.subscription_pause_if_failing(subscription=subscriptions[1])
    assert Notification.objects.filter(verb="webhook_paused").count() == 1
