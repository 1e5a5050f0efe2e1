"""The COE page's Jinja2 partials write what the Django templates they stand beside write."""

import re

import pytest
from django.template import engines, loader
from django.test import RequestFactory

from postmortems import selectors

ATTACK = '<script>alert("x")</script>'


def normalised(html: str) -> str:
    # The two engines escape a quote differently (&#39; / &#x27;, &#34; / &quot;): the same text.
    html = str(html).replace("&#39;", "&#x27;").replace("&#34;", "&quot;")
    return re.sub(r"\s+", " ", re.sub(r">\s+<", "><", html)).strip()


@pytest.mark.parametrize("with_risk", [False, True])
def test_the_answer_editor_macro_writes_what_the_shared_editor_template_writes(
        coe, author, with_risk):
    """The COE's answers draw the shared answer editor (templates/reviews/_answer_editor.html)
    as a Jinja2 macro: a change to one that is not made to the other fails here."""
    answer = coe.answers.select_related("question", "updated_by").first()
    answer.text = ATTACK
    answer.updated_by = author
    row = selectors.AnswerRow(answer=answer, lint_field="summary")
    request = RequestFactory().get("/")
    request.user = author
    values = {"a": answer, "ed": row.editor, "save_url": "/save/", "row": row,
              "with_risk": with_risk}
    django_html = loader.render_to_string("reviews/_answer_editor.html", values, request)
    jinja_html = engines["jinja2"].from_string(
        '{% from "reviews/_answer_editor.html" import answer_editor %}'
        "{{ answer_editor(a, ed, save_url, csrf_input, with_risk=with_risk) }}",
    ).render(values, request)
    token = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')
    assert ATTACK not in jinja_html
    assert normalised(token.sub("", jinja_html)) == normalised(token.sub("", django_html))
