from django.contrib import admin, messages
from django.http import HttpRequest

from orr.models import ApiToken
from orr.tokens import token_revoke


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are issued on Organisation → API tokens (the secret is shown once there) or with
    `manage.py issue_token`; here they are looked at and revoked."""

    list_display = ("name", "prefix", "created_by", "all_teams", "expires_at", "last_used_at",
                    "revoked_at")
    list_filter = ("all_teams", ("revoked_at", admin.EmptyFieldListFilter))
    list_select_related = ("created_by",)
    search_fields = ("name", "prefix")
    readonly_fields = ("name", "prefix", "created_by", "created_at", "expires_at", "scopes",
                       "all_teams", "teams", "last_used_at", "revoked_at")
    exclude = ("key_hash",)
    actions = ["revoke"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    @admin.action(description="Revoke the selected tokens")
    def revoke(self, request, queryset) -> None:
        for token in queryset.filter(revoked_at__isnull=True):
            token_revoke(token=token, by=request.user)
        messages.success(request, "Revoked.")
