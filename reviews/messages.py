"""The review workflow as the pages run it: call the service, tell the user what happened.

ORR and COE pages share these, so both say the same thing about the same gates.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import JsonResponse
from django.utils import timezone

from reviews import gates
from reviews.services import ANSWER_FIELDS, answer_save, document_decide, document_submit


def _failing(prefix: str, exc: gates.GatesFailed) -> str:
    return f"{prefix} Failing gates: " + "; ".join(f"{r.label} — {r.message}" for r in exc.failed)


def submit_with_message(request, document, *, success: str) -> None:
    try:
        document_submit(document=document, by=request.user)
    except gates.GatesFailed as exc:
        messages.error(request, _failing("Not submitted.", exc))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, success)


def decide_with_message(request, document, form, *, flagged=None) -> None:
    """Record the decision of a valid DecisionForm, or say why it was refused. `flagged`: the
    answers flagged on their cards, when the form has no list of its own."""
    if flagged is None:
        flagged = form.cleaned_data.get("flagged", ())
    try:
        document_decide(document=document, reviewer=request.user,
                        verdict=form.cleaned_data["verdict"], reason=form.cleaned_data["reason"],
                        flagged_answers=flagged)
    except gates.GatesFailed as exc:
        messages.error(request, _failing("Not approved.", exc))
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    else:
        document.refresh_from_db()
        messages.success(request, f"Decision recorded; {document.code} is now "
                                  f"{document.get_state_display().lower()}.")


def _wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def answer_save_response(request, answer, form, *, back):
    """Save a posted AnswerForm: JSON for autosave (200, 400, 409 with both texts), or a
    message and `back` for a plain form post. A conflict never overwrites anything."""
    if not form.is_valid():
        errors = {k: [str(e) for e in v] for k, v in form.errors.items()}
        if _wants_json(request):
            return JsonResponse({"ok": False, "errors": errors}, status=400)
        messages.error(request, "Not saved: " + "; ".join(sum(errors.values(), [])))
        return back
    data = form.cleaned_data
    mine = {k: data[k] for k in ANSWER_FIELDS if k in data}
    result = answer_save(answer=answer, by=request.user, base_revision=data["revision"], **mine)
    if _wants_json(request):
        if result.ok:
            return JsonResponse({"ok": True, "revision": result.answer.revision,
                                 "saved_at": timezone.now().isoformat()})
        return JsonResponse({"ok": False, "conflict": True, "theirs": result.theirs,
                             "mine": mine}, status=409)
    if result.ok:
        messages.success(request, "Answer saved.")
    else:
        messages.error(request, f"Not saved: {result.theirs['updated_by']} changed this answer "
                                f"meanwhile. Their text is now in the editor; yours was: "
                                f"{mine.get('text', '')[:1000]}")
        request.session[f"conflict-{answer.pk}"] = mine
    return back
