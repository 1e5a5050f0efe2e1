from django.apps import AppConfig


class PostmortemsConfig(AppConfig):
    name = "postmortems"
    verbose_name = "Postmortems (COE)"

    def ready(self):
        from actions import sources
        from postmortems import gates  # noqa: F401  (registers the COE gates and approval policy)
        from postmortems.services import describe_source

        sources.register(describe_source)
