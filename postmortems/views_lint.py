from django.http import JsonResponse
from django.views.decorators.http import require_POST

from postmortems import services
from postmortems.blamelint import FIELDS, lint
from postmortems.views import get_postmortem_for_user

MAX_CHARS = 20_000


@require_POST
def lint_text(request):
    """The wording check for text being typed: the editor shows the findings inline.

    With ``postmortem`` (a COE code the user may see) the check also knows its participants.
    """
    field = request.POST.get("field", "factor")
    if field not in FIELDS:
        return JsonResponse({"error": f"field must be one of {', '.join(FIELDS)}"}, status=400)
    text = request.POST.get("text", "")[:MAX_CHARS]
    people = ()
    if code := request.POST.get("postmortem", "").strip():
        people = services.participant_names(get_postmortem_for_user(request, code).pk)
    findings = lint(text, field=field, participants=people)
    return JsonResponse({"findings": [f.to_dict() for f in findings]})
