"""Questionnaire versions as human-editable YAML: validate, load (idempotently) and dump.

A file describes exactly one version of one questionnaire::

    questionnaire: orr            # Questionnaire.kind
    name: Operational Readiness Review
    version: 1
    status: published             # or draft (the default)
    changelog: ...
    guidance: |
      ...
    sections:
      - key: service-definition
        title: Service Definition and Goals
        widget: questions         # questions | metadata | timeline | factors | lessons | actions
        guidance: ...
        questions:
          - key: customer-view    # stable across versions, unique in the whole version
            text: Describe what your service does from the customer’s point of view.
            kind: markdown        # markdown | choice | yes_no | number | datetime | list
            required: true        # the default
            help: ...
            choices: [...]        # kind choice only
            risk_rules: {no: high}
            binds: title          # metadata sections only: the document field it is answered by

Loading the same content twice is a no-op, recognised by a digest of the canonical content (so
comments, key order and quoting style do not count as changes). A changed file must carry a new
version number: a published version can never change, and a draft that silently diverged from
its file would make the file a lie.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any

import yaml
from django.core.exceptions import ValidationError
from django.core.validators import validate_slug
from django.db import transaction

from reviews.models import (
    Answer,
    Kind,
    Question,
    Questionnaire,
    QuestionnaireVersion,
    Section,
)

TOP_KEYS = ("questionnaire", "name", "version", "status", "changelog", "guidance", "sections")
SECTION_KEYS = ("key", "title", "widget", "guidance", "questions")
QUESTION_KEYS = ("key", "text", "kind", "required", "help", "choices", "risk_rules", "binds")
LOAD_STATUSES = (QuestionnaireVersion.Status.DRAFT, QuestionnaireVersion.Status.PUBLISHED)
RISKS = tuple(value for value in Answer.Risk.values if value)
YES_NO = ("yes", "no")

HEADER = (
    "# One version of a questionnaire (see reviews/loading.py for the format).\n"
    "# A published version never changes: to change it, give this file a new `version`,\n"
    "# set `status: draft`, edit, then `python manage.py load_questionnaire FILE`.\n"
)


class QuestionnaireFileError(ValueError):
    """A questionnaire file that cannot be loaded; lists every problem found, by location."""

    def __init__(self, source: str, problems: list[str]):
        self.source = source
        self.problems = problems
        if len(problems) == 1:
            message = f"{source}: {problems[0]}"
        else:
            listed = "\n".join(f"  - {problem}" for problem in problems)
            message = f"{source}: {len(problems)} problems:\n{listed}"
        super().__init__(message)


# --- validation -----------------------------------------------------------------------------


def _max_length(model, field: str) -> int:
    return model._meta.get_field(field).max_length


class _Checker:
    """Collects problems so that an editor sees all of them at once, each with its location."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def add(self, where: str, problem: str) -> None:
        self.problems.append(f"{where}: {problem}" if where else problem)

    def unknown_keys(self, where: str, mapping: dict, allowed: tuple[str, ...]) -> None:
        # Typos such as "requried" would otherwise silently fall back to a default.
        for name in mapping:
            if name not in allowed:
                self.add(where, f"unknown key {name!r}; expected one of {', '.join(allowed)}")

    def text(self, where: str, mapping: dict, name: str, *, model, field: str,
             required: bool = False, single_line: bool = False) -> str:
        value = mapping.get(name)
        if value is None:
            if required:
                self.add(where, f"missing {name!r}")
            return ""
        if not isinstance(value, str):
            self.add(where, f"{name!r} must be text, not {type(value).__name__}")
            return ""
        # Leading/trailing whitespace is never meaningful; inner spacing is kept verbatim.
        value = value.strip() if single_line else value.rstrip()
        if required and not value:
            self.add(where, f"{name!r} is empty")
        limit = _max_length(model, field)
        if limit and len(value) > limit:
            self.add(where, f"{name!r} is {len(value)} characters long; the limit is {limit}")
        return value

    def key(self, where: str, mapping: dict, *, model) -> str:
        value = self.text(where, mapping, "key", model=model, field="key", required=True,
                          single_line=True)
        if value:
            try:
                validate_slug(value)
            except ValidationError:
                self.add(where, f"key {value!r} must be a slug (letters, digits, - and _)")
        return value


def _where_section(index: int, raw: Any) -> str:
    key = raw.get("key") if isinstance(raw, dict) else None
    return f"section #{index + 1}" + (f" {key!r}" if isinstance(key, str) else "")


def _where_question(section_where: str, index: int, raw: Any) -> str:
    key = raw.get("key") if isinstance(raw, dict) else None
    return f"{section_where}, question #{index + 1}" + (f" {key!r}" if isinstance(key, str) else "")


