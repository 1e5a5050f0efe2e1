from django.apps import AppConfig


class ActionsConfig(AppConfig):
    name = "actions"

    def ready(self):
        from actions.selectors import notifications_about_hidden_items
        from notifications.services import register_visibility_check

        register_visibility_check(notifications_about_hidden_items)
