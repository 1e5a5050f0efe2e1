"""What-if before publishing: the draft against the current published version, per service.

For every service whose latest ORR is approved or still open: which new questions it must
answer, which of its answers no longer map (the key is gone, or the choice no longer offered),
and where the changed risk rules would now make an answer a gap. A constant number of queries,
however many services.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from reviews.models import Answer, Document, Question, QuestionnaireVersion, State

GAP = ("high", "medium")


@dataclass
class ServiceImpact:
    document: Document
    new_questions: list[str] = field(default_factory=list)
    unmapped: list[str] = field(default_factory=list)
    new_gaps: list[str] = field(default_factory=list)

    @property
    def service(self):
        return self.document.service

    @property
    def affected(self) -> bool:
        return bool(self.new_questions or self.unmapped or self.new_gaps)


@dataclass
class WhatIf:
    draft: QuestionnaireVersion
    base: QuestionnaireVersion | None
    added: list[Question]
    changed: list[Question]
    removed: list[str]
    rows: list[ServiceImpact]

    @property
    def must_answer(self) -> list[ServiceImpact]:
        return [row for row in self.rows if row.new_questions]

    @property
    def approved_must_answer(self) -> list[ServiceImpact]:
        return [row for row in self.must_answer if row.document.state == State.APPROVED]

    @property
    def tier1_must_answer(self) -> list[ServiceImpact]:
        return [row for row in self.approved_must_answer if row.service.tier == 1]

    @property
    def with_new_gaps(self) -> list[ServiceImpact]:
        return [row for row in self.rows if row.new_gaps]

    @property
    def with_unmapped(self) -> list[ServiceImpact]:
        return [row for row in self.rows if row.unmapped]

    def summary(self) -> str:
        label = f"v{self.draft.number}"
        n = len(self.added)
        return (f"{label} adds {n} question{'s' if n != 1 else ''}; "
                f"{len(self.approved_must_answer)} approved services must answer them; "
                f"{len(self.tier1_must_answer)} of them tier 1")


def _value(choice: str) -> str:
    return str(choice or "").strip().lower()


def _suggested(rules: dict, choice: str) -> str:
    return (rules or {}).get(_value(choice), "")


def previous_version(version: QuestionnaireVersion) -> QuestionnaireVersion | None:
    """The published (or since retired) version before `version`: what it is compared with."""
    return (
        version.questionnaire.versions.exclude(status=QuestionnaireVersion.Status.DRAFT)
        .filter(number__lt=version.number).order_by("-number").first()
    )


def what_if(draft: QuestionnaireVersion) -> WhatIf:
    base = previous_version(draft)
    draft_questions = {q.key: q for q in draft.questions()}
    base_questions = {q.key: q for q in base.questions()} if base else {}
    added = [q for key, q in draft_questions.items() if key not in base_questions]
    changed = [q for key, q in draft_questions.items()
               if key in base_questions and (
                   q.text.strip() != base_questions[key].text.strip()
                   or q.risk_rules != base_questions[key].risk_rules
                   or q.choices != base_questions[key].choices)]
    removed = [key for key in base_questions if key not in draft_questions]
    new_required = [q.key for q in added if q.required]

    documents = list(
        Document.objects.alive().filter(kind=draft.questionnaire.kind)
        .select_related("service__team").order_by("service_id", "-created_at")
    )
    latest: dict[int, Document] = {}
    for document in documents:
        latest.setdefault(document.service_id, document)
    answers = (
        Answer.objects.filter(document_id__in=[d.pk for d in latest.values()])
        .values_list("document_id", "question__key", "text", "choice", "risk")
    )
    by_document: dict[int, dict[str, tuple]] = {}
    for document_id, key, text, choice, risk in answers:
        by_document.setdefault(document_id, {})[key] = (text, choice, risk)

    rows = []
    for document in sorted(latest.values(), key=lambda d: (d.service.tier, d.service.name)):
        given = by_document.get(document.pk, {})
        row = ServiceImpact(document=document)
        row.new_questions = [key for key in new_required
                             if not (given.get(key) and (given[key][0].strip() or given[key][1]))]
        for key, (text, choice, risk) in given.items():
            if not (text.strip() or choice):
                continue
            question = draft_questions.get(key)
            if question is None:
                row.unmapped.append(f"{key}: question removed")
                continue
            if question.kind == Question.AnswerKind.CHOICE and choice and _value(choice) not in {
                    _value(c) for c in question.choices}:
                row.unmapped.append(f"{key}: choice {choice!r} no longer offered")
            if not choice or risk == Answer.Risk.NOT_APPLICABLE:
                continue
            before = base_questions.get(key)
            was_gap = risk in GAP or (before is not None and _suggested(before.risk_rules,
                                                                        choice) in GAP)
            now = _suggested(question.risk_rules, choice)
            if now in GAP and not was_gap:
                row.new_gaps.append(f"{key}: {choice!r} is now {now} risk")
        rows.append(row)
    return WhatIf(draft=draft, base=base, added=added, changed=changed, removed=removed,
                  rows=rows)
