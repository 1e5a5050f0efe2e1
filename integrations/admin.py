"""Admin for integrations: read what came in and went out; secrets are never shown here."""

from __future__ import annotations

from django.contrib import admin

from integrations.models import Delivery, DeliveryAttempt, IncidentRecord, Integration, Subscription
from reviews.admin import ReadOnlyAdminMixin


@admin.register(Integration)
class IntegrationAdmin(admin.ModelAdmin):
    list_display = ("name", "team", "provider", "coe_max_severity", "last_received_at")
    list_filter = ("provider",)
    fields = ("team", "provider", "name", "coe_max_severity", "created_by", "public_id")
    readonly_fields = ("public_id",)


@admin.register(IncidentRecord)
class IncidentRecordAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("provider", "external_id", "title", "service", "severity", "status",
                    "postmortem")
    list_filter = ("provider", "status")
    list_select_related = ("service", "postmortem")


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    list_display = ("url", "team", "kind", "failing_since", "paused_at")
    list_filter = ("kind",)
    fields = ("team", "kind", "url", "events", "own_team_only", "created_by", "failing_since",
              "paused_at")


class AttemptInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = DeliveryAttempt
    fields = ("number", "at", "status_code", "error", "duration_ms")
    extra = 0


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("message_id", "event_type", "subscription", "status", "attempts",
                    "last_status_code", "created_at")
    list_filter = ("status", "event_type")
    list_select_related = ("subscription",)
    inlines = [AttemptInline]
