import pytest
from django.core.exceptions import ValidationError

from orr import services
from reviews.models import Question, QuestionnaireVersion


def test_diff_between_two_milestones_lists_changed_questions(review, author):
    first = services.milestone_save(review=review, name="Kick-off", by=author)
    answer = review.answers.select_related("question").first()
    answer.save_if_current(base_revision=0, by=author, text="We page on 5xx.", risk="none")
    second = services.milestone_save(review=review, name="Week 2", by=author)
    diff = services.milestone_diff(first, second)
    assert [d.key for d in diff] == [answer.question.key]
    assert diff[0].before["text"] == "" and diff[0].after["text"] == "We page on 5xx."


def test_upgrade_carries_answers_by_key_and_lists_new_and_removed(review, author):
    answer = review.answers.select_related("question").first()
    answer.save_if_current(base_revision=0, by=author, text="kept")
    draft = review.version.copy_as_draft()
    gone = Question.objects.filter(section__version=draft).last()
    gone_key = gone.key
    gone.delete()
    section = draft.sections.first()
    Question.objects.create(section=section, key="new-question", order=999,
                            text="Do you have a game day every quarter?", kind="yes_no",
                            risk_rules={"no": "medium"})
    draft.publish()
    plan = services.upgrade_plan(review, draft)
    assert [q.key for q in plan.added] == ["new-question"]
    assert [q.key for q in plan.removed] == [gone_key]
    services.orr_upgrade(review=review, target=draft, by=author)
    review.refresh_from_db()
    assert review.version == draft
    kept = review.answers.get(question__key=answer.question.key)
    assert kept.text == "kept" and kept.question.section.version == draft
    assert review.answers.filter(question__key="new-question").exists()
    assert not review.answers.filter(question__key=gone_key).exists()
    assert services.newer_version(review) is None


def test_upgrade_refuses_a_draft_target(review, author):
    draft = review.version.copy_as_draft()
    assert draft.status == QuestionnaireVersion.Status.DRAFT
    with pytest.raises(ValidationError):
        services.orr_upgrade(review=review, target=draft, by=author)
