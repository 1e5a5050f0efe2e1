"""What both permission-matrix tests read a response as.

A response is read by what actually happened, not by its status alone: a 200 or a redirect
counts as OK only when the action took effect (the answer saved, the comment, decision or export
recorded, the submission run through its gates). An allowed-looking redirect that did nothing
reads as NOT_DONE, so a permission check that quietly bounces the user back cannot pass as OK.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.messages import get_messages
from django.urls import reverse

from reports.models import Export
from reviews.models import Answer, Comment, Decision, Document, State

OK, FORBIDDEN, HIDDEN, LOGIN, NOT_DONE = "ok", "403", "404", "login", "not done"
STATES = ["draft", "in_review", "changes_requested", "approved"]


def outcome(response, performed: Callable[[], bool]) -> str:
    if response.status_code == 302 and reverse("login") in response["Location"]:
        return LOGIN
    if response.status_code in (200, 302):
        return OK if performed() else NOT_DONE
    return str(response.status_code)


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def performed(action: str, response, *, document: Document, state: str, answer: Answer, user,
              text: str = "x") -> Callable[[], bool]:
    """Did `action` by `user` on `document` take effect? (Evaluated only for a 200/302.)"""

    def check() -> bool:
        if action == "view":
            return response.status_code == 200 and document.code in response.content.decode()
        if action == "edit":
            answer.refresh_from_db()
            return answer.text == text and answer.updated_by_id == user.pk
        if action == "submit":
            # The documents of the matrix do not pass their gates: a submission that ran ends
            # in the gate message; one that passed moves the document into review.
            now = Document.objects.get(pk=document.pk).state
            moved = state != State.IN_REVIEW and now == State.IN_REVIEW
            return moved or any(m.startswith("Not submitted.") for m in messages_of(response))
        if action == "comment":
            return Comment.objects.filter(answer=answer, author=user, body="hi").exists()
        if action == "decide":
            return Decision.objects.filter(document_id=document.pk, reviewer=user).exists()
        if action == "export":
            return Export.objects.filter(document_id=document.pk, requested_by=user).exists()
        raise AssertionError(action)

    return check
