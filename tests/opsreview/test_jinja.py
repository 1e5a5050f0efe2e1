"""The Jinja2 partials (opsreview/jinja.py) escape as Django's templates do."""

import pytest
from django.template import Context, Template, engines
from django.utils.html import format_html

from opsreview.templatetags.markdown import markdown_filter

ATTACK = '<script>alert("x")</script>'


def render(source: str, **values) -> str:
    return engines["jinja2"].from_string(source).render(values)


def test_autoescape_is_always_on_and_safe_html_is_kept():
    assert render("{{ x }}", x=ATTACK) == "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"
    assert render("{{ x }}", x=format_html("<b>{}</b>", ATTACK)) == (
        "<b>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;</b>")
    assert "<script" not in render("{{ x|markdown }}", x=ATTACK)
    assert render("{{ x|markdown }}", x="**bold**") == str(markdown_filter("**bold**"))


def test_values_are_escaped_byte_for_byte_as_django_escapes_them():
    text = """Tom's "runbook" & <pager>"""
    for value in (text, "a & <b> &amp;", "it's", 3, None, 1.5):
        assert render("{{ x }}", x=value) == Template("{{ x }}").render(Context({"x": value}))
    assert render("{{ x|capfirst }}", x=text) == Template("{{ x|capfirst }}").render(
        Context({"x": text}))


def test_the_environment_cannot_be_configured_to_stop_escaping():
    from opsreview.jinja import environment

    assert environment(autoescape=False).from_string("{{ x }}").render(x="<i>") == "&lt;i&gt;"


@pytest.mark.django_db
def test_the_bridge_tag_draws_a_partial_with_only_its_arguments():
    page = Template('{% load jinja %}<ul>{% jinja "postmortems/_list_rows.html" '
                    "postmortems=docs %}</ul>")
    html = page.render(Context({"docs": [], "secret": ATTACK}))
    assert "No postmortems match." in html
    assert ATTACK not in html


def test_filters_write_what_djangos_write():
    import datetime as dt

    from django.template import defaultfilters

    when = dt.datetime(2026, 3, 3, 14, 5, tzinfo=dt.UTC)
    assert render("{{ w|day }}", w=when) == Template("{% load dates %}{{ w|day }}").render(
        Context({"w": when}))
    assert render('{{ w|in_zone("Asia/Tokyo")|date("j M Y H:i T") }}', w=when) == (
        "3 Mar 2026 23:05 JST")
    assert render("item{{ n|pluralize }}", n=2) == "items"
    assert render("{{ t|truncatechars(5) }}", t="abcdefgh") == defaultfilters.truncatechars(
        "abcdefgh", 5)
    assert render("{{ t|linebreaksbr }}", t="a\n<b>") == "a<br>&lt;b&gt;"
