from __future__ import annotations

from celery import shared_task

from orr.expiring import announce_expiring_readiness


@shared_task(autoretry_for=(Exception,), retry_backoff=True, retry_jitter=True, max_retries=5,
             time_limit=300)
def announce_expiring_readiness_task() -> int:
    # Idempotent: one ExpiryNotice row per approval is the claim.
    return announce_expiring_readiness()
