"""Integration workflows: incidents in (→ COE drafts), issue changes in (→ action items)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from actions.models import ActionItem
from actions.services import item_set_status
from catalog.models import Service
from integrations.events import EventType
from integrations.models import (
    IncidentRecord,
    Integration,
    ServiceMapping,
    Subscription,
)
from integrations.providers import IncidentUpdate, IssueChange, Refused
from integrations.webhooks import check_url
from notifications.services import notify
from postmortems import services as postmortems
from postmortems.models import Participant, TimelineEvent
from reviews.events import Verb

STATUS_ORDER = {"triggered": 0, "acknowledged": 1, "resolved": 2}
KEEP_DIGESTS = 50


# --- set-up -----------------------------------------------------------------------------------

@transaction.atomic
def integration_create(*, team, by, provider: str, name: str, coe_max_severity: int = 2,
                       provider_secret: str = "") -> Integration:
    integration = Integration(team=team, created_by=by, provider=provider, name=name,
                              coe_max_severity=coe_max_severity)
    if provider_secret:
        integration.secret = provider_secret
    integration.save()
    return integration


@transaction.atomic
def integration_set_secret(*, integration: Integration, secret: str) -> None:
    """For providers that generate the signing secret themselves (PagerDuty, Jira Cloud)."""
    integration.secret = secret
    integration.save(update_fields=["secret"])


@transaction.atomic
def mapping_add(*, integration: Integration, provider_service: str,
                service: Service) -> ServiceMapping:
    if service.team_id != integration.team_id:
        raise ValidationError("Map to a service of your own team.")
    provider_service = provider_service.strip()
    if integration.mappings.filter(provider_service=provider_service).exists():
        raise ValidationError(f"“{provider_service}” is already mapped.")
    return ServiceMapping.objects.create(integration=integration,
                                         provider_service=provider_service, service=service)


@transaction.atomic
def subscription_create(*, team, by, kind: str, url: str, events: list[str],
                        own_team_only: bool = False) -> Subscription:
    check_url(url)
    unknown = set(events) - set(EventType.values)
    if unknown or not events:
        raise ValidationError("Choose at least one of the listed events.")
    return Subscription.objects.create(team=team, created_by=by, kind=kind, url=url,
                                       events=list(events), own_team_only=own_team_only)


# --- incidents --------------------------------------------------------------------------------

def mapped_service(integration: Integration, provider_service: str) -> Service:
    mapping = (ServiceMapping.objects.select_related("service__team")
               .filter(integration=integration, provider_service=provider_service).first())
    if mapping is None:
        raise Refused(422, f"No service is mapped to “{provider_service}”; map it on the "
                           "team's integrations page.")
    return mapping.service


def _merge(record: IncidentRecord, update: IncidentUpdate) -> None:
    def earliest(a, b):
        return min(x for x in (a, b) if x) if (a or b) else None

    record.triggered_at = earliest(record.triggered_at, update.triggered_at)
    record.acknowledged_at = earliest(record.acknowledged_at, update.acknowledged_at)
    record.resolved_at = update.resolved_at or record.resolved_at
    if STATUS_ORDER[update.status] >= STATUS_ORDER.get(record.status, 0):
        record.status = update.status
    record.title = update.title or record.title
    record.severity = min(record.severity, update.severity)
    record.url = update.url or record.url
    known = {(r.get("name"), r.get("id"), r.get("email")) for r in record.responders}
    for responder in update.responders:
        key = (responder.get("name"), responder.get("id"), responder.get("email"))
        if responder.get("name") and key not in known:
            record.responders.append(responder)
            known.add(key)


@transaction.atomic
def incident_receive(*, integration: Integration, update: IncidentUpdate,
                     digest: str) -> IncidentRecord:
    """Apply one delivery to its incident; a resolved incident of a configured severity opens
    a COE draft, once. A delivery already applied (same digest) changes nothing."""
    service = mapped_service(integration, update.provider_service)
    provider = integration.provider
    lookup = IncidentRecord.objects.select_for_update().filter(
        provider=provider, external_id=update.external_id)
    record = lookup.first()
    if record is None:
        try:
            with transaction.atomic():
                record = IncidentRecord.objects.create(
                    integration=integration, provider=provider, external_id=update.external_id,
                    title=update.title, service=service, severity=update.severity,
                    status=update.status)
        except IntegrityError:
            # Another delivery of the same incident won the race: apply ours to its row.
            record = lookup.get()
    if record.integration_id != integration.pk:
        raise Refused(409, "This incident belongs to another integration.")
    if digest in record.payload_digests:
        return record
    _merge(record, update)
    record.payload_digests = [*record.payload_digests, digest][-KEEP_DIGESTS:]
    record.save()
    Integration.objects.filter(pk=integration.pk).update(last_received_at=timezone.now())
    if (record.status == "resolved" and record.postmortem_id is None
            and record.severity <= integration.coe_max_severity):
        _open_coe(record, integration)
    return record


def _open_coe(record: IncidentRecord, integration: Integration) -> None:
    by = integration.created_by
    provider = integration.get_provider_display().split(" (")[0]
    start = record.triggered_at or record.resolved_at
    names = _responder_names(record.responders)
    postmortem = postmortems.postmortem_create(
        service=record.service, by=by, title=record.title, incident_start=start,
        incident_tz="UTC", severity=record.severity, affected_services=[record.service],
        participant_names=names,
    )
    _mark_responders(postmortem, record.responders, names)
    link = f" ({record.url})" if record.url else ""
    moments = [
        (TimelineEvent.EventKind.STARTED, record.triggered_at, f"Triggered in {provider}{link}"),
        (TimelineEvent.EventKind.ENGAGED, record.acknowledged_at, f"Acknowledged in {provider}"),
        (TimelineEvent.EventKind.RESOLVED, record.resolved_at, f"Resolved in {provider}"),
    ]
    for kind, at, note in moments:
        if at is not None:
            postmortems.timeline_add(postmortem=postmortem, by=by, kind=kind, at=at, note=note)
    names = ", ".join(r["name"] for r in record.responders) or "none recorded"
    postmortem.log(by, Verb.DRAFTED_FROM_INCIDENT,
                   f"Drafted from {provider} incident {record.external_id}{link}; "
                   f"responders: {names}"[:500],
                   provider=integration.provider, incident=record.external_id, url=record.url,
                   responders=record.responders)
    record.postmortem = postmortem
    record.save(update_fields=["postmortem"])
    for member in record.service.team.members.filter(is_active=True):
        notify(user=member, verb="coe_drafted", url=postmortem.get_absolute_url(),
               message=f"{provider} incident resolved: COE draft {postmortem.code} "
                       f"“{record.title}” opened for {record.service.name}")


def _responder_names(responders: list[dict]) -> list[str]:
    limit = Participant._meta.get_field("name").max_length
    seen, names = set(), []
    for responder in responders:
        name = " ".join(str(responder.get("name", "")).split())[:limit]
        if name and name.lower() not in seen:
            seen.add(name.lower())
            names.append(name)
    return names


def _mark_responders(postmortem, responders: list[dict], names: list[str]) -> None:
    """The participants the pager named are responders; one whose e-mail is a user's is linked."""
    rows = list(Participant.objects.filter(coe=postmortem, name__in=names))
    emails = {str(r.get("name", "")).strip().lower(): str(r.get("email", "")).lower()
              for r in responders if r.get("email")}
    users = {u.email.lower(): u for u in get_user_model().objects.filter(
        email__in=[e for e in emails.values() if e], is_active=True)}
    for row in rows:
        row.role = Participant.Role.RESPONDER
        if row.user_id is None:
            row.user = users.get(emails.get(row.name.lower(), ""))
    Participant.objects.bulk_update(rows, ["role", "user"])


