from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "reviews"

    def ready(self):
        from notifications.services import register_visibility_check
        from reviews.visibility import notifications_about_hidden_documents

        register_visibility_check(notifications_about_hidden_documents)
