"""Proposals: a COE's factor or lesson becomes an ORR question (accept), extra guidance on an
existing question (merge), or is declined with a reason the proposer sees."""

from __future__ import annotations

from collections import defaultdict

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from learning.models import Proposal
from notifications.services import notify
from opsreview.prepared import Prepared
from postmortems.models import Postmortem
from reviews.events import Verb
from reviews.models import Kind, Question, Questionnaire, QuestionnaireVersion, State
from reviews.permissions import can_view, is_ops_lead
from reviews.visibility import visible_documents

VERB = "proposal"


def orr_questionnaire() -> Questionnaire:
    return Questionnaire.objects.get(kind=Kind.ORR)


def open_draft(questionnaire: Questionnaire, *, by=None) -> QuestionnaireVersion:
    """The questionnaire's draft version; a fresh copy of the latest published one if none."""
    draft = questionnaire.versions.filter(status=QuestionnaireVersion.Status.DRAFT).order_by(
        "-number").first()
    if draft is not None:
        return draft
    latest = questionnaire.latest_published()
    if latest is None:
        raise ValidationError(f"{questionnaire} has no published version to start a draft from.")
    return latest.copy_as_draft(changelog="Draft opened for accepted COE proposals.")


def section_choices() -> list[tuple[str, str]]:
    """The sections of the ORR questionnaire a proposal may target (latest published)."""
    latest = orr_questionnaire().latest_published()
    if latest is None:
        return []
    return list(latest.sections.filter(widget="questions").values_list("key", "title"))


def may_propose(user, postmortem) -> bool:
    return postmortem.state == State.APPROVED and can_view(user, postmortem)


def propose(*, postmortem, by, factor=None, lesson=None, **fields) -> Proposal:
    if not may_propose(by, postmortem):
        raise PermissionDenied("Questions are proposed from an approved COE you can see.")
    if (factor is None) == (lesson is None):
        raise ValidationError("A proposal comes from exactly one contributing factor or lesson.")
    source = factor or lesson
    if source.postmortem_id != postmortem.pk:
        raise ValidationError("That factor or lesson belongs to another COE.")
    proposal = Proposal(postmortem=postmortem, factor=factor, lesson=lesson,
                        source_text=source.text, proposer=by, **fields)
    proposal.full_clean()
    proposal.save()
    postmortem.log(by, Verb.COMMENTED, f"Proposed an ORR question: {proposal.text[:200]}")
    return proposal


def _require_open(proposal: Proposal, by) -> None:
    if not is_ops_lead(by):
        raise PermissionDenied("Only ops leads decide on question proposals.")
    if proposal.status != Proposal.Status.OPEN:
        raise ValidationError(f"This proposal is already {proposal.get_status_display().lower()}.")


def _decided(proposal: Proposal, by, status: str) -> None:
    proposal.status = status
    proposal.decided_by = by
    proposal.decided_at = timezone.now()


def _tell_proposer(proposal: Proposal, by, message: str) -> None:
    notify(user=proposal.proposer, verb=VERB, actor=by, message=message,
           url=reverse("learning:proposals") + f"#proposal-{proposal.pk}")


def unique_key(version: QuestionnaireVersion, text: str) -> str:
    base = slugify(text)[:60].strip("-") or "question"
    taken = set(Question.objects.filter(
        section__version__questionnaire_id=version.questionnaire_id).values_list("key", flat=True))
    key, n = base, 2
    while key in taken:
        key, n = f"{base}-{n}", n + 1
    return key


@transaction.atomic
def accept(proposal: Proposal, *, by, key: str = "") -> Question:
    """The proposal becomes a new question of the ORR draft version (opened if needed)."""
    _require_open(proposal, by)
    draft = open_draft(orr_questionnaire(), by=by)
    section = draft.sections.filter(key=proposal.section_key).first()
    if section is None:
        raise ValidationError(f"The draft v{draft.number} has no section {proposal.section_key!r}.")
    key = key or unique_key(draft, proposal.text)
    if Question.objects.filter(section__version=draft, key=key).exists():
        raise ValidationError(f"The draft already has a question with key {key!r}.")
    last = section.questions.order_by("-order").values_list("order", flat=True).first() or 0
    question = Question.objects.create(
        section=section, key=key, order=last + 1, text=proposal.text, help=proposal.guidance,
        kind=proposal.kind, choices=proposal.choices, risk_rules=proposal.risk_rules,
        required=True,
    )
    _decided(proposal, by, Proposal.Status.ACCEPTED)
    proposal.version = draft
    proposal.question_key = key
    proposal.save()
    _tell_proposer(proposal, by, f"Your ORR question from {proposal.postmortem.code} was "
                                 f"accepted into draft v{draft.number}.")
    return question


