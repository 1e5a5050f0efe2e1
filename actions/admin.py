from django import forms
from django.contrib import admin

from actions.forms import TitleRule
from actions.models import ActionItem


class ActionItemAdminForm(TitleRule, forms.ModelForm):
    """An edit in the admin keeps the title rule of every other way in."""

    class Meta:
        model = ActionItem
        fields = ["title"]  # the admin adds the others it shows


@admin.register(ActionItem)
class ActionItemAdmin(admin.ModelAdmin):
    form = ActionItemAdminForm
    list_display = ("title", "owner", "team", "priority", "status", "due_date", "document")
    list_filter = ("status", "priority", "team")
    list_select_related = ("owner", "team", "document")
    search_fields = ("title", "owner__username", "document__code")
    autocomplete_fields = ("owner", "team")
    raw_id_fields = ("document", "source_answer")
    # Status moves with a closing note through the item's page (item_set_status), which also
    # records it in the document's history.
    readonly_fields = ("status", "closing_note", "closed_at", "created_by", "created_at",
                       "revision")
    date_hierarchy = "due_date"
