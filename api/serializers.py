"""What the API shows of each resource, and the shape of what it accepts.

Input serializers check only the shape (types, required fields, known names); the rules a
value must follow are the pages' own, applied by their forms and services in the views.
"""

from __future__ import annotations

from django.conf import settings
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from actions.models import ActionItem
from catalog.models import Service, Team
from opsreview.links import site_url
from orr.models import ReadinessReview
from postmortems.models import Postmortem, TimelineEvent
from reviews.models import State

READINESS_STATUSES = ["ready", "expired", "in_review", "not_ready", "never_reviewed"]


class ErrorSerializer(serializers.Serializer):
    error = serializers.CharField()
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()), required=False,
        help_text="Per input field, what is wrong with it (400 only).",
    )


class ReadinessSerializer(serializers.Serializer):
    """The readiness answer a deploy pipeline reads (its keys never change)."""

    service = serializers.CharField(help_text="service slug")
    status = serializers.ChoiceField(READINESS_STATUSES)
    approved_at = serializers.DateTimeField(allow_null=True)
    expires_at = serializers.DateTimeField(
        allow_null=True, help_text="when readiness lapses: the earliest of the approval's "
                                   "expiry and every accepted risk's")
    expires_because = serializers.CharField(allow_null=True,
                                            help_text="which of them lapses first")
    review_url = serializers.URLField(allow_null=True)
    open_high_risks = serializers.IntegerField()
    overdue_actions = serializers.IntegerField()


def _absolute(obj) -> str:
    return f"{site_url()}{obj.get_absolute_url()}"


class TeamSerializer(serializers.ModelSerializer):
    services = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)
    url = serializers.SerializerMethodField()

    class Meta:
        model = Team
        fields = ["slug", "name", "description", "services", "url"]

    def get_url(self, team: Team) -> str:
        return _absolute(team)


class ServiceSerializer(serializers.ModelSerializer):
    team = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    tags = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)
    readiness = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()

    class Meta:
        model = Service
        fields = ["slug", "name", "description", "tier", "team", "oncall_contact", "tags",
                  "readiness", "url"]

    @extend_schema_field(serializers.ChoiceField(READINESS_STATUSES))
    def get_readiness(self, service: Service) -> str:
        return self.context["readiness"][service.pk].status

    def get_url(self, service: Service) -> str:
        return _absolute(service)


class DocumentSerializer(serializers.ModelSerializer):
    """What ORRs and COEs share."""

    service = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    team = serializers.SlugRelatedField(source="service.team", slug_field="slug", read_only=True)
    state = serializers.ChoiceField(State.choices, read_only=True)
    author = serializers.SlugRelatedField(slug_field="username", read_only=True)
    url = serializers.SerializerMethodField()

    FIELDS = ["code", "title", "service", "team", "state", "author", "created_at",
              "submitted_at", "approved_at", "url"]

    def get_url(self, document) -> str:
        return _absolute(document)


class OrrSerializer(DocumentSerializer):
    class Meta:
        model = ReadinessReview
        fields = [*DocumentSerializer.FIELDS, "trigger"]


class AnswerSerializer(serializers.Serializer):
    question = serializers.CharField(source="question.key")
    question_text = serializers.CharField(source="question.text")
    section = serializers.CharField(source="question.section.key")
    text = serializers.CharField()
    choice = serializers.CharField()
    risk = serializers.CharField()
    na_reason = serializers.CharField()
    updated_at = serializers.DateTimeField(allow_null=True)
    updated_by = serializers.CharField(source="updated_by.username", allow_null=True,
                                       help_text="username")


class GateSerializer(serializers.Serializer):
    name = serializers.CharField()
    label = serializers.CharField()
    passed = serializers.BooleanField()
    message = serializers.CharField()


class DocumentReadinessSerializer(serializers.Serializer):
    status = serializers.ChoiceField(READINESS_STATUSES)
    approved_at = serializers.DateTimeField(allow_null=True)
    expires_at = serializers.DateTimeField(allow_null=True)
    expires_because = serializers.CharField(allow_null=True)


class OrrDetailSerializer(OrrSerializer):
    reviewers = serializers.SerializerMethodField()
    answers = AnswerSerializer(many=True, source="api_answers")
    gates = GateSerializer(many=True, source="api_gates")
    readiness = DocumentReadinessSerializer(source="api_readiness",
                                            help_text="Readiness of the ORR's service now.")

    class Meta(OrrSerializer.Meta):
        fields = [*OrrSerializer.Meta.fields, "reviewers", "answers", "gates", "readiness"]

    def get_reviewers(self, document) -> list[str]:
        return [a.user.username for a in document.assignments.all()]


class CoeSerializer(DocumentSerializer):
    tags = serializers.SlugRelatedField(slug_field="name", many=True, read_only=True)

    class Meta:
        model = Postmortem
        fields = [*DocumentSerializer.FIELDS, "severity", "incident_start", "incident_tz",
                  "restricted", "tags"]


class TimelineEventSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(TimelineEvent.EventKind.choices)
    at = serializers.DateTimeField()
    note = serializers.CharField()


class FactorSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    parent = serializers.IntegerField(source="parent_id", allow_null=True)
    category = serializers.CharField()
    text = serializers.CharField()
    accepted_reason = serializers.CharField()


