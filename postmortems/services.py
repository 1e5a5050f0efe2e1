"""COE workflows: start a postmortem, its timeline and metrics, the "why" tree, lessons, actions."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from actions.models import ActionItem
from actions.services import action_item_create
from catalog.models import Service
from integrations.events import EventType, emit
from notifications.services import notify
from opsreview.prepared import Prepared
from postmortems.blamelint import Finding, amounts_to_human_error, lint
from postmortems.models import (
    ContributingFactor,
    FactorAction,
    Lesson,
    Participant,
    Postmortem,
    Tag,
    TimelineEvent,
)
from reviews.events import Verb
from reviews.models import Answer, Kind, Questionnaire, QuestionnaireVersion, Section
from reviews.services import document_assign_reviewer, document_unassign_reviewer
from wording import rules as wording_rules

Kinds = TimelineEvent.EventKind

# Facts a COE is created and edited with; the committee is handled by the reviewer services.
FACT_FIELDS = (
    "title", "incident_start", "incident_tz", "severity", "customers_affected",
    "customers_description", "restricted",
)


def latest_coe_version() -> QuestionnaireVersion:
    questionnaire = Questionnaire.objects.filter(kind=Kind.COE).first()
    version = questionnaire.latest_published() if questionnaire else None
    if version is None:
        raise ValidationError("No published COE template yet; an admin must publish one.")
    return version


def coe_quorum(committee_size: int) -> int:
    """How many committee approvals a COE needs (setting COE_QUORUM: "all" or a number)."""
    raw = str(getattr(settings, "COE_QUORUM", "all")).strip().lower()
    if raw == "all":
        return committee_size
    if not raw.isdigit() or int(raw) < 1:
        raise ImproperlyConfigured(f"COE_QUORUM must be 'all' or a positive number, not {raw!r}.")
    # A quorum above the committee size would leave a submitted COE stuck in review, because
    # the committee cannot change once it is submitted.
    return min(int(raw), committee_size)


# --- tags -------------------------------------------------------------------------------------

def parse_tag_names(text: str) -> list[str]:
    """Comma-separated tag names, trimmed, without duplicates (case-insensitive)."""
    names: dict[str, str] = {}
    for raw in text.split(","):
        name = " ".join(raw.split())[: Tag._meta.get_field("name").max_length]
        if name:
            names.setdefault(name.lower(), name)
    return list(names.values())


def tags_for(names: list[str]) -> list[Tag]:
    """The Tag rows for `names`; an existing tag is reused whatever its case, others created."""
    tags = []
    for name in names:
        tag = Tag.objects.filter(name__iexact=name).first()
        tags.append(tag or Tag.objects.create(name=name))
    return tags


# --- start and edit ---------------------------------------------------------------------------

def validate_incident_start(incident_start: dt.datetime) -> None:
    """An incident cannot start in the future."""
    if incident_start > timezone.now():
        raise ValidationError("The incident cannot start in the future.")


@transaction.atomic
def postmortem_create(
    *, service: Service, by, title: str, incident_start: dt.datetime, incident_tz: str,
    severity: int, customers_affected: int = 0, customers_description: str = "",
    restricted: bool = False, tag_names: list[str] = (), affected_services=(), committee=(),
    participant_names: list[str] = (),
) -> Postmortem:
    validate_incident_start(incident_start)
    version = latest_coe_version()
    postmortem = Postmortem.objects.create(
        service=service, author=by, version=version, title=title, incident_start=incident_start,
        incident_tz=incident_tz, severity=severity, customers_affected=customers_affected,
        customers_description=customers_description, restricted=restricted,
    )
    postmortem.assign_code("COE")
    # Metadata questions are answered by the document's own fields (`binds`); every other
    # question gets an answer row to autosave into.
    Answer.objects.bulk_create(
        Answer(document=postmortem, question=q)
        for q in version.questions().exclude(section__widget=Section.Widget.METADATA)
    )
    postmortem.log(by, Verb.STARTED, f"Started on {version}", version=version.number)
    tags = tags_for(list(tag_names))
    postmortem.tags.set(tags)
    postmortem.affected_services.set(affected_services)
    if tags or affected_services:
        postmortem.log(by, Verb.FACTS_CHANGED, "Tags and affected services set",
                       tags=[t.name for t in tags],
                       affected=[s.slug for s in affected_services])
    for member in committee:
        document_assign_reviewer(document=postmortem, reviewer=member, by=by)
    set_participants(postmortem=postmortem, by=by, names=participant_names)
    emit(EventType.COE_CREATED, postmortem)
    return postmortem


@transaction.atomic
def postmortem_update(
    *, postmortem: Postmortem, by, base_revision: int, tag_names: list[str], affected_services,
    committee, participant_names: list[str] | None = None, **facts
) -> list[str]:
    """Change the incident facts and the committee; returns the names of what changed."""
    stored = Postmortem.objects.select_for_update().values_list("revision", flat=True)
    if stored.get(pk=postmortem.pk) != base_revision:
        raise ValidationError("Someone changed these facts while you were editing; nothing was "
                              "saved. Reload the page to see their version.")
    _refuse_unless_editable(postmortem)
    if "incident_start" in facts:
        validate_incident_start(facts["incident_start"])
    facts_changed = [name for name in FACT_FIELDS if getattr(postmortem, name) != facts[name]]
    for name in facts_changed:
        setattr(postmortem, name, facts[name])
    if facts_changed:
        postmortem.log(by, Verb.FACTS_CHANGED, "Changed " + ", ".join(facts_changed),
                       fields=facts_changed)
    changed = list(facts_changed)
    tags = tags_for(tag_names)
    if {t.pk for t in tags} != set(postmortem.tags.values_list("pk", flat=True)):
        postmortem.tags.set(tags)
        postmortem.log(by, Verb.FACTS_CHANGED, "Tags set to " + (", ".join(tag_names) or "none"))
        changed.append("tags")
    affected = {s.pk for s in affected_services}
    if affected != set(postmortem.affected_services.values_list("pk", flat=True)):
        postmortem.affected_services.set(affected_services)
        postmortem.log(by, Verb.FACTS_CHANGED, "Affected services changed")
        changed.append("affected services")
    wanted = {u.pk: u for u in committee}
    current = {a.user_id: a.user for a in postmortem.assignments.select_related("user")}
    for pk in wanted.keys() - current.keys():
        document_assign_reviewer(document=postmortem, reviewer=wanted[pk], by=by)
    for pk in current.keys() - wanted.keys():
        document_unassign_reviewer(document=postmortem, reviewer=current[pk], by=by)
    if wanted.keys() != current.keys():
        changed.append("committee")
    if participant_names is not None and set_participants(
        postmortem=postmortem, by=by, names=participant_names
    ):
        changed.append("participants")
    if changed:
        # Any change counts: a form opened before it is stale, whichever part it edits.
        postmortem.revision += 1
        postmortem.save(update_fields=[*facts_changed, "revision", "updated_at"])
    return changed


# --- participants -----------------------------------------------------------------------------

PARTICIPANT_NAME_MAX = Participant._meta.get_field("name").max_length


def parse_participant_names(text: str) -> list[str]:
    """Comma- or line-separated names, trimmed, each once (case-insensitively), in order."""
    seen, names = set(), []
    for raw in text.replace("\n", ",").split(","):
        name = " ".join(raw.split())
        if name and name.lower() not in seen:
            if len(name) > PARTICIPANT_NAME_MAX:
                raise ValidationError(
                    f"“{name[:40]}…” is longer than {PARTICIPANT_NAME_MAX} characters."
                )
            seen.add(name.lower())
            names.append(name)
    return names


def set_participants(*, postmortem: Postmortem, by, names: list[str]) -> bool:
    """Make the COE's non-author participants exactly ``names``; returns whether anything changed.

    A name that is a user's username links the row to that user. Rows other integrations made
    (responders) stay as long as their name is still listed, whatever their role.
    """
    wanted = {n.lower(): n for n in names}
    current = {p.name.lower(): p for p in
               postmortem.participants.exclude(role=Participant.Role.AUTHOR)}
    gone = [p.pk for key, p in current.items() if key not in wanted]
    new = [n for key, n in wanted.items() if key not in current]
    if not gone and not new:
        return False
    Participant.objects.filter(pk__in=gone).delete()
    users = {u.username.lower(): u for u in
             get_user_model().objects.filter(username__in=[n for n in new if " " not in n])}
    Participant.objects.bulk_create(
        Participant(coe=postmortem, name=n, user=users.get(n.lower())) for n in new
    )
    postmortem.log(by, Verb.FACTS_CHANGED, "Participants set to " + (", ".join(names) or "none"))
    return True


# Prepared (opsreview.prepared): every COE page and lint reads it.
_PARTICIPANT_NAMES = Prepared(lambda postmortem_id: Participant.objects.filter(
    coe_id=postmortem_id).values_list("name", "user__username", "user__first_name",
                                      "user__last_name"))


def participant_names(postmortem_id: int, author=None) -> tuple[str, ...]:
    """Names and usernames of the author and every participant, for the wording check.

    `author`: the COE's author when the caller already loaded it (one query fewer)."""
    rows = _PARTICIPANT_NAMES(postmortem_id)
    if author is not None:
        rows.append((author.username, author.username, author.first_name, author.last_name))
    else:
        rows += list(
            Postmortem.objects.filter(pk=postmortem_id)
            .values_list("author__username", "author__username", "author__first_name",
                         "author__last_name")
        )
    names = set()
    for name, username, first, last in rows:
        names.update(x for x in (name, username, f"{first or ''} {last or ''}".strip()) if x)
    return tuple(sorted(names))


