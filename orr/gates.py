"""The ORR's gates and approval policy, registered with the shared gate framework."""

from __future__ import annotations

from django.conf import settings
from django.db.models import Count

from actions.models import ActionItem
from catalog.models import Membership
from reviews.gates import gate
from reviews.models import Answer, Kind
from reviews.services import approval_policy, on_approved


def _loaded(document) -> list[Answer] | None:
    """The answers a page already loaded for the document (`gate_answers`: the overview's
    orr.progress.AnswerState rows), so its gates need no query of their own; None when the
    gates must ask the database (submit, approve)."""
    return getattr(document, "gate_answers", None)


@gate(Kind.ORR, "required_answered", "All required questions answered")
def required_answered(document) -> str | None:
    answers = _loaded(document)
    missing = (
        sum(a.required and not a.text and not a.choice for a in answers)
        if answers is not None
        else document.answers.filter(question__required=True, text="", choice="").count()
    )
    return f"{missing} required question(s) unanswered" if missing else None


@gate(Kind.ORR, "risks_rated", "Every answer has a risk rating")
def risks_rated(document) -> str | None:
    answers = _loaded(document)
    unrated = (sum(a.risk == "" for a in answers) if answers is not None
               else document.answers.filter(risk="").count())
    return f"{unrated} answer(s) without a risk rating" if unrated else None


@gate(Kind.ORR, "gaps_addressed", "Every high/medium risk has an action item or accepted risk")
def gaps_addressed(document) -> str | None:
    answers = _loaded(document)
    open_gaps = sum(
        a.risk in (Answer.Risk.HIGH, Answer.Risk.MEDIUM) and not a.n_actions
        and not a.has_accepted_risk and not a.n_carried_open
        for a in answers
    ) if answers is not None else (
        document.answers.filter(risk__in=[Answer.Risk.HIGH, Answer.Risk.MEDIUM])
        .annotate(n_actions=Count("action_items"))
        .filter(n_actions=0, accepted_risk__isnull=True)
        # A gap carried from the last approved ORR whose action item is still open is being
        # worked on: that item is shown beside it rather than copied.
        .exclude(carried_from__action_items__status__in=ActionItem.OPEN_STATUSES)
        .count()
    )
    return f"{open_gaps} gap(s) with neither an action item nor an accepted risk" if open_gaps \
        else None


@gate(Kind.ORR, "na_explained", "No “not applicable” without a reason")
def na_explained(document) -> str | None:
    answers = _loaded(document)
    bare = (sum(a.risk == Answer.Risk.NOT_APPLICABLE and not a.na_reason for a in answers)
            if answers is not None
            else document.answers.filter(risk=Answer.Risk.NOT_APPLICABLE, na_reason="").count())
    return f"{bare} answer(s) marked not applicable without a reason" if bare else None


@gate(Kind.ORR, "carried_confirmed", "Every carried answer confirmed or changed")
def carried_confirmed(document) -> str | None:
    answers = _loaded(document)
    waiting = (sum(a.carry_state == Answer.Carry.CARRIED for a in answers)
               if answers is not None
               else document.answers.filter(carry_state=Answer.Carry.CARRIED).count())
    return f"{waiting} carried answer(s) neither confirmed nor changed" if waiting else None


@gate(Kind.ORR, "reviewer_assigned", "At least one reviewer assigned")
def reviewer_assigned(document) -> str | None:
    return None if document.assignments.exists() else "assign a reviewer"


@approval_policy(Kind.ORR)
def orr_approval(document, approvals) -> str | None:
    if not approvals:
        return "needs an approval"
    if not settings.ORR_REQUIRE_OUTSIDE_REVIEWER:
        return None
    team_id = document.service.team_id
    own_team = set(
        Membership.objects.filter(team_id=team_id).values_list("user_id", flat=True)
    )
    if any(d.reviewer_id not in own_team for d in approvals):
        return None
    return (
        "an approval by the service's own team needs a second one from a reviewer of "
        "another team"
    )


def approval_rule(document) -> str:
    """The approval rule in words, shown before the first approval."""
    if not settings.ORR_REQUIRE_OUTSIDE_REVIEWER:
        return "Needs an approval from an assigned reviewer."
    team = document.service.team.name
    return (f"Needs an approval from a reviewer outside {team}; an approval from a reviewer of "
            f"{team} counts once a reviewer of another team approves too.")


@on_approved(Kind.ORR)
def freeze_milestone(document, reviewer) -> None:
    from orr.services import milestone_save

    milestone_save(
        review=document.readinessreview,
        name=f"Approved (round {document.review_round})",
        by=reviewer,
        automatic=True,
    )


