from __future__ import annotations

import datetime as dt
import random

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from actions import reminders


@shared_task(
    bind=True,
    autoretry_for=(Exception,),
    retry_backoff=True,
    retry_jitter=True,
    max_retries=5,
    time_limit=300,
)
def send_due_reminders_task(self, day: str | None = None) -> dict[str, int]:
    # A retry sends only what is still missing: every reminder is claimed by a unique row.
    today = dt.date.fromisoformat(day) if day else None
    return reminders.send_due_reminders(today=today)


@shared_task
def dispatch_due_reminders_task() -> None:
    """What beat runs at 07:00: starts the reminder run after a random delay.

    Beat has no jitter of its own. A delay here rather than a sleep inside the run, because a
    sleep would hold a worker, count against the run's time limit (up to 300 s of a 300 s limit)
    and be slept again on every retry. The delay stays well below the broker's visibility
    timeout, so Redis does not hand the waiting task to a second worker.
    """
    jitter = 0 if settings.CELERY_TASK_ALWAYS_EAGER else getattr(
        settings, "REMINDER_JITTER_SECONDS", 300
    )
    # The day is fixed now, so a retry after midnight still works on the scheduled day.
    day = timezone.localdate().isoformat()
    send_due_reminders_task.apply_async(args=[day], countdown=random.randint(0, jitter))
