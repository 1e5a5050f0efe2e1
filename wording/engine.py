"""The wording check's engine: reads the rules and word lists in ``data/`` and applies them.

The knowledge lives in the YAML files next to this module (``lexicon.yaml`` word lists,
``rules.yaml`` patterns, severities, messages and rewrites, ``anchors.yaml`` what makes an action
item concrete). This module only knows how to:

* split text into sentences and mark the people it knows by name (the COE's participants and a
  list of common first names) so patterns can refer to them as ``{NAME}``;
* run each rule's pattern over each sentence and check the rule's conditions (``when:``) — small
  functions in :data:`CONDITIONS` that look at the words around a match (who is the subject, is
  the label quoted and rejected, does the sentence have a concrete anchor);
* turn matches into :class:`Finding` objects with a message and a rewrite shaped like the
  sentence.

Everything is linear in the input: sentences are scanned once per rule, every look-around is
bounded, and sentence-level facts (anchors, "would have") are computed once per sentence.
No Django import: this is the lowest layer of the stack.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import asdict, dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import yaml

DATA_DIR = Path(__file__).with_name("data")
FIELDS = ("factor", "summary", "lesson", "action")
CATEGORIES = ("blame", "counterfactual", "vague_action")
BLOCK = "block"
WARN = "warn"
MAX_INPUT_CHARS = 100_000
_WINDOW = 200  # how far (characters) a condition looks back from a match
_SEVERITY_RANK = {WARN: 1, BLOCK: 2}
# Stands in for each letter of a known person's name, so that patterns can say {NAME}. A letter
# (so \b and \w behave) that never occurs in English text and has no case mapping.
_NAME_CHAR = "ℕ"


@dataclass(frozen=True)
class Finding:
    """One problem in the text. ``rule`` is the category (kept under that name for callers)."""

    rule: str
    severity: str
    start: int
    end: int
    message: str
    suggestion: str
    rule_id: str = ""

    @property
    def category(self) -> str:
        return self.rule

    def to_dict(self) -> dict[str, str | int]:
        data = asdict(self)
        data["category"] = self.rule
        return data


@dataclass(frozen=True)
class Rule:
    id: str
    rule: str  # the category reported in Finding.rule
    pattern: re.Pattern[str]
    severity: Mapping[str, str | None]
    message: str
    suggestion: str
    conditions: tuple[str, ...] = ()
    human_error: bool = False
    # Conditions under which a blocking finding only warns: the same words, less confidence.
    warn_if: tuple[str, ...] = ()

    @property
    def category(self) -> str:
        return self.rule


# --- loading the data ---------------------------------------------------------------------------


def _load(name: str) -> dict[str, Any]:
    return yaml.safe_load((DATA_DIR / name).read_text(encoding="utf-8"))


def _alternation(words: Iterable[str]) -> str:
    """Words or phrases as a regex alternation, longest first; a space matches any whitespace."""
    alternatives = sorted({w.lower() for w in words}, key=len, reverse=True)
    return "(?:" + "|".join(r"\s+".join(map(re.escape, w.split())) for w in alternatives) + ")"


@dataclass(frozen=True)
class _Knowledge:
    lexicon: dict[str, frozenset[str]]
    rules: tuple[Rule, ...]
    anchors: tuple[re.Pattern[str], ...]
    anchor_names: tuple[str, ...]


def _expand(pattern: str, macros: Mapping[str, str], lists: Mapping[str, str]) -> str:
    def replace(m: re.Match[str]) -> str:
        name = m.group(1)
        if name == "NAME":
            # At most three words ("Mary Ann Smith"): an unbounded repeat here would backtrack
            # quadratically over a long run of names.
            return f"(?:(?<!\\w){_NAME_CHAR}+(?:[ \\t]+{_NAME_CHAR}+){{0,2}}(?!\\w))"
        if name in macros:
            return _expand(macros[name], macros, lists)
        if name in lists:
            return lists[name]
        raise KeyError(f"unknown word list or macro {{{name}}} in a wording rule")

    # {name} but not regex quantifiers such as {0,3}
    return re.sub(r"\{([A-Za-z_]+)\}", replace, pattern)


@cache
def _knowledge() -> _Knowledge:
    lexicon_raw = _load("lexicon.yaml")
    lexicon = {k: frozenset(str(w).lower() for w in v) for k, v in lexicon_raw.items()}
    lists = {k: _alternation(v) for k, v in lexicon.items()}
    rules_raw = _load("rules.yaml")
    profiles = rules_raw["profiles"]
    macros = rules_raw.get("macros", {})
    built = []
    for spec in rules_raw["rules"]:
        unknown = set(spec.get("when", [])) | set(spec.get("warn_if", [])) - set(CONDITIONS)
        unknown = {c for c in unknown if c not in CONDITIONS}
        if unknown:
            raise KeyError(f"rule {spec['id']}: unknown condition(s) {sorted(unknown)}")
        pattern = re.compile(
            _expand(spec["pattern"], macros, lists), re.IGNORECASE | re.VERBOSE
        )
        severity = dict(profiles[spec["severity"]])
        built.append(
            Rule(
                id=spec["id"],
                rule=spec["category"],
                pattern=pattern,
                severity=severity,
                message=spec["message"],
                suggestion=spec["suggestion"],
                conditions=tuple(spec.get("when", [])),
                warn_if=tuple(spec.get("warn_if", [])),
                human_error=spec["category"] == "blame" or spec["severity"] == "cf_person",
            )
        )
    anchors_raw = _load("anchors.yaml")["anchors"]
    anchors, names = [], []
    for name, spec in anchors_raw.items():
        if isinstance(spec, str):
            spec = {"pattern": spec}
        flags = 0 if spec.get("case_sensitive") else re.IGNORECASE
        anchors.append(re.compile(_expand(spec["pattern"], macros, lists), flags))
        names.append(name)
    return _Knowledge(lexicon, tuple(built), tuple(anchors), tuple(names))


def rules() -> tuple[Rule, ...]:
    return _knowledge().rules


def _lex(name: str) -> frozenset[str]:
    return _knowledge().lexicon[name]


# --- sentences, words and people ----------------------------------------------------------------

# A sentence ends at . ! ? before a space, at a blank line, or before a list item; a single
# line break inside a paragraph is a soft wrap, not an end.
_SENTENCE_END_RE = re.compile(
    r"[.!?]+(?=[\s\"'”’)]|$)|\n[ \t]*\n|\n(?=[ \t]*(?:[-*•+]|\d+[.)])\s)"
)
_CLAUSE_BREAK_RE = re.compile(r"[;:,()\[\]\"“”]|\s[-–—]\s")
_WORD_RE = re.compile(r"[\w@][\w'’-]*")
_NAME_WORD_RE = re.compile(r"[A-Za-z][A-Za-z-]*")
_QUOTES = "\"'“”‘’"


class _Sentence:
    """One sentence: its text (names masked), where it starts, and facts computed once."""

    __slots__ = ("text", "original", "offset", "_anchor", "_would_have")

    def __init__(self, text: str, original: str, offset: int) -> None:
        self.text = text
        self.original = original
        self.offset = offset
        self._anchor: bool | None = None
        self._would_have: bool | None = None

    @property
    def has_anchor(self) -> bool:
        if self._anchor is None:
            self._anchor = any(p.search(self.original) for p in _knowledge().anchors)
        return self._anchor

    @property
    def has_would_have(self) -> bool:
        if self._would_have is None:
            self._would_have = _WOULD_HAVE_RE.search(self.text) is not None
        return self._would_have


def _sentences(masked: str, original: str) -> Iterator[_Sentence]:
    start = 0
    for m in _SENTENCE_END_RE.finditer(masked):
        if m.end() > start and masked[start : m.end()].strip():
            yield _Sentence(masked[start : m.end()], original[start : m.end()], start)
        start = m.end()
    if masked[start:].strip():
        yield _Sentence(masked[start:], original[start:], start)


_NAME_STOPWORDS = frozenset(
    "the a an and or of de van von da di la le team on call mr ms mrs dr jr sr".split()
)


@lru_cache(maxsize=256)
def _people(participants: tuple[str, ...]) -> tuple[frozenset[str], frozenset[str]]:
    """(name words, usernames) for the participants: 'Priya Shah' and 'pshah' are both known."""
    names, handles = set(), set()
    for entry in participants:
        entry = entry.strip()
        if not entry:
            continue
        if " " not in entry and (entry.islower() or any(c.isdigit() or c in "_." for c in entry)):
            handles.add(entry.lstrip("@").lower())
            continue
        for word in _NAME_WORD_RE.findall(entry):
            lw = word.lower()
            if len(lw) >= 2 and lw not in _NAME_STOPWORDS:
                names.add(lw)
    return frozenset(names), frozenset(handles)


def _mask_names(text: str, participants: tuple[str, ...]) -> str:
    """The text with every letter of a known person's name replaced by _NAME_CHAR."""
    names, handles = _people(participants)
    first_names = _lex("first_names")
    roles = _lex("roles")

    def replace(m: re.Match[str]) -> str:
        word = m.group()
        lw = word.lower()
        if lw in handles or (
            word[0].isupper() and (lw in names or (lw in first_names and lw not in roles))
        ):
            return _NAME_CHAR * len(word)
        return word

    if not names and not handles and not any(c.isupper() for c in text):
        return text
    return _NAME_WORD_RE.sub(replace, text)


