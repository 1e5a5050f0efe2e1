"""Lint a questionnaire version before it is published.

Each rule is one small function that yields findings; `lint(version)` runs them all. An *error*
refuses publishing (`QuestionnaireVersion.publish` asks `lint`, so the admin action, the
`publish_questionnaire` command and the pages all get the same refusal); a *warning* asks a
human to look (a reworded question keeps its key: is the meaning really unchanged?).

The rules compare the draft with the history of its questionnaire where that matters: a
question whose text differs from the latest published version under the same key is
"reworded"; a key that was dropped by a later version is "retired" and may never come back.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from reviews.models import Kind, Question, Questionnaire, QuestionnaireVersion, Section

ERROR = "error"
WARNING = "warning"
CHOICE_KINDS = (Question.AnswerKind.YES_NO, Question.AnswerKind.CHOICE)


@dataclass(frozen=True)
class Finding:
    level: str
    rule: str
    where: str
    message: str

    @property
    def is_error(self) -> bool:
        return self.level == ERROR

    def __str__(self) -> str:
        return f"{self.level}: {self.where}: {self.message} [{self.rule}]"


class _Snapshot:
    """The version's kind, sections and questions, read once (three queries)."""

    def __init__(self, version: QuestionnaireVersion):
        self.version = version
        self.kind = Questionnaire.objects.filter(pk=version.questionnaire_id) \
            .values_list("kind", flat=True).first()
        self.sections = list(Section.objects.filter(version=version).order_by("order"))
        self.questions = list(
            Question.objects.filter(section__version=version)
            .select_related("section")
            .order_by("section__order", "order")
        )


def answers_of(question: Question) -> list[str]:
    """The lower-cased answers a rated question can receive (what a risk rule can name)."""
    if question.kind == Question.AnswerKind.YES_NO:
        return ["yes", "no"]
    if question.kind == Question.AnswerKind.CHOICE:
        return [str(choice).lower() for choice in (question.choices or [])]
    return []


def _where(question: Question) -> str:
    return f"{question.section.key}/{question.key}"


# --- the rules ------------------------------------------------------------------------------


def rule_unique_keys(snap: _Snapshot, history: dict):
    seen: dict[str, str] = {}
    for question in snap.questions:
        if question.key in seen:
            yield Finding(ERROR, "unique-keys", _where(question),
                          f"key {question.key!r} is also used in section {seen[question.key]!r}")
        else:
            seen[question.key] = question.section.key
    section_keys: set[str] = set()
    for section in snap.sections:
        if section.key in section_keys:
            yield Finding(ERROR, "unique-keys", section.key, "section key used twice")
        section_keys.add(section.key)


def rule_guidance(snap: _Snapshot, history: dict):
    # A question's own help, or else its section's guidance, tells the author what a good
    # answer looks like. A readiness question is rated by a reviewer against that guidance,
    # so without it the ORR question is an error. A postmortem prompt usually carries its own
    # instruction ("Discuss customer-impact during the event. Explicitly mention the number of
    # impacted customers."); in a COE questionnaire a missing guidance is only worth a look.
    level = ERROR if snap.kind == Kind.ORR else WARNING
    for question in snap.questions:
        if question.section.widget != Section.Widget.QUESTIONS:
            continue
        if not question.help.strip() and not question.section.guidance.strip():
            yield Finding(level, "guidance", _where(question),
                          "has no guidance (neither its own help nor its section's guidance)")


def rule_risk_rule(snap: _Snapshot, history: dict):
    for question in snap.questions:
        if question.kind in CHOICE_KINDS and not question.risk_rules:
            yield Finding(ERROR, "risk-rule", _where(question),
                          "a yes/no or choice question needs a risk rule (which answers are "
                          "high, medium or no risk)")


