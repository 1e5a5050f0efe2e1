"""Every list and detail page runs as many queries with 1,000 rows as with 10 (± 2).

Each test builds 10 rows of the data the page lists, counts the queries of one request, adds
990 rows and counts again. Rows go in with bulk inserts (the seed_scale helpers for documents),
so the whole file stays fast; the pages themselves are requested through the real URLs.
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
import random

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from actions.models import ActionItem
from catalog.models import Membership, Service, Team, ops_leads_group
from demo.management.commands import seed_scale
from orr import services as orr_services
from orr.models import Milestone, ReadinessReview
from postmortems import services as pm_services
from postmortems.blamelint import has_blocking, lint
from postmortems.models import (
    ContributingFactor,
    FactorAction,
    Lesson,
    Postmortem,
    Tag,
    TimelineEvent,
)
from reviews import gates
from reviews.models import (
    Answer,
    Comment,
    Decision,
    Document,
    Evidence,
    Kind,
    ReviewerAssignment,
    State,
)
from reviews.services import document_submit, missing_approvals

from .conftest import join, make_user

SMALL, LARGE = 10, 1000
SLACK = 2
_seq = itertools.count(1)


def queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, f"{url}: {response.status_code}"
    return len(ctx.captured_queries)


def assert_flat(client, url: str, grow) -> None:
    """`grow(n)` adds n rows; the page's query count must not follow them."""
    grow(SMALL)
    client.get(url)  # first request: session, content types and other one-off reads
    small = queries(client, url)
    grow(LARGE - SMALL)
    large = queries(client, url)
    assert abs(large - small) <= SLACK, (
        f"{url}: {small} queries with {SMALL} rows, {large} with {LARGE}"
    )


# --- bulk builders ------------------------------------------------------------------------------


def add_documents(model, n: int, *, service: Service, author, state: str = State.IN_REVIEW,
                  **own) -> list[Document]:
    """n ORRs or COEs in one bulk insert (no answers: the lists do not read them)."""
    kind, prefix = (Kind.ORR, "ORR") if model is ReadinessReview else (Kind.COE, "COE")
    version = seed_scale.latest_version(kind)
    ids = seed_scale.Ids()
    now = timezone.now()
    parents, children = [], []
    if model is Postmortem:
        own = {"incident_start": now - dt.timedelta(days=1), "incident_tz": "UTC",
               "severity": 3, "customers_affected": 0, "customers_description": "",
               "restricted": False, **own}
    else:
        own = {"trigger": "pre_launch", **own}
    for _ in range(n):
        pk = ids.take(Document)
        common = dict(
            id=pk, code=f"{prefix}-{pk:04d}", kind=kind, service_id=service.pk,
            title=f"{prefix} {pk} of {service.name}", version_id=version.pk, state=state,
            author_id=author.pk, created_at=now, updated_at=now,
            submitted_at=None if state == State.DRAFT else now,
            approved_at=now if state == State.APPROVED else None,
            review_round=0 if state == State.DRAFT else 1, revision=1,
        )
        parents.append(Document(**common))
        children.append(model(document_ptr_id=pk, **common, **own))
    Document.objects.bulk_create(parents)
    seed_scale.insert_child_rows(model, children)
    return children


def assign(documents, user) -> None:
    ReviewerAssignment.objects.bulk_create(
        ReviewerAssignment(document_id=d.pk, user=user) for d in documents
    )


def add_services(team: Team, n: int) -> list[Service]:
    return Service.objects.bulk_create(
        Service(team=team, name=f"Bulk service {i}", slug=f"bulk-service-{i}")
        for i in (next(_seq) for _ in range(n))
    )


def add_items(n: int, *, owner, team: Team, document=None, **extra) -> None:
    due = timezone.localdate() - dt.timedelta(days=3)
    ActionItem.objects.bulk_create(
        ActionItem(title=f"Alarm on queue depth above {i}", owner=owner, team=team,
                   due_date=due, document=document, priority=("P1", "P2", "P3")[i % 3],
                   **extra)
        for i in range(n)
    )


