from orr.models import ReadinessReview
from reviews.models import Document
from reviews.visibility import visible_documents


def test_submitted_orr_is_visible_outside_the_team_when_asked_by_kind(review, outsider):
    Document.objects.filter(pk=review.pk).update(state="in_review")
    assert list(visible_documents(outsider, ReadinessReview.objects.all())) == [review]


def test_draft_orr_is_visible_to_ops_leads_when_asked_by_kind(review, ops_lead, outsider):
    assert list(visible_documents(ops_lead, ReadinessReview.objects.all())) == [review]
    assert list(visible_documents(outsider, ReadinessReview.objects.all())) == []
