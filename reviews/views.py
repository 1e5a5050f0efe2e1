from django.conf import settings
from django.db.models import Exists, OuterRef
from django.shortcuts import render
from django.utils import timezone

from actions.services import working_days_between
from reviews import gates
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
    for doc in documents:
        waited = working_days_between(timezone.localdate(doc.submitted_at), today)
        rows.append({
            "doc": doc,
            "gates": gates.evaluate(doc),
            "waited": waited,
            "late": doc.kind == "coe" and waited > limit,
        })
    return render(request, "reviews/queue.html", {"rows": rows, "limit": limit})
