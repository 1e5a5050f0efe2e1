from __future__ import annotations

from django import forms

from actions.forms import ActionItemForm
from orr.models import ReadinessReview
from orr.services import validate_risk_expiry


class StartReviewForm(forms.Form):
    trigger = forms.ChoiceField(
        choices=ReadinessReview.Trigger.choices, label="Why this review",
        help_text="Before launch, after a major change, or the yearly review.",
    )
    title = forms.CharField(max_length=200, required=False,
                            help_text="Optional; a title is made from the service and date.")


class GapActionForm(ActionItemForm):
    pass


class AcceptRiskForm(forms.Form):
    reason = forms.CharField(max_length=5000, widget=forms.Textarea(attrs={"rows": 3}),
                             help_text="Why the team accepts this risk for now.")
    expires_on = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}),
                                 help_text="When the acceptance must be looked at again.")

    def clean_expires_on(self):
        value = self.cleaned_data["expires_on"]
        validate_risk_expiry(value)  # the service's rule, so the API and imports keep it too
        return value


class MilestoneForm(forms.Form):
    name = forms.CharField(max_length=120, label="Milestone name")
