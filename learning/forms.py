"""Forms of the learning pages: propose a question, decide on it, edit a draft question."""

from __future__ import annotations

from django import forms

from learning.models import Proposal
from reviews.models import Answer, Question

RISK_CHOICES = [("", "no risk suggested")] + [
    (value, label) for value, label in Answer.Risk.choices if value in ("high", "medium", "none")
]


class RiskRuleMixin:
    """Which answers mean which risk: one line per answer, e.g. `no: high`."""

    def clean_risk_rules_text(self):
        text = self.cleaned_data.get("risk_rules_text", "")
        rules: dict[str, str] = {}
        for number, line in enumerate(text.splitlines(), 1):
            if not line.strip():
                continue
            answer, sep, level = line.partition(":")
            answer, level = answer.strip().lower(), level.strip().lower()
            if not sep or not answer or level not in ("high", "medium", "none"):
                raise forms.ValidationError(
                    f"Line {number}: write `answer: high`, `answer: medium` or `answer: none`.")
            if answer in rules and rules[answer] != level:
                raise forms.ValidationError(
                    f"Line {number}: {answer!r} is already {rules[answer]} risk; an answer "
                    "belongs to one level only.")
            rules[answer] = level
        return rules

    def clean_choices_text(self):
        text = self.cleaned_data.get("choices_text", "")
        choices = [line.strip() for line in text.splitlines() if line.strip()]
        if len({c.lower() for c in choices}) != len(choices):
            raise forms.ValidationError("Each answer choice once.")
        return choices


class ProposalForm(RiskRuleMixin, forms.Form):
    section_key = forms.ChoiceField(label="Section")
    text = forms.CharField(max_length=2000, widget=forms.Textarea(attrs={"rows": 2}),
                           label="Question")
    guidance = forms.CharField(max_length=5000, widget=forms.Textarea(attrs={"rows": 3}),
                               help_text="What a good answer looks like.")
    kind = forms.ChoiceField(choices=Proposal.Kind.choices, label="Answer")
    choices_text = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}),
                                   label="Choices (one a line, for a choice question)")
    risk_rules_text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), label="Risk rule",
        help_text="One line per answer: `no: high`, `weekly: medium`.", initial="no: high")
    why = forms.CharField(max_length=5000, widget=forms.Textarea(attrs={"rows": 2}),
                          label="Why (what it would have caught)")

    def __init__(self, *args, sections=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["section_key"].choices = list(sections)

    def clean(self):
        data = super().clean()
        kind, choices = data.get("kind"), data.get("choices_text") or []
        if kind == "choice" and len(choices) < 2:
            self.add_error("choices_text", "A choice question needs at least two choices.")
        answers = {"yes", "no"} if kind == "yes_no" else {c.lower() for c in choices}
        for answer in data.get("risk_rules_text") or {}:
            if answer not in answers:
                self.add_error("risk_rules_text", f"{answer!r} is not an answer of this question.")
        return data

    def proposal_fields(self) -> dict:
        data = self.cleaned_data
        return {"section_key": data["section_key"], "text": data["text"],
                "guidance": data["guidance"], "kind": data["kind"],
                "choices": data["choices_text"] if data["kind"] == "choice" else [],
                "risk_rules": data["risk_rules_text"], "why": data["why"]}


class DecideForm(forms.Form):
    decision = forms.ChoiceField(choices=[("accept", "Accept into the draft"),
                                          ("merge", "Merge as guidance"),
                                          ("decline", "Decline")])
    key = forms.SlugField(required=False, max_length=80)
    into_key = forms.SlugField(required=False, max_length=80, label="Merge into question key")
    reason = forms.CharField(required=False, max_length=5000,
                             widget=forms.Textarea(attrs={"rows": 2}))


class LensUploadForm(forms.Form):
    file = forms.FileField(label="Well-Architected custom lens (JSON)")


class QuestionEditForm(RiskRuleMixin, forms.Form):
    text = forms.CharField(max_length=2000, widget=forms.Textarea(attrs={"rows": 2}),
                           label="Question")
    help = forms.CharField(required=False, max_length=5000, label="Guidance",
                           widget=forms.Textarea(attrs={"rows": 3}))
    kind = forms.ChoiceField(choices=Question.AnswerKind.choices, label="Answer")
    choices_text = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}),
                                   label="Choices (one a line, for a choice question)")
    required = forms.BooleanField(required=False, initial=True)
    risk_rules_text = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 2}), label="Risk rule",
        help_text="One line per answer: `no: high`, `weekly: medium`, `daily: none`.")
    meaning = forms.ChoiceField(
        required=False, widget=forms.RadioSelect, label="You changed the wording. Is the "
        "meaning the same?",
        choices=[("same", "Same meaning, clearer words: keep the key (existing answers stay)"),
                 ("changed", "The meaning changed: a new key (existing answers do not carry)")])

    def __init__(self, *args, question: Question | None = None, **kwargs):
        self.question = question
        if question is not None and not kwargs.get("initial"):
            kwargs["initial"] = {
                "text": question.text, "help": question.help, "kind": question.kind,
                "choices_text": "\n".join(question.choices), "required": question.required,
                "risk_rules_text": "\n".join(f"{a}: {lv}" for a, lv in question.risk_rules.items()),
            }
        super().__init__(*args, **kwargs)

    def clean(self):
        data = super().clean()
        kind, choices = data.get("kind"), data.get("choices_text") or []
        if kind == "choice" and len(choices) < 2:
            self.add_error("choices_text", "A choice question needs at least two choices.")
        if kind != "choice" and choices:
            self.add_error("choices_text", "Choices apply to choice questions only.")
        answers = {"yes", "no"} if kind == "yes_no" else {c.lower() for c in choices}
        for answer in data.get("risk_rules_text") or {}:
            if answer not in answers:
                self.add_error("risk_rules_text", f"{answer!r} is not an answer of this question.")
        text = (data.get("text") or "").strip()
        if self.question is not None and text and text != self.question.text.strip() \
                and not data.get("meaning"):
            self.add_error("meaning", "Say whether the meaning changed: it decides the key.")
        return data

    def question_fields(self) -> dict:
        data = self.cleaned_data
        return {"text": data["text"], "help": data["help"], "kind": data["kind"],
                "choices": data["choices_text"], "required": data["required"],
                "risk_rules": data["risk_rules_text"]}
