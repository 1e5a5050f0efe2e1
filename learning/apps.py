from django.apps import AppConfig


class LearningConfig(AppConfig):
    name = "learning"
    verbose_name = "Learning from COEs: proposals, questionnaire editing, lint, what-if, lenses"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from learning.similarity import forget_matches
        from postmortems.models import ContributingFactor, Postmortem

        for model in (ContributingFactor, Postmortem):
            post_save.connect(forget_matches, sender=model, dispatch_uid=f"similar-{model}")
            post_delete.connect(forget_matches, sender=model, dispatch_uid=f"similar-{model}-d")
