"""Templates never mark user text safe: only the markdown filter produces trusted HTML."""

import re

from ..conftest import REPO

SAFE = re.compile(r"\|\s*safe\b|{%\s*autoescape\s+off")


def test_no_template_uses_the_safe_filter_or_turns_autoescape_off():
    offenders = [
        str(path.relative_to(REPO)) for path in (REPO / "templates").rglob("*.html")
        if SAFE.search(path.read_text())
    ]
    assert offenders == []


def test_mark_safe_appears_only_in_the_markdown_filter():
    code_dirs = ["opsreview", "catalog", "reviews", "orr", "postmortems", "actions", "reports"]
    users = [
        str(path.relative_to(REPO))
        for d in code_dirs for path in (REPO / d).rglob("*.py")
        if "mark_safe(" in path.read_text() or "SafeString(" in path.read_text()
    ]
    assert users in ([], ["opsreview/templatetags/markdown.py"])
