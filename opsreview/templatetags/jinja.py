"""``{% load jinja %}`` then ``{% jinja "postmortems/_answers.html" answers=answers %}``: a
Jinja2 partial (``jinja_templates/``, opsreview/jinja.py) drawn inside a Django template.

The partial sees only the keyword arguments and ``request`` (with ``csrf_input`` and
``csrf_token``, the page's own token), like ``{% include ... only %}``.
"""

from django import template
from django.middleware.csrf import get_token
from django.template import engines
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


@register.simple_tag(takes_context=True)
def jinja(context, name, **values) -> SafeString:
    partial = engines["jinja2"].get_template(name)
    request = context.get("request")
    if request is not None:
        # The page's one CSRF token, as its {% csrf_token %} writes it: the Jinja2 backend's
        # own lazy values would mask a fresh one for every form (~0.2 ms each).
        token = str(context.get("csrf_token") or get_token(request))
        values.update(request=request, csrf_token=token, csrf_input=format_html(
            '<input type="hidden" name="csrfmiddlewaretoken" value="{}">', token))
    # SECURITY: the output of the Jinja2 engine, whose autoescape is always on
    # (opsreview/jinja.py): every value was escaped unless it was already safe HTML, as with
    # Django's own templates, whose output Django marks safe the same way.
    return mark_safe(partial.render(values))  # noqa: S308
