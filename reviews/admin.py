"""Admin for questionnaires and, read-only, for review documents and their history.

A published (or retired) questionnaire version is immutable. The model refuses every write to
it; the admin additionally shows such versions, their sections and their questions read-only
(no change, add or delete permission), says so on the page, and turns a refusal that slips
through (a version published while a form was open) into a message instead of a server error.
"""

from __future__ import annotations

from collections.abc import Iterable

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import HttpRequest, HttpResponseRedirect

from reviews.models import (
    Answer,
    Decision,
    Document,
    Event,
    PublishedVersionLocked,
    Question,
    Questionnaire,
    QuestionnaireVersion,
    ReviewerAssignment,
    Section,
)

LOCKED_NOTE = "Published versions cannot be edited; copy to a new draft."
DRAFT_NOTE = "Draft: editable until it is published."
DRAFT = QuestionnaireVersion.Status.DRAFT


def first_locked_version(version_ids: Iterable[int | None]) -> QuestionnaireVersion | None:
    """The first published/retired version among `version_ids`, read from the database."""
    ids = [pk for pk in version_ids if pk]
    if not ids:
        return None
    return QuestionnaireVersion.objects.filter(pk__in=ids).exclude(status=DRAFT).first()


def _refuse_locked(version_ids: Iterable[int | None]) -> None:
    # PublishedVersionLocked is a ValidationError: raised from clean() it becomes a form error.
    locked = first_locked_version(version_ids)
    if locked is not None:
        raise PublishedVersionLocked(locked)


# --- forms: the lock as a form error --------------------------------------------------------


class VersionForm(forms.ModelForm):
    class Meta:
        model = QuestionnaireVersion
        fields = ("questionnaire", "number", "changelog", "guidance")

    def clean(self):
        cleaned = super().clean()
        _refuse_locked([self.instance.pk])
        return cleaned


class SectionForm(forms.ModelForm):
    class Meta:
        model = Section
        fields = ("version", "key", "order", "title", "guidance", "widget")

    def clean(self):
        cleaned = super().clean()
        # Both where the section is now and where the form would move it must be drafts.
        stored = Section.objects.filter(pk=self.instance.pk).values_list("version_id", flat=True)
        chosen = cleaned.get("version")
        target = chosen.pk if chosen else self.instance.version_id
        _refuse_locked([stored.first() if self.instance.pk else None, target])
        return cleaned


class QuestionForm(forms.ModelForm):
    class Meta:
        model = Question
        fields = (
            "section", "key", "order", "text", "help", "kind", "choices", "required",
            "risk_rules", "binds",
        )

    def clean(self):
        cleaned = super().clean()
        stored = Question.objects.filter(pk=self.instance.pk).values_list(
            "section__version_id", flat=True
        )
        chosen = cleaned.get("section")
        target_section = chosen.pk if chosen else self.instance.section_id
        target = Section.objects.filter(pk=target_section).values_list("version_id", flat=True)
        _refuse_locked([stored.first() if self.instance.pk else None, target.first()])
        return cleaned


# --- lock-aware admin base ------------------------------------------------------------------


class VersionLockedAdmin(admin.ModelAdmin):
    """Read-only pages for objects of a locked version; drafts stay fully editable."""

    def version_of(self, obj) -> QuestionnaireVersion | None:
        raise NotImplementedError

    def is_locked(self, obj) -> bool:
        version = self.version_of(obj) if obj is not None else None
        return version is not None and version.is_locked

    @admin.display(description="Editing")
    def editing(self, obj) -> str:
        return LOCKED_NOTE if self.is_locked(obj) else DRAFT_NOTE

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        if self.is_locked(obj):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        # Also consulted per object by the bulk "delete selected" action.
        if self.is_locked(obj):
            return False
        return super().has_delete_permission(request, obj)

    def get_readonly_fields(self, request: HttpRequest, obj=None):
        readonly = [*super().get_readonly_fields(request, obj), "editing"]
        if self.is_locked(obj):
            readonly += [f.name for f in self.model._meta.fields if f.editable]
        return list(dict.fromkeys(readonly))

    def get_fields(self, request: HttpRequest, obj=None):
        # The lock note goes first, and only on existing objects.
        fields = [name for name in super().get_fields(request, obj) if name != "editing"]
        return ["editing", *fields] if obj is not None else fields

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        # Backstop: the model lock fired after the form validated (published meanwhile).
        # The admin's transaction has rolled back by the time the exception arrives here.
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except PublishedVersionLocked as exc:
            messages.error(request, " ".join(exc.messages))
            return HttpResponseRedirect(request.get_full_path())


