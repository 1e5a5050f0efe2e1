"""Autosave: rapid saves share one history row, which stays an audit trail; a save is light."""

import datetime as dt

import pytest
from django.db import models
from django.urls import reverse

from opsreview import pagecache
from reviews.events import Verb
from reviews.models import Document, Event
from tests.postmortems.conftest import make_coe


def save(client, document, answer, revision, text, kind="orr"):
    return client.post(
        reverse(f"{'orr' if kind == 'orr' else 'postmortems'}:answer_save",
                args=[document.code, answer.pk]),
        {f"q{answer.pk}-revision": revision, f"q{answer.pk}-text": text,
         f"q{answer.pk}-risk": "none"},
        HTTP_ACCEPT="application/json",
    )


def saved_rows(document):
    return list(document.events.filter(verb=Verb.ANSWER_SAVED).order_by("pk"))


def age(event, seconds):
    """Move a row back in time (the log refuses updates; a test may)."""
    models.QuerySet.update(Event.objects.filter(pk=event.pk),
                           at=event.at - dt.timedelta(seconds=seconds))


def test_rapid_saves_by_one_person_share_one_row_with_first_before_and_last_after(
        client, review, author):
    client.force_login(author)
    answer = review.answers.first()
    for revision, text in enumerate(["a", "ab", "abc"]):
        assert save(client, review, answer, revision, text).json()["revision"] == revision + 1
    [row] = saved_rows(review)
    assert row.data["changes"]["text"] == {"from": "", "to": "abc"}
    assert row.data["revision"] == 3
    assert row.data["saves"] == 3


def test_a_row_older_than_a_minute_is_never_changed_again(client, review, author):
    client.force_login(author)
    answer = review.answers.first()
    save(client, review, answer, 0, "first")
    [old] = saved_rows(review)
    age(old, 61)
    save(client, review, answer, 1, "second")
    first, second = saved_rows(review)
    assert first.data == old.data  # unchanged
    assert second.data["changes"]["text"] == {"from": "first", "to": "second"}


def test_another_persons_save_starts_a_new_row_and_ends_the_first(
        client, review, author, teammate):
    answer = review.answers.first()
    client.force_login(author)
    save(client, review, answer, 0, "author")
    client.force_login(teammate)
    save(client, review, answer, 1, "teammate")
    client.force_login(author)
    save(client, review, answer, 2, "author again")  # the author's row is no longer the latest
    rows = saved_rows(review)
    assert [r.actor for r in rows] == [author, teammate, author]
    assert rows[0].data["changes"]["text"]["to"] == "author"
    assert rows[2].data["changes"]["text"] == {"from": "teammate", "to": "author again"}


def test_saves_of_two_answers_keep_their_own_rows(client, review, author):
    client.force_login(author)
    first, second = review.answers.all()[:2]
    save(client, review, first, 0, "one")
    save(client, review, second, 0, "two")
    save(client, review, first, 1, "one more")
    rows = saved_rows(review)
    assert len(rows) == 2
    assert rows[0].data["changes"]["text"] == {"from": "", "to": "one more"}


def test_a_conflict_writes_no_row_and_changes_nothing(client, review, author, teammate):
    answer = review.answers.first()
    client.force_login(author)
    save(client, review, answer, 0, "author")
    client.force_login(teammate)
    assert save(client, review, answer, 0, "stale").status_code == 409
    assert len(saved_rows(review)) == 1
    answer.refresh_from_db()
    assert answer.text == "author"


def test_outsider_and_submitted_document_are_refused(client, review, author, outsider):
    answer = review.answers.first()
    client.force_login(outsider)
    r = save(client, review, answer, 0, "nope")
    assert r.status_code == 404, r.content[:300]
    Document.objects.filter(pk=review.pk).update(state="in_review")
    client.force_login(author)
    assert save(client, review, answer, 0, "too late").status_code == 403
    assert not saved_rows(review)


def test_an_answer_of_another_document_is_not_found(client, review, author, checkout):
    client.force_login(author)
    other = make_coe(checkout, author).answers.first()
    assert save(client, review, other, 0, "wrong document").status_code == 404
    assert save(client, other.document, review.answers.first(), 0, "x",
                kind="coe").status_code == 404


def test_coe_autosave_coalesces_too(client, checkout, author):
    client.force_login(author)
    coe = make_coe(checkout, author)
    answer = coe.answers.first()
    assert save(client, coe, answer, 0, "x", kind="coe").status_code == 200
    assert save(client, coe, answer, 1, "xy", kind="coe").status_code == 200
    [row] = saved_rows(coe)
    assert row.data["changes"]["text"]["to"] == "xy"


def test_autosave_forgets_no_remembered_value(client, review, author, settings, monkeypatch):
    client.force_login(author)  # a login writes (last_login)
    settings.PAGE_CACHE_SECONDS = 60
    bumps = []
    monkeypatch.setattr(pagecache, "bump", lambda: bumps.append(1))
    assert save(client, review, review.answers.first(), 0, "quiet").status_code == 200
    assert bumps == []


@pytest.fixture
def cache_sessions(settings):
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cache"


def test_a_save_is_one_read_and_one_transaction(cache_sessions, client, review, teammate,
                                                django_assert_max_num_queries):
    """SQLite has no data-modifying WITH: the answer and its row are two statements in a
    savepoint here (the PostgreSQL count, 3 in all, is in tests/integration)."""
    client.force_login(teammate)
    answer = review.answers.first()
    save(client, review, answer, 0, "first")
    with django_assert_max_num_queries(6):  # user, answer; savepoint, 2 writes, release
        assert save(client, review, answer, 1, "second").status_code == 200
