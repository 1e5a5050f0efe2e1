"""Where a question came from, on the ORR section editor: "added in v2 after COE-0010" with a
link under each question accepted from a COE proposal, nothing under the others, and one query
for the whole section however many of its questions came from COEs."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from learning import proposals
from learning.models import Proposal
from orr import services as orr_services
from orr.models import ReadinessReview
from tests.learning.conftest import PROPOSAL

pytestmark = pytest.mark.django_db

TEXTS = [
    "Does every connection pool have an upper bound per instance?",
    "Is the pool's upper bound below the database's connection limit?",
    "Do you alarm when a pool waits for a connection?",
    "Is every pool's timeout shorter than the caller's?",
    "Are pool sizes reviewed when the fleet scales out?",
]


def _published_with(lesson, author, ops_lead, count: int):
    """`count` proposals from the lesson's COE accepted into a draft, published."""
    accepted = []
    for text in TEXTS[:count]:
        proposal = proposals.propose(postmortem=lesson.postmortem, lesson=lesson, by=author,
                                     **{**PROPOSAL, "text": text})
        accepted.append(proposals.accept(proposal, by=ops_lead))
    version = accepted[0].section.version
    version.publish()
    return version, accepted


def _section_page(client, review, key="architecture") -> str:
    return client.get(reverse("orr:section", args=[review.code, key])).content.decode()


def _queries(client, review, key="architecture") -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(reverse("orr:section", args=[review.code, key])).status_code == 200
    return len(captured)


def test_a_proposed_question_shows_where_it_came_from(lesson, author, ops_lead, checkout,
                                                      client):
    v2, (question,) = _published_with(lesson, author, ops_lead, 1)
    review = orr_services.orr_start(service=checkout, by=author,
                                    trigger=ReadinessReview.Trigger.MAJOR_CHANGE)
    assert review.version_id == v2.pk
    client.force_login(author)
    page = _section_page(client, review)
    coe = lesson.postmortem
    link = reverse("postmortems:detail", args=[coe.code]) + f"#lesson-{lesson.pk}"
    assert re.search(rf'Added\s+in v{v2.number} after <a\s+href="{link}">{coe.code}</a>', page)
    # Under that question only: one provenance line on the page, inside its card.
    assert page.count('class="small text-secondary provenance') == 1
    card = page[page.index(question.text):]
    assert card.index("provenance") < card.index("</article>")
    # Another section has none.
    assert "provenance" not in _section_page(client, review, "service-definition")


def test_the_section_costs_the_same_queries_with_one_or_five_proposed_questions(
        lesson, author, ops_lead, checkout, client):
    _published_with(lesson, author, ops_lead, len(TEXTS))
    review = orr_services.orr_start(service=checkout, by=author,
                                    trigger=ReadinessReview.Trigger.MAJOR_CHANGE)
    client.force_login(author)
    assert _section_page(client, review).count("Added in v") == len(TEXTS)
    five = _queries(client, review)
    # Four of them unlinked from their proposals: the same page with one proposed question.
    keep = Proposal.objects.order_by("pk").first()
    Proposal.objects.exclude(pk=keep.pk).update(question_key="unrelated-key")
    assert _section_page(client, review).count("Added in v") == 1
    assert _queries(client, review) == five
    Proposal.objects.update(question_key="unrelated-key")
    assert _section_page(client, review).count("Added in v") == 0
    assert _queries(client, review) == five


def test_an_orr_on_the_earlier_version_does_not_show_a_later_merge(
        lesson, author, ops_lead, checkout, client):
    v1_review = orr_services.orr_start(service=checkout, by=author,
                                       trigger=ReadinessReview.Trigger.MAJOR_CHANGE)
    proposal = proposals.propose(postmortem=lesson.postmortem, lesson=lesson, by=author,
                                 **PROPOSAL)
    proposals.merge(proposal, by=ops_lead, into_key="auto-scaling")
    client.force_login(author)
    assert "provenance" not in _section_page(client, v1_review)
