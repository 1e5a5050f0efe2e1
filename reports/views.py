from collections import Counter

from django.shortcuts import render
from django.utils import timezone

from actions.models import ActionItem
from catalog.models import Service
from orr.services import Readiness, readiness_for_services


def index(request):
    """Readiness and overdue action items across the organisation, as of today."""
    services = list(Service.objects.select_related("team").order_by("team__name", "name"))
    readiness = readiness_for_services(services)
    counts = Counter(r.status for r in readiness.values())
    overdue = Counter(
        ActionItem.objects.overdue().values_list("team__name", flat=True)
    )
    return render(request, "reports/index.html", {
        "as_of": timezone.localdate(),
        "readiness_counts": [
            (label, counts.get(key, 0), key) for key, label in Readiness.LABELS.items()
        ],
        "not_ready": [(s, readiness[s.pk]) for s in services if readiness[s.pk].status != "ready"],
        "overdue_by_team": sorted(overdue.items(), key=lambda kv: -kv[1]),
    })
