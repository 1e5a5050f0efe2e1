"""Who may do what with a document: the one permission matrix of the project.

Roles come from `reviews.roles`; who may *see* a document is `reviews.visibility`. Views ask
these functions; they never test roles inline.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404

from reviews.roles import Roles, in_team, is_ops_lead, roles
from reviews.visibility import is_assigned, is_item_visible, is_restricted, is_visible

__all__ = ["Roles", "roles", "is_ops_lead", "in_team", "check", "can_view", "can_edit",
           "can_submit", "may_edit_from_loaded", "can_comment", "can_decide", "can_export",
           "can_delete", "can_restore", "can_view_action_item", "can_change_action_item"]


def can_view(user, document) -> bool:
    """The visibility rule of `reviews.visibility` (one place for it)."""
    return is_visible(user, document)


def can_edit(user, document) -> bool:
    if not document.is_editable or not can_view(user, document):
        return False
    return document.author_id == user.pk or in_team(user, document.service.team_id)


can_submit = can_edit


def may_edit_from_loaded(user, document, *, user_in_team: bool) -> bool:
    """`can_edit` from facts loaded beside the document in one query (the autosave's), True
    only when they settle it: an editable, undeleted document of which the user is the author
    or in the owning team (an insider, so visible). False means "ask `check`", which then
    answers 404 or 403 exactly as for any other page."""
    return (
        document.is_editable
        and not document.deleted_at
        and (document.author_id == user.pk or user_in_team)
    )


def can_comment(user, document) -> bool:
    return can_view(user, document)


def can_decide(user, document) -> bool:
    return (
        document.state == "in_review"
        and document.author_id != user.pk
        and is_assigned(user, document)
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
    if document.service.team_id in r.team_ids:
        return True
    return r.admin and not is_restricted(document)


def can_view_action_item(user, item) -> bool:
    """The rule of `reviews.visibility.is_item_visible`."""
    return is_item_visible(user, item)


def can_change_action_item(user, item) -> bool:
    if not can_view_action_item(user, item):
        return False
    return item.owner_id == user.pk or in_team(user, item.team_id) or is_ops_lead(user)


# --- the organisation: teams, services, people, API tokens ---------------------------------
# Everyone signed in reads the team and service directory; ops leads and admins change it.

can_manage_org = is_ops_lead


def can_issue_tokens(user) -> bool:
    """Reviewers and ops leads issue API tokens for their pipelines and scripts."""
    return roles(user).is_reviewer or is_ops_lead(user)


def can_manage_token(user, token) -> bool:
    """A token is revoked by whoever issued it (even after losing the role), and by ops leads."""
    return is_ops_lead(user) or token.created_by_id == user.pk
