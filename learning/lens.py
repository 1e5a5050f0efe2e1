"""Exchange with the AWS Well-Architected Tool: a questionnaire version as a custom lens JSON.

The lens format (schema version 2021-11-01) as documented in the Well-Architected Tool user
guide ("Lens format specification in AWS WA Tool"): a lens has a `name` and `description`;
`pillars` (our sections) each with `id`, `name` and `questions`; a question has `id`, `title`,
`description`, `helpfulResource` (our guidance), `choices` (each `id`, `title`,
`helpfulResource`, `improvementPlan`, optional `additionalResources`) and `riskRules`
(`condition` → `risk`, with a `default` condition). The documented limits are in `LIMITS` and
the checks below; whatever had to be shortened or changed on export is listed in the export's
notes (and counted at the end of the lens description). docs/lens-exchange.md says the same.

Mapping, chosen so that export → import gives back the same keys, texts and risk rules:

* question key → question id, section key → pillar id, with `-` written `_` (an id holds only
  letters, digits and `_`) and padded with `_` to the 3 characters an id needs at least; the
  import reads `_` back as `-` and drops the padding;
* a yes/no question → choices `yes_answer` and `no_answer` (not `no`: too short, and a suffix
  `_no` would make it the lens's "None of these" choice); a choice question → one choice per
  answer (`choice_1`, `choice_2`…, title the answer); any other kind → one choice
  `answered_<kind>`;
* our risk rule `{answer: level}` → one rule per risk level (the lens allows three rules, one
  for each level) whose condition is `a || b` over the answers of that level, then the
  `default` rule with a level no answer names (`NO_RISK`, else `HIGH_RISK`, else
  `MEDIUM_RISK`): an answer we leave unrated gets no rule of its own. When all three levels are
  named, the no-risk answers are left to the default rule (said in a note);
* the import rates each choice as the lens would if that choice alone were selected: the first
  non-default rule whose condition holds gives its level; a choice only the default reaches is
  left unrated;
* a question text longer than a title is cut with "…" and given whole in `description`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Max
from django.utils.text import slugify

from reviews.models import Question, Questionnaire, QuestionnaireVersion, Section

SCHEMA_VERSION = "2021-11-01"
# The documented limits ("Lens format specification in AWS WA Tool", and the ImportLens API:
# "A custom lens cannot exceed 500 KB in size"). Text limits are in characters.
MAX_BYTES = 500 * 1024
LIMITS = {
    "lens_name": 128,               # "The name can be up to 128 characters."
    "lens_description": 2048,       # "The description can be up to 2048 characters."
    "pillars": 10,                  # "up to 10 pillars in a custom lens"
    "pillar_name": 128,
    "questions_per_pillar": 20,     # "up to 20 questions in a pillar"
    "question_title": 128,
    "question_description": 2048,
    "question_resource": 2048,      # helpfulResource displayText
    "choices_per_question": 15,     # "up to 15 choices for a question"
    "choice_title": 128,
    "choice_resource": 2048,        # helpfulResource displayText
    "choice_plan": 2048,            # improvementPlan displayText
    "additional_per_type": 5,       # "Up to five additional helpful resources and up to five
                                    # additional improvement plan items … for a choice"
    "additional_text": 2048,
    "risk_rules": 3,                # "a maximum of three risk rules per question, one for
                                    # each level of risk"; a `default` rule is required
}
# Pillar, question and choice ids: "between 3 and 128 characters and contain only alphanumeric
# and underscore ("_") characters".
ID_PATTERN = re.compile(r"[A-Za-z0-9_]{3,128}")
ID_RULE = "3 to 128 letters, digits or _"
# A choice id ending in `_no` is the question's "None of these" choice (no improvement plan).
NONE_OF_THESE = "_no"
URL_PREFIXES = ("http://", "https://")  # "The URL must start with http:// or https://"
ADDITIONAL_TYPES = ("HELPFUL_RESOURCE", "IMPROVEMENT_PLAN")
# Our guards against hostile files, not the format's: the format nests at most 11 levels
# (lens → pillars → questions → choices → additionalResources → content → entry), a risk
# condition is a short expression.
MAX_DEPTH = 11
MAX_CONDITION = 1000
MAX_CONDITION_NESTING = 20
TO_LENS_RISK = {"high": "HIGH_RISK", "medium": "MEDIUM_RISK", "none": "NO_RISK"}
FROM_LENS_RISK = {value: key for key, value in TO_LENS_RISK.items()}
# The default rule's level: the first our answers do not name.
DEFAULT_ORDER = ("none", "high", "medium")
ELLIPSIS = "…"
YES_NO_IDS = ("yes_answer", "no_answer")


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


def lens_id(key: str) -> str:
    """Our key as a lens id: letters, digits and `_` only, 3 to 128 characters."""
    value = re.sub(r"[^A-Za-z0-9_]", "_", key.replace("-", "_"))[:128]
    return value.ljust(3, "_")


def key_of(lens_id_: str) -> str:
    """A lens id as our key (`_` read as `-`, padding dropped); the inverse of `lens_id` for
    every key made of lower-case letters, digits and single hyphens."""
    return slugify(lens_id_.replace("_", "-"))[:80] or "item"


def _id_for(key: str, what: str, taken: set[str], notes: list[str]) -> str:
    value = lens_id(key)
    if value in taken:
        base, n = value[:120], 2
        while f"{base}_{n}" in taken:
            n += 1
        value = f"{base}_{n}"
    taken.add(value)
    if key_of(value) != key:
        notes.append(f"{what} {key}: exported as id {value} (an id holds only letters, digits "
                     f"and _, at least 3); an import reads it back as {key_of(value)}")
    return value


def _choice_ids(question: Question) -> list[tuple[str, str, str]]:
    """(choice id, title, our answer) for a question."""
    if question.kind == Question.AnswerKind.YES_NO:
        return [(YES_NO_IDS[0], "Yes", "yes"), (YES_NO_IDS[1], "No", "no")]
    if question.kind == Question.AnswerKind.CHOICE:
        return [(f"choice_{i}", str(c), str(c).lower())
                for i, c in enumerate(question.choices, 1)]
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
    pillar_ids: set[str] = set()
    question_ids: set[str] = set()
    for section in sections:
        questions = sorted(section.questions.all(), key=lambda q: q.order)
        if len(questions) > LIMITS["questions_per_pillar"]:
            notes.append(f"section {section.key}: {len(questions)} questions, the lens allows "
                         f"{LIMITS['questions_per_pillar']}: left out "
                         f"{', '.join(q.key for q in questions[LIMITS['questions_per_pillar']:])}")
            questions = questions[: LIMITS["questions_per_pillar"]]
        pillars.append({
            "id": _id_for(section.key, "section", pillar_ids, notes),
            "name": _cut(section.title, LIMITS["pillar_name"], f"section {section.key} title",
                         notes),
            "questions": [_export_question(q, notes, question_ids) for q in questions],
        })
    description = version.guidance.strip() or f"{version} exported from OpsReview."
    lens = {
        "schemaVersion": SCHEMA_VERSION,
        "name": _cut(f"{version.questionnaire.name} v{version.number}", LIMITS["lens_name"],
                     "lens name", notes),
        "description": "",
        "pillars": pillars,
    }
    # Room for the closing "Shortened on export: N item(s)." line, whatever N turns out to be.
    room = LIMITS["lens_description"] - len("\n\nShortened on export: 99999 item(s).")
    if len(description) > room:
        notes.append("lens description (the questionnaire's guidance): shortened to "
                     f"{room} characters")
        description = description[: room - 1] + ELLIPSIS
    lens["description"] = description + (
        f"\n\nShortened on export: {len(notes)} item(s)." if notes else "")
    return Export(lens=lens, notes=notes)


def _export_rules(question: Question, choices, notes: list[str]) -> list[dict]:
    """One rule per risk level our answers name (conditions joined with ||), then `default`
    with a level no answer names; three levels named: the no-risk ones go to the default."""
    rules = question.risk_rules if isinstance(question.risk_rules, dict) else {}
    by_level: dict[str, list[str]] = {}
    for choice_id, _title, answer in choices:
        level = rules.get(answer)
        if level in TO_LENS_RISK:
            by_level.setdefault(level, []).append(choice_id)
    default = next((level for level in DEFAULT_ORDER if level not in by_level), "none")
    if len(by_level) == len(TO_LENS_RISK):
        unrated = [answer for _id, _t, answer in choices if answer not in rules]
        notes.append(f"question {question.key}: the lens allows one risk rule per level, so its "
                     f"no-risk answers are left to the default rule (no risk)"
                     + (f", which also rates {', '.join(unrated)}" if unrated else "")
                     + "; an import reads them as unrated")
    exported = [{"condition": " || ".join(ids), "risk": TO_LENS_RISK[level]}
                for level in ("none", "medium", "high")
                if level != default and (ids := by_level.get(level))]
    exported.append({"condition": "default", "risk": TO_LENS_RISK[default]})
    return exported


def _export_question(question: Question, notes: list[str], taken: set[str]) -> dict:
    where = f"question {question.key}"
    text = question.text.strip()
    title = _cut(text, LIMITS["question_title"], f"{where} title (whole text kept in its "
                 "description)", notes)
    choices = _choice_ids(question)
    if len(choices) > LIMITS["choices_per_question"]:
        notes.append(f"{where}: {len(choices)} choices, the lens allows "
                     f"{LIMITS['choices_per_question']}: the rest left out")
        choices = choices[: LIMITS["choices_per_question"]]
    exported = {
        "id": _id_for(question.key, "question", taken, notes),
        "title": title,
    }
    if title != text:
        exported["description"] = _cut(text, LIMITS["question_description"],
                                        f"{where} description", notes)
    if question.help.strip():
        exported["helpfulResource"] = {"displayText": _cut(
            question.help.strip(), LIMITS["question_resource"], f"{where} guidance", notes)}
    exported["choices"] = [
        {
            "id": choice_id,
            "title": _cut(title_, LIMITS["choice_title"], f"{where} choice {choice_id}", notes),
            "helpfulResource": {"displayText": _cut(
                f"Answer: {title_}", LIMITS["choice_resource"],
                f"{where} choice {choice_id} helpful text", notes)},
            "improvementPlan": {
                "displayText": "Follow the question's guidance to lower this risk."
            },
        }
        for choice_id, title_, _answer in choices
    ]
    exported["riskRules"] = _export_rules(question, choices, notes)
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


def _list(problems, where, mapping, name, limit, required=True) -> list:
    value = mapping.get(name)
    if value is None and not required:
        return []
    if not isinstance(value, list):
        problems.append(f"{where}: {name!r} must be a list")
        return []
    if not value and required:
        problems.append(f"{where}: {name!r} is empty")
    if len(value) > limit:
        problems.append(f"{where}: {len(value)} {name}; the lens allows {limit}")
        return []
    return value


def _url(problems, where, mapping) -> None:
    url = mapping.get("url")
    if url is None:
        return
    if not isinstance(url, str) or not url.startswith(URL_PREFIXES):
        problems.append(f"{where}: 'url' must start with http:// or https://")
    elif not mapping.get("displayText"):
        problems.append(f"{where}: 'displayText' is required with a 'url'")


def _resource(problems, where, mapping, name, limit, required=False) -> None:
    """A helpfulResource or improvementPlan: displayText (required for a plan, and with a
    url), url starting with http:// or https://."""
    value = mapping.get(name)
    if value is None:
        if required:
            problems.append(f"{where}: missing {name!r}")
        return
    if not isinstance(value, dict):
        problems.append(f"{where}: {name!r} must be an object with displayText")
        return
    _text(problems, f"{where} {name}", value, "displayText", limit, required=required)
    _url(problems, f"{where} {name}", value)