def _clause_before(s: str, pos: int) -> str:
    seg = s[max(0, pos - _WINDOW) : pos]
    breaks = list(_CLAUSE_BREAK_RE.finditer(seg))
    return seg[breaks[-1].end() :] if breaks else seg


def _clause_after(s: str, pos: int) -> str:
    seg = s[pos : pos + _WINDOW]
    stop = _CLAUSE_BREAK_RE.search(seg)
    return seg[: stop.start()] if stop else seg


def _words(segment: str) -> list[str]:
    return [w.lower() for w in _WORD_RE.findall(segment)]


_OPERATOR_PRECEDERS = frozenset(
    "the a an our their this that his her human on-call oncall shift night duty console".split()
)
_AUXILIARIES = frozenset(
    """had has have was were is are be been being would will could can may might must do does
    did then also just still""".split()
)


@lru_cache(maxsize=8192)
def _is_person(word: str, prev: str | None) -> bool:
    if _NAME_CHAR in word or word.startswith("@"):
        return True
    for suffix in ("'s", "’s", "'", "’"):
        if word.endswith(suffix):
            word = word[: -len(suffix)]
            break
    if word in _lex("person_pronouns"):
        return True
    if word in ("operator", "operators"):
        # "the Kubernetes operator" is software; "the operator", "the on-call operator" is not.
        return prev is None or prev in _OPERATOR_PRECEDERS
    return word in _lex("roles")


