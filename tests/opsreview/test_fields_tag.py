"""{% field %} / {% fields %}: a field the Bootstrap way in one pass: label (with * when
required), control with its classes, errors the control's aria-describedby points at, help."""

from html.parser import HTMLParser

from django import forms
from django.template import Context, Template


class Sample(forms.Form):
    title = forms.CharField(max_length=20, help_text="Say <what> changes.")
    kind = forms.ChoiceField(choices=[("a", "A"), ("b", "B")], required=False)
    note = forms.CharField(widget=forms.Textarea(attrs={"class": "lint", "rows": 2}))
    secret = forms.CharField(widget=forms.HiddenInput, required=False)

    def clean(self):
        raise forms.ValidationError("Nothing saved.")


def render(form) -> str:
    return Template("{% load fields %}{% fields form %}").render(Context({"form": form}))


class Ids(HTMLParser):
    def __init__(self):
        super().__init__()
        self.by_id = {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.by_id[attrs["id"]] = (tag, attrs)


def test_an_unbound_form():
    html = render(Sample(auto_id="id_9_%s"))
    assert '<label for="id_9_title" class="form-label requiredField">Title<span class=' in html
    assert 'class="form-select"' in html and 'class="lint form-control"' in html
    assert "Say &lt;what&gt; changes." in html
    assert 'type="hidden" name="secret"' in html and "div_id_9_secret" not in html
    assert "invalid" not in html


def test_a_bound_form_shows_each_error_where_the_control_points():
    html = render(Sample({"title": "x" * 30, "kind": "zzz"}, auto_id="id_9_%s"))
    parser = Ids()
    parser.feed(html)
    _, title = parser.by_id["id_9_title"]
    assert "is-invalid" in title["class"] and title["aria-invalid"] == "true"
    for described in title["aria-describedby"].split():
        assert described in parser.by_id
    assert "Ensure this value has at most 20 characters" in html
    assert "Select a valid choice" in html and "This field is required." in html
    assert '<div class="alert alert-danger small">Nothing saved.</div>' in html
    assert 'value="' + "x" * 30 + '"' in html  # what was typed stays
