"""Tokens: who they act as, what a missing, unknown or revoked one gets, and their scopes."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from actions.models import ActionItem
from api import permissions as access
from orr.models import ApiToken
from postmortems.models import Postmortem

from .conftest import Api

READ_URLS = [
    ("api:teams", []), ("api:services", []), ("api:service", ["checkout-api"]),
    ("api:readiness", ["checkout-api"]), ("api:orrs", []), ("api:coes", []),
    ("api:action_items", []),
]


@pytest.mark.parametrize("name,args", READ_URLS)
@pytest.mark.parametrize("raw", [None, "nope", "revoked"])
def test_missing_unknown_or_revoked_token_is_401_json(client, checkout, author, name, args, raw):
    if raw == "revoked":
        token, raw = ApiToken.issue(name="old", by=author)
        token.revoke()
    response = Api(client, raw).get(reverse(name, args=args))
    assert response.status_code == 401
    assert "token" in response.json()["error"]
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("name", ["api:action_items", "api:coes"])
def test_writes_without_a_token_are_401_and_change_nothing(client, checkout, name):
    response = Api(client, None).post(reverse(name), {"title": "x"})
    assert response.status_code == 401
    assert not ActionItem.objects.exists() and not Postmortem.objects.exists()


def test_a_token_records_its_last_use(client, checkout, author):
    token, raw = ApiToken.issue(name="ci", by=author)
    assert Api(client, raw).get(reverse("api:services")).status_code == 200
    token.refresh_from_db()
    assert timezone.now() - token.last_used_at < dt.timedelta(minutes=1)


def test_a_token_acts_as_its_creator(client, grant, checkout, author, outsider, questionnaires):
    from tests.postmortems.conftest import make_coe

    coe = make_coe(checkout, author)  # a draft: only the team sees it
    codes = lambda api: [r["code"] for r in api.get(reverse("api:coes")).json()["results"]]  # noqa: E731
    assert codes(grant(client, author)) == [coe.code]
    assert codes(grant(client, outsider)) == []


def test_a_token_of_a_deactivated_person_sees_no_documents(client, grant, checkout, author,
                                                           questionnaires):
    from tests.postmortems.conftest import make_coe

    make_coe(checkout, author)
    api = grant(client, author)
    author.is_active = False
    author.save()
    assert api.get(reverse("api:coes")).json()["results"] == []
    assert api.get(reverse("api:services")).status_code == 200


def test_team_limited_token_sees_only_its_teams_catalog(client, grant, checkout, platform,
                                                        author):
    api = grant(client, author, teams=[platform])
    assert api.get(reverse("api:services")).json()["results"] == []
    assert [t["slug"] for t in api.get(reverse("api:teams")).json()["results"]] == ["platform"]
    assert api.get(reverse("api:service", args=[checkout.slug])).status_code == 404
    assert api.get(reverse("api:readiness", args=[checkout.slug])).status_code == 404


# --- scopes -----------------------------------------------------------------------------------

def _item_body(coe, owner) -> dict:
    return {"document": coe.code, "title": "Cap the pool size per pod at 20",
            "owner": owner.username, "priority": "P2"}


def _coe_body(service) -> dict:
    return {"service": service.slug, "title": "Checkout API returned 502s in the EU",
            "incident_start": "2026-11-02T09:15", "incident_tz": "UTC", "severity": 2}


def test_read_scope_is_needed_to_read(client, grant, checkout, author):
    api = grant(client, author, scopes=[access.WRITE_ACTION_ITEMS])
    response = api.get(reverse("api:services"))
    assert response.status_code == 403 and "read" in response.json()["error"]
    assert api.get(reverse("api:readiness", args=[checkout.slug])).status_code == 403


def test_creating_an_action_item_needs_write_action_items(client, grant, questionnaires,
                                                          checkout, author):
    from tests.postmortems.conftest import make_coe

    coe = make_coe(checkout, author)
    refused = grant(client, author, scopes=[access.READ, access.INTAKE]).post(
        reverse("api:action_items"), _item_body(coe, author))
    assert refused.status_code == 403 and "write_action_items" in refused.json()["error"]
    assert not ActionItem.objects.exists()
    allowed = grant(client, author, scopes=[access.WRITE_ACTION_ITEMS]).post(
        reverse("api:action_items"), _item_body(coe, author))
    assert allowed.status_code == 201, allowed.json()


def test_changing_a_status_needs_write_action_items(client, grant, questionnaires, checkout,
                                                    author):
    from tests.postmortems.conftest import add_action, make_coe

    item = add_action(make_coe(checkout, author))
    url = reverse("api:action_item_status", args=[item.pk])
    refused = grant(client, author, scopes=[access.READ]).post(url, {"status": "in_progress"})
    assert refused.status_code == 403
    item.refresh_from_db()
    assert item.status == "open"
    allowed = grant(client, author, scopes=[access.WRITE_ACTION_ITEMS]).post(
        url, {"status": "in_progress"})
    assert allowed.status_code == 200 and allowed.json()["status"] == "in_progress"


def test_opening_a_coe_draft_needs_intake(client, grant, questionnaires, checkout, author):
    refused = grant(client, author, scopes=[access.READ, access.WRITE_ACTION_ITEMS]).post(
        reverse("api:coes"), _coe_body(checkout))
    assert refused.status_code == 403 and "intake" in refused.json()["error"]
    assert not Postmortem.objects.exists()
    allowed = grant(client, author, scopes=[access.INTAKE]).post(
        reverse("api:coes"), _coe_body(checkout))
    assert allowed.status_code == 201, allowed.json()


# --- tokens as issued by default ------------------------------------------------------------

def test_a_token_issued_without_scopes_or_teams_reads_every_team_and_writes_nothing(
        client, questionnaires, checkout, platform, author):
    from tests.postmortems.conftest import make_coe

    _, raw = ApiToken.issue(name="ci", by=author)
    api = Api(client, raw)
    assert {t["slug"] for t in api.get(reverse("api:teams")).json()["results"]} >= {
        "payments", "platform"}
    coe = make_coe(checkout, author)
    assert api.post(reverse("api:action_items"), _item_body(coe, author)).status_code == 403
    assert api.post(reverse("api:coes"), _coe_body(checkout)).status_code == 403


def test_an_unknown_api_path_is_404_json_not_the_login_page(client, db):
    response = client.get("/api/v1/nothing-here/")
    assert response.status_code == 404 and response.json()["error"]


def test_a_wrong_method_is_405_json(client, grant, author):
    api = grant(client, author)
    response = client.put(reverse("api:services"), HTTP_AUTHORIZATION=f"Bearer {api.raw}")
    assert response.status_code == 405 and response.json()["error"]
