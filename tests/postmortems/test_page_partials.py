"""The COE's answers draw the shared answer editor (jinja_templates/reviews/_answer_editor.html,
also used by the ORR section's question cards) with the page's CSRF token, escaping the text."""

import re

import pytest
from django.template import engines
from django.utils.html import format_html

from postmortems import selectors

ATTACK = '<script>alert("x")</script>'


@pytest.mark.parametrize("with_risk", [False, True])
def test_the_answer_editor_escapes_the_answer_and_carries_the_token(coe, author, with_risk):
    answer = coe.answers.select_related("question", "updated_by").first()
    answer.text = ATTACK
    answer.updated_by = author
    row = selectors.AnswerRow(answer=answer, lint_field="summary")
    values = {"a": answer, "ed": row.editor, "save_url": "/save/", "row": row,
              "with_risk": with_risk,
              "csrf_input": format_html('<input type="hidden" name="csrfmiddlewaretoken" '
                                        'value="{}">', "t0k")}
    html = engines["jinja2"].from_string(
        '{% from "reviews/_answer_editor.html" import answer_editor %}'
        "{{ answer_editor(a, ed, save_url, csrf_input, with_risk=with_risk) }}",
    ).render(values)
    assert ATTACK not in html and "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert re.search(r'name="csrfmiddlewaretoken" value="t0k"', html)
    assert f'name="q{answer.pk}-text"' in html
    assert (f'name="q{answer.pk}-risk"' in html) == with_risk
