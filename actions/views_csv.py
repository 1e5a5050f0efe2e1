from django.http import Http404, HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_GET

from actions.exports import write_items_csv
from actions.selectors import filtered_items

SCOPES = ("mine", "team", "all")


@require_GET
def item_list_csv(request, scope):
    """The list page as CSV: same scope, filters and sort, and every row rather than 500."""
    if scope not in SCOPES:
        raise Http404("No such list.")
    items = filtered_items(request, scope)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    filename = f"action-items-{scope}-{timezone.localdate().isoformat()}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    # The byte order mark makes Excel read the file as UTF-8 instead of the locale's code page.
    response.write("\ufeff")
    write_items_csv(items.iterator(chunk_size=2000), response)
    return response
