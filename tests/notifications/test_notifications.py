import pytest
from django.core import mail
from django.urls import reverse

from notifications.models import EmailOptOut, Notification
from orr import services
from reviews.services import document_assign_reviewer, document_decide, document_submit


@pytest.fixture(autouse=True)
def emails(author, reviewer, teammate):
    for user in (author, reviewer, teammate):
        user.email = f"{user.username}@example.com"
        user.save(update_fields=["email"])


def test_assigned_reviewer_is_notified_in_app_and_by_email(review, author, reviewer,
                                                          django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        document_assign_reviewer(document=review, reviewer=reviewer, by=author)
    note = Notification.objects.get(user=reviewer)
    assert note.verb == "reviewer_assigned" and review.code in note.message
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["reviewer@example.com"]
    assert review.get_absolute_url() in mail.outbox[0].body


def test_decision_notifies_the_author(ready_review, author, reviewer,
                                      django_capture_on_commit_callbacks):
    document_submit(document=ready_review, by=author)
    with django_capture_on_commit_callbacks(execute=True):
        document_decide(document=ready_review, reviewer=reviewer, verdict="request_changes",
                        reason="Numbers please.")
    assert Notification.objects.filter(user=author, verb="decision").exists()
    assert any("Numbers please." in m.body for m in mail.outbox)


def test_comment_notifies_the_author_but_not_the_commenter(client, review, author, reviewer,
                                                           django_capture_on_commit_callbacks):
    answer = review.answers.first()
    answer.document = review
    with django_capture_on_commit_callbacks(execute=True):
        services.answer_comment(answer=answer, by=author, body="Note to self")
    assert not Notification.objects.filter(verb="comment").exists()
    document_assign_reviewer(document=review, reviewer=reviewer, by=author)
    services.answer_comment(answer=answer, by=reviewer, body="Which alarm?")
    assert Notification.objects.filter(user=author, verb="comment").count() == 1


def test_action_item_owner_is_notified(review, author, teammate, today):
    answer = review.answers.first()
    services.gap_add_action(answer=answer, by=author, title="Alarm on queue depth > 1000",
                            owner=teammate, due_date=today, priority="P2")
    assert Notification.objects.filter(user=teammate, verb="action_assigned").exists()


def test_email_can_be_switched_off_per_kind(client, review, author, reviewer,
                                            django_capture_on_commit_callbacks):
    client.force_login(reviewer)
    client.post(reverse("notifications:settings"), {"email": ["decision", "comment"]})
    assert EmailOptOut.objects.filter(user=reviewer, verb="reviewer_assigned").exists()
    with django_capture_on_commit_callbacks(execute=True):
        document_assign_reviewer(document=review, reviewer=reviewer, by=author)
    assert Notification.objects.filter(user=reviewer).exists()
    assert mail.outbox == []


def test_bell_shows_the_unread_count_and_mark_read_clears_it(client, review, author, reviewer):
    document_assign_reviewer(document=review, reviewer=reviewer, by=author)
    client.force_login(reviewer)
    assert "Notifications, 1 unread" in client.get(reverse("home")).content.decode()
    client.post(reverse("notifications:read"))
    assert "Notifications, 0 unread" in client.get(reverse("home")).content.decode()


def test_notification_write_views_refuse_get(client, author):
    client.force_login(author)
    assert client.get(reverse("notifications:read")).status_code == 405
    assert client.get(reverse("notifications:settings")).status_code == 405


def test_a_dead_broker_does_not_break_the_request(client, review, author, reviewer, settings,
                                                  django_capture_on_commit_callbacks):
    from opsreview.celery import app

    settings.CELERY_TASK_ALWAYS_EAGER = False
    app.conf.task_always_eager = False
    app.conf.broker_url = "redis://127.0.0.1:1/0"
    try:
        client.force_login(author)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("orr:assign", args=[review.code]),
                                   {"reviewer": reviewer.pk})
    finally:
        app.conf.task_always_eager = True
        app.conf.broker_url = "memory://"
    assert response.status_code == 302
    assert Notification.objects.filter(user=reviewer).exists()


def test_every_kind_of_notification_can_be_switched_off_on_the_page(client, author):
    """Each verb the app notifies with is listed on the settings page (nothing e-mails a person
    who cannot turn it off)."""
    import re
    from pathlib import Path

    from notifications.services import KINDS

    root = Path(__file__).resolve().parents[2]
    sent = set()
    for path in root.glob("*/**/*.py"):
        if "tests" in path.parts or ".venv" in path.parts or "migrations" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        sent |= set(re.findall(r'\bverb="([a-z_]+)"', text))
        sent |= set(re.findall(r'^VERB = "([a-z_]+)"', text, flags=re.M))
    assert sent and sent <= set(KINDS), sorted(sent - set(KINDS))
    client.force_login(author)
    page = client.get(reverse("notifications:list")).content.decode()
    assert all(f'value="{verb}"' in page for verb in KINDS)
