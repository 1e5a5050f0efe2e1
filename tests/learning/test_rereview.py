"""Targeted re-review: only the new question is asked, the rest carried; provenance kept."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from learning import proposals, rereview
from reviews.models import Document
from tests.conftest import answer_everything

pytestmark = pytest.mark.django_db


@pytest.fixture
def approved_review(review, author):
    answer_everything(review, author)
    Document.objects.filter(pk=review.pk).update(state="approved", approved_at=timezone.now())
    review.refresh_from_db()
    return review


def test_accept_publish_rereview_keeps_provenance(approved_review, proposal, ops_lead, client):
    question = proposals.accept(proposal, by=ops_lead)
    v2 = question.section.version
    with pytest.raises(ValidationError):
        rereview.start(v2, by=ops_lead)  # still a draft
    v2.publish()
    started = rereview.start(v2, by=ops_lead)
    (item,) = started.items.all()
    assert item.source_id == approved_review.pk and item.asked == [question.key]
    new = item.review
    assert new.version_id == v2.pk and new.service_id == approved_review.service_id
    unanswered = [a.question.key for a in new.answers.select_related("question")
                  if not a.is_answered]
    assert unanswered == [question.key]
    assert item.carried == approved_review.answers.count()
    client.force_login(ops_lead)
    page = client.get(reverse("learning:rereview", args=[started.pk])).content.decode()
    assert f"added in v{v2.number} after" in page and proposal.postmortem.code in page
    version_page = client.get(reverse("learning:version", args=["orr", v2.number])).content
    assert f"Added in v{v2.number} after".encode() in version_page


def test_nothing_new_nothing_to_rereview(approved_review, ops_lead):
    v2 = approved_review.version.copy_as_draft()
    v2.publish()
    with pytest.raises(ValidationError, match="nothing to re-review"):
        rereview.start(v2, by=ops_lead)
