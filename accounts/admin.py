from django.contrib import admin

from accounts.models import Identity, Invitation


@admin.register(Identity)
class IdentityAdmin(admin.ModelAdmin):
    list_display = ["user", "issuer", "subject", "managed_ops_lead", "last_login_at"]
    search_fields = ["user__username", "subject"]
    readonly_fields = ["issuer", "subject", "managed_team_ids", "managed_ops_lead"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "name", "team", "role", "sent_at", "expires_at", "accepted_at"]
    search_fields = ["email", "name"]
    exclude = ["token_hash"]

    def has_add_permission(self, request) -> bool:
        return False  # made at /accounts/invite/, which sends the link
