"""The action item lists (mine, my teams, all) and their filters, for the page and the CSV."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils import timezone

from actions.models import ActionItem
from opsreview.prepared import PreparedList, PreparedShapes, sliced_or_counted
from reviews import permissions
from reviews.visibility import StandInViewer, item_visible_q, viewer_shape

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
    shape, values = list_options(request.GET)
    return _items(request.user, scope, shape, values)


def item_rows(request, scope: str) -> PreparedList:
    """`filtered_items` with the list's row fields, for a Paginator, as prepared queries
    (opsreview.prepared): one compiled SQL per kind of viewer, list, filters set and page."""
    shape, values = list_options(request.GET)
    viewer, viewer_args = viewer_shape(request.user)
    return PreparedList(_ROWS, (viewer, scope, shape), *viewer_args, *values.values())


def list_options(params) -> tuple[tuple, dict]:
    """From a list's query string: its shape (which status, source and sort, which filters are
    set) and the values of the filters set (a status, a priority, the day for "overdue", a team
    and a service slug)."""
    values = {}
    status = params.get("status", "open")
    if status != "open" and status in ActionItem.Status.values:  # "open": each open status
        values["status"] = status
    if priority := params.get("priority", ""):
        values["priority"] = priority
    if params.get("overdue"):
        values["today"] = timezone.localdate()
    if team := params.get("team", ""):
        values["team"] = team
    if service := params.get("service", ""):
        values["service"] = service
    source = params.get("source", "")
    sort = params.get("sort", "due")
    return (status == "open", source if source in ("orr", "coe") else "",
            sort if sort in SORTS else "due", tuple(values)), values


def _items(user, scope: str, shape: tuple, values: dict) -> QuerySet[ActionItem]:
    only_open, source, sort, _names = shape
    items = visible_items(user, ActionItem.objects.for_lists())
    if scope == "mine":
        items = items.filter(owner_id=user.pk)
    elif scope == "team":
        items = items.filter(team_id__in=permissions.roles(user).team_ids)
    if only_open:
        items = items.open()
    elif "status" in values:
        items = items.filter(status=values["status"])
    if "priority" in values:
        items = items.filter(priority=values["priority"])
    if "today" in values:
        items = items.overdue(values["today"])
    if "team" in values:
        items = items.filter(team__slug=values["team"])
    if "service" in values:
        items = items.filter(document__service__slug=values["service"])
    if source:
        items = items.filter(document__kind=source)
    # No distinct(): every join above is to-one, so no item can appear twice, and DISTINCT over
    # the wide joined rows cost a sort of every open item.
    return items.order_by(*SORTS[sort])


def _rows_builder(shape):
    (viewer, scope, list_shape), bounds = shape

    def build(user_id, *args):
        seen_by, args = StandInViewer.taking(viewer, user_id, args)
        values = dict(zip(list_shape[-1], args, strict=True))
        items = _items(seen_by, scope, list_shape, values)
        return sliced_or_counted(items.only(*ROW_FIELDS), bounds)
    return build


_ROWS = PreparedShapes(_rows_builder)


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
