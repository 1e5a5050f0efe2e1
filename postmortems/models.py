from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from reviews.models import Document, DocumentQuerySet, Kind


class Tag(models.Model):
    name = models.CharField(max_length=40, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Postmortem(Document):
    class Severity(models.IntegerChoices):
        SEV1 = 1, "SEV1 (critical)"
        SEV2 = 2, "SEV2 (major)"
        SEV3 = 3, "SEV3 (minor)"
        SEV4 = 4, "SEV4 (low)"

    incident_start = models.DateTimeField()
    incident_tz = models.CharField(max_length=60, default="UTC")
    severity = models.PositiveSmallIntegerField(choices=Severity.choices, default=Severity.SEV3)
    customers_affected = models.PositiveIntegerField(default=0)
    customers_description = models.TextField(blank=True, max_length=5000)
    restricted = models.BooleanField(
        default=False, help_text="Visible only to the owning team and the committee."
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="postmortems")
    affected_services = models.ManyToManyField(
        "catalog.Service", blank=True, related_name="affected_by_postmortems"
    )

    objects = DocumentQuerySet.as_manager()

    class Meta:
        ordering = ["-incident_start"]

    def save(self, *args, **kwargs):
        self.kind = Kind.COE
        super().save(*args, **kwargs)


class TimelineEvent(models.Model):
    class EventKind(models.TextChoices):
        STARTED = "started", "Started"
        DETECTED = "detected", "Detected"
        ENGAGED = "engaged", "Engaged"
        MITIGATED = "mitigated", "Mitigated"
        RESOLVED = "resolved", "Resolved"
        OTHER = "other", "Other"

    postmortem = models.ForeignKey(Postmortem, on_delete=models.CASCADE, related_name="timeline")
    at = models.DateTimeField()
    kind = models.CharField(max_length=20, choices=EventKind.choices, default=EventKind.OTHER)
    note = models.TextField(max_length=5000)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.kind}"


class ContributingFactor(models.Model):
    class Category(models.TextChoices):
        TECHNICAL = "technical", "Technical"
        PROCESS = "process", "Process"
        TOOLING = "tooling", "Tooling"
        ORGANISATIONAL = "organisational", "Organisational"
        EXTERNAL = "external", "External"
        HUMAN_ERROR = "human_error", "Human error"

    postmortem = models.ForeignKey(Postmortem, on_delete=models.CASCADE, related_name="factors")
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="children"
    )
    category = models.CharField(max_length=20, choices=Category.choices)
    text = models.TextField(max_length=5000)
    # A leaf may be closed without an action item only with an explicit reason.
    accepted_reason = models.TextField(blank=True, max_length=5000)
    # Wording findings the writer marked "not blame" (quoted, or about a system), each with the
    # reason reviewers see: [{"rule_id", "kind", "phrase", "reason", "by", "at"}].
    wording_overrides = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    # The items raised for this factor (an item comes from at most one factor).
    action_items = models.ManyToManyField(
        "actions.ActionItem", through="FactorAction", blank=True, related_name="source_factors"
    )

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.text[:80]


class FactorAction(models.Model):
    """The link of an action item to the contributing factor it was raised for.

    The link is the COE's own row, so `actions` knows only the document an item belongs to.
    Deleting the factor deletes the link and keeps the item.
    """

    factor = models.ForeignKey(
        ContributingFactor, on_delete=models.CASCADE, related_name="action_links"
    )
    item = models.OneToOneField(
        "actions.ActionItem", on_delete=models.CASCADE, related_name="factor_link"
    )

    def __str__(self) -> str:
        return f"Factor {self.factor_id} → item {self.item_id}"


class Lesson(models.Model):
    postmortem = models.ForeignKey(Postmortem, on_delete=models.CASCADE, related_name="lessons")
    text = models.TextField(max_length=5000)
    action_items = models.ManyToManyField("actions.ActionItem", blank=True, related_name="lessons")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.text[:80]


class Attachment(models.Model):
    """A graph, screenshot or data file supporting a postmortem."""

    postmortem = models.ForeignKey(
        Postmortem, on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(upload_to="attachments/%Y/%m/")
    name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=60)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


class Participant(models.Model):
    """A person involved in the incident: the author, a responder, anyone else named.

    The wording check gets their names and usernames, so a sentence that pins the event on one
    of them ("Priya's typo") is recognised as blame whatever the name.
    """

    class Role(models.TextChoices):
        AUTHOR = "author", "Author"
        RESPONDER = "responder", "Responder"
        OTHER = "other", "Other"

    coe = models.ForeignKey(Postmortem, on_delete=models.CASCADE, related_name="participants")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="coe_participations",
    )
    name = models.CharField(max_length=120)
    role = models.CharField(max_length=12, choices=Role.choices, default=Role.OTHER)

    class Meta:
        ordering = ["coe", "name"]
        constraints = [
            models.UniqueConstraint(fields=["coe", "name"], name="participant_once_per_coe"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_role_display()})"
