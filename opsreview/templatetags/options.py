"""``{% load options %}`` then
``{% select "team" choices selected id="f-team" class="form-select" %}``: a whole ``<select>``
from (value, label) rows, the chosen one selected.

Drawn by the form renderer in one pass (opsreview/forms_renderer.py), escaped like any template
variable: a template loop with an ``{% if %}`` per option cost about 40 µs an option, so the
500 services of a filter took 20 ms of every action item list. Keyword arguments become the
select's attributes (``data_risk=True`` → ``data-risk``).

Plain (value, label) rows are written here directly, to the character what the widget writes
(tests/opsreview/test_options_tag.py): even the widget's one pass built a dict per option, and
the two filters of 500 services and 50 teams cost 3 ms of every action item list; and the same
rows with the same choice are drawn once (a bounded cache keyed by the rows themselves, so a
renamed service draws anew). Anything else (groups, lazy labels) goes through the widget.
"""

import functools

from django import forms, template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

register = template.Library()


@register.simple_tag
def select(name, choices, selected="", **attrs):
    attributes = {key.replace("_", "-"): value for key, value in attrs.items()}
    chosen = "" if selected is None else selected
    drawn = None
    if isinstance(choices, (list, tuple)):
        try:
            drawn = _plain_select(name, tuple(choices), str(chosen),
                                  tuple(attributes.items()))
        except TypeError:  # something unhashable: not a plain row
            drawn = None
    return drawn or forms.Select(choices=choices).render(name, chosen, attrs=attributes)


@functools.lru_cache(maxsize=64)
def _plain_select(name, choices: tuple, chosen: str, attributes: tuple) -> SafeString | None:
    """Drawn once for the same rows: the filters of a list page draw the same 500 services
    for every request until a service changes."""
    rows, found = [], False
    for value, label in choices:
        if not isinstance(label, str):  # a group, or a lazy label: the widget's way
            return None
        value = "" if value is None else str(value)
        mark = ""
        if not found and value == chosen:
            mark, found = " selected", True
        rows.append((value, mark, label))
    drawn = format_html_join("", '\n  <option value="{}"{}>{}</option>\n', rows)
    names = format_html_join("", "{}", (
        (format_html(" {}", key) if value is True else format_html(' {}="{}"', key, value),)
        for key, value in attributes if value is not False))
    return format_html('<select name="{}"{}>{}\n</select>', name, names, drawn)
