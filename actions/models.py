from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from opsreview.links import path_to


class ActionItemQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status__in=ActionItem.OPEN_STATUSES)

    def overdue(self, today=None):
        return self.open().filter(due_date__lt=today or timezone.localdate())

    def owned_by(self, user):
        return self.filter(owner=user)

    def with_related(self):
        return self.select_related(
            "owner", "team", "document", "document__service", "source_answer__question__section",
        )

    def for_lists(self):
        """What the list page and its CSV show. The source answer's and question's long texts
        stay in the database: loading them took three times the query's own time at 50k items.
        """
        return self.select_related("owner", "team", "document")


class ActionItem(models.Model):
    class Priority(models.TextChoices):
        P1 = "P1", "P1 (high)"
        P2 = "P2", "P2 (medium)"
        P3 = "P3", "P3 (low)"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        IN_PROGRESS = "in_progress", "In progress"
        DONE = "done", "Done"
        WONT_DO = "wont_do", "Won't do"

    OPEN_STATUSES = (Status.OPEN, Status.IN_PROGRESS)

    title = models.CharField(max_length=200)
    description = models.TextField(blank=True, max_length=20000)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="action_items"
    )
    team = models.ForeignKey("catalog.Team", on_delete=models.PROTECT, related_name="action_items")
    priority = models.CharField(max_length=2, choices=Priority.choices, default=Priority.P2)
    due_date = models.DateField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN)
    closing_note = models.TextField(blank=True, max_length=5000)
    backlog_url = models.URLField(blank=True, max_length=500)
    # Where the item came from: the document, and an answer (ORR). A COE's factors and lessons
    # link their items with rows of their own (postmortems.FactorAction, Lesson.action_items).
    document = models.ForeignKey(
        "reviews.Document", on_delete=models.CASCADE, null=True, blank=True,
        related_name="action_items",
    )
    source_answer = models.ForeignKey(
        "reviews.Answer", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="action_items",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)
    revision = models.PositiveIntegerField(default=1)

    objects = ActionItemQuerySet.as_manager()

    class Meta:
        ordering = ["due_date", "pk"]
        indexes = [
            models.Index(fields=["status", "due_date"]),
            models.Index(fields=["owner", "status"]),
            models.Index(fields=["team", "status"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="done") | ~models.Q(closing_note=""),
                name="done_needs_note",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="wont_do") | ~models.Q(closing_note=""),
                name="wont_do_needs_reason",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return path_to("actions:detail", self.pk)

    def source(self) -> tuple[str, str] | None:
        """What the item came from, as (label, link), for the item's page and e-mails."""
        from actions.sources import describe

        return describe(self)

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    def is_overdue(self, today=None) -> bool:
        return self.is_open and self.due_date < (today or timezone.localdate())

    def set_status(self, status: str, *, note: str = "") -> None:
        if status not in self.Status.values:
            raise ValidationError(f"Unknown status “{status}”.")
        if status in (self.Status.DONE, self.Status.WONT_DO):
            if not note.strip():
                raise ValidationError(
                    "Say what was done." if status == self.Status.DONE
                    else "Say why this will not be done."
                )
            self.closing_note = note
            self.closed_at = timezone.now()
        else:
            self.closed_at = None
        self.status = status
        self.revision += 1
        self.save(update_fields=["status", "closing_note", "closed_at", "revision"])


class Reminder(models.Model):
    """A reminder that was sent: one row per item, kind and recipient.

    The unique constraint is the claim: a run inserts the row before it sends, so a second run,
    a retry or a concurrent worker finds the row and sends nothing.
    """

    class Kind(models.TextChoices):
        DUE_SOON = "due_soon", "Due soon"
        OVERDUE = "overdue", "Overdue"
        ESCALATION = "escalation", "Escalation"

    item = models.ForeignKey(ActionItem, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    sent_on = models.DateField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["item", "kind", "recipient"], name="unique_reminder_per_recipient"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of #{self.item_id} to user {self.recipient_id}"
