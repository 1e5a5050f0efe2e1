"""Every template stays readable: no line over 160 characters (docs/architecture.md)."""

from pathlib import Path

from django.conf import settings

LIMIT = 160


def template_files() -> list[Path]:
    """The project's templates: the templates folder and any app's own."""
    roots = [Path(d) for d in settings.TEMPLATES[0]["DIRS"]]
    roots += list(Path(settings.BASE_DIR).glob("*/templates"))
    return sorted(p for root in roots for p in root.rglob("*") if p.suffix in (".html", ".txt"))


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
