"""Reads for the COE pages: who sees which postmortem, list filters and search, the page data."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property

from django.db import connection
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet, Subquery

from actions.models import ActionItem
from orr.readiness import Readiness, readiness
from postmortems import services
from postmortems.blamelint import Finding, lint
from postmortems.models import Lesson, Postmortem, Tag
from reviews.forms import AnswerInputs
from reviews.models import Answer, Section, State
from reviews.selectors import visible_documents


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


def page_data(postmortem: Postmortem) -> PageData:
    """Everything the COE page shows, in a fixed number of queries whatever the COE's size."""
    version_sections = list(postmortem.version.sections.prefetch_related("questions"))
    flagged_ids = set(
        Answer.objects.filter(document=postmortem, flagged_by__round=postmortem.review_round)
        .values_list("pk", flat=True)
    )
    answers = {
        a.question_id: a for a in postmortem.answers.select_related("question__section",
                                                                    "updated_by")
    }
    actions = list(services.with_source_factor(
        ActionItem.objects.filter(document=postmortem)
        .select_related("owner").order_by("created_at", "pk")
    ))
    factors = list(postmortem.factors.all())
    factors_by_pk = {f.pk: f for f in factors}
    for item in actions:
        item.source_factor = factors_by_pk.get(item.source_factor_id)
    people = services.participant_names(postmortem.pk)
    roots = services.factor_tree(factors, actions, people)
    lessons = list(postmortem.lessons.prefetch_related(
        Prefetch("action_items", queryset=ActionItem.objects.select_related("owner"))))
    for lesson in lessons:
        lesson.findings = services.quote_findings(
            lesson.text, lint(lesson.text, "lesson", participants=people))
    events = list(postmortem.timeline.all())
    nodes = [n for root in roots for n in root.walk()]
    # The gates the page shows read these instead of fetching them again (postmortems.gates).
    postmortem.gate_facts = GateFacts(nodes=nodes, events=events, answers=list(answers.values()),
                                      lesson_texts=[lesson.text for lesson in lessons],
                                      participants=people)
    sections = []
    for section in version_sections:
        block = SectionBlock(section=section)
        for question in section.questions.all():
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
        readiness=readiness(postmortem.service),
        decisions=list(postmortem.decisions.select_related("reviewer")
                       .prefetch_related("flagged_answers__question")),
    )
