from django.apps import AppConfig


class OpsreviewConfig(AppConfig):
    name = "opsreview"
    verbose_name = "OpsReview"

    def ready(self):
        from opsreview import pagecache

        pagecache.connect()
