"""Action items as CSV, for spreadsheets."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.utils import timezone

from actions.models import ActionItem
from opsreview.links import site_url

HEADER = [
    "ID", "Title", "Priority", "Status", "Owner", "Team", "Due date", "Overdue", "Source",
    "Created", "Closed", "Backlog", "Link",
]
# A cell starting with one of these is run as a formula by spreadsheet programs.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def write_items_csv(items: Iterable[ActionItem], stream, *, today: dt.date | None = None) -> None:
    """Write one row per item to a text stream (a file or an HttpResponse).

    The items need owner, team and document loaded (``ActionItem.objects.with_related()``).
    """
    today = today or timezone.localdate()
    writer = csv.writer(stream)
    writer.writerow(HEADER)
    for item in items:
        writer.writerow([_cell(value) for value in (
            item.pk,
            item.title,
            item.priority,
            item.get_status_display(),
            item.owner.get_username(),
            item.team.name,
            item.due_date.isoformat(),
            "yes" if item.is_overdue(today) else "no",
            item.document.code if item.document_id else "",
            timezone.localdate(item.created_at).isoformat(),
            timezone.localdate(item.closed_at).isoformat() if item.closed_at else "",
            item.backlog_url,
            f"{site_url()}{item.get_absolute_url()}",
        )])


def _cell(value: Any) -> Any:
    # Titles are typed by users; "=HYPERLINK(...)" must stay text when the file is opened.
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value
