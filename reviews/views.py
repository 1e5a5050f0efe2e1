from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from opsreview.workdays import working_days_between
from reviews import permissions
from reviews.models import Decision, Document


def queue(request):
    """Every document in review that the user can still decide, oldest first."""
    decided = Decision.objects.filter(
        document=OuterRef("pk"), reviewer=request.user, round=OuterRef("review_round")
    )
    documents = list(
        Document.objects.alive().in_review()
        .filter(assignments__user=request.user).exclude(author=request.user)
        .exclude(Exists(decided))
        .select_related("service__team", "author").order_by("submitted_at")
    )
    today = timezone.localdate()
    limit = settings.COE_REVIEW_OVERDUE_WORKING_DAYS
    rows = []
    # No gates here: evaluating them costs a handful of queries per document, so a long queue
    # cost hundreds; a document in review passed them on submit and is read-only until decided.
    # The document page shows them, and approving enforces them again.
    for doc in documents:
        waited = working_days_between(timezone.localdate(doc.submitted_at), today)
        rows.append({"doc": doc, "waited": waited, "late": doc.kind == "coe" and waited > limit})
    return render(request, "reviews/queue.html", {"rows": rows, "limit": limit})


@require_POST
def document_delete(request, code):
    document = get_object_or_404(Document.objects.select_related("service"), code=code)
    permissions.check(request.user, document, "view")
    if not permissions.can_delete(request.user, document):
        raise PermissionDenied("Only a draft can be deleted, by its author or team.")
    document.soft_delete(by=request.user)
    messages.success(request, f"{document.code} moved to the trash. You can restore it there.")
    return redirect("reviews:trash")


@require_POST
def document_restore(request, code):
    document = get_object_or_404(Document.objects.deleted().select_related("service"), code=code)
    if not permissions.can_restore(request.user, document):
        raise Http404("No such document.")
    document.restore(by=request.user)
    messages.success(request, f"{document.code} restored.")
    return redirect(document)


def trash(request):
    r = permissions.roles(request.user)
    documents = Document.objects.deleted().select_related("service", "author")
    mine = Q(service__team_id__in=r.team_ids)
    # An admin restores anything but a restricted COE, which stays its team's (permissions.py).
    documents = documents.filter(mine | ~Q(postmortem__restricted=True) if r.admin else mine)
    return render(request, "reviews/trash.html", {"documents": list(documents)})
