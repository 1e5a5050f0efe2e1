"""Is a service ready? The one place that answers it.

A service is *ready* while its latest approved ORR has not expired (`ORR_EXPIRY_DAYS` per tier)
and none of that ORR's accepted risks has expired. The service pages, the home page, the
deploy-pipeline API, the COE page ("was an ORR performed?") and the reports all ask this module.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

from actions.models import ActionItem
from catalog.models import Service
from orr.models import ReadinessReview
from reviews.models import AcceptedRisk, Answer, Document, State


@dataclass
class Readiness:
    status: str  # ready | expired | in_review | not_ready | never_reviewed
    approved_at: dt.datetime | None = None
    expires_at: dt.datetime | None = None
    review: Document | None = None

    LABELS = {
        "ready": "Ready",
        "expired": "Expired",
        "in_review": "In review",
        "not_ready": "Not ready",
        "never_reviewed": "Never reviewed",
    }

    @property
    def label(self) -> str:
        return self.LABELS[self.status]


def expiry_days(tier: int) -> int:
    """How long an ORR approval keeps a service of `tier` ready (`ORR_EXPIRY_DAYS`)."""
    return int(settings.ORR_EXPIRY_DAYS.get(str(tier), 365))


def approval_expires_at(approved_at: dt.datetime, tier: int) -> dt.datetime:
    """When an approval given at `approved_at` stops making a service of `tier` ready."""
    return approved_at + dt.timedelta(days=expiry_days(tier))


def readiness_for_services(services: list[Service]) -> dict[int, Readiness]:
    """Readiness of many services in a fixed number of queries."""
    ids = [s.pk for s in services]
    now = timezone.now()
    reviews = list(
        ReadinessReview.objects.alive().filter(service_id__in=ids)
        .only("id", "code", "service_id", "state", "approved_at", "created_at", "kind")
        .order_by("service_id", "-approved_at", "-created_at")
    )
    latest_approved: dict[int, ReadinessReview] = {}
    in_review: set[int] = set()
    any_review: set[int] = set()
    for r in reviews:
        any_review.add(r.service_id)
        if r.state == State.IN_REVIEW:
            in_review.add(r.service_id)
        if r.state == State.APPROVED and r.service_id not in latest_approved:
            latest_approved[r.service_id] = r
    expired_risk_docs = set(
        AcceptedRisk.objects.filter(
            answer__document_id__in=[r.pk for r in latest_approved.values()],
            expires_on__lt=timezone.localdate(),
        ).values_list("answer__document_id", flat=True)
    )
    result = {}
    for service in services:
        approved = latest_approved.get(service.pk)
        if approved:
            expires = approval_expires_at(approved.approved_at, service.tier)
            if expires > now and approved.pk not in expired_risk_docs:
                result[service.pk] = Readiness("ready", approved.approved_at, expires, approved)
                continue
            if service.pk not in in_review:
                result[service.pk] = Readiness("expired", approved.approved_at, expires, approved)
                continue
        if service.pk in in_review:
            result[service.pk] = Readiness("in_review")
        elif service.pk in any_review:
            result[service.pk] = Readiness("not_ready")
        else:
            result[service.pk] = Readiness("never_reviewed")
    return result


def readiness(service: Service) -> Readiness:
    return readiness_for_services([service])[service.pk]


def readiness_payload(service: Service, base_url: str) -> dict:
    state = readiness(service)
    open_high = 0
    if state.review:
        open_high = (
            Answer.objects.filter(document=state.review, risk=Answer.Risk.HIGH)
            .exclude(accepted_risk__isnull=False)
            .filter(action_items__status__in=ActionItem.OPEN_STATUSES)
            .distinct()
            .count()
        )
    overdue = ActionItem.objects.overdue().filter(document__service=service).count()
    return {
        "service": service.slug,
        "status": state.status,
        "approved_at": state.approved_at.isoformat() if state.approved_at else None,
        "expires_at": state.expires_at.isoformat() if state.expires_at else None,
        "review_url": f"{base_url}{state.review.get_absolute_url()}" if state.review else None,
        "open_high_risks": open_high,
        "overdue_actions": overdue,
    }
