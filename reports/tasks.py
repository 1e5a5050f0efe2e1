"""Thin tasks: primary keys and ISO weeks in, a service call, the retry policy."""

from __future__ import annotations

import random

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings

from reports import exports, services
from reports.weeks import Week

RETRY_POLICY = {
    "autoretry_for": (Exception,),
    # A render that ran out of time would only run out of time again on the same content.
    "dont_autoretry_for": (SoftTimeLimitExceeded,),
    "retry_backoff": True,
    "retry_jitter": True,
    "max_retries": 5,
    # The soft limit raises inside the render, so the attempt is recorded as failed and retried;
    # the hard limit is the backstop (the sweeper then finds the row left "running").
    "soft_time_limit": exports.RENDER_TIME_LIMIT - 10,
    "time_limit": exports.RENDER_TIME_LIMIT,
    # A worker that dies mid-render leaves the message unacknowledged, so the broker hands it
    # out again; the claim on the row keeps that from rendering twice.
    "acks_late": True,
}


@shared_task(**RETRY_POLICY)
def render_export_task(export_id: int) -> bool:
    return exports.export_run(export_id=export_id)


@shared_task
def sweep_exports_task() -> int:
    return len(exports.export_sweep())


@shared_task(**RETRY_POLICY)
def produce_weekly_report_task(week: str, email: bool = False) -> None:
    services.weekly_report_produce(week=Week.parse(week), email=email)


@shared_task
def dispatch_weekly_report_task() -> None:
    """What beat runs on Monday at 06:00: produces last week's report after a random delay.

    Beat has no jitter of its own; the delay keeps the render off the top of the hour, when the
    other scheduled work starts. A countdown rather than a sleep, as for the reminders: a sleep
    would hold a worker and count against the time limit. It stays below the broker's
    visibility timeout, so Redis does not hand the waiting task to a second worker.
    """
    jitter = 0 if settings.CELERY_TASK_ALWAYS_EAGER else getattr(
        settings, "REPORT_JITTER_SECONDS", 300
    )
    # The week is fixed now, so a retry or a late start still produces the week beat meant.
    week = Week.last_complete().iso
    produce_weekly_report_task.apply_async(
        args=[week], kwargs={"email": True}, countdown=random.randint(0, jitter)
    )