class LockedInlineMixin:
    """Inline rows of a locked parent: no add, change or delete."""

    def parent_version(self, obj) -> QuestionnaireVersion | None:
        raise NotImplementedError

    def _parent_locked(self, obj) -> bool:
        version = self.parent_version(obj) if obj is not None else None
        return version is not None and version.is_locked

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return not self._parent_locked(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return not self._parent_locked(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return not self._parent_locked(obj) and super().has_delete_permission(request, obj)


# --- questionnaires -------------------------------------------------------------------------


class ReadOnlyAdminMixin:
    """History is written by the app's services, never edited by hand."""

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


class VersionInline(ReadOnlyAdminMixin, admin.TabularInline):
    """Versions listed on their questionnaire; each opens on its own page."""

    model = QuestionnaireVersion
    fields = ("number", "status", "published_at", "changelog")
    readonly_fields = fields
    show_change_link = True
    extra = 0


@admin.register(Questionnaire)
class QuestionnaireAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "version_count", "latest_published_version")
    inlines = [VersionInline]

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).annotate(version_count=Count("versions"))

    def get_readonly_fields(self, request: HttpRequest, obj=None):
        # The kind names the questionnaire everywhere (files, commands, documents).
        return ("kind",) if obj is not None else ()

    @admin.display(description="Versions", ordering="version_count")
    def version_count(self, obj: Questionnaire) -> int:
        return obj.version_count

    @admin.display(description="Latest published")
    def latest_published_version(self, obj: Questionnaire) -> str:
        latest = obj.latest_published()
        return f"v{latest.number}" if latest else "–"


class SectionInline(LockedInlineMixin, admin.TabularInline):
    model = Section
    form = SectionForm
    fields = ("order", "key", "title", "widget")
    show_change_link = True
    extra = 0

    def parent_version(self, obj: QuestionnaireVersion) -> QuestionnaireVersion:
        return obj


@admin.register(QuestionnaireVersion)
class QuestionnaireVersionAdmin(VersionLockedAdmin):
    form = VersionForm
    list_display = ("__str__", "questionnaire", "number", "status", "published_at")
    list_filter = ("questionnaire", "status")
    list_select_related = ("questionnaire",)
    # Status moves only through the actions, which call publish()/retire().
    readonly_fields = ("status", "published_at", "source_digest")
    inlines = [SectionInline]
    actions = ["copy_as_draft", "publish", "retire"]

    def version_of(self, obj: QuestionnaireVersion) -> QuestionnaireVersion:
        return obj

    @admin.action(description="Copy as new draft version", permissions=["add"])
    def copy_as_draft(self, request: HttpRequest, queryset) -> None:
        for version in queryset.select_related("questionnaire"):
            copy = version.copy_as_draft()
            messages.success(
                request, f"Created draft {copy} (copied from version {version.number})."
            )

    @admin.action(description="Publish", permissions=["change"])
    def publish(self, request: HttpRequest, queryset) -> None:
        self._transition(request, queryset, "publish", "Published")

    @admin.action(description="Retire", permissions=["change"])
    def retire(self, request: HttpRequest, queryset) -> None:
        self._transition(request, queryset, "retire", "Retired")

    def _transition(self, request: HttpRequest, queryset, method: str, done: str) -> None:
        # Each version on its own: one refusal does not undo the others.
        for version in queryset.select_related("questionnaire"):
            try:
                getattr(version, method)()
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            else:
                messages.success(request, f"{done} {version}.")


class QuestionInline(LockedInlineMixin, admin.StackedInline):
    model = Question
    form = QuestionForm
    fields = (("order", "key", "kind", "required"), "text", "help", "choices", "risk_rules",
              "binds")
    extra = 0

    def parent_version(self, obj: Section) -> QuestionnaireVersion:
        return obj.version


