"""Reminders before a service's readiness lapses: 30 and 7 days before, each sent once.

Run daily by ``orr.tasks.send_readiness_reminders_task`` and by hand with
``manage.py send_readiness_reminders``. The lapse day is `orr.readiness`'s "ready until" (the
approval's expiry or an accepted risk's, whichever comes first). Selected by range ("lapses within
N days") rather than "in exactly N days", so a weekend or an outage is caught up by the next run;
when the run is late enough that both lead times have passed, only the nearer one is sent.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from catalog.models import Membership, Service
from notifications.models import EmailOptOut, Notification
from opsreview.links import site_url
from opsreview.workdays import is_working_day
from orr.models import ReadinessReminder
from orr.readiness import Readiness, readiness_for_services

logger = logging.getLogger(__name__)

LEAD_DAYS = (30, 7)
VERB = "readiness_lapsing"


def lead_time_due(lapses_on: dt.date, today: dt.date) -> int | None:
    """The reminder due for a lapse on `lapses_on` (30 or 7), or None (too far off, or past)."""
    left = (lapses_on - today).days
    if left < 0:
        return None
    due = [days for days in LEAD_DAYS if left <= days]
    return min(due) if due else None


def send_readiness_reminders(*, today: dt.date | None = None) -> int:
    """Remind each service's team of a coming lapse; the number of reminders sent."""
    today = today or timezone.localdate()
    if not is_working_day(today):
        # Nobody reads these on a weekend; Monday's run picks them up by range.
        return 0
    services = list(Service.objects.active().select_related("team"))
    start_of_day = timezone.make_aware(dt.datetime.combine(today, dt.time.min))
    states = readiness_for_services(services, at=start_of_day)
    due = []
    for service in services:
        state = states[service.pk]
        if state.status != "ready":
            continue
        lapses_on = timezone.localtime(state.expires_at).date()
        days = lead_time_due(lapses_on, today)
        if days is not None:
            due.append((service, state, days, lapses_on))
    if not due:
        return 0
    members: dict[int, list] = {}
    for membership in Membership.objects.filter(
        team_id__in={s.team_id for s, *_ in due}, user__is_active=True
    ).select_related("user"):
        members.setdefault(membership.team_id, []).append(membership.user)
    sent = 0
    for service, state, days, lapses_on in due:
        for user in members.get(service.team_id, []):
            sent += _deliver(service=service, state=state, days=days, lapses_on=lapses_on,
                             recipient=user, today=today)
    logger.info("Readiness reminders for %s: %s", today, sent)
    return sent


def _deliver(*, service: Service, state: Readiness, days: int, lapses_on: dt.date, recipient,
             today: dt.date) -> bool:
    subject, body = _message(service=service, state=state, lapses_on=lapses_on, today=today)
    try:
        with transaction.atomic():
            # The row goes first: a concurrent run blocks on the unique index and then skips.
            ReadinessReminder.objects.create(review=state.review, days_before=days,
                                             lapses_on=lapses_on, recipient=recipient,
                                             sent_on=today)
            Notification.objects.create(user=recipient, verb=VERB, message=subject,
                                        url=service.get_absolute_url())
            opted_out = EmailOptOut.objects.filter(user=recipient, verb=VERB).exists()
            if recipient.email and not opted_out:
                send_mail(subject, body, None, [recipient.email])
    except IntegrityError:
        return False
    return True


def _message(*, service: Service, state: Readiness, lapses_on: dt.date, today: dt.date
             ) -> tuple[str, str]:
    left = (lapses_on - today).days
    when = f"{lapses_on.day} {lapses_on:%b %Y}"
    subject = f"Readiness of {service.name} lapses on {when} (in {left} days)"
    body = "\n".join([
        f"{service.name} ({service.team.name}) stays ready until {when}: "
        f"{state.expires_because}.",
        "",
        "Start the next readiness review in time (it carries last year's answers forward), "
        "or renew the accepted risk.",
        "",
        f"Open it: {site_url()}{service.get_absolute_url()}",
    ])
    return f"[OpsReview] {subject}", body
