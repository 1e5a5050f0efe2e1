"""One way to page long lists, so a page's cost does not grow with the data."""

from django.core.paginator import Page, Paginator

PER_PAGE = 50


def page_of(request, items, per_page: int = PER_PAGE) -> Page:
    """The requested page of `items` (a list or queryset); bad page numbers give the last."""
    return Paginator(items, per_page).get_page(request.GET.get("page"))