def _check_choices_and_risks(check: _Checker, where: str, raw: dict, kind: str) -> tuple:
    choices = raw.get("choices") or []
    rules = raw.get("risk_rules") or {}
    if not isinstance(choices, list) or not all(isinstance(c, str) and c for c in choices):
        check.add(where, "'choices' must be a list of non-empty texts")
        choices = []
    if kind == Question.AnswerKind.CHOICE and not choices:
        check.add(where, "a question of kind 'choice' needs a list of 'choices'")
    if kind != Question.AnswerKind.CHOICE and choices:
        check.add(where, "'choices' only apply to questions of kind 'choice'")
    if len(set(choices)) != len(choices):
        check.add(where, "'choices' contains duplicates")
    if not isinstance(rules, dict):
        check.add(where, "'risk_rules' must be a mapping of answer to risk, e.g. {no: high}")
        return choices, {}
    # Question.suggested_risk() looks answers up lower-cased, so rules are stored lower-cased.
    # YAML 1.1 reads a bare `no` as False: accept that spelling too.
    normalised = {}
    for answer, risk in rules.items():
        if isinstance(answer, bool):
            answer = "yes" if answer else "no"
        normalised[str(answer).lower()] = risk
    if kind == Question.AnswerKind.YES_NO:
        allowed = set(YES_NO)
    elif kind == Question.AnswerKind.CHOICE:
        allowed = {c.lower() for c in choices}
    else:
        allowed = set()
    for answer, risk in normalised.items():
        if answer not in allowed:
            if not allowed:
                check.add(where, "'risk_rules' only apply to yes_no and choice questions, "
                                 f"not {kind}")
                break
            check.add(where, f"risk rule for unknown answer {answer!r}; "
                             f"answers are {', '.join(sorted(allowed))}")
        if risk not in RISKS:
            check.add(where, f"risk rule {answer!r}: unknown risk {risk!r}; "
                             f"expected one of {', '.join(RISKS)}")
    return choices, normalised


def _check_question(check: _Checker, where: str, raw: Any, widget: str) -> dict:
    if not isinstance(raw, dict):
        check.add(where, "must be a mapping with at least 'key' and 'text'")
        return {}
    check.unknown_keys(where, raw, QUESTION_KEYS)
    kind = raw.get("kind", Question.AnswerKind.MARKDOWN.value)
    if kind not in Question.AnswerKind.values:
        check.add(where, f"unknown kind {kind!r}; expected one of "
                         f"{', '.join(Question.AnswerKind.values)}")
    required = raw.get("required", True)
    if not isinstance(required, bool):
        check.add(where, "'required' must be true or false")
    binds = check.text(where, raw, "binds", model=Question, field="binds", single_line=True)
    if binds and widget != Section.Widget.METADATA:
        check.add(where, "'binds' only applies to questions in a metadata section")
    choices, rules = _check_choices_and_risks(check, where, raw, kind)
    return {
        "key": check.key(where, raw, model=Question),
        "text": check.text(where, raw, "text", model=Question, field="text", required=True,
                           single_line=True),
        "kind": kind,
        "required": required,
        "help": check.text(where, raw, "help", model=Question, field="help"),
        "choices": choices,
        "risk_rules": rules,
        "binds": binds,
    }


def _check_section(check: _Checker, where: str, raw: Any) -> dict:
    if not isinstance(raw, dict):
        check.add(where, "must be a mapping with at least 'key' and 'title'")
        return {"questions": []}
    check.unknown_keys(where, raw, SECTION_KEYS)
    widget = raw.get("widget", Section.Widget.QUESTIONS.value)
    if widget not in Section.Widget.values:
        check.add(where, f"unknown widget {widget!r}; expected one of "
                         f"{', '.join(Section.Widget.values)}")
    questions = raw.get("questions") or []
    if not isinstance(questions, list):
        check.add(where, "'questions' must be a list")
        questions = []
    if widget == Section.Widget.QUESTIONS and not questions:
        check.add(where, "a section with the 'questions' widget needs at least one question")
    return {
        "key": check.key(where, raw, model=Section),
        "title": check.text(where, raw, "title", model=Section, field="title", required=True,
                            single_line=True),
        "widget": widget,
        "guidance": check.text(where, raw, "guidance", model=Section, field="guidance"),
        "questions": [
            _check_question(check, _where_question(where, i, q), q, widget)
            for i, q in enumerate(questions)
        ],
    }


def _check_duplicates(check: _Checker, sections: list[dict]) -> None:
    # Section keys are unique per version; question keys too, across sections, because answers
    # move between versions by question key alone.
    seen_sections: dict[str, int] = {}
    seen_questions: dict[str, str] = {}
    for index, section in enumerate(sections):
        key = section.get("key")
        where = f"section #{index + 1} {key!r}"
        if key and key in seen_sections:
            check.add(where, f"duplicate section key {key!r} (also section #{seen_sections[key]})")
        seen_sections.setdefault(key, index + 1)
        for question in section["questions"]:
            qkey = question.get("key")
            if qkey and qkey in seen_questions:
                check.add(where, f"duplicate question key {qkey!r} "
                                 f"(also in section {seen_questions[qkey]!r})")
            seen_questions.setdefault(qkey, key)


