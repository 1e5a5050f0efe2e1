"""The review workflow shared by ORRs and COEs: assign, submit, decide."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from integrations.events import EventType, emit
from reviews import gates, signals
from reviews.events import Verb
from reviews.models import (
    EDITABLE_STATES,
    Answer,
    Decision,
    Document,
    ReviewerAssignment,
    State,
)

# Per kind: what approvals are still missing (None when the document may be approved).
ApprovalPolicy = Callable[[Document, list[Decision]], "str | None"]
_POLICIES: dict[str, ApprovalPolicy] = {}
# Per kind: what else happens when a document is approved (a milestone for an ORR).
_ON_APPROVED: dict[str, list[Callable[[Document, object], None]]] = {}


def approval_policy(kind: str):
    def register(fn: ApprovalPolicy) -> ApprovalPolicy:
        _POLICIES[kind] = fn
        return fn

    return register


def on_approved(kind: str):
    def register(fn):
        _ON_APPROVED.setdefault(kind, []).append(fn)
        return fn

    return register


def current_approvals(document: Document) -> list[Decision]:
    return list(
        document.decisions.filter(
            round=document.review_round, verdict=Decision.Verdict.APPROVE
        ).select_related("reviewer")
    )


def missing_approvals(document: Document) -> str | None:
    policy = _POLICIES.get(document.kind)
    approvals = current_approvals(document)
    if policy is None:
        return None if approvals else "needs one approval"
    return policy(document, approvals)


@transaction.atomic
def document_assign_reviewer(*, document: Document, reviewer, by) -> ReviewerAssignment:
    if reviewer.pk == document.author_id:
        raise ValidationError("The author cannot review their own document.")
    assignment, created = ReviewerAssignment.objects.get_or_create(
        document=document, user=reviewer, defaults={"assigned_by": by}
    )
    if created:
        document.log(by, Verb.REVIEWER_ASSIGNED, f"{reviewer.get_username()} assigned as reviewer",
                     reviewer=reviewer.get_username())
        signals.reviewer_assigned.send(sender=Document, document=document, reviewer=reviewer,
                                       by=by)
    return assignment


@transaction.atomic
def document_unassign_reviewer(*, document: Document, reviewer, by) -> None:
    deleted, _ = ReviewerAssignment.objects.filter(document=document, user=reviewer).delete()
    if deleted:
        document.log(by, Verb.REVIEWER_REMOVED, f"{reviewer.get_username()} removed as reviewer")


@transaction.atomic
def document_submit(*, document: Document, by) -> None:
    document = Document.objects.select_for_update().get(pk=document.pk)
    if document.state not in EDITABLE_STATES:
        raise ValidationError(f"{document.code} is {document.get_state_display().lower()}; "
                              "only a draft or a document with changes requested can be submitted.")
    gates.enforce(document)
    document.state = State.IN_REVIEW
    document.submitted_at = timezone.now()
    document.review_round += 1
    document.save(update_fields=["state", "submitted_at", "review_round", "updated_at"],
                  gates_checked=True)
    document.log(by, Verb.SUBMITTED, f"Submitted for review (round {document.review_round})")
    _emit_state_change(document, "submitted")


@transaction.atomic
def document_decide(
    *,
    document: Document,
    reviewer,
    verdict: str,
    reason: str,
    flagged_answers: Iterable = (),
) -> Decision:
    document = Document.objects.select_for_update().get(pk=document.pk)
    if document.state != State.IN_REVIEW:
        raise ValidationError(f"{document.code} is not in review.")
    if reviewer.pk == document.author_id:
        raise PermissionDenied("The author can never approve or reject their own document.")
    if not document.assignments.filter(user=reviewer).exists():
        raise PermissionDenied("Only an assigned reviewer can decide on this document.")
    if not reason.strip():
        raise ValidationError("A decision needs a reason.")
    if verdict == Decision.Verdict.APPROVE:
        gates.enforce(document)
    decision = Decision.objects.create(
        document=document, reviewer=reviewer, verdict=verdict, reason=reason,
        round=document.review_round,
    )
    flagged = list(flagged_answers)
    if flagged:
        decision.flagged_answers.set(flagged)
    document.log(reviewer, verdict, reason[:200], flagged=[a.question.key for a in flagged])
    signals.document_decided.send(sender=Document, document=document, decision=decision,
                                  reviewer=reviewer)
    if verdict == Decision.Verdict.REQUEST_CHANGES:
        document.state = State.CHANGES_REQUESTED
        document.save(update_fields=["state", "updated_at"])
    elif missing_approvals(document) is None:
        document.state = State.APPROVED
        document.approved_at = timezone.now()
        document.save(update_fields=["state", "approved_at", "updated_at"], gates_checked=True)
        document.log(reviewer, Verb.APPROVED_FINAL, "Approval complete")
        _emit_state_change(document, "approved")
        for hook in _ON_APPROVED.get(document.kind, []):
            hook(document, reviewer)
    return decision


def _emit_state_change(document: Document, what: str) -> None:
    emit(EventType(f"{document.kind}.{what}"), document)
    if document.kind == "orr":
        # An ORR in review or approved changes its service's readiness.
        emit(EventType.READINESS_CHANGED, document.service, review=document.code,
             state=document.state)


# --- answers ------------------------------------------------------------------------------

@dataclass
class SaveResult:
    ok: bool
    answer: Answer
    theirs: dict | None = None


ANSWER_FIELDS = ("text", "choice", "risk", "na_reason")


def answer_save(*, answer: Answer, by, base_revision: int, **fields) -> SaveResult:
    """Save an answer unless someone else saved it since `base_revision` (then: conflict).

    The history row records what changed, old and new, so the history tab is an audit trail.
    Rapid saves by one person share one row (`Event`): when `answer` was loaded by
    `reviews.access.get_answer_for_edit`, it carries the row this save may extend. The save and
    its row are one statement on PostgreSQL.
    """
    fields = {k: v for k, v in fields.items() if k in ANSWER_FIELDS}
    if not answer.document.is_editable:
        raise ValidationError(f"{answer.document.code} is not editable in its current state.")
    changes = {
        name: {"from": getattr(answer, name)[:300], "to": value[:300]}
        for name, value in fields.items() if getattr(answer, name) != value
    }
    key = answer.question.key
    data = {"question": key, "revision": base_revision + 1, "changes": changes}
    burst_id, burst = getattr(answer, "burst_id", None), getattr(answer, "burst_data", None)
    merged = None
    if burst_id and burst:
        kept = dict(burst.get("changes") or {})
        for name, change in changes.items():
            first = kept.get(name, change)["from"]
            kept[name] = {"from": first, "to": change["to"]}
        kept = {name: c for name, c in kept.items() if c["from"] != c["to"]}
        merged = {**data, "changes": kept, "saves": int(burst.get("saves", 1)) + 1,
                  "last_at": timezone.now().isoformat()}
    stored = dict(fields)
    if answer.carry_state in (Answer.Carry.CARRIED, Answer.Carry.CONFIRMED) and changes:
        # A carried answer someone edits is no longer last year's: it is a change.
        stored["carry_state"] = Answer.Carry.CHANGED
    if answer.save_with_history(base_revision=base_revision, by=by, fields=stored,
                                message=f"Answer to “{key}” saved", new_data=data,
                                burst_id=burst_id if merged else None, burst_data=merged):
        return SaveResult(ok=True, answer=answer)
    current = Answer.objects.select_related("updated_by").get(pk=answer.pk)
    theirs = {name: getattr(current, name) for name in ANSWER_FIELDS}
    theirs["revision"] = current.revision
    theirs["updated_by"] = current.updated_by.get_username() if current.updated_by else ""
    return SaveResult(ok=False, answer=current, theirs=theirs)
