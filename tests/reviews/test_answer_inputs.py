"""The answer editor's plain inputs (AnswerInputs + its Jinja2 macro) carry exactly what
AnswerForm reads back: the same names and ids, the values shown, the chosen option selected."""

from html.parser import HTMLParser

import pytest
from django.template import engines

from reviews.forms import AnswerForm, AnswerInputs


class Inputs(HTMLParser):
    """name → (id, value) of every input, textarea and select, as a browser would post them."""

    def __init__(self):
        super().__init__()
        self.found, self._open, self._select = {}, None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "input":
            self.found[attrs["name"]] = (attrs.get("id"), attrs.get("value", ""))
        elif tag == "textarea":
            self._open = attrs
            self.found[attrs["name"]] = (attrs.get("id"), "")
        elif tag == "select":
            self._select = attrs["name"]
            self.found[self._select] = (attrs.get("id"), None)
        elif tag == "option" and self._select:
            ident, value = self.found[self._select]
            if value is None or "selected" in attrs:
                self.found[self._select] = (ident, attrs["value"])

    def handle_data(self, data):
        if self._open is not None:
            ident, value = self.found[self._open["name"]]
            self.found[self._open["name"]] = (ident, value + data)

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._open = None
        elif tag == "select":
            self._select = None


def drawn(answer, with_risk=True, conflict=None) -> str:
    """The editor as the COE's answers and the ORR section's question cards draw it (the
    Jinja2 macro; no request, so no token)."""
    context = {"a": answer, "ed": AnswerInputs.of(answer), "with_risk": with_risk,
               "save_url": "/x/", "row": {"conflict": conflict}}
    return engines["jinja2"].from_string(
        '{% from "reviews/_answer_editor.html" import answer_editor %}'
        "{{ answer_editor(a, ed, save_url, '', row.conflict, with_risk) }}").render(context)


def posted(answer, with_risk=True) -> dict:
    html = drawn(answer, with_risk)
    parser = Inputs()
    parser.feed(html)
    fields = {name: value for name, (ident, value) in parser.found.items()
              if name != "csrfmiddlewaretoken"}
    for name, (ident, _) in parser.found.items():
        if name != "csrfmiddlewaretoken":
            assert ident is None or ident == f"id_{name}", (name, ident)
    # A browser drops the newline that starts a textarea's content.
    text = f"q{answer.pk}-text"
    fields[text] = fields[text].removeprefix("\n")
    return fields


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["yes_no", "markdown"])
def test_the_page_posts_back_what_the_answer_holds(review, kind):
    answer = review.answers.filter(question__kind=kind).select_related("question").first()
    answer.text = "Line one & <b>two</b>\n\nthree"
    answer.choice = "no" if kind == "yes_no" else ""
    answer.risk, answer.na_reason = "na", "We have no <queue>"
    fields = posted(answer)
    form = AnswerForm(fields, question=answer.question, prefix=f"q{answer.pk}")
    assert form.is_valid(), form.errors
    assert form.cleaned_data == {
        "revision": answer.revision, "text": answer.text, "choice": answer.choice,
        "risk": "na", "na_reason": "We have no <queue>"}
    # The same fields as the form has, no more.
    assert set(fields) == {f"q{answer.pk}-{name}" for name in form.fields
                           if name != "choice" or kind == "yes_no"}


@pytest.mark.django_db
def test_a_listed_choice_is_offered_and_selected(review):
    answer = review.answers.select_related("question").first()
    answer.question.kind, answer.question.choices = "choice", ["Daily", "Weekly <x>"]
    answer.choice = "Weekly <x>"
    assert posted(answer)[f"q{answer.pk}-choice"] == "Weekly <x>"
    assert AnswerInputs.of(answer).choices == AnswerForm(
        question=answer.question).fields["choice"].choices


@pytest.mark.django_db
def test_an_editor_without_risks_posts_none_and_the_form_reads_them_empty(review):
    answer = review.answers.select_related("question").first()
    answer.risk = "high"
    fields = posted(answer, with_risk=False)
    assert set(fields) == {f"q{answer.pk}-revision", f"q{answer.pk}-text"}
    form = AnswerForm(fields, question=answer.question, prefix=f"q{answer.pk}")
    assert form.is_valid(), form.errors
    assert form.cleaned_data["risk"] == "" and form.cleaned_data["na_reason"] == ""


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["yes_no", "choice", "markdown"])
@pytest.mark.parametrize("with_risk", [True, False])
def test_the_editor_escapes_every_value_as_django_does(review, author, kind, with_risk):
    answer = review.answers.select_related("question").first()
    answer.save_if_current(base_revision=0, by=author, text='Tom\'s "pager" <b>', risk="high")
    answer.question.kind, answer.question.choices = kind, ["Daily", "Weekly <x>"]
    answer.choice = {"yes_no": "no", "choice": "Weekly <x>"}.get(kind, "")
    answer.na_reason = "a & b"
    html = drawn(answer, with_risk, {"text": "Their <text> & 'more'"})
    assert "<b>" not in html and "<x>" not in html and "<text>" not in html
    assert "Tom&#x27;s &quot;pager&quot; &lt;b&gt;" in html
    assert "Their &lt;text&gt; &amp; &#x27;more&#x27;" in html
