from django.shortcuts import get_object_or_404, render

from opsreview import permissions
from postmortems.models import Postmortem


def postmortem_list(request):
    postmortems = (
        Postmortem.objects.alive().select_related("service__team", "author")
        .prefetch_related("assignments", "tags").order_by("-incident_start")
    )
    visible = [p for p in postmortems[:500] if permissions.can_view(request.user, p)]
    return render(request, "postmortems/postmortem_list.html", {"postmortems": visible})


def postmortem_detail(request, code):
    postmortem = get_object_or_404(
        Postmortem.objects.select_related("service__team", "author", "version")
        .prefetch_related("assignments__user", "tags", "timeline", "factors", "lessons"),
        code=code,
    )
    permissions.check(request.user, postmortem, "view")
    return render(request, "postmortems/postmortem_detail.html", {"postmortem": postmortem})
