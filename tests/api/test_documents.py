"""ORRs, COEs, services and teams through the API: what they show, and COE drafts by intake."""

from __future__ import annotations

import pytest
from django.urls import reverse

from postmortems.models import Postmortem
from reviews.models import Document
from tests.postmortems.conftest import add_action, make_coe


@pytest.fixture
def api(client, grant, author):
    return grant(client, author)


def test_service_and_team_show_readiness_and_services(api, review, checkout, payments):
    service = api.get(reverse("api:service", args=[checkout.slug])).json()
    assert service["team"] == "payments" and service["readiness"] == "not_ready"
    assert service["url"].endswith("/services/checkout-api/") or service["url"].endswith(
        checkout.get_absolute_url())
    team = api.get(reverse("api:team", args=["payments"])).json()
    assert team["services"] == ["checkout-api"]
    assert api.get(reverse("api:services"), {"team": "platform"}).json()["results"] == []


def test_orr_detail_has_answers_gates_and_readiness(api, review):
    body = api.get(reverse("api:orr", args=[review.code])).json()
    assert body["code"] == review.code and body["state"] == "draft"
    assert len(body["answers"]) == review.answers.count()
    assert {"question", "section", "text", "risk"} <= set(body["answers"][0])
    assert body["gates"] and all({"name", "passed", "message"} <= set(g) for g in body["gates"])
    assert not all(g["passed"] for g in body["gates"])
    assert body["readiness"]["status"] == "not_ready"


def test_orr_readiness_is_the_services_answer(api, review, checkout):
    by_orr = api.get(reverse("api:orr_readiness", args=[review.code])).json()
    by_service = api.get(reverse("api:readiness", args=[checkout.slug])).json()
    assert by_orr == by_service


def test_a_retired_services_orr_has_no_readiness(api, review, checkout):
    checkout.retire()
    for url in (reverse("api:orr_readiness", args=[review.code]),
                reverse("api:readiness", args=[checkout.slug])):
        response = api.get(url)
        assert response.status_code == 404
        assert "retired" in response.json()["error"]


def test_orr_list_filters_by_state(api, review):
    assert [r["code"] for r in api.get(reverse("api:orrs"), {"state": "draft"}).json()[
        "results"]] == [review.code]
    assert api.get(reverse("api:orrs"), {"state": "approved"}).json()["results"] == []
    assert api.get(reverse("api:orrs"), {"state": "lost"}).status_code == 400


def test_coe_detail_has_facts_factors_items_and_gates(api, questionnaires, checkout, author,
                                                      reviewer):
    from postmortems import services as pm

    coe = make_coe(checkout, author, committee=[reviewer])
    factor = pm.factor_add(postmortem=coe, by=author, category="technical",
                           text="The pool had no upper bound.")
    item = add_action(coe, factor=factor)
    body = api.get(reverse("api:coe", args=[coe.code])).json()
    assert body["severity"] == 2 and body["tags"] == ["Database"]
    assert body["committee"] == ["reviewer"]
    assert body["factors"][0]["text"] == factor.text and body["action_items"] == [item.pk]
    assert any(not g["passed"] for g in body["gates"])


def test_coe_list_filters(api, questionnaires, checkout, author):
    sev1 = make_coe(checkout, author, severity=1, title="Checkout down for every EU shopper")
    make_coe(checkout, author, severity=3)
    rows = api.get(reverse("api:coes"), {"severity": 1}).json()["results"]
    assert [r["code"] for r in rows] == [sev1.code]
    rows = api.get(reverse("api:coes"), {"q": "every EU shopper"}).json()["results"]
    assert [r["code"] for r in rows] == [sev1.code]


# --- COE drafts by intake ---------------------------------------------------------------------

def body(service, **overrides) -> dict:
    return {"service": service.slug, "title": "Checkout API returned 502s in the EU",
            "incident_start": "2026-11-02T10:15", "incident_tz": "Europe/Berlin",
            "severity": 2, "customers_affected": 300, "tags": ["Database", "Pool"],
            "committee": ["reviewer"], **overrides}


def test_intake_opens_a_draft_as_the_page_does(api, questionnaires, checkout, author,
                                                reviewer):
    response = api.post(reverse("api:coes"), body(checkout, restricted=True))
    assert response.status_code == 201, response.json()
    coe = Postmortem.objects.get(code=response.json()["code"])
    assert coe.author == author and coe.state == "draft" and coe.restricted
    assert coe.incident_start.isoformat() == "2026-11-02T09:15:00+00:00"  # Berlin → UTC
    assert sorted(t.name for t in coe.tags.all()) == ["Database", "Pool"]
    assert [a.user for a in coe.assignments.all()] == [reviewer]
    assert coe.answers.exists() and coe.events.filter(verb="started").exists()
    assert response.json()["committee"] == ["reviewer"]


@pytest.mark.parametrize("overrides,field", [
    ({"incident_start": "2999-01-01T00:00"}, "incident_start"),  # in the future
    ({"incident_start": "2026-03-29T02:30"}, "incident_start"),  # skipped by the DST jump
    ({"incident_start": "yesterday"}, "incident_start"),
    ({"incident_tz": "Mars/Olympus"}, "incident_tz"),
    ({"title": ""}, "title"),
    ({"severity": 9}, "severity"),
    ({"customers_affected": -1}, "customers_affected"),
    ({"service": "nope"}, "service"),
    ({"service": "search"}, "service"),  # not a service of the author's teams
    ({"committee": ["nobody"]}, "committee"),
    ({"committee": ["author"]}, "committee"),  # the author never reviews their own COE
    ({"affected_services": ["nope"]}, "affected_services"),
    ({"tags": "Database"}, "tags"),
])
def test_bad_intake_is_400_json_and_opens_nothing(api, questionnaires, checkout, reviewer,
                                                  overrides, field):
    from tests.conftest import make_service, make_team

    make_service(make_team("Search", slug="search-team"), slug="search")
    response = api.post(reverse("api:coes"), {**body(checkout), **overrides})
    assert response.status_code == 400, response.content
    assert field in response.json()["fields"], response.json()
    assert not Document.objects.exists()


def test_intake_needs_a_team_member(client, grant, questionnaires, checkout, ops_lead):
    response = grant(client, ops_lead).post(reverse("api:coes"), body(checkout))
    assert response.status_code == 403
    assert not Document.objects.exists()


def test_intake_for_a_service_outside_the_tokens_teams_is_refused(client, grant, questionnaires,
                                                                 checkout, author, platform,
                                                                 reviewer):
    response = grant(client, author, teams=[platform]).post(reverse("api:coes"), body(checkout))
    assert response.status_code == 404, response.json()
    assert not Document.objects.exists()