# --- timeline ---------------------------------------------------------------------------------

def local_to_utc(local: dt.datetime, tz_name: str) -> dt.datetime:
    """A wall-clock time in `tz_name` as an aware UTC datetime; refuses times a DST jump skips."""
    zone = ZoneInfo(tz_name)
    aware = local.replace(tzinfo=zone)
    utc = aware.astimezone(dt.UTC)
    if utc.astimezone(zone).replace(tzinfo=None) != local.replace(tzinfo=None):
        raise ValidationError(
            f"{local:%Y-%m-%d %H:%M} does not exist in {tz_name} (the clocks jumped forward)."
        )
    return utc


def first_of_each_kind(events) -> dict[str, dt.datetime]:
    firsts: dict[str, dt.datetime] = {}
    for event in events:
        if event.kind not in firsts or event.at < firsts[event.kind]:
            firsts[event.kind] = event.at
    return firsts


METRICS = {
    "detect": Kinds.DETECTED,
    "engage": Kinds.ENGAGED,
    "mitigate": Kinds.MITIGATED,
    "resolve": Kinds.RESOLVED,
}


def timeline_metrics(postmortem: Postmortem, events=None) -> dict[str, dt.timedelta | None]:
    """Time to detect / engage / mitigate / resolve, from the first `started` event.

    Each counts from the first event of its kind; None when either end is missing or the order
    is impossible (a negative duration would only pollute the ops-review averages).
    """
    firsts = first_of_each_kind(postmortem.timeline.all() if events is None else events)
    start = firsts.get(Kinds.STARTED)
    metrics: dict[str, dt.timedelta | None] = {}
    for name, kind in METRICS.items():
        end = firsts.get(kind)
        metrics[name] = end - start if start and end and end >= start else None
    return metrics