def _additional(problems, where, choice) -> None:
    counts = {kind: 0 for kind in ADDITIONAL_TYPES}
    for a, entry in enumerate(_list(problems, where, choice, "additionalResources",
                                    2 * len(ADDITIONAL_TYPES) * LIMITS["additional_per_type"],
                                    required=False), 1):
        awhere = f"{where} additional resource {a}"
        if not isinstance(entry, dict):
            problems.append(f"{awhere}: must be an object")
            continue
        kind = entry.get("type")
        if kind not in ADDITIONAL_TYPES:
            problems.append(f"{awhere}: 'type' must be HELPFUL_RESOURCE or IMPROVEMENT_PLAN")
            continue
        for c, content in enumerate(_list(problems, awhere, entry, "content",
                                          LIMITS["additional_per_type"]), 1):
            cwhere = f"{awhere} content {c}"
            if not isinstance(content, dict):
                problems.append(f"{cwhere}: must be an object")
                continue
            counts[kind] += 1
            _text(problems, cwhere, content, "displayText", LIMITS["additional_text"],
                  required=False)
            _url(problems, cwhere, content)
    for kind, count in counts.items():
        if count > LIMITS["additional_per_type"]:
            problems.append(f"{where}: {count} additional {kind} items; the lens allows "
                            f"{LIMITS['additional_per_type']}")


