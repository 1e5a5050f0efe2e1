"""Reads for the ORR section editor: one section's answers with what their cards show."""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Exists, OuterRef, Prefetch, QuerySet

from actions.models import ActionItem
from opsreview.prepared import Prepared, keep_as_prefetched
from orr import carry
from reviews.models import Answer, AnswerFlag, Comment, Decision, Evidence


def section_answers_query(review, section) -> QuerySet[Answer]:
    """The answers of one section of `review`, in question order, with their question, editor,
    accepted risk, evidence (as a manager: the carry comparison reads answer.evidence.all()),
    comments, action items and this round's flags (as plain lists: a prefetched manager costs a
    queryset per answer and relation), and `flagged`: a reviewer's decision of this round asked
    for changes to it."""
    return (
        review.answers.filter(question__section=section)
        .select_related("question", "updated_by", "accepted_risk__accepted_by")
        .prefetch_related(
            "evidence",
            Prefetch("comments", queryset=Comment.objects.select_related("author"),
                     to_attr="comment_list"),
            Prefetch("action_items", queryset=ActionItem.objects.select_related("owner"),
                     to_attr="item_list"),
            Prefetch("flags", queryset=AnswerFlag.objects.filter(round=review.review_round)
                     .select_related("reviewer"), to_attr="round_flags"),
        )
        .annotate(flagged=_flagged(review.review_round))
        .order_by("question__order")
    )


def section_answers(review, section) -> list[Answer]:
    """`section_answers_query`'s answers. A carried ORR's also come with what they were carried
    from; the others are read by prepared queries (opsreview.prepared), each relation by one
    query over the section instead of a prefetch by ids."""
    if review.carried_from_id is not None:
        return list(carry.carried_answers(section_answers_query(review, section)))
    answers = _ANSWERS(review.pk, section.pk, review.review_round)
    related = (
        (_EVIDENCE(review.pk, section.pk), Evidence.answer.field, None),
        (_COMMENTS(review.pk, section.pk), Comment.answer.field, "comment_list"),
        (_ITEMS(review.pk, section.pk), ActionItem.source_answer.field, "item_list"),
        (_FLAGS(review.pk, section.pk, review.review_round), AnswerFlag.answer.field,
         "round_flags"),
    )
    for rows, field, to_attr in related:
        of_answer = defaultdict(list)
        for row in rows:
            of_answer[getattr(row, field.attname)].append(row)
        for answer in answers:
            mine = of_answer.get(answer.pk, [])
            for row in mine:
                field.set_cached_value(row, answer)
            if to_attr:
                setattr(answer, to_attr, mine)
            else:
                keep_as_prefetched(answer, "evidence", mine)
    for answer in answers:
        answer.document = review
    return answers


def _flagged(review_round):
    return Exists(Decision.flagged_answers.through.objects.filter(
        answer_id=OuterRef("pk"), decision__round=review_round))


# Each takes the ORR's and the section's ids (and the review round).
_ANSWERS = Prepared(lambda review_id, section_id, review_round: Answer.objects.filter(
    document_id=review_id, question__section_id=section_id)
    .select_related("question", "updated_by", "accepted_risk__accepted_by")
    .annotate(flagged=_flagged(review_round)).order_by("question__order"))
_EVIDENCE = Prepared(lambda review_id, section_id: Evidence.objects.filter(
    answer__document_id=review_id, answer__question__section_id=section_id))
_COMMENTS = Prepared(lambda review_id, section_id: Comment.objects.filter(
    answer__document_id=review_id, answer__question__section_id=section_id)
    .select_related("author"))
_ITEMS = Prepared(lambda review_id, section_id: ActionItem.objects.filter(
    source_answer__document_id=review_id, source_answer__question__section_id=section_id)
    .select_related("owner"))
_FLAGS = Prepared(lambda review_id, section_id, review_round: AnswerFlag.objects.filter(
    answer__document_id=review_id, answer__question__section_id=section_id,
    round=review_round).select_related("reviewer"))
