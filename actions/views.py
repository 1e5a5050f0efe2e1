from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.html import escape
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from actions import selectors
from actions.models import ActionItem
from actions.services import item_set_status
from catalog.models import Service, Team
from opsreview.paging import page_of
from reviews import permissions

# The status choices of each row's form, escaped as Django's templates escape them (the rows are
# a Jinja2 partial, whose own escaping writes "Won't" with another, equivalent entity).
ROW_STATUSES = [(value, escape(label)) for value, label in ActionItem.Status.choices]


def item_list(request, scope):
    page = page_of(request, selectors.item_rows(request, scope))
    return render(request, "actions/item_list.html", {
        "page": page, "items": list(page), "scope": scope,
        "status": request.GET.get("status", "open"),
        "priority": request.GET.get("priority", ""), "sort": request.GET.get("sort", "due"),
        "statuses": ActionItem.Status.choices, "priorities": ActionItem.Priority.choices,
        "row_statuses": ROW_STATUSES,
        "today": timezone.localdate(),
        "teams": [("", "Any"), *Team.objects.order_by("name").values_list("slug", "name")],
        "services": [("", "Any"),
                     *Service.objects.order_by("name").values_list("slug", "name")],
        "filters": request.GET,
    })


def item_detail(request, pk):
    item = get_object_or_404(
        ActionItem.objects.with_related().select_related("document__postmortem"), pk=pk
    )
    # A COE's restricted flag lives on the Postmortem row; can_view needs it to hide the item
    # (and the COE's title) from outsiders.
    if item.document_id:
        item.document = getattr(item.document, "postmortem", None) or item.document
    if not permissions.can_view_action_item(request.user, item):
        raise Http404("No such action item.")
    return render(request, "actions/item_detail.html", {
        "item": item, "statuses": ActionItem.Status.choices,
        "can_change": permissions.can_change_action_item(request.user, item),
    })


@require_POST
def item_status(request, pk):
    item = get_object_or_404(ActionItem.objects.select_related("document__service"), pk=pk)
    if not permissions.can_view_action_item(request.user, item):
        raise Http404("No such action item.")
    if not permissions.can_change_action_item(request.user, item):
        raise PermissionDenied("Only the owner, the owning team and ops leads change an item.")
    try:
        item_set_status(item=item, by=request.user, status=request.POST.get("status", ""),
                        note=request.POST.get("note", ""))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"“{item.title}” is now {item.get_status_display().lower()}.")
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = item.get_absolute_url()
    return redirect(back)
