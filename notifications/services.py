"""Notifications: in the app (the bell) and by e-mail through Celery, per kind opt-out."""

from __future__ import annotations

from collections.abc import Callable

from django.core.mail import send_mail
from django.db import transaction

from notifications.models import EmailOptOut, Notification
from opsreview import queue
from opsreview.links import site_url
from opsreview.prepared import Prepared, sliced_or_counted
from reviews.visibility import visible_documents

# The kinds a user can switch e-mail off for, with the label of the settings page.
KINDS = {
    "reviewer_assigned": "I am assigned as reviewer or committee member",
    "decision": "A reviewer decides on my document",
    "comment": "Someone comments on my answer",
    "action_assigned": "An action item is assigned to me",
    "readiness_lapsing": "My team's service is about to lose its readiness",
    "campaign": "A re-review campaign includes my team's services",
    "campaign_reminder": "A re-review campaign's target date nears or has passed",
    "coe_drafted": "An incident opened a COE draft for my team",
    "coe_late": "A COE is late (ops leads)",
    "proposal": "My proposed ORR question is decided",
    "webhook_paused": "A webhook I created is paused",
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


# --- what the reader may no longer see ------------------------------------------------------
# A notification is about a document or an action item; whether its reader may still see it is
# the rule of reviews.visibility. Documents are checked here (notifications sits above reviews);
# an app above notifications registers a check for its own rows from its AppConfig.ready (actions
# for action items). Each check returns the pks to hide.
NO_LONGER_VISIBLE = "About something you no longer have access to."
_VISIBILITY_CHECKS: list[Callable[[list[Notification], object], set[int]]] = []


def register_visibility_check(check: Callable[[list[Notification], object], set[int]]) -> None:
    if check not in _VISIBILITY_CHECKS:
        _VISIBILITY_CHECKS.append(check)


def redact_unseen(notifications: list[Notification], user) -> list[Notification]:
    """Notifications about what `user` may no longer see (they left its team, it became
    restricted) keep neither their text nor their link, when read."""
    hidden = notifications_about_hidden_documents(notifications, user)
    for check in _VISIBILITY_CHECKS:
        hidden |= check(notifications, user)
    for n in notifications:
        if n.pk in hidden:
            n.message, n.url = NO_LONGER_VISIBLE, ""
    return notifications


def target_of(notification: Notification) -> tuple[str, dict]:
    """The URL name and arguments a notification links to ("", {} when none resolves)."""
    from django.urls import Resolver404, resolve

    if not notification.url or not notification.url.startswith("/"):
        return "", {}
    try:
        match = resolve(notification.url.split("?")[0].split("#")[0])
    except Resolver404:
        return "", {}
    return match.view_name, match.kwargs


def notifications_about_hidden_documents(notifications: list[Notification], user) -> set[int]:
    """Those linking to a document (any URL with a document `code`) that `user` may no longer
    see."""
    codes = {n.pk: kwargs["code"] for n in notifications
             if "code" in (kwargs := target_of(n)[1])}
    if not codes:
        return set()
    seen = set(visible_documents(user).filter(code__in=set(codes.values()))
               .values_list("code", flat=True))
    return {pk for pk, code in codes.items() if code not in seen}


def notification_email_send(notification: Notification) -> None:
    redact_unseen([notification], notification.user)
    if notification.message == NO_LONGER_VISIBLE:
        return  # access ended between the event and the e-mail
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
    return _UNREAD_COUNT(user.pk)[0][0]


# The bell's count on every page: a prepared query (opsreview.prepared).
_UNREAD_COUNT = Prepared(lambda user_id: sliced_or_counted(
    Notification.objects.filter(user_id=user_id, read_at__isnull=True), None))
