"""'Ready until' is the earliest of the approval's expiry and every accepted risk's expiry."""

import datetime as dt

import time_machine
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from orr import readiness, services
from orr.models import ApiToken
from reviews.models import Answer
from reviews.services import document_decide, document_submit

APPROVED = dt.datetime(2025, 11, 28, 10, 0, tzinfo=dt.UTC)


def approve_with_risk(review, author, reviewer, expires_on=None):
    """Approve on 28 Nov 2025, accepting a risk until `expires_on` (if given) first."""
    answer = None
    if expires_on:
        answer = review.answers.select_related("question").get(
            question__key="backup-restore-practice")
        answer.save_if_current(base_revision=answer.revision, by=author, risk=Answer.Risk.MEDIUM)
        services.gap_accept_risk(answer=answer, by=author, reason="restore drill in Q1",
                                 expires_on=expires_on)
    document_submit(document=review, by=author)
    document_decide(document=review, reviewer=reviewer, verdict="approve", reason="ok")
    return answer


def test_a_risk_expiring_before_the_approval_decides_ready_until(ready_review, checkout, author,
                                                                   reviewer):
    with time_machine.travel(APPROVED, tick=False):
        answer = approve_with_risk(ready_review, author, reviewer, dt.date(2026, 3, 31))
    with time_machine.travel(dt.datetime(2026, 3, 31, 23, 0, tzinfo=dt.UTC), tick=False):
        state = readiness.readiness(checkout)
        assert state.status == "ready"
        # The risk holds through 31 March; readiness lapses as 1 April begins.
        assert timezone.localtime(state.expires_at) == timezone.make_aware(
            dt.datetime(2026, 4, 1))
        assert state.expires_by_risk
        assert state.expires_because == (
            f"accepted risk on “{answer.question.text}” expires 31 Mar 2026")
    with time_machine.travel(dt.datetime(2026, 4, 1, 0, 1, tzinfo=dt.UTC), tick=False):
        state = readiness.readiness(checkout)
        assert state.status == "expired"
        assert state.expires_at.date() == dt.date(2026, 4, 1)


def test_a_risk_expiring_after_the_approval_changes_nothing(settings, ready_review, checkout,
                                                           author, reviewer):
    settings.ORR_EXPIRY_DAYS = {"1": 90, "2": 365, "3": 365}
    with time_machine.travel(APPROVED, tick=False):
        approve_with_risk(ready_review, author, reviewer, dt.date(2026, 6, 30))
    with time_machine.travel(dt.datetime(2026, 2, 1, tzinfo=dt.UTC), tick=False):
        state = readiness.readiness(checkout)
        assert state.status == "ready"
        assert state.expires_at == APPROVED + dt.timedelta(days=90)
        assert not state.expires_by_risk
        assert state.expires_because == "the approval of 28 Nov 2025 expires 26 Feb 2026"
    with time_machine.travel(dt.datetime(2026, 2, 27, tzinfo=dt.UTC), tick=False):
        assert readiness.readiness(checkout).status == "expired"


def test_api_and_pages_show_the_same_date_and_reason(client, ready_review, checkout, author,
                                                     reviewer):
    with time_machine.travel(APPROVED, tick=False):
        answer = approve_with_risk(ready_review, author, reviewer, dt.date(2026, 3, 31))
    _, raw = ApiToken.issue(name="pipeline")
    with time_machine.travel(dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC), tick=False):
        body = client.get(reverse("api:readiness", args=[checkout.slug]),
                          HTTP_AUTHORIZATION=f"Bearer {raw}").json()
        assert body["status"] == "ready"
        assert dt.datetime.fromisoformat(body["expires_at"]).date() == dt.date(2026, 4, 1)
        assert body["expires_because"] == (
            f"accepted risk on “{answer.question.text}” expires 31 Mar 2026")
        client.force_login(author)
        for url in (checkout.get_absolute_url(), reverse("catalog:services"), reverse("home")):
            page = client.get(url).content.decode()
            assert "1 Apr 2026" in page, url
            assert "28 Nov 2026" not in page, url


def test_weekly_report_lists_a_risk_lapse_as_expiring(ready_review, checkout, author, reviewer):
    from reports.selectors import weekly_report
    from reports.weeks import Week

    with time_machine.travel(APPROVED, tick=False):
        approve_with_risk(ready_review, author, reviewer, dt.date(2026, 3, 31))
    with time_machine.travel(dt.datetime(2026, 3, 16, 9, 0, tzinfo=dt.UTC), tick=False):
        # The week of 9 March ends on the 16th: 1 April is within 30 days of it.
        data = weekly_report(Week.containing(dt.date(2026, 3, 10)))
    rows = [row for row in data.orrs.rows if row[0].startswith("Expires within")]
    assert [row[1] for row in rows] == [ready_review.code]
    assert rows[0][6] == "2026-04-01"
    assert rows[0][7].startswith("accepted risk on “Do you practice backup restoration")


def test_service_list_row_shows_the_badge_its_reason_and_the_accepted_risk(
        client, ready_review, checkout, author, reviewer):
    with time_machine.travel(APPROVED, tick=False):
        answer = approve_with_risk(ready_review, author, reviewer, dt.date(2026, 3, 31))
    client.force_login(author)
    with time_machine.travel(dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC), tick=False):
        page = client.get(reverse("catalog:services")).content.decode()
    row = " ".join(next(r for r in page.split("<tr>") if checkout.name in r).split())
    because = f"accepted risk on “{escape(answer.question.text)}” expires 31 Mar 2026"
    assert (f'<span class="badge readiness-ready" title="Ready until 1 Apr 2026: {because}" >'
            "Ready</span>") in row
    assert "<td>28 Nov 2025</td>" in row
    assert (f'<span title="{because}">1 Apr 2026</span> <small class="text-secondary">'
            "(accepted risk)</small>") in row


def test_the_service_lists_readiness_is_remembered_until_something_is_written(
        client, checkout, author, ops_lead, questionnaires, settings):
    """orr.readiness.remembered_readiness, as the service list and home pages use it."""
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from orr import services as orr_services

    settings.PAGE_CACHE_SECONDS = 60
    cache.clear()
    client.force_login(ops_lead)
    url = reverse("catalog:services")
    assert "readiness-never_reviewed" in client.get(url).content.decode()
    with CaptureQueriesContext(connection) as read:
        assert "readiness-never_reviewed" in client.get(url).content.decode()
    assert not any("orr_readinessreview" in q["sql"] for q in read.captured_queries)
    orr_services.orr_start(service=checkout, by=author, trigger="pre_launch")  # a write
    assert "readiness-never_reviewed" not in client.get(url).content.decode()
    cache.clear()
