"""The forms both document kinds use: answer, comment, evidence, reviewer assignment, decision."""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.contrib.auth import get_user_model

from catalog.models import Membership
from reviews.models import Answer

YES_NO = [("", "—"), ("yes", "Yes"), ("no", "No")]


def answer_choices(question) -> list[tuple[str, str]] | None:
    """The answers a question offers (yes/no, or its list); None when the answer is free text."""
    if question.kind == "yes_no":
        return YES_NO
    if question.kind == "choice":
        return [("", "—")] + [(c, c) for c in question.choices]
    return None


@dataclass(frozen=True)
class AnswerInputs:
    """What an answer editor shows on a page, drawn as plain inputs by
    ``jinja_templates/reviews/_answer_editor.html`` with the names and ids of AnswerForm's fields.

    Building a form and rendering Django's widget templates for every answer was the largest
    part of a section's render (18 answers, 4 widgets each); the page needs only the values.
    Saving still goes through AnswerForm, which validates.
    """

    prefix: str
    revision: int
    text: str = ""
    choice: str = ""
    risk: str = ""
    na_reason: str = ""
    choices: list[tuple[str, str]] | None = None
    rows: int = 6
    lint: str = ""  # which wording rules the page checks as the user types
    risks = Answer.Risk.choices

    @property
    def choice_name(self) -> str:
        return f"{self.prefix}-choice"

    @property
    def risk_name(self) -> str:
        return f"{self.prefix}-risk"

    @property
    def choice_id(self) -> str:
        return f"id_{self.prefix}-choice"

    @property
    def risk_id(self) -> str:
        return f"id_{self.prefix}-risk"

    @classmethod
    def of(cls, answer: Answer, **options) -> AnswerInputs:
        return cls(prefix=f"q{answer.pk}", revision=answer.revision, text=answer.text,
                   choice=answer.choice, risk=answer.risk, na_reason=answer.na_reason,
                   choices=answer_choices(answer.question), **options)


class AnswerForm(forms.Form):
    revision = forms.IntegerField(widget=forms.HiddenInput)
    text = forms.CharField(
        required=False, max_length=100_000, widget=forms.Textarea(attrs={"rows": 6})
    )
    choice = forms.CharField(required=False, max_length=200)
    risk = forms.ChoiceField(choices=Answer.Risk.choices, required=False)
    na_reason = forms.CharField(required=False, max_length=2000, label="Why not applicable")

    def __init__(self, *args, question=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.question = question
        self.fields["text"].widget.attrs.update({"class": "form-control", "data-text": ""})
        self.fields["choice"].widget.attrs.update({"class": "form-control"})
        self.fields["risk"].widget.attrs.update({"class": "form-select", "data-risk": ""})
        self.fields["na_reason"].widget.attrs.update({"class": "form-control"})
        choices = answer_choices(question) if question is not None else None
        if choices is not None:
            self.fields["choice"] = forms.ChoiceField(
                choices=choices, required=False,
                widget=forms.Select(attrs={"class": "form-select"}))

    def clean(self):
        data = super().clean()
        if data.get("risk") == Answer.Risk.NOT_APPLICABLE and not data.get("na_reason", "").strip():
            self.add_error("na_reason", "Say why this question does not apply.")
        return data


class CommentForm(forms.Form):
    body = forms.CharField(max_length=20000, widget=forms.Textarea(attrs={"rows": 2}),
                           label="Comment")


class EvidenceForm(forms.Form):
    label = forms.CharField(max_length=120)
    url = forms.URLField(max_length=500, assume_scheme="https")


class AssignReviewerForm(forms.Form):
    reviewer = forms.ModelChoiceField(queryset=get_user_model().objects.none())

    def __init__(self, *args, document=None, **kwargs):
        super().__init__(*args, **kwargs)
        qs = get_user_model().objects.filter(
            memberships__role=Membership.Role.REVIEWER
        ).distinct().order_by("username")
        if document is not None:
            # Neither the author nor someone already reviewing it is offered.
            qs = qs.exclude(pk=document.author_id).exclude(assignments__document=document)
        self.fields["reviewer"].queryset = qs
        self.fields["reviewer"].label_from_instance = lambda u: u.get_full_name() or u.username


class DecisionForm(forms.Form):
    verdict = forms.ChoiceField(
        choices=[("approve", "Approve"), ("request_changes", "Request changes")],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(max_length=20000, widget=forms.Textarea(attrs={"rows": 3}))
    flagged = forms.ModelMultipleChoiceField(
        queryset=Answer.objects.none(), required=False, label="Answers that need changes",
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )

    def __init__(self, *args, document=None, flags_on_cards=False, **kwargs):
        super().__init__(*args, **kwargs)
        if flags_on_cards:
            # The reviewer flags answers on their cards; the decision gathers those flags.
            del self.fields["flagged"]
        elif document is not None:
            self.fields["flagged"].queryset = document.answers.select_related("question").order_by(
                "question__section__order", "question__order"
            )
            self.fields["flagged"].label_from_instance = lambda a: a.question.text[:90]
