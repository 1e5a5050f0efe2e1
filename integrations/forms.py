from django import forms

from integrations.events import EventType
from integrations.models import Integration, Subscription
from postmortems.models import Postmortem


class IntegrationForm(forms.Form):
    provider = forms.ChoiceField(choices=Integration.Provider.choices)
    name = forms.CharField(max_length=120)
    coe_max_severity = forms.TypedChoiceField(
        choices=Postmortem.Severity.choices, coerce=int, initial=2,
        label="Open a COE draft for resolved incidents of this severity or worse",
    )
    provider_secret = forms.CharField(
        required=False, max_length=200, min_length=16, strip=True,
        label="Secret the provider generated (optional)",
        help_text="PagerDuty shows a signing secret when you create its webhook: paste it here. "
                  "Leave blank and OpsReview generates one for you to give the provider.",
    )


class ProviderSecretForm(forms.Form):
    provider_secret = forms.CharField(max_length=200, min_length=16, strip=True,
                                      label="Provider's secret")


class MappingForm(forms.Form):
    integration = forms.ModelChoiceField(queryset=Integration.objects.none())
    provider_service = forms.CharField(
        max_length=200, label="Provider's service",
        help_text="PagerDuty service id, Opsgenie entity, Alertmanager `service` label, or the "
                  "generic payload's `service`.",
    )
    service = forms.ModelChoiceField(queryset=None, label="Our service")

    def __init__(self, *args, team, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["integration"].queryset = team.integrations.filter(
            provider__in=Integration.PAGERS)
        self.fields["service"].queryset = team.services.all()


class SubscriptionForm(forms.Form):
    kind = forms.ChoiceField(choices=Subscription.Kind.choices)
    url = forms.URLField(max_length=500, assume_scheme="https", label="URL")
    events = forms.MultipleChoiceField(choices=EventType.choices,
                                       widget=forms.CheckboxSelectMultiple)
    own_team_only = forms.BooleanField(
        required=False, label="Only events about my team's documents and action items")