def _identified(problems, where, entry, seen: set) -> bool:
    """An entry of a lens list: an object whose `id` (3 to 128 letters, digits or _) is unique
    among `seen` (which it joins). False (and the problem noted) when it is not an object."""
    if not isinstance(entry, dict):
        problems.append(f"{where}: must be an object")
        return False
    entry_id = _text(problems, where, entry, "id", 128)
    if isinstance(entry.get("id"), str) and not ID_PATTERN.fullmatch(entry_id):
        problems.append(f"{where}: id {entry_id[:40]!r} must be {ID_RULE}")
    if entry_id in seen:
        problems.append(f"{where}: id {entry_id!r} used twice")
    seen.add(entry_id)
    return True


# --- risk conditions: a Boolean expression of choice ids with &&, ||, ! and parentheses -------

_TOKEN = re.compile(r"\s*(&&|\|\||!|\(|\)|[A-Za-z0-9_]+)")


class _Condition:
    """A parsed risk condition; `holds(selected)` evaluates it for a set of chosen ids."""

    def __init__(self, text: str):
        self.tokens = self._tokens(text)
        self.pos = 0
        self.names: set[str] = set()
        self.tree = self._or(0)
        if self.pos != len(self.tokens):
            raise ValueError(f"unexpected {self.tokens[self.pos]!r}")

    @staticmethod
    def _tokens(text: str) -> list[str]:
        tokens, pos = [], 0
        while pos < len(text):
            if text[pos:].strip() == "":
                break
            match = _TOKEN.match(text, pos)
            if not match:
                raise ValueError(f"unexpected {text[pos:].strip()[:10]!r}")
            tokens.append(match.group(1))
            pos = match.end()
        if not tokens:
            raise ValueError("empty")
        return tokens

    def _peek(self):
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def _or(self, depth):
        parts = [self._and(depth)]
        while self._peek() == "||":
            self.pos += 1
            parts.append(self._and(depth))
        return ("or", parts) if len(parts) > 1 else parts[0]

    def _and(self, depth):
        parts = [self._not(depth)]
        while self._peek() == "&&":
            self.pos += 1
            parts.append(self._not(depth))
        return ("and", parts) if len(parts) > 1 else parts[0]

    def _not(self, depth):
        if depth > MAX_CONDITION_NESTING:
            raise ValueError(f"nested deeper than {MAX_CONDITION_NESTING}")
        token = self._peek()
        if token == "!":
            self.pos += 1
            return ("not", self._not(depth + 1))
        if token == "(":
            self.pos += 1
            inner = self._or(depth + 1)
            if self._peek() != ")":
                raise ValueError("a '(' is not closed")
            self.pos += 1
            return inner
        if token is None or token in ("&&", "||", ")"):
            raise ValueError(f"a choice id is missing{'' if token is None else ' before ' + token}")
        self.pos += 1
        self.names.add(token)
        return ("id", token)

    def holds(self, selected: set[str], node=None) -> bool:
        op, arg = node or self.tree
        if op == "id":
            return arg in selected
        if op == "not":
            return not self.holds(selected, arg)
        results = (self.holds(selected, part) for part in arg)
        return all(results) if op == "and" else any(results)


