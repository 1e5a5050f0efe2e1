"""Loading a document for a request: the one access helper every document page uses."""

from __future__ import annotations

import datetime as dt

from django.apps import apps
from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Exists, IntegerField, JSONField, OuterRef, QuerySet, Subquery
from django.db.models.fields.json import KT
from django.db.models.functions import Cast
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from catalog.models import Membership
from opsreview.prepared import Prepared, PreparedShapes
from reviews.events import Verb
from reviews.models import Answer, Document, Event, Kind, ReviewerAssignment
from reviews.permissions import check, may_edit_from_loaded

# Rapid saves of one answer by one person within this long share one history row.
COALESCE_SECONDS = 60

# Each kind's own model, by "app_label.Model" (resolved lazily: reviews never imports the apps
# above it). A new document kind adds its line here.
KIND_MODELS = {Kind.ORR: "orr.ReadinessReview", Kind.COE: "postmortems.Postmortem"}


def model_for_kind(kind: str):
    label = KIND_MODELS.get(kind)
    if label is None:
        raise Http404("No such document.")
    return apps.get_model(label)


# A document's reviewer assignments with their users, as its pages show them (prepared: see
# opsreview.prepared; `related=` of a document's query).
ASSIGNMENTS_OF = Prepared(lambda document_id: ReviewerAssignment.objects.filter(
    document_id=document_id).select_related("user"))


def get_document_for_user(
    request, code: str, action: str = "view", *, queryset: QuerySet | Prepared | None = None
) -> Document:
    """The document `code` as its own class, or 404 (may not see it) / 403 (may not `action`).

    `queryset` is the caller's query of one kind (with its select/prefetch), or a prepared one
    taking the code (`opsreview.prepared`); without it the
    kind is looked up first and the document is loaded with its service, team and reviewers.
    The permission rules are `reviews.permissions.check`.
    """
    if queryset is None:
        kind = Document.objects.filter(code=code).values_list("kind", flat=True).first()
        queryset = (
            model_for_kind(kind).objects.select_related("service__team")
            .prefetch_related("assignments")
        )
    if isinstance(queryset, Prepared):
        try:
            document = queryset.get(code)
        except ObjectDoesNotExist:
            raise Http404("No such document.") from None
    else:
        document = get_object_or_404(queryset, code=code)
    check(request.user, document, action)
    return document


def get_answer_for_edit(request, kind: str, code: str, pk: int,
                        base_revision: int | None) -> Answer:
    """The answer `pk` of document `code` for an autosave, in one query, or 404 / 403.

    Loaded with it: its question (and section), its document (a plain `Document` row), whether
    the user is in the owning team, and the history row a save on `base_revision` may extend
    (`burst_id`, `burst_data`: the person's own "answer saved" row for this answer, recording
    exactly that revision, at most COALESCE_SECONDS old; see `reviews.services.answer_save`).
    When those facts do not settle the permission, the full check runs (more queries, same
    404/403 as every page).
    """
    user = request.user
    since = timezone.now() - dt.timedelta(seconds=COALESCE_SECONDS)
    shape = base_revision is not None
    found = _ANSWER_FOR_EDIT(shape, pk, code, kind, user.pk,
                             *((since, base_revision) if shape else ()))
    answer = found[0] if found else None
    if answer is None:
        raise Http404("No such answer.")
    if not may_edit_from_loaded(user, answer.document, user_in_team=answer.user_in_team):
        get_document_for_user(request, code, "edit")
    return answer


def _answer_for_edit(with_burst: bool):
    """The query of `get_answer_for_edit`, with or without the history row a save may extend."""

    def build(pk, code, kind, user_id, since=None, base_revision=None):
        burst = Event.objects.none()
        if with_burst:
            burst = (
                Event.objects.annotate(question_key=KT("data__question"),
                                       revision_key=Cast(KT("data__revision"), IntegerField()))
                .filter(document_id=OuterRef("document_id"), verb=Verb.ANSWER_SAVED,
                        actor_id=user_id, at__gte=since, question_key=OuterRef("question__key"),
                        revision_key=base_revision)
                .order_by("-pk")
            )
        return (
            Answer.objects.select_related("question__section", "document")
            .filter(pk=pk, document__code=code, document__kind=kind)
            .annotate(
                user_in_team=Exists(Membership.objects.filter(
                    user_id=user_id, team_id=OuterRef("document__service__team_id"))),
                burst_id=Subquery(burst.values("pk")[:1]),
                burst_data=Subquery(burst.values("data")[:1], output_field=JSONField()),
            )[:1]
        )
    return build


# Compiled once per process (opsreview.prepared): every autosave runs it.
_ANSWER_FOR_EDIT = PreparedShapes(_answer_for_edit)


def base_revision_posted(request, pk: int) -> int | None:
    """The revision an autosave of answer `pk` is based on, as posted (the form validates it)."""
    try:
        return int(request.POST.get(f"q{pk}-revision", ""))
    except ValueError:
        return None
