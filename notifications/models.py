"""The in-app bell and the per-kind e-mail opt-outs."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class Notification(models.Model):
    """An entry of the in-app bell."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    verb = models.CharField(max_length=40)
    message = models.CharField(max_length=500)
    url = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        # The tables keep the names they had when these models lived in actions/.
        db_table = "actions_notification"
        # The bell asks "unread for this user" on every page.
        indexes = [models.Index(fields=["user", "read_at"], name="actions_not_user_id_0db5ae_idx")]

    def __str__(self) -> str:
        return self.message


class EmailOptOut(models.Model):
    """A kind of notification the user wants in the app only, not by e-mail."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="email_opt_outs"
    )
    verb = models.CharField(max_length=40)

    class Meta:
        db_table = "actions_emailoptout"
        constraints = [
            models.UniqueConstraint(fields=["user", "verb"], name="unique_email_opt_out"),
        ]

    def __str__(self) -> str:
        return f"{self.user}: no e-mail for {self.verb}"
