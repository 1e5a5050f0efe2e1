"""Organisation pages: teams, services, people and roles, the audit log, the first run.

Everyone signed in reads the directory; ops leads and admins change it (can_manage_org).
Each change is one service call in catalog.services (or actions.services for handing work
over), which writes the audit log.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Exists, OuterRef, Prefetch, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_POST

from actions.models import ActionItem
from actions.services import person_open_work, work_reassign
from catalog import services
from catalog.forms import FirstAdminForm, MembershipForm, ReassignForm, ServiceForm, TeamForm
from catalog.models import OPS_LEADS_GROUP, Membership, OrgEvent, Service, Team
from opsreview.paging import page_of
from orr.models import ApiToken
from reviews.permissions import can_issue_tokens, can_manage_org


def _require_manager(request) -> None:
    if not can_manage_org(request.user):
        raise PermissionDenied("Only ops leads and administrators change the organisation.")


def _person(username: str):
    return get_object_or_404(get_user_model(), username=username)


def _url_or_none(name: str) -> str | None:
    """A page another part of the app provides, when it is installed."""
    try:
        return reverse(name)
    except NoReverseMatch:
        return None


# --- teams ---------------------------------------------------------------------------------


def org_home(request):
    teams = Team.objects.annotate(
        n_services=Count("services", filter=Q(services__retired_at__isnull=True), distinct=True),
        n_people=Count("memberships", distinct=True),
    ).order_by("name")
    return render(request, "catalog/org_home.html", {
        "page": page_of(request, teams),
        "can_manage": can_manage_org(request.user),
        "can_tokens": can_issue_tokens(request.user),
        "import_url": _url_or_none("catalog:import"),
    })


def team_create(request):
    _require_manager(request)
    form = TeamForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        team = services.team_create(by=request.user, **form.cleaned_data)
        messages.success(request, f"Team {team.name} created.")
        return redirect(team)
    return render(request, "catalog/org_form.html", {
        "form": form, "title": "New team", "back": reverse("catalog:org"),
    })


def team_edit(request, slug):
    _require_manager(request)
    team = get_object_or_404(Team, slug=slug)
    form = TeamForm(request.POST or None, instance=Team.objects.get(pk=team.pk))
    if request.method == "POST" and form.is_valid():
        services.team_update(team=team, by=request.user, **form.cleaned_data)
        messages.success(request, f"Team {team.name} saved.")
        return redirect(team)
    return render(request, "catalog/org_form.html", {
        "form": form, "title": f"Edit team {team.name}", "back": team.get_absolute_url(),
    })


@require_POST
def member_set(request, slug):
    """Add a person to the team, or change their role in it."""
    _require_manager(request)
    team = get_object_or_404(Team, slug=slug)
    form = MembershipForm(request.POST)
    if form.is_valid():
        services.membership_set(team=team, person=form.cleaned_data["person"],
                                role=form.cleaned_data["role"], by=request.user)
        messages.success(request, f"{form.cleaned_data['person'].get_username()} is "
                                  f"{form.cleaned_data['role']} in {team.name}.")
    else:
        messages.error(request, "Choose a person and a role.")
    return redirect(team)


@require_POST
def member_remove(request, slug, username):
    _require_manager(request)
    team = get_object_or_404(Team, slug=slug)
    person = _person(username)
    services.membership_remove(team=team, person=person, by=request.user)
    messages.success(request, f"{username} is no longer in {team.name}.")
    return redirect(team)


# --- services ------------------------------------------------------------------------------


def service_create(request):
    _require_manager(request)
    initial = {"team": Team.objects.filter(slug=request.GET.get("team", "")).first()}
    form = ServiceForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        service = services.service_create(by=request.user, links=form.links(),
                                          **form.cleaned_data)
        messages.success(request, f"Service {service.name} created.")
        return redirect(service)
    return render(request, "catalog/org_form.html", {
        "form": form, "title": "New service", "back": reverse("catalog:services"),
    })


def service_edit(request, slug):
    _require_manager(request)
    service = get_object_or_404(Service.objects.select_related("team"), slug=slug)
    form = ServiceForm(request.POST or None, instance=Service.objects.get(pk=service.pk),
                       links=services.service_links(service), tags=services.service_tags(service))
    if request.method == "POST" and form.is_valid():
        services.service_update(service=service, by=request.user, links=form.links(),
                                **form.cleaned_data)
        messages.success(request, f"Service {service.name} saved.")
        return redirect(service)
    return render(request, "catalog/org_form.html", {
        "form": form, "title": f"Edit service {service.name}", "back": service.get_absolute_url(),
    })


def service_retire(request, slug):
    """GET: what retiring leaves open. POST: retire."""
    _require_manager(request)
    service = get_object_or_404(Service.objects.select_related("team"), slug=slug)
    open_items = list(
        ActionItem.objects.open().filter(document__service=service).for_lists().order_by("due_date")
    )
    if request.method == "POST":
        try:
            services.service_retire(service=service, by=request.user, open_items=len(open_items))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, f"{service.name} is retired. Its history stays here.")
        return redirect(service)
    return render(request, "catalog/service_retire.html", {
        "service": service, "open_items": open_items,
    })


@require_POST
def service_restore(request, slug):
    _require_manager(request)
    service = get_object_or_404(Service, slug=slug)
    try:
        services.service_restore(service=service, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"{service.name} is back in use.")
    return redirect(service)


def retired_services(request):
    services_ = Service.objects.retired().select_related("team").order_by("-retired_at")
    return render(request, "catalog/retired_services.html", {"page": page_of(request, services_)})


# --- people --------------------------------------------------------------------------------


def _people():
    users = get_user_model().objects.annotate(
        ops_lead=Exists(get_user_model().groups.through.objects.filter(
            user_id=OuterRef("pk"), group__name=OPS_LEADS_GROUP)),
    )
    return users.prefetch_related(
        Prefetch("memberships", queryset=Membership.objects.select_related("team")
                 .order_by("team__name"))
    )


def people(request):
    query = request.GET.get("q", "").strip()
    users = _people().order_by("-is_active", "username")
    if query:
        users = users.filter(Q(username__icontains=query) | Q(first_name__icontains=query)
                             | Q(last_name__icontains=query) | Q(email__icontains=query))
    return render(request, "catalog/people.html", {
        "page": page_of(request, users), "q": query, "can_manage": can_manage_org(request.user),
        "invite_url": _url_or_none("accounts:invite"),
    })


def person_detail(request, username):
    person = get_object_or_404(_people(), username=username)
    manager = can_manage_org(request.user)
    items, reviews, hidden = (person_open_work(person, viewer=request.user) if manager
                              else ([], [], 0))
    return render(request, "catalog/person.html", {
        "person": person, "can_manage": manager, "items": items, "reviews": reviews,
        "hidden": hidden,
        "tokens": list(ApiToken.objects.live().filter(created_by=person)) if manager else [],
        "reassign_form": ReassignForm(person=person),
        "membership_form": MembershipForm(),
        "teams": Team.objects.order_by("name").only("slug", "name") if manager else [],
    })


@require_POST
def person_team(request, username):
    """Add the person to a team chosen on their page, or change their role there."""
    _require_manager(request)
    person = _person(username)
    team = get_object_or_404(Team, slug=request.POST.get("team", ""))
    form = MembershipForm({"person": person.pk, "role": request.POST.get("role", "")})
    if form.is_valid():
        services.membership_set(team=team, person=person, role=form.cleaned_data["role"],
                                by=request.user)
        messages.success(request, f"{username} is {form.cleaned_data['role']} in {team.name}.")
    else:
        messages.error(request, "Choose a team and a role (deactivated people join no team).")
    return redirect("catalog:person", username)


@require_POST
def person_ops_lead(request, username):
    _require_manager(request)
    person = _person(username)
    services.ops_lead_set(person=person, ops_lead=request.POST.get("ops_lead") == "1",
                          by=request.user)
    messages.success(request, f"Saved {username}'s roles.")
    return redirect("catalog:person", username)


def person_deactivate(request, username):
    """GET: the person's open work, to hand over. POST: deactivate (and hand it over)."""
    _require_manager(request)
    person = _person(username)
    # A bare POST (nobody to hand over to) is still a POST: bind the form to it.
    form = ReassignForm(request.POST if request.method == "POST" else None, person=person)
    form.fields["to"].required = False
    if request.method == "POST" and form.is_valid():
        try:
            services.person_deactivate(person=person, by=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("catalog:person", username)
        messages.success(request, f"{username} is deactivated; nothing of theirs was deleted.")
        if form.cleaned_data["to"]:
            _reassign(request, person, form.cleaned_data["to"])
        return redirect("catalog:person", username)
    items, reviews, hidden = person_open_work(person, viewer=request.user)
    return render(request, "catalog/person_deactivate.html", {
        "person": person, "items": items, "reviews": reviews, "hidden": hidden, "form": form,
        # Their pipelines' tokens keep working: the decision to revoke is the ops lead's.
        "tokens": list(ApiToken.objects.live().filter(created_by=person)),
    })


@require_POST
def person_reactivate(request, username):
    _require_manager(request)
    person = _person(username)
    try:
        services.person_reactivate(person=person, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"{username} can sign in again.")
    return redirect("catalog:person", username)


@require_POST
def person_reassign(request, username):
    _require_manager(request)
    person = _person(username)
    form = ReassignForm(request.POST, person=person)
    if form.is_valid():
        _reassign(request, person, form.cleaned_data["to"])
    else:
        messages.error(request, "Choose who takes over.")
    return redirect("catalog:person", username)


def _reassign(request, person, to) -> None:
    moved, skipped, hidden = work_reassign(person=person, to=to, by=request.user)
    messages.success(request, f"{moved} open item(s) and review(s) handed to {to.get_username()}.")
    if skipped:
        messages.warning(request, f"{to.get_username()} wrote {', '.join(skipped)} and cannot "
                                  "review it: choose another reviewer there.")
    if hidden:
        messages.warning(request, f"{hidden} restricted postmortem(s) you cannot see stay with "
                                  f"{person.get_username()}: its team or an administrator hands "
                                  "them over.")


# --- audit log and first run ---------------------------------------------------------------


def audit(request):
    _require_manager(request)
    events = OrgEvent.objects.select_related("actor", "team", "service", "person")
    # One team's, service's or person's changes, from their pages.
    about = {key: request.GET[key] for key in ("team", "service", "person") if request.GET.get(key)}
    if "team" in about:
        events = events.filter(team__slug=about["team"])
    if "service" in about:
        events = events.filter(service__slug=about["service"])
    if "person" in about:
        events = events.filter(person__username=about["person"])
    return render(request, "catalog/audit.html", {
        "page": page_of(request, events), "about": " ".join(about.values()),
    })


def org_start(request):
    """The first run: what an organisation sets up before its first review."""
    _require_manager(request)
    users = get_user_model().objects
    return render(request, "catalog/start.html", {
        "n_teams": Team.objects.count(),
        "n_services": Service.objects.active().count(),
        "n_people": users.filter(is_active=True).count(),
        "n_tokens": ApiToken.objects.live().count(),
        "import_url": _url_or_none("catalog:import"),
        "invite_url": _url_or_none("accounts:invite"),
    })


@login_not_required
def first_admin(request):
    """Create the first administrator of an empty installation, in the browser."""
    if get_user_model().objects.exists():
        return redirect("login")
    form = FirstAdminForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.first_admin_create(
                username=form.cleaned_data["username"], email=form.cleaned_data["email"],
                password=form.cleaned_data["password1"],
            )
        except ValidationError:
            return redirect("login")
        # The password backend of accounts/ (it stands where ModelBackend was; see settings).
        login(request, user, backend="accounts.backends.LocalPasswordBackend")
        messages.success(request, f"Welcome, {user.username}. Set up your organisation next.")
        return redirect("catalog:org_start")
    return render(request, "catalog/setup.html", {"form": form})
