"""Sending deliveries: Standard Webhooks signatures, the SSRF check, attempts, pausing."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import ipaddress
import socket
import time
import urllib.error
import urllib.request
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from integrations import signals
from integrations.models import Delivery, DeliveryAttempt, Subscription

TIMEOUT_SECONDS = 10


# --- signing (https://www.standardwebhooks.com) -----------------------------------------------

def secret_key(secret: str) -> bytes:
    return base64.b64decode(secret.removeprefix("whsec_"))


def sign(secret: str, message_id: str, timestamp: int, body: str) -> str:
    """The `webhook-signature` header: "v1," and the base64 HMAC-SHA256 of "id.timestamp.body"."""
    signed = f"{message_id}.{timestamp}.{body}".encode()
    digest = hmac.new(secret_key(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def headers_for(sub: Subscription, delivery: Delivery, timestamp: int) -> dict[str, str]:
    headers = {"Content-Type": "application/json", "User-Agent": "OpsReview-Webhooks/1"}
    if sub.is_signed:
        headers.update({
            "webhook-id": delivery.message_id,
            "webhook-timestamp": str(timestamp),
            "webhook-signature": sign(sub.secret, delivery.message_id, timestamp, delivery.body),
        })
    return headers


# --- the SSRF check ---------------------------------------------------------------------------

def _allowed_hosts() -> set[str]:
    return {h.lower() for h in getattr(settings, "WEBHOOK_ALLOWED_HOSTS", [])}


def check_url(url: str) -> None:
    """Refuse URLs that would make the server call itself or the internal network.

    The host is resolved and every address it resolves to must be public; a host named in
    WEBHOOK_ALLOWED_HOSTS skips the address check (an internal receiver the admin trusts).
    Checked when a subscription is saved and again before every attempt (DNS can change).
    """
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise ValidationError("Use an http:// or https:// URL.")
    host = (parts.hostname or "").lower()
    if not host:
        raise ValidationError("The URL has no host.")
    if parts.username or parts.password:
        raise ValidationError("Put no user name or password in the URL.")
    if host in _allowed_hosts():
        return
    try:
        infos = socket.getaddrinfo(host, parts.port or (443 if parts.scheme == "https" else 80),
                                   type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise ValidationError(f"The host “{host}” does not resolve.") from exc
    for info in infos:
        address = ipaddress.ip_address(info[4][0].split("%")[0])
        if not address.is_global or address.is_multicast:
            raise ValidationError(
                f"“{host}” resolves to {address}, a loopback, link-local or private address; "
                "outbound webhooks only go to public addresses (an admin can allow a host "
                "with WEBHOOK_ALLOWED_HOSTS)."
            )


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    # A redirect would take the request to an address that was never checked.
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


_opener = urllib.request.build_opener(_NoRedirects)


# --- attempts ---------------------------------------------------------------------------------

def delivery_attempt(delivery: Delivery) -> bool:
    """Send one attempt and record it; True when the receiver accepted it (2xx)."""
    sub = delivery.subscription
    Delivery.objects.filter(pk=delivery.pk).update(attempts=F("attempts") + 1)
    delivery.refresh_from_db(fields=["attempts"])
    number = delivery.attempts
    started = time.monotonic()
    status_code, error = None, ""
    try:
        check_url(sub.url)
        timestamp = int(time.time())
        request = urllib.request.Request(
            sub.url, data=delivery.body.encode(), method="POST",
            headers=headers_for(sub, delivery, timestamp),
        )
        with _opener.open(request, timeout=TIMEOUT_SECONDS) as response:
            status_code = response.status
    except urllib.error.HTTPError as exc:
        status_code = exc.code
        error = f"HTTP {exc.code}"
    except ValidationError as exc:
        error = exc.messages[0][:300]
    except (OSError, ValueError) as exc:
        error = f"{type(exc).__name__}: {exc}"[:300]
    ok = status_code is not None and 200 <= status_code < 300
    now = timezone.now()
    DeliveryAttempt.objects.create(
        delivery=delivery, number=number, at=now, status_code=status_code, error=error,
        duration_ms=int((time.monotonic() - started) * 1000),
    )
    delivery.last_status_code = status_code
    delivery.last_error = error
    delivery.last_attempt_at = now
    fields = ["last_status_code", "last_error", "last_attempt_at"]
    if ok:
        delivery.status = Delivery.Status.DELIVERED
        fields.append("status")
        Subscription.objects.filter(pk=sub.pk).update(failing_since=None)
    else:
        Subscription.objects.filter(pk=sub.pk, failing_since__isnull=True).update(
            failing_since=now)
    delivery.save(update_fields=fields)
    return ok


def delivery_give_up(delivery: Delivery) -> None:
    """The last retry failed: mark it, and pause the subscription if it has failed for days."""
    Delivery.objects.filter(pk=delivery.pk).update(status=Delivery.Status.FAILED)
    subscription_pause_if_failing(subscription=delivery.subscription)


def subscription_pause_if_failing(*, subscription: Subscription, now=None) -> bool:
    """Pause a subscription failing for WEBHOOK_PAUSE_AFTER_DAYS; its creator is told once."""
    now = now or timezone.now()
    days = getattr(settings, "WEBHOOK_PAUSE_AFTER_DAYS", 3)
    with transaction.atomic():
        # The conditional update is the claim: only one worker pauses, and tells, once.
        paused = Subscription.objects.filter(
            pk=subscription.pk, paused_at__isnull=True,
            failing_since__lte=now - dt.timedelta(days=days),
        ).update(paused_at=now)
        if paused:
            signals.webhook_paused.send(sender=Subscription, subscription=subscription,
                                        days=days)
    return bool(paused)


def deliveries_sweep(*, now=None, older_than=dt.timedelta(minutes=5)) -> list[int]:
    """Queue again deliveries never attempted (the broker was down when they were written).

    A delivery waiting for its retry has been attempted, so it is left to its own retry."""
    from integrations.events import enqueue

    now = now or timezone.now()
    stuck = list(Delivery.objects.filter(
        status=Delivery.Status.PENDING, attempts=0, created_at__lt=now - older_than,
        subscription__paused_at__isnull=True,
    ).values_list("pk", flat=True)[:1000])
    enqueue(stuck)
    return stuck


@transaction.atomic
def delivery_redeliver(*, delivery: Delivery) -> None:
    Delivery.objects.filter(pk=delivery.pk).update(status=Delivery.Status.PENDING)
    from integrations.events import enqueue

    transaction.on_commit(lambda: enqueue([delivery.pk]), robust=True)


@transaction.atomic
def subscription_resume(*, subscription: Subscription) -> None:
    """Start again; what was held back while paused is sent now."""
    from integrations.events import enqueue

    subscription.paused_at = None
    subscription.failing_since = None
    subscription.save(update_fields=["paused_at", "failing_since"])
    held = list(subscription.deliveries.filter(status=Delivery.Status.PENDING)
                .values_list("pk", flat=True))
    transaction.on_commit(lambda: enqueue(held), robust=True)
