"""Compatibility shim: the wording check now lives in the top-level ``wording`` package.

Existing callers keep importing from here; new code should import from :mod:`wording`. The rules,
word lists and suggestions are data in ``wording/data/*.yaml`` (see ``docs/wording.md``).
"""

from __future__ import annotations

import re

from wording import (
    BLOCK,
    FIELDS,
    MAX_INPUT_CHARS,
    WARN,
    Finding,
    Rule,
    amounts_to_human_error,
    has_blocking,
    lint,
    rules,
)

__all__ = [
    "BLOCK",
    "FIELDS",
    "HUMAN_ERROR_RE",
    "MAX_INPUT_CHARS",
    "RULES",
    "WARN",
    "Finding",
    "Rule",
    "amounts_to_human_error",
    "has_blocking",
    "lint",
]

RULES: tuple[Rule, ...] = rules()

# The plain human-error vocabulary, for callers that need a quick yes/no without context
# (e.g. highlighting). ``amounts_to_human_error`` is the precise check.
HUMAN_ERROR_RE = re.compile(
    r"""\b(?:human|operator|user|pilot)\s+(?:errors?|mistakes?|failures?)\b|\bforgot\b
        |\bmade\s+(?:a\s+|an\s+)?(?:\w+\s+)?mistakes?\b|\bcareless(?:ly|ness)?\b
        |\bnegligen(?:t|ce)\b|\bfat[\s-]?finger(?:ed|ing|s)?\b""",
    re.IGNORECASE | re.VERBOSE,
)