def validate_questionnaire(raw: Any, source: str = "<data>") -> dict:
    """The canonical form of a parsed file (all defaults filled in), or QuestionnaireFileError."""
    check = _Checker()
    if not isinstance(raw, dict):
        raise QuestionnaireFileError(source, ["the file must be a YAML mapping (questionnaire, "
                                              "name, version, sections, …)"])
    check.unknown_keys("", raw, TOP_KEYS)
    kind = raw.get("questionnaire")
    if kind not in Kind.values:
        check.add("", f"'questionnaire' must be one of {', '.join(Kind.values)}, not {kind!r}")
    number = raw.get("version")
    if isinstance(number, bool) or not isinstance(number, int) or number < 1:
        check.add("", f"'version' must be a whole number from 1 up, not {number!r}")
    status = raw.get("status", QuestionnaireVersion.Status.DRAFT.value)
    if status not in LOAD_STATUSES:
        check.add("", f"'status' must be draft or published, not {status!r}")
    sections = raw.get("sections")
    if not isinstance(sections, list) or not sections:
        check.add("", "'sections' must be a non-empty list")
        sections = []
    data = {
        "questionnaire": kind,
        "name": check.text("", raw, "name", model=Questionnaire, field="name", required=True,
                           single_line=True),
        "version": number,
        "status": status,
        "changelog": check.text("", raw, "changelog", model=QuestionnaireVersion,
                                field="changelog"),
        "guidance": check.text("", raw, "guidance", model=QuestionnaireVersion,
                               field="guidance"),
        "sections": [
            _check_section(check, _where_section(i, s), s) for i, s in enumerate(sections)
        ],
    }
    _check_duplicates(check, data["sections"])
    if check.problems:
        raise QuestionnaireFileError(source, check.problems)
    return data


def parse_questionnaire(text: str, source: str = "<text>") -> dict:
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise QuestionnaireFileError(source, [f"not valid YAML: {exc}"]) from exc
    return validate_questionnaire(raw, source)


def content_digest(data: dict) -> str:
    """sha256 of the canonical content. `status` is left out: it says what to do on load."""
    content = {name: value for name, value in data.items() if name != "status"}
    encoded = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(encoded.encode("utf-8")).hexdigest()


# --- loading --------------------------------------------------------------------------------


