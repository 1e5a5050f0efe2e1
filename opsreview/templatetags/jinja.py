"""``{% load jinja %}`` then ``{% jinja "postmortems/_answers.html" answers=answers %}``: a
Jinja2 partial (``jinja_templates/``, opsreview/jinja.py) drawn inside a Django template.

The partial sees only the keyword arguments and ``request`` (with ``csrf_input`` and
``csrf_token``, as Django's Jinja2 backend adds them), like ``{% include ... only %}``.
"""

from django import template
from django.template import engines
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


@register.simple_tag(takes_context=True)
def jinja(context, name, **values) -> SafeString:
    partial = engines["jinja2"].get_template(name)
    # SECURITY: the output of the Jinja2 engine, whose autoescape is always on
    # (opsreview/jinja.py): every value was escaped unless it was already safe HTML, as with
    # Django's own templates, whose output Django marks safe the same way.
    return mark_safe(partial.render(values, context.get("request")))  # noqa: S308
