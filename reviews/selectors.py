"""Reads shared by every document kind."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet

from opsreview import permissions
from reviews.models import Document, ReviewerAssignment, State


def visible_documents(user, queryset: QuerySet | None = None) -> QuerySet:
    """The documents `user` may see: the rules of `permissions.can_view`, as one query.

    `queryset` narrows it to one kind (e.g. `Postmortem.objects.all()`).
    """
    qs = Document.objects.all() if queryset is None else queryset
    if not getattr(user, "is_authenticated", False):
        return qs.none()
    roles = permissions.roles(user)
    assigned = ReviewerAssignment.objects.filter(document_id=OuterRef("pk"), user=user)
    insider = Q(author=user) | Q(service__team_id__in=roles.team_ids) | Exists(assigned)
    # Only a COE can be restricted; the flag lives on the Postmortem child table.
    field_names = {f.name for f in qs.model._meta.get_fields()}
    if "restricted" in field_names:
        outside = Q(restricted=False)
    elif "postmortem" in field_names:
        outside = ~Q(postmortem__restricted=True)
    else:
        outside = Q()
    if not (roles.admin or roles.ops_lead):
        outside &= ~Q(state=State.DRAFT)
    return qs.filter(deleted_at__isnull=True).filter(insider | outside)
