from django import template
from django.contrib.auth import get_user_model

register = template.Library()


@register.simple_tag
def no_users_yet() -> bool:
    """True on a new installation, before the first administrator exists."""
    return not get_user_model().objects.exists()
