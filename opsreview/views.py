import datetime as dt

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.models import Count
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from actions.models import ActionItem
from actions.selectors import visible_items
from catalog.models import Service, Team, people_to_ask
from opsreview.prepared import Prepared, PreparedShapes
from orr.readiness import readiness_for_services, remembered_readiness
from reviews.models import Document
from reviews.permissions import is_ops_lead, roles
from reviews.visibility import StandInViewer, viewer_shape, visible_documents


@login_not_required
@require_GET
@never_cache
def healthz(request):
    """Shallow: the process answers. Touches no database."""
    return JsonResponse({"status": "ok"})


def _check_database() -> str | None:
    try:
        connection.ensure_connection()
        executor = MigrationExecutor(connection)
        if executor.migration_plan(executor.loader.graph.leaf_nodes()):
            return "migrations not applied"
    except Exception as exc:  # any failure means "not ready"; say which
        return f"unreachable: {exc.__class__.__name__}"
    return None


def _check_broker() -> str | None:
    if not settings.REDIS_URL:
        return None
    import redis

    try:
        redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1).ping()
    except Exception as exc:
        return f"unreachable: {exc.__class__.__name__}"
    return None


@login_not_required
@require_GET
@never_cache
def readyz(request):
    """Deep: database reachable with migrations applied, broker reachable when configured."""
    checks = {"database": _check_database(), "broker": _check_broker()}
    ok = all(v is None for v in checks.values())
    body = {
        "status": "ok" if ok else "unavailable",
        "checks": {k: (v or "ok") for k, v in checks.items()},
    }
    if not settings.REDIS_URL:
        body["checks"]["broker"] = "not configured (tasks run eagerly)"
    return JsonResponse(body, status=200 if ok else 503)


HOME_DOCUMENT_FIELDS = ("code", "kind", "title", "state", "submitted_at", "service__name")
HOME_ITEM_FIELDS = ("title", "priority", "due_date", "status", "document__code",
                    "document__service__name")


# The home page's lists, prepared (opsreview.prepared: compiled once per kind of viewer). What the
# person may still see: an author who left the team no longer does. Each list loads the columns
# its rows show, not whole documents, items and services.
_HOME_DRAFTS = PreparedShapes(lambda viewer: lambda user_id, *team_ids: visible_documents(
    StandInViewer(viewer, user_id, team_ids), Document.objects.alive().authored_by(user_id).open()
).select_related("service").only(*HOME_DOCUMENT_FIELDS)[:20])
_HOME_TO_REVIEW = Prepared(lambda user_id: Document.objects.alive().in_review().filter(
    assignments__user=user_id).exclude(author=user_id).select_related("service")
    .only(*HOME_DOCUMENT_FIELDS).order_by("submitted_at"))
_HOME_ITEMS = PreparedShapes(lambda viewer: lambda user_id, *team_ids: visible_items(
    StandInViewer(viewer, user_id, team_ids), ActionItem.objects.open().owned_by(user_id)
    .select_related("document__service").only(*HOME_ITEM_FIELDS))[:20])
_HOME_SERVICES = Prepared(lambda user_id: Service.objects.active().for_user_teams(user_id)
                          .select_related("team")
                          .only("name", "slug", "tier", "team__name", "team__slug").distinct())


def home(request):
    user = request.user
    viewer, viewer_args = viewer_shape(user)
    drafts = _HOME_DRAFTS(viewer, *viewer_args)
    to_review = _HOME_TO_REVIEW(user.pk)
    items = _HOME_ITEMS(viewer, *viewer_args)
    services = _HOME_SERVICES(user.pk)
    readiness = remembered_readiness(services)
    no_team = not roles(user).team_ids and not is_ops_lead(user)
    return render(request, "home.html", {
        # Someone signed in before anyone put them in a team: whom to ask.
        "ask": people_to_ask() if no_team else None,
        "org": _org_figures() if is_ops_lead(user) else None,
        # A new installation: point whoever may set it up at the first-run page.
        "first_run": is_ops_lead(user) and not Team.objects.exists(),
        "drafts": drafts,
        "to_review": to_review,
        "items": items,
        "service_rows": [(s, readiness[s.pk]) for s in services],
    })


def _org_figures() -> dict:
    """This week's organisation figures for an ops lead's home page: the same for every ops
    lead, so computed once per ORG_FIGURES_SECONDS (readiness of every service is the cost)."""
    today = timezone.localdate()
    if not settings.ORG_FIGURES_SECONDS:
        return _compute_org_figures(today)
    return cache.get_or_set(f"home:org-figures:{today.isoformat()}",
                            lambda: _compute_org_figures(today), settings.ORG_FIGURES_SECONDS)


def _compute_org_figures(today: dt.date) -> dict:
    week_start = today - dt.timedelta(days=today.weekday())
    since = timezone.make_aware(dt.datetime.combine(week_start, dt.time.min))
    coes = Document.objects.alive().of_kind("coe")
    services = list(Service.objects.active().only("id", "tier"))
    expired = sum(r.status == "expired" for r in readiness_for_services(services).values())
    overdue = dict(ActionItem.objects.overdue().order_by().values("team__name")
                   .annotate(n=Count("pk")).values_list("team__name", "n"))
    return {
        "week_start": week_start,
        "coes_opened": coes.filter(created_at__gte=since).count(),
        "coes_approved": coes.filter(approved_at__gte=since).count(),
        "expired_orrs": expired,
        "overdue_by_team": sorted(overdue.items(), key=lambda kv: -kv[1]),
    }


@require_POST
def markdown_preview(request):
    from opsreview.rendering import MarkdownTooLong, render_markdown

    try:
        return JsonResponse({"html": render_markdown(request.POST.get("text", ""))})
    except MarkdownTooLong as exc:
        return JsonResponse({"error": str(exc)}, status=400)


def search(request):
    from opsreview.search import search as run_search

    results = run_search(request.user, request.GET.get("q", ""))
    return render(request, "search.html", {"results": results})
