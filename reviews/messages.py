"""The review workflow as the pages run it: call the service, tell the user what happened.

ORR and COE pages share these, so both say the same thing about the same gates.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError

from reviews import gates
from reviews.services import document_decide, document_submit


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


def decide_with_message(request, document, form) -> None:
    """Record the decision of a valid DecisionForm, or say why it was refused."""
    try:
        document_decide(document=document, reviewer=request.user,
                        verdict=form.cleaned_data["verdict"], reason=form.cleaned_data["reason"],
                        flagged_answers=form.cleaned_data["flagged"])
    except gates.GatesFailed as exc:
        messages.error(request, _failing("Not approved.", exc))
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    else:
        document.refresh_from_db()
        messages.success(request, f"Decision recorded; {document.code} is now "
                                  f"{document.get_state_display().lower()}.")
