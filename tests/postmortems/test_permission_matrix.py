"""Every cell of the COE permission matrix, walked through the real URLs, restricted or not.

The expected table is written out by hand from the product rules: a restricted COE is visible
only to the owning team and the committee; other teams' drafts are hidden (404, not 403).
"""

import datetime as dt

import pytest
from django.urls import reverse

from postmortems import services as pm
from reviews.models import Document
from tests.matrix import FORBIDDEN, HIDDEN, LOGIN, OK, STATES, outcome, performed

ROLES = ["author", "teammate", "committee", "ops_lead", "admin", "outsider", "anonymous"]
INSIDERS = ("author", "teammate", "committee")


def expected(role: str, action: str, state: str, restricted: bool) -> str:
    if role == "anonymous":
        return LOGIN
    if restricted:
        visible = role in INSIDERS
    else:
        visible = state != "draft" or role in INSIDERS + ("ops_lead", "admin")
    if not visible:
        return HIDDEN
    if action in ("view", "export"):
        return OK
    if action in ("edit", "submit"):
        editable = state in ("draft", "changes_requested")
        return OK if editable and role in ("author", "teammate") else FORBIDDEN
    if action == "decide":
        return OK if state == "in_review" and role == "committee" else FORBIDDEN
    raise AssertionError(action)


def request(client, action, coe, answer):
    if action == "view":
        return client.get(reverse("postmortems:detail", args=[coe.code]))
    if action == "edit":
        return client.post(reverse("postmortems:answer_save", args=[coe.code, answer.pk]),
                           {f"q{answer.pk}-revision": answer.revision,
                            f"q{answer.pk}-text": "x", f"q{answer.pk}-risk": ""})
    if action == "submit":
        return client.post(reverse("postmortems:submit", args=[coe.code]))
    if action == "export":
        return client.post(reverse("reports:export_create", args=[coe.code]))
    if action == "decide":
        return client.post(reverse("postmortems:decide", args=[coe.code]),
                           {"verdict": "request_changes", "reason": "Go one why deeper."})
    raise AssertionError(action)


@pytest.fixture
def people(author, teammate, reviewer, ops_lead, outsider, django_user_model):
    admin = django_user_model.objects.create_superuser("root", password="pw")
    return {"author": author, "teammate": teammate, "committee": reviewer, "ops_lead": ops_lead,
            "admin": admin, "outsider": outsider, "anonymous": None}


@pytest.mark.parametrize("restricted", [False, True], ids=["open", "restricted"])
@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("action", ["view", "edit", "submit", "decide", "export"])
@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix(client, questionnaires, checkout, people, author, reviewer, role,
                           action, state, restricted):
    coe = pm.postmortem_create(
        service=checkout, by=author, title="Checkout 502s", incident_tz="UTC", severity=2,
        incident_start=dt.datetime(2026, 11, 2, 9, tzinfo=dt.UTC), restricted=restricted,
        committee=[reviewer],
    )
    Document.objects.filter(pk=coe.pk).update(state=state, review_round=1)
    user = people[role]
    if user is not None:
        client.force_login(user)
    answer = coe.answers.first()
    response = request(client, action, coe, answer)
    done = performed(action, response, document=coe, state=state, answer=answer, user=user)
    assert outcome(response, done) == expected(role, action, state, restricted)