_VERB_WORDS = frozenset(
    """was were is are had has have did does do will would could should can may might ran made
    took gave sent put set went got left broke wrote chose began saw knew thought told kept held
    brought built hit cut let read forgot""".split()
)
_SUBORDINATORS = frozenset(
    "because since although though whereas while until once so but and".split()
)
_SUBJECT_PREPOSITIONS = frozenset(
    "for of with about to from in on at by into among between like including".split()
)
_HEAD_FOLLOWERS = frozenset(
    """who whom whose that on at in from of for with during while when after before because and
    or running performing working doing handling""".split()
)


def _looks_like_verb(word: str) -> bool:
    return (
        word in _VERB_WORDS
        or (len(word) > 3 and word.endswith("ed") and word not in ("speed", "need", "feed", "seed"))
        or word in _lex("fault_verbs")
        or word in _lex("name_change_verbs")
    )


def _person_acted(s: str, pos: int) -> bool:
    return _acting_person(s, pos) is not None


def _acting_person(s: str, pos: int) -> str | None:
    """The person noun that is the subject of the clause ending at ``pos``, if any.

    The subject is the clause's words before its first verb ("The DBA running the migration |
    introduced ..."); it is a person when one of its nouns is a person and is the head of its
    phrase ("the operator dashboard" is a dashboard, "Kim's script" a script).
    """
    words = _words(_clause_before(s, pos))[-24:]
    # Start at the last subordinate clause: "the outage happened because | the team was lazy".
    for i in range(len(words) - 1, 0, -1):
        if words[i] in _SUBORDINATORS and i + 1 < len(words):
            words = words[i + 1 :]
            break
    blockers = {"that", "which", "we", "they", "you", "there", "it", "this"}
    subject: list[str] = []
    for word in words:
        if subject and _looks_like_verb(word):
            break
        subject.append(word)
    for i, word in enumerate(subject):
        if word in blockers and i == len(subject) - 1:
            return None
        if i and word in _SUBJECT_PREPOSITIONS:
            # "Onboarding for new engineers did not cover ...": a person after a preposition
            # modifies the subject, it is not the subject.
            return None
        prev = subject[i - 1] if i else None
        nxt = subject[i + 1] if i + 1 < len(subject) else None
        possessive = word.endswith(("'s", "’s", "s'", "s’"))
        if not _is_person(word, prev) or (possessive and nxt is not None):
            continue
        if nxt is None or nxt in _HEAD_FOLLOWERS or nxt.endswith("ing") or _is_person(nxt, word):
            return word
    return None


