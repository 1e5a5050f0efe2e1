from django.http import JsonResponse
from django.views.decorators.http import require_POST

from postmortems.blamelint import FIELDS, lint

MAX_CHARS = 20_000


@require_POST
def lint_text(request):
    """The wording check for text being typed: the editor shows the findings inline."""
    field = request.POST.get("field", "factor")
    if field not in FIELDS:
        return JsonResponse({"error": f"field must be one of {', '.join(FIELDS)}"}, status=400)
    text = request.POST.get("text", "")[:MAX_CHARS]
    return JsonResponse({"findings": [f.to_dict() for f in lint(text, field=field)]})
