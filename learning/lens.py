"""Exchange with the AWS Well-Architected Tool: a questionnaire version as a custom lens JSON.

The lens format (schema version 2021-11-01) as documented in the Well-Architected Tool user
guide ("Lens format specification"): a lens has a `name` and `description`; `pillars` (our
sections) each with `id`, `name` and `questions`; a question has `id`, `title`, `description`,
`helpfulResource` (our guidance), `choices` (each `id`, `title`, `helpfulResource`,
`improvementPlan`) and `riskRules` (`condition` → `risk`, with a `default` condition). The
documented limits are in `LIMITS`; whatever had to be shortened is listed in the export's
notes (and summarised at the end of the lens description).

Mapping, chosen so that export → import gives back the same keys, texts and risk rules:

* question key → question id, section key → pillar id;
* a yes/no question → choices `yes` and `no`; a choice question → one choice per answer
  (id `c1`, `c2`…, title the answer); any other kind → one choice `answered_<kind>`;
* our risk rule `{answer: level}` → one condition per rated answer (`yes`, `c2`…) with
  `HIGH_RISK`/`MEDIUM_RISK`/`NO_RISK`; the required `default` condition is `HIGH_RISK`
  (no rated answer chosen: treat as high);
* a question text longer than a title is cut with "…" and given whole in `description`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Max

from reviews.models import Question, Questionnaire, QuestionnaireVersion, Section

SCHEMA_VERSION = "2021-11-01"
MAX_BYTES = 500 * 1024          # "A custom lens cannot exceed 500 KB in size."
MAX_DEPTH = 8                   # the format nests lens → pillars → questions → choices → text
LIMITS = {
    "lens_name": 128,
    "lens_description": 2048,
    "pillars": 10,
    "pillar_id": 100,
    "pillar_name": 128,
    "questions_per_pillar": 20,
    "question_id": 100,
    "question_title": 128,
    "question_description": 2048,
    "question_resource": 2048,
    "choices_per_question": 15,
    "choice_id": 100,
    "choice_title": 64,
    "choice_resource": 1024,
    "choice_plan": 1024,
}
TO_LENS_RISK = {"high": "HIGH_RISK", "medium": "MEDIUM_RISK", "none": "NO_RISK"}
FROM_LENS_RISK = {value: key for key, value in TO_LENS_RISK.items()}
ELLIPSIS = "…"


class LensError(ValueError):
    """A lens file that cannot be imported; lists every problem with its location."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("; ".join(problems[:10]) + (" …" if len(problems) > 10 else ""))


@dataclass
class Export:
    lens: dict
    notes: list[str] = field(default_factory=list)

    def dumps(self) -> str:
        return json.dumps(self.lens, indent=2, ensure_ascii=False)


def _cut(text: str, limit: int, what: str, notes: list[str]) -> str:
    text = text or ""
    if len(text) <= limit:
        return text
    notes.append(f"{what}: shortened from {len(text)} to {limit} characters")
    return text[: limit - 1] + ELLIPSIS


def _choice_ids(question: Question) -> list[tuple[str, str, str]]:
    """(choice id, title, our answer) for a question."""
    if question.kind == Question.AnswerKind.YES_NO:
        return [("yes", "Yes", "yes"), ("no", "No", "no")]
    if question.kind == Question.AnswerKind.CHOICE:
        return [(f"c{i}", str(c), str(c).lower()) for i, c in enumerate(question.choices, 1)]
    # The kind rides in the id, so the round trip keeps it (e.g. `answered_markdown`).
    return [(f"answered_{question.kind}", "Answered", "")]


