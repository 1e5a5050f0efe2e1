"""``{% load fields %}`` then ``{% field form.title %}`` or ``{% fields form %}``: form fields
drawn the Bootstrap way (label, control, errors, help text) in one pass.

For the forms repeated down a page (each gap's action item and accepted-risk forms in an ORR
section, each COE factor's "why" and "accept" forms). crispy-forms draws a field through four
templates, about 1 ms a field, which multiplied by the rows was a large part of those pages;
crispy still draws the one-off forms. The markup is crispy's bootstrap5 field: ``div.mb-3``,
``label.form-label`` with ``*`` for a required field, ``form-control`` / ``form-select`` (and
``is-invalid``), ``div.invalid-feedback``, ``div.form-text`` (the control's aria-describedby).
"""

from django import forms, template
from django.utils.html import format_html, format_html_join

register = template.Library()


def _css(widget) -> str:
    if isinstance(widget, forms.CheckboxInput):
        return "form-check-input"
    if isinstance(widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
        return ""
    if isinstance(widget, forms.Select):
        return "form-select"
    return "form-control"


@register.simple_tag
def field(bound):
    widget = bound.field.widget
    if widget.is_hidden:
        return bound.as_widget()
    classes = " ".join(c for c in (widget.attrs.get("class", ""), _css(widget),
                                   "is-invalid" if bound.errors else "") if c)
    required = (format_html('<span class="asteriskField">{}</span>', "*")
                if bound.field.required else "")
    help_text = (format_html('<div id="{}_helptext" class="form-text">{}</div>', bound.auto_id,
                             bound.help_text) if bound.help_text else "")
    errors = (format_html('<div id="{}_error" class="invalid-feedback">{}</div>', bound.auto_id,
                          format_html_join("", "<p><strong>{}</strong></p>",
                                           ((error,) for error in bound.errors)))
              if bound.errors else "")
    return format_html(
        '<div id="div_{}" class="mb-3"><label for="{}" class="form-label{}">{}{}</label>'
        "{}{}{}</div>",
        bound.auto_id, bound.id_for_label, " requiredField" if required else "", bound.label,
        required, bound.as_widget(attrs={"class": classes} if classes else None), errors,
        help_text)


@register.simple_tag
def fields(form):
    return format_html(
        "{}{}",
        format_html_join("", '<div class="alert alert-danger small">{}</div>',
                         ((error,) for error in form.non_field_errors())),
        format_html_join("", "{}", ((field(bound),) for bound in form)))
