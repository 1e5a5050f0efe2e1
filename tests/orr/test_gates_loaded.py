"""The ORR overview's gates count the answers the page loaded: the same verdicts as the
queries the submit path runs, for every gate, passing or failing."""

import datetime as dt

import pytest
from django.urls import reverse

from actions.models import ActionItem
from orr.progress import sections_with_progress
from reviews import gates
from reviews.models import AcceptedRisk, Answer, Document


def verdicts(review, *, loaded: bool):
    document = Document.objects.get(pk=review.pk).readinessreview
    if loaded:
        document.gate_answers = sections_with_progress(document)[1]
    return [(r.name, r.passed, r.message) for r in gates.evaluate(document)]


def same_either_way(review):
    fresh = verdicts(review, loaded=False)
    assert verdicts(review, loaded=True) == fresh
    return dict((name, passed) for name, passed, _ in fresh)


@pytest.mark.django_db
def test_a_blank_draft_fails_the_same_gates(review):
    result = same_either_way(review)
    assert not result["required_answered"] and not result["risks_rated"]


@pytest.mark.django_db
def test_a_ready_review_passes_the_same_gates(ready_review):
    assert all(same_either_way(ready_review).values())


@pytest.mark.django_db
def test_gaps_not_applicable_and_carried_answers_count_the_same(ready_review, author, today):
    answers = list(ready_review.answers.order_by("pk")[:5])
    high, medium, accepted, na, carried = answers
    Answer.objects.filter(pk__in=[high.pk, medium.pk, accepted.pk]).update(risk="high")
    ActionItem.objects.create(title="Alarm on p99 over 800 ms", owner=author,
                              team=ready_review.service.team, due_date=today,
                              document=ready_review, source_answer=medium)
    AcceptedRisk.objects.create(answer=accepted, accepted_by=author, reason="Low traffic",
                                expires_on=today + dt.timedelta(days=30))
    Answer.objects.filter(pk=na.pk).update(risk="na", na_reason="")
    Answer.objects.filter(pk=carried.pk).update(carry_state=Answer.Carry.CARRIED)
    result = same_either_way(ready_review)
    assert not result["gaps_addressed"] and not result["na_explained"]
    assert not result["carried_confirmed"]
    messages = dict((n, m) for n, _, m in verdicts(ready_review, loaded=True))
    assert messages["gaps_addressed"].startswith("1 gap")


@pytest.mark.django_db
def test_the_overview_shows_the_gates_without_querying_them_again(
        client, ready_review, author, django_assert_max_num_queries):
    client.force_login(author)
    client.get(reverse("orr:detail", args=[ready_review.code]))
    with django_assert_max_num_queries(15):
        page = client.get(reverse("orr:detail", args=[ready_review.code]))
    assert "Every high/medium risk has an action item" in page.content.decode()