# (earlier kind, later kind): the later one may not come before the earlier one.
ORDER_RULES = [
    (Kinds.STARTED, Kinds.DETECTED),
    (Kinds.STARTED, Kinds.ENGAGED),
    (Kinds.STARTED, Kinds.MITIGATED),
    (Kinds.STARTED, Kinds.RESOLVED),
    (Kinds.MITIGATED, Kinds.RESOLVED),
    (Kinds.DETECTED, Kinds.MITIGATED),
]


def timeline_order_problems(events, tz_name: str = "UTC") -> list[str]:
    firsts = first_of_each_kind(events)
    zone = ZoneInfo(tz_name)
    problems = []
    for earlier, later in ORDER_RULES:
        a, b = firsts.get(earlier), firsts.get(later)
        if a and b and b < a:
            problems.append(
                f"{Kinds(later).label} ({b.astimezone(zone):%d %b %H:%M}) cannot be before "
                f"{Kinds(earlier).label.lower()} ({a.astimezone(zone):%d %b %H:%M})"
            )
    return problems


def timeline_problems(events, tz_name: str = "UTC") -> list[str]:
    """What keeps a timeline from being complete: missing start or end, impossible order."""
    kinds = {e.kind for e in events}
    missing = [f"no “{k.label.lower()}” event" for k in (Kinds.STARTED, Kinds.RESOLVED)
               if k not in kinds]
    return missing + timeline_order_problems(events, tz_name)


