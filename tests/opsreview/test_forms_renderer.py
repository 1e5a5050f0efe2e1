"""The form renderer draws inputs, textareas and selects in Python: to the character what
Django's widget templates draw, for every kind of value and attribute."""

import datetime

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy

from opsreview.forms_renderer import FastWidgets

CHOICES = [("", "—"), ("a&b", "A & <b>"), (3, gettext_lazy("Three")),
           ("Group <g>", [("x", "X"), ("y", "Y \"quoted\"")])]


class Everything(forms.Form):
    text = forms.CharField(max_length=20, help_text="h")
    hidden = forms.IntegerField(widget=forms.HiddenInput)
    email = forms.EmailField(required=False)
    url = forms.URLField(assume_scheme="https")
    number = forms.DecimalField(min_value=0, max_digits=5, decimal_places=2)
    date = forms.DateField(widget=forms.DateInput(attrs={"type": "date", "data-x": True}))
    when = forms.DateTimeField()
    at = forms.TimeField()
    secret = forms.CharField(widget=forms.PasswordInput(render_value=True))
    flag = forms.BooleanField(required=False)
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 3, "data-lint": "action",
                                                        "disabled": False}))
    pick = forms.ChoiceField(choices=CHOICES, required=False)
    many = forms.MultipleChoiceField(choices=CHOICES, required=False)
    maybe = forms.NullBooleanField()
    upload = forms.FileField(required=False)


VALUES = [
    {},
    {"text": "<script>alert('x')</script>", "hidden": 7, "email": "a@b.c", "url": "x&y",
     "number": "1.50", "date": datetime.date(2026, 3, 4), "when": "2026-03-04 05:06",
     "at": "05:06", "secret": "p\"w", "flag": True, "body": "Line & <one>\n\ntwo",
     "pick": "a&b", "many": ["x", "3"], "maybe": False},
    {"text": SafeString("<b>safe</b>"), "body": "", "pick": 3, "number": 0, "flag": False},
]


@pytest.mark.parametrize("values", VALUES)
@pytest.mark.parametrize("bound", [False, True])
def test_every_widget_is_drawn_as_django_draws_it(values, bound):
    fast, slow = FastWidgets(), DjangoTemplates()
    data = {k: v for k, v in values.items()}
    make = (lambda r: Everything(data, renderer=r)) if bound else (
        lambda r: Everything(initial=data, renderer=r))
    for name in Everything.base_fields:
        assert str(make(fast)[name]) == str(make(slow)[name]), name


def test_the_fast_path_is_taken():
    renderer = FastWidgets()
    calls = []
    renderer.get_template = lambda name: calls.append(name) or DjangoTemplates.get_template(
        renderer, name)
    assert renderer._own  # resolved once, before counting
    calls.clear()
    form = Everything(renderer=renderer)
    for name in ("text", "body", "pick", "date"):
        str(form[name])
    assert calls == []


def test_the_project_uses_it(settings):
    from django.forms.renderers import get_default_renderer
    assert isinstance(get_default_renderer(), FastWidgets)
    assert settings.FORM_RENDERER == "opsreview.forms_renderer.FastWidgets"
