import datetime as dt

import time_machine
from django.urls import reverse

from opsreview.workdays import working_days_between
from reviews.services import document_decide, document_submit


def test_working_days_skip_weekends():
    friday = dt.date(2026, 11, 20)
    assert working_days_between(friday, dt.date(2026, 11, 23)) == 1  # Monday
    assert working_days_between(friday, dt.date(2026, 11, 27)) == 5
    assert working_days_between(friday, friday) == 0


def test_queue_lists_documents_the_reviewer_can_decide(client, ready_review, author, reviewer,
                                                       outsider):
    document_submit(document=ready_review, by=author)
    client.force_login(reviewer)
    content = client.get(reverse("reviews:queue")).content.decode()
    assert ready_review.code in content
    assert "Approve or request changes" in content
    client.force_login(outsider)
    assert ready_review.code not in client.get(reverse("reviews:queue")).content.decode()


def test_queue_drops_a_document_once_decided_this_round(client, ready_review, author, reviewer):
    document_submit(document=ready_review, by=author)
    document_decide(document=ready_review, reviewer=reviewer, verdict="request_changes",
                    reason="More numbers.")
    client.force_login(reviewer)
    assert ready_review.code not in client.get(reverse("reviews:queue")).content.decode()
    document_submit(document=ready_review, by=author)
    assert ready_review.code in client.get(reverse("reviews:queue")).content.decode()


def test_author_never_sees_own_document_in_the_queue(client, ready_review, author):
    document_submit(document=ready_review, by=author)
    client.force_login(author)
    assert ready_review.code not in client.get(reverse("reviews:queue")).content.decode()


def test_waiting_time_is_counted_in_working_days(client, ready_review, author, reviewer):
    with time_machine.travel(dt.datetime(2026, 11, 20, 10, tzinfo=dt.UTC)):
        document_submit(document=ready_review, by=author)
    client.force_login(reviewer)
    with time_machine.travel(dt.datetime(2026, 11, 24, 10, tzinfo=dt.UTC)):
        content = client.get(reverse("reviews:queue")).content.decode()
    assert "waiting 2 working days" in content