def validate_timeline_order(postmortem: Postmortem, *, kind: str, at: dt.datetime,
                            events=None) -> None:
    """Refuse an event that would make the timeline's order impossible (resolved before it
    started, ...). An order problem the timeline already had does not block a new event.
    `events`: the timeline as the caller loaded it (read from the database without)."""
    events = list(postmortem.timeline.all() if events is None else events)
    candidate = TimelineEvent(postmortem=postmortem, kind=kind, at=at)
    tz_name = postmortem.incident_tz
    before = set(timeline_order_problems(events, tz_name))
    after = timeline_order_problems([*events, candidate], tz_name)
    new = [p for p in after if p not in before]
    if new:
        raise ValidationError("Impossible order: " + "; ".join(new) + ".")


@transaction.atomic
def timeline_add(*, postmortem: Postmortem, by, kind: str, at: dt.datetime,
                 note: str) -> TimelineEvent:
    _refuse_unless_editable(postmortem)
    validate_timeline_order(postmortem, kind=kind, at=at)
    event = TimelineEvent.objects.create(postmortem=postmortem, kind=kind, at=at, note=note)
    local = at.astimezone(ZoneInfo(postmortem.incident_tz))
    postmortem.log(by, Verb.TIMELINE_ADDED,
                   f"Timeline: {event.get_kind_display()} at {local:%Y-%m-%d %H:%M %Z}",
                   event=event.pk, kind=kind, at=at.isoformat())
    return event


@transaction.atomic
def timeline_delete(*, event: TimelineEvent, by) -> None:
    postmortem = event.postmortem
    _refuse_unless_editable(postmortem)
    postmortem.log(by, Verb.TIMELINE_DELETED, f"Timeline: {event.get_kind_display()} at "
                   f"{event.at:%Y-%m-%d %H:%M} UTC deleted", kind=event.kind,
                   at=event.at.isoformat(), note=event.note[:200])
    event.delete()


# --- contributing factors ---------------------------------------------------------------------

NOT_BLAME_KINDS = {"quoted": "quoted", "system": "about a system"}
NOT_BLAME_REASON_MAX = 500


def _overridden(factor: ContributingFactor) -> set[str]:
    return {o.get("rule_id") for o in factor.wording_overrides or ()}


def factor_findings(factor: ContributingFactor, participants=()) -> list[Finding]:
    """The factor's wording findings, without those its writer marked "not blame"."""
    overridden = _overridden(factor)
    return [f for f in lint(factor.text, field="factor", participants=participants)
            if f.rule_id not in overridden]


def is_human_error(factor: ContributingFactor, participants=(), findings=None) -> bool:
    if factor.category == ContributingFactor.Category.HUMAN_ERROR:
        return True
    if not _overridden(factor):
        return amounts_to_human_error(factor.text, participants)
    if findings is None:
        findings = factor_findings(factor, participants)
    by_id = {rule.id: rule for rule in wording_rules()}
    return any(by_id[f.rule_id].human_error for f in findings)


@transaction.atomic
def factor_mark_not_blame(*, factor: ContributingFactor, by, rule_id: str, kind: str,
                          reason: str) -> None:
    """Record that a blame or hindsight finding on a factor is not blame, and why.

    The finding stops counting for the gates; the note stays on the factor for reviewers.
    """
    postmortem = factor.postmortem
    _refuse_unless_editable(postmortem)
    reason = " ".join(reason.split())
    if not reason:
        raise ValidationError("Say why this is not blame: reviewers read the reason.")
    if kind not in NOT_BLAME_KINDS:
        raise ValidationError("Choose whether the words are quoted or about a system.")
    matching = [f for f in lint(factor.text, "factor", participant_names(postmortem.pk))
                if f.rule_id == rule_id and f.rule in ("blame", "counterfactual")]
    if not matching:
        raise ValidationError("That wording finding is not on this factor (any more).")
    if rule_id in _overridden(factor):
        raise ValidationError("That finding is already marked as not blame.")
    first = matching[0]
    factor.wording_overrides = [*factor.wording_overrides, {
        "rule_id": rule_id, "kind": kind, "phrase": factor.text[first.start:first.end],
        "reason": reason[:NOT_BLAME_REASON_MAX], "by": by.get_username(),
        "at": timezone.now().isoformat(timespec="seconds"),
    }]
    factor.save(update_fields=["wording_overrides"])
    postmortem.log(by, Verb.COMMENTED,
                   f"Wording marked not blame ({NOT_BLAME_KINDS[kind]}): "
                   f"“{factor.text[first.start:first.end]}” — {reason[:200]}", factor=factor.pk)


