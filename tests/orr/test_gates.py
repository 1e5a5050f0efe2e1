import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from orr import services
from reviews import gates
from reviews.models import AcceptedRisk, Answer
from reviews.services import document_assign_reviewer

from .conftest import answer_everything


def failing_names(review):
    return {r.name for r in gates.failing(review)}


def test_new_review_fails_every_content_gate(review):
    assert failing_names(review) == {"required_answered", "risks_rated", "reviewer_assigned"}


def test_gates_pass_when_everything_is_answered_rated_and_assigned(ready_review):
    assert failing_names(ready_review) == set()


def test_a_single_unanswered_required_question_fails_the_gate(ready_review, author):
    answer = ready_review.answers.first()
    answer.save_if_current(base_revision=answer.revision, by=author, text="", choice="")
    result = {r.name: r for r in gates.evaluate(ready_review)}["required_answered"]
    assert not result.passed
    assert result.message == "1 required question(s) unanswered"


def test_high_risk_needs_an_action_item_or_accepted_risk(ready_review, author, today):
    answer = ready_review.answers.first()
    answer.save_if_current(base_revision=answer.revision, by=author, risk=Answer.Risk.HIGH)
    assert "gaps_addressed" in failing_names(ready_review)
    services.gap_add_action(answer=answer, by=author, title="Add p99 latency alarm on /pay",
                            owner=author, due_date=today + dt.timedelta(days=30), priority="P1")
    assert "gaps_addressed" not in failing_names(ready_review)


def test_medium_risk_can_be_closed_by_an_accepted_risk(ready_review, author, today):
    answer = ready_review.answers.last()
    answer.save_if_current(base_revision=answer.revision, by=author, risk=Answer.Risk.MEDIUM)
    assert "gaps_addressed" in failing_names(ready_review)
    services.gap_accept_risk(answer=answer, by=author, reason="Low traffic until Q3.",
                             expires_on=today + dt.timedelta(days=90))
    assert "gaps_addressed" not in failing_names(ready_review)


def test_accepted_risk_must_expire_in_the_future(ready_review, author, today):
    with pytest.raises(Exception, match="future"):
        services.gap_accept_risk(answer=ready_review.answers.first(), by=author, reason="x",
                                 expires_on=today)


def test_the_service_refuses_a_risk_accepted_for_more_than_a_year(ready_review, author, today):
    # The rule is the service's, not only the form's: the API and imports cannot bypass it.
    answer = ready_review.answers.first()
    with pytest.raises(ValidationError, match="at most a year"):
        services.gap_accept_risk(answer=answer, by=author, reason="x",
                                 expires_on=today + dt.timedelta(days=367))
    assert not AcceptedRisk.objects.filter(answer=answer).exists()
    services.gap_accept_risk(answer=answer, by=author, reason="x",
                             expires_on=today + dt.timedelta(days=366))
    assert AcceptedRisk.objects.filter(answer=answer).exists()


def test_not_applicable_needs_a_reason(ready_review, author):
    answer = ready_review.answers.first()
    answer.save_if_current(
        base_revision=answer.revision, by=author, risk=Answer.Risk.NOT_APPLICABLE
    )
    assert "na_explained" in failing_names(ready_review)
    answer.save_if_current(base_revision=answer.revision, by=author, na_reason="No customers yet.")
    assert "na_explained" not in failing_names(ready_review)


def test_reviewer_gate_passes_once_assigned(review, author, reviewer):
    answer_everything(review, author)
    assert failing_names(review) == {"reviewer_assigned"}
    document_assign_reviewer(document=review, reviewer=reviewer, by=author)
    assert failing_names(review) == set()


def test_every_orr_gate_is_listed_with_a_label():
    names = [g.name for g in gates.gates_for("orr")]
    assert names == ["required_answered", "risks_rated", "gaps_addressed", "na_explained",
                     "carried_confirmed", "reviewer_assigned"]
    assert all(g.label for g in gates.gates_for("orr"))
