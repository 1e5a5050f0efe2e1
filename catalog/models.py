from django.conf import settings
from django.contrib.auth.models import Group
from django.db import models
from django.urls import reverse

OPS_LEADS_GROUP = "Ops leads"


class Team(models.Model):
    name = models.CharField(max_length=120, unique=True)
    slug = models.SlugField(max_length=60, unique=True)
    description = models.TextField(blank=True, max_length=5000)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="Membership", related_name="teams"
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("catalog:team", args=[self.slug])


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


class ServiceQuerySet(models.QuerySet):
    def for_user_teams(self, user):
        return self.filter(team__memberships__user=user)


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
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ServiceQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("catalog:service", args=[self.slug])


class ServiceLink(models.Model):
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="links")
    label = models.CharField(max_length=80)
    url = models.URLField(max_length=500)

    class Meta:
        ordering = ["label"]

    def __str__(self) -> str:
        return self.label


def ops_leads_group() -> Group:
    group, _ = Group.objects.get_or_create(name=OPS_LEADS_GROUP)
    return group
