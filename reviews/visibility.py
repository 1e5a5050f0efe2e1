"""Who may SEE a document: the one visibility rule of the project, in Python and in SQL.

Every page, list, search, export and API that shows a document (ORR or COE), or something that
belongs to one (action items, attachments, comments), asks this module. Two forms of the same
rule, kept side by side so they cannot drift apart:

* `is_visible(user, document)` for one loaded document (the permission checks use it);
* `visible_q(user)` / `visible_documents(user, qs)` for a queryset (lists, search, counts).

The rule, in words:

1. Nobody sees a deleted document, and an anonymous user sees nothing.
2. An *insider* sees it: a current member of the service's owning team, or an assigned
   reviewer (for a COE: a member of the peer-review committee). Authorship alone grants
   nothing: an author who leaves the team loses access like anyone else.
3. Nobody else sees a *restricted* COE (only a COE can be restricted; the flag lives on the
   Postmortem child row): not ops leads, not admins (the Django admin included).
4. Ops leads and admins see every other document, drafts included.
5. Everyone else sees every non-restricted document that is no longer a draft.

What is read org-wide (the weekly report, its PDF, CSVs and e-mail; escalations to ops leads
who may not see the item) counts restricted COEs and drafts but never shows their details
(title, code, team, service, impact, tags, action items): `details_public` / `details_public_q`.
Action items follow their document (`item_visible_q`); e-mails, notifications, exports, search,
tag lists and the API follow the same functions.

`outsider_q` is rule 3 to 5 on its own, with a field prefix, for rows that hang off a document
(the action item lists use it with ``prefix="document__"``).
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet

from reviews.models import Document, ReviewerAssignment, State
from reviews.roles import Roles, roles


def is_assigned(user, document) -> bool:
    # Views prefetch "assignments"; fall back to a query for code paths that did not.
    cache = getattr(document, "_prefetched_objects_cache", {})
    if "assignments" in cache:
        return any(a.user_id == user.pk for a in cache["assignments"])
    return document.assignments.filter(user=user).exists()


def is_restricted(document) -> bool:
    """True for a restricted COE, whether loaded as a Postmortem or as a plain Document row."""
    if hasattr(document, "restricted"):
        return bool(document.restricted)
    if document.kind == "coe":  # a plain Document row: the flag is on the Postmortem row
        return Document.objects.filter(
            pk=document.pk, postmortem__restricted=True
        ).exists()
    return False


def is_insider(user, document) -> bool:
    """A current member of the owning team, or an assigned reviewer / committee member."""
    return document.service.team_id in roles(user).team_ids or is_assigned(user, document)


def is_visible(user, document) -> bool:
    """Rule 1 to 5 of the module docstring for one loaded document."""
    if not getattr(user, "is_authenticated", False) or document.deleted_at:
        return False
    if is_insider(user, document):
        return True
    if is_restricted(document):
        return False
    r = roles(user)
    if r.admin or r.ops_lead:
        return True
    return document.state != State.DRAFT


def outsider_q(user, prefix: str = "", *, model=None) -> Q:
    """Rule 3 to 5 as a filter on a document reached through `prefix` ("" or "document__").

    With no prefix, `model` is the queryset's model: a Postmortem queryset carries the
    restricted flag itself, a Document queryset reaches it through the child row, and a
    ReadinessReview queryset is never restricted.
    """
    r = roles(user)
    if prefix:
        outside = ~Q(**{f"{prefix}postmortem__restricted": True})
    else:
        field_names = {f.name for f in (model or Document)._meta.get_fields()}
        if "restricted" in field_names:
            outside = Q(restricted=False)
        elif "postmortem" in field_names:
            outside = ~Q(postmortem__restricted=True)
        else:
            # Never restricted. Not Q(): an empty Q drops out of `insider | outside` in
            # visible_q, which then showed ops leads and outsiders no ORR at all.
            outside = Q(pk__isnull=False)
    if not (r.admin or r.ops_lead):
        outside &= ~Q(**{f"{prefix}state": State.DRAFT})
    return outside


def visible_q(user, model=Document) -> Q:
    """Rule 2 to 5 as one filter over a queryset of `model` (Document or one of its kinds)."""
    r = roles(user)
    assigned = ReviewerAssignment.objects.filter(document_id=OuterRef("pk"), user_id=user.pk)
    insider = Q(service__team_id__in=r.team_ids) | Exists(assigned)
    return insider | outsider_q(user, model=model)


def visible_documents(user, queryset: QuerySet | None = None) -> QuerySet:
    """The documents `user` may see, as one query.

    `queryset` narrows it to one kind (e.g. `Postmortem.objects.all()`).
    """
    qs = Document.objects.all() if queryset is None else queryset
    if not getattr(user, "is_authenticated", False):
        return qs.none()
    return qs.filter(deleted_at__isnull=True).filter(visible_q(user, qs.model))


# --- what may be shown org-wide --------------------------------------------------------------


def details_public(document) -> bool:
    """May everyone signed in see this document's details (title, items, tags, impact)?"""
    return not (document.deleted_at or is_restricted(document) or document.state == State.DRAFT)


