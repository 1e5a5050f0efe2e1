"""Templates never mark user text safe: only the markdown filter produces trusted HTML, and the
Jinja2 bridge passes on the output of an engine that escapes everything."""

import re

from ..conftest import REPO

SAFE = re.compile(r"\|\s*safe\b|{%\s*autoescape\s+(off|false)\b")


def test_no_template_uses_the_safe_filter_or_turns_autoescape_off():
    offenders = [
        str(path.relative_to(REPO))
        for folder in ("templates", "jinja_templates") for path in (REPO / folder).rglob("*.html")
        if SAFE.search(path.read_text())
    ]
    assert offenders == []


def test_mark_safe_appears_only_in_the_markdown_filter_and_the_jinja2_bridge():
    code_dirs = ["opsreview", "catalog", "reviews", "orr", "postmortems", "actions", "reports"]
    users = [
        str(path.relative_to(REPO))
        for d in code_dirs for path in (REPO / d).rglob("*.py")
        if re.search(r"\b(mark_safe|SafeString|Markup)\(", path.read_text())
    ]
    # The bridge marks the output of the Jinja2 engine, whose autoescape is always on
    # (tests/opsreview/test_jinja.py), as Django marks its own templates' output.
    assert sorted(users) == ["opsreview/templatetags/jinja.py",
                             "opsreview/templatetags/markdown.py"]
