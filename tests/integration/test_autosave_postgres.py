"""Autosave on PostgreSQL as deployed: three queries a save, one history row for a burst."""

import pytest
from django.urls import reverse

from reviews.events import Verb

pytestmark = pytest.mark.usefixtures("redis_server")


def save(client, review, answer, revision, text):
    return client.post(
        reverse("orr:answer_save", args=[review.code, answer.pk]),
        {f"q{answer.pk}-revision": revision, f"q{answer.pk}-text": text,
         f"q{answer.pk}-risk": "none"},
        HTTP_ACCEPT="application/json",
    )


def test_a_save_costs_three_queries_and_a_burst_one_row(client, review, teammate,
                                                        django_assert_max_num_queries):
    client.force_login(teammate)
    answer = review.answers.first()
    assert save(client, review, answer, 0, "first").status_code == 200  # session into Redis
    for revision in (1, 2, 3):
        # The user; the answer with its permission facts and history row; the save and its row.
        with django_assert_max_num_queries(3):
            response = save(client, review, answer, revision, f"text {revision}")
        assert response.json()["revision"] == revision + 1
    [row] = review.events.filter(verb=Verb.ANSWER_SAVED)
    assert row.data["changes"]["text"] == {"from": "", "to": "text 3"}
    assert row.data["saves"] == 4


def test_a_stale_save_writes_nothing(client, review, teammate, author):
    answer = review.answers.first()
    client.force_login(author)
    save(client, review, answer, 0, "author")
    client.force_login(teammate)
    assert save(client, review, answer, 0, "stale").status_code == 409
    answer.refresh_from_db()
    assert answer.text == "author"
    assert review.events.filter(verb=Verb.ANSWER_SAVED).count() == 1
