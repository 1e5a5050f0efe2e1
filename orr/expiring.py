"""`readiness.expiring`: announced once per ORR approval, some days before it expires."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from catalog.models import Service
from integrations.events import EventType, emit
from integrations.models import ExpiryNotice
from orr.readiness import readiness_for_services


def announce_expiring_readiness(*, now: dt.datetime | None = None) -> int:
    """Emit `readiness.expiring` once per approval, READINESS_EXPIRING_DAYS before it expires."""
    now = now or timezone.now()
    horizon = now + dt.timedelta(days=getattr(settings, "READINESS_EXPIRING_DAYS", 30))
    services = list(Service.objects.select_related("team"))
    sent = 0
    states = readiness_for_services(services)
    for service in services:
        state = states[service.pk]
        if state.status != "ready" or state.expires_at > horizon:
            continue
        try:
            with transaction.atomic():
                ExpiryNotice.objects.create(service=service, review_code=state.review.code,
                                            expires_at=state.expires_at)
                emit(EventType.READINESS_EXPIRING, service, review=state.review.code,
                     expires_at=state.expires_at.isoformat())
        except IntegrityError:
            continue
        sent += 1
    return sent