def export_lens(version: QuestionnaireVersion) -> Export:
    notes: list[str] = []
    sections = list(version.sections.filter(widget=Section.Widget.QUESTIONS).order_by("order")
                    .prefetch_related("questions"))
    if len(sections) > LIMITS["pillars"]:
        notes.append(f"{len(sections)} sections, the lens allows {LIMITS['pillars']}: "
                     f"left out {', '.join(s.key for s in sections[LIMITS['pillars']:])}")
        sections = sections[: LIMITS["pillars"]]
    pillars = []
    for section in sections:
        questions = sorted(section.questions.all(), key=lambda q: q.order)
        if len(questions) > LIMITS["questions_per_pillar"]:
            notes.append(f"section {section.key}: {len(questions)} questions, the lens allows "
                         f"{LIMITS['questions_per_pillar']}: left out "
                         f"{', '.join(q.key for q in questions[LIMITS['questions_per_pillar']:])}")
            questions = questions[: LIMITS["questions_per_pillar"]]
        pillars.append({
            "id": section.key,
            "name": _cut(section.title, LIMITS["pillar_name"], f"section {section.key} title",
                         notes),
            "questions": [_export_question(q, notes) for q in questions],
        })
    description = version.guidance.strip() or f"{version} exported from OpsReview."
    lens = {
        "schemaVersion": SCHEMA_VERSION,
        "name": _cut(f"{version.questionnaire.name} v{version.number}", LIMITS["lens_name"],
                     "lens name", notes),
        "description": "",
        "pillars": pillars,
    }
    suffix = f"\n\nShortened on export: {len(notes)} item(s)." if notes else ""
    room = LIMITS["lens_description"] - len(suffix)
    lens["description"] = description + suffix
    if len(description) > room:
        notes.append("lens description (the questionnaire's guidance): shortened to "
                     f"{room} characters")
        lens["description"] = description[: room - 1] + ELLIPSIS + suffix
    return Export(lens=lens, notes=notes)


def _export_question(question: Question, notes: list[str]) -> dict:
    where = f"question {question.key}"
    text = question.text.strip()
    title = _cut(text, LIMITS["question_title"], f"{where} title (whole text kept in its "
                 "description)", notes)
    description = text if title != text else ""
    description = _cut(description, LIMITS["question_description"], f"{where} description",
                       notes)
    choices = _choice_ids(question)
    if len(choices) > LIMITS["choices_per_question"]:
        notes.append(f"{where}: {len(choices)} choices, the lens allows "
                     f"{LIMITS['choices_per_question']}: the rest left out")
        choices = choices[: LIMITS["choices_per_question"]]
    rules = []
    for choice_id, _title, answer in choices:
        level = (question.risk_rules or {}).get(answer)
        if level in TO_LENS_RISK:
            rules.append({"condition": choice_id, "risk": TO_LENS_RISK[level]})
    rules.append({"condition": "default", "risk": "HIGH_RISK"})
    exported = {
        "id": question.key,
        "title": title,
        "description": description,
        "choices": [
            {
                "id": choice_id,
                "title": _cut(title_, LIMITS["choice_title"], f"{where} choice {choice_id}",
                              notes),
                "helpfulResource": {
                    "displayText": f"Answer: {title_}"[: LIMITS["choice_resource"]]
                },
                "improvementPlan": {
                    "displayText": "Follow the question's guidance to lower this risk."
                },
            }
            for choice_id, title_, _answer in choices
        ],
        "riskRules": rules,
    }
    if question.help.strip():
        exported["helpfulResource"] = {"displayText": _cut(
            question.help.strip(), LIMITS["question_resource"], f"{where} guidance", notes)}
    return exported


# --- import ---------------------------------------------------------------------------------


def _depth(raw: str) -> int:
    """The deepest bracket nesting of a JSON text, without parsing it (strings skipped)."""
    depth = deepest = 0
    in_string = escaped = False
    for ch in raw:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in "]}":
            depth -= 1
    return deepest


