"""Reads for the COE pages: who sees which postmortem, list filters and search, the page data."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property

from django.db import connection
from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery

from actions.models import ActionItem
from opsreview import pagecache
from opsreview.prepared import (
    Prepared,
    PreparedList,
    PreparedShapes,
    keep_as_prefetched,
    sliced_or_counted,
)
from orr.readiness import Readiness, readiness
from postmortems import services
from postmortems.blamelint import Finding, lint
from postmortems.models import (
    Attachment,
    ContributingFactor,
    Lesson,
    Postmortem,
    Tag,
    TimelineEvent,
)
from reviews.forms import AnswerInputs
from reviews.models import Answer, Decision, Question, Section, State
from reviews.selectors import visible_documents
from reviews.visibility import StandInViewer, viewer_shape


def visible_postmortems(user) -> QuerySet[Postmortem]:
    """The postmortems `user` may see: the rules of `permissions.can_view`, as one query."""
    return visible_documents(user, Postmortem.objects.all())


def visible_tags(user) -> QuerySet[Tag]:
    """Tags of the postmortems `user` may see: a restricted COE's tags are its details."""
    used = visible_postmortems(user).filter(tags=OuterRef("pk"))
    return Tag.objects.filter(Exists(used)).order_by("name")


def _summary_text():
    return Subquery(
        Answer.objects.filter(document_id=OuterRef("pk"), question__key="summary")
        .values("text")[:1]
    )


def search(qs: QuerySet[Postmortem], query: str) -> QuerySet[Postmortem]:
    """Full-text search over the title and the summary answer."""
    query = query.strip()
    if not query:
        return qs
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector

        vector = SearchVector("title", weight="A") + SearchVector("summary_text", weight="B")
        search_query = SearchQuery(query, search_type="websearch")
        return (qs.annotate(summary_text=_summary_text())
                .annotate(search=vector, rank=SearchRank(vector, search_query))
                .filter(search=search_query).order_by("-rank", "-incident_start"))
    summary_hit = Answer.objects.filter(
        document_id=OuterRef("pk"), question__key="summary", text__icontains=query
    )
    return qs.filter(Q(title__icontains=query) | Exists(summary_hit))


@dataclass
class ListFilters:
    q: str = ""
    service: object = None
    team: object = None
    tag: object = None
    state: str = ""
    severity: int | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None


def filtered(qs: QuerySet[Postmortem], f: ListFilters) -> QuerySet[Postmortem]:
    if f.service:
        affected = Postmortem.affected_services.through.objects.filter(
            postmortem_id=OuterRef("pk"), service=f.service
        )
        qs = qs.filter(Q(service=f.service) | Exists(affected))
    if f.team:
        qs = qs.filter(service__team=f.team)
    if f.tag:
        qs = qs.filter(tags=f.tag)
    if f.state:
        qs = qs.filter(state=f.state)
    if f.severity:
        qs = qs.filter(severity=f.severity)
    if f.date_from:
        qs = qs.filter(incident_start__date__gte=f.date_from)
    if f.date_to:
        qs = qs.filter(incident_start__date__lte=f.date_to)
    return search(qs, f.q)


# What a row of the list shows (jinja_templates/postmortems/_list_rows.html): a COE's long texts
# and many times stay in the database.
LIST_FIELDS = ("code", "kind", "title", "state", "restricted", "severity", "incident_start",
               "incident_tz", "service__name", "service__team__name")

# The labels the rows show, looked up once: get_severity_display() and get_state_display()
# flattened every field's choices again for every row.
LIST_LABELS = {"severities": dict(Postmortem.Severity.choices), "states": dict(State.choices)}


def postmortem_list(user, filters: ListFilters) -> QuerySet[Postmortem]:
    return (
        filtered(visible_postmortems(user), filters)
        .select_related("service__team").only(*LIST_FIELDS)
        .order_by("-incident_start", "-pk")
    )


