"""The COE's gates and approval policy, registered with the shared gate framework.

Gates receive whatever Document instance the caller holds (often a plain `Document` loaded with
`select_for_update`), so they query by primary key rather than through Postmortem attributes.
"""

from __future__ import annotations

from django.db.models import Q

from catalog.models import Membership
from postmortems import services
from postmortems.blamelint import has_blocking, lint
from postmortems.models import ContributingFactor, Lesson, Postmortem, TimelineEvent
from reviews.gates import gate
from reviews.models import Kind, Section
from reviews.services import approval_policy


def _facts(document):
    """The COE page's own load of what the gates read (`selectors.page_data`), or None when the
    gates run on their own (submit, approve): then each fetches its rows."""
    return getattr(document, "gate_facts", None)


def _nodes(document) -> list[services.FactorNode]:
    facts = _facts(document)
    return facts.nodes if facts else services.factor_nodes(document.pk)


def _quote(text: str) -> str:
    text = " ".join(text.split())
    return f"“{text[:60]}{'…' if len(text) > 60 else ''}”"


@gate(Kind.COE, "required_answered", "All required questions answered")
def required_answered(document) -> str | None:
    facts = _facts(document)
    if facts:
        missing = sum(1 for a in facts.answers
                      if a.question.required and a.text == "" and a.choice == "")
    else:
        missing = document.answers.filter(question__required=True, text="", choice="").count()
    return f"{missing} required question(s) unanswered" if missing else None


@gate(Kind.COE, "timeline_complete", "Timeline has started and resolved events in a possible order")
def timeline_complete(document) -> str | None:
    facts = _facts(document)
    if facts:
        events, tz_name = facts.events, document.incident_tz or "UTC"
    else:
        events = list(TimelineEvent.objects.filter(postmortem_id=document.pk))
        tz_name = (Postmortem.objects.filter(pk=document.pk)
                   .values_list("incident_tz", flat=True).first() or "UTC")
    problems = services.timeline_problems(events, tz_name)
    return "; ".join(problems) if problems else None


@gate(Kind.COE, "has_factor", "At least one contributing factor")
def has_factor(document) -> str | None:
    facts = _facts(document)
    if facts.nodes if facts else ContributingFactor.objects.filter(
            postmortem_id=document.pk).exists():
        return None
    return "add the problem as the first factor, then ask why"


@gate(Kind.COE, "no_human_error_leaf", "No human error left as a leaf of the “why” tree")
def no_human_error_leaf(document) -> str | None:
    leaves = [n for n in _nodes(document) if n.needs_why]
    if not leaves:
        return None
    names = ", ".join(_quote(n.factor.text) for n in leaves[:3])
    return (f"{len(leaves)} human-error factor(s) with no “why” below: {names} — ask what in "
            "the system allowed the action to have that effect")


@gate(Kind.COE, "no_blame_wording", "No blame wording in summary, factors or lessons")
def no_blame_wording(document) -> str | None:
    # Factors: the tree's findings, which leave out what the writer marked "not blame".
    facts = _facts(document)
    blamed = [(n.factor.text, "factor") for n in _nodes(document) if has_blocking(n.findings)]
    texts = [(t, "lesson", "lesson") for t in (facts.lesson_texts if facts else
              Lesson.objects.filter(postmortem_id=document.pk).values_list("text", flat=True))]
    if facts:
        answers = [(a.text, a.question.key) for a in facts.answers if a.text and (
            a.question.key == "summary" or a.question.section.widget == Section.Widget.LESSONS)]
    else:
        answers = document.answers.filter(
            Q(question__key="summary") | Q(question__section__widget=Section.Widget.LESSONS)
        ).exclude(text="").values_list("text", "question__key")
    texts += [(text, "summary" if key == "summary" else "lesson", key) for text, key in answers]
    people = facts.participants if facts else services.participant_names(document.pk)
    blamed += [(text, where) for text, field, where in texts
               if has_blocking(lint(text, field, participants=people))]
    if not blamed:
        return None
    where = ", ".join(f"{w} {_quote(t)}" for t, w in blamed[:3])
    return f"{len(blamed)} text(s) with blocking blame wording: {where}"


@gate(Kind.COE, "factors_addressed", "Every leaf factor has an action item or an accepted reason")
def factors_addressed(document) -> str | None:
    open_leaves = [n for n in _nodes(document) if n.is_leaf and not n.addressed]
    if not open_leaves:
        return None
    names = ", ".join(_quote(n.factor.text) for n in open_leaves[:3])
    return f"{len(open_leaves)} leaf factor(s) without an action item or accepted reason: {names}"


@gate(Kind.COE, "committee_assigned", "At least one committee member")
def committee_assigned(document) -> str | None:
    prefetched = getattr(document, "_prefetched_objects_cache", {}).get("assignments")
    assigned = bool(prefetched) if prefetched is not None else document.assignments.exists()
    return None if assigned else "name the peer-review committee"


@approval_policy(Kind.COE)
def coe_approval(document, approvals) -> str | None:
    committee = set(document.assignments.values_list("user_id", flat=True))
    approved = {d.reviewer_id for d in approvals} & committee
    needed = services.coe_quorum(len(committee))
    missing = []
    if len(approved) < needed:
        missing.append(f"{needed - len(approved)} more committee approval(s) "
                       f"({len(approved)} of {needed})")
    team_id = Postmortem.objects.filter(pk=document.pk).values_list("service__team_id", flat=True)
    own_team = set(Membership.objects.filter(team_id__in=team_id).values_list("user_id",
                                                                               flat=True))
    if not approved - own_team:
        missing.append("an approval from a committee member outside the owning team")
    return "; ".join(missing) or None
