from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from actions.models import ActionItem
from opsreview import permissions

SORTS = {
    "due": ("due_date", "pk"),
    "priority": ("priority", "due_date"),
    "-created": ("-created_at",),
}


def _visible_items(user):
    items = ActionItem.objects.with_related()
    r = permissions.roles(user)
    if r.admin or r.ops_lead:
        return items
    # Items of documents the user may not see (other teams' drafts, restricted COEs) stay hidden.
    public = Q(document__isnull=True) | (
        ~Q(document__state="draft") & ~Q(document__postmortem__restricted=True)
    )
    return items.filter(Q(owner=user) | Q(team_id__in=r.team_ids) | public)


def item_list(request, scope):
    user = request.user
    items = _visible_items(user)
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
    sort = request.GET.get("sort", "due")
    items = list(items.distinct().order_by(*SORTS.get(sort, SORTS["due"]))[:500])
    return render(request, "actions/item_list.html", {
        "items": items, "scope": scope, "status": status, "priority": priority, "sort": sort,
        "statuses": ActionItem.Status.choices, "priorities": ActionItem.Priority.choices,
        "today": timezone.localdate(),
    })


def item_detail(request, pk):
    item = get_object_or_404(ActionItem.objects.with_related(), pk=pk)
    if item.document and not permissions.can_view(request.user, item.document) \
            and item.owner_id != request.user.pk:
        raise Http404("No such action item.")
    return render(request, "actions/item_detail.html", {
        "item": item, "statuses": ActionItem.Status.choices,
        "can_change": permissions.can_change_action_item(request.user, item),
    })


@require_POST
def item_status(request, pk):
    item = get_object_or_404(ActionItem, pk=pk)
    if not permissions.can_change_action_item(request.user, item):
        raise PermissionDenied("Only the owner, the owning team and ops leads change an item.")
    try:
        item.set_status(request.POST.get("status", ""), note=request.POST.get("note", ""))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"“{item.title}” is now {item.get_status_display().lower()}.")
    return redirect(request.POST.get("next") or item.get_absolute_url())
