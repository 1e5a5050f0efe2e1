"""Notifications: in the app (the bell) and by e-mail through Celery, per kind opt-out."""

from __future__ import annotations

from django.core.mail import send_mail
from django.db import transaction

from notifications.models import EmailOptOut, Notification
from opsreview import queue
from opsreview.links import site_url

# The kinds a user can switch e-mail off for, with the label of the settings page.
KINDS = {
    "reviewer_assigned": "I am assigned as reviewer or committee member",
    "decision": "A reviewer decides on my document",
    "comment": "Someone comments on my answer",
    "action_assigned": "An action item is assigned to me",
}


def notify(*, user, verb: str, message: str, url: str = "", actor=None) -> Notification | None:
    """Tell a user something; never the person who did it."""
    if user is None or (actor is not None and user.pk == actor.pk):
        return None
    notification = Notification.objects.create(user=user, verb=verb, message=message[:500],
                                               url=url)
    if user.email and not EmailOptOut.objects.filter(user=user, verb=verb).exists():
        from notifications.tasks import send_notification_email_task

        # The in-app notification is what matters; a dead broker only costs the e-mail.
        transaction.on_commit(
            lambda: queue.send(send_notification_email_task, notification.pk), robust=True
        )
    return notification


def notification_email_send(notification: Notification) -> None:
    link = f"{site_url()}{notification.url}" if notification.url else site_url()
    body = (
        f"{notification.message}\n\n"
        f"Open it: {link}\n\n"
        "You get this because of your OpsReview notification settings; switch e-mail off per "
        f"kind at {site_url()}/actions/notifications/.\n"
    )
    send_mail(f"[OpsReview] {notification.message[:120]}", body, None,
              [notification.user.email])


def unread_count(user) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()
