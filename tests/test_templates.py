"""Every template stays readable: no line over 160 characters (docs/architecture.md), and no
line split by an empty `{% comment %}{% endcomment %}` pair to get under that limit."""

import re
from pathlib import Path

from django.conf import settings

LIMIT = 160
# A comment with nothing in it: only ever there to join two lines without a space between them.
EMPTY_COMMENT = re.compile(r"{%\s*comment\s*%}(\s*){%\s*endcomment\s*%}")


def template_files() -> list[Path]:
    """The project's templates: the templates folder and any app's own."""
    roots = [Path(d) for engine in settings.TEMPLATES for d in engine["DIRS"]]
    roots += list(Path(settings.BASE_DIR).glob("*/templates"))
    return sorted(p for root in roots for p in root.rglob("*") if p.suffix in (".html", ".txt"))


def empty_comment_lines(text: str) -> list[int]:
    """The line numbers where an empty comment starts."""
    return [text.count("\n", 0, m.start()) + 1 for m in EMPTY_COMMENT.finditer(text)]


def test_templates_are_found():
    names = {p.name for p in template_files()}
    assert {"base.html", "section_edit.html", "_answer_editor.html", "history.html"} <= names


def test_no_template_line_is_over_160_characters():
    long_lines = [
        f"{path.relative_to(settings.BASE_DIR)}:{number} ({len(line)} characters)"
        for path in template_files()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if len(line) > LIMIT
    ]
    assert long_lines == []


def test_empty_comments_are_found():
    text = ('<p>\n  Due{% comment %}\n  {% endcomment %} on {{ day }}.</p>\n'
            '{%comment%}{%endcomment%}\n'
            '{% comment %}Why this partial exists.{% endcomment %}\n'
            '{% comment %}\nA longer note.\n{% endcomment %}\n')
    assert empty_comment_lines(text) == [2, 4]


def test_no_line_is_split_with_an_empty_comment():
    joiners = [
        f"{path.relative_to(settings.BASE_DIR)}:{number}"
        for path in template_files()
        for number in empty_comment_lines(path.read_text(encoding="utf-8"))
    ]
    assert joiners == []
