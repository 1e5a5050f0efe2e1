from __future__ import annotations

import datetime as dt

from celery import shared_task

from postmortems.completion import escalate_late_postmortems


@shared_task(autoretry_for=(Exception,), retry_backoff=True, retry_jitter=True, max_retries=5,
             time_limit=300)
def escalate_late_coes_task(day: str | None = None) -> int:
    # Idempotent: each escalation is claimed by a unique row, so a retry sends only what is missing.
    return escalate_late_postmortems(today=dt.date.fromisoformat(day) if day else None)
