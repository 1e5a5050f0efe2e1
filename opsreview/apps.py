from django.apps import AppConfig


class OpsreviewConfig(AppConfig):
    name = "opsreview"
    verbose_name = "OpsReview"
