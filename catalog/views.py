from django.db.models import F, Q
from django.shortcuts import get_object_or_404, render

from actions.models import ActionItem
from catalog.forms import MembershipForm
from catalog.models import Membership, Service, Team
from opsreview.paging import page_of
from opsreview.prepared import PreparedList, PreparedShapes, sliced_or_counted
from orr.forms import StartReviewForm
from orr.models import Milestone, ReadinessReview
from orr.readiness import Readiness, readiness_for_services, remembered_readiness
from postmortems.completion import late_postmortems
from reviews.models import Document
from reviews.permissions import can_manage_org, can_view, in_team


def _listed_services():
    return (Service.objects.active().select_related("team")
            .only("name", "slug", "tier", "team__name", "team__slug")
            .order_by("team__name", "name"))


# The service list's count and pages, each compiled once per process.
_SERVICE_ROWS = PreparedShapes(lambda shape: lambda: sliced_or_counted(_listed_services(),
                                                                       shape[1]))


def service_list(request):
    query = request.GET.get("q", "").strip()
    status = request.GET.get("status", "")
    services = _listed_services()
    if query:
        services = services.filter(Q(name__icontains=query) | Q(team__name__icontains=query))
    elif not status:  # the plain list: prepared queries (opsreview.prepared)
        services = PreparedList(_SERVICE_ROWS, None)
    if status:
        # Readiness is computed, not stored: filtering by it needs every matching service.
        services = list(services)
        readiness = readiness_for_services(services)
        page = page_of(request, [(s, readiness[s.pk]) for s in services
                                 if readiness[s.pk].status == status])
    else:
        # Without that filter only the shown page needs its readiness computed.
        page = page_of(request, services)
        readiness = remembered_readiness(list(page))
        page.object_list = [(s, readiness[s.pk]) for s in page]
    return render(request, "catalog/service_list.html", {
        "page": page, "q": query, "status": status,
        "statuses": list(Readiness.LABELS.items()),
    })


def service_detail(request, slug):
    service = get_object_or_404(
        Service.objects.select_related("team").prefetch_related("links", "tags"), slug=slug
    )
    # can_view hides restricted COEs from outsiders by the child's `restricted` flag, which a
    # plain Document row lacks: bring it along in the same query.
    documents = [
        d for d in Document.objects.alive().filter(service=service)
        .annotate(restricted=F("postmortem__restricted"))
        .select_related("author", "service").prefetch_related("assignments")
        if can_view(request.user, d)
    ]
    open_review = (ReadinessReview.objects.alive().filter(service=service).open()
                   .select_related("service").first())
    return render(request, "catalog/service_detail.html", {
        "service": service,
        "readiness": readiness_for_services([service])[service.pk],
        "reviews": [d for d in documents if d.kind == "orr"],
        "milestones": list(
            Milestone.objects.filter(review__in=[d.pk for d in documents if d.kind == "orr"])
            .defer("snapshot").select_related("review").order_by("created_at")),
        "postmortems": [d for d in documents if d.kind == "coe"],
        "start_form": StartReviewForm(),
        "can_start": in_team(request.user, service.team_id) and not service.is_retired,
        "open_review": open_review if open_review and can_view(request.user, open_review) else None,
        "has_open_review": open_review is not None,
        "can_manage": can_manage_org(request.user),
        # A retired service's loose ends stay in sight on its page.
        "open_items": list(ActionItem.objects.open().filter(document__service=service)
                           .for_lists()) if service.is_retired else [],
    })


def team_detail(request, slug):
    team = get_object_or_404(Team, slug=slug)
    services = list(team.services.active())
    readiness = readiness_for_services(services)
    memberships = list(team.memberships.select_related("user").order_by("role", "user__username"))
    return render(request, "catalog/team_detail.html", {
        "team": team,
        "service_rows": [(s, readiness[s.pk]) for s in services],
        "memberships": memberships,
        "can_manage": can_manage_org(request.user),
        "membership_form": MembershipForm(),
        "roles": Membership.Role.choices,
        "late_coes": late_postmortems(team=team),
    })
