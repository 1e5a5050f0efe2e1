"""A periodic ORR builds on the last approved one.

Starting an ORR for a service with an approved one carries every answer over (text, choice,
risk, N/A reason, evidence links), matched by the question's stable key across questionnaire
versions. A carried answer stays marked until someone confirms it unchanged or edits it; the
gate "every carried answer confirmed or changed" blocks submitting before that. The reviewer
sees per answer whether it changed, was confirmed, or is new, compared with the answer it was
carried from.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from actions.models import ActionItem
from orr.models import ReadinessReview
from reviews.events import Verb
from reviews.models import Answer, Evidence, Section, State

CARRIED_FIELDS = ("text", "choice", "risk", "na_reason")


def last_approved(service) -> ReadinessReview | None:
    return (
        ReadinessReview.objects.alive().filter(service=service, state=State.APPROVED)
        .exclude(approved_at__isnull=True).order_by("-approved_at", "-pk").first()
    )


def carry_forward(*, review: ReadinessReview, source: ReadinessReview) -> int:
    """Fill `review`'s blank answers from `source`'s by question key; the number carried."""
    old = {
        a.question.key: a
        for a in source.answers.select_related("question").prefetch_related("evidence")
    }
    carried = []
    for answer in review.answers.select_related("question"):
        before = old.get(answer.question.key)
        if before is None:
            continue
        for name in CARRIED_FIELDS:
            setattr(answer, name, getattr(before, name))
        answer.carried_from = before
        answer.carry_state = Answer.Carry.CARRIED
        carried.append((answer, before))
    Answer.objects.bulk_update([a for a, _ in carried],
                               [*CARRIED_FIELDS, "carried_from", "carry_state"])
    Evidence.objects.bulk_create(
        Evidence(answer=answer, label=e.label, url=e.url, added_by=e.added_by, added_at=e.added_at)
        for answer, before in carried for e in before.evidence.all()
    )
    review.carried_from = source
    ReadinessReview.objects.filter(pk=review.pk).update(carried_from=source)
    return len(carried)


def _editable(review) -> None:
    if not review.is_editable:
        raise ValidationError(f"{review.code} is not editable in its current state.")


@transaction.atomic
def answer_confirm(*, answer: Answer, by) -> bool:
    """Confirm a carried answer unchanged; False when it was not waiting for that."""
    _editable(answer.document)
    done = Answer.objects.filter(pk=answer.pk, carry_state=Answer.Carry.CARRIED).update(
        carry_state=Answer.Carry.CONFIRMED, updated_by=by, updated_at=timezone.now())
    if done:
        answer.carry_state = Answer.Carry.CONFIRMED
        answer.document.log(by, Verb.ANSWER_CONFIRMED,
                            f"Carried answer to “{answer.question.key}” confirmed",
                            question=answer.question.key)
    return bool(done)


@transaction.atomic
def section_confirm(*, review: ReadinessReview, section: Section, by) -> int:
    """Confirm every carried answer of one section that nobody confirmed or changed yet."""
    _editable(review)
    answers = review.answers.filter(question__section=section, carry_state=Answer.Carry.CARRIED)
    keys = list(answers.values_list("question__key", flat=True))
    done = answers.update(carry_state=Answer.Carry.CONFIRMED, updated_by=by,
                          updated_at=timezone.now())
    if done:
        review.log(by, Verb.ANSWER_CONFIRMED,
                   f"{done} carried answer(s) of “{section.title}” confirmed", questions=keys)
    return done


def mark_changed(answer: Answer) -> None:
    """Evidence added to a carried answer changes it too."""
    Answer.objects.filter(
        pk=answer.pk, carry_state__in=[Answer.Carry.CARRIED, Answer.Carry.CONFIRMED]
    ).update(carry_state=Answer.Carry.CHANGED)


# --- What changed since the last approval ---------------------------------------------------


def values_of(answer: Answer) -> dict:
    return {
        **{name: getattr(answer, name) for name in CARRIED_FIELDS},
        "evidence": sorted((e.label, e.url) for e in answer.evidence.all()),
    }


def change_of(answer: Answer) -> str:
    """"new", "changed", "confirmed" or "carried" (not yet confirmed), for an answer of a review
    that was carried from an approved one.

    Compared with the answer it was carried from, not just trusted from the mark: an answer
    edited and edited back is unchanged.
    """
    before = answer.carried_from
    if before is None:
        return "new"
    if values_of(answer) != values_of(before):
        return "changed"
    return "confirmed" if answer.carry_state != Answer.Carry.CARRIED else "carried"


def carried_answers(queryset):
    """The select/prefetch a page needs to show carried answers beside what they came from."""
    return queryset.select_related(
        "carried_from__accepted_risk", "carried_from__question"
    ).prefetch_related(
        "evidence", "carried_from__evidence", "carried_from__action_items",
    )


@dataclass
class CarrySummary:
    source: ReadinessReview
    counts: dict[str, int]
    added: list = field(default_factory=list)  # questions new in this version
    removed: list = field(default_factory=list)  # questions of the source no longer asked
    changed: list = field(default_factory=list)  # answers changed since the source

    @property
    def to_confirm(self) -> int:
        return self.counts.get("carried", 0)


def carry_summary(review: ReadinessReview) -> CarrySummary | None:
    source = review.carried_from
    if source is None:
        return None
    answers = list(carried_answers(review.answers.select_related("question__section")))
    counts: dict[str, int] = {}
    changed = []
    for answer in answers:
        status = change_of(answer)
        counts[status] = counts.get(status, 0) + 1
        if status == "changed":
            changed.append(answer)
    keys = {a.question.key for a in answers}
    old_questions = {q.key: q for q in source.version.questions()}
    return CarrySummary(
        source=source,
        counts=counts,
        added=[a.question for a in answers if a.question.key not in old_questions],
        removed=[q for key, q in old_questions.items() if key not in keys],
        changed=sorted(changed, key=lambda a: (a.question.section.order, a.question.order)),
    )


def open_items(answer: Answer) -> list[ActionItem]:
    """The open action items of the answer this one was carried from."""
    before = answer.carried_from
    if before is None:
        return []
    return [i for i in before.action_items.all() if i.status in ActionItem.OPEN_STATUSES]


def valid_risk(answer: Answer):
    before = answer.carried_from
    risk = getattr(before, "accepted_risk", None) if before else None
    return risk if risk and not risk.is_expired() else None

