"""The form renderer: Django's own, with the everyday widgets drawn in Python.

Rendering a widget through Django's widget templates (an ``<input>``, a ``<select>`` and one
template per ``<option>``, each including ``attrs.html``) costs about 0.3 ms per field; pages
with a form per row (a section's gaps, a COE's factors, the filters of the lists) spent a large
part of their time there. Inputs, textareas and selects are built here instead, every value
escaped as a template escapes it (Django marks a renderer's output safe, as it does the
templates'), to the character what Django's templates produce
(tests/opsreview/test_forms_renderer.py compares both for every case); every other widget, and
any widget whose template a project overrides, still goes through the templates.
"""

from __future__ import annotations

import html
from pathlib import Path

from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.functional import cached_property

WIDGETS = "django/forms/widgets/"
INPUTS = {f"{WIDGETS}{name}.html" for name in (
    "input", "text", "hidden", "password", "email", "url", "number", "search", "tel", "date",
    "datetime", "time", "color", "checkbox", "file")}
TEXTAREA = f"{WIDGETS}textarea.html"
SELECT = f"{WIDGETS}select.html"
OPTION = f"{WIDGETS}select_option.html"


def _esc(value) -> str:
    """What a template's {{ value }} writes: escaped, unless it is already safe HTML."""
    if hasattr(value, "__html__"):
        return value.__html__()
    return html.escape(str(value))


def _attrs(attrs: dict) -> str:
    """attrs.html: ` name="value"`, ` name` for True, nothing for False."""
    return "".join(f" {_esc(name)}" if value is True else f' {_esc(name)}="{_esc(value)}"'
                   for name, value in attrs.items() if value is not False)


def _input(w: dict) -> str:
    value = "" if w["value"] is None else f' value="{_esc(w["value"])}"'
    return f'<input type="{_esc(w["type"])}" name="{_esc(w["name"])}"{value}{_attrs(w["attrs"])}>'


def _textarea(w: dict) -> str:
    return (f'<textarea name="{_esc(w["name"])}"{_attrs(w["attrs"])}>\n'
            f'{_esc(w["value"]) if w["value"] else ""}</textarea>')


def _option_attrs(attrs: dict) -> str:
    # Hundreds of options per page (every service in a filter), nearly all plain or selected.
    if not attrs:
        return ""
    return " selected" if attrs == {"selected": True} else _attrs(attrs)


def _options(options: list[dict]) -> str:
    return "".join(f'\n  <option value="{_esc(o["value"])}"{_option_attrs(o["attrs"])}>'
                   f'{_esc(o["label"])}</option>\n' for o in options)


def _select(w: dict) -> str | None:
    groups = []
    for group_name, options, _ in w["optgroups"]:
        if any(option["template_name"] != OPTION for option in options):
            return None
        drawn = _options(options)
        groups.append(f'\n  <optgroup label="{_esc(group_name)}">{drawn}\n  </optgroup>'
                      if group_name else drawn)
    return f'<select name="{_esc(w["name"])}"{_attrs(w["attrs"])}>{"".join(groups)}\n</select>'


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