def rule_reachable_levels(snap: _Snapshot, history: dict):
    for question in snap.questions:
        rules = question.risk_rules or {}
        if not isinstance(rules, dict):
            yield Finding(ERROR, "risk-levels-reachable", _where(question),
                          "risk rules must map answers to levels")
            continue
        answers = set(answers_of(question))
        reachable = defaultdict(bool)
        for answer, level in rules.items():
            reachable[level] |= str(answer).lower() in answers
        for level, ok in reachable.items():
            if not ok:
                named = ", ".join(sorted(a for a, lv in rules.items() if lv == level))
                yield Finding(ERROR, "risk-levels-reachable", _where(question),
                              f"risk level {level!r} is named by the rule but no answer reaches "
                              f"it (the rule names {named}, which is not an answer)")


def rule_choice_in_one_level(snap: _Snapshot, history: dict):
    for question in snap.questions:
        rules = question.risk_rules if isinstance(question.risk_rules, dict) else {}
        levels: dict[str, set[str]] = defaultdict(set)
        for answer, level in rules.items():
            levels[str(answer).strip().lower()].add(level)
        for answer, named in sorted(levels.items()):
            if len(named) > 1:
                yield Finding(ERROR, "choice-in-one-level", _where(question),
                              f"answer {answer!r} is in several risk levels: "
                              f"{', '.join(sorted(named))}")


def rule_no_empty_section(snap: _Snapshot, history: dict):
    used = {question.section_id for question in snap.questions}
    for section in snap.sections:
        if section.widget == Section.Widget.QUESTIONS and section.pk not in used:
            yield Finding(ERROR, "no-empty-section", section.key, "section has no questions")


def rule_reworded(snap: _Snapshot, history: dict):
    previous = history["previous"]
    for question in snap.questions:
        before = previous.get(question.key)
        if before is not None and before.strip() != question.text.strip():
            yield Finding(WARNING, "reworded", _where(question),
                          f"reworded since v{history['previous_number']}: was "
                          f"{before[:120]!r}. Same key means the same meaning: if the "
                          "meaning changed, give the question a new key")


def rule_retired_keys(snap: _Snapshot, history: dict):
    retired = history["retired"]
    for question in snap.questions:
        if question.key in retired:
            yield Finding(ERROR, "retired-key-reused", _where(question),
                          f"key {question.key!r} was retired in v{retired[question.key]}; a "
                          "retired key never comes back (answers would map to the wrong meaning)")


RULES = (
    rule_unique_keys,
    rule_guidance,
    rule_risk_rule,
    rule_reachable_levels,
    rule_choice_in_one_level,
    rule_no_empty_section,
    rule_reworded,
    rule_retired_keys,
)


def _history(version: QuestionnaireVersion) -> dict:
    """Keys by earlier version: the latest published texts, and keys retired since (one query)."""
    rows = (
        Question.objects.filter(
            section__version__questionnaire_id=version.questionnaire_id,
            section__version__number__lt=version.number,
        )
        .exclude(section__version__status=QuestionnaireVersion.Status.DRAFT)
        .values_list("section__version__number", "key", "text")
    )
    by_number: dict[int, dict[str, str]] = defaultdict(dict)
    for number, key, text in rows:
        by_number[number][key] = text
    numbers = sorted(by_number)
    retired: dict[str, int] = {}
    for earlier, later in zip(numbers, numbers[1:], strict=False):
        for key in by_number[earlier]:
            if key not in by_number[later] and key not in retired:
                retired[key] = later
    # A key retired and (wrongly) brought back later still counts as retired.
    previous_number = numbers[-1] if numbers else None
    return {
        "previous": by_number[previous_number] if numbers else {},
        "previous_number": previous_number,
        "retired": retired,
    }


def lint(version: QuestionnaireVersion) -> list[Finding]:
    snap = _Snapshot(version)
    history = _history(version)
    findings: list[Finding] = []
    for rule in RULES:
        findings.extend(rule(snap, history))
    return findings


def errors(findings: list[Finding]) -> list[Finding]:
    return [finding for finding in findings if finding.is_error]