def postmortem_rows(user, filters: ListFilters):
    """The list for a Paginator: `postmortem_list` run as prepared queries (opsreview.prepared),
    its SQL compiled once per shape (viewer, filters set, page), unless the list is searched."""
    if filters.q.strip():
        return postmortem_list(user, filters)
    viewer, viewer_args = viewer_shape(user)
    names = tuple(name for name in _ARGUMENT_FILTERS if getattr(filters, name))
    return PreparedList(_LIST, (viewer, names), *viewer_args,
                        *(getattr(value, "pk", value) for value in
                          (getattr(filters, name) for name in names)))


# The filters a prepared list takes as arguments (a chosen row as its id).
_ARGUMENT_FILTERS = ("service", "team", "tag", "state", "severity", "date_from", "date_to")


def _list_builder(shape):
    (viewer, names), bounds = shape

    def build(user_id, *args):
        seen_by, values = StandInViewer.taking(viewer, user_id, args)
        return sliced_or_counted(postmortem_list(
            seen_by, ListFilters(**dict(zip(names, values, strict=True)))), bounds)
    return build


_LIST = PreparedShapes(_list_builder)
# The tag filter's options: the tags of the COEs the viewer may see.
_VISIBLE_TAG_NAMES = PreparedShapes(
    lambda viewer: lambda user_id, *team_ids: visible_tags(
        StandInViewer(viewer, user_id, team_ids)).values_list("name", "name"))


def visible_tag_options(user) -> list[tuple[str, str]]:
    """(name, name) of each tag `visible_tags` gives, as one prepared query."""
    viewer, args = viewer_shape(user)
    return _VISIBLE_TAG_NAMES(viewer, *args)


def with_tag_names(postmortems: list[Postmortem]) -> list[Postmortem]:
    """Each row's tag names, alphabetical (``tag_names``), in one query: what prefetching the
    tags gave, without a Tag and a related manager per tag and row."""
    names = {p.pk: [] for p in postmortems}
    if names:
        for pk, name in (Postmortem.tags.through.objects.filter(postmortem_id__in=names)
                         .order_by("tag__name").values_list("postmortem_id", "tag__name")):
            names[pk].append(name)
    for p in postmortems:
        p.tag_names = names[p.pk]
    return postmortems


# --- the COE page -----------------------------------------------------------------------------

@dataclass
class AnswerRow:
    answer: Answer
    findings: list[tuple[Finding, str]] = field(default_factory=list)
    flagged: bool = False
    lint_field: str | None = None  # which wording rules apply as the user types

    @cached_property
    def editor(self) -> AnswerInputs:
        """The answer's editor (the ORR's, without choice and risk on the page)."""
        return AnswerInputs.of(self.answer, rows=4, lint=self.lint_field or "")


@dataclass
class SectionBlock:
    section: Section
    answers: list[AnswerRow] = field(default_factory=list)
    metadata: list[tuple[str, str, object]] = field(default_factory=list)


def _label(question) -> str:
    # Metadata questions' help starts with the template's field name ("Tags. Example: …").
    return question.help.split(".", 1)[0] if question.help else question.text


def _answer_field(answer: Answer) -> str | None:
    if answer.question.key == "summary":
        return "summary"
    if answer.question.section.widget == Section.Widget.LESSONS:
        return "lesson"
    return None


METRIC_LABELS = {
    "detect": "Time to detect",
    "engage": "Time to engage",
    "mitigate": "Time to mitigate",
    "resolve": "Time to resolve",
}


@dataclass
class GateFacts:
    """What the COE gates read, as the page already loaded it (one request, one load)."""

    nodes: list[services.FactorNode]
    events: list
    answers: list[Answer]  # with question__section
    lesson_texts: list[str]
    participants: list  # the names the wording check knows (services.participant_names)


@dataclass
class PageData:
    postmortem: Postmortem
    sections: list[SectionBlock]
    events: list
    metrics: list[tuple[str, str]]
    order_problems: list[str]
    roots: list[services.FactorNode]
    nodes: list[services.FactorNode]
    lessons: list[Lesson]
    actions: list[ActionItem]
    readiness: Readiness
    decisions: list


