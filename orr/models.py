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


class ApiToken(models.Model):
    """A token that may read service readiness and nothing else. Only its hash is stored."""

    name = models.CharField(max_length=120)
    prefix = models.CharField(max_length=12, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    LAST_USED_PRECISION = dt.timedelta(minutes=1)

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def hash(raw: str) -> str:
        return hashlib.sha256(raw.encode()).hexdigest()

    @classmethod
    def issue(cls, *, name: str, by=None) -> tuple[ApiToken, str]:
        raw = "orr_" + secrets.token_urlsafe(32)
        token = cls.objects.create(
            name=name, prefix=raw[:10], key_hash=cls.hash(raw), created_by=by
        )
        return token, raw

    @classmethod
    def authenticate(cls, raw: str) -> ApiToken | None:
        token = cls.objects.filter(key_hash=cls.hash(raw), revoked_at__isnull=True).first()
        now = timezone.now()
        # To the minute: a pipeline asking every second must not write on every request.
        if token and (token.last_used_at is None
                      or now - token.last_used_at >= cls.LAST_USED_PRECISION):
            cls.objects.filter(pk=token.pk).update(last_used_at=now)
        return token

    def revoke(self) -> None:
        self.revoked_at = timezone.now()
        self.save(update_fields=["revoked_at"])