def _risk_rules(problems, where, question, choice_ids: set[str]) -> None:
    rules = question.get("riskRules")
    if not isinstance(rules, list) or not rules:
        problems.append(f"{where}: 'riskRules' must be a non-empty list")
        return
    if len(rules) > LIMITS["risk_rules"]:
        problems.append(f"{where}: {len(rules)} risk rules; the lens allows "
                        f"{LIMITS['risk_rules']}, one for each level of risk")
    defaults, levels = 0, []
    for r, rule in enumerate(rules, 1):
        rwhere = f"{where} risk rule {r}"
        if not isinstance(rule, dict):
            problems.append(f"{rwhere}: must be an object")
            continue
        condition = _text(problems, rwhere, rule, "condition", MAX_CONDITION)
        risk = rule.get("risk")
        if risk not in FROM_LENS_RISK:
            problems.append(f"{rwhere}: 'risk' must be HIGH_RISK, MEDIUM_RISK or NO_RISK")
        elif risk in levels:
            problems.append(f"{rwhere}: a second rule for {risk}; the lens allows one rule "
                            "for each level of risk")
        levels.append(risk)
        if condition.strip() == "default":
            defaults += 1
        elif condition.strip() and len(condition) <= MAX_CONDITION:
            try:
                parsed = _Condition(condition)
            except ValueError as exc:
                problems.append(f"{rwhere}: the condition is not a Boolean expression of "
                                f"choice ids with &&, || and ! ({exc})")
                continue
            unknown = parsed.names - choice_ids
            if unknown:
                problems.append(f"{rwhere}: condition names unknown choice(s) "
                                f"{', '.join(sorted(unknown))}")
    if defaults != 1:
        problems.append(f"{where}: the risk rules need exactly one 'default' condition "
                        f"(found {defaults})")


