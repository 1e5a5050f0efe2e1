import pytest

from orr import services
from reviews.models import Answer


def answer_everything(review, by, risk=Answer.Risk.NONE):
    for answer in review.answers.select_related("question"):
        answer.save_if_current(
            base_revision=answer.revision, by=by, text="Answered with evidence.",
            choice="yes" if answer.question.kind == "yes_no" else "", risk=risk,
        )


@pytest.fixture
def review(questionnaires, checkout, author):
    return services.orr_start(service=checkout, by=author, trigger="pre_launch")


@pytest.fixture
def ready_review(review, author, reviewer):
    """A draft whose every gate passes."""
    from reviews.services import document_assign_reviewer

    answer_everything(review, author)
    document_assign_reviewer(document=review, reviewer=reviewer, by=author)
    return review
