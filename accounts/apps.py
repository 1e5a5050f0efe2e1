from django.apps import AppConfig
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts and sign-in"

    def ready(self) -> None:
        from accounts.rules import parse_rules

        # A typo in the mapping must stop the start, not silently drop everyone's teams.
        try:
            parse_rules(settings.OIDC_GROUP_RULES)
        except ValueError as exc:
            raise ImproperlyConfigured(f"OIDC_GROUP_RULES: {exc}") from exc