def details_public_q(prefix: str = "", *, postmortem: bool = False) -> Q:
    """`details_public` as a filter: on Document rows, on Postmortem rows (`postmortem=True`),
    or with `prefix` such as "document__" on rows that point at one (rows that point at none
    pass)."""
    restricted = f"{prefix}restricted" if postmortem else f"{prefix}postmortem__restricted"
    hidden = (Q(**{f"{prefix}state": State.DRAFT}) | Q(**{f"{prefix}deleted_at__isnull": False})
              | Q(**{restricted: True}))
    public = ~hidden
    if prefix and not postmortem:
        public |= Q(**{f"{prefix.removesuffix('__')}__isnull": True})
    return public


def restricted_visible_q(user, prefix: str = "", *, postmortem: bool = False) -> Q:
    """Rows that are not a restricted COE's, or are and `user` is in its team or committee:
    for tools that otherwise show everything (the Django admin of a superuser)."""
    r = roles(user)
    restricted = f"{prefix}restricted" if postmortem else f"{prefix}postmortem__restricted"
    ref = f"{prefix.removesuffix('__')}_id" if prefix else "pk"
    assigned = ReviewerAssignment.objects.filter(document_id=OuterRef(ref), user=user)
    return (~Q(**{restricted: True}) | Q(**{f"{prefix}service__team_id__in": r.team_ids})
            | Exists(assigned))


# --- things that belong to a document: action items ------------------------------------------


def is_item_visible(user, item) -> bool:
    """An item follows its document. Its owner sees it too, unless it belongs to a restricted
    COE (then only the team and the committee do)."""
    if item.document_id is None:
        return True
    document = item.document
    if is_visible(user, document):
        return True
    return item.owner_id == user.pk and not is_restricted(document) and not document.deleted_at


def item_visible_q(user) -> Q:
    """`is_item_visible` as a filter over action items."""
    r = roles(user)
    assigned = ReviewerAssignment.objects.filter(document_id=OuterRef("document_id"),
                                                 user_id=user.pk)
    insider = Q(document__service__team_id__in=r.team_ids) | Exists(assigned)
    restricted = Q(document__postmortem__restricted=True)
    outside = ~restricted
    if not (r.admin or r.ops_lead):
        outside &= ~Q(document__state=State.DRAFT)
    owner = Q(owner_id=user.pk) & ~restricted
    alive = Q(document__deleted_at__isnull=True)
    return Q(document__isnull=True) | (alive & (insider | outside | owner))


# --- prepared queries of what a viewer may see -------------------------------------------------


def viewer_shape(user) -> tuple[tuple[bool, int], tuple[int, ...]]:
    """What a prepared query (opsreview.prepared) of the documents `user` may see is built from:
    its shape (sees drafts?, how many teams) and its arguments (the user's id, then the team
    ids). People of the same shape share the compiled SQL."""
    r = roles(user)
    return (r.ops_lead or r.admin, len(r.team_ids)), (user.pk, *sorted(r.team_ids))


class StandInViewer:
    """The viewer a prepared query is built for: `viewer_shape`'s stand-in id and team ids, and
    the roles `visible_q` reads, without a user row."""

    is_authenticated = True

    def __init__(self, shape: tuple[bool, int], user_id: int, team_ids):
        sees_drafts, _teams = shape
        self.pk = user_id
        self._opsreview_roles = Roles(team_ids=frozenset(team_ids), ops_lead=sees_drafts)

    @classmethod
    def taking(cls, shape: tuple[bool, int], user_id: int, args: tuple):
        """The viewer from `viewer_shape`'s arguments (the user's id, then as many team ids as
        the shape says, at the start of `args`), and the arguments after them."""
        teams = shape[1]
        return cls(shape, user_id, args[:teams]), args[teams:]