def add_decisions(document, reviewer, n: int, answers) -> None:
    decisions = Decision.objects.bulk_create(
        Decision(document=document, reviewer=reviewer, verdict="request_changes",
                 reason="Link the alarm definitions.", round=document.review_round)
        for _ in range(n)
    )
    Decision.flagged_answers.through.objects.bulk_create(
        Decision.flagged_answers.through(decision_id=d.pk, answer_id=a.pk)
        for d, a in zip(decisions, itertools.cycle(answers), strict=False)
    )


def grow_answers(answers, n: int, *, author, reviewer) -> None:
    """Comments, evidence and action items spread over `answers`."""
    spread = list(itertools.islice(itertools.cycle(answers), n))
    Comment.objects.bulk_create(Comment(answer=a, author=reviewer, body="Why?") for a in spread)
    Evidence.objects.bulk_create(
        Evidence(answer=a, label="dash", url="https://dash.example.com") for a in spread
    )
    ActionItem.objects.bulk_create(
        ActionItem(title=f"Alarm for {a.pk}", owner=author, team_id=a.document.service.team_id,
                   due_date=timezone.localdate(), document_id=a.document_id, source_answer=a)
        for a in spread
    )


# --- catalog ------------------------------------------------------------------------------------


def test_service_list(client, questionnaires, payments, author):
    client.force_login(author)

    def grow(n):
        services = add_services(payments, n)
        for service in services[::2]:
            add_documents(ReadinessReview, 1, service=service, author=author,
                          state=State.APPROVED)

    assert_flat(client, reverse("catalog:services"), grow)