def _subject(s: str, pos: int) -> list[str]:
    """The words of the clause before ``pos`` with trailing adverbs and auxiliaries removed."""
    clause = _clause_before(s, pos)
    if not clause.strip() and pos - len(clause) > 0 and s[pos - len(clause) - 1] == ",":
        # "The engineer, tired after a long shift, failed to ...": skip the parenthetical.
        segments = s[max(0, pos - _WINDOW) : pos].split(",")
        if len(segments) >= 3:
            clause = _CLAUSE_BREAK_RE.split(segments[-3])[-1]
    words = _words(clause)
    skip = _lex("subject_skip") | _AUXILIARIES
    while words and (words[-1] in skip or words[-1].endswith("ly")):
        words.pop()
    return words


def _subject_is_person(s: str, pos: int) -> bool:
    words = _subject(s, pos)
    if not words:
        return False
    head = words[-1]
    prev = words[-2] if len(words) > 1 else None
    if (len(head) == 1 or head.isdigit()) and prev is not None:
        # "Team B should have ...": a label after a person noun.
        return _is_person(prev, words[-3] if len(words) > 2 else None)
    return _is_person(head, prev) or head in _lex("counterfactual_subjects")


# --- conditions ---------------------------------------------------------------------------------

Condition = Callable[[_Sentence, re.Match[str]], bool]

_WOULD_HAVE_RE = re.compile(
    r"\b(?:would|could|might)(?:n['’]t|\s+not)?(?:\s+have|['’]ve)\b", re.IGNORECASE
)
_IF_ONLY_MARK_RE = re.compile(
    r"\b(?:had|were|would|we|i|someone|somebody|anyone|they|he|she)\b", re.IGNORECASE
)
_NEGATED_AFTER_RE = re.compile(
    r"^\W*(?:is|was|are|were)(?:n['’]t|\s+not|\s+never)\b|^\W*(?:is|was)\s+(?:only\s+)?a\s+symptom",
    re.IGNORECASE,
)
_VCS_BEFORE_RE = re.compile(r"\b(?:git|svn|hg)\s*$", re.IGNORECASE)
_BLAME_COMPOUND_RE = re.compile(r"-(?:free|less|aware)", re.IGNORECASE)
_BLAME_NEGATION_RE = re.compile(
    r"\b(?:no|not|never|don['’]t|doesn['’]t|do\s+not|without|nobody|no\s+one|avoid|avoids"
    r"|isn['’]t|aren['’]t|wasn['’]t|nor|free\s+of|instead\s+of|rather\s+than)\b",
    re.IGNORECASE,
)
_AUTOMATION_RE = re.compile(
    r"\b(?:automat\w*|script\w*|tool\w*|pipeline|ci|lint\w*|validat\w*|hooks?|pre-?flight"
    r"|pre-?deploy|guard\s*rails?|safeguards?|check\s+that|programmatic\w*|admission)\b",
    re.IGNORECASE,
)
_ML_RE = re.compile(
    r"\b(?:model|models|dataset|data\s+set|epochs?|classifier|gpus?|ml|inference)\b"
    r"|\btraining\s+(?:data|jobs?|pipeline|runs?|set|loss|cluster|step|corpus|examples)\b",
    re.IGNORECASE,
)
_VERSION_RE = re.compile(r"\s*v?\d", re.IGNORECASE)
_SMALL_SCOPE_RE = re.compile(
    r"\b(?:scripts?|tools?|jobs?|cron|lambdas?|functions?|checks?|tests?|hooks?)\b", re.IGNORECASE
)
_PASSWORD_AFTER_RE = re.compile(
    r"[\s-]+(?:[\w'’]+\s+){0,2}?(?:password|passwort|pin|passphrase)s?\b", re.IGNORECASE
)


def _marker_re(name: str) -> re.Pattern[str]:
    return _marker_cache(name)