def validate_lens(data) -> list[str]:
    """Every problem against the documented lens format, each with its location."""
    problems: list[str] = []
    if not isinstance(data, dict):
        return [f"a lens is a JSON object, not {type(data).__name__}"]
    if data.get("schemaVersion") != SCHEMA_VERSION:
        problems.append(f"schemaVersion must be {SCHEMA_VERSION!r}")
    _text(problems, "lens", data, "name", LIMITS["lens_name"])
    _text(problems, "lens", data, "description", LIMITS["lens_description"], required=False)
    pillar_ids: set[str] = set()
    question_ids: set[str] = set()
    for p, pillar in enumerate(_list(problems, "lens", data, "pillars", LIMITS["pillars"]), 1):
        where = f"pillar {p}"
        if not _identified(problems, where, pillar, pillar_ids):
            continue
        _text(problems, where, pillar, "name", LIMITS["pillar_name"])
        for q, question in enumerate(_list(problems, where, pillar, "questions",
                                           LIMITS["questions_per_pillar"]), 1):
            qwhere = f"{where} question {q}"
            if not _identified(problems, qwhere, question, question_ids):
                continue
            _text(problems, qwhere, question, "title", LIMITS["question_title"])
            _text(problems, qwhere, question, "description", LIMITS["question_description"],
                  required=False)
            _resource(problems, qwhere, question, "helpfulResource",
                      LIMITS["question_resource"])
            choice_ids: set[str] = set()
            for c, choice in enumerate(_list(problems, qwhere, question, "choices",
                                             LIMITS["choices_per_question"]), 1):
                cwhere = f"{qwhere} choice {c}"
                if not _identified(problems, cwhere, choice, choice_ids):
                    continue
                _text(problems, cwhere, choice, "title", LIMITS["choice_title"])
                _resource(problems, cwhere, choice, "helpfulResource", LIMITS["choice_resource"])
                # "An improvementPlan is required for each choice, except for a None of these
                # choice" (an id ending in _no).
                none_of_these = str(choice.get("id", "")).endswith(NONE_OF_THESE)
                _resource(problems, cwhere, choice, "improvementPlan", LIMITS["choice_plan"],
                          required=not none_of_these)
                _additional(problems, cwhere, choice)
            _risk_rules(problems, qwhere, question, choice_ids)
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
        section = Section.objects.create(version=version, key=key_of(pillar["id"])[:60],
                                         order=s, title=pillar["name"][:200])
        for q, question in enumerate(pillar["questions"], 1):
            Question.objects.create(section=section, order=q, **_import_question(question))
    return version


def _import_question(question: dict) -> dict:
    title = question["title"]
    description = question.get("description") or ""
    text = description if title.endswith(ELLIPSIS) and description.startswith(title[:-1]) \
        else title
    choices = question["choices"]
    ids = [c["id"] for c in choices]
    if tuple(ids) == YES_NO_IDS:
        kind, options = Question.AnswerKind.YES_NO, []
        answer_of = {YES_NO_IDS[0]: "yes", YES_NO_IDS[1]: "no"}
    elif len(ids) == 1 and ids[0].startswith("answered"):
        kind = ids[0].removeprefix("answered_")
        if kind not in Question.AnswerKind.values:
            kind = Question.AnswerKind.MARKDOWN
        options, answer_of = [], {}
    else:
        kind = Question.AnswerKind.CHOICE
        options = [c["title"] for c in choices]
        answer_of = {c["id"]: c["title"].lower() for c in choices}
    conditions = [(_Condition(rule["condition"]), FROM_LENS_RISK[rule["risk"]])
                  for rule in question["riskRules"] if rule["condition"].strip() != "default"]
    rules = {}
    for choice_id, answer in answer_of.items():
        # As the lens rates this choice selected alone: the first rule that holds.
        level = next((lv for cond, lv in conditions if cond.holds({choice_id})), None)
        if level is not None:
            rules[answer] = level
    resource = question.get("helpfulResource") or {}
    return {"key": key_of(question["id"]), "text": text[:2000], "kind": kind,
            "choices": options, "risk_rules": rules,
            "help": (resource.get("displayText") or "")[:5000]}
