"""The action item lists (mine, my teams, all) and their filters, for the page and the CSV."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from actions.models import ActionItem
from reviews import permissions
from reviews.visibility import outsider_q

SORTS = {
    "due": ("due_date", "pk"),
    "priority": ("priority", "due_date"),
    "-created": ("-created_at",),
}


def visible_items(user, items: QuerySet[ActionItem] | None = None) -> QuerySet[ActionItem]:
    """`items` (default: every item, with its related rows) that `user` may see."""
    items = ActionItem.objects.with_related() if items is None else items
    r = permissions.roles(user)
    if r.admin or r.ops_lead:
        return items
    # Items of documents the user may not see (other teams' drafts, restricted COEs) stay hidden.
    public = Q(document__isnull=True) | outsider_q(user, prefix="document__")
    return items.filter(Q(owner=user) | Q(team_id__in=r.team_ids) | public)


def filtered_items(request, scope: str) -> QuerySet[ActionItem]:
    """The items of one list with the filters of the query string, sorted; not sliced."""
    user = request.user
    items = visible_items(user, ActionItem.objects.for_lists())
    if scope == "mine":
        items = items.filter(owner=user)
    elif scope == "team":
        items = items.filter(team_id__in=permissions.roles(user).team_ids)
    status = request.GET.get("status", "open")
    if status == "open":
        items = items.open()
    elif status in ActionItem.Status.values:
        items = items.filter(status=status)
    priority = request.GET.get("priority", "")
    if priority:
        items = items.filter(priority=priority)
    if request.GET.get("overdue"):
        items = items.overdue()
    if team := request.GET.get("team", ""):
        items = items.filter(team__slug=team)
    if service := request.GET.get("service", ""):
        items = items.filter(document__service__slug=service)
    source = request.GET.get("source", "")
    if source in ("orr", "coe"):
        items = items.filter(document__kind=source)
    sort = request.GET.get("sort", "due")
    # No distinct(): every join above is to-one, so no item can appear twice, and DISTINCT over
    # the wide joined rows cost a sort of every open item.
    return items.order_by(*SORTS.get(sort, SORTS["due"]))
