from django.apps import AppConfig


class LearningConfig(AppConfig):
    name = "learning"
    verbose_name = "Learning from COEs: proposals, questionnaire editing, lint, what-if, lenses"
    default_auto_field = "django.db.models.BigAutoField"
