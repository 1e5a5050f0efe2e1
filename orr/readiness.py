"""Is a service ready? The one place that answers it.

A service is *ready* while its latest approved ORR has not expired (`ORR_EXPIRY_DAYS` per tier)
and none of that ORR's accepted risks has expired: "ready until" is the earliest of the two, with
the reason (`ready_until`). The service pages, the home page, the
deploy-pipeline API, the COE page ("was an ORR performed?") and the reports all ask this module.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from functools import cached_property

from django.conf import settings
from django.db.models import Count, Max, Q
from django.utils import timezone

from actions.models import ActionItem
from catalog.models import Service
from opsreview import pagecache
from orr.models import ReadinessReview
from reviews.models import AcceptedRisk, Answer, Document, State


@dataclass
class Readiness:
    status: str  # ready | expired | in_review | not_ready | never_reviewed
    approved_at: dt.datetime | None = None
    # The moment readiness lapses (or lapsed): the earliest of the approval's expiry and the
    # end of every accepted risk's last day. `expires_because` says which one it is.
    expires_at: dt.datetime | None = None
    review: Document | None = None
    lapse: Lapse | None = None

    @cached_property
    def expires_because(self) -> str:
        return self.lapse.because if self.lapse else ""

    @property
    def expires_by_risk(self) -> bool:
        """True when an accepted risk, not the approval, is what lapses first."""
        return bool(self.lapse and self.lapse.risk)

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


@dataclass(frozen=True)
class RiskExpiry:
    """An accepted risk of an approved ORR: readiness lasts at most until its last day ends."""

    question: str
    expires_on: dt.date


def expiry_days(tier: int) -> int:
    """How long an ORR approval keeps a service of `tier` ready (`ORR_EXPIRY_DAYS`)."""
    return int(settings.ORR_EXPIRY_DAYS.get(str(tier), 365))


def approval_expires_at(approved_at: dt.datetime, tier: int) -> dt.datetime:
    """When an approval given at `approved_at` stops making a service of `tier` ready."""
    return approved_at + dt.timedelta(days=expiry_days(tier))


def risk_lapses_at(expires_on: dt.date) -> dt.datetime:
    """An accepted risk holds through its `expires_on` day: it lapses at the next midnight."""
    midnight = dt.datetime.combine(expires_on + dt.timedelta(days=1), dt.time.min)
    return timezone.make_aware(midnight, timezone.get_current_timezone())


@dataclass(frozen=True)
class Lapse:
    at: dt.datetime
    approved_at: dt.datetime
    risk: RiskExpiry | None = None

    @property
    def because(self) -> str:
        """Why readiness lapses at `at` (worded on demand: lists of services need only `at`)."""
        if self.risk is not None:
            return (f"accepted risk on “{self.risk.question}” expires "
                    f"{_day(self.risk.expires_on)}")
        return (f"the approval of {_day(timezone.localtime(self.approved_at))} expires "
                f"{_day(timezone.localtime(self.at))}")


def ready_until(approved_at: dt.datetime, tier: int, risks: list[RiskExpiry]) -> Lapse:
    """When readiness from one approval lapses, and why: the earliest of the approval's expiry
    and every accepted risk's expiry."""
    lapse = Lapse(approval_expires_at(approved_at, tier), approved_at)
    for risk in sorted(risks, key=lambda r: (r.expires_on, r.question)):
        lapses = risk_lapses_at(risk.expires_on)
        if lapses < lapse.at:
            lapse = Lapse(lapses, approved_at, risk)
    return lapse


def _day(day: dt.date) -> str:
    return f"{day.day} {day:%b %Y}"


def risk_expiries(document_ids) -> dict[int, list[RiskExpiry]]:
    """The accepted risks of these documents, by document id, in one query."""
    result: dict[int, list[RiskExpiry]] = {}
    rows = AcceptedRisk.objects.filter(answer__document_id__in=list(document_ids)).values_list(
        "answer__document_id", "answer__question__text", "expires_on")
    for document_id, question, expires_on in rows:
        result.setdefault(document_id, []).append(RiskExpiry(question, expires_on))
    return result


def remembered_readiness(services: list[Service]) -> dict[int, Readiness]:
    """`readiness_for_services` now, remembered like the readiness API's answer
    (opsreview/pagecache.py: until anything is written, the day ends or one of them lapses):
    the members of a team see the same on their home page, everyone the same service list."""
    ids = ",".join(str(s.pk) for s in services)
    key = hashlib.blake2b(ids.encode(), digest_size=12).hexdigest()

    def next_lapse(found: dict[int, Readiness]) -> dt.datetime | None:
        now = timezone.now()
        return min((r.expires_at for r in found.values() if r.expires_at and r.expires_at > now),
                   default=None)

    return pagecache.remembered(f"readiness:{key}", lambda: readiness_for_services(services),
                                until=next_lapse)


def readiness_for_services(services: list[Service], *, at: dt.datetime | None = None
                           ) -> dict[int, Readiness]:
    """Readiness of many services (now, or `at` a given moment) in a fixed number of queries."""
    ids = [s.pk for s in services]
    now = at or timezone.now()
    # One row per service (not one per ORR): its latest approval and whether any ORR is in
    # review; then only the ORRs of those latest approvals are read whole.
    per_service = (
        ReadinessReview.objects.alive().filter(service_id__in=ids).order_by()
        .values("service_id")
        .annotate(last_approval=Max("approved_at", filter=Q(state=State.APPROVED)),
                  in_review=Count("pk", filter=Q(state=State.IN_REVIEW)))
        .values_list("service_id", "last_approval", "in_review")
    )
    any_review: set[int] = set()
    in_review: set[int] = set()
    approvals: dict[int, dt.datetime] = {}
    for service_id, last_approval, reviewing in per_service:
        any_review.add(service_id)
        if reviewing:
            in_review.add(service_id)
        if last_approval is not None:
            approvals[service_id] = last_approval
    latest_approved: dict[int, ReadinessReview] = {}
    if approvals:
        candidates = (
            ReadinessReview.objects.alive()
            .filter(service_id__in=list(approvals), state=State.APPROVED,
                    approved_at__in=set(approvals.values()))
            .only("id", "code", "service_id", "state", "approved_at", "created_at", "kind")
            .order_by("service_id", "-created_at")
        )
        for r in candidates:
            if r.approved_at == approvals[r.service_id] and r.service_id not in latest_approved:
                latest_approved[r.service_id] = r
    risks = risk_expiries(r.pk for r in latest_approved.values())
    result = {}
    for service in services:
        approved = latest_approved.get(service.pk)
        if approved:
            lapse = ready_until(approved.approved_at, service.tier, risks.get(approved.pk, []))
            status = "ready" if lapse.at > now else "expired"
            if status == "ready" or service.pk not in in_review:
                result[service.pk] = Readiness(status, approved.approved_at, lapse.at, approved,
                                               lapse)
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
        "expires_because": state.expires_because or None,
        "review_url": f"{base_url}{state.review.get_absolute_url()}" if state.review else None,
        "open_high_risks": open_high,
        "overdue_actions": overdue,
    }
