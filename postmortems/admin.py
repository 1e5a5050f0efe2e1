"""Admin for postmortems: facts can be corrected, the workflow state never moves here.

The state only changes through submit and decide (gates, committee, event log); the model
guard would refuse a state change into review anyway, but a read-only field says so up front.
"""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Exists, OuterRef, Q

from postmortems.models import (
    ContributingFactor,
    FactorAction,
    Lesson,
    Postmortem,
    Tag,
    TimelineEvent,
)
from reviews.admin import DocumentAdmin, HideRestrictedMixin, ReadOnlyAdminMixin


class ReadOnlyInline(ReadOnlyAdminMixin, admin.TabularInline):
    """Timeline and factors change on the COE page, where every change is logged and gated."""

    extra = 0


class TimelineInline(ReadOnlyInline):
    model = TimelineEvent
    fields = ("at", "kind", "note")


class FactorInline(ReadOnlyInline):
    model = ContributingFactor
    fk_name = "postmortem"
    fields = ("parent", "category", "text", "accepted_reason")


@admin.register(Postmortem)
class PostmortemAdmin(DocumentAdmin):
    # The document rules (read-only workflow fields, no add, no delete) come from DocumentAdmin.
    list_display = ("code", "title", "service", "severity", "incident_start", "state",
                    "restricted")
    # Only tags of the rows this admin may see (a restricted COE's tags are its details).
    list_filter = ("state", "severity", "restricted", ("tags", admin.RelatedOnlyFieldListFilter))
    restricted_on_postmortem = True
    filter_horizontal = ("tags", "affected_services")
    inlines = [TimelineInline, FactorInline]


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    search_fields = ("name",)

    def get_queryset(self, request):
        # A tag used only by restricted COEs the admin may not see is one of their details.
        from postmortems.selectors import visible_tags

        unused = ~Q(Exists(Postmortem.tags.through.objects.filter(tag_id=OuterRef("pk"))))
        return super().get_queryset(request).filter(
            Q(pk__in=visible_tags(request.user).values("pk")) | unused)


@admin.register(Lesson)
class LessonAdmin(HideRestrictedMixin, admin.ModelAdmin):
    restricted_path = "postmortem__"
    restricted_on_postmortem = True
    list_display = ("postmortem", "short_text", "created_at")
    list_select_related = ("postmortem",)
    search_fields = ("postmortem__code", "text")
    filter_horizontal = ("action_items",)

    @admin.display(description="Lesson")
    def short_text(self, obj: Lesson) -> str:
        return obj.text[:80]


@admin.register(FactorAction)
class FactorActionAdmin(admin.ModelAdmin):
    """Which contributing factor an action item was raised for (the item's "source factor")."""

    list_display = ("item", "factor")
    list_select_related = ("item", "factor")
    raw_id_fields = ("item", "factor")
    search_fields = ("item__title", "factor__postmortem__code")
