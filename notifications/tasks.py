from __future__ import annotations

from celery import shared_task


# The name it had in actions/, so e-mails queued before an upgrade are still delivered.
@shared_task(name="actions.tasks.send_notification_email_task",
             autoretry_for=(OSError,), retry_backoff=True, retry_jitter=True, max_retries=5,
             time_limit=60, soft_time_limit=50)
def send_notification_email_task(notification_id: int) -> None:
    from notifications.models import Notification
    from notifications.services import notification_email_send

    notification = Notification.objects.select_related("user").filter(pk=notification_id).first()
    if notification is not None:
        notification_email_send(notification)
