from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone

from actions.forms import ActionItemForm
from catalog.models import Team
from orr.models import ApiToken, ReadinessReview
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


class TokenForm(forms.Form):
    EXPIRY_DAYS = [(30, "30 days"), (90, "90 days"), (180, "180 days"), (365, "1 year")]

    name = forms.CharField(max_length=120, help_text="What uses it, e.g. “payments deploy”.")
    coverage = forms.ChoiceField(
        label="Services", widget=forms.RadioSelect, initial="all",
        choices=[("all", "Every service"), ("teams", "Only the services of these teams")],
    )
    teams = forms.ModelMultipleChoiceField(
        queryset=Team.objects.order_by("name"), required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    scopes = forms.MultipleChoiceField(
        choices=ApiToken.Scope.choices, initial=[ApiToken.Scope.READ],
        widget=forms.CheckboxSelectMultiple, label="May",
    )
    expires_in = forms.TypedChoiceField(choices=EXPIRY_DAYS, coerce=int, initial=90,
                                        label="Expires after")

    def clean(self):
        data = super().clean()
        if data.get("coverage") == "teams" and not data.get("teams"):
            self.add_error("teams", "Choose at least one team, or every service.")
        if data.get("coverage") == "all":
            data["teams"] = []
        return data

    def expires_at(self) -> dt.datetime:
        return timezone.now() + dt.timedelta(days=self.cleaned_data["expires_in"])