def parse_lens(raw: bytes | str) -> dict:
    """Size, nesting, JSON and the documented structure and limits, in that order."""
    if isinstance(raw, bytes):
        if len(raw) > MAX_BYTES:
            raise LensError([f"the file is {len(raw) // 1024} KB; a lens is at most 500 KB"])
        try:
            raw = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise LensError(["the file is not UTF-8 text"]) from exc
    if len(raw.encode("utf-8")) > MAX_BYTES:
        raise LensError(["the file is larger than 500 KB, the most a lens may be"])
    if _depth(raw) > MAX_DEPTH:
        raise LensError([f"the JSON nests deeper than {MAX_DEPTH} levels; a lens never does"])
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise LensError([f"not valid JSON: {exc.msg} at line {exc.lineno}"]) from exc
    problems = validate_lens(data)
    if problems:
        raise LensError(problems)
    return data


def _text(problems, where, mapping, name, limit, required=True) -> str:
    value = mapping.get(name)
    if value is None:
        if required:
            problems.append(f"{where}: missing {name!r}")
        return ""
    if not isinstance(value, str):
        problems.append(f"{where}: {name!r} must be text, not {type(value).__name__}")
        return ""
    if required and not value.strip():
        problems.append(f"{where}: {name!r} is empty")
    if len(value) > limit:
        problems.append(f"{where}: {name!r} is {len(value)} characters; the lens allows {limit}")
    return value


def _list(problems, where, mapping, name, limit) -> list:
    value = mapping.get(name)
    if not isinstance(value, list):
        problems.append(f"{where}: {name!r} must be a list")
        return []
    if not value:
        problems.append(f"{where}: {name!r} is empty")
    if len(value) > limit:
        problems.append(f"{where}: {len(value)} {name}; the lens allows {limit}")
        return []
    return value


def _resource(problems, where, mapping, name, limit, required=False) -> None:
    value = mapping.get(name)
    if value is None:
        if required:
            problems.append(f"{where}: missing {name!r}")
        return
    if not isinstance(value, dict):
        problems.append(f"{where}: {name!r} must be an object with displayText")
        return
    _text(problems, f"{where} {name}", value, "displayText", limit)


def _identified(problems, where, entry, seen: set, limit) -> bool:
    """An entry of a lens list: an object whose `id` is unique among `seen` (which it joins).
    False (and the problem noted) when it is not an object at all."""
    if not isinstance(entry, dict):
        problems.append(f"{where}: must be an object")
        return False
    entry_id = _text(problems, where, entry, "id", limit)
    if entry_id in seen:
        problems.append(f"{where}: id {entry_id!r} used twice")
    seen.add(entry_id)
    return True


