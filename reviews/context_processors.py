from django.utils.functional import SimpleLazyObject

from reviews.permissions import can_issue_tokens, can_manage_org


def organisation(request):
    """Whether the navigation offers the Organisation pages (read only when a page draws it)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "org_can_manage": SimpleLazyObject(lambda: can_manage_org(user)),
        "org_can_tokens": SimpleLazyObject(lambda: can_issue_tokens(user)),
    }
