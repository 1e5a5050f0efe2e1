"""With Redis down, people keep working: pages render and saves land; e-mails wait or drop."""

import time

import pytest
from django.urls import reverse

from notifications.models import Notification

pytestmark = pytest.mark.usefixtures("redis_server")


def test_pages_and_saves_keep_working_without_redis(client, redis_server, review, author,
                                                    reviewer, django_capture_on_commit_callbacks):
    client.force_login(author)
    answer = review.answers.first()
    redis_server.stop()
    try:
        started = time.monotonic()
        with django_capture_on_commit_callbacks(execute=True):
            saved = client.post(
                reverse("orr:answer_save", args=[review.code, answer.pk]),
                {f"q{answer.pk}-revision": 0, f"q{answer.pk}-text": "Pages the on-call.",
                 f"q{answer.pk}-risk": "none"}, HTTP_ACCEPT="application/json")
            assigned = client.post(reverse("orr:assign", args=[review.code]),
                                   {"reviewer": reviewer.pk})
        page = client.get(review.get_absolute_url())
        elapsed = time.monotonic() - started
    finally:
        redis_server.start()
    assert saved.status_code == 200 and saved.json()["revision"] == 1
    assert assigned.status_code == 302
    assert page.status_code == 200
    # The reviewer still sees the assignment in the app; only the e-mail could not be queued.
    assert Notification.objects.filter(user=reviewer, verb="reviewer_assigned").exists()
    assert elapsed < 10