@admin.register(Section)
class SectionAdmin(VersionLockedAdmin):
    form = SectionForm
    list_display = ("title", "key", "order", "widget", "version", "question_count")
    list_filter = ("version__questionnaire", "version", "widget")
    list_select_related = ("version__questionnaire",)
    search_fields = ("title", "key")
    inlines = [QuestionInline]

    def version_of(self, obj: Section) -> QuestionnaireVersion:
        return obj.version

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).annotate(question_count=Count("questions"))

    @admin.display(description="Questions", ordering="question_count")
    def question_count(self, obj: Section) -> int:
        return obj.question_count

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # New sections can only go into drafts.
        if db_field.name == "version":
            kwargs["queryset"] = QuestionnaireVersion.objects.filter(status=DRAFT)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Question)
class QuestionAdmin(VersionLockedAdmin):
    form = QuestionForm
    list_display = ("key", "short_text", "kind", "required", "section", "version")
    list_filter = ("section__version__questionnaire", "section__version", "kind")
    list_select_related = ("section__version__questionnaire",)
    search_fields = ("key", "text")

    def version_of(self, obj: Question) -> QuestionnaireVersion:
        return obj.section.version

    @admin.display(description="Text")
    def short_text(self, obj: Question) -> str:
        return obj.text if len(obj.text) <= 80 else f"{obj.text[:79]}…"

    @admin.display(description="Version", ordering="section__version")
    def version(self, obj: Question) -> QuestionnaireVersion:
        return obj.section.version

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "section":
            kwargs["queryset"] = Section.objects.filter(version__status=DRAFT).select_related(
                "version__questionnaire"
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


# --- documents and their history: read-only ------------------------------------------------


class ReviewerInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = ReviewerAssignment
    fk_name = "document"
    fields = ("user", "assigned_by", "assigned_at")
    extra = 0


class DecisionInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Decision
    fields = ("round", "reviewer", "verdict", "reason", "created_at")
    extra = 0


class HideRestrictedMixin:
    """A restricted COE's rows only for its team and committee, superusers included
    (opsreview/permissions.py). `restricted_path`: from the row to its document."""

    restricted_path = ""
    restricted_on_postmortem = False

    def get_queryset(self, request: HttpRequest):
        from reviews.visibility import restricted_visible_q

        return super().get_queryset(request).filter(restricted_visible_q(
            request.user, self.restricted_path, postmortem=self.restricted_on_postmortem))


@admin.register(Document)
class DocumentAdmin(HideRestrictedMixin, admin.ModelAdmin):
    list_display = ("code", "kind", "title", "service", "state")
    list_filter = ("kind", "state")
    list_select_related = ("service",)
    search_fields = ("code", "title")
    # State moves only through the workflow (gates, decisions, event log); the questionnaire
    # version is pinned when the document starts.
    readonly_fields = (
        "code", "kind", "state", "version", "author", "created_at", "submitted_at",
        "approved_at", "review_round", "revision",
    )
    inlines = [ReviewerInline, DecisionInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Documents get their code and pinned version from the app's start flow.
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        # Soft delete (deleted_at) keeps answers, decisions and the event log.
        return False


@admin.register(Answer)
class AnswerAdmin(HideRestrictedMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("document", "question_key", "risk", "revision", "updated_by", "updated_at")
    restricted_path = "document__"
    list_filter = ("risk", "document__kind")
    list_select_related = ("document", "question", "updated_by")
    search_fields = ("document__code", "question__key", "text")

    @admin.display(description="Question", ordering="question__key")
    def question_key(self, obj: Answer) -> str:
        return obj.question.key


@admin.register(Decision)
class DecisionAdmin(HideRestrictedMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("document", "round", "reviewer", "verdict", "created_at")
    restricted_path = "document__"
    list_filter = ("verdict",)
    list_select_related = ("document", "reviewer")
    search_fields = ("document__code", "reason")


@admin.register(Event)
class EventAdmin(HideRestrictedMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """The append-only log: visible, never added to, changed or deleted here."""

    list_display = ("at", "document", "actor", "verb", "message")
    restricted_path = "document__"
    list_filter = ("verb",)
    list_select_related = ("document", "actor")
    search_fields = ("document__code", "verb", "message")
    date_hierarchy = "at"