@transaction.atomic
def merge(proposal: Proposal, *, by, into_key: str) -> Question:
    """The proposal's guidance is added to an existing question of the draft."""
    _require_open(proposal, by)
    draft = open_draft(orr_questionnaire(), by=by)
    question = Question.objects.filter(section__version=draft, key=into_key).first()
    if question is None:
        raise ValidationError(f"The draft v{draft.number} has no question {into_key!r}.")
    addition = (f"From {proposal.postmortem.code}: {proposal.guidance}").strip()
    question.help = f"{question.help.rstrip()}\n\n{addition}".strip()[:5000]
    question.save()
    _decided(proposal, by, Proposal.Status.MERGED)
    proposal.version = draft
    proposal.question_key = into_key
    proposal.save()
    _tell_proposer(proposal, by, f"Your ORR question from {proposal.postmortem.code} was "
                                 f"merged into the existing question {into_key!r} "
                                 f"(draft v{draft.number}).")
    return question


@transaction.atomic
def decline(proposal: Proposal, *, by, reason: str) -> None:
    _require_open(proposal, by)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("Say why the proposal is declined; the proposer sees the reason.")
    _decided(proposal, by, Proposal.Status.DECLINED)
    proposal.decline_reason = reason
    proposal.save()
    _tell_proposer(proposal, by, f"Your ORR question from {proposal.postmortem.code} was "
                                 f"declined: {reason}")


def queue(user):
    """Open proposals first; ops leads see all, everyone else their own (flat query count)."""
    rows = Proposal.objects.select_related(
        "postmortem", "proposer", "decided_by", "version", "factor", "lesson")
    if not is_ops_lead(user):
        rows = rows.filter(proposer=user)
    return rows.order_by("status", "-created_at")


def mark_visible(rows, user) -> list[Proposal]:
    """Set `source_visible` on each proposal: a restricted COE the user may not see is named
    only as "a restricted COE" (no code, no link). Only restricted COEs are checked, all of
    them in one query (`reviews.visibility.visible_documents`), however many there are."""
    rows = list(rows)
    restricted = {p.postmortem_id for p in rows if p.postmortem.restricted}
    seen = set(visible_documents(user, Postmortem.objects.filter(pk__in=restricted))
               .values_list("pk", flat=True)) if restricted else set()
    for proposal in rows:
        proposal.source_visible = (
            not proposal.postmortem.restricted or proposal.postmortem_id in seen)
    return rows


def provenance(questionnaire_id: int, keys, user=None) -> dict[str, list[Proposal]]:
    """Key → the accepted or merged proposals behind it (one query), oldest first; with
    `user`, each marked with whether its COE may be named to them (`mark_visible`)."""
    return _by_key(_origins(Proposal.objects.filter(version__questionnaire_id=questionnaire_id,
                                                    question_key__in=keys)), user)


def origins_of_section(section_id: int, user=None) -> dict[str, list[Proposal]]:
    """Key → the accepted or merged proposals behind the questions of one section (one query
    for the whole section: the questionnaire and the version number are joined from the
    section's id). Only proposals that went into this version or an earlier one count, so an
    ORR on v1 never shows what a later draft added."""
    return _by_key(_ORIGINS_OF_SECTION(section_id), user)


def _origins(proposals):
    """The accepted or merged ones among `proposals`, oldest first, with their COE and version."""
    return (proposals.exclude(status__in=[Proposal.Status.OPEN, Proposal.Status.DECLINED])
            .select_related("postmortem", "version").order_by("created_at"))


# Prepared (opsreview.prepared): every ORR section page reads it.
_ORIGINS_OF_SECTION = Prepared(lambda section_id: _origins(Proposal.objects.filter(
    version__questionnaire__versions__sections=section_id,
    version__number__lte=F("version__questionnaire__versions__number"),
)))


def _by_key(rows, user) -> dict[str, list[Proposal]]:
    """The rows of `_origins` by question key, in their order; with `user`, each marked with
    whether its COE may be named to them."""
    found: dict[str, list[Proposal]] = defaultdict(list)
    for proposal in mark_visible(rows, user) if user is not None else rows:
        found[proposal.question_key].append(proposal)
    return dict(found)
