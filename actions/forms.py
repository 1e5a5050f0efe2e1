from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone

from actions.models import ActionItem
from actions.services import default_due_date, vague_title_problem


class TitleRule:
    """For a form of action items: the services refuse a vague title too (check_action_title);
    here it is shown beside the field with the rest of the form's errors."""

    def clean_title(self):
        title = self.cleaned_data["title"]
        problem = vague_title_problem(title)
        if problem:
            raise forms.ValidationError(problem)
        return title


class ActionItemForm(TitleRule, forms.ModelForm):
    class Meta:
        model = ActionItem
        fields = ["title", "owner", "priority", "due_date", "backlog_url", "description"]
        widgets = {
            "title": forms.TextInput(attrs={"data-lint": "action"}),
            "due_date": forms.DateInput(attrs={"type": "date"}),
            "description": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "title": "Specific and checkable: what will change, where, by how much.",
            "due_date": "Leave empty for the default of the priority.",
            "backlog_url": "The issue in your team's tracker.",
        }

    def __init__(self, *args, team=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["due_date"].required = False
        owners = get_user_model().objects.filter(is_active=True).order_by("username")
        if team is not None:
            owners = owners.filter(memberships__team=team)
        self.fields["owner"].queryset = owners

    def clean(self):
        data = super().clean()
        if not data.get("due_date") and data.get("priority"):
            data["due_date"] = default_due_date(data["priority"])
        due = data.get("due_date")
        if due and self.instance.pk is None and due < timezone.localdate():
            self.add_error("due_date", "The due date is in the past.")
        return data

