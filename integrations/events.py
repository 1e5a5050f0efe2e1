"""Outbound events: what the domain tells the outside world, and who gets each one.

The owning apps call ``emit(EventType.X, obj)`` from their services, inside the transaction of
the change. A delivery row is written per matching subscription in that same transaction (so an
event is never lost when the change commits, and never sent when it rolls back), and the send
is queued after commit.
"""

from __future__ import annotations

import json
import uuid

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from integrations.models import Delivery, Subscription
from opsreview import queue


class EventType(models.TextChoices):
    ORR_SUBMITTED = "orr.submitted", "ORR submitted for review"
    ORR_APPROVED = "orr.approved", "ORR approved"
    READINESS_CHANGED = "readiness.changed", "Readiness of a service changed"
    READINESS_EXPIRING = "readiness.expiring", "Readiness expires soon"
    COE_CREATED = "coe.created", "COE created"
    COE_SUBMITTED = "coe.submitted", "COE submitted for review"
    COE_APPROVED = "coe.approved", "COE approved"
    ACTION_ITEM_CREATED = "action_item.created", "Action item created"
    ACTION_ITEM_OVERDUE = "action_item.overdue", "Action item overdue"
    ACTION_ITEM_CLOSED = "action_item.closed", "Action item closed"


def _document_data(doc) -> dict:
    return {
        "code": doc.code,
        "kind": doc.kind,
        "title": doc.title,
        "state": doc.state,
        "service": doc.service.slug,
        "team": doc.service.team.slug,
        "url": f"{settings.SITE_URL}{doc.get_absolute_url()}",
    }


def _item_data(item) -> dict:
    return {
        "id": item.pk,
        "title": item.title,
        "status": item.status,
        "priority": item.priority,
        "due_date": item.due_date.isoformat(),
        "owner": item.owner.get_username(),
        "team": item.team.slug,
        "document": item.document.code if item.document_id else None,
        "url": f"{settings.SITE_URL}{item.get_absolute_url()}",
    }


def _is_restricted(document) -> bool:
    if document is None or document.kind != "coe":
        return False
    if hasattr(document, "restricted"):
        return bool(document.restricted)
    # A plain Document row: the flag is on its Postmortem row (multi-table inheritance).
    return bool(document.postmortem.restricted)


def describe(event_type: str, obj) -> tuple[dict, int, bool]:
    """(data, owning team id, restricted) of the event's object: an action item, a service or
    a document, as the event type's prefix says."""
    subject = event_type.split(".")[0]
    if subject == "action_item":
        return _item_data(obj), obj.team_id, _is_restricted(obj.document)
    if subject == "readiness":
        return {"service": obj.slug, "team": obj.team.slug,
                "url": f"{settings.SITE_URL}{obj.get_absolute_url()}"}, obj.team_id, False
    return _document_data(obj), obj.service.team_id, _is_restricted(obj)


def recipients(event_type: str, team_id: int, restricted: bool) -> list[Subscription]:
    """The active subscriptions that get this event.

    A restricted COE (and its action items) never goes to a subscription another team created.
    """
    chosen = []
    for sub in Subscription.objects.active():
        if event_type not in sub.events:
            continue
        if (restricted or sub.own_team_only) and sub.team_id != team_id:
            continue
        chosen.append(sub)
    return chosen


def emit(event_type: EventType, obj, **extra) -> list[Delivery]:
    data, team_id, restricted = describe(str(event_type), obj)
    data.update(extra)
    event_id = f"evt_{uuid.uuid4().hex}"
    payload = {
        "id": event_id,
        "type": str(event_type),
        "timestamp": timezone.now().isoformat(),
        "data": data,
    }
    deliveries = []
    for sub in recipients(str(event_type), team_id, restricted):
        body = payload if sub.is_signed else chat_message(event_type, data)
        deliveries.append(Delivery.objects.create(
            subscription=sub, message_id=f"msg_{uuid.uuid4().hex}", event_type=str(event_type),
            body=json.dumps(body, separators=(",", ":")),
        ))
    if deliveries:
        transaction.on_commit(lambda: enqueue([d.pk for d in deliveries]), robust=True)
    return deliveries


def enqueue(delivery_ids: list[int]) -> None:
    from integrations.tasks import send_delivery_task

    for pk in delivery_ids:
        queue.send(send_delivery_task, pk)


def chat_message(event_type: EventType, data: dict) -> dict:
    """A Slack- and Teams-compatible message: both read {"text": ...} with links."""
    label = EventType(event_type).label
    if "code" in data:
        what = f"{data['code']} {data['title']} ({data['service']})"
    elif "title" in data:
        what = f"{data['title']} (due {data['due_date']}, owner {data['owner']})"
    else:
        what = data.get("service", "")
    link = f"\nOpen in OpsReview: {data['url']}" if "url" in data else ""
    return {"text": f"{label}: {what}{link}"}