@cache
def _marker_cache(name: str) -> re.Pattern[str]:
    words = _lex(name)
    alternation = _alternation(w for w in words if not w.startswith("n'"))
    extra = r"|n['’]t\b" if any(w.startswith("n'") for w in words) else ""
    return re.compile(rf"\b{alternation}\b{extra}", re.IGNORECASE)


def _not_technical_error(sent: _Sentence, m: re.Match[str]) -> bool:
    after = _words(sent.text[m.end() : m.end() + 30])
    return not (after and after[0] in _lex("technical_after_error"))


def _not_rejected(sent: _Sentence, m: re.Match[str]) -> bool:
    s = sent.text
    quoted = (m.start() > 0 and s[m.start() - 1] in _QUOTES) or (
        m.end() < len(s) and s[m.end()] in _QUOTES
    )
    if quoted:
        return False
    before = s[max(0, m.start() - 80) : m.start()]
    if _marker_re("rejection_markers").search(before):
        return False
    return _NEGATED_AFTER_RE.search(s[m.end() : m.end() + 40]) is None


def _not_prevention(sent: _Sentence, m: re.Match[str]) -> bool:
    s = sent.text
    window = s[max(0, m.start() - 60) : m.start()] + " " + s[m.end() : m.end() + 30]
    return _marker_re("prevention_markers").search(window) is None


def _subject_not_a_thing(sent: _Sentence, m: re.Match[str]) -> bool:
    words = _subject(sent.text, m.start())
    if not words:
        return True
    head = words[-1]
    return head not in _lex("non_person_heads") and head not in ("we", "they", "you")


def _not_forgot_password(sent: _Sentence, m: re.Match[str]) -> bool:
    return _PASSWORD_AFTER_RE.match(sent.text, m.end()) is None


def _person_acted_condition(sent: _Sentence, m: re.Match[str]) -> bool:
    return _person_acted(sent.text, m.start())


def _not_affected_party(sent: _Sentence, m: re.Match[str]) -> bool:
    # "Customers missed notifications" is impact, not a fault.
    return _acting_person(sent.text, m.start()) not in _lex("affected_parties")


def _possessor_is_person(sent: _Sentence, m: re.Match[str]) -> bool:
    words = _words(m.group())
    first = words[0] if words else ""
    if _NAME_CHAR in first or first in ("his", "her", "someone's", "somebody's"):
        return True
    prev = _words(_clause_before(sent.text, m.start()))[-1:] or [None]
    return _is_person(first, prev[0])


def _lazy_needs_person(sent: _Sentence, m: re.Match[str]) -> bool:
    if m.group().lower() != "lazy":
        return True
    return _person_acted(sent.text, m.start())


def _blame_word_is_blame(sent: _Sentence, m: re.Match[str]) -> bool:
    # "git blame" is a tool, "blame-free" is the goal, "we don't blame anyone" is the norm.
    clause = _clause_before(sent.text, m.start())
    if _VCS_BEFORE_RE.search(clause) or _BLAME_COMPOUND_RE.match(sent.text, m.end()):
        return False
    return _BLAME_NEGATION_RE.search(clause[-60:]) is None


def _mention_is_person(sent: _Sentence, m: re.Match[str]) -> bool:
    handle = m.group()[1:].lower()
    if handle in ("here", "channel", "everyone", "all") or "_" in handle:
        return False
    s = sent.text
    if s[m.end() : m.end() + 1] in ("(", "/"):
        return False  # a decorator "@retry(...)" or a package scope "@babel/core"
    return "decorator" not in s[max(0, m.start() - 30) : m.end() + 30].lower()


def _subject_is_person_condition(sent: _Sentence, m: re.Match[str]) -> bool:
    return _subject_is_person(sent.text, m.start())


def _subject_is_person_or_passive(sent: _Sentence, m: re.Match[str]) -> bool:
    return " been " in f" {m.group().lower()} " or _subject_is_person(sent.text, m.start())


def _not_happened_plain(sent: _Sentence, m: re.Match[str]) -> bool:
    # "would not have happened" is hindsight; "it would have happened anyway" is not flagged.
    text = m.group().lower()
    if not text.endswith("happened"):
        return True
    return "n't" in text or "n’t" in text or " not " in text


def _sentence_has_would_have(sent: _Sentence, m: re.Match[str]) -> bool:
    return sent.has_would_have