class CoeDetailSerializer(CoeSerializer):
    affected_services = serializers.SlugRelatedField(slug_field="slug", many=True,
                                                     read_only=True)
    committee = serializers.SerializerMethodField()
    timeline = TimelineEventSerializer(many=True, read_only=True)
    factors = FactorSerializer(many=True, read_only=True)
    lessons = serializers.SlugRelatedField(slug_field="text", many=True, read_only=True)
    action_items = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    gates = GateSerializer(many=True, source="api_gates")

    class Meta(CoeSerializer.Meta):
        fields = [*CoeSerializer.Meta.fields, "customers_affected", "customers_description",
                  "affected_services", "committee", "timeline", "factors", "lessons",
                  "action_items", "gates"]

    def get_committee(self, document) -> list[str]:
        return [a.user.username for a in document.assignments.all()]


class CoeCreateSerializer(serializers.Serializer):
    """A COE draft, as the New postmortem page takes it."""

    service = serializers.SlugField(help_text="A service of one of the token creator's teams.")
    title = serializers.CharField(max_length=200)
    incident_start = serializers.CharField(
        help_text="Local wall-clock time in `incident_tz`, e.g. 2026-11-02T09:15.")
    incident_tz = serializers.CharField(default=settings.TIME_ZONE)
    severity = serializers.ChoiceField(Postmortem.Severity.choices,
                                       default=Postmortem.Severity.SEV3)
    customers_affected = serializers.IntegerField(default=0)
    customers_description = serializers.CharField(default="", allow_blank=True)
    tags = serializers.ListField(child=serializers.CharField(), default=list)
    affected_services = serializers.ListField(child=serializers.SlugField(), default=list,
                                              help_text="Service slugs.")
    restricted = serializers.BooleanField(default=False)
    committee = serializers.ListField(child=serializers.CharField(), default=list,
                                      help_text="Usernames of the peer-review committee.")


class ActionItemSerializer(serializers.ModelSerializer):
    owner = serializers.SlugRelatedField(slug_field="username", read_only=True)
    team = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    document = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    service = serializers.SerializerMethodField()
    overdue = serializers.SerializerMethodField()
    backlog_url = serializers.CharField(read_only=True, help_text="A URL, or empty.")
    url = serializers.SerializerMethodField()

    class Meta:
        model = ActionItem
        fields = ["id", "title", "description", "status", "priority", "due_date", "overdue",
                  "owner", "team", "document", "service", "backlog_url", "closing_note",
                  "created_at", "closed_at", "url"]

    def get_service(self, item: ActionItem) -> str | None:
        return item.document.service.slug if item.document_id else None

    def get_overdue(self, item: ActionItem) -> bool:
        return item.is_overdue()

    def get_url(self, item: ActionItem) -> str:
        return _absolute(item)


class ActionItemCreateSerializer(serializers.Serializer):
    """An action item from a document: an ORR answer (a gap), or a COE (factor or lesson)."""

    document = serializers.CharField(help_text="Code of the ORR or COE, e.g. COE-2026-0007.")
    answer = serializers.IntegerField(required=False, help_text="ORR: the answer (gap) id.")
    factor = serializers.IntegerField(required=False, help_text="COE: a contributing factor id.")
    lesson = serializers.IntegerField(required=False, help_text="COE: a lesson id.")
    title = serializers.CharField(max_length=200)
    owner = serializers.CharField(help_text="Username of a member of the owning team.")
    priority = serializers.ChoiceField(ActionItem.Priority.choices,
                                       default=ActionItem.Priority.P2)
    due_date = serializers.DateField(required=False, allow_null=True,
                                     help_text="Empty: the default of the priority.")
    backlog_url = serializers.CharField(required=False, allow_blank=True, default="")
    description = serializers.CharField(required=False, allow_blank=True, default="")


class ActionItemStatusSerializer(serializers.Serializer):
    status = serializers.ChoiceField(ActionItem.Status.choices)
    note = serializers.CharField(required=False, allow_blank=True, default="",
                                 help_text="Required to close: what was done, or why not.")


class ActionItemFilterSerializer(serializers.Serializer):
    state = serializers.ChoiceField(
        ["open", *ActionItem.Status.values[1:]], required=False,
        help_text="`open` is every item not yet closed (open or in progress).")
    team = serializers.SlugField(required=False, help_text="Team slug.")
    service = serializers.SlugField(required=False, help_text="Service slug.")
    owner = serializers.CharField(required=False, help_text="Username.")
    overdue = serializers.BooleanField(required=False)
    priority = serializers.ChoiceField(ActionItem.Priority.choices, required=False)


class ServiceFilterSerializer(serializers.Serializer):
    team = serializers.SlugField(required=False, help_text="Team slug.")


class DocumentFilterSerializer(serializers.Serializer):
    state = serializers.ChoiceField(State.choices, required=False)
    team = serializers.SlugField(required=False, help_text="Team slug.")
    service = serializers.SlugField(required=False, help_text="Service slug.")


class CoeFilterSerializer(DocumentFilterSerializer):
    severity = serializers.ChoiceField(Postmortem.Severity.choices, required=False)
    q = serializers.CharField(required=False, help_text="Words in the title or summary.")
