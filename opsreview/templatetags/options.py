"""``{% load options %}`` then
``{% select "team" choices selected id="f-team" class="form-select" %}``: a whole ``<select>``
from (value, label) rows, the chosen one selected.

Drawn by the form renderer in one pass (opsreview/forms_renderer.py), escaped like any template
variable: a template loop with an ``{% if %}`` per option cost about 40 µs an option, so the
500 services of a filter took 20 ms of every action item list. Keyword arguments become the
select's attributes (``data_risk=True`` → ``data-risk``).

Plain rows are written and remembered by opsreview/selects.py.
"""

from django import forms, template

from opsreview.selects import plain_select

register = template.Library()


@register.simple_tag
def select(name, choices, selected="", **attrs):
    attributes = {key.replace("_", "-"): value for key, value in attrs.items()}
    chosen = "" if selected is None else selected
    return plain_select(name, choices, chosen, attributes) or forms.Select(
        choices=choices).render(name, chosen, attrs=attributes)
