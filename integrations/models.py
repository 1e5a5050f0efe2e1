"""What connects OpsReview to a team's pager, chat and tracker, and the signed events it sends."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone


def new_public_id() -> str:
    return secrets.token_urlsafe(18)


def new_intake_secret() -> str:
    return secrets.token_urlsafe(32)


def new_webhook_secret() -> str:
    # Standard Webhooks: "whsec_" and the base64 of the key bytes.
    import base64

    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


class Integration(models.Model):
    """An inbound endpoint of a team: a pager (incidents in) or a tracker (issue changes in)."""

    class Provider(models.TextChoices):
        PAGERDUTY = "pagerduty", "PagerDuty (v3 webhooks)"
        OPSGENIE = "opsgenie", "Opsgenie (alert webhook)"
        ALERTMANAGER = "alertmanager", "Prometheus Alertmanager"
        GENERIC = "generic", "Generic JSON"
        GITHUB = "github", "GitHub issues"
        GITLAB = "gitlab", "GitLab issues"
        JIRA = "jira", "Jira issues"

    PAGERS = (Provider.PAGERDUTY, Provider.OPSGENIE, Provider.ALERTMANAGER, Provider.GENERIC)
    TRACKERS = (Provider.GITHUB, Provider.GITLAB, Provider.JIRA)

    team = models.ForeignKey("catalog.Team", on_delete=models.CASCADE, related_name="integrations")
    provider = models.CharField(max_length=20, choices=Provider.choices)
    name = models.CharField(max_length=120)
    # The endpoint is /integrations/hooks/<public_id>/: unguessable, but the secret is what
    # authenticates a delivery.
    public_id = models.CharField(max_length=40, unique=True, default=new_public_id, editable=False)
    # Kept readable because a signature can only be checked with the key itself; the page shows
    # it once, when the integration is created.
    secret = models.CharField(max_length=200, default=new_intake_secret, editable=False)
    # Incidents of this severity or worse (SEV1 is the worst) open a COE draft when resolved.
    coe_max_severity = models.PositiveSmallIntegerField(default=2)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    last_received_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["team", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_provider_display()})"

    @property
    def is_pager(self) -> bool:
        return self.provider in self.PAGERS


class ServiceMapping(models.Model):
    """The provider's service (PagerDuty service id, Opsgenie entity, Alertmanager label) → ours."""

    integration = models.ForeignKey(Integration, on_delete=models.CASCADE,
                                    related_name="mappings")
    provider_service = models.CharField(max_length=200)
    service = models.ForeignKey("catalog.Service", on_delete=models.CASCADE, related_name="+")

    class Meta:
        ordering = ["provider_service"]
        constraints = [
            models.UniqueConstraint(fields=["integration", "provider_service"],
                                    name="unique_provider_service"),
        ]

    def __str__(self) -> str:
        return f"{self.provider_service} → {self.service}"


class IncidentRecord(models.Model):
    """One incident of a provider, however many deliveries told us about it."""

    # Kept when the integration is deleted: the record still links the incident to its COE, so
    # the same incident arriving through a new integration does not open a second draft.
    integration = models.ForeignKey(Integration, on_delete=models.SET_NULL, null=True,
                                    related_name="incidents")
    provider = models.CharField(max_length=20, choices=Integration.Provider.choices)
    external_id = models.CharField(max_length=300)
    title = models.CharField(max_length=200)
    service = models.ForeignKey("catalog.Service", on_delete=models.CASCADE, related_name="+")
    severity = models.PositiveSmallIntegerField()
    url = models.URLField(max_length=500, blank=True)
    status = models.CharField(max_length=20)
    triggered_at = models.DateTimeField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    # [{"name": ..., "email": ...}]: kept here until COEs have participants of their own.
    responders = models.JSONField(default=list, blank=True)
    # Digests of the deliveries already applied: a replay of one is recognised and ignored.
    payload_digests = models.JSONField(default=list, blank=True)
    postmortem = models.OneToOneField(
        "postmortems.Postmortem", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="incident_record",
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["provider", "external_id"],
                                    name="unique_provider_incident"),
        ]

    def __str__(self) -> str:
        return f"{self.provider} {self.external_id}"


class SubscriptionQuerySet(models.QuerySet):
    def active(self):
        return self.filter(paused_at__isnull=True)


class Subscription(models.Model):
    """Where a team wants events sent: a signed webhook, or a Slack/Teams incoming webhook."""

    class Kind(models.TextChoices):
        WEBHOOK = "webhook", "Signed webhook (Standard Webhooks)"
        SLACK = "slack", "Slack incoming webhook"
        TEAMS = "teams", "Microsoft Teams incoming webhook"

    team = models.ForeignKey("catalog.Team", on_delete=models.CASCADE,
                             related_name="subscriptions")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.WEBHOOK)
    url = models.URLField(max_length=500)
    secret = models.CharField(max_length=100, default=new_webhook_secret, editable=False)
    events = models.JSONField(default=list)
    # Only events about this team's own documents and items (otherwise all it may see).
    own_team_only = models.BooleanField(default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    # Set at the first failed delivery after a success, cleared by the next success.
    failing_since = models.DateTimeField(null=True, blank=True)
    paused_at = models.DateTimeField(null=True, blank=True)

    objects = SubscriptionQuerySet.as_manager()

    class Meta:
        ordering = ["team", "url"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.url}"

    @property
    def is_signed(self) -> bool:
        return self.kind == self.Kind.WEBHOOK


class Delivery(models.Model):
    """One event for one subscription; retried and redelivered under the same message id."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        DELIVERED = "delivered", "Delivered"
        FAILED = "failed", "Failed"

    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE,
                                     related_name="deliveries")
    # The `webhook-id`: the same on every attempt, so receivers can de-duplicate.
    message_id = models.CharField(max_length=60, unique=True)
    event_type = models.CharField(max_length=40)
    # The exact bytes that are signed and sent, stored so a redelivery sends the same body.
    body = models.TextField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    last_status_code = models.PositiveIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["subscription", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.event_type} {self.message_id}"


class DeliveryAttempt(models.Model):
    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="log")
    number = models.PositiveIntegerField()
    at = models.DateTimeField(default=timezone.now)
    status_code = models.PositiveIntegerField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"attempt {self.number} of {self.delivery_id}: {self.status_code or self.error}"


class ExpiryNotice(models.Model):
    """`readiness.expiring` sent for one approval of a service: the unique row is the claim."""

    service = models.ForeignKey("catalog.Service", on_delete=models.CASCADE, related_name="+")
    review_code = models.CharField(max_length=20)
    expires_at = models.DateTimeField()
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["service", "review_code"],
                                    name="unique_expiry_notice"),
        ]

    def __str__(self) -> str:
        return f"{self.review_code} expires {self.expires_at:%Y-%m-%d}"


class LateEscalation(models.Model):
    """A late COE escalated to one ops lead: the unique row is the claim, so it happens once."""

    postmortem = models.ForeignKey("postmortems.Postmortem", on_delete=models.CASCADE,
                                   related_name="+")
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                  related_name="+")
    sent_on = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["postmortem", "recipient"],
                                    name="unique_late_escalation"),
        ]

    def __str__(self) -> str:
        return f"{self.postmortem_id} escalated to {self.recipient_id}"