def _if_only_is_wish(sent: _Sentence, m: re.Match[str]) -> bool:
    # "if only one replica is healthy" is a condition, "if only we had ..." is a wish.
    after = _words(sent.text[m.end() : m.end() + 60])
    if after and after[0] in ("one", "a", "an", "some", "two", "three", "part", "half"):
        return False
    return _IF_ONLY_MARK_RE.search(" ".join(after[:6])) is not None


def _no_anchor(sent: _Sentence, m: re.Match[str]) -> bool:
    return not sent.has_anchor


def _not_automated_check(sent: _Sentence, m: re.Match[str]) -> bool:
    if "check" not in m.group().lower():
        return True
    return _AUTOMATION_RE.search(sent.text) is None


def _not_ml_training(sent: _Sentence, m: re.Match[str]) -> bool:
    if "train" not in m.group().lower():
        return True
    return _ML_RE.search(sent.text) is None


def _not_bounded_change(sent: _Sentence, m: re.Match[str]) -> bool:
    # "move to Python 3.12" is an upgrade and "port the health-check script to Python" a small
    # change; "move to Fortran" or "rewrite the billing service in Rust" is a rewrite.
    if _VERSION_RE.match(sent.text, m.end()):
        return False
    return not _SMALL_SCOPE_RE.search(m.group())


def _much_else_in_sentence(sent: _Sentence, m: re.Match[str]) -> bool:
    # "Make sure this never happens again." is nothing but the wish; a long sentence around the
    # phrase usually carries a concrete change the anchors do not recognise.
    s = sent.text  # bounded windows: only "more than 8 words" matters
    outside = len(_WORD_RE.findall(s[max(0, m.start() - 150) : m.start()])) + len(
        _WORD_RE.findall(s[m.end() : m.end() + 150])
    )
    return outside > 8


def _subject_is_collective(sent: _Sentence, m: re.Match[str]) -> bool:
    words = _subject(sent.text, m.start())
    return bool(words) and words[-1] in ("we", "you", "they")


def _not_after_preposition(sent: _Sentence, m: re.Match[str]) -> bool:
    # "onboarding for new engineers" is about them, not pinning the event on them.
    before = _words(sent.text[max(0, m.start() - 30) : m.start()])[-1:]
    return not before or before[0] not in _PREPOSITIONS


_PREPOSITIONS = frozenset(
    "for to with of about on into onto among between like as than from including".split()
)

CONDITIONS: dict[str, Condition] = {
    "much_else_in_sentence": _much_else_in_sentence,
    "subject_is_collective": _subject_is_collective,
    "not_after_preposition": _not_after_preposition,
    "not_technical_error": _not_technical_error,
    "not_rejected": _not_rejected,
    "not_prevention": _not_prevention,
    "subject_not_a_thing": _subject_not_a_thing,
    "not_forgot_password": _not_forgot_password,
    "person_acted": _person_acted_condition,
    "not_affected_party": _not_affected_party,
    "possessor_is_person": _possessor_is_person,
    "lazy_needs_person": _lazy_needs_person,
    "blame_word_is_blame": _blame_word_is_blame,
    "mention_is_person": _mention_is_person,
    "subject_is_person": _subject_is_person_condition,
    "subject_is_person_or_passive": _subject_is_person_or_passive,
    "not_happened_plain": _not_happened_plain,
    "sentence_has_would_have": _sentence_has_would_have,
    "if_only_is_wish": _if_only_is_wish,
    "no_anchor": _no_anchor,
    "not_automated_check": _not_automated_check,
    "not_ml_training": _not_ml_training,
    "not_bounded_change": _not_bounded_change,
}


# --- findings -----------------------------------------------------------------------------------

_REST_WORDS = 8
# A rule stops looking after this many matches in one text. Prose never gets near it; it bounds
# the time a pathological input (the same phrase thousands of times) can take.
MAX_MATCHES_PER_RULE = 300


def _rewrite(rule: Rule, sent: _Sentence, m: re.Match[str]) -> str:
    original = sent.original
    match = original[m.start() : m.end()].strip()
    rest_words = _WORD_RE.findall(_clause_after(original, m.end()))[:_REST_WORDS]
    rest = " ".join(rest_words) or "the step"
    subject_words = _WORD_RE.findall(_clause_before(original, m.start()))[-3:]
    subject = " ".join(subject_words) or "the people involved"
    return rule.suggestion.format(match=match, rest=rest, subject=subject)


