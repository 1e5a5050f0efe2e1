from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import models
from django.db.models import Q
from django.utils import timezone

from opsreview.links import path_to

OPS_LEADS_GROUP = "Ops leads"


class Team(models.Model):
    name = models.CharField(max_length=120, unique=True)
    slug = models.SlugField(max_length=60, unique=True)
    description = models.TextField(blank=True, max_length=5000)
    email = models.EmailField(blank=True, help_text="Where to write to the team.")
    chat = models.CharField(
        max_length=200, blank=True, help_text="The team's chat channel, e.g. #payments."
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="Membership", related_name="teams"
    )
    # Where an imported team came from ("group:default/payments"); blank when made by hand.
    source_key = models.CharField(max_length=255, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["source_key"], condition=~Q(source_key=""),
                                    name="unique_team_source_key"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return path_to("catalog:team", self.slug)


class Membership(models.Model):
    class Role(models.TextChoices):
        MEMBER = "member", "Member"
        REVIEWER = "reviewer", "Reviewer"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.MEMBER)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "team"], name="unique_membership"),
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.team} ({self.role})"


class ServiceTag(models.Model):
    """A label on services ("pci", "customer-facing", "eu"), as Backstage's metadata.tags.

    One row per tag, shared by every service that carries it, so a campaign or a filter picks
    services by a join on ids. The slug is the tag itself, already normalised
    (`catalog.tags.normalise_tag`): lower-case, Backstage's character set, one spelling.
    """

    slug = models.CharField(max_length=63, unique=True)

    class Meta:
        ordering = ["slug"]

    def __str__(self) -> str:
        return self.slug


class ServiceQuerySet(models.QuerySet):
    def for_user_teams(self, user):
        return self.filter(team__memberships__user=user)

    def active(self):
        """Services in use: a retired service keeps its history but leaves every list."""
        return self.filter(retired_at__isnull=True)

    def retired(self):
        return self.filter(retired_at__isnull=False)


class Service(models.Model):
    class Tier(models.IntegerChoices):
        TIER1 = 1, "Tier 1 (critical)"
        TIER2 = 2, "Tier 2 (important)"
        TIER3 = 3, "Tier 3 (internal)"

    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=60, unique=True)
    description = models.TextField(blank=True, max_length=5000)
    tier = models.PositiveSmallIntegerField(choices=Tier.choices, default=Tier.TIER2)
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="services")
    oncall_contact = models.CharField(
        max_length=200, blank=True, help_text="Pager rotation, alias or channel."
    )
    # The source catalog's lifecycle word (Backstage: experimental, production, deprecated).
    lifecycle = models.CharField(max_length=40, blank=True)
    # Where an imported service came from ("component:default/payments-api"); blank by hand.
    source_key = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    retired_at = models.DateTimeField(null=True, blank=True)
    tags = models.ManyToManyField(ServiceTag, blank=True, related_name="services")

    objects = ServiceQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["source_key"], condition=~Q(source_key=""),
                                    name="unique_service_source_key"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return path_to("catalog:service", self.slug)

    @property
    def is_retired(self) -> bool:
        return self.retired_at is not None

    def retire(self) -> None:
        self.retired_at = timezone.now()
        self.save(update_fields=["retired_at"])

    def restore(self) -> None:
        self.retired_at = None
        self.save(update_fields=["retired_at"])


class ServiceLink(models.Model):
    class Kind(models.TextChoices):
        REPOSITORY = "repository", "Repository"
        RUNBOOK = "runbook", "Runbook"
        DASHBOARD = "dashboard", "Dashboard"
        ONCALL = "oncall", "On-call"
        OTHER = "other", "Other"

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="links")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.OTHER)
    label = models.CharField(max_length=80)
    url = models.URLField(max_length=500)

    class Meta:
        ordering = ["label"]
        constraints = [
            # One repository, runbook, dashboard and on-call link per service; any number of others.
            models.UniqueConstraint(
                fields=["service", "kind"], condition=~models.Q(kind="other"),
                name="one_link_per_kind",
            ),
        ]

    def __str__(self) -> str:
        return self.label


