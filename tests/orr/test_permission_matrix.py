"""Every cell of the ORR permission matrix, walked through the real URLs.

The expected table is written out here by hand, from the product rules, not derived from
reviews.permissions: a change to the rules must change this table too.
"""

import pytest
from django.urls import reverse

from reviews.models import Document
from reviews.services import document_assign_reviewer
from tests.matrix import FORBIDDEN, HIDDEN, LOGIN, OK, STATES, outcome, performed

ROLES = ["author", "teammate", "reviewer", "ops_lead", "admin", "outsider", "anonymous"]



def expected(role: str, action: str, state: str) -> str:
    if role == "anonymous":
        return LOGIN
    visible = state != "draft" or role in ("author", "teammate", "reviewer", "ops_lead", "admin")
    if not visible:
        return HIDDEN
    if action in ("view", "comment", "export"):
        return OK
    if action in ("edit", "submit"):
        editable = state in ("draft", "changes_requested")
        return OK if editable and role in ("author", "teammate") else FORBIDDEN
    if action == "decide":
        return OK if state == "in_review" and role == "reviewer" else FORBIDDEN
    raise AssertionError(action)


def request(client, action, review, answer):
    code = review.code
    if action == "view":
        return client.get(reverse("orr:detail", args=[code]))
    if action == "edit":
        return client.post(reverse("orr:answer_save", args=[code, answer.pk]),
                           {f"q{answer.pk}-revision": answer.revision,
                            f"q{answer.pk}-text": "x", f"q{answer.pk}-risk": "none"})
    if action == "submit":
        return client.post(reverse("orr:submit", args=[code]))
    if action == "comment":
        return client.post(reverse("orr:answer_comment", args=[code, answer.pk]), {"body": "hi"})
    if action == "export":
        return client.post(reverse("reports:export_create", args=[code]))
    if action == "decide":
        return client.post(reverse("orr:decide", args=[code]),
                           {"verdict": "request_changes", "reason": "More detail."})
    raise AssertionError(action)


@pytest.fixture
def people(author, teammate, reviewer, ops_lead, outsider, django_user_model):
    admin = django_user_model.objects.create_superuser("root", password="pw")
    return {"author": author, "teammate": teammate, "reviewer": reviewer, "ops_lead": ops_lead,
            "admin": admin, "outsider": outsider, "anonymous": None}


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("action", ["view", "edit", "submit", "comment", "decide", "export"])
@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix(client, review, people, author, reviewer, role, action, state):
    document_assign_reviewer(document=review, reviewer=reviewer, by=author)
    Document.objects.filter(pk=review.pk).update(state=state, review_round=1)
    user = people[role]
    if user is not None:
        client.force_login(user)
    answer = review.answers.first()
    response = request(client, action, review, answer)
    done = performed(action, response, document=review, state=state, answer=answer, user=user)
    assert outcome(response, done) == expected(role, action, state)
