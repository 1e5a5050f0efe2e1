"""Loading a document for a request: the one access helper every document page uses."""

from __future__ import annotations

from django.apps import apps
from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from reviews.models import Document, Kind
from reviews.permissions import check

# Each kind's own model, by "app_label.Model" (resolved lazily: reviews never imports the apps
# above it). A new document kind adds its line here.
KIND_MODELS = {Kind.ORR: "orr.ReadinessReview", Kind.COE: "postmortems.Postmortem"}


def model_for_kind(kind: str):
    label = KIND_MODELS.get(kind)
    if label is None:
        raise Http404("No such document.")
    return apps.get_model(label)


def get_document_for_user(
    request, code: str, action: str = "view", *, queryset: QuerySet | None = None
) -> Document:
    """The document `code` as its own class, or 404 (may not see it) / 403 (may not `action`).

    `queryset` is the caller's query of one kind (with its select/prefetch); without it the
    kind is looked up first and the document is loaded with its service, team and reviewers.
    The permission rules are `reviews.permissions.check`.
    """
    if queryset is None:
        kind = Document.objects.filter(code=code).values_list("kind", flat=True).first()
        queryset = (
            model_for_kind(kind).objects.select_related("service__team")
            .prefetch_related("assignments")
        )
    document = get_object_or_404(queryset, code=code)
    check(request.user, document, action)
    return document