class CatalogImport(models.Model):
    """One catalog upload: the plan shown in the preview, then the audit record once applied.

    The preview stores the parsed records here (keyed by the upload's digest) so the confirm
    applies exactly what was previewed; once applied, ``changes`` lists every created or
    updated entity.
    """

    class Status(models.TextChoices):
        PREVIEWED = "previewed", "Previewed"
        APPLIED = "applied", "Applied"

    digest = models.CharField(max_length=64, db_index=True)
    sources = models.JSONField(default=list)
    records = models.JSONField(default=dict)
    plan_fingerprint = models.CharField(max_length=64)
    counts = models.JSONField(default=dict)
    changes = models.JSONField(default=list)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PREVIEWED)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    applied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Catalog import {self.digest[:12]} ({self.status})"


def ops_leads_group() -> Group:
    group, _ = Group.objects.get_or_create(name=OPS_LEADS_GROUP)
    return group


def people_to_ask() -> list:
    """Whom a person without a team asks to be added: the active ops leads, or the
    administrators while there are none."""
    User = get_user_model()
    leads = User.objects.filter(is_active=True, groups__name=OPS_LEADS_GROUP).distinct()
    if not leads.exists():
        leads = User.objects.filter(is_active=True, is_superuser=True)
    return list(leads.order_by("first_name", "last_name", "username")[:10])


class OrgEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("The organisation audit log is append-only.")

    def delete(self):
        raise PermissionError("The organisation audit log is append-only.")


class OrgEvent(models.Model):
    """Append-only audit log of every change to the organisation: who changed what, when."""

    class Verb(models.TextChoices):
        ADMIN_CREATED = "admin_created", "First administrator created"
        TEAM_CREATED = "team_created", "Team created"
        TEAM_CHANGED = "team_changed", "Team changed"
        SERVICE_CREATED = "service_created", "Service created"
        SERVICE_CHANGED = "service_changed", "Service changed"
        SERVICE_MOVED = "service_moved", "Service moved to another team"
        SERVICE_RETIRED = "service_retired", "Service retired"
        SERVICE_RESTORED = "service_restored", "Service back in use"
        MEMBER_ADDED = "member_added", "Person added to a team"
        MEMBER_ROLE_CHANGED = "member_role_changed", "Role changed"
        MEMBER_REMOVED = "member_removed", "Person removed from a team"
        OPS_LEAD_GRANTED = "ops_lead_granted", "Made ops lead"
        OPS_LEAD_REVOKED = "ops_lead_revoked", "No longer ops lead"
        PERSON_DEACTIVATED = "person_deactivated", "Person deactivated"
        PERSON_REACTIVATED = "person_reactivated", "Person reactivated"
        WORK_REASSIGNED = "work_reassigned", "Work reassigned"
        TOKEN_ISSUED = "token_issued", "API token issued"
        TOKEN_REVOKED = "token_revoked", "API token revoked"
        # For catalog import and sign-in, so they log here without a migration of their own.
        CATALOG_IMPORTED = "catalog_imported", "Catalog imported"
        PERSON_INVITED = "person_invited", "Person invited"
        SIGN_IN_CHANGED = "sign_in_changed", "Sign-in or group mapping changed"

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    verb = models.CharField(max_length=40, choices=Verb.choices)
    # What the change was about; the message keeps its name should the row ever go.
    team = models.ForeignKey(
        Team, on_delete=models.SET_NULL, null=True, blank=True, related_name="org_events"
    )
    service = models.ForeignKey(
        Service, on_delete=models.SET_NULL, null=True, blank=True, related_name="org_events"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="org_events",
    )
    message = models.CharField(max_length=500)
    data = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)

    objects = OrgEventQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.message}"

    def save(self, *args, **kwargs):
        if self.pk:
            raise PermissionError("The organisation audit log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("The organisation audit log is append-only.")
