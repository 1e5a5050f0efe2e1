from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone

from reviews.models import Document, DocumentQuerySet, Kind


class ReadinessReviewQuerySet(DocumentQuerySet):
    pass


class ReadinessReview(Document):
    class Trigger(models.TextChoices):
        PRE_LAUNCH = "pre_launch", "Pre-launch"
        MAJOR_CHANGE = "major_change", "Major change"
        PERIODIC = "periodic", "Periodic (yearly)"

    trigger = models.CharField(max_length=20, choices=Trigger.choices, default=Trigger.PRE_LAUNCH)
    # The last approved ORR of the service when this one started: its answers were carried.
    carried_from = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = ReadinessReviewQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def save(self, *args, **kwargs):
        self.kind = Kind.ORR
        super().save(*args, **kwargs)


class Milestone(models.Model):
    """A frozen snapshot of a review's answers, risks and actions."""

    review = models.ForeignKey(ReadinessReview, on_delete=models.CASCADE, related_name="milestones")
    name = models.CharField(max_length=120)
    automatic = models.BooleanField(default=False, help_text="Frozen by an approval.")
    snapshot = models.JSONField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.name


def default_scopes() -> list[str]:
    return ["read"]


class ApiTokenQuerySet(models.QuerySet):
    def live(self, now=None):
        now = now or timezone.now()
        return self.filter(revoked_at__isnull=True).filter(
            models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=now)
        )


class ApiToken(models.Model):
    """A token for scripts and pipelines. Only its hash is stored.

    What it may do is the list of `scopes`; which services it may see is either all of them or
    the services of its `teams`.
    """

    class Scope(models.TextChoices):
        READ = "read", "Read readiness"
        WRITE_ACTION_ITEMS = "write_action_items", "Update action items"
        INTAKE = "intake", "Send incidents in"

    name = models.CharField(max_length=120)
    prefix = models.CharField(max_length=12, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    scopes = models.JSONField(default=default_scopes, blank=True)
    all_teams = models.BooleanField(default=True, help_text="Every service, present and future.")
    teams = models.ManyToManyField(
        "catalog.Team", blank=True, related_name="api_tokens",
        help_text="Only these teams' services (when not all teams).",
    )

    objects = ApiTokenQuerySet.as_manager()

    LAST_USED_PRECISION = dt.timedelta(minutes=1)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def hash(raw: str) -> str:
        return hashlib.sha256(raw.encode()).hexdigest()

    @classmethod
    def issue(cls, *, name: str, by=None, expires_at=None, scopes=None, teams=None
              ) -> tuple[ApiToken, str]:
        """A new token and its secret (shown once). No `teams` means every team."""
        scopes = list(scopes or [cls.Scope.READ])
        unknown = set(scopes) - set(cls.Scope.values)
        if unknown:
            raise ValueError(f"Unknown token scope: {', '.join(sorted(unknown))}")
        raw = "orr_" + secrets.token_urlsafe(32)
        token = cls.objects.create(
            name=name, prefix=raw[:10], key_hash=cls.hash(raw), created_by=by,
            expires_at=expires_at, scopes=scopes, all_teams=not teams,
        )
        if teams:
            token.teams.set(teams)
        return token, raw

    @classmethod
    def authenticate(cls, raw: str) -> ApiToken | None:
        """The live token (not revoked, not expired) with this secret, or None."""
        now = timezone.now()
        token = cls.objects.live(now).filter(key_hash=cls.hash(raw)).first()
        # To the minute: a pipeline asking every second must not write on every request.
        if token and (token.last_used_at is None
                      or now - token.last_used_at >= cls.LAST_USED_PRECISION):
            cls.objects.filter(pk=token.pk).update(last_used_at=now)
        return token

    @property
    def is_expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= timezone.now()

    @property
    def is_live(self) -> bool:
        return self.revoked_at is None and not self.is_expired

    def allows(self, scope: str) -> bool:
        return scope in self.scopes

    def _team_ids(self) -> set[int]:
        if not hasattr(self, "_covered_team_ids"):
            self._covered_team_ids = set(self.teams.values_list("pk", flat=True))
        return self._covered_team_ids

    def covers_team(self, team) -> bool:
        team_id = getattr(team, "pk", team)
        return self.all_teams or team_id in self._team_ids()

    def covers_service(self, service) -> bool:
        return self.covers_team(service.team_id)

    def revoke(self) -> None:
        self.revoked_at = timezone.now()
        self.save(update_fields=["revoked_at"])


class SentReminder(models.Model):
    """A reminder that was sent to one person (a row per reminder and recipient)."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                  related_name="+")
    sent_on = models.DateField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        abstract = True


class ReadinessReminder(SentReminder):
    """A "readiness lapses soon" reminder that was sent: one row per approval, lead time, lapse
    day and recipient.

    The unique constraint is the claim, as for action item reminders: a run inserts the row
    before it sends, so a second run, a retry or a concurrent worker sends nothing. A new lapse
    day (an accepted risk renewed or a new approval) is a new reminder.
    """

    review = models.ForeignKey(ReadinessReview, on_delete=models.CASCADE,
                               related_name="readiness_reminders")
    days_before = models.PositiveSmallIntegerField()
    lapses_on = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["review", "days_before", "lapses_on", "recipient"],
                name="unique_readiness_reminder",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.review_id}: lapses {self.lapses_on}, {self.days_before} days before"


class Campaign(models.Model):
    """A re-review campaign: every service in scope has an ORR due by the target date."""

    name = models.CharField(max_length=120)
    brief = models.TextField(blank=True, max_length=10000)
    tiers = models.JSONField(default=list, blank=True, help_text="Tiers in scope; none: all.")
    teams = models.ManyToManyField("catalog.Team", blank=True, related_name="+",
                                   help_text="Teams in scope; none: all.")
    tags = models.ManyToManyField("catalog.ServiceTag", blank=True, related_name="+",
                                  help_text="Services with any of these tags; none: all.")
    lapses_before = models.DateField(
        null=True, blank=True, help_text="Only services whose readiness lapses before this day.")
    starts_on = models.DateField()
    target_on = models.DateField()
    start_drafts = models.BooleanField(
        default=True, help_text="Start a draft ORR for each service, or leave it awaiting start.")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-starts_on", "-pk"]

    def __str__(self) -> str:
        return self.name


class CampaignService(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="entries")
    service = models.ForeignKey("catalog.Service", on_delete=models.CASCADE, related_name="+")
    # The ORR the campaign counts for this service (started by it, or by the team later).
    review = models.ForeignKey(ReadinessReview, on_delete=models.SET_NULL, null=True,
                               blank=True, related_name="+")

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "service"], name="unique_campaign_service"),
        ]

    def __str__(self) -> str:
        return f"{self.campaign} / service {self.service_id}"


class CampaignReminder(SentReminder):
    """A reminder sent to a member of a service's team about its campaign ORR: one row per
    campaign entry, kind and recipient. Inserted before sending, so its unique constraint is
    the claim: a second run, a retry or a concurrent worker sends nothing again."""

    class Kind(models.TextChoices):
        DUE_SOON = "due_soon", "Due soon"
        DELAYED = "delayed", "Delayed"

    entry = models.ForeignKey(CampaignService, on_delete=models.CASCADE,
                              related_name="reminders")
    kind = models.CharField(max_length=20, choices=Kind.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["entry", "kind", "recipient"],
                                    name="unique_campaign_reminder"),
        ]

    def __str__(self) -> str:
        return f"{self.entry}: {self.kind} to {self.recipient_id}"
