"""OpsReview's wording check: blame, hindsight and vague action items in postmortem text.

Plain Python (no Django), the lowest layer of the stack. The rules, word lists and suggestions
are data (``wording/data/*.yaml``); :mod:`wording.engine` applies them.

    >>> from wording import lint
    >>> [f.rule for f in lint("The operator forgot to drain the node.", "factor")]
    ['blame']
"""

from wording.engine import (
    BLOCK,
    CATEGORIES,
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
    "CATEGORIES",
    "FIELDS",
    "MAX_INPUT_CHARS",
    "WARN",
    "Finding",
    "Rule",
    "amounts_to_human_error",
    "has_blocking",
    "lint",
    "rules",
]