def page_data(postmortem: Postmortem, *, editing: bool = False) -> PageData:
    """Everything the COE page shows, in a fixed number of queries whatever the COE's size.

    `editing`: the page shows the answers' editors, which name who saved each answer last."""
    version_sections, questions = _questions(postmortem.version)
    answers = {}
    for a in (_ANSWERS_EDITED if editing else _ANSWERS)(postmortem.pk):
        a.document = postmortem
        if a.question_id in questions:
            a.question = questions[a.question_id]  # with its section: loaded once, not per answer
        answers[a.question_id] = a
    actions = _ACTIONS(postmortem.pk)
    factors = _FACTORS(postmortem.pk)
    factors_by_pk = {f.pk: f for f in factors}
    for item in actions:
        item.source_factor = factors_by_pk.get(item.source_factor_id)
    people = services.participant_names(postmortem.pk, author=postmortem.author)
    decisions, flagged_ids = _decisions(postmortem, answers.values())
    roots = services.factor_tree(factors, actions, people)
    lessons = _lessons(postmortem, actions)
    for lesson in lessons:
        lesson.findings = services.quote_findings(
            lesson.text, lint(lesson.text, "lesson", participants=people))
    events = _TIMELINE(postmortem.pk)
    keep_as_prefetched(postmortem, "attachments", _ATTACHMENTS(postmortem.pk))
    nodes = [n for root in roots for n in root.walk()]
    # The gates the page shows read these instead of fetching them again (postmortems.gates).
    postmortem.gate_facts = GateFacts(nodes=nodes, events=events, answers=list(answers.values()),
                                      lesson_texts=[lesson.text for lesson in lessons],
                                      participants=people)
    sections = []
    for section in version_sections:
        block = SectionBlock(section=section)
        for question in section.question_list:
            if section.widget == Section.Widget.METADATA:
                block.metadata.append((question, _label(question), question.binds))
            elif question.pk in answers:
                answer = answers[question.pk]
                lint_field = _answer_field(answer)
                block.answers.append(AnswerRow(
                    answer=answer, flagged=answer.pk in flagged_ids, lint_field=lint_field,
                    findings=services.quote_findings(
                        answer.text, lint(answer.text, lint_field, participants=people))
                    if lint_field else [],
                ))
        sections.append(block)
    return PageData(
        postmortem=postmortem,
        sections=sections,
        events=events,
        metrics=[(METRIC_LABELS[name], services.format_duration(value)) for name, value
                 in services.timeline_metrics(postmortem, events).items()],
        order_problems=services.timeline_order_problems(events, postmortem.incident_tz),
        roots=roots,
        nodes=nodes,
        lessons=lessons,
        actions=actions,
        readiness=service_readiness(postmortem.service),
        decisions=decisions,
    )


# The page's queries, compiled once per process (opsreview.prepared): each takes the COE's id.
_ANSWERS = Prepared(lambda pk: Answer.objects.filter(document_id=pk))
_ANSWERS_EDITED = Prepared(lambda pk: Answer.objects.filter(document_id=pk)
                           .select_related("updated_by"))
_ACTIONS = Prepared(lambda pk: services.with_source_factor(
    ActionItem.objects.filter(document_id=pk).select_related("owner").order_by("created_at", "pk")))
_FACTORS = Prepared(lambda pk: ContributingFactor.objects.filter(postmortem_id=pk))
_TIMELINE = Prepared(lambda pk: TimelineEvent.objects.filter(postmortem_id=pk))
_ATTACHMENTS = Prepared(lambda pk: Attachment.objects.filter(postmortem_id=pk))
# One row per linked item (a lesson without any: one row, item None).
_LESSONS = Prepared(lambda pk: Lesson.objects.filter(postmortem_id=pk)
                    .annotate(item=F("action_items__id")))
