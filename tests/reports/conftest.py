"""Builders for report and export tests: a fully answered ORR that looks like a real one."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from orr import services as orr_services
from reviews.models import Answer, Decision, Evidence
from reviews.services import document_decide, document_submit
from tests.conftest import answer_everything

__all__ = ["answer_everything", "make_rich_review"]

LONG_ANSWER = """We run **three replicas** per region behind the regional load balancer.

- Health checks every 10 s; a replica out of rotation after 3 failures
- Autoscaling between 3 and 12 replicas on p95 CPU above 60 %
- Deployments go one replica at a time (`maxUnavailable: 0`)

| Dependency | Timeout | Retries |
|---|---|---|
| Payments DB | 2 s | 0 |
| Fraud API | 800 ms | 2 (jittered) |

See the [runbook](https://wiki.example.com/checkout/runbook) for the failover drill.
![diagram](https://internal.example.com/diagram.png)
"""


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    """Exports write files: keep them in the test's own directory."""
    settings.MEDIA_ROOT = tmp_path / "media"


def make_rich_review(review, author, reviewer):
    """Every question answered: Markdown, choices, each risk, N/A reasons, evidence, action
    items, an accepted risk, a decision asking for changes and a milestone."""
    answer_everything(review, author)
    answers = list(review.answers.select_related("question").order_by(
        "question__section__order", "question__order"))
    for i, answer in enumerate(answers):
        fields = {}
        if i % 4 == 0:
            fields["text"] = LONG_ANSWER
        if answer.question.kind == "yes_no" and i % 5 == 1:
            fields["choice"] = "no"
            fields["risk"] = Answer.Risk.HIGH if i % 2 else Answer.Risk.MEDIUM
        if i % 11 == 3:
            fields.update(risk=Answer.Risk.NOT_APPLICABLE,
                          na_reason="The service keeps no state of its own.")
        if fields:
            answer.refresh_from_db()
            answer.save_if_current(base_revision=answer.revision, by=author, **fields)
        if i % 6 == 0:
            Evidence.objects.create(answer=answer, label="Grafana: checkout latency",
                                    url="https://grafana.example.com/d/checkout", added_by=author)
    gaps = [a for a in review.answers.select_related("question") if a.is_gap]
    for n, gap in enumerate(gaps):
        if n % 2 == 0:
            orr_services.gap_add_action(
                answer=gap, by=author, title=f"Add an alarm on queue depth for gap {n + 1}",
                owner=author, due_date=timezone.localdate() + dt.timedelta(days=30),
                priority="P2",
            )
        else:
            orr_services.gap_accept_risk(
                answer=gap, by=author, reason="Low traffic until the launch in March.",
                expires_on=timezone.localdate() + dt.timedelta(days=90),
            )
    orr_services.milestone_save(review=review, name="Before the first review", by=author)
    document_submit(document=review, by=author)
    document_decide(document=review, reviewer=reviewer, verdict=Decision.Verdict.REQUEST_CHANGES,
                    reason="Add the *failover drill* results to section 9.")
    return review


@pytest.fixture
def rich_review(review, author, reviewer):
    from reviews.services import document_assign_reviewer

    document_assign_reviewer(document=review, reviewer=reviewer, by=author)
    return make_rich_review(review, author, reviewer)


# --- a hand-counted week: 2026-W47, Monday 16 to Sunday 22 November 2026 ----------------------

W47 = "2026-W47"


def at(text: str) -> dt.datetime:
    """"2026-11-16 09:00" in the organisation's time zone (UTC unless a test changes it)."""
    from reports.weeks import zone

    return dt.datetime.fromisoformat(text).replace(tzinfo=zone())


def make_coe_row(service, author, *, opened, events=(), approved=None, customers=0, tags=(),
                 timeline=None, factors=(), restricted=False, severity=3):
    """A COE as the report sees it, built directly: dates, the state events, timeline, factors.

    The workflow services are tested elsewhere; here the dates must be exactly what the test
    says, and the event log is append-only, so its rows are created with their times.
    """
    from postmortems import services as pm_services
    from postmortems.models import ContributingFactor, Postmortem, TimelineEvent
    from reviews.models import Event

    pm = pm_services.postmortem_create(
        service=service, by=author, title=f"Incident on {service.name} at {opened}",
        incident_start=at(opened), incident_tz="UTC", severity=severity,
        customers_affected=customers, tag_names=list(tags), restricted=restricted,
    )
    state = "draft"
    for verb, when in events:
        Event.objects.create(document=pm, actor=author, verb=verb, at=at(when))
        state = {"submitted": "in_review", "request_changes": "changes_requested",
                 "approved_final": "approved"}[verb]
    Postmortem.objects.filter(pk=pm.pk).update(
        created_at=at(opened), state=state, approved_at=at(approved) if approved else None,
    )
    for kind, when in (timeline or {}).items():
        TimelineEvent.objects.create(postmortem=pm, kind=kind, at=at(when), note=kind)
    for category, when in factors:
        ContributingFactor.objects.create(postmortem=pm, category=category, created_at=at(when),
                                          text=f"A {category} factor")
    pm.refresh_from_db()
    return pm


def make_orr_row(service, author, *, created, approved=None):
    from orr.models import ReadinessReview

    review = orr_services.orr_start(service=service, by=author, trigger="periodic")
    ReadinessReview.objects.filter(pk=review.pk).update(
        created_at=at(created), state="approved" if approved else "draft",
        approved_at=at(approved) if approved else None,
    )
    return review


def make_item_row(*, team, owner, created, due, priority="P2", closed=None, title=None):
    from actions.models import ActionItem

    return ActionItem.objects.create(
        title=title or f"{team.name} item due {due}", owner=owner, team=team, priority=priority,
        due_date=dt.date.fromisoformat(due), created_at=at(created),
        status="done" if closed else "open", closing_note="Done." if closed else "",
        closed_at=at(closed) if closed else None,
    )


# The Wednesday after the week: it is over, and its report can be produced.
AFTER_W47 = dt.datetime(2026, 11, 25, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def week47(questionnaires, payments, platform, author, reviewer, settings, time_machine):
    """The world of tests/reports/test_weekly_figures.py; every figure there is counted by hand
    from the rows below. The clock stands on the Wednesday after the week."""
    from catalog.models import Service
    from tests.conftest import make_service, make_team

    time_machine.move_to(AFTER_W47)
    settings.ORR_EXPIRY_DAYS = {"1": 365, "2": 365, "3": 365}
    search = make_team("Search", slug="search")
    checkout = make_service(payments, name="Checkout API", slug="checkout", tier=1)
    ledger = make_service(payments, name="Ledger", slug="ledger", tier=2)
    gateway = make_service(platform, name="Gateway", slug="gateway", tier=1)
    indexer = make_service(search, name="Indexer", slug="indexer", tier=3)
    search_api = make_service(search, name="Search API", slug="search-api", tier=2)
    Service.objects.update(created_at=at("2025-01-01 00:00"))

    coes = {
        "A": make_coe_row(checkout, author, opened="2026-11-16 09:00", customers=1200,
                          tags=["Database", "Deploy"], severity=2,
                          timeline={"started": "2026-11-16 08:00", "detected": "2026-11-16 08:12",
                                    "resolved": "2026-11-16 09:30"},
                          factors=[("technical", "2026-11-16 10:00"),
                                   ("process", "2026-11-17 10:00")]),
        "B": make_coe_row(gateway, author, opened="2026-11-18 08:00", customers=300,
                          tags=["Database"], events=[("submitted", "2026-11-19 10:00")],
                          timeline={"started": "2026-11-17 23:00", "detected": "2026-11-17 23:45",
                                    "resolved": "2026-11-18 02:00"},
                          factors=[("tooling", "2026-11-18 12:00")]),
        "C": make_coe_row(checkout, author, opened="2026-11-02 00:00", tags=["Network"],
                          events=[("submitted", "2026-11-05 10:00"),
                                  ("approved_final", "2026-11-18 12:00")],
                          approved="2026-11-18 12:00",
                          factors=[("human_error", "2026-11-03 10:00"),
                                   ("organisational", "2026-11-10 10:00")]),
        "D": make_coe_row(ledger, author, opened="2026-11-10 08:00",
                          events=[("submitted", "2026-11-11 10:00"),
                                  ("approved_final", "2026-11-13 10:00")],
                          approved="2026-11-13 10:00"),
        "E": make_coe_row(gateway, author, opened="2026-11-20 10:00", tags=["Deploy"],
                          restricted=True,
                          events=[("submitted", "2026-11-21 10:00"),
                                  ("request_changes", "2026-11-22 09:00")],
                          factors=[("external", "2026-11-21 12:00")]),
        "F": make_coe_row(checkout, author, opened="2026-11-12 08:00", customers=50,
                          events=[("submitted", "2026-11-13 10:00"),
                                  ("request_changes", "2026-11-14 10:00"),
                                  ("submitted", "2026-11-22 23:30")]),
        "G": make_coe_row(checkout, author, opened="2026-11-23 00:30", tags=["Database"]),
    }
    orrs = {
        "checkout-old": make_orr_row(checkout, author, created="2025-11-01 09:00",
                                     approved="2025-11-19 10:00"),
        "checkout-new": make_orr_row(checkout, author, created="2026-11-02 09:00",
                                     approved="2026-11-17 10:00"),
        "ledger": make_orr_row(ledger, author, created="2025-11-01 09:00",
                               approved="2025-11-20 10:00"),
        "gateway": make_orr_row(gateway, author, created="2025-11-01 09:00",
                                approved="2025-12-10 10:00"),
        "search-api": make_orr_row(search_api, author, created="2026-11-01 09:00"),
    }
    items = {
        "i1": make_item_row(team=payments, owner=author, created="2026-10-01 09:00",
                            due="2026-11-01", priority="P1"),
        "i2": make_item_row(team=payments, owner=author, created="2026-11-17 09:00",
                            due="2026-12-15", priority="P2"),
        "i3": make_item_row(team=platform, owner=reviewer, created="2026-11-02 09:00",
                            due="2026-11-22", priority="P1"),
        "i4": make_item_row(team=platform, owner=reviewer, created="2026-11-03 09:00",
                            due="2026-11-10", priority="P3", closed="2026-11-18 09:00"),
        "i5": make_item_row(team=search, owner=author, created="2026-11-16 09:00",
                            due="2026-11-20", priority="P2", closed="2026-11-24 09:00"),
        "i6": make_item_row(team=payments, owner=author, created="2026-11-25 09:00",
                            due="2026-12-01", priority="P3"),
        "i7": make_item_row(team=platform, owner=reviewer, created="2026-09-01 09:00",
                            due="2026-09-10", priority="P2", closed="2026-10-01 09:00"),
    }
    return {"coes": coes, "orrs": orrs, "items": items, "search": search,
            "services": [checkout, ledger, gateway, indexer, search_api]}
