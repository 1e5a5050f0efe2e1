import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from orr import services
from reviews import gates
from reviews.models import Document, Event, State
from reviews.services import (
    answer_save,
    document_assign_reviewer,
    document_decide,
    document_submit,
)


def test_submit_with_failing_gates_is_refused_naming_them(review, author):
    with pytest.raises(gates.GatesFailed) as exc:
        document_submit(document=review, by=author)
    assert "All required questions answered" in str(exc.value)
    assert "At least one reviewer assigned" in str(exc.value)
    review.refresh_from_db()
    assert review.state == State.DRAFT


def test_submit_moves_to_review_and_logs(ready_review, author):
    document_submit(document=ready_review, by=author)
    ready_review.refresh_from_db()
    assert ready_review.state == State.IN_REVIEW
    assert ready_review.review_round == 1
    assert ready_review.events.filter(verb="submitted", actor=author).exists()


def test_setting_state_directly_cannot_skip_the_gates(review):
    review.state = State.IN_REVIEW
    with pytest.raises(gates.GatesFailed):
        review.save()
    review.state = State.APPROVED
    with pytest.raises(gates.GatesFailed):
        review.save(update_fields=["state"])


def test_author_cannot_be_assigned_or_approve_own_review(ready_review, author):
    with pytest.raises(ValidationError):
        document_assign_reviewer(document=ready_review, reviewer=author, by=author)
    document_submit(document=ready_review, by=author)
    with pytest.raises(PermissionDenied):
        document_decide(document=ready_review, reviewer=author, verdict="approve", reason="ok")


def test_unassigned_user_cannot_decide(ready_review, author, ops_lead):
    document_submit(document=ready_review, by=author)
    with pytest.raises(PermissionDenied):
        document_decide(document=ready_review, reviewer=ops_lead, verdict="approve", reason="ok")


def test_outside_reviewer_approval_approves_and_freezes_a_milestone(ready_review, author, reviewer):
    document_submit(document=ready_review, by=author)
    document_decide(document=ready_review, reviewer=reviewer, verdict="approve", reason="Solid.")
    ready_review.refresh_from_db()
    assert ready_review.state == State.APPROVED
    assert ready_review.approved_at is not None
    milestone = ready_review.milestones.get()
    assert milestone.automatic
    assert len(milestone.snapshot["answers"]) == ready_review.answers.count()


def test_own_team_approval_needs_a_second_reviewer_from_another_team(
    ready_review, author, own_team_reviewer, reviewer
):
    document_assign_reviewer(document=ready_review, reviewer=own_team_reviewer, by=author)
    document_submit(document=ready_review, by=author)
    document_decide(document=ready_review, reviewer=own_team_reviewer, verdict="approve",
                    reason="Looks good from inside.")
    ready_review.refresh_from_db()
    assert ready_review.state == State.IN_REVIEW
    document_decide(document=ready_review, reviewer=reviewer, verdict="approve", reason="Agreed.")
    ready_review.refresh_from_db()
    assert ready_review.state == State.APPROVED


def test_own_team_approval_alone_suffices_when_configured(
    settings, ready_review, author, own_team_reviewer
):
    settings.ORR_REQUIRE_OUTSIDE_REVIEWER = False
    document_assign_reviewer(document=ready_review, reviewer=own_team_reviewer, by=author)
    document_submit(document=ready_review, by=author)
    document_decide(document=ready_review, reviewer=own_team_reviewer, verdict="approve",
                    reason="ok")
    ready_review.refresh_from_db()
    assert ready_review.state == State.APPROVED


def test_request_changes_then_resubmit_starts_a_new_round(ready_review, author, reviewer):
    document_submit(document=ready_review, by=author)
    flagged = ready_review.answers.first()
    decision = document_decide(document=ready_review, reviewer=reviewer,
                               verdict="request_changes", reason="Numbers please.",
                               flagged_answers=[flagged])
    assert list(decision.flagged_answers.all()) == [flagged]
    ready_review.refresh_from_db()
    assert ready_review.state == State.CHANGES_REQUESTED
    assert ready_review.is_editable
    document_submit(document=ready_review, by=author)
    ready_review.refresh_from_db()
    assert (ready_review.state, ready_review.review_round) == (State.IN_REVIEW, 2)


def test_decision_needs_a_reason(ready_review, author, reviewer):
    document_submit(document=ready_review, by=author)
    with pytest.raises(ValidationError):
        document_decide(document=ready_review, reviewer=reviewer, verdict="approve", reason=" ")


def test_only_one_open_orr_per_service(review, checkout, author):
    with pytest.raises(ValidationError, match="already has an open readiness review"):
        services.orr_start(service=checkout, by=author, trigger="periodic")


def test_review_is_pinned_to_the_latest_published_version(review):
    assert review.version.number == 1
    assert review.answers.count() == review.version.questions().count()
    assert review.code.startswith("ORR-")


def test_event_log_is_append_only(review):
    event = review.events.first()
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        Event.objects.filter(pk=event.pk).update(verb="x")
    with pytest.raises(PermissionError):
        Event.objects.all().delete()
    assert Document.objects.get(pk=review.pk).events.count() == 1


def test_answer_save_records_what_changed(review, author):
    answer = review.answers.select_related("question").first()
    answer.document = review
    answer_save(answer=answer, by=author, base_revision=0, text="New text", risk="none")
    event = review.events.filter(verb="answer_saved").get()
    assert event.actor == author
    assert event.data["changes"] == {"text": {"from": "", "to": "New text"},
                                     "risk": {"from": "", "to": "none"}}
