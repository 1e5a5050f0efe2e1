"""Who may do what: the one permission matrix of the project.

Roles come from team memberships (member, reviewer) and two global roles: ops lead (the
"Ops leads" group) and admin (superuser). Views ask these functions; they never test roles inline.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.http import Http404

from catalog.models import OPS_LEADS_GROUP, Membership


@dataclass(frozen=True)
class Roles:
    team_ids: frozenset[int] = field(default_factory=frozenset)
    reviewer_team_ids: frozenset[int] = field(default_factory=frozenset)
    ops_lead: bool = False
    admin: bool = False

    @property
    def is_reviewer(self) -> bool:
        return bool(self.reviewer_team_ids)


def roles(user) -> Roles:
    """The user's roles, computed once per request (cached on the user object)."""
    if not getattr(user, "is_authenticated", False):
        return Roles()
    cached = getattr(user, "_opsreview_roles", None)
    if cached is None:
        rows = list(Membership.objects.filter(user=user).values_list("team_id", "role"))
        cached = Roles(
            team_ids=frozenset(t for t, _ in rows),
            reviewer_team_ids=frozenset(t for t, r in rows if r == Membership.Role.REVIEWER),
            ops_lead=user.groups.filter(name=OPS_LEADS_GROUP).exists(),
            admin=user.is_superuser,
        )
        user._opsreview_roles = cached
    return cached


def is_ops_lead(user) -> bool:
    r = roles(user)
    return r.ops_lead or r.admin


def in_team(user, team_id: int) -> bool:
    return team_id in roles(user).team_ids


def _assigned(user, document) -> bool:
    # Views prefetch "assignments"; fall back to a query for code paths that did not.
    cache = getattr(document, "_prefetched_objects_cache", {})
    if "assignments" in cache:
        return any(a.user_id == user.pk for a in cache["assignments"])
    return document.assignments.filter(user=user).exists()


def _restricted(document) -> bool:
    if hasattr(document, "restricted"):
        return bool(document.restricted)
    if document.kind == "coe":  # a plain Document row: the flag is on the Postmortem row
        from postmortems.models import Postmortem

        return Postmortem.objects.filter(pk=document.pk, restricted=True).exists()
    return False


def can_view(user, document) -> bool:
    if not getattr(user, "is_authenticated", False) or document.deleted_at:
        return False
    r = roles(user)
    insider = (
        document.author_id == user.pk
        or document.service.team_id in r.team_ids
        or _assigned(user, document)
    )
    if insider:
        return True
    if _restricted(document):
        return False
    if r.admin or r.ops_lead:
        return True
    return document.state != "draft"


def can_edit(user, document) -> bool:
    if not document.is_editable or not can_view(user, document):
        return False
    return document.author_id == user.pk or in_team(user, document.service.team_id)


can_submit = can_edit


def can_comment(user, document) -> bool:
    return can_view(user, document)


def can_decide(user, document) -> bool:
    return (
        document.state == "in_review"
        and document.author_id != user.pk
        and _assigned(user, document)
    )


def can_export(user, document) -> bool:
    return can_view(user, document)


ACTIONS = {
    "view": can_view,
    "edit": can_edit,
    "submit": can_submit,
    "comment": can_comment,
    "decide": can_decide,
    "export": can_export,
}


def check(user, document, action: str = "view") -> None:
    """404 for what the user may not see; 403 for what they see but may not do."""
    if not can_view(user, document):
        raise Http404("No such document.")
    if action != "view" and not ACTIONS[action](user, document):
        raise PermissionDenied(f"You may not {action} {document.code} in its current state.")


def can_delete(user, document) -> bool:
    """Only a draft is deleted, by its author or team (a soft delete, restorable)."""
    return document.state == "draft" and can_edit(user, document)


def can_restore(user, document) -> bool:
    r = roles(user)
    return r.admin or document.author_id == user.pk or document.service.team_id in r.team_ids


def can_change_action_item(user, item) -> bool:
    return item.owner_id == user.pk or in_team(user, item.team_id) or is_ops_lead(user)
