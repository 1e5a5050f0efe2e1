from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from opsreview.workdays import next_working_day
from reviews.events import Verb


def default_due_date(priority: str, today: dt.date | None = None) -> dt.date:
    """Due date by priority (weeks from today), moved off the weekend."""
    weeks = settings.ACTION_DUE_WEEKS.get(priority, 8)
    return next_working_day((today or timezone.localdate()) + dt.timedelta(weeks=weeks))


def item_set_status(*, item, by, status: str, note: str = "") -> None:
    """Change an item's status; the change is recorded in its document's history."""
    with transaction.atomic():
        before = item.status
        item.set_status(status, note=note)
        if item.document_id and before != status:
            item.document.log(by, Verb.ACTION_STATUS, f"Action item “{item.title[:80]}”: "
                              f"{before} → {status}", action=item.pk, note=note[:300])
