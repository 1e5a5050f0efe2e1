"""The catalog in the admin. Changes made here go into the organisation's audit log too."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from catalog.models import Membership, OrgEvent, Service, ServiceLink, Team
from catalog.services import org_log
from reviews.admin import ReadOnlyAdminMixin


class _AuditedAdmin(admin.ModelAdmin):
    """Logs every save and delete made in the admin as an organisation event."""

    created_verb = changed_verb = ""

    def _subject(self, obj) -> dict:
        return {}

    def save_model(self, request: HttpRequest, obj, form, change) -> None:
        super().save_model(request, obj, form, change)
        verb = self.changed_verb if change else self.created_verb
        what = ", ".join(form.changed_data) or "nothing"
        org_log(by=request.user, verb=verb, message=f"{obj._meta.verbose_name.capitalize()} "
                f"{obj} {'changed' if change else 'created'} in the admin ({what})",
                **self._subject(obj))

    def save_formset(self, request, form, formset, change) -> None:
        super().save_formset(request, form, formset, change)
        if formset.new_objects or formset.changed_objects or formset.deleted_objects:
            org_log(by=request.user, verb=self.changed_verb,
                    message=f"{form.instance}: {formset.model._meta.verbose_name_plural} "
                            "changed in the admin", **self._subject(form.instance))


class MembershipInline(admin.TabularInline):
    model = Membership
    autocomplete_fields = ("user",)
    extra = 0


class ServiceLinkInline(admin.TabularInline):
    model = ServiceLink
    extra = 0


@admin.register(Team)
class TeamAdmin(_AuditedAdmin):
    list_display = ("name", "slug", "email", "chat")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    inlines = [MembershipInline]
    created_verb, changed_verb = OrgEvent.Verb.TEAM_CREATED, OrgEvent.Verb.TEAM_CHANGED

    def _subject(self, obj) -> dict:
        return {"team": obj}

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        # Teams own services and action items; a team that is no more keeps its history.
        return False


@admin.register(Service)
class ServiceAdmin(_AuditedAdmin):
    list_display = ("name", "slug", "team", "tier", "retired_at")
    list_filter = ("tier", ("retired_at", admin.EmptyFieldListFilter), "team")
    list_select_related = ("team",)
    search_fields = ("name", "slug", "team__name")
    prepopulated_fields = {"slug": ("name",)}
    readonly_fields = ("retired_at", "created_at")
    inlines = [ServiceLinkInline]
    # Existing tags only: new ones come from the service page or the import, normalised there.
    filter_horizontal = ("tags",)
    created_verb, changed_verb = OrgEvent.Verb.SERVICE_CREATED, OrgEvent.Verb.SERVICE_CHANGED

    def _subject(self, obj) -> dict:
        return {"service": obj, "team": obj.team}

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        # Retire a service instead (on its page): its reviews and postmortems stay.
        return False


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "team", "role")
    list_filter = ("role", "team")
    list_select_related = ("user", "team")
    search_fields = ("user__username", "team__name")
    autocomplete_fields = ("user", "team")

    def save_model(self, request, obj, form, change) -> None:
        super().save_model(request, obj, form, change)
        verb = OrgEvent.Verb.MEMBER_ROLE_CHANGED if change else OrgEvent.Verb.MEMBER_ADDED
        org_log(by=request.user, verb=verb, team=obj.team, person=obj.user,
                message=f"{obj.user} is {obj.role} in {obj.team} (in the admin)")

    def delete_model(self, request, obj) -> None:
        org_log(by=request.user, verb=OrgEvent.Verb.MEMBER_REMOVED, team=obj.team,
                person=obj.user, message=f"{obj.user} removed from {obj.team} (in the admin)")
        super().delete_model(request, obj)


@admin.register(ServiceLink)
class ServiceLinkAdmin(admin.ModelAdmin):
    list_display = ("service", "kind", "label", "url")
    list_filter = ("kind",)
    list_select_related = ("service",)
    search_fields = ("service__name", "label", "url")
    autocomplete_fields = ("service",)


@admin.register(OrgEvent)
class OrgEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The organisation's append-only audit log."""

    list_display = ("at", "actor", "verb", "message")
    list_filter = ("verb",)
    list_select_related = ("actor",)
    search_fields = ("message", "actor__username")
