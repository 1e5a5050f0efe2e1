"""Reviewers flag answers "needs change" on their cards; the decision gathers them."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from reviews import flags
from reviews.models import AnswerFlag, Decision, State
from reviews.services import document_submit


@pytest.fixture
def in_review(ready_review, author):
    document_submit(document=ready_review, by=author)
    ready_review.refresh_from_db()
    return ready_review


def test_flags_on_cards_go_with_a_request_for_changes_grouped_by_section(client, in_review,
                                                                        author, reviewer):
    client.force_login(reviewer)
    first, second = in_review.answers.select_related("question__section").order_by(
        "question__section__order", "question__order")[:2]
    last = in_review.answers.select_related("question__section").order_by(
        "-question__section__order").first()
    for answer, comment in ((last, "Name the restore drill"), (first, "Which alarms?")):
        client.post(reverse("orr:answer_flag", args=[in_review.code, answer.pk]),
                    {"comment": comment})
    section_page = client.get(reverse("orr:section", args=[
        in_review.code, first.question.section.key])).content.decode()
    assert "You flagged: needs change." in section_page and "Which alarms?" in section_page
    overview = client.get(in_review.get_absolute_url()).content.decode()
    assert "Your flags this round" in overview
    assert 'name="flagged"' not in overview  # no 93-item multi-select any more
    client.post(reverse("orr:decide", args=[in_review.code]),
                {"verdict": "request_changes", "reason": "Two answers need work."})
    in_review.refresh_from_db()
    assert in_review.state == State.CHANGES_REQUESTED
    decision = Decision.objects.get(document=in_review)
    assert set(decision.flagged_answers.all()) == {first, last}
    client.force_login(author)
    overview = " ".join(client.get(in_review.get_absolute_url()).content.decode().split())
    # Grouped by section, in questionnaire order, with the comments.
    assert overview.index(first.question.section.title) < overview.index(
        last.question.section.title)
    assert "— Which alarms?" in overview and "— Name the restore drill" in overview
    page = client.get(reverse("orr:section", args=[in_review.code,
                                                   first.question.section.key])).content.decode()
    assert "Needs change (reviewer): Which alarms?" in page
    assert second.question.text in page


def test_flag_needs_a_comment_and_an_assigned_reviewer(in_review, reviewer, author, outsider):
    answer = in_review.answers.select_related("document", "question").first()
    with pytest.raises(ValidationError, match="what should change"):
        flags.answer_flag(answer=answer, reviewer=reviewer, comment="  ")
    with pytest.raises(PermissionDenied):
        flags.answer_flag(answer=answer, reviewer=author, comment="mine")
    flags.answer_flag(answer=answer, reviewer=reviewer, comment="first")
    flags.answer_flag(answer=answer, reviewer=reviewer, comment="second")
    assert list(AnswerFlag.objects.values_list("comment", flat=True)) == ["second"]
    flags.answer_unflag(answer=answer, reviewer=reviewer)
    assert not AnswerFlag.objects.exists()


def test_flag_view_refuses_the_author(client, in_review, author):
    client.force_login(author)
    answer = in_review.answers.first()
    response = client.post(reverse("orr:answer_flag", args=[in_review.code, answer.pk]),
                           {"comment": "x"})
    assert response.status_code == 403
