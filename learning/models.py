"""A question proposed from an approved COE's contributing factor or lesson, with provenance.

The proposal keeps where it came from (the COE and the factor or lesson) for good: once
accepted, the ORR question it became shows "added in v2 after COE-0010" by looking its key up
here (keys are stable across versions, so the provenance follows the question into every
later version).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone


class Proposal(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", "Open"
        ACCEPTED = "accepted", "Accepted into a draft"
        MERGED = "merged", "Merged into an existing question"
        DECLINED = "declined", "Declined"

    class Kind(models.TextChoices):
        YES_NO = "yes_no", "Yes / no"
        CHOICE = "choice", "Choice"

    postmortem = models.ForeignKey(
        "postmortems.Postmortem", on_delete=models.CASCADE, related_name="question_proposals"
    )
    factor = models.ForeignKey(
        "postmortems.ContributingFactor", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="question_proposals",
    )
    lesson = models.ForeignKey(
        "postmortems.Lesson", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="question_proposals",
    )
    # The factor's or lesson's words at proposal time (the COE may be edited later).
    source_text = models.TextField(max_length=5000)
    proposer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="question_proposals"
    )
    created_at = models.DateTimeField(default=timezone.now)

    section_key = models.SlugField(max_length=60)
    text = models.TextField(max_length=2000)
    guidance = models.TextField(max_length=5000)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.YES_NO)
    choices = models.JSONField(default=list, blank=True)
    risk_rules = models.JSONField(default=dict)
    why = models.TextField(max_length=5000)

    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decline_reason = models.TextField(blank=True, max_length=5000)
    # Where it went: the ORR questionnaire version and the question key.
    version = models.ForeignKey(
        "reviews.QuestionnaireVersion", on_delete=models.PROTECT, null=True, blank=True,
        related_name="proposals",
    )
    question_key = models.SlugField(max_length=80, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "-created_at"]),
                   models.Index(fields=["question_key"])]

    def __str__(self) -> str:
        return f"Proposal from {self.postmortem.code}: {self.text[:60]}"

    @property
    def source_label(self) -> str:
        return "contributing factor" if self.factor_id else "lesson"

    def source_url(self) -> str:
        anchor = f"factor-{self.factor_id}" if self.factor_id else f"lesson-{self.lesson_id}"
        return reverse("postmortems:detail", args=[self.postmortem.code]) + f"#{anchor}"


class TargetedReReview(models.Model):
    """A re-review started from the what-if of a newly published version: the affected
    services get a new ORR on it that asks only the new or changed questions, with every
    other answer carried from their approved ORR (to be confirmed on submission).

    The minimum for this loop; the periodic-review campaigns fold it in once they land.
    """

    version = models.ForeignKey(
        "reviews.QuestionnaireVersion", on_delete=models.PROTECT, related_name="rereviews"
    )
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    started_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"Re-review for {self.version}"


class ReReviewItem(models.Model):
    rereview = models.ForeignKey(TargetedReReview, on_delete=models.CASCADE, related_name="items")
    review = models.ForeignKey("reviews.Document", on_delete=models.CASCADE, related_name="+")
    source = models.ForeignKey("reviews.Document", on_delete=models.PROTECT, related_name="+")
    # The question keys this service must answer; every other answer was carried.
    asked = models.JSONField(default=list)
    carried = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.review_id} asks {len(self.asked)}"
