"""Blame wording check for COE postmortems.

The rules come from the COE template (``seeds/postmortem-template.txt``): never stop at human
error, don't blame individuals or teams, watch for hindsight bias and the fundamental attribution
error, and avoid open-ended action items such as "create training" or "improve documentation".

``lint(text, field)`` returns :class:`Finding` objects in three families:

``blame``
    Human error named as a cause ("human error", "forgot", "careless", "made a mistake"), a person
    singled out ("John ran ...", "@alice", "the new hire", "the operator accidentally ...").
``counterfactual``
    Hindsight wording ("should have", "could have prevented", "if only", "obviously") and
    "failed to" when its subject is a person, a team or a role.
``vague_action``
    Action items or lessons that rely on people trying harder or that cannot be finished ("be more
    careful", "create training", "improve documentation" with nothing specific, "rewrite the
    system", "move to Fortran").

Severity per field (``None`` = the rule does not apply to that field)::

                                  factor  summary  lesson  action
    blame (human error, judging)  block   block    block   warn
    blame (a name or @mention)    block   block    block   -      action items name their owner
    counterfactual, person did X  block   warn     warn    warn
    counterfactual, other         warn    warn     warn    warn
    vague_action                  -       -        warn    block

Why counterfactuals are mostly ``warn``: hindsight wording is a smell, not proof of blame; "we
should have had a canary stage" is often the honest seed of a good action item. A counterfactual
about what a person did ("the operator failed to drain the node", "the engineer should have
checked") states human error as the cause, so it blocks in a contributing factor, where the "why"
tree must go deeper, and warns elsewhere.

Choices made for precision (a false alarm teaches authors to ignore the check):

* "mistake" about an artefact with no person in the sentence ("a configuration mistake in the
  template was not caught by validation") is not flagged; "made a mistake" always is.
* "failed to" / "should have <done>" count as person counterfactuals only with a person, team or
  role subject; "the job failed to acquire the lock" is a technical statement.
* "should have a/an/the/no/N ..." is a present-tense requirement ("every alarm should have a
  runbook"), not a counterfactual, and is not flagged. Quoted log text is not special-cased.
* People are recognised by role words, pronouns, @mentions and a list of common first names
  followed by an action verb, never by capitalisation alone (sentences start with capitals, and
  products such as Kafka or Jenkins are capitalised too).
* "Vague" means the sentence has no number, identifier, metric word and fewer than two concrete
  content words besides the matched phrase.

Only the first :data:`MAX_INPUT_CHARS` characters are checked. Every pattern is linear (no nested
unbounded quantifiers) and every context look-up is bounded, so linting stays fast on any input.
This module imports nothing from Django, so it can run and be tested on its own.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import asdict, dataclass

__all__ = [
    "FIELDS",
    "HUMAN_ERROR_RE",
    "MAX_INPUT_CHARS",
    "RULES",
    "Finding",
    "Rule",
    "amounts_to_human_error",
    "has_blocking",
    "lint",
]

FIELDS = ("factor", "summary", "lesson", "action")
BLOCK = "block"
WARN = "warn"
MAX_INPUT_CHARS = 100_000
# How far around a match the context predicates look; keeps each look-up O(1) in input size.
_WINDOW = 200

_SEVERITY_RANK = {WARN: 1, BLOCK: 2}


@dataclass(frozen=True)
class Finding:
    rule: str
    severity: str
    start: int
    end: int
    message: str
    suggestion: str

    def to_dict(self) -> dict[str, str | int]:
        return asdict(self)


Exemption = Callable[[str, re.Match[str]], bool]


@dataclass(frozen=True)
class Rule:
    id: str
    rule: str  # the family reported in Finding.rule
    pattern: re.Pattern[str]
    severity: Mapping[str, str | None]
    message: str
    suggestion: str
    exempt_if: Exemption | None = None
    # Whether a match means the text names human error as the cause (for the factor gate).
    human_error: bool = False


def _re(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE | re.VERBOSE)


def _words(words: str) -> str:
    """An alternation of space-separated words (``_`` joins a phrase), longest first."""
    alternatives = sorted(words.split(), key=len, reverse=True)
    return "(?:" + "|".join(w.replace("_", r"\s+") for w in alternatives) + ")"


# --- vocabularies -----------------------------------------------------------------------------

# Common first names. Names that are also products, languages or ordinary words (Ruby, Julia,
# Ada, Jenkins, Travis, Hugo, Cassandra, Max, Mark, Will, Grace, Sam/SAM ...) are left out on
# purpose: precision matters more than recall.
FIRST_NAMES = frozenset(
    """
    aaron abdul adam ahmed aisha alan alejandro alex alexander ali alice alicia amanda amara
    amit amy ana andrea andrew andy angela anil anja anna anthony arjun arthur ashley barbara ben
    benjamin beth bob bobby brandon brian carl carla carlos carol catherine charles charlie
    chidi chloe chris christina christopher claire craig cynthia dan daniel daniela dave david
    deborah deepak dennis diana diego dmitri donna doug douglas elena eli elizabeth ella emily
    emma eric erik ethan fatima fernando francois gary george giulia giovanni greg gregory hannah
    hans harold hassan heather helen henry hiroshi igor ingrid isabella ivan jack jacob james
    jamie jane jason jeff jeffrey jennifer jeremy jerry jessica jim jin joe john jonathan jose
    josh joshua juan julie justin karen kate katie kathleen kenji kevin kim kimberly klaus kofi
    kwame kyle lars laura lauren liam linda lisa liz lucas lucia luis luca marco margaret maria
    marie mary matt matthew megan melissa michael michelle miguel mike mohammed muhammad nancy
    nathan nick nicholas nils nina nkechi noah olga oliver olivia omar patricia patrick paul pedro
    pete peter pierre priya rahul raj ravi rebecca richard rick robert ryan sakura sandra sanjay
    sarah sara scott sean sergei sharon sofia sophia stephanie stephen steve steven sunil susan
    sven takeshi tara thomas tim timothy tom tony tunde tyler vikram wei yuki yusuf zachary
    zanele zoe
    """.split()
)

# Head nouns and pronouns that make a clause's subject a person, team or role.
_PERSON_HEADS = frozenset(
    """
    we i he she they you someone somebody nobody everyone anyone engineer engineers developer
    developers dev devs operator operators admin admins administrator administrators sre sres
    dba dbas on-call oncall on-caller on-callers oncaller team teams reviewer reviewers approver
    approvers author authors manager managers lead intern interns hire hires contractor
    contractors staff employee employees person people human humans individual individuals
    colleague colleagues teammate teammates responder responders maintainer maintainers
    """.split()
)
# "operator" is a person only after a determiner or a human qualifier ("the operator"), not in
# "the Kubernetes operator" or "the Postgres operator".
_OPERATOR_PRECEDERS = frozenset(
    "the a an our their this that his her human on-call oncall shift night duty console".split()
)
# Words skipped when looking for the subject right before a verb ("the engineer then failed to").
_SUBJECT_SKIP = frozenset(
    """
    also then again still just simply initially subsequently ultimately originally repeatedly
    completely unfortunately apparently consistently previously later both all had has have
    never actually clearly evidently
    """.split()
)

_ROLE = _words(
    """engineer developer dev operator admin administrator sre dba on-call oncall on-caller intern
    new_hire hire contractor reviewer approver author person employee team_member"""
)
_ROLE_QUALIFIER = _words(
    """on-call oncall junior senior new primary secondary human night-shift night_shift
    inexperienced responsible database release"""
)
# A singled-out person: "the operator", "an on-call engineer", "she", "someone".
_PERSON_NP = rf"""
    (?:\b(?:the|an?|our|their|this|that|one)\s+(?:{_ROLE_QUALIFIER}\s+)?{_ROLE}
      |\b(?:he|she|someone|somebody))
