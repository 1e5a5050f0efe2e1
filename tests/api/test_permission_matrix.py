"""The pages' permission matrix, walked through the API: role × endpoint × state × restricted.

A token acts as its creator. The expected table is written from the product rules, as in
tests/postmortems/test_permission_matrix.py: a restricted COE is seen only by the owning team
and the committee; other teams' drafts are hidden (404, not 403). A token with no creator sees
the catalog and nothing else; a token limited to another team sees nothing of this one.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from catalog.models import Team
from postmortems import services as pm
from reviews.models import Document
from tests.matrix import FORBIDDEN, HIDDEN, OK, STATES

ROLES = ["author", "teammate", "committee", "ops_lead", "admin", "outsider", "no_creator",
         "other_team_token"]
INSIDERS = ("author", "teammate", "committee")
ABSENT = "absent"  # not in a list
ENDPOINTS = ["coe_list", "coe_detail", "item_list", "item_detail", "item_create", "item_status"]


def sees_coe(role: str, state: str, restricted: bool) -> bool:
    if role in ("no_creator", "other_team_token"):
        return False
    if restricted:
        return role in INSIDERS
    return state != "draft" or role in INSIDERS + ("ops_lead", "admin")


def sees_item(role: str, state: str, restricted: bool) -> bool:
    """The COE's item (owned by the author) follows the COE (reviews/visibility.py): whoever
    sees the COE, the committee included, sees its items."""
    return sees_coe(role, state, restricted)


def expected(role: str, state: str, restricted: bool) -> dict[str, str]:
    coe, item = sees_coe(role, state, restricted), sees_item(role, state, restricted)
    editable = state in ("draft", "changes_requested")
    return {
        "coe_list": OK if coe else ABSENT,
        "coe_detail": OK if coe else HIDDEN,
        "item_list": OK if item else ABSENT,
        "item_detail": OK if item else HIDDEN,
        "item_create": HIDDEN if not coe else
        OK if editable and role in ("author", "teammate") else FORBIDDEN,
        "item_status": HIDDEN if not item else
        OK if role in ("author", "teammate", "ops_lead", "admin") else FORBIDDEN,
    }


def outcome(response) -> str:
    return OK if response.status_code in (200, 201) else str(response.status_code)


def listed(response, key: str, value) -> str:
    assert response.status_code == 200, response.content
    return OK if value in [row[key] for row in response.json()["results"]] else ABSENT


def walk(api, coe, item, answer_owner) -> dict[str, str]:
    """Every endpoint, reads first; the writes come last so they do not change the reads."""
    results = {
        "coe_list": listed(api.get(reverse("api:coes")), "code", coe.code),
        "coe_detail": outcome(api.get(reverse("api:coe", args=[coe.code]))),
        "item_list": listed(api.get(reverse("api:action_items")), "id", item.pk),
        "item_detail": outcome(api.get(reverse("api:action_item", args=[item.pk]))),
    }
    results["item_create"] = outcome(api.post(reverse("api:action_items"), {
        "document": coe.code, "title": "Cap the pool size per pod at 20",
        "owner": answer_owner.username, "priority": "P2",
        "due_date": timezone.localdate() + dt.timedelta(days=20)}))
    results["item_status"] = outcome(api.post(
        reverse("api:action_item_status", args=[item.pk]), {"status": "in_progress"}))
    for name, result in results.items():
        assert result in (OK, ABSENT, HIDDEN, FORBIDDEN), f"{name}: {result}"
    return results


@pytest.fixture
def people(author, teammate, reviewer, ops_lead, outsider, django_user_model):
    admin = django_user_model.objects.create_superuser("root", password="pw")
    return {"author": author, "teammate": teammate, "committee": reviewer, "ops_lead": ops_lead,
            "admin": admin, "outsider": outsider, "no_creator": None,
            "other_team_token": author}


@pytest.mark.parametrize("restricted", [False, True], ids=["open", "restricted"])
@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("role", ROLES)
def test_coe_permission_matrix(client, grant, questionnaires, checkout, people, author,
                               reviewer, role, state, restricted):
    coe = pm.postmortem_create(
        service=checkout, by=author, title="Checkout 502s", incident_tz="UTC", severity=2,
        incident_start=dt.datetime(2026, 11, 2, 9, tzinfo=dt.UTC), restricted=restricted,
        committee=[reviewer],
    )
    item = pm.action_add(postmortem=coe, by=author, title="Alarm on pool saturation above 80%",
                         owner=author, due_date=timezone.localdate() + dt.timedelta(days=30),
                         priority="P2")
    Document.objects.filter(pk=coe.pk).update(state=state, review_round=1)
    teams = [Team.objects.create(name="Other", slug="other")] \
        if role == "other_team_token" else None
    api = grant(client, people[role], teams=teams)
    assert walk(api, coe, item, author) == expected(role, state, restricted)


ORR_ROLES = ["author", "teammate", "assigned_reviewer", "ops_lead", "outsider", "no_creator"]


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("role", ORR_ROLES)
def test_orr_permission_matrix(client, grant, review, author, teammate, reviewer, ops_lead,
                               outsider, role, state):
    from reviews.services import document_assign_reviewer

    document_assign_reviewer(document=review, reviewer=reviewer, by=author)
    Document.objects.filter(pk=review.pk).update(
        state=state, review_round=1, approved_at=timezone.now() if state == "approved" else None)
    user = {"author": author, "teammate": teammate, "assigned_reviewer": reviewer,
            "ops_lead": ops_lead, "outsider": outsider, "no_creator": None}[role]
    api = grant(client, user)
    visible = role in ("author", "teammate", "assigned_reviewer") or (
        role == "ops_lead" or (state != "draft" and role == "outsider"))
    assert {
        "list": listed(api.get(reverse("api:orrs")), "code", review.code),
        "detail": outcome(api.get(reverse("api:orr", args=[review.code]))),
        "readiness": outcome(api.get(reverse("api:orr_readiness", args=[review.code]))),
    } == ({"list": OK, "detail": OK, "readiness": OK} if visible else
          {"list": ABSENT, "detail": HIDDEN, "readiness": HIDDEN})
