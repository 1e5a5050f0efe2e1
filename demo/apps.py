from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Demo and organisation-scale data (`seed_demo`, `seed_scale`): the top of the layers, it may
    use every app's services; no app imports it."""

    name = "demo"
