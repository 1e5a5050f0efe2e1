from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model, password_validation
from django.utils.text import slugify

from catalog.models import Membership, Service, Team
from catalog.services import LINK_KINDS
from catalog.tags import parse_tags


class _SlugFromName:
    """An empty slug is made from the name."""

    def clean_slug(self):
        slug = self.cleaned_data.get("slug") or slugify(self.data.get("name", ""))[:60]
        if not slug:
            raise forms.ValidationError("Give a short name for links (letters, digits, dashes).")
        return slug


class TeamForm(_SlugFromName, forms.ModelForm):
    class Meta:
        model = Team
        fields = ["name", "slug", "description", "email", "chat"]
        labels = {"email": "E-mail contact", "chat": "Chat contact"}
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}
        help_texts = {"slug": "Used in links; made from the name when left empty."}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["slug"].required = False


class ServiceForm(_SlugFromName, forms.ModelForm):
    repository = forms.URLField(required=False, max_length=500, label="Repository link")
    runbook = forms.URLField(required=False, max_length=500, label="Runbook link")
    dashboard = forms.URLField(required=False, max_length=500, label="Dashboard link")
    oncall = forms.URLField(required=False, max_length=500, label="On-call link",
                            help_text="The rotation in your paging tool.")
    tags = forms.CharField(required=False, max_length=1000,
                           help_text="Comma-separated, e.g. pci, customer-facing, eu. Campaigns "
                                     "can pick services by tag.")

    class Meta:
        model = Service
        fields = ["name", "slug", "tier", "team", "description", "oncall_contact"]
        labels = {"team": "Owning team", "oncall_contact": "On-call contact"}
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}
        help_texts = {"slug": "Used in links and by the readiness API; made from the name "
                              "when left empty.",
                      "team": "Choosing another team moves the service, with its history."}

    def __init__(self, *args, links: dict[str, str] | None = None,
                 tags: list[str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["slug"].required = False
        self.fields["team"].queryset = Team.objects.order_by("name")
        for kind, url in (links or {}).items():
            self.fields[kind].initial = url
        self.fields["tags"].initial = ", ".join(tags or [])

    def clean_tags(self) -> list[str]:
        return parse_tags(self.cleaned_data.get("tags", ""))

    def links(self) -> dict[str, str]:
        return {kind: self.cleaned_data.get(kind, "") for kind in LINK_KINDS}


def _active_people():
    return get_user_model().objects.filter(is_active=True).order_by("username")


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, user):
        full = user.get_full_name()
        return f"{full} ({user.username})" if full else user.username


class MembershipForm(forms.Form):
    person = PersonChoiceField(queryset=_active_people(),
                               widget=forms.Select(attrs={"class": "form-select form-select-sm"}))
    role = forms.ChoiceField(choices=Membership.Role.choices, initial=Membership.Role.MEMBER,
                             widget=forms.Select(attrs={"class": "form-select form-select-sm"}))


class ReassignForm(forms.Form):
    to = PersonChoiceField(queryset=_active_people(), label="Hand everything to")

    def __init__(self, *args, person=None, **kwargs):
        super().__init__(*args, **kwargs)
        if person is not None:
            self.fields["to"].queryset = _active_people().exclude(pk=person.pk)


class FirstAdminForm(forms.Form):
    username = forms.CharField(max_length=150)
    email = forms.EmailField(required=False, label="E-mail")
    password1 = forms.CharField(label="Password", widget=forms.PasswordInput, strip=False)
    password2 = forms.CharField(label="Password again", widget=forms.PasswordInput, strip=False)

    def clean_username(self):
        username = self.cleaned_data["username"].strip()
        get_user_model().username_validator(username)
        return username

    def clean(self):
        data = super().clean()
        p1, p2 = data.get("password1"), data.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", "The two passwords differ.")
        elif p1:
            try:
                password_validation.validate_password(p1)
            except forms.ValidationError as exc:
                self.add_error("password1", exc)
        return data


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".yaml,.yml,.csv"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data] if data else []
        if not files and self.required:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        return [super(MultipleFileField, self).clean(f, initial) for f in files]


class CatalogImportForm(forms.Form):
    files = MultipleFileField(
        label="Catalog files",
        help_text="Backstage catalog-info.yaml files (one or many documents each) or a CSV of "
                  "services. Choose several files at once if your catalog is split.",
        error_messages={"required": "Choose at least one file to import."},
    )