"""
_NAME = _words(" ".join(FIRST_NAMES))
_NOT = r"(?:did\s+not|didn['’]t|never)"
# What a person did that the text presents as the cause.
_BLAME_ACT = rf"""
    (?:accidentally|mistakenly|inadvertently|carelessly|wrongly|incorrectly
      |ignored|missed|overlooked|misread|mistyped|misconfigured|botched
      |messed\s+up|screwed\s+up|broke
      |{_NOT}\s+(?:notice|check|read|follow|verify|see|realise|realize|look\s+at|test|bother
                  |double-check|confirm|review)
      |(?:ran|entered|typed|executed|used|applied|selected|picked|chose|targeted|pushed
         |deployed|edited|deleted|restarted|drained)\s+(?:\w+\s+){{0,3}}?(?:the\s+|a\s+)?wrong)
"""
# Verbs after a first name that present the person as the one who caused it. Mitigation verbs
# (restarted, rolled back, paged, noticed) are left out: naming a responder is not blame.
_NAME_VERB = rf"""
    (?:ran|deployed|pushed|force-pushed|merged|executed|typed|entered|changed|modified|edited
      |deleted|removed|dropped|truncated|terminated|killed|approved|skipped|ignored|missed
      |forgot|broke|misconfigured|caused|applied|triggered|committed|overrode|bypassed
      |introduced|shipped|pasted|misread|mistyped|overlooked|neglected|accidentally|mistakenly
      |inadvertently|carelessly|messed|screwed|botched|failed|should|{_NOT}
      |was\s+responsible|wasn['’]t|was\s+not)
"""
_ARTEFACT = _words(
    """change commit pr pull_request script query deploy deployment mistake typo code config fault
    error command migration push"""
)

# Nouns after "user error" / "human error" that make it a technical thing (a page, a metric).
_TECH_AFTER_ERROR = _words(
    """page pages counter counters count metric metrics rate rates code codes message messages
    screen dialog log logs response responses class type types handling handler budget banner
    template view path state bucket category"""
)
# Qualifiers that make "mistake" describe an artefact rather than a person.
_ARTEFACT_QUALIFIERS = frozenset(
    """
    configuration config template code coding logic schema data syntax spelling copy-paste
    manifest yaml json dns routing calculation rounding unit off-by-one mapping regex sql query
    typing formatting migration terraform helm
    """.split()
)
# Any of these in a sentence means a person is involved (checked by set look-up, not a regex
# alternation, because it runs once per match).
_PERSON_REF_WORDS = (
    frozenset(
        """
        we he she they someone somebody his her human humans intern interns hire hires engineer
        engineers developer developers dev devs admin admins administrator administrators sre
        sres dba dbas on-call oncall on-caller on-callers reviewer reviewers operator operators
        """.split()
    )
    | FIRST_NAMES
)


# --- context helpers --------------------------------------------------------------------------

_CLAUSE_BREAK_RE = re.compile(r"[.;:!?,()\[\]\"\n]")
_SENTENCE_BREAK_RE = re.compile(r"[.;!?](?=\s|$)|\n")
_WORD_RE = re.compile(r"[A-Za-z@][\w'’-]*")


def _clause_before(text: str, pos: int) -> str:
    lo = max(0, pos - _WINDOW)
    seg = text[lo:pos]
    breaks = list(_CLAUSE_BREAK_RE.finditer(seg))
    return seg[breaks[-1].end() :] if breaks else seg


def _sentence_around(text: str, start: int, end: int) -> tuple[str, str]:
    """The text of the match's sentence before and after the match (bounded by _WINDOW)."""
    lo = max(0, start - _WINDOW)
    before = text[lo:start]
    breaks = list(_SENTENCE_BREAK_RE.finditer(before))
    if breaks:
        before = before[breaks[-1].end() :]
    after = text[end : end + _WINDOW]
    stop = _SENTENCE_BREAK_RE.search(after)
    if stop:
        after = after[: stop.start()]
    return before, after


def _next_word(text: str, pos: int) -> str:
    m = _WORD_RE.search(text, pos, pos + 40)
    if m is None or text[pos : m.start()].strip(" \t"):
        return ""
    return m.group().lower()


def _subject_words(text: str, pos: int) -> list[str]:
    clause = _clause_before(text, pos)
    if not clause.strip() and pos - len(clause) > 0 and text[pos - len(clause) - 1] == ",":
        # "The engineer, tired after a long shift, failed to ...": skip the parenthetical.
        segments = text[max(0, pos - _WINDOW) : pos].split(",")
        if len(segments) >= 3:
            clause = _CLAUSE_BREAK_RE.split(segments[-3])[-1]
    return [w.lower() for w in _WORD_RE.findall(clause)]


def _is_person_subject(text: str, pos: int) -> bool:
    """Whether the clause ending at ``pos`` has a person, team or role as its subject."""
    words = _subject_words(text, pos)
    words = [w for w in words if w not in _SUBJECT_SKIP]
    if not words:
        return False
    head = words[-1]
    if head.startswith("@"):
        return True
    if head in ("operator", "operators"):
        return len(words) == 1 or words[-2] in _OPERATOR_PRECEDERS
    return head in _PERSON_HEADS or head in FIRST_NAMES


# --- exemptions ---------------------------------------------------------------------------------


def _not_a_first_name(text: str, m: re.Match[str]) -> bool:
    return m.group("hit").lower() not in FIRST_NAMES


def _not_person_subject(text: str, m: re.Match[str]) -> bool:
    return not _is_person_subject(text, m.start())


_STATE_WORDS = frozenset(
    """
    a an the no its their our his her my your at more fewer less some any enough exactly only
    one two three multiple several separate proper clear access been had got
    """.split()
)
_REQUIREMENT_WORDS = _STATE_WORDS - {"been", "had", "got"}


def _requirement_not_hindsight(text: str, m: re.Match[str]) -> bool:
    # "should have a runbook" states a requirement; "should have checked" is hindsight.
    word = _next_word(text, m.end())
    return word in _REQUIREMENT_WORDS or word[:1].isdigit()


def _not_person_did(text: str, m: re.Match[str]) -> bool:
    # Person subject *and* an action ("the engineer should have drained"), not a missing state
    # ("we should have had a canary"), which the generic rule reports as a plain warning.
    return not _is_person_subject(text, m.start()) or _next_word(text, m.end()) in _STATE_WORDS


_IF_ONLY_MARK_RE = _re(r"\b(?:had|were|would|we|i|someone|somebody|anyone|they|he|she)\b")


def _if_only_is_condition(text: str, m: re.Match[str]) -> bool:
    # "if only one replica is healthy" is a condition, "if only we had ..." is a wish.
    word = _next_word(text, m.end())
    if word in ("one", "a", "an", "some", "two", "three", "part", "half", "partially"):
        return True
    _, after = _sentence_around(text, m.start(), m.end())
    return not _IF_ONLY_MARK_RE.search(after[:60])


_AFTER_ERROR_RE = _re(rf"[\s-]+{_TECH_AFTER_ERROR}\b")


def _error_label_is_technical(text: str, m: re.Match[str]) -> bool:
    return _AFTER_ERROR_RE.match(text, m.end()) is not None


_MISTAKE_IN_RE = _re(
    r"""\s+(?:(?:was|is|were|are|lay|lies)\s+)?(?:in|within|inside)\s+
        (?:the\s+|a\s+|an\s+|our\s+|this\s+)?(\w+)"""
)


def _mistake_about_artefact(text: str, m: re.Match[str]) -> bool:
    if not m.group().lower().startswith("mistake"):
        return False  # "made a mistake": always about a person
    before, after = _sentence_around(text, m.start(), m.end())
    prev = _WORD_RE.findall(before)
    if any(w.lower() in _PERSON_REF_WORDS for w in (*prev, *_WORD_RE.findall(after))):
        return False
    if prev and prev[-1].lower() in _ARTEFACT_QUALIFIERS:
        return True
    inside = _MISTAKE_IN_RE.match(text, m.end())
    return inside is not None and inside.group(1).lower() not in ("judgement", "judgment")


_NEGATION_RE = _re(
    r"""\b(?:no|not|never|don['’]t|doesn['’]t|do\s+not|without|nobody|no\s+one|avoid|avoids
          |isn['’]t|aren['’]t|wasn['’]t|nor|free\s+of|instead\s+of)\b"""
)


_PASSWORD_AFTER_RE = _re(r"[\s-]+(?:password|passwort|pin)\b")


def _forgot_password_feature(text: str, m: re.Match[str]) -> bool:
    return _PASSWORD_AFTER_RE.match(text, m.end()) is not None


_VCS_BEFORE_RE = _re(r"\b(?:git|svn|hg)\s*$")
_BLAME_COMPOUND_RE = _re(r"-(?:free|less|aware)")


def _blame_is_technical_or_negated(text: str, m: re.Match[str]) -> bool:
    # "git blame" is a tool, "blame-free" is the goal, "we don't blame anyone" is the norm.
    clause = _clause_before(text, m.start())
    if _VCS_BEFORE_RE.search(clause) or _BLAME_COMPOUND_RE.match(text, m.end()):
        return True
    return _NEGATION_RE.search(clause[-60:]) is not None


def _mention_is_not_a_person(text: str, m: re.Match[str]) -> bool:
    handle = m.group()[1:].lower()
    if handle in ("here", "channel", "everyone", "all") or "_" in handle:
        return True
    # Decorators ("@retry(...)", "the retry decorator (@retry)") and package scopes
    # ("@babel/core") are code, not people.
    if text[m.end() : m.end() + 1] in ("(", "/"):
        return True
    return "decorator" in text[max(0, m.start() - 30) : m.end() + 30].lower()


_SPECIFIC_RE = re.compile(
    r"""\d|`|--\w|(?<!\w)/\w|\b[a-z]+_[a-z0-9_]+\b|\b[A-Za-z_]\w+\.[A-Za-z_]\w+|\b[a-z]+[A-Z]\w*""",
    re.VERBOSE,
)
_METRIC_RE = _re(
    r"""\b(?:latency|latencies|p\d\d|percentile|threshold|thresholds|error\s+rates?|5xx|4xx
          |saturation|utili[sz]ation|cpu|memory|heap|disk|queue|queues|backlog|lag|throughput
          |qps|rps|tps|timeouts?|connections?|iops|slo|slos|sli|slis|burn\s+rate|availability
          |success\s+rate|status\s+codes?|ms|seconds|minutes|hours|percent|certificate|expiry)\b"""
)
# Words that carry no specific meaning in an action item: they don't make it concrete.
_VAGUE_WORDS = frozenset(
    """
    a an the and or but so to of in on for with by at from as into onto about around over under
    this that these those it its we our us they their them you your he she his her i me my is
    are was were be been being am do does did done have has had will would should could can may
    might must shall not no all any some more most less few many much very also just too again
    better best good great well clear clearer proper properly make sure ensure everyone people
    engineers engineer team teams everybody anyone someone things thing stuff everything issue
    issues problem problems incident incidents outage outages event events future similar
    next time earlier sooner faster quickly catch detect notice know understand happen
    happens happened break breaks broke broken wrong fail fails failure failures help improve
    add update new need needs needed way ways going when what which who why how where there here
    then than up out if because such like across other others each every own same before after
    prevent avoid process
    """.split()
)


def _is_specific(text: str, m: re.Match[str]) -> bool:
    """Whether the sentence around a vague-sounding phrase names something concrete."""
    before, after = _sentence_around(text, m.start(), m.end())
    rest = f"{before} {after}"
    if _SPECIFIC_RE.search(rest) or _METRIC_RE.search(rest):
        return True
    words = (w.lower().strip("'’") for w in _WORD_RE.findall(rest))
    return sum(1 for w in words if len(w) > 2 and w not in _VAGUE_WORDS) >= 2


_AUTOMATION_RE = _re(
    r"""\b(?:automat\w*|script\w*|tool\w*|pipeline|ci|lint\w*|validat\w*|hooks?|pre-?flight
          |pre-?deploy|guard\s*rails?|safeguards?|check\s+that|programmatic\w*|admission)\b"""
)


def _automated_double_check(text: str, m: re.Match[str]) -> bool:
    before, after = _sentence_around(text, m.start(), m.end())
    return _AUTOMATION_RE.search(f"{before} {after}") is not None


_ML_RE = _re(r"\b(?:model|models|dataset|data\s+set|epochs?|classifier|gpus?|ml|inference)\b")
_ML_AFTER_RE = _re(r"\s+(?:data|jobs?|pipeline|runs?|set|loss|cluster|step|corpus|examples)\b")


def _ml_training(text: str, m: re.Match[str]) -> bool:
    if _ML_AFTER_RE.match(text, m.end()):
        return True
    before, after = _sentence_around(text, m.start(), m.end())
    return _ML_RE.search(f"{before} {after}") is not None


_VERSION_RE = _re(r"\s*v?\d")
_SMALL_SCOPE_RE = _re(
    r"\b(?:scripts?|tools?|jobs?|cron|lambdas?|functions?|checks?|tests?|hooks?)\b"
)


def _bounded_change(text: str, m: re.Match[str]) -> bool:
    # "move to Python 3.12" is an upgrade and "port the health-check script to Python" a small
    # change; "move to Fortran" or "rewrite the billing service in Rust" is a rewrite.
    return _VERSION_RE.match(text, m.end()) is not None or bool(_SMALL_SCOPE_RE.search(m.group()))


# --- the rules ----------------------------------------------------------------------------------

_BLAME = {"factor": BLOCK, "summary": BLOCK, "lesson": BLOCK, "action": WARN}
_NAMING = {"factor": BLOCK, "summary": BLOCK, "lesson": BLOCK, "action": None}
_CF_PERSON = {"factor": BLOCK, "summary": WARN, "lesson": WARN, "action": WARN}
_CF = {"factor": WARN, "summary": WARN, "lesson": WARN, "action": WARN}
_VAGUE = {"factor": None, "summary": None, "lesson": WARN, "action": BLOCK}

_ASK_WHY = (
    "Ask why the system allowed the action: what guard rail, tool, check or process was missing?"
)
_NAME_ROLE = (
    "Describe what happened without the person (e.g. 'a command run against the production "
    "cluster'), then ask why the tooling let that command through."
)
_DEEPER = "Ask another 'why?': what made this hard to do right, and what would have caught it?"
_SPECIFIC = (
    "Name the exact change: which component, metric, threshold, page or check, with an owner "
    "and a due date."
)
_MECHANISM = (
    "Replace effort with a mechanism: a check, guard rail, automation or alarm that works even "
    "when people are tired or new."
)

RULES: tuple[Rule, ...] = (
    # --- blame: human error named as the cause ---
    Rule(
        "human-error-label",
        "blame",
        _re(
            r"""\b(?:human|operator|user|pilot)\s+(?:errors?|mistakes?|failures?)\b
                |\b(?:pebkac|pebcak|id10t)\b"""
        ),
        _BLAME,
        "Names human error as the cause; the COE rules say never stop at human or operator "
        "error, it is a sign the analysis has not gone deep enough.",
        _ASK_WHY,
        _error_label_is_technical,
        human_error=True,
    ),
    Rule(
        "forgot",
        "blame",
        _re(r"\bforg(?:ot|otten|et|ets|etting)\s+to\b|\bforgot\b"),
        _BLAME,
        "Blames a person's memory; the COE rules say to stop blaming individuals and ask why "
        "the system depended on someone remembering.",
        _ASK_WHY,
        _forgot_password_feature,
        human_error=True,
    ),
    Rule(
        "mistake",
        "blame",
        _re(
            r"""\b(?:made|make|makes|making)\s+(?:a\s+|an\s+|the\s+|some\s+|several\s+)?
                (?:\w+\s+)?mistakes?\b
                |\bmistakes?\b"""
        ),
        _BLAME,
        "Presents a person's mistake as the cause; the COE rules say never to stop at human "
        "error but to ask why the mistake was possible and went uncaught.",
        _ASK_WHY,
        _mistake_about_artefact,
        human_error=True,
    ),
    Rule(
        "error-by-person",
        "blame",
        _re(
            rf"""\b(?:mistakes?|typos?|slips?|oversights?|lapses?|errors?)\s+(?:made\s+)?by\s+
                 (?:(?:the|an?|our|one)\s+(?:{_ROLE_QUALIFIER}\s+)?{_ROLE}|{_NAME})\b"""
        ),
        _BLAME,
        "Attributes the error to a person; the COE rules say don't assign or imply blame to "
        "individuals or teams.",
        _ASK_WHY,
        human_error=True,
    ),
    Rule(
        "character",
        "blame",
        _re(
            r"""\bcareless(?:ly|ness)?\b|\breckless(?:ly|ness)?\b|\bnegligen(?:t|ce|tly)\b
                |\bslopp(?:y|ily|iness)\b|\bincompeten(?:t|ce|cy)\b|\birresponsibl[ey]\b
                |\binattenti(?:ve|on)\b|\blaziness\b
                |\blazy\s+(?:engineers?|developers?|devs?|operators?|admins?|on-?call|teams?
                           |reviewers?|people|person)\b
                |\b(?:did\s+not|didn['’]t|was\s+not|wasn['’]t|were\s+not|weren['’]t|not|never
                     |failed\s+to)\s+(?:pay|paying|paid)\s+(?:enough\s+|close\s+|proper\s+
                     |any\s+|much\s+)?attention\b
                |\b(?:was\s+not|wasn['’]t|were\s+not|weren['’]t|not\s+being)\s+
                 (?:very\s+|sufficiently\s+)?careful(?:\s+enough)?\b"""
        ),
        _BLAME,
        "Judges a person's character or diligence (the fundamental attribution error); the COE "
        "rules say don't blame individuals or teams.",
        _DEEPER,
        human_error=True,
    ),
    Rule(
        "lazy",
        "blame",
        # Only with a person subject: "the loader is lazy" describes lazy loading.
        _re(r"\b(?:was|were|being|been|is|are)\s+(?:just\s+|too\s+|simply\s+)?lazy\b"),
        _BLAME,
        "Judges a person's character or diligence (the fundamental attribution error); the COE "
        "rules say don't blame individuals or teams.",
        _DEEPER,
        _not_person_subject,
        human_error=True,
    ),
    Rule(
        "fat-finger",
        "blame",
        _re(r"\bfat[\s-]?finger(?:ed|ing|s)?\b"),
        _BLAME,
        "Calls the cause a slip of the hand; the COE rules say stopping at operator error is a "
        "sign you haven't gone deep enough.",
        "Ask why one mistyped value could reach production: was there no validation, "
        "confirmation, dry run or peer review?",
        human_error=True,
    ),
    Rule(
        "blame-word",
        "blame",
        _re(r"\bblam(?:e|ed|es|ing|eworthy)\b|\b(?:his|her|their|my|your)\s+fault\b"),
        _BLAME,
        "Assigns blame; the COE rules say don't blame, or imply blame to, individuals, teams or "
        "organisations.",
        "Describe what happened and ask why it happened, without saying who is at fault.",
        _blame_is_technical_or_negated,
        human_error=True,
    ),
    # --- blame: a person singled out ---
    Rule(
        "person-did-wrong",
        "blame",
        _re(rf"{_PERSON_NP}\s+(?:(?:then|also|just|simply)\s+)?{_BLAME_ACT}\b"),
        _BLAME,
        "Singles out the person who acted as the cause; the COE rules say to think about the "
        "situation that led the operator there and why they were able to do it.",
        _ASK_WHY,
        human_error=True,
    ),
    Rule(
        "named-person",
        "blame",
        _re(
            # Any word before the verb, then a set look-up: much faster than trying a few hundred
            # names at every word.
            rf"""\b(?P<hit>[a-z]{{2,12}})(?:['’]s\s+{_ARTEFACT}\b
                                       |\s+(?:(?:then|also|just)\s+)?{_NAME_VERB}\b)"""
        ),
        _NAMING,
        "Names an individual as the one who caused the event; the COE rules say don't blame "
        "individuals, identify what happened and why.",
        _NAME_ROLE,
        _not_a_first_name,
        human_error=True,
    ),
    Rule(
        "done-by-name",
        "blame",
        _re(
            rf"""\b(?:was|were)\s+(?:made|run|deployed|pushed|merged|approved|executed|applied
                |caused|introduced|deleted|done|triggered|started|written)\s+by\s+
                (?P<hit>{_NAME}|@[a-z][\w-]*)\b"""
        ),
        _NAMING,
        "Names the individual who made the change that led to the event; the COE rules say "
        "don't blame individuals, identify what happened and why.",
        _NAME_ROLE,
        human_error=True,
    ),
    Rule(
        "mention",
        "blame",
        _re(r"(?<![\w@.])@[a-z][\w-]*(?:\.[a-z][\w-]*)*"),
        _NAMING,
        "Points at a specific person by handle; the COE rules say don't blame individuals, "
        "identify what happened and why.",
        _NAME_ROLE,
        _mention_is_not_a_person,
        human_error=True,
    ),
    Rule(
        "singled-out",
        "blame",
        _re(
            r"""\b(?:the|an?|our|their|one)\s+
                (?:new\s+hire|intern|new\s+(?:guy|girl|engineer|developer|joiner|starter
                                           |team\s+member)
                  |(?:junior|inexperienced)\s+(?:engineer|developer|dev|admin|sre|operator))\b"""
        ),
        _BLAME,
        "Singles out a person by seniority (the fundamental attribution error); the COE rules "
        "say don't blame individuals.",
        "Ask what the onboarding, tooling or review process was missing so that anyone, new or "
        "not, would have been safe doing this.",
        human_error=True,
    ),
    # --- counterfactuals and hindsight ---
    Rule(
        "person-failed-to",
        "counterfactual",
        _re(r"\b(?:failed|neglected)\s+to\b"),
        _CF_PERSON,
        "Says a person or team failed to act, which is hindsight and stops at human error; the "
        "COE rules say to question why those things happened.",
        _ASK_WHY,
        _not_person_subject,
        human_error=True,
    ),
    Rule(
        "person-should-have",
        "counterfactual",
        _re(r"\b(?:should|could|ought\s+to)(?:n['’]t|\s+not)?(?:['’]ve|\s+have)\b"),
        _CF_PERSON,
        "Says what a person should have done, which is hindsight bias and stops at human error; "
        "the COE rules say to ask why the right action was not the easy one.",
        _ASK_WHY,
        _not_person_did,
        human_error=True,
    ),
    Rule(
        "should-have",
        "counterfactual",
        _re(r"\b(?:should|ought\s+to)(?:n['’]t|\s+not)?(?:['’]ve|\s+have)\b"),
        _CF,
        "A counterfactual ('should have') describes what did not happen and invites hindsight "
        "bias; the COE rules say to describe what happened and ask why.",
        "State what actually happened and what was missing, e.g. 'the pipeline had no canary "
        "stage'.",
        _requirement_not_hindsight,
    ),
    Rule(
        "could-have-prevented",
        "counterfactual",
        _re(
            r"""\b(?:could|would)(?:['’]ve|\s+have)\s+(?:easily\s+)?(?:been\s+)?
                (?:prevented|avoided|avoidable|caught|stopped)\b"""
        ),
        _CF,
        "A counterfactual about what would have prevented the event leans on hindsight bias; "
        "the COE rules say to describe what happened and why.",
        "Describe the safeguard that was missing and turn it into a concrete action item.",
    ),
    Rule(
        "if-only",
        "counterfactual",
        _re(r"\bif\s+only\b"),
        _CF,
        "'If only' is hindsight: it treats the outcome as predictable; the COE rules warn "
        "against hindsight bias.",
        "Describe what the people involved knew at the time and what signal or safeguard was "
        "missing.",
        _if_only_is_condition,
    ),
    Rule(
        "obviously",
        "counterfactual",
        _re(
            r"""\bobviously\b|\bclearly\s+should(?:n['’]t)?\b
                |\b(?:it|this|that)\s+(?:was|is|should\s+have\s+been)\s+obvious\b"""
        ),
        _CF,
        "Calling it obvious is hindsight bias: it was not obvious to the people at the time; "
        "the COE rules say to fight this bias.",
        "Describe what the dashboards, alarms and docs showed at the time, and what was "
        "missing from them.",
    ),
    # --- vague or unfinishable action items ---
    Rule(
        "vague-docs",
        "vague_action",
        _re(
            r"""\b(?:improve[sd]?|improving|update[sd]?|updating|review|clarify|expand|revisit
                  |fix)\s+(?:the\s+|our\s+|all\s+|existing\s+)?
                (?:documentation|docs|wiki|runbooks?|playbooks?)\b
                |\b(?:better|more|clearer|improved)\s+(?:documentation|docs)\b
                |\bdocument\s+(?:this|it|things|everything)\s+better\b"""
        ),
        _VAGUE,
        "'Improve documentation' with nothing specific is an open-ended action item, which the "
        "COE rules call not useful.",
        _SPECIFIC,
        _is_specific,
    ),
    Rule(
        "training",
        "vague_action",
        _re(
            r"""\b(?:create|provide|add|run|hold|schedule|organi[sz]e|conduct|deliver|mandatory
                  |more|additional|better|extra|further|refresher)\s+(?:\w+\s+){0,2}?training\b
                |\b(?:re-?)?train(?:ing)?\s+(?:the\s+|our\s+|all\s+|every\s+|new\s+)?
                 (?:teams?|engineers?|developers?|staff|operators?|on-?call(?:ers?)?|people
                   |everyone|sres?|employees|hires)\b
                |\bre-?train(?:ing|ed)?\b"""
        ),
        _VAGUE,
        "'Create training' relies on people remembering instead of fixing the system; the COE "
        "rules name it as an action item that isn't useful.",
        _MECHANISM,
        _ml_training,
    ),
    Rule(
        "be-careful",
        "vague_action",
        _re(
            r"""\b(?:be|being|is|are|stay|remain)\s+(?:more\s+|extra\s+|very\s+|especially\s+)?
                (?:careful|vigilant|cautious|diligent|attentive)\b
                |\btake\s+(?:more|extra|greater|better)\s+care\b
                |\bpay\s+(?:more|closer|better|extra|careful)\s+attention\b
                |\bmore\s+(?:vigilance|caution|diligence|carefully)\b"""
        ),
        _VAGUE,
        "Asking people to be more careful is not a mechanism; the COE rules say to fix the "
        "tools, process or culture that let the error happen.",
        _MECHANISM,
    ),
    Rule(
        "communication",
        "vague_action",
        _re(
            r"""\bcommunicate\s+(?:better|more(?:\s+(?:clearly|often|effectively))?|clearly)\b
                |\b(?:improve|better|more|clearer)\s+(?:the\s+|our\s+|team\s+|cross-team\s+)?
                 communications?\b"""
        ),
        _VAGUE,
        "'Communicate better' is an open-ended action item with no way to tell when it is done, "
        "which the COE rules say to avoid.",
        "Name the mechanism: who is told, through which channel, triggered by what event (e.g. "
        "'page the owning team's on-call from the incident tool when a Sev2 is declared').",
    ),
    Rule(
        "vague-monitoring",
        "vague_action",
        _re(
            r"""\b(?:add(?:ed|ing)?|improve[sd]?|improving|increase|more|better|set\s+up
                  |implement|introduce)\s+(?:more\s+|better\s+|additional\s+|extra\s+|some\s+
                  |proper\s+|the\s+|our\s+)?
                (?:monitoring|alerting|alerts?|alarms?|observability|dashboards?|metrics
                  |logging)\b"""
        ),
        _VAGUE,
        "'Add monitoring' without a metric, threshold or component is an open-ended action "
        "item, which the COE rules say to avoid.",
        "Name the metric, threshold, duration and who gets paged, e.g. 'alarm on checkout p99 "
        "latency > 800 ms for 5 minutes, paging the payments on-call'.",
        _is_specific,
    ),
    Rule(
        "vague-tests",
        "vague_action",
        _re(
            r"""\b(?:add|write|improve|more|better|increase)\s+(?:more\s+|better\s+
                  |additional\s+|extra\s+)?(?:tests|testing|test\s+coverage|coverage)\b"""
        ),
        _VAGUE,
        "'Add more tests' without saying which behaviour is tested is an open-ended action "
        "item, which the COE rules say to avoid.",
        "Name the test: which input or failure it replays and where it runs (e.g. 'an "
        "integration test in the deploy pipeline that loads the malformed manifest').",
        _is_specific,
    ),
    Rule(
        "double-check",
        "vague_action",
        _re(r"\bdouble[\s-]?check(?:s|ed|ing)?\b"),
        _VAGUE,
        "A manual double-check relies on people being careful; the COE rules say to fix the "
        "tools and process instead.",
        "Make the check programmatic: a validation, dry run, confirmation prompt or required "
        "peer review in the tool.",
        _automated_double_check,
    ),
    Rule(
        "remind",
        "vague_action",
        _re(
            r"""\bremind\s+(?:the\s+|all\s+|our\s+)?(?:teams?|engineers?|developers?|everyone
                |people|staff|operators?|on-?call(?:ers?)?|sres?)\b"""
        ),
        _VAGUE,
        "Reminding people relies on memory and fades; the COE rules say to fix the tools, "
        "process or culture instead.",
        _MECHANISM,
    ),
    Rule(
        "vague-process",
        "vague_action",
        _re(
            r"""\b(?:improve|review|revisit|tighten|fix|strengthen)\s+(?:the\s+|our\s+)?
                (?:processes|process|procedures?)\b"""
        ),
        _VAGUE,
        "'Improve the process' without naming the step is an open-ended action item, which the "
        "COE rules say to avoid.",
        "Name the process step that broke and the concrete change to it (e.g. 'require a "
        "second approver for changes to the DNS zone').",
        _is_specific,
    ),
    Rule(
        "big-bang",
        "vague_action",
        _re(
            r"""\b(?:fix|change|redo|rethink|overhaul|redesign|rebuild)\s+(?:the\s+|our\s+)?
                (?:(?:overall|whole|entire|current)\s+)?architecture\b
                |\b(?:fix|change|redo|rethink|overhaul|redesign|rebuild|rewrite)\s+
                 (?:the\s+|our\s+)?(?:overall|whole|entire)\s+
                 (?:system|platform|codebase|stack|service)\b
                |\brewrite\s+(?:the\s+|our\s+)?(?:system|platform|codebase|everything)\b
                |\brewrite\s+(?:it|everything|this)\s+from\s+scratch\b
                |\bre-?architect(?:ing|ed|ure)?\b
                |\b(?:move|moving|migrate|migrating|switch|switching|port|porting|rewrite
                    |rewriting)\s+(?:\w+\s+){0,3}?(?:to|in|into)\s+
                 (?:fortran|cobol|rust|golang|go(?![\w-]|\s+\w)|java|scala|kotlin|haskell|elixir|erlang
                   |clojure|c\+\+|python|typescript|node(?:\.js)?|microservices|serverless
                   |a\s+new\s+(?:language|stack|framework|platform))(?![\w+-])"""
        ),
        _VAGUE,
        "Changing the whole architecture or language is not a postmortem action item; the COE "
        "rules say don't try to fix everything in one postmortem.",
        "Pick the smallest change that stops this failure mode in the short term (a limit, a "
        "check, a timeout), and propose the larger redesign separately.",
        _bounded_change,
    ),
)

# The plain human-error vocabulary, for callers that need a quick yes/no without context
# (e.g. highlighting). ``amounts_to_human_error`` is the precise check.
HUMAN_ERROR_RE = _re(
    r"""\b(?:human|operator|user|pilot)\s+(?:errors?|mistakes?|failures?)\b|\bforgot\b
        |\bmade\s+(?:a\s+|an\s+)?(?:\w+\s+)?mistakes?\b|\bcareless(?:ly|ness)?\b
        |\bnegligen(?:t|ce)\b|\bfat[\s-]?finger(?:ed|ing|s)?\b"""
)


# --- API ----------------------------------------------------------------------------------------


def _check_field(field: str) -> None:
    if field not in FIELDS:
        raise ValueError(f"field must be one of {', '.join(FIELDS)}, not {field!r}")


def _matches(text: str, field: str) -> Iterator[tuple[Rule, str, int, int]]:
    for rule in RULES:
        severity = rule.severity.get(field)
        if severity is None:
            continue
        span_group = "hit" if "hit" in rule.pattern.groupindex else 0
        for m in rule.pattern.finditer(text):
            if rule.exempt_if is not None and rule.exempt_if(text, m):
                continue
            start, end = m.span(span_group)
            yield rule, severity, start, end


def _dedupe(hits: Iterable[tuple[int, Rule, str, int, int]]) -> list[Finding]:
    # Sorted by start, longest first, then table order; within one family keep one finding per
    # overlapping stretch, preferring the stronger severity (table order breaks ties, so the
    # more specific rule listed first wins).
    ordered = sorted(hits, key=lambda h: (h[3], -(h[4] - h[3]), h[0]))
    kept: dict[str, list[Finding]] = {}
    for _, rule, severity, start, end in ordered:
        family = kept.setdefault(rule.rule, [])
        finding = Finding(rule.rule, severity, start, end, rule.message, rule.suggestion)
        if family and start < family[-1].end:
            if _SEVERITY_RANK[severity] > _SEVERITY_RANK[family[-1].severity]:
                family[-1] = finding
            continue
        family.append(finding)
    return sorted(
        (f for family in kept.values() for f in family), key=lambda f: (f.start, f.end, f.rule)
    )


def lint(text: str, field: str = "factor") -> list[Finding]:
    """Blame, hindsight and vague-action findings in ``text`` written for ``field``."""
    _check_field(field)
    text = text[:MAX_INPUT_CHARS]
    order = {rule.id: i for i, rule in enumerate(RULES)}
    return _dedupe(
        (order[rule.id], rule, severity, start, end)
        for rule, severity, start, end in _matches(text, field)
    )


def has_blocking(findings: Iterable[Finding]) -> bool:
    return any(f.severity == BLOCK for f in findings)


def amounts_to_human_error(text: str) -> bool:
    """Whether a contributing factor's wording gives human error as its cause.

    Such a factor may never be a leaf of the "why" tree: someone has to ask why the system let
    it happen. Generic hindsight ("we should have had a canary") does not count; a person who
    did, forgot or failed to do something does.
    """
    return any(rule.human_error for rule, *_ in _matches(text[:MAX_INPUT_CHARS], "factor"))
