"""What both permission-matrix tests read a response as."""

from django.urls import reverse

OK, FORBIDDEN, HIDDEN, LOGIN = "ok", "403", "404", "login"
STATES = ["draft", "in_review", "changes_requested", "approved"]


def outcome(response) -> str:
    if response.status_code == 302 and reverse("login") in response["Location"]:
        return LOGIN
    if response.status_code in (200, 302):
        return OK
    return str(response.status_code)
