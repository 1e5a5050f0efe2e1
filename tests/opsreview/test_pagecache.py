"""Remembered API answers: served again only while nothing was written; pages never."""

import datetime as dt

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from opsreview import pagecache
from orr.models import ApiToken
from reports.exports import MAX_ATTEMPTS
from reports.models import Export
from reports.tasks import sweep_exports_task


@pytest.fixture(autouse=True)
def page_cache_on(settings):
    settings.PAGE_CACHE_SECONDS = 60
    cache.clear()
    yield
    cache.clear()


def visit(client, url):
    """GET with the browser's CSRF cookie, as a person who has loaded a page before."""
    response = client.get(url)
    assert response.status_code == 200
    return response


@pytest.fixture
def lead_client(client, ops_lead):
    client.force_login(ops_lead)
    client.get(reverse("home"))  # sets the CSRF cookie, as any first page does
    assert client.cookies.get("csrftoken")
    return client


def test_pages_are_rendered_for_every_request(lead_client, checkout):
    """HTML pages are not remembered (docs/performance.md): a write is seen at once."""
    url = reverse("catalog:services")
    assert b"Renamed service" not in visit(lead_client, url).content
    from catalog.models import Service

    Service.objects.filter(pk=checkout.pk).update(name="Renamed service")  # no signal
    assert b"Renamed service" in visit(lead_client, url).content


