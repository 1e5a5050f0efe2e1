"""A reviewer flags answers "needs change" on their cards, with a comment; a "request changes"
decision gathers that reviewer's flags of the round (instead of picking answers from a list)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from reviews import permissions
from reviews.events import Verb
from reviews.models import Answer, AnswerFlag, Document


def _check(document: Document, reviewer) -> None:
    if not permissions.can_decide(reviewer, document):
        raise PermissionDenied("Only an assigned reviewer flags answers, while in review.")


@transaction.atomic
def answer_flag(*, answer: Answer, reviewer, comment: str) -> AnswerFlag:
    document = answer.document
    _check(document, reviewer)
    comment = comment.strip()
    if not comment:
        raise ValidationError("Say what should change in this answer.")
    flag, _ = AnswerFlag.objects.update_or_create(
        answer=answer, reviewer=reviewer, round=document.review_round,
        defaults={"comment": comment},
    )
    document.log(reviewer, Verb.COMMENTED, f"Flagged “{answer.question.key}”: needs change",
                 question=answer.question.key)
    return flag


@transaction.atomic
def answer_unflag(*, answer: Answer, reviewer) -> None:
    document = answer.document
    _check(document, reviewer)
    AnswerFlag.objects.filter(answer=answer, reviewer=reviewer,
                              round=document.review_round).delete()


def flags_of(document: Document, reviewer) -> list[AnswerFlag]:
    """The reviewer's flags of the current round, in questionnaire order."""
    return list(
        AnswerFlag.objects.filter(answer__document=document, reviewer=reviewer,
                                  round=document.review_round)
        .select_related("answer__question__section")
        .order_by("answer__question__section__order", "answer__question__order")
    )


def grouped_by_section(flags: list[AnswerFlag]) -> list[tuple[object, list[AnswerFlag]]]:
    groups: list[tuple[object, list[AnswerFlag]]] = []
    for flag in flags:
        section = flag.answer.question.section
        if not groups or groups[-1][0] != section:
            groups.append((section, []))
        groups[-1][1].append(flag)
    return groups
