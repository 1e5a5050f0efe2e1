"""The service history page: every ORR and milestone of a service, and two of them compared."""

from __future__ import annotations

from django.shortcuts import get_object_or_404, render

from catalog.models import Service
from orr import history


def service_history(request, slug):
    service = get_object_or_404(Service.objects.select_related("team"), slug=slug)
    found = history.service_history(service, request.user)
    a, b = found.point(request.GET.get("a", "")), found.point(request.GET.get("b", ""))
    error = ""
    if request.GET.get("a") and (a is None or b is None):
        error = "Choose two reviews or milestones of this service to compare."
    if a is None and b is None and not request.GET.get("a") and len(found.reviews) >= 2:
        # By default: the last approved review before the latest one, against the latest.
        b = found.point(f"r{found.reviews[0].pk}")
        a = found.point(f"r{found.reviews[1].pk}")
    comparison = None
    if a and b:
        comparison = history.compare(history.point_snapshot(a), history.point_snapshot(b))
    return render(request, "orr/service_history.html", {
        "service": service, "history": found, "a": a, "b": b, "comparison": comparison,
        "error": error,
    })
