"""A user's roles: team memberships (member, reviewer) and the two global roles, ops lead (the
"Ops leads" group) and admin (superuser). Computed once per request."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth.models import Group
from django.db.models import IntegerField, Value

from catalog.models import OPS_LEADS_GROUP, Membership
from opsreview.prepared import Prepared


@dataclass(frozen=True)
class Roles:
    team_ids: frozenset[int] = field(default_factory=frozenset)
    reviewer_team_ids: frozenset[int] = field(default_factory=frozenset)
    ops_lead: bool = False
    admin: bool = False

    @property
    def is_reviewer(self) -> bool:
        return bool(self.reviewer_team_ids)


# One query, compiled once per process (opsreview.prepared): the user's memberships, and one row
# with no team when the user is an ops lead.
_ROLE_ROWS = Prepared(
    lambda user_id: Membership.objects.filter(user_id=user_id)
    .values_list("team_id", "role").annotate(lead=Value(False))
    .union(Group.objects.filter(user=user_id, name=OPS_LEADS_GROUP)
           .values_list(Value(None, IntegerField()), Value(""), Value(True)), all=True)
)


def roles(user) -> Roles:
    """The user's roles, computed once per request (cached on the user object)."""
    if not getattr(user, "is_authenticated", False):
        return Roles()
    cached = getattr(user, "_opsreview_roles", None)
    if cached is None:
        rows = _ROLE_ROWS(user.pk)
        teams = [(t, r) for t, r, _ in rows if t is not None]
        cached = Roles(
            team_ids=frozenset(t for t, _ in teams),
            reviewer_team_ids=frozenset(t for t, r in teams if r == Membership.Role.REVIEWER),
            ops_lead=any(lead for _, _, lead in rows),
            admin=user.is_superuser,
        )
        user._opsreview_roles = cached
    return cached


def is_ops_lead(user) -> bool:
    r = roles(user)
    return r.ops_lead or r.admin


def in_team(user, team_id: int) -> bool:
    return team_id in roles(user).team_ids