def test_an_autosave_by_queryset_update_is_shown_at_once(client, review, author):
    client.force_login(author)
    answer = review.answers.select_related("question__section").first()
    url = reverse("orr:section", args=[review.code, answer.question.section.key])
    visit(client, reverse("home"))
    assert b"Paged within five minutes" not in visit(client, url).content
    # The autosave writes with a conditional UPDATE, which sends no model signal.
    response = client.post(
        reverse("orr:answer_save", args=[review.code, answer.pk]),
        {f"q{answer.pk}-revision": answer.revision,
         f"q{answer.pk}-text": "Paged within five minutes", f"q{answer.pk}-risk": "none"},
        HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    assert b"Paged within five minutes" in visit(client, url).content


def test_a_write_moves_the_generation_now_and_again_at_commit(
        checkout, django_capture_on_commit_callbacks):
    before = pagecache.generation()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        checkout.save()
        during = pagecache.generation()
    assert before < during < pagecache.generation()
    assert callbacks  # the second move waits for the commit


def given_up_export(review) -> Export:
    """An export a dead worker left running too often: the sweeper marks it failed (an UPDATE
    of the queryset, no model signal) and sends nothing."""
    return Export.objects.create(
        document=review, kind=Export.Kind.ORR_PDF, status=Export.Status.RUNNING,
        attempts=MAX_ATTEMPTS, started_at=timezone.now() - dt.timedelta(hours=1))


def test_a_task_that_wrote_forgets(review):
    export = given_up_export(review)
    before = pagecache.generation()
    sweep_exports_task.apply()
    export.refresh_from_db()
    assert export.status == Export.Status.FAILED
    assert pagecache.generation() > before


def test_a_task_that_only_read_does_not_forget(db):
    before = pagecache.generation()
    sweep_exports_task.apply()  # nothing to sweep: every minute, most of the time
    assert pagecache.generation() == before


def test_sessions_do_not_forget(lead_client):
    before = pagecache.generation()
    session = lead_client.session
    session["seen"] = True
    session.save()
    assert pagecache.generation() == before


def test_an_evicted_generation_never_comes_back_to_an_old_number(db):
    first = pagecache.generation()
    cache.delete(pagecache.GENERATION_KEY)
    assert pagecache.generation() > first
    cache.delete(pagecache.GENERATION_KEY)
    pagecache.bump()
    assert pagecache.generation() > first


def test_remembered_values_follow_the_clock_limit(db):
    calls = []

    def compute():
        calls.append(1)
        return {"n": len(calls)}

    soon = timezone.now() + dt.timedelta(milliseconds=900)
    assert pagecache.remembered("x", compute, until=lambda v: soon) == {"n": 1}
    assert pagecache.remembered("x", compute, until=lambda v: soon) == {"n": 2}  # not kept
    assert pagecache.remembered("y", compute) == {"n": 3}
    assert pagecache.remembered("y", compute) == {"n": 3}  # kept


def test_the_readiness_api_answers_change_with_approval(client, ready_review, checkout, author,
                                                        reviewer, django_assert_max_num_queries):
    from reviews.services import document_decide, document_submit

    _, raw = ApiToken.issue(name="pipeline")
    url = reverse("api:readiness", args=[checkout.slug])
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    assert client.get(url, **auth).json()["status"] == "not_ready"
    with django_assert_max_num_queries(0):
        assert client.get(url, **auth).json()["status"] == "not_ready"
    document_submit(document=ready_review, by=author)
    document_decide(document=ready_review, reviewer=reviewer, verdict="approve", reason="ok")
    assert client.get(url, **auth).json()["status"] == "ready"


def test_a_revoked_token_is_refused_at_once(client, checkout):
    token, raw = ApiToken.issue(name="pipeline")
    url = reverse("api:readiness", args=[checkout.slug])
    assert client.get(url, HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 200
    token.revoke()
    assert client.get(url, HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401


def test_an_expiring_approval_is_kept_no_longer_than_it_lasts(client, ready_review, checkout,
                                                              author, reviewer, time_machine):
    from reviews.models import Document
    from reviews.services import document_decide, document_submit

    time_machine.move_to(timezone.now(), tick=False)
    document_submit(document=ready_review, by=author)
    document_decide(document=ready_review, reviewer=reviewer, verdict="approve", reason="ok")
    # Approved a year ago less 30 seconds: it expires in 30 s, well inside PAGE_CACHE_SECONDS.
    Document.objects.filter(pk=ready_review.pk).update(
        approved_at=timezone.now() - dt.timedelta(days=365) + dt.timedelta(seconds=30))
    _, raw = ApiToken.issue(name="pipeline")
    url = reverse("api:readiness", args=[checkout.slug])
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    assert client.get(url, **auth).json()["status"] == "ready"
    time_machine.shift(dt.timedelta(seconds=20))
    assert client.get(url, **auth).json()["status"] == "ready"
    time_machine.shift(dt.timedelta(seconds=11))
    assert client.get(url, **auth).json()["status"] == "expired"


def test_an_unsafe_request_forgets_even_without_a_model_signal(rf, db):
    middleware = pagecache.ForgetOnWriteMiddleware(lambda request: None)
    before = pagecache.generation()
    middleware(rf.get("/"))
    assert pagecache.generation() == before
    middleware(rf.post("/"))
    assert pagecache.generation() > before


def test_token_last_use_is_written_once_a_minute(checkout, time_machine):
    token, raw = ApiToken.issue(name="pipeline")
    time_machine.move_to(timezone.now(), tick=False)
    ApiToken.authenticate(raw)
    token.refresh_from_db()
    first = token.last_used_at
    assert first is not None
    cache.clear()  # not from the cache: the lookup itself must not write again
    ApiToken.authenticate(raw)
    token.refresh_from_db()
    assert token.last_used_at == first
    time_machine.shift(dt.timedelta(minutes=2))
    cache.clear()
    ApiToken.authenticate(raw)
    token.refresh_from_db()
    assert token.last_used_at > first


def test_a_remembered_answer_is_never_given_to_another_token(client, checkout):
    _, raw = ApiToken.issue(name="pipeline")
    url = reverse("api:readiness", args=[checkout.slug])
    assert client.get(url, HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 200
    assert client.get(url, HTTP_AUTHORIZATION=f"Bearer {raw}x").status_code == 401
    assert client.get(url).status_code == 401


def test_distinct_query_strings_cannot_grow_the_cache(lead_client, checkout):
    for n in range(20):
        visit(lead_client, reverse("catalog:services") + f"?junk={n}")
    assert not [k for k in cache._cache if ":page:" in k]  # pages are not remembered at all
