from rest_framework.pagination import CursorPagination


class Cursor(CursorPagination):
    """Opaque `next`/`previous` links: stable while rows are added, cheap at any depth."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    ordering = "-pk"


class DueDateCursor(Cursor):
    """Action items come soonest due first, as on their pages."""

    ordering = ("due_date", "pk")
