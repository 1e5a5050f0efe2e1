from django.apps import AppConfig


class OrrConfig(AppConfig):
    name = "orr"
    verbose_name = "Readiness reviews"

    def ready(self):
        from orr import gates  # noqa: F401  (registers the ORR gates and approval policy)
