"""ORR workflows: start, save answers, gaps, milestones, template upgrade, readiness."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from actions.models import ActionItem
from actions.services import action_item_create
from catalog.models import Service
from integrations.events import EventType, emit
from notifications.services import notify
from orr import carry
from orr.models import Milestone, ReadinessReview
from reviews.events import Verb
from reviews.models import (
    AcceptedRisk,
    Answer,
    Comment,
    Evidence,
    Kind,
    Questionnaire,
    QuestionnaireVersion,
    State,
)


def latest_orr_version() -> QuestionnaireVersion:
    questionnaire = Questionnaire.objects.filter(kind=Kind.ORR).first()
    version = questionnaire.latest_published() if questionnaire else None
    if version is None:
        raise ValidationError("No published ORR questionnaire yet; an admin must publish one.")
    return version


@transaction.atomic
def orr_start(*, service: Service, by, trigger: str, title: str = "") -> ReadinessReview:
    # Lock the service row so two people starting at once cannot both get an open ORR.
    Service.objects.select_for_update().filter(pk=service.pk).first()
    if service.is_retired:
        raise ValidationError(f"{service.name} is retired; bring it back into use first.")
    open_review = ReadinessReview.objects.alive().filter(service=service).open().first()
    if open_review:
        raise ValidationError(
            f"{service.name} already has an open readiness review ({open_review.code}); "
            "finish or approve it first."
        )
    version = latest_orr_version()
    trigger_label = ReadinessReview.Trigger(trigger).label
    review = ReadinessReview.objects.create(
        service=service, author=by, version=version, trigger=trigger,
        title=title or f"{service.name} — {trigger_label} ORR {timezone.localdate():%Y-%m-%d}",
    )
    review.assign_code("ORR")
    Answer.objects.bulk_create(
        Answer(document=review, question=q) for q in version.questions()
    )
    review.log(by, Verb.STARTED, f"Started on {version}", version=version.number)
    source = carry.last_approved(service)
    if source is not None:
        n = carry.carry_forward(review=review, source=source)
        review.log(by, Verb.STARTED, f"{n} answer(s) carried from {source.code}",
                   carried_from=source.code)
    return review


@transaction.atomic
def gap_add_action(*, answer: Answer, by, title: str, owner, due_date: dt.date, priority: str,
                   backlog_url: str = "", description: str = "") -> ActionItem:
    document = answer.document
    item = action_item_create(
        title=title, description=description, owner=owner, team=document.service.team,
        priority=priority, due_date=due_date, backlog_url=backlog_url, document=document,
        source_answer=answer, created_by=by,
    )
    document.log(by, Verb.ACTION_ADDED, f"Action item “{title}” for “{answer.question.key}”",
                 action=item.pk)
    notify(user=owner, verb="action_assigned", actor=by, url=item.get_absolute_url(),
           message=f"Action item for you from {document.code}: {title} (due {due_date:%d %b %Y})")
    emit(EventType.ACTION_ITEM_CREATED, item)
    return item


@transaction.atomic
def answer_comment(*, answer: Answer, by, body: str) -> Comment:
    comment = Comment.objects.create(answer=answer, author=by, body=body)
    document = answer.document
    document.log(by, Verb.COMMENTED, f"Comment on “{answer.question.key}”")
    url = reverse("orr:section", args=[document.code, answer.question.section.key])
    for user in {document.author, answer.updated_by} - {None}:
        notify(user=user, verb="comment", actor=by, url=f"{url}#q{answer.pk}",
               message=f"{by.get_username()} commented on your answer in {document.code}: "
                       f"{body[:150]}")
    return comment


@transaction.atomic
def answer_add_evidence(*, answer: Answer, by, label: str, url: str) -> Evidence:
    """A link backing an answer: it counts as a change of a carried answer, and is logged."""
    evidence = Evidence.objects.create(answer=answer, added_by=by, label=label, url=url)
    carry.mark_changed(answer)
    answer.document.log(by, Verb.EVIDENCE_ADDED, f"Evidence for “{answer.question.key}”")
    return evidence


# An accepted risk is looked at again within a year.
MAX_RISK_ACCEPTANCE = dt.timedelta(days=366)


def validate_risk_expiry(expires_on: dt.date) -> None:
    """An accepted risk expires in the future and at most a year from today."""
    today = timezone.localdate()
    if expires_on <= today:
        raise ValidationError("An accepted risk must expire in the future.")
    if expires_on > today + MAX_RISK_ACCEPTANCE:
        raise ValidationError("Accept a risk for at most a year.")


@transaction.atomic
def gap_accept_risk(*, answer: Answer, by, reason: str, expires_on: dt.date) -> AcceptedRisk:
    validate_risk_expiry(expires_on)
    accepted, _ = AcceptedRisk.objects.update_or_create(
        answer=answer, defaults={"accepted_by": by, "reason": reason, "expires_on": expires_on}
    )
    answer.document.log(by, Verb.RISK_ACCEPTED, f"Risk of “{answer.question.key}” accepted until "
                        f"{expires_on:%Y-%m-%d}", question=answer.question.key)
    return accepted


@transaction.atomic
def keep_accepted_risk(*, answer: Answer, by) -> AcceptedRisk:
    """Accept a carried gap's risk again, as last time: same reason, same end date. The risk
    then belongs to this review, so readiness after its approval still lapses on that date."""
    previous = carry.valid_risk(answer)
    if previous is None:
        raise ValidationError("The last review has no accepted risk on this answer that is "
                              "still valid; accept the risk anew.")
    return gap_accept_risk(answer=answer, by=by, reason=previous.reason,
                           expires_on=previous.expires_on)


def snapshot(review: ReadinessReview) -> dict:
    """What a milestone freezes: every answer with its accepted risk and action items."""
    answers = (
        review.answers.select_related("question__section", "accepted_risk")
        .prefetch_related("action_items")
        .order_by("question__section__order", "question__order")
    )
    return snapshot_of(
        review.version.number, review.state,
        [(a.question, a, getattr(a, "accepted_risk", None), a.action_items.all())
         for a in answers],
    )


def snapshot_of(version_number: int, state: str, rows) -> dict:
    """The snapshot's shape, from (question, answer, accepted risk or None, action items)
    rows in question order; also for rows not saved yet (the scale data)."""
    return {
        "version": version_number,
        "state": state,
        "answers": {
            question.key: {
                "section": question.section.title,
                "question": question.text,
                "text": answer.text,
                "choice": answer.choice,
                "risk": answer.risk,
                "na_reason": answer.na_reason,
                "accepted_risk": accepted
                and {"reason": accepted.reason, "expires_on": accepted.expires_on.isoformat()},
                "actions": [
                    {"title": i.title, "status": i.status, "due_date": i.due_date.isoformat()}
                    for i in items
                ],
            }
            for question, answer, accepted, items in rows
        },
    }


@transaction.atomic
def milestone_save(*, review: ReadinessReview, name: str, by, automatic: bool = False) -> Milestone:
    milestone = Milestone.objects.create(
        review=review, name=name, automatic=automatic, snapshot=snapshot(review), created_by=by
    )
    review.log(by, Verb.MILESTONE, f"Milestone “{name}” saved", milestone=milestone.pk)
    return milestone


@dataclass
class QuestionDiff:
    key: str
    question: str
    section: str
    before: dict | None
    after: dict | None

    @property
    def status(self) -> str:
        if self.before is None:
            return "added"
        if self.after is None:
            return "removed"
        return "changed"


def milestone_diff(a: Milestone, b: Milestone) -> list[QuestionDiff]:
    """Per question, what changed between two milestones (unchanged questions are left out)."""
    before, after = a.snapshot["answers"], b.snapshot["answers"]
    diffs = []
    for key in list(before) + [k for k in after if k not in before]:
        x, y = before.get(key), after.get(key)
        if x != y:
            ref = y or x
            diffs.append(QuestionDiff(key, ref["question"], ref["section"], x, y))
    return diffs


@dataclass
class UpgradePlan:
    target: QuestionnaireVersion
    carried: list
    added: list
    removed: list


def upgrade_plan(review: ReadinessReview, target: QuestionnaireVersion) -> UpgradePlan:
    old = {a.question.key: a for a in review.answers.select_related("question")}
    new = {q.key: q for q in target.questions()}
    return UpgradePlan(
        target=target,
        carried=[new[k] for k in new if k in old],
        added=[new[k] for k in new if k not in old],
        removed=[old[k].question for k in old if k not in new],
    )


def newer_version(review: ReadinessReview) -> QuestionnaireVersion | None:
    latest = review.version.questionnaire.latest_published()
    return latest if latest and latest.number > review.version.number else None


@transaction.atomic
def orr_upgrade(*, review: ReadinessReview, target: QuestionnaireVersion, by) -> UpgradePlan:
    if review.state != State.DRAFT:
        raise ValidationError("Only a draft ORR can move to a newer questionnaire version.")
    published = target.status == QuestionnaireVersion.Status.PUBLISHED
    if not published or target.number <= review.version.number:
        raise ValidationError("The target must be a newer published version.")
    plan = upgrade_plan(review, target)
    new_by_key = {q.key: q for q in target.questions()}
    # Answers of removed questions stay in the milestone history only.
    for answer in review.answers.select_related("question"):
        question = new_by_key.get(answer.question.key)
        if question is None:
            answer.action_items.update(source_answer=None)
            answer.delete()
        else:
            Answer.objects.filter(pk=answer.pk).update(question=question)
    Answer.objects.bulk_create(Answer(document=review, question=q) for q in plan.added)
    review.version = target
    review.save(update_fields=["version", "updated_at"])
    review.log(by, Verb.UPGRADED, f"Moved to {target}", added=[q.key for q in plan.added],
               removed=[q.key for q in plan.removed])
    return plan
