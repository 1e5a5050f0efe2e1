"""A ``<select>`` of plain (value, label) rows, written directly and drawn once.

Even the form renderer's one pass (opsreview/forms_renderer.py) builds a dict per option, and a
list page's filters draw the same 500 services and 50 teams for every request until one
changes: `plain_select` writes the rows to the character what Django's widget writes
(tests/opsreview/test_options_tag.py) and remembers the drawing for the same rows, choice and
attributes (a bounded cache keyed by the rows themselves, so a renamed service draws anew).
Anything else (groups, lazy labels, unhashable values) returns None: the widget's way.

Used by ``{% select %}`` (opsreview/templatetags/options.py) and by `PlainSelect`, the widget
of a form's filter fields.
"""

from __future__ import annotations

import functools

from django import forms
from django.utils.choices import BaseChoiceIterator
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString


class PlainRows(BaseChoiceIterator):
    """(value, label) rows for a choice field, kept as they are: Django normalises a list of
    choices for the field and again for its widget, two calls per option (500 services)."""

    def __init__(self, rows):
        self.rows = list(rows)

    def __iter__(self):
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)


def plain_select(name, choices, chosen, attributes: dict) -> SafeString | None:
    """The select, or None when the rows are not plain (value, label) pairs."""
    if isinstance(choices, PlainRows):
        choices = choices.rows
    if not isinstance(choices, (list, tuple)):
        return None
    try:
        return _drawn(str(name), tuple(choices), str(chosen), tuple(attributes.items()))
    except (TypeError, ValueError):  # unhashable, or not pairs: not plain rows
        return None


@functools.lru_cache(maxsize=64)
def _drawn(name: str, choices: tuple, chosen: str, attributes: tuple) -> SafeString | None:
    rows, found = [], False
    for value, label in choices:
        if not isinstance(label, str):  # a group, or a lazy label
            return None
        value = "" if value is None else str(value)
        mark = ""
        if not found and value == chosen:  # as the widget: the first match only
            mark, found = " selected", True
        rows.append((value, mark, label))
    drawn = format_html_join("", '\n  <option value="{}"{}>{}</option>\n', rows)
    names = format_html_join("", "{}", (
        (format_html(" {}", key) if value is True else format_html(' {}="{}"', key, value),)
        for key, value in attributes if value is not False))
    return format_html('<select name="{}"{}>{}\n</select>', name, names, drawn)


class PlainSelect(forms.Select):
    """forms.Select drawn by `plain_select` when its choices are plain rows."""

    def render(self, name, value, attrs=None, renderer=None):
        chosen = self.format_value(value)
        drawn = None if self.allow_multiple_selected else plain_select(
            name, self.choices, chosen[0] if chosen else "", self.build_attrs(self.attrs, attrs))
        return drawn or super().render(name, value, attrs, renderer)
