"""The action item lists (mine, my teams, all) and their filters, for the page and the CSV."""

from __future__ import annotations

from django.db.models import QuerySet

from actions.models import ActionItem
from reviews import permissions
from reviews.visibility import item_visible_q

SORTS = {
    "due": ("due_date", "pk"),
    "priority": ("priority", "due_date"),
    "-created": ("-created_at",),
}

# What a row of the list page shows (templates/actions/item_list.html); the other columns of the
# four joined tables (the owner's password hash, a document's many times) stay in the database.
ROW_FIELDS = ("title", "priority", "due_date", "status", "owner__username", "team__name",
              "document__code", "document__kind")


def visible_items(user, items: QuerySet[ActionItem] | None = None) -> QuerySet[ActionItem]:
    """`items` (default: every item, with its related rows) that `user` may see: an item
    follows its document (reviews.visibility.item_visible_q) — other teams' drafts and
    restricted COEs stay hidden, a restricted COE's items even from ops leads and admins."""
    items = ActionItem.objects.with_related() if items is None else items
    return items.filter(item_visible_q(user))


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


def notifications_about_hidden_items(notifications, user) -> set[int]:
    """For notifications.services.register_visibility_check: those linking to an action item
    that `user` may no longer see."""
    from notifications.services import target_of

    items = {}
    for n in notifications:
        view, kwargs = target_of(n)
        if view == "actions:detail":
            items[n.pk] = kwargs["pk"]
    if not items:
        return set()
    seen = set(visible_items(user, ActionItem.objects.filter(pk__in=set(items.values())))
               .values_list("pk", flat=True))
    return {pk for pk, item in items.items() if item not in seen}
