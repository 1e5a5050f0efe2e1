from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils import timezone

from catalog.models import Service, Team
from opsreview.selects import PlainRows, PlainSelect
from postmortems import services
from postmortems.models import ContributingFactor, Participant, Postmortem, Tag, TimelineEvent
from reviews.models import State

# The zones incidents are usually written in; the configured TIME_ZONE is always offered too.
COMMON_TIMEZONES = [
    "UTC", "Europe/London", "Europe/Dublin", "Europe/Lisbon", "Europe/Paris", "Europe/Berlin",
    "Europe/Amsterdam", "Europe/Madrid", "Europe/Rome", "Europe/Zurich", "Europe/Stockholm",
    "Europe/Warsaw", "Europe/Helsinki", "Europe/Athens", "Europe/Istanbul", "Europe/Kyiv",
    "Africa/Lagos", "Africa/Cairo", "Africa/Johannesburg", "Africa/Nairobi", "Asia/Dubai",
    "Asia/Kolkata", "Asia/Singapore", "Asia/Shanghai", "Asia/Hong_Kong", "Asia/Tokyo",
    "Asia/Seoul", "Australia/Perth", "Australia/Sydney", "Pacific/Auckland",
    "America/Sao_Paulo", "America/Toronto", "America/New_York", "America/Chicago",
    "America/Denver", "America/Phoenix", "America/Los_Angeles", "America/Anchorage",
    "Pacific/Honolulu",
]


def timezone_choices() -> list[tuple[str, str]]:
    names = list(COMMON_TIMEZONES)
    if settings.TIME_ZONE not in names:
        names.insert(0, settings.TIME_ZONE)
    return [(name, name.replace("_", " ")) for name in names]


class WallClockField(forms.DateTimeField):
    """A local date and time without a zone: the zone is another field of the form."""

    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")

    def to_python(self, value):
        # Parsed as UTC so that Django's current-timezone handling (and its DST gaps) never
        # touches the wall-clock value; the zone is applied by services.local_to_utc.
        with timezone.override(dt.UTC):
            result = super().to_python(value)
        return result.replace(tzinfo=None) if result else result


def _user_label(user) -> str:
    return user.get_full_name() or user.get_username()


