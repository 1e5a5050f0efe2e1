"""Admin for postmortems: facts can be corrected, the workflow state never moves here.

The state only changes through submit and decide (gates, committee, event log); the model
guard would refuse a state change into review anyway, but a read-only field says so up front.
"""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from postmortems.models import ContributingFactor, Lesson, Postmortem, Tag, TimelineEvent


class ReadOnlyInline(admin.TabularInline):
    """Timeline and factors change on the COE page, where every change is logged and gated."""

    extra = 0

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


class TimelineInline(ReadOnlyInline):
    model = TimelineEvent
    fields = ("at", "kind", "note")


class FactorInline(ReadOnlyInline):
    model = ContributingFactor
    fk_name = "postmortem"
    fields = ("parent", "category", "text", "accepted_reason")


@admin.register(Postmortem)
class PostmortemAdmin(admin.ModelAdmin):
    list_display = ("code", "title", "service", "severity", "incident_start", "state",
                    "restricted")
    list_filter = ("state", "severity", "restricted", "tags")
    list_select_related = ("service",)
    search_fields = ("code", "title")
    filter_horizontal = ("tags", "affected_services")
    readonly_fields = (
        "code", "kind", "state", "version", "author", "created_at", "submitted_at",
        "approved_at", "review_round", "revision",
    )
    inlines = [TimelineInline, FactorInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        # A COE gets its code, pinned template and answer rows from postmortems.services.
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    search_fields = ("name",)


@admin.register(Lesson)
class LessonAdmin(admin.ModelAdmin):
    list_display = ("postmortem", "short_text", "created_at")
    list_select_related = ("postmortem",)
    search_fields = ("postmortem__code", "text")
    filter_horizontal = ("action_items",)

    @admin.display(description="Lesson")
    def short_text(self, obj: Lesson) -> str:
        return obj.text[:80]
