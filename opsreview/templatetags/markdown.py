"""``{% load markdown %}`` then ``{{ text|markdown }}``: user Markdown as sanitised HTML."""

from django import template
from django.template.defaultfilters import linebreaks_filter
from django.utils.safestring import SafeString, mark_safe

from opsreview.rendering import MarkdownTooLong, render_markdown, render_markdown_for_print

register = template.Library()


@register.filter(name="print_markdown")
def print_markdown_filter(value, question=None) -> SafeString:
    """For PDFs: ``{{ answer.text|print_markdown:answer.question }}`` — long texts and tables
    shortened, with a notice naming the answer."""
    text = "" if value is None else str(value)
    return _trusted(render_markdown_for_print(text, _label(question)))


def _label(question) -> str:
    if question is None:
        return "this text"
    section = question._state.fields_cache.get("section")  # never a query per answer
    if section is not None:
        return f"answer {section.order}.{question.order}"
    return f"the answer to “{str(question.text)[:80]}”"


@register.filter(name="markdown")
def markdown_filter(value) -> SafeString:
    text = "" if value is None else str(value)
    try:
        html = render_markdown(text)
    except MarkdownTooLong:
        # Forms refuse such text; if some reaches a page anyway, show it escaped.
        return linebreaks_filter(text, autoescape=True)
    return _trusted(html)


def _trusted(html: str) -> SafeString:
    # SECURITY: the ONLY place in the project that marks user-derived HTML safe, and
    # only the output of render_markdown (escaped by Markdown, then sanitised by nh3).
    return mark_safe(html)  # noqa: S308
