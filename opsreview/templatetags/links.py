"""``{% load links %}`` then ``{% path_to "orr:answer_save" review.code a.pk %}``: the
``{% url %}`` of rows repeated down a page, without reversing the pattern for every row
(opsreview.links.path_to). ``as name`` works as with any simple tag."""

from django import template

from opsreview.links import path_to as _path_to

register = template.Library()


@register.simple_tag
def path_to(name, *args):
    return _path_to(name, *args)