class PostmortemForm(forms.Form):
    service = forms.ModelChoiceField(queryset=Service.objects.none(),
                                     help_text="A service of one of your teams.")
    title = forms.CharField(max_length=200, help_text="Descriptive title (Service XYZ failed, "
                            "affecting customers in the EU region).")
    incident_start = WallClockField(label="Incident start",
                                    help_text="Local date and time in the incident’s timezone.")
    incident_tz = forms.ChoiceField(label="Incident timezone", choices=timezone_choices)
    severity = forms.TypedChoiceField(choices=Postmortem.Severity.choices, coerce=int,
                                      initial=Postmortem.Severity.SEV3)
    customers_affected = forms.IntegerField(min_value=0, initial=0,
                                            label="Customers affected (number)")
    customers_description = forms.CharField(
        required=False, max_length=5000, label="Who was affected, and how",
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    tags = forms.CharField(required=False, max_length=500,
                           help_text="Comma-separated, e.g. Configuration, Database, Dependency.")
    affected_services = forms.ModelMultipleChoiceField(
        queryset=Service.objects.order_by("name"), required=False,
        widget=forms.SelectMultiple(attrs={"size": 5}),
        help_text="Other services that were affected (optional; Ctrl/⌘ for several).",
    )
    restricted = forms.BooleanField(
        required=False, label="Restricted",
        help_text="Only the owning team and the committee can see it (security incidents).",
    )
    participants = forms.CharField(
        required=False, max_length=3000, label="People involved",
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Responders and anyone else involved: names or usernames, comma-separated. "
                  "The wording check uses them to spot a sentence that pins the event on a "
                  "person.",
    )
    committee = forms.ModelMultipleChoiceField(
        queryset=get_user_model().objects.none(), required=False,
        label="Peer-review committee", widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text="The people who approve the postmortem; at least one from outside the team. "
                  "Hold Ctrl (⌘ on a Mac) to choose several.",
    )

    def __init__(self, *args, user=None, postmortem: Postmortem | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.postmortem = postmortem
        author = postmortem.author if postmortem else user
        if postmortem is None:
            self.fields["service"].queryset = (
                Service.objects.active().for_user_teams(user).select_related("team").distinct()
                .order_by("name")
            )
            self.fields["incident_tz"].initial = settings.TIME_ZONE
        else:
            del self.fields["service"]
            self.fields["revision"] = forms.IntegerField(widget=forms.HiddenInput)
        self.fields["committee"].queryset = (
            get_user_model().objects.filter(is_active=True).exclude(pk=author.pk)
            .order_by("username")
        )
        self.fields["committee"].label_from_instance = _user_label
        from postmortems.selectors import visible_tags

        existing = ", ".join(visible_tags(user or author).values_list("name", flat=True)[:30])
        if existing:
            self.fields["tags"].help_text += f" Existing: {existing}."

    @classmethod
    def initial_for(cls, postmortem: Postmortem) -> dict:
        local = postmortem.incident_start.astimezone(ZoneInfo(postmortem.incident_tz))
        return {
            **{name: getattr(postmortem, name) for name in services.FACT_FIELDS},
            "incident_start": local.replace(tzinfo=None),
            "tags": ", ".join(t.name for t in postmortem.tags.all()),
            "affected_services": list(postmortem.affected_services.all()),
            "committee": [a.user for a in postmortem.assignments.select_related("user")],
            "participants": ", ".join(
                postmortem.participants.exclude(role=Participant.Role.AUTHOR)
                .values_list("name", flat=True)),
            "revision": postmortem.revision,
        }

    def clean(self):
        data = super().clean()
        local, tz_name = data.get("incident_start"), data.get("incident_tz")
        if local and tz_name:
            try:
                data["incident_start"] = services.local_to_utc(local, tz_name)
            except ValidationError as exc:
                self.add_error("incident_start", exc)
            else:
                try:
                    services.validate_incident_start(data["incident_start"])
                except ValidationError as exc:
                    self.add_error("incident_start", exc)
        data["tag_names"] = services.parse_tag_names(data.get("tags", ""))
        try:
            data["participant_names"] = services.parse_participant_names(
                data.get("participants", ""))
        except ValidationError as exc:
            self.add_error("participants", exc)
        return data

    def facts(self) -> dict:
        data = self.cleaned_data
        facts = {name: data[name] for name in services.FACT_FIELDS}
        return {**facts, "tag_names": data["tag_names"],
                "affected_services": list(data["affected_services"]),
                "committee": list(data["committee"]),
                "participant_names": data["participant_names"]}


class TimelineEventForm(forms.Form):
    kind = forms.ChoiceField(choices=TimelineEvent.EventKind.choices)
    at = WallClockField(label="Local time")
    note = forms.CharField(max_length=5000, widget=forms.Textarea(attrs={"rows": 2}),
                           help_text="What happened; Markdown, links to graphs and logs welcome.")

    def __init__(self, *args, postmortem: Postmortem, events=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.postmortem = postmortem
        self.events = list(events)
        self.fields["at"].label = f"Local time ({postmortem.incident_tz})"

    def clean(self):
        data = super().clean()
        if not data.get("at") or not data.get("kind"):
            return data
        try:
            data["at"] = services.local_to_utc(data["at"], self.postmortem.incident_tz)
        except ValidationError as exc:
            self.add_error("at", exc)
            return data
        services.validate_timeline_order(self.postmortem, kind=data["kind"], at=data["at"],
                                         events=self.events)
        return data


class FactorForm(forms.Form):
    category = forms.ChoiceField(choices=ContributingFactor.Category.choices)
    text = forms.CharField(
        max_length=5000, label="Contributing factor",
        widget=forms.Textarea(attrs={"rows": 2, "data-lint": "factor"}),
    )


class AcceptFactorForm(forms.Form):
    reason = forms.CharField(
        max_length=5000, label="Accepted, because…", widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Why no action item follows from this factor.",
    )


class NotBlameForm(forms.Form):
    rule_id = forms.CharField(max_length=60, widget=forms.HiddenInput)
    kind = forms.ChoiceField(choices=list(services.NOT_BLAME_KINDS.items()),
                             widget=forms.RadioSelect, initial="quoted", label="These words are")
    reason = forms.CharField(max_length=services.NOT_BLAME_REASON_MAX,
                             label="Why this is not blame",
                             help_text="Reviewers see this note next to the factor.")


class LessonForm(forms.Form):
    text = forms.CharField(max_length=5000, label="Lesson",
                           widget=forms.Textarea(attrs={"rows": 2, "data-lint": "lesson"}),
                           help_text="What the team takes away; link it to an action item.")


class LinkActionForm(forms.Form):
    item = forms.TypedChoiceField(coerce=int, label="Action item")

    def __init__(self, *args, choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].choices = [("", "—"), *choices]


class FilterForm(forms.Form):
    q = forms.CharField(required=False, max_length=200, label="Search")
    # PlainSelect: the 500 services drawn once, not once per request (opsreview/selects.py).
    service = forms.ModelChoiceField(Service.objects.order_by("name"), required=False,
                                     to_field_name="slug", empty_label="Any service",
                                     widget=PlainSelect)
    team = forms.ModelChoiceField(Team.objects.order_by("name"), required=False,
                                  to_field_name="slug", empty_label="Any team",
                                  widget=PlainSelect)
    tag = forms.ModelChoiceField(Tag.objects.all(), required=False, to_field_name="name",
                                 empty_label="Any tag", widget=PlainSelect)
    state = forms.ChoiceField(choices=[("", "Any state"), *State.choices], required=False,
                              widget=PlainSelect)
    severity = forms.TypedChoiceField(
        choices=[("", "Any severity"), *Postmortem.Severity.choices], required=False,
        coerce=int, empty_value=None, widget=PlainSelect,
    )
    date_from = forms.DateField(required=False, label="From",
                                widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(required=False, label="To",
                              widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        # The options as (value, label) rows: a model instance per option (500 services) was
        # most of the list page's time. Validation still goes through each queryset.
        for name, value, label in (("service", "slug", "name"), ("team", "slug", "name")):
            field = self.fields[name]
            field.choices = PlainRows([("", field.empty_label),
                                       *field.queryset.values_list(value, label)])
        tag = self.fields["tag"]
        options = tag.queryset.values_list("name", "name")
        if user is not None:
            from postmortems.selectors import visible_tag_options, visible_tags

            # Only the tags of postmortems this person may see: a tag names what happened.
            tag.queryset, options = visible_tags(user), visible_tag_options(user)
        tag.choices = PlainRows([("", tag.empty_label), *options])
        for f in self.fields.values():
            select = isinstance(f.widget, forms.Select)
            f.widget.attrs["class"] = "form-select" if select else "form-control"
