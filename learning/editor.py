"""Editing a draft questionnaire version in the app (ops leads; the Django admin stays for
superusers). Every write goes through the models, whose published-version lock refuses any
change to a published or retired version (`reviews.models.PublishedVersionLocked`).

Keys are stable: rewording a question keeps its key (the lint asks a human to confirm the
meaning did not change); a changed meaning retires the old key and gives the question a new one.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.text import slugify

from reviews.models import PublishedVersionLocked, Question, QuestionnaireVersion, Section


def _require_draft(version: QuestionnaireVersion) -> None:
    if version.status != QuestionnaireVersion.Status.DRAFT:
        raise PublishedVersionLocked(version)


def fresh_key(version: QuestionnaireVersion, text: str, *, prefix: str = "") -> str:
    """A key never used by any version of this questionnaire (so never a retired one)."""
    base = (prefix or slugify(text)[:60]).strip("-") or "question"
    taken = set(Question.objects.filter(
        section__version__questionnaire_id=version.questionnaire_id).values_list("key", flat=True))
    key, n = base, 2
    while key in taken:
        key, n = f"{base}-{n}", n + 1
    return key


@transaction.atomic
def question_add(section: Section, *, by=None, **fields) -> Question:
    _require_draft(section.version)
    key = fields.pop("key", "") or fresh_key(section.version, fields["text"])
    if Question.objects.filter(section__version=section.version, key=key).exists():
        raise ValidationError(f"The key {key!r} is already used in this version.")
    last = section.questions.aggregate(n=Max("order"))["n"] or 0
    return Question.objects.create(section=section, key=key, order=last + 1, **fields)


@transaction.atomic
def question_change(question: Question, *, meaning_changed: bool, by=None, **fields) -> Question:
    """Save the edit; a changed meaning retires the old key and the question gets a new one."""
    _require_draft(question.section.version)
    reworded = fields.get("text", question.text).strip() != question.text.strip()
    if reworded and meaning_changed:
        # The old key is retired from this version on; the lint refuses it ever coming back.
        question.key = fresh_key(question.section.version, fields["text"])
    for name, value in fields.items():
        setattr(question, name, value)
    question.save()
    return question


@transaction.atomic
def question_retire(question: Question) -> str:
    """Drop the question from the draft; its key is retired for good."""
    _require_draft(question.section.version)
    key = question.key
    question.delete()
    return key


@transaction.atomic
def question_move(question: Question, *, step: int = 0, to_section: Section | None = None) -> None:
    version = question.section.version
    _require_draft(version)
    if to_section is not None and to_section.pk != question.section_id:
        if to_section.version_id != version.pk:
            raise ValidationError("A question moves only within its version.")
        question.section = to_section
        question.order = (to_section.questions.aggregate(n=Max("order"))["n"] or 0) + 1
        question.save()
        return
    siblings = list(question.section.questions.order_by("order", "pk"))
    index = next(i for i, q in enumerate(siblings) if q.pk == question.pk)
    target = index + step
    if not 0 <= target < len(siblings):
        return
    siblings[index], siblings[target] = siblings[target], siblings[index]
    for order, sibling in enumerate(siblings, 1):
        if sibling.order != order:
            sibling.order = order
            sibling.save(update_fields=["order"])


@transaction.atomic
def section_add(version: QuestionnaireVersion, *, title: str, guidance: str = "",
                key: str = "") -> Section:
    _require_draft(version)
    key = key or slugify(title)[:60] or "section"
    if version.sections.filter(key=key).exists():
        raise ValidationError(f"The section key {key!r} is already used in this version.")
    last = version.sections.aggregate(n=Max("order"))["n"] or 0
    return Section.objects.create(version=version, key=key, order=last + 1, title=title,
                                  guidance=guidance)


@transaction.atomic
def section_move(section: Section, *, step: int) -> None:
    _require_draft(section.version)
    sections = list(section.version.sections.order_by("order"))
    index = next(i for i, s in enumerate(sections) if s.pk == section.pk)
    target = index + step
    if not 0 <= target < len(sections):
        return
    sections[index], sections[target] = sections[target], sections[index]
    # Two passes: (version, order) is unique.
    top = max(s.order for s in sections)
    for n, item in enumerate(sections, 1):
        item.order = top + n
        item.save(update_fields=["order"])
    for n, item in enumerate(sections, 1):
        item.order = n
        item.save(update_fields=["order"])


@transaction.atomic
def section_retire(section: Section) -> None:
    _require_draft(section.version)
    section.delete()
