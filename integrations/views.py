"""A team's integrations page: intake endpoints, mappings, subscriptions, last deliveries."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from catalog.models import Team
from integrations import services, webhooks
from integrations.forms import (
    IntegrationForm,
    MappingForm,
    ProviderSecretForm,
    SubscriptionForm,
)
from integrations.models import Delivery, Integration, ServiceMapping, Subscription
from reviews.roles import in_team, is_ops_lead, roles

LAST_DELIVERIES = 50


def get_team_for_user(request, slug: str, write: bool = False) -> Team:
    """A team's integrations are seen by its members and the ops leads, changed by members."""
    team = get_object_or_404(Team, slug=slug)
    member = in_team(request.user, team.pk)
    if not (member or is_ops_lead(request.user)):
        raise Http404
    if write and not member:
        raise PermissionDenied("Only members of the team can change its integrations.")
    return team


def index(request):
    teams = list(Team.objects.filter(pk__in=roles(request.user).team_ids))
    if len(teams) == 1:
        return redirect("integrations:team", teams[0].slug)
    return render(request, "integrations/index.html", {"teams": teams})


def team_page(request, slug, *, forms=None):
    team = get_team_for_user(request, slug)
    integrations = list(team.integrations.select_related("created_by").prefetch_related(
        Prefetch("mappings", queryset=ServiceMapping.objects.select_related("service"))))
    subscriptions = list(team.subscriptions.select_related("created_by"))
    deliveries = list(Delivery.objects.filter(subscription__team=team)
                      .select_related("subscription")[:LAST_DELIVERIES])
    forms = forms or {}
    return render(request, "integrations/team.html", {
        "team": team,
        "integrations": integrations,
        "subscriptions": subscriptions,
        "deliveries": deliveries,
        "hook_base": f"{settings.SITE_URL}{reverse('integrations:receive', args=['x'])[:-2]}",
        "new_secret": request.session.pop("integration_secret", None),
        "integration_form": forms.get("integration") or IntegrationForm(),
        "mapping_form": forms.get("mapping") or MappingForm(team=team),
        "subscription_form": forms.get("subscription") or SubscriptionForm(),
        "can_write": in_team(request.user, team.pk),
        "section": "integrations",
    })


def _show_secret_once(request, label: str, secret: str) -> None:
    request.session["integration_secret"] = {"label": label, "secret": secret}


@require_POST
def integration_create(request, slug):
    team = get_team_for_user(request, slug, write=True)
    form = IntegrationForm(request.POST)
    if not form.is_valid():
        return team_page(request, slug, forms={"integration": form})
    integration = services.integration_create(team=team, by=request.user, **form.cleaned_data)
    _show_secret_once(request, f"{integration.name}: secret", integration.secret)
    messages.success(request, f"Integration “{integration.name}” created.")
    return redirect("integrations:team", slug)


@require_POST
def integration_delete(request, slug, pk):
    team = get_team_for_user(request, slug, write=True)
    integration = get_object_or_404(Integration, pk=pk, team=team)
    integration.delete()
    messages.success(request, f"Integration “{integration.name}” deleted.")
    return redirect("integrations:team", slug)


@require_POST
def integration_set_secret(request, slug, pk):
    team = get_team_for_user(request, slug, write=True)
    integration = get_object_or_404(Integration, pk=pk, team=team)
    form = ProviderSecretForm(request.POST)
    if form.is_valid():
        services.integration_set_secret(integration=integration,
                                        secret=form.cleaned_data["provider_secret"])
        messages.success(request, f"Secret of “{integration.name}” replaced.")
    else:
        messages.error(request, "A provider's secret has at least 16 characters; nothing changed.")
    return redirect("integrations:team", slug)


@require_POST
def mapping_add(request, slug):
    team = get_team_for_user(request, slug, write=True)
    form = MappingForm(request.POST, team=team)
    if form.is_valid():
        try:
            services.mapping_add(**form.cleaned_data)
        except ValidationError as exc:
            form.add_error("provider_service", exc)
    if form.errors:
        return team_page(request, slug, forms={"mapping": form})
    messages.success(request, "Service mapped.")
    return redirect("integrations:team", slug)


@require_POST
def mapping_delete(request, slug, pk):
    team = get_team_for_user(request, slug, write=True)
    get_object_or_404(ServiceMapping, pk=pk, integration__team=team).delete()
    return redirect("integrations:team", slug)


@require_POST
def subscription_create(request, slug):
    team = get_team_for_user(request, slug, write=True)
    form = SubscriptionForm(request.POST)
    if form.is_valid():
        try:
            sub = services.subscription_create(team=team, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error("url", exc)
    if form.errors:
        return team_page(request, slug, forms={"subscription": form})
    if sub.is_signed:
        _show_secret_once(request, f"Signing secret for {sub.url}", sub.secret)
    messages.success(request, "Subscription created.")
    return redirect("integrations:team", slug)


@require_POST
def subscription_delete(request, slug, pk):
    team = get_team_for_user(request, slug, write=True)
    get_object_or_404(Subscription, pk=pk, team=team).delete()
    return redirect("integrations:team", slug)


@require_POST
def subscription_resume(request, slug, pk):
    team = get_team_for_user(request, slug, write=True)
    webhooks.subscription_resume(subscription=get_object_or_404(Subscription, pk=pk, team=team))
    messages.success(request, "Subscription resumed.")
    return redirect("integrations:team", slug)


@require_POST
def delivery_redeliver(request, slug, pk):
    team = get_team_for_user(request, slug, write=True)
    delivery = get_object_or_404(Delivery, pk=pk, subscription__team=team)
    webhooks.delivery_redeliver(delivery=delivery)
    messages.success(request, f"Delivery {delivery.message_id} queued again.")
    return redirect("integrations:team", slug)
