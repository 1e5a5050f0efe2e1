from __future__ import annotations

import datetime as dt

from celery import shared_task

from orr import campaign_reminders, reminders
from orr.expiring import announce_expiring_readiness


@shared_task(autoretry_for=(Exception,), retry_backoff=True, retry_jitter=True, max_retries=5,
             time_limit=300)
def announce_expiring_readiness_task() -> int:
    # Idempotent: one ExpiryNotice row per approval is the claim.
    return announce_expiring_readiness()


@shared_task(bind=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5,
             time_limit=300)
def send_readiness_reminders_task(self, day: str | None = None) -> int:
    # A retry sends only what is still missing: every reminder is claimed by a unique row.
    return reminders.send_readiness_reminders(
        today=dt.date.fromisoformat(day) if day else None)


@shared_task(bind=True, autoretry_for=(OSError,), retry_backoff=True, retry_jitter=True,
             max_retries=5, time_limit=300)
def send_campaign_reminders_task(self, day: str | None = None) -> int:
    # A retry sends only what is still missing: every reminder is claimed by a unique row.
    return campaign_reminders.send_campaign_reminders(
        today=dt.date.fromisoformat(day) if day else None)
