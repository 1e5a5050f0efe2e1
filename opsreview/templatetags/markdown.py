"""``{% load markdown %}`` then ``{{ text|markdown }}``: user Markdown as sanitised HTML."""

from django import template
from django.template.defaultfilters import linebreaks_filter
from django.utils.safestring import SafeString, mark_safe

from opsreview.rendering import MarkdownTooLong, render_markdown

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(value) -> SafeString:
    text = "" if value is None else str(value)
    try:
        html = render_markdown(text)
    except MarkdownTooLong:
        # Forms refuse such text; if some reaches a page anyway, show it escaped.
        return linebreaks_filter(text, autoescape=True)
    # SECURITY: the ONLY place in the project that marks user-derived HTML safe, and
    # only the output of render_markdown (escaped by Markdown, then sanitised by nh3).
    return mark_safe(html)  # noqa: S308