# One row per flagged answer (a decision without any: one row, flag None).
_DECISIONS = Prepared(lambda pk: Decision.objects.filter(document_id=pk).select_related("reviewer")
                      .annotate(flag=F("flagged_answers__id")).order_by("created_at", "pk"))
# Each section of a version joined with its questions (a section without any: one row).
_SECTIONS_WITH_QUESTIONS = Prepared(lambda version_id: Section.objects.filter(
    version_id=version_id).values_list(
        *(f.name for f in Section._meta.concrete_fields),
        *(f"questions__{f.name}" for f in Question._meta.concrete_fields),
).order_by("order", "questions__order", "questions__pk"))


def service_readiness(service) -> Readiness:
    """The service's readiness for the "ORR performed" question: remembered like the readiness
    API's answer (opsreview/pagecache.py: until anything is written, the day ends or the
    readiness lapses), as every view of every COE of the service shows the same."""
    return pagecache.remembered(f"coe-readiness:{service.pk}", lambda: readiness(service),
                                until=lambda found: found.expires_at)


def _questions(version) -> tuple[list[Section], dict[int, Question]]:
    """The version's sections, each with `question_list`, and its questions by id (each with
    its section)."""
    section_fields = Section._meta.concrete_fields
    question_fields = Question._meta.concrete_fields
    rows = _SECTIONS_WITH_QUESTIONS(version.pk)
    sections: dict[int, Section] = {}
    questions = {}
    db = version._state.db
    for row in rows:
        section_values, question_values = row[:len(section_fields)], row[len(section_fields):]
        section = sections.get(section_values[0])
        if section is None:
            section = sections[section_values[0]] = Section.from_db(
                db, [f.attname for f in section_fields], section_values)
            section.question_list = []
        if question_values[0] is not None:
            question = Question.from_db(db, [f.attname for f in question_fields],
                                        question_values)
            question.section = section
            section.question_list.append(question)
            questions[question.pk] = question
    return list(sections.values()), questions


def _distinct_with_links(rows, link: str, parent: str, postmortem) -> tuple[list, dict]:
    """`rows` of a join, one per linked id in `link` (a row without any: one, with None): the
    distinct rows in order, each with `parent` set to the COE, and each one's linked ids."""
    found, links = {}, defaultdict(list)
    for row in rows:
        setattr(row, parent, postmortem)
        found.setdefault(row.pk, row)
        if getattr(row, link) is not None:
            links[row.pk].append(getattr(row, link))
    return list(found.values()), links


def _lessons(postmortem: Postmortem, actions: list[ActionItem]) -> list[Lesson]:
    """The COE's lessons, each with `items`: its action items, those of the COE already loaded."""
    lessons, links = _distinct_with_links(_LESSONS(postmortem.pk), "item", "postmortem",
                                          postmortem)
    items = {item.pk: item for item in actions}
    missing = {pk for ids in links.values() for pk in ids} - items.keys()
    if missing:  # an item of another document: never linked by the app, read if it is
        items.update((item.pk, item) for item in
                     ActionItem.objects.filter(pk__in=missing).select_related("owner"))
    for lesson in lessons:
        lesson.items = sorted((items[pk] for pk in links[lesson.pk]),
                              key=lambda item: (item.due_date, item.pk))
    return lessons


def _decisions(postmortem: Postmortem, answers) -> tuple[list[Decision], set[int]]:
    """The COE's decisions, each with `flagged` (the answers it asked to change, from the
    page's own answers), and the ids of the answers flagged in the current round."""
    decisions, flags = _distinct_with_links(_DECISIONS(postmortem.pk), "flag", "document",
                                            postmortem)
    by_pk = {a.pk: a for a in answers}
    flagged_ids = set()
    for d in decisions:
        d.flagged = [by_pk[pk] for pk in sorted(flags[d.pk]) if pk in by_pk]
        if d.round == postmortem.review_round:
            flagged_ids.update(a.pk for a in d.flagged)
    return decisions, flagged_ids