def load_questionnaire_file(path: str | Path) -> tuple[QuestionnaireVersion, bool]:
    """Load one YAML file; returns the version and whether it was created (False: unchanged)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise QuestionnaireFileError(str(path), [f"cannot read the file: {exc}"]) from exc
    return load_questionnaire_data(parse_questionnaire(text, str(path)), str(path))


@transaction.atomic
def load_questionnaire_data(
    data: dict, source: str = "<data>"
) -> tuple[QuestionnaireVersion, bool]:
    """Create the version described by validated `data`, unless it is already loaded."""
    digest = content_digest(data)
    questionnaire, _ = Questionnaire.objects.get_or_create(
        kind=data["questionnaire"], defaults={"name": data["name"]}
    )
    existing = (
        questionnaire.versions.select_for_update().filter(number=data["version"]).first()
    )
    if existing is not None:
        if existing.source_digest == digest:
            return existing, False
        raise QuestionnaireFileError(source, [_conflict_message(existing, data)])
    version = _create_version(questionnaire, data, digest, source)
    if data["status"] == QuestionnaireVersion.Status.PUBLISHED:
        # Published through the lint like any other version: a file with a lint error is
        # refused (and nothing of it is kept), the shipped v1 files pass it.
        try:
            version.publish()
        except ValidationError as exc:
            raise QuestionnaireFileError(source, exc.messages) from exc
    return version, True


def _conflict_message(existing: QuestionnaireVersion, data: dict) -> str:
    label = f"version {existing.number} of {data['questionnaire']}"
    if not existing.source_digest:
        return (f"{label} already exists and was not loaded from a file (made in the admin or "
                "copied); give the file a new version number")
    return f"{label} is already loaded from different content; give the file a new version number"


def _saved(instance, where: str, source: str):
    # Backstop for anything the file checks missed (field validators); names the location.
    try:
        instance.full_clean()
    except ValidationError as exc:
        problems = [f"{where}: {field}: {' '.join(msgs)}"
                    for field, msgs in exc.message_dict.items()]
        raise QuestionnaireFileError(source, problems) from exc
    instance.save()
    return instance


def _create_version(questionnaire: Questionnaire, data: dict, digest: str,
                    source: str) -> QuestionnaireVersion:
    version = _saved(QuestionnaireVersion(
        questionnaire=questionnaire,
        number=data["version"],
        changelog=data["changelog"],
        guidance=data["guidance"],
        source_digest=digest,
    ), f"version {data['version']}", source)
    for order, item in enumerate(data["sections"], start=1):
        where = f"section #{order} {item['key']!r}"
        section = _saved(Section(
            version=version, key=item["key"], order=order, title=item["title"],
            guidance=item["guidance"], widget=item["widget"],
        ), where, source)
        for position, question in enumerate(item["questions"], start=1):
            _saved(Question(section=section, order=position, **question),
                   f"{where}, question #{position} {question['key']!r}", source)
    return version


# --- dumping --------------------------------------------------------------------------------


def version_to_data(version: QuestionnaireVersion) -> dict:
    """The canonical form of a stored version: what validate_questionnaire() returns."""
    # A retired version was published once; the file format only knows draft and published.
    status = "draft" if version.status == QuestionnaireVersion.Status.DRAFT else "published"
    sections = version.sections.order_by("order").prefetch_related("questions")
    return {
        "questionnaire": version.questionnaire.kind,
        "name": version.questionnaire.name,
        "version": version.number,
        "status": status,
        "changelog": version.changelog,
        "guidance": version.guidance,
        "sections": [
            {
                "key": section.key,
                "title": section.title,
                "widget": section.widget,
                "guidance": section.guidance,
                "questions": [
                    {
                        "key": q.key, "text": q.text, "kind": q.kind, "required": q.required,
                        "help": q.help, "choices": q.choices, "risk_rules": q.risk_rules,
                        "binds": q.binds,
                    }
                    for q in sorted(section.questions.all(), key=lambda q: q.order)
                ],
            }
            for section in sections
        ],
    }


def dump_version(version: QuestionnaireVersion) -> str:
    """YAML of a stored version, in the file format: copy it, bump `version`, edit, load.

    The file always says `status: draft`: it is the starting point of a new version, and
    publishing one stays a deliberate step. Loading it unchanged is a no-op (status is not part
    of the digest).
    """
    data = version_to_data(version)
    data["status"] = QuestionnaireVersion.Status.DRAFT.value
    state = version.status
    if version.published_at:
        published = f"published {version.published_at:%Y-%m-%d}"
        is_published = state == QuestionnaireVersion.Status.PUBLISHED
        state = published if is_published else f"{state}; {published}"
    origin = f"# Dumped from {version.questionnaire.kind} version {version.number} ({state}).\n"
    return origin + dump_data(data)


def get_version(kind: str, number: int) -> QuestionnaireVersion:
    """The stored version, or LookupError saying which versions exist."""
    version = (
        QuestionnaireVersion.objects.select_related("questionnaire")
        .filter(questionnaire__kind=kind, number=number)
        .first()
    )
    if version is None:
        numbers = list(
            QuestionnaireVersion.objects.filter(questionnaire__kind=kind)
            .order_by("number")
            .values_list("number", flat=True)
        )
        known = ", ".join(map(str, numbers)) if numbers else "none"
        raise LookupError(f"there is no version {number} of {kind!r} (versions: {known})")
    return version


class _Dumper(yaml.SafeDumper):
    """Block style for multi-line text, indented lists, no line folding: easy to edit by hand."""

    def increase_indent(self, flow: bool = False, indentless: bool = False):
        return super().increase_indent(flow, False)


def _represent_str(dumper: yaml.SafeDumper, value: str):
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _represent_str)


def _yaml(value: Any) -> str:
    return yaml.dump(value, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100_000)


def _compact_question(question: dict) -> dict:
    # Only what differs from the defaults, so files stay short; kind is always spelled out.
    out = {"key": question["key"], "text": question["text"], "kind": question["kind"]}
    if question["required"] is not True:
        out["required"] = question["required"]
    for name in ("help", "choices", "risk_rules", "binds"):
        if question[name]:
            out[name] = question[name]
    return out


def _compact_section(section: dict) -> dict:
    out = {"key": section["key"], "title": section["title"], "widget": section["widget"]}
    if section["guidance"]:
        out["guidance"] = section["guidance"]
    if section["questions"]:
        out["questions"] = [_compact_question(q) for q in section["questions"]]
    return out


def dump_data(data: dict) -> str:
    """The file text for canonical `data`; one blank line between sections for readability."""
    header = {name: data[name] for name in TOP_KEYS[:-1] if data[name] or name == "version"}
    parts = [HEADER, _yaml(header), "sections:\n"]
    sections = []
    for section in data["sections"]:
        text = _yaml([_compact_section(section)])
        sections.append(re.sub(r"^(?=.)", "  ", text, flags=re.MULTILINE))
    parts.append("\n".join(sections))
    return "".join(parts)
