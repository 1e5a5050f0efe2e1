"""The gates are evaluated once by the service that moves the state, not again by the save."""

import pytest

from reviews import gates
from reviews.models import State
from reviews.services import document_decide, document_submit


@pytest.fixture
def evaluations(monkeypatch):
    calls = []
    real = gates.failing

    def counting(document):
        calls.append(document.pk)
        return real(document)

    monkeypatch.setattr(gates, "failing", counting)
    return calls


def test_submit_and_approve_evaluate_the_gates_once_each(ready_review, author, reviewer,
                                                         evaluations):
    document_submit(document=ready_review, by=author)
    assert evaluations == [ready_review.pk]
    document_decide(document=ready_review, reviewer=reviewer, verdict="approve", reason="Solid.")
    assert evaluations == [ready_review.pk, ready_review.pk]
    ready_review.refresh_from_db()
    assert ready_review.state == State.APPROVED


def test_a_direct_save_into_review_still_evaluates_them(review, evaluations):
    review.state = State.IN_REVIEW
    with pytest.raises(gates.GatesFailed):
        review.save()
    assert evaluations == [review.pk]
