from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # notifications sits above reviews and the outbound webhooks: it subscribes to what they
        # send; they never import it (docs/architecture.md).
        from integrations.signals import webhook_paused
        from notifications import receivers
        from reviews.signals import document_decided, reviewer_assigned

        reviewer_assigned.connect(receivers.on_reviewer_assigned,
                                  dispatch_uid="notifications.reviewer_assigned")
        document_decided.connect(receivers.on_document_decided,
                                 dispatch_uid="notifications.document_decided")
        webhook_paused.connect(receivers.on_webhook_paused,
                               dispatch_uid="notifications.webhook_paused")