def validate_lens(data) -> list[str]:
    """Every problem against the documented lens format, each with its location."""
    problems: list[str] = []
    if not isinstance(data, dict):
        return [f"a lens is a JSON object, not {type(data).__name__}"]
    if data.get("schemaVersion") != SCHEMA_VERSION:
        problems.append(f"schemaVersion must be {SCHEMA_VERSION!r}")
    _text(problems, "lens", data, "name", LIMITS["lens_name"])
    _text(problems, "lens", data, "description", LIMITS["lens_description"], required=False)
    ids: set[str] = set()
    for p, pillar in enumerate(_list(problems, "lens", data, "pillars", LIMITS["pillars"]), 1):
        where = f"pillar {p}"
        if not _identified(problems, where, pillar, ids, LIMITS["pillar_id"]):
            continue
        _text(problems, where, pillar, "name", LIMITS["pillar_name"])
        for q, question in enumerate(_list(problems, where, pillar, "questions",
                                           LIMITS["questions_per_pillar"]), 1):
            qwhere = f"{where} question {q}"
            if not _identified(problems, qwhere, question, ids, LIMITS["question_id"]):
                continue
            _text(problems, qwhere, question, "title", LIMITS["question_title"])
            _text(problems, qwhere, question, "description", LIMITS["question_description"],
                  required=False)
            _resource(problems, qwhere, question, "helpfulResource",
                      LIMITS["question_resource"])
            choice_ids = set()
            for c, choice in enumerate(_list(problems, qwhere, question, "choices",
                                             LIMITS["choices_per_question"]), 1):
                cwhere = f"{qwhere} choice {c}"
                if not _identified(problems, cwhere, choice, choice_ids, LIMITS["choice_id"]):
                    continue
                _text(problems, cwhere, choice, "title", LIMITS["choice_title"])
                _resource(problems, cwhere, choice, "helpfulResource", LIMITS["choice_resource"])
                _resource(problems, cwhere, choice, "improvementPlan", LIMITS["choice_plan"],
                          required=True)
            rules = question.get("riskRules")
            if not isinstance(rules, list) or not rules:
                problems.append(f"{qwhere}: 'riskRules' must be a non-empty list")
                continue
            has_default = False
            for r, rule in enumerate(rules, 1):
                rwhere = f"{qwhere} risk rule {r}"
                if not isinstance(rule, dict):
                    problems.append(f"{rwhere}: must be an object")
                    continue
                condition = _text(problems, rwhere, rule, "condition", 1000)
                if rule.get("risk") not in FROM_LENS_RISK:
                    problems.append(f"{rwhere}: 'risk' must be HIGH_RISK, MEDIUM_RISK or "
                                    "NO_RISK")
                if condition == "default":
                    has_default = True
                elif condition:
                    named = {t for t in condition.replace("(", " ").replace(")", " ")
                             .replace("!", " ").replace("&&", " ").replace("||", " ").split()}
                    unknown = named - choice_ids
                    if unknown:
                        problems.append(f"{rwhere}: condition names unknown choice(s) "
                                        f"{', '.join(sorted(unknown))}")
            if not has_default:
                problems.append(f"{qwhere}: the risk rules need a 'default' condition")
    return problems


@transaction.atomic
def import_lens(data: dict, *, kind: str = "orr") -> QuestionnaireVersion:
    """A new draft version of the `kind` questionnaire, built from a validated lens."""
    questionnaire, _ = Questionnaire.objects.get_or_create(
        kind=kind, defaults={"name": data["name"][:120]})
    number = (questionnaire.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    version = QuestionnaireVersion.objects.create(
        questionnaire=questionnaire, number=number,
        guidance=(data.get("description") or "").split("\n\nShortened on export:")[0],
        changelog=f"Imported from the Well-Architected custom lens {data['name']!r}.",
    )
    for s, pillar in enumerate(data["pillars"], 1):
        section = Section.objects.create(version=version, key=_slug(pillar["id"]), order=s,
                                         title=pillar["name"][:200])
        for q, question in enumerate(pillar["questions"], 1):
            Question.objects.create(section=section, order=q, **_import_question(question))
    return version


def _slug(value: str) -> str:
    from django.utils.text import slugify

    return slugify(value)[:80] or "item"


def _import_question(question: dict) -> dict:
    title = question["title"]
    description = question.get("description") or ""
    text = description if title.endswith(ELLIPSIS) and description.startswith(title[:-1]) \
        else title
    choices = question["choices"]
    ids = [c["id"] for c in choices]
    if ids == ["yes", "no"]:
        kind, options = Question.AnswerKind.YES_NO, []
        answer_of = {"yes": "yes", "no": "no"}
    elif len(ids) == 1 and ids[0].startswith("answered"):
        kind = ids[0].removeprefix("answered_")
        if kind not in Question.AnswerKind.values:
            kind = Question.AnswerKind.MARKDOWN
        options, answer_of = [], {}
    else:
        kind = Question.AnswerKind.CHOICE
        options = [c["title"] for c in choices]
        answer_of = {c["id"]: c["title"].lower() for c in choices}
    rules = {}
    for rule in question["riskRules"]:
        if rule["condition"] in answer_of:
            rules[answer_of[rule["condition"]]] = FROM_LENS_RISK[rule["risk"]]
    resource = question.get("helpfulResource") or {}
    return {"key": _slug(question["id"]), "text": text[:2000], "kind": kind, "choices": options,
            "risk_rules": rules, "help": (resource.get("displayText") or "")[:5000]}
