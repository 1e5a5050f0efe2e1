"""Re-review campaign pages: list and launch (ops leads), the campaign page, its CSV."""

from __future__ import annotations

import csv

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from catalog.models import Service, ServiceTag, Team
from orr import campaigns
from orr.models import Campaign
from reviews.permissions import can_manage_org


class CampaignForm(forms.Form):
    name = forms.CharField(max_length=120)
    brief = forms.CharField(required=False, max_length=10000,
                            widget=forms.Textarea(attrs={"rows": 3}))
    tiers = forms.TypedMultipleChoiceField(choices=Service.Tier.choices, coerce=int,
                                           required=False, widget=forms.CheckboxSelectMultiple,
                                           help_text="None ticked: every tier.")
    teams = forms.ModelMultipleChoiceField(queryset=Team.objects.order_by("name"),
                                           required=False, help_text="None chosen: every team.")
    tags = forms.ModelMultipleChoiceField(
        queryset=ServiceTag.objects.order_by("slug"), required=False,
        help_text="Services with any of the chosen tags; none chosen: every service.")
    lapses_before = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}),
                                    label="Only services whose readiness lapses before")
    starts_on = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    target_on = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    start_drafts = forms.TypedChoiceField(
        choices=[("1", "Start a draft ORR for each service"), ("", "Leave each awaiting start")],
        coerce=bool, empty_value=False, required=False, initial="1", widget=forms.RadioSelect,
        label="Due ORRs")


def campaign_list(request):
    if not can_manage_org(request.user):
        raise PermissionDenied("Campaigns are run by the ops leads.")
    form = CampaignForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            campaign = campaigns.campaign_launch(by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, " ".join(exc.messages))
        else:
            messages.success(request, f"Campaign “{campaign.name}” launched for "
                                      f"{campaign.entries.count()} service(s).")
            return redirect("orr:campaign", campaign.pk)
    return render(request, "orr/campaign_list.html", {
        "campaigns": list(Campaign.objects.all()), "form": form,
    })


def _campaign(request, pk):
    if not can_manage_org(request.user):
        raise PermissionDenied("Campaigns are run by the ops leads.")
    return get_object_or_404(Campaign.objects.prefetch_related("teams", "tags"), pk=pk)


def campaign_detail(request, pk):
    campaign = _campaign(request, pk)
    rows = campaigns.campaign_rows(campaign)
    return render(request, "orr/campaign_detail.html", {
        "campaign": campaign, "rows": rows, "counts": campaigns.counts(rows),
        "states": campaigns.STATES, "chart": campaigns.burnup(campaign, rows),
    })


def campaign_csv(request, pk):
    campaign = _campaign(request, pk)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="campaign-{campaign.pk}.csv"'
    writer = csv.writer(response)
    for row in campaigns.csv_rows(campaigns.campaign_rows(campaign)):
        writer.writerow(row)
    return response
