"""Generated files (PDF exports) and the archive of weekly ops-review reports."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from reports.weeks import Week


class WeeklyReport(models.Model):
    """One row per ISO week: the claim that the week's report is produced and mailed once.

    Its PDF is an Export (``report.export``), so it is rendered, retried, swept, polled and
    downloaded exactly like a document's PDF.
    """

    week_start = models.DateField(unique=True, help_text="The Monday of the ISO week.")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", help_text="Empty when the Monday schedule produced it.",
    )
    created_at = models.DateTimeField(default=timezone.now)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-week_start"]

    def __str__(self) -> str:
        return f"Ops review {self.week.iso}"

    @property
    def week(self) -> Week:
        return Week(self.week_start)

    def get_absolute_url(self) -> str:
        return reverse("reports:weekly", args=[self.week.iso])


class Export(models.Model):
    """A PDF rendered in the background and kept until it is downloaded or replaced."""

    class Kind(models.TextChoices):
        ORR_PDF = "orr_pdf", "ORR (PDF)"
        COE_PDF = "coe_pdf", "COE (PDF)"
        REPORT_PDF = "report_pdf", "Weekly ops-review report (PDF)"

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Rendering"
        DONE = "done", "Ready"
        FAILED = "failed", "Failed"

    ACTIVE = (Status.QUEUED, Status.RUNNING)

    # Addressed by this in URLs: integer ids would let anyone count everybody's exports.
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    document = models.ForeignKey(
        "reviews.Document", on_delete=models.CASCADE, null=True, blank=True,
        related_name="exports",
    )
    report = models.OneToOneField(
        WeeklyReport, on_delete=models.CASCADE, null=True, blank=True, related_name="export"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    # For admins and logs; pages show a generic message.
    error = models.TextField(blank=True, max_length=5000)
    file = models.FileField(upload_to="exports/", blank=True, max_length=300)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="exports",
    )
    created_at = models.DateTimeField(default=timezone.now)
    # When the current attempt started; a "running" row far older than the task's time limit
    # belongs to a worker that died.
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "created_at"])]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(document__isnull=False, report__isnull=True,
                      kind__in=["orr_pdf", "coe_pdf"])
                    | Q(document__isnull=True, report__isnull=False, kind="report_pdf")
                ),
                name="export_of_a_document_or_a_report",
            ),
            # Two clicks, two tabs or two people get the same export while it is in progress.
            models.UniqueConstraint(
                fields=["document"], condition=Q(status__in=["queued", "running"]),
                name="one_active_export_per_document",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of {self.subject} ({self.status})"

    @property
    def subject(self) -> str:
        return self.document.code if self.document_id else str(self.report)

    @property
    def download_name(self) -> str:
        if self.report_id:
            return f"ops-review-{self.report.week.iso}.pdf"
        return f"{self.document.code}.pdf"

    @property
    def is_done(self) -> bool:
        return self.status == self.Status.DONE and bool(self.file)

    def get_absolute_url(self) -> str:
        return reverse("reports:export", args=[self.public_id])