def _message(rule: Rule, sent: _Sentence, m: re.Match[str]) -> str:
    if "{match}" not in rule.message:
        return rule.message
    return rule.message.format(match=sent.original[m.start() : m.end()].strip())


def _matches(
    text: str, field: str, participants: tuple[str, ...]
) -> Iterator[tuple[int, Rule, str, Finding]]:
    masked = _mask_names(text, participants)
    seen = [0] * len(rules())
    for sent in _sentences(masked, text):
        for order, rule in enumerate(rules()):
            base = rule.severity.get(field)
            if base is None or seen[order] >= MAX_MATCHES_PER_RULE:
                continue
            span = "hit" if "hit" in rule.pattern.groupindex else 0
            for m in rule.pattern.finditer(sent.text):
                if m.end() == m.start():
                    continue
                seen[order] += 1
                if seen[order] > MAX_MATCHES_PER_RULE:
                    break
                if not all(CONDITIONS[c](sent, m) for c in rule.conditions):
                    continue
                severity = base
                if severity == BLOCK and any(CONDITIONS[c](sent, m) for c in rule.warn_if):
                    severity = WARN
                finding = Finding(
                    rule=rule.rule,
                    severity=severity,
                    start=sent.offset + m.start(span),
                    end=sent.offset + m.end(span),
                    message=_message(rule, sent, m),
                    suggestion=_rewrite(rule, sent, m),
                    rule_id=rule.id,
                )
                yield order, rule, severity, finding


def _dedupe(hits: Iterable[tuple[int, Rule, str, Finding]]) -> list[Finding]:
    # Within one category keep one finding per overlapping stretch, preferring the stronger
    # severity (rule order breaks ties, so the more specific rule listed first wins).
    ordered = sorted(hits, key=lambda h: (h[3].start, -(h[3].end - h[3].start), h[0]))
    kept: dict[str, list[Finding]] = {}
    for _, rule, severity, finding in ordered:
        family = kept.setdefault(rule.rule, [])
        if family and finding.start < family[-1].end:
            if _SEVERITY_RANK[severity] > _SEVERITY_RANK[family[-1].severity]:
                family[-1] = finding
            continue
        family.append(finding)
    return sorted(
        (f for family in kept.values() for f in family), key=lambda f: (f.start, f.end, f.rule)
    )


def _participants(participants: Iterable[Any] | None) -> tuple[str, ...]:
    """Names and usernames from strings or objects with ``name``/``username`` attributes."""
    out: list[str] = []
    for p in participants or ():
        if isinstance(p, str):
            out.append(p)
            continue
        for attr in ("name", "username"):
            value = getattr(p, attr, None) or (p.get(attr) if isinstance(p, dict) else None)
            if value:
                out.append(str(value))
    return tuple(sorted(set(out)))


def _check_field(field: str) -> None:
    if field not in FIELDS:
        raise ValueError(f"field must be one of {', '.join(FIELDS)}, not {field!r}")


def lint(
    text: str, field: str = "factor", participants: Iterable[Any] | None = None
) -> list[Finding]:
    """Blame, hindsight and vague-action findings in ``text`` written for ``field``.

    ``participants`` are the people the postmortem knows (names such as "Priya Shah" and
    usernames such as "pshah"): a sentence that pins the event on one of them is blame even when
    the name is not a common first name.
    """
    _check_field(field)
    return list(_lint(text[:MAX_INPUT_CHARS], field, _participants(participants)))


@lru_cache(maxsize=4096)
def _lint(text: str, field: str, participants: tuple[str, ...]) -> tuple[Finding, ...]:
    """The findings of one text (remembered: a COE page checks its thirty answers, factors and
    lessons on every view, and the same text always gives the same frozen findings)."""
    return tuple(_dedupe(_matches(text, field, participants)))


def has_blocking(findings: Iterable[Finding]) -> bool:
    return any(f.severity == BLOCK for f in findings)


def amounts_to_human_error(text: str, participants: Iterable[Any] | None = None) -> bool:
    """Whether a contributing factor's wording gives human error as its cause.

    Such a factor may never be a leaf of the "why" tree: someone has to ask why the system let
    it happen. Generic hindsight ("we should have had a canary") does not count; a person who
    did, forgot or failed to do something does.
    """
    text = text[:MAX_INPUT_CHARS]
    return any(
        rule.human_error for _, rule, _, _ in _matches(text, "factor", _participants(participants))
    )
