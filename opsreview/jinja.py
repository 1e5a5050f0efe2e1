"""The Jinja2 environment for the partials drawn once per row down a page.

Django's own templates draw every page; a partial repeated for each row (a COE's answers and
factors, an ORR section's question cards, the rows of a 50-row list) may instead be a Jinja2
template under ``jinja_templates/``, drawn from a Django template with ``{% load jinja %}``
and ``{% jinja "orr/_question_cards.html" questions=questions %}``
(opsreview/templatetags/jinja.py).
Jinja2 compiles a template to Python, so a row costs a few microseconds where Django's template
language, which resolves every variable and tag through its node tree, costs tens; Django
supports both engines side by side (settings.TEMPLATES).

Escaping is the same as Django's: autoescape is always on (the backend's option is overridden
here), values with ``__html__`` (SafeString from the markdown filter, format_html, a bound form
field) are kept as they are, and nothing under ``jinja_templates/`` may use ``|safe`` or turn
autoescape off (tests/opsreview/test_no_safe_filter.py).

The filters and globals are the Django ones the row partials use, with the same output:
``day``, ``day_time`` (``|date:"j M Y H:i T"``), ``date``, ``markdown``, ``pluralize``,
``truncatechars``, ``timesince``, ``yesno``, ``capfirst``, ``linebreaksbr``, ``localtime``,
``in_zone`` (``|timezone:name``); ``path_to`` (a route's path without reversing it for every
row), ``static``, ``field`` (a form field drawn the Bootstrap way) and ``select``.
"""

from __future__ import annotations

from django.contrib.staticfiles.storage import staticfiles_storage
from django.template import defaultfilters
from django.templatetags import tz
from django.utils import timezone
from django.utils.html import escape
from jinja2 import Environment

from opsreview.links import path_to
from opsreview.templatetags.dates import day, day_time
from opsreview.templatetags.fields import field, fields
from opsreview.templatetags.markdown import markdown_filter, print_markdown_filter
from opsreview.templatetags.options import select


def _pluralize(value, suffix: str = "s") -> str:
    return defaultfilters.pluralize(value, suffix)


def _date(value, fmt: str | None = None) -> str:
    return defaultfilters.date(value, fmt)


def _localtime(value):
    return timezone.localtime(value) if value is not None and timezone.is_aware(value) else value


def _in_zone(value, zone: str):
    """Django's ``|timezone:name``: the time in the named zone (an incident's own)."""
    return tz.do_timezone(value, zone) if value is not None else value


def _escape_as_django(value):
    """Every value written escaped as Django escapes it, so a partial writes byte for byte what
    a Django template did: MarkupSafe (which escapes whatever this returns unescaped) writes
    quotes as ``&#34;`` and ``&#39;`` where Django writes ``&quot;`` and ``&#x27;``, and
    ``&<>`` as Django does."""
    if hasattr(value, "__html__"):
        return value
    text = value if isinstance(value, str) else str(value)
    return escape(text) if '"' in text or "'" in text else text


def environment(**options) -> Environment:
    options["autoescape"] = True
    options["finalize"] = _escape_as_django
    options.setdefault("trim_blocks", True)
    options.setdefault("lstrip_blocks", True)
    env = Environment(**options)
    env.globals.update({
        "path_to": path_to,
        "static": staticfiles_storage.url,
        "field": field,
        "fields": fields,
        "select": select,
    })
    env.filters.update({
        "day": day,
        "day_time": day_time,
        "date": _date,
        "markdown": markdown_filter,
        "print_markdown": print_markdown_filter,
        "pluralize": _pluralize,
        "truncatechars": defaultfilters.truncatechars,
        "timesince": defaultfilters.timesince_filter,
        "yesno": defaultfilters.yesno,
        "capfirst": defaultfilters.capfirst,
        "linebreaksbr": lambda value: defaultfilters.linebreaksbr(value, autoescape=True),
        "localtime": _localtime,
        "in_zone": _in_zone,
    })
    return env