def test_service_page(client, questionnaires, checkout, author, reviewer):
    client.force_login(reviewer)

    def grow(n):
        orrs = add_documents(ReadinessReview, n // 2, service=checkout, author=author)
        coes = add_documents(Postmortem, n - n // 2, service=checkout, author=author,
                             restricted=True)
        assign(orrs + coes[::2], reviewer)

    assert_flat(client, reverse("catalog:service", args=[checkout.slug]), grow)


def test_team_page(client, django_user_model, questionnaires, payments, author):
    client.force_login(author)

    def grow(n):
        add_services(payments, n)
        users = django_user_model.objects.bulk_create(
            django_user_model(username=f"bulk{i}") for i in (next(_seq) for _ in range(n))
        )
        Membership.objects.bulk_create(Membership(user=u, team=payments) for u in users)

    assert_flat(client, reverse("catalog:team", args=[payments.slug]), grow)


# --- ORRs ---------------------------------------------------------------------------------------


def test_orr_list(client, questionnaires, checkout, author, reviewer):
    client.force_login(reviewer)

    def grow(n):
        assign(add_documents(ReadinessReview, n, service=checkout, author=author), reviewer)

    assert_flat(client, reverse("orr:list"), grow)


@pytest.fixture
def submitted_review(ready_review, author):
    answers = list(ready_review.answers.select_related("document__service")[:20])
    for answer in answers:
        orr_services.gap_add_action(answer=answer, by=author, title="Alarm on queue depth",
                                    owner=author, due_date=timezone.localdate(), priority="P2")
    Answer.objects.filter(pk__in=[a.pk for a in answers]).update(risk="medium")
    document_submit(document=ready_review, by=author)
    ready_review.refresh_from_db()
    return ready_review


def test_orr_overview(client, submitted_review, author, reviewer):
    client.force_login(author)
    answers = list(submitted_review.answers.select_related("document__service"))

    def grow(n):
        grow_answers(answers, n, author=author, reviewer=reviewer)
        add_decisions(submitted_review, reviewer, n, answers)
        Milestone.objects.bulk_create(
            Milestone(review=submitted_review, name=f"Milestone {i}", snapshot={"answers": {}})
            for i in range(n)
        )

    assert_flat(client, reverse("orr:detail", args=[submitted_review.code]), grow)


def test_orr_section(client, submitted_review, author, reviewer):
    client.force_login(reviewer)
    section = submitted_review.version.sections.order_by("order").first()
    answers = list(submitted_review.answers.filter(question__section=section)
                   .select_related("document__service"))

    def grow(n):
        grow_answers(answers, n, author=author, reviewer=reviewer)
        add_decisions(submitted_review, reviewer, n, answers)

    assert_flat(client, reverse("orr:section", args=[submitted_review.code, section.key]), grow)


def test_orr_section_editor_reads_the_owner_list_once_however_many_gaps(client, review, author):
    # Each gap gets an action item form with an owner list; the list is one query per page.
    client.force_login(author)
    section = review.version.sections.order_by("order").first()
    answers = list(review.answers.filter(question__section=section))
    url = reverse("orr:section", args=[review.code, section.key])
    Answer.objects.filter(pk=answers[0].pk).update(risk=Answer.Risk.HIGH)
    client.get(url)
    one_gap = queries(client, url)
    Answer.objects.filter(pk__in=[a.pk for a in answers]).update(risk=Answer.Risk.HIGH)
    every_gap = queries(client, url)
    assert len(answers) >= 5 and every_gap == one_gap


# --- COEs ---------------------------------------------------------------------------------------


def test_coe_list(client, questionnaires, checkout, author):
    client.force_login(author)
    tags = Tag.objects.bulk_create(Tag(name=f"Tag {i}") for i in range(5))

    def grow(n):
        coes = add_documents(Postmortem, n, service=checkout, author=author)
        Postmortem.tags.through.objects.bulk_create(
            Postmortem.tags.through(postmortem_id=c.pk, tag_id=t.pk)
            for c in coes for t in tags[:2]
        )

    assert_flat(client, reverse("postmortems:list"), grow)


def test_coe_page(client, questionnaires, checkout, author, reviewer):
    client.force_login(author)
    coe = pm_services.postmortem_create(
        service=checkout, by=author, title="Checkout returned 502 for 47 minutes",
        incident_start=timezone.now() - dt.timedelta(days=2), incident_tz="Europe/Helsinki",
        severity=2, committee=[reviewer],
    )
    answers = list(coe.answers.all())
    rng = random.Random(7)

    def grow(n):
        # A tenth are factors: each carries two forms whose rendering dominates the page's time.
        n_factors = n // 10
        n_each = (n - n_factors) // 3
        TimelineEvent.objects.bulk_create(
            TimelineEvent(postmortem=coe, kind="other", note="Status page updated.",
                          at=coe.incident_start + dt.timedelta(minutes=i))
            for i in range(n - n_factors - 2 * n_each)
        )
        factors = []
        for i in range(n_factors):
            parent = rng.choice(factors) if factors and i % 3 else None
            factor = ContributingFactor(postmortem=coe, parent=parent, category="tooling",
                                        text="The pipeline has no canary stage.")
            factor.save()  # children need their parent's id
            factors.append(factor)
        items = ActionItem.objects.bulk_create(
            ActionItem(title="Add a canary stage", owner=author, team=checkout.team,
                       due_date=timezone.localdate(), document=coe)
            for _ in range(n_each)
        )
        FactorAction.objects.bulk_create(
            FactorAction(factor=f, item=item)
            for f, item in zip(itertools.cycle(factors), items, strict=False)
        )
        lessons = Lesson.objects.bulk_create(
            Lesson(postmortem=coe, text="Configuration needs a staged rollout.")
            for _ in range(n_each)
        )
        Lesson.action_items.through.objects.bulk_create(
            Lesson.action_items.through(lesson_id=lesson.pk, actionitem_id=item.pk)
            for lesson, item in zip(lessons, items, strict=True)
        )
        add_decisions(coe, reviewer, n_each, answers)

    assert_flat(client, reverse("postmortems:detail", args=[coe.code]), grow)


# --- action items -------------------------------------------------------------------------------


@pytest.mark.parametrize("scope", ["mine", "team", "all"])
def test_action_item_lists(client, questionnaires, checkout, author, scope):
    client.force_login(author)
    review = add_documents(ReadinessReview, 1, service=checkout, author=author)[0]

    def grow(n):
        add_items(n, owner=author, team=checkout.team, document=review)

    assert_flat(client, reverse(f"actions:{scope}"), grow)


# --- review queue, home, reports -----------------------------------------------------------------


def test_review_queue(client, questionnaires, checkout, author, reviewer):
    client.force_login(reviewer)

    def grow(n):
        assign(add_documents(ReadinessReview, n // 2, service=checkout, author=author), reviewer)
        assign(add_documents(Postmortem, n - n // 2, service=checkout, author=author), reviewer)

    assert_flat(client, reverse("reviews:queue"), grow)


def test_home(client, django_user_model, questionnaires, checkout, teammate):
    lead = make_user(django_user_model, "lead")
    lead.groups.add(ops_leads_group())
    join(lead, checkout.team)
    client.force_login(lead)

    def grow(n):
        add_documents(ReadinessReview, n, service=checkout, author=lead, state=State.DRAFT)
        assign(add_documents(Postmortem, n, service=checkout, author=teammate), lead)
        add_items(n, owner=lead, team=checkout.team)
        add_services(checkout.team, n)

    assert_flat(client, reverse("home"), grow)


def test_reports_index(client, questionnaires, payments, ops_lead, author):
    client.force_login(ops_lead)

    def grow(n):
        add_services(payments, n)
        add_items(n, owner=author, team=payments)

    assert_flat(client, reverse("reports:index"), grow)


# --- the scale data itself ----------------------------------------------------------------------


def test_seed_scale_texts_pass_the_blame_check():
    """Approved COEs of the scale data must pass their gates: no blocking wording anywhere."""
    texts = [(t, "factor") for _, t in seed_scale.ROOT_FACTORS + seed_scale.WHY_FACTORS
             + seed_scale.HUMAN_ERROR_WHYS]
    texts += [(t, "factor") for t in seed_scale.HUMAN_ERROR_FACTORS]
    texts += [(t, "lesson") for t in seed_scale.LESSONS + seed_scale.COE_ANSWER]
    texts += [(seed_scale.COE_SUMMARY, "summary")]
    assert [t for t, f in texts if has_blocking(lint(t, f))] == []


def test_seed_scale_is_deterministic_and_passes_the_gates(questionnaires):
    from django.core.management import call_command

    sizes = ["--teams", "3", "--services", "6", "--orrs", "12", "--coes", "20",
             "--actions", "150", "--end-date", "2026-06-01"]
    call_command("seed_scale", *sizes, "--seed", "5", stdout=io.StringIO())
    assert ReadinessReview.objects.count() == 12
    assert Postmortem.objects.count() == 20
    assert ActionItem.objects.count() == 150
    first = list(Document.objects.order_by("pk").values_list("kind", "state", "created_at"))
    assert {state for _, state, _ in first} >= {State.APPROVED, State.DRAFT}
    for document in Document.objects.exclude(state=State.DRAFT):
        assert gates.failing(document) == [], document.code
    for document in Document.objects.filter(state=State.APPROVED):
        assert missing_approvals(document) is None, document.code
    human = ContributingFactor.objects.filter(category="human_error")
    assert not human.filter(children__isnull=True).exists()
    assert not ActionItem.objects.filter(status="done", closed_at__isnull=True).exists()
    # The same seed on a database that already has rows: new codes, the same documents.
    call_command("seed_scale", *sizes, "--seed", "5", stdout=io.StringIO())
    codes = list(Document.objects.values_list("code", flat=True))
    assert len(codes) == len(set(codes)) == 64
    again = list(Document.objects.order_by("pk").values_list("kind", "state", "created_at"))
    assert again[32:] == first


# --- restricted COEs, on the pages whose queries changed here -----------------------------------


def test_service_page_hides_a_restricted_coe_from_outsiders(client, questionnaires, checkout,
                                                            author, outsider):
    coe = add_documents(Postmortem, 1, service=checkout, author=author, state=State.APPROVED,
                        restricted=True)[0]
    client.force_login(outsider)
    page = client.get(reverse("catalog:service", args=[checkout.slug])).content.decode()
    assert coe.code not in page
    client.force_login(author)
    page = client.get(reverse("catalog:service", args=[checkout.slug])).content.decode()
    assert coe.code in page


def test_action_item_of_a_restricted_coe_is_hidden_from_outsiders(client, questionnaires,
                                                                  checkout, author, outsider):
    coe = add_documents(Postmortem, 1, service=checkout, author=author, state=State.APPROVED,
                        restricted=True)[0]
    add_items(1, owner=author, team=checkout.team, document=coe)
    url = reverse("actions:detail", args=[ActionItem.objects.get().pk])
    client.force_login(outsider)
    assert client.get(url).status_code == 404
    client.force_login(author)
    assert client.get(url).status_code == 200