def quote_findings(text: str, findings) -> list[tuple[Finding, str]]:
    """Each wording finding with the words it is about, for showing it beside the text."""
    return [(f, text[f.start:f.end]) for f in findings]


def format_duration(delta: dt.timedelta | None) -> str:
    if delta is None:
        return "–"
    minutes = int(delta.total_seconds() // 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    parts = [f"{days} d"] * bool(days) + [f"{hours} h"] * bool(hours) + [f"{minutes} min"]
    return " ".join(parts[:2]) if days else " ".join(parts)


@dataclass
class FactorNode:
    factor: ContributingFactor
    depth: int
    children: list[FactorNode] = field(default_factory=list)
    actions: list[ActionItem] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    human_error: bool = False

    @property
    def is_leaf(self) -> bool:
        return not self.children

    @property
    def needs_why(self) -> bool:
        """Human error may never end a branch: someone has to ask why the system allowed it."""
        return self.human_error and self.is_leaf

    @property
    def addressed(self) -> bool:
        return bool(self.actions) or bool(self.factor.accepted_reason.strip())

    @property
    def quoted_findings(self) -> list[tuple[Finding, str]]:
        return quote_findings(self.factor.text, self.findings)

    def walk(self):
        yield self
        for child in self.children:
            yield from child.walk()


def factor_tree(factors, actions=(), participants=()) -> list[FactorNode]:
    """The roots of the "why" tree, each node with its action items, wording findings and flags.

    Takes materialised rows so a page builds the tree from two queries whatever its size;
    ``participants`` are the names the wording check treats as people (`participant_names`).
    """
    nodes = {}
    for f in factors:
        findings = factor_findings(f, participants)
        nodes[f.pk] = FactorNode(factor=f, depth=0, findings=findings,
                                 human_error=is_human_error(f, participants, findings))
    for item in actions:
        if item.source_factor_id in nodes:
            nodes[item.source_factor_id].actions.append(item)
    roots = []
    for node in nodes.values():
        parent = nodes.get(node.factor.parent_id)
        (parent.children if parent else roots).append(node)

    def set_depth(node: FactorNode, depth: int) -> None:
        node.depth = depth
        for child in node.children:
            set_depth(child, depth + 1)

    for root in roots:
        set_depth(root, 0)
    return roots


def with_source_factor(items):
    """`items` (a query of action items) with `source_factor_id`: the factor each came from."""
    return items.annotate(source_factor_id=F("factor_link__factor_id"))


def describe_source(item) -> tuple[str, str] | None:
    """An item's COE source (factor or lesson) as (label, link), for `actions.sources`."""
    doc = item.document
    if doc.kind != Kind.COE:
        return None
    link = FactorAction.objects.filter(item=item).select_related("factor").first()
    if link is not None:
        return (f"Contributing factor: {link.factor.text[:90]}",
                f"{doc.get_absolute_url()}#factor-{link.factor_id}")
    lesson = item.lessons.first()
    if lesson is not None:
        return f"Lesson: {lesson.text[:90]}", f"{doc.get_absolute_url()}#lesson-{lesson.pk}"
    return None


def factor_nodes(postmortem_id: int) -> list[FactorNode]:
    """Every node of a COE's factor tree, in tree order (for gates and reports)."""
    factors = list(ContributingFactor.objects.filter(postmortem_id=postmortem_id))
    actions = list(with_source_factor(
        ActionItem.objects.filter(factor_link__factor__postmortem_id=postmortem_id)
    ).only("id"))
    roots = factor_tree(factors, actions, participant_names(postmortem_id))
    return [n for root in roots for n in root.walk()]


def _refuse_unless_editable(postmortem: Postmortem) -> None:
    if not postmortem.is_editable:
        raise ValidationError(f"{postmortem.code} is not editable in its current state.")


@transaction.atomic
def factor_add(*, postmortem: Postmortem, by, category: str, text: str,
               parent: ContributingFactor | None = None) -> ContributingFactor:
    _refuse_unless_editable(postmortem)
    if parent is not None and parent.postmortem_id != postmortem.pk:
        raise ValidationError("The parent factor belongs to another postmortem.")
    factor = ContributingFactor.objects.create(
        postmortem=postmortem, parent=parent, category=category, text=text
    )
    where = f"under “{parent.text[:60]}”" if parent else "as a root"
    postmortem.log(by, Verb.FACTOR_ADDED, f"Contributing factor added {where}: {text[:120]}",
                   factor=factor.pk, parent=parent.pk if parent else None, category=category)
    return factor


@transaction.atomic
def factor_delete(*, factor: ContributingFactor, by) -> None:
    postmortem = factor.postmortem
    _refuse_unless_editable(postmortem)
    if factor.children.exists():
        raise ValidationError("Only a leaf factor can be deleted; delete its “why” answers first.")
    postmortem.log(by, Verb.FACTOR_DELETED, f"Contributing factor deleted: {factor.text[:120]}",
                   factor=factor.pk, category=factor.category)
    factor.delete()


@transaction.atomic
def factor_accept(*, factor: ContributingFactor, by, reason: str) -> None:
    """Close a leaf without an action item, with the reason written down."""
    postmortem = factor.postmortem
    _refuse_unless_editable(postmortem)
    if factor.children.exists():
        raise ValidationError("Only a leaf factor can be accepted; its “why” answers carry on.")
    if is_human_error(factor):
        raise ValidationError("Human error cannot be accepted as an end point: ask why the "
                              "system let it happen.")
    factor.accepted_reason = reason
    factor.save(update_fields=["accepted_reason"])
    postmortem.log(by, Verb.FACTOR_ACCEPTED,
                   f"Factor accepted: {factor.text[:80]} — {reason[:200]}", factor=factor.pk)


# --- lessons and action items -----------------------------------------------------------------

@transaction.atomic
def lesson_add(*, postmortem: Postmortem, by, text: str) -> Lesson:
    _refuse_unless_editable(postmortem)
    lesson = Lesson.objects.create(postmortem=postmortem, text=text)
    postmortem.log(by, Verb.LESSON_ADDED, f"Lesson added: {text[:120]}", lesson=lesson.pk)
    return lesson


@transaction.atomic
def lesson_delete(*, lesson: Lesson, by) -> None:
    postmortem = lesson.postmortem
    _refuse_unless_editable(postmortem)
    postmortem.log(by, Verb.LESSON_DELETED, f"Lesson deleted: {lesson.text[:120]}",
                   lesson=lesson.pk)
    lesson.delete()


@transaction.atomic
def lesson_link_action(*, lesson: Lesson, item: ActionItem, by) -> None:
    postmortem = lesson.postmortem
    _refuse_unless_editable(postmortem)
    if item.document_id != postmortem.pk:
        raise ValidationError("Link an action item of this postmortem.")
    lesson.action_items.add(item)
    postmortem.log(by, Verb.LESSON_LINKED, f"Lesson “{lesson.text[:60]}” linked to action item "
                   f"“{item.title}”", lesson=lesson.pk, action=item.pk)


@transaction.atomic
def action_add(
    *, postmortem: Postmortem, by, title: str, owner, due_date: dt.date, priority: str,
    backlog_url: str = "", description: str = "", factor: ContributingFactor | None = None,
    lesson: Lesson | None = None,
) -> ActionItem:
    _refuse_unless_editable(postmortem)
    item = action_item_create(
        title=title, description=description, owner=owner, team=postmortem.service.team,
        priority=priority, due_date=due_date, backlog_url=backlog_url, document=postmortem,
        created_by=by,
    )
    if factor is not None:
        FactorAction.objects.create(factor=factor, item=item)
    if lesson is not None:
        lesson.action_items.add(item)
    source = (f" for factor “{factor.text[:60]}”" if factor else "") + (
        f" for lesson “{lesson.text[:60]}”" if lesson else "")
    postmortem.log(by, Verb.ACTION_ADDED, f"Action item “{title}”{source}", action=item.pk,
                   factor=factor.pk if factor else None, lesson=lesson.pk if lesson else None)
    notify(user=owner, verb="action_assigned", actor=by, url=item.get_absolute_url(),
           message=f"Action item for you from {postmortem.code}: {title} "
                   f"(due {due_date:%d %b %Y})")
    emit(EventType.ACTION_ITEM_CREATED, item)
    return item