# --- trackers ---------------------------------------------------------------------------------

def _url_variants(url: str) -> list[str]:
    base = url.split("#")[0].rstrip("/")
    return [base, base + "/"]


@transaction.atomic
def issue_change_receive(*, integration: Integration, change: IssueChange) -> list[ActionItem]:
    """Close or reopen the team's action items whose backlog link is this issue."""
    match = Q()
    for url in change.issue_urls:
        for variant in _url_variants(url):
            match |= Q(backlog_url__iexact=variant)
    items = list(ActionItem.objects.select_for_update()
                 .filter(match, team=integration.team).select_related("document"))
    changed = []
    for item in items:
        if change.state == "closed" and item.is_open:
            item_set_status(item=item, by=None, status=ActionItem.Status.DONE,
                            note=f"Closed in {change.tracker} by {change.actor}: "
                                 f"{change.issue_urls[0]}")
            changed.append(item)
        elif change.state == "reopened" and not item.is_open:
            item_set_status(item=item, by=None, status=ActionItem.Status.OPEN,
                            note=f"Reopened in {change.tracker} by {change.actor}: "
                                 f"{change.issue_urls[0]}")
            changed.append(item)
    if changed:
        Integration.objects.filter(pk=integration.pk).update(last_received_at=timezone.now())
    return changed
