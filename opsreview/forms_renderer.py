"""The form renderer: Django's own, with the everyday widgets drawn in Python.

Rendering a widget through Django's widget templates (an ``<input>``, a ``<select>`` and one
template per ``<option>``, each including ``attrs.html``) costs about 0.3 ms per field; pages
with a form per row (a section's gaps, a COE's factors, the filters of the lists) spent a large
part of their time there. Inputs, textareas and selects are built here with ``format_html``
instead, to the character what Django's templates produce (tests/opsreview/test_forms_renderer.py
compares both for every case); every other widget, and any widget whose template a project
overrides, still goes through the templates.
"""

from __future__ import annotations

from pathlib import Path

from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.functional import cached_property
from django.utils.html import format_html, format_html_join

WIDGETS = "django/forms/widgets/"
INPUTS = {f"{WIDGETS}{name}.html" for name in (
    "input", "text", "hidden", "password", "email", "url", "number", "search", "tel", "date",
    "datetime", "time", "color", "checkbox", "file")}
TEXTAREA = f"{WIDGETS}textarea.html"
SELECT = f"{WIDGETS}select.html"
OPTION = f"{WIDGETS}select_option.html"


def _attrs(attrs: dict) -> str:
    """attrs.html: ` name="value"`, ` name` for True, nothing for False."""
    return format_html_join("", "{}", (
        (format_html(" {}", name) if value is True else format_html(' {}="{}"', name, value),)
        for name, value in attrs.items() if value is not False))


SELECTED = format_html(" {}", "selected")


def _option_attrs(attrs: dict) -> str:
    """An option's attributes: nearly always none, or only `selected` (hundreds per page)."""
    if not attrs:
        return ""
    if attrs == {"selected": True}:
        return SELECTED
    return _attrs(attrs)


def _input(w: dict) -> str:
    value = "" if w["value"] is None else format_html(' value="{}"', w["value"])
    return format_html('<input type="{}" name="{}"{}{}>', w["type"], w["name"], value,
                       _attrs(w["attrs"]))


def _textarea(w: dict) -> str:
    return format_html('<textarea name="{}"{}>\n{}</textarea>', w["name"], _attrs(w["attrs"]),
                       w["value"] or "")


def _select(w: dict) -> str | None:
    groups = []
    for group_name, options, _ in w["optgroups"]:
        if any(option["template_name"] != OPTION for option in options):
            return None
        drawn = format_html_join("", '\n  <option value="{}"{}>{}</option>\n', (
            (option["value"], _option_attrs(option["attrs"]), option["label"])
            for option in options))
        groups.append(format_html('\n  <optgroup label="{}">{}\n  </optgroup>', group_name, drawn)
                      if group_name else drawn)
    return format_html('<select name="{}"{}>{}\n</select>', w["name"], _attrs(w["attrs"]),
                       format_html_join("", "{}", ((g,) for g in groups)))


class FastWidgets(DjangoTemplates):
    """FORM_RENDERER: templates for everything, Python for inputs, textareas and selects."""

    @cached_property
    def _own(self) -> set[str]:
        """The widget templates drawn here: those nobody overrides (Django's own files)."""
        django_dir = str(Path(forms.__file__).parent)
        return {name for name in (*INPUTS, TEXTAREA, SELECT, OPTION)
                if self.get_template(name).origin.name.startswith(django_dir)}

    def render(self, template_name, context, request=None):
        widget = context.get("widget")
        if (widget is not None and template_name == widget.get("template_name")
                and template_name in self._own and OPTION in self._own):
            drawn = None
            if template_name in INPUTS and "type" in widget:
                drawn = _input(widget)
            elif template_name == TEXTAREA:
                drawn = _textarea(widget)
            elif template_name == SELECT and "optgroups" in widget:
                drawn = _select(widget)
            if drawn is not None:
                return drawn
        return super().render(template_name, context, request)
