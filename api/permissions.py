"""Who may do what through the API: the one place the API asks.

A token acts as the person who created it, within the token's own limits:

- **scopes** — ``read`` for every GET, ``write_action_items`` to create action items and change
  their status, ``intake`` to open a COE draft;
- **team scope** — a token limited to some teams sees only their services, documents and items;
- **visibility** — what the creator may see and do on the pages, asked through the project's
  permission matrix (``reviews.permissions``), its document loader (``reviews.access``) and
  its one visibility rule (``reviews.visibility``), never a rule of its own. A restricted COE
  is therefore seen only by a token whose creator is in the COE's team or committee.

A token issued without scopes is read-only; without teams it covers every team.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet
from django.http import Http404
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import BasePermission

from actions.models import ActionItem
from actions.selectors import visible_items
from orr.models import ApiToken
from reviews import permissions
from reviews.access import get_document_for_user
from reviews.visibility import visible_documents

READ = ApiToken.Scope.READ
WRITE_ACTION_ITEMS = ApiToken.Scope.WRITE_ACTION_ITEMS
INTAKE = ApiToken.Scope.INTAKE


# --- the token's own limits (orr.models.ApiToken) ----------------------------------------------

def token_allows(token, scope: str) -> bool:
    return token.allows(scope)


def token_covers_service(token, service) -> bool:
    return token.covers_service(service)


def token_team_ids(token) -> frozenset[int] | None:
    """The ids of the teams the token covers; None when it covers every team (lists filter by
    them in the database)."""
    if token.all_teams:
        return None
    if not hasattr(token, "_api_team_ids"):
        token._api_team_ids = frozenset(token.teams.values_list("pk", flat=True))
    return token._api_team_ids


class TokenScope(BasePermission):
    """Every API view names the scope each of its actions needs (`required_scope`)."""

    message = "This token may not do that."

    def has_permission(self, request, view) -> bool:
        scope = view.required_scope(request)
        if not token_allows(request.auth, scope):
            raise PermissionDenied(f"This token lacks the “{scope}” scope.")
        return True


# --- what the token's person sees -------------------------------------------------------------

def acting_user(token):
    """The person a token acts as: its creator while they are active, else nobody."""
    user = getattr(token, "created_by", None)
    return user if user is not None and user.is_active else AnonymousUser()


def _in_teams(qs: QuerySet, token, team_field: str) -> QuerySet:
    team_ids = token_team_ids(token)
    return qs if team_ids is None else qs.filter(**{f"{team_field}__in": team_ids})


def services(request, qs: QuerySet) -> QuerySet:
    return _in_teams(qs, request.auth, "team_id")


def teams(request, qs: QuerySet) -> QuerySet:
    return _in_teams(qs, request.auth, "pk")


def documents(request, qs: QuerySet) -> QuerySet:
    """The ORRs or COEs of `qs` the request may see."""
    return _in_teams(visible_documents(request.user, qs), request.auth, "service__team_id")


def action_items(request, qs: QuerySet[ActionItem]) -> QuerySet[ActionItem]:
    """The item list's rule and the item page's together: an item of a document the person may
    not see (a restricted COE, even for an ops lead) is shown only to its owner."""
    user = request.user
    if not getattr(user, "is_authenticated", False):
        return qs.none()
    seen_documents = visible_documents(user).values("pk")
    page_rule = Q(document__isnull=True) | Q(owner=user) | Q(document__in=seen_documents)
    return _in_teams(visible_items(user, qs).filter(page_rule), request.auth, "team_id")


def get_document(request, code: str, action: str = "view", *, queryset=None):
    """The document through the pages' one loader: 404 for what the request may not see (the
    person may not, or the token does not cover its service), 403 for what it may not do."""
    document = get_document_for_user(request, code, queryset=queryset)
    if not token_covers_service(request.auth, document.service):
        raise Http404("No such document.")
    permissions.check(request.user, document, action)
    return document


def check_service(request, service) -> None:
    if not token_covers_service(request.auth, service):
        raise Http404("No such service.")


def check_change_item(request, item: ActionItem) -> None:
    if not permissions.can_change_action_item(request.user, item):
        raise PermissionDenied("Only the owner, the owning team and ops leads change an item.")
