"""Incidents in: recorded provider payloads posted to the real endpoint."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from integrations.models import IncidentRecord
from notifications.models import Notification
from postmortems.models import Postmortem, TimelineEvent
from reviews.models import Event
from tests.integrations.conftest import make_integration, map_service, payload, post

pytestmark = pytest.mark.django_db
UTC = dt.UTC
Kinds = TimelineEvent.EventKind


@pytest.fixture
def pagerduty(questionnaires, payments, checkout, author):
    integration = make_integration(payments, author, "pagerduty", coe_max_severity=2)
    map_service(integration, "PF9KMXH", checkout)
    return integration


def timeline(postmortem):
    return [(e.kind, e.at) for e in postmortem.timeline.all()]


def test_pagerduty_resolved_sent_three_times_opens_one_coe_draft(anon, pagerduty, checkout,
                                                                 teammate):
    body = payload("pagerduty_incident_resolved.json")
    answers = [post(anon, pagerduty, body) for _ in range(3)]

    assert [a.status_code for a in answers] == [202, 202, 202]
    coe = Postmortem.objects.get()
    assert answers[0].json()["coe"] == coe.code == answers[2].json()["coe"]
    assert coe.title == "A little bump in the road"
    assert coe.severity == 1  # PagerDuty priority P1
    assert coe.service == checkout and coe.state == "draft"
    assert list(coe.affected_services.all()) == [checkout]
    assert timeline(coe) == [
        (Kinds.STARTED, dt.datetime(2026, 11, 23, 14, 16, 27, tzinfo=UTC)),
        (Kinds.RESOLVED, dt.datetime(2026, 11, 23, 15, 42, 10, 123000, tzinfo=UTC)),
    ]
    record = IncidentRecord.objects.get()
    assert record.postmortem == coe
    assert record.url == "https://acme.pagerduty.com/incidents/PGR0VU2"
    assert {r["name"] for r in record.responders} == {"User 123", "Tenex Engineer"}
    assert sorted(coe.participants.filter(role="responder").values_list("name", flat=True)
                  ) == ["Tenex Engineer", "User 123"]
    # The link back is in the history and in the first timeline entry.
    assert Event.objects.filter(document=coe, verb="drafted_from_incident",
                                message__contains=record.url).exists()
    assert record.url in coe.timeline.get(kind=Kinds.STARTED).note
    # The team is told once (the author of the draft is the integration's creator).
    told = Notification.objects.filter(verb="coe_drafted")
    assert sorted(n.user.username for n in told) == ["author", "teammate"]


def test_acknowledged_then_resolved_fills_the_whole_timeline(anon, pagerduty):
    post(anon, pagerduty, payload("pagerduty_incident_acknowledged.json"))
    assert not Postmortem.objects.exists()  # not resolved yet

    post(anon, pagerduty, payload("pagerduty_incident_resolved.json"))

    coe = Postmortem.objects.get()
    assert [k for k, _ in timeline(coe)] == [Kinds.STARTED, Kinds.ENGAGED, Kinds.RESOLVED]
    assert coe.timeline.get(kind=Kinds.ENGAGED).at == dt.datetime(2026, 11, 23, 14, 21, 5,
                                                                  tzinfo=UTC)


def test_a_replayed_acknowledgement_after_the_resolution_changes_nothing(anon, pagerduty):
    post(anon, pagerduty, payload("pagerduty_incident_acknowledged.json"))
    post(anon, pagerduty, payload("pagerduty_incident_resolved.json"))
    before = IncidentRecord.objects.values().get()

    post(anon, pagerduty, payload("pagerduty_incident_acknowledged.json"))

    after = IncidentRecord.objects.values().get()
    assert {k: v for k, v in after.items() if k != "updated_at"} == {
        k: v for k, v in before.items() if k != "updated_at"}
    assert Postmortem.objects.count() == 1


def _nothing_created():
    return not IncidentRecord.objects.exists() and not Postmortem.objects.exists()


def test_bad_signature_is_refused_and_creates_nothing(anon, pagerduty):
    body = payload("pagerduty_incident_resolved.json")
    answer = post(anon, pagerduty, body, headers={"X-PagerDuty-Signature": "v1=" + "0" * 64})
    assert answer.status_code == 401
    assert post(anon, pagerduty, body, headers={}).status_code == 401
    assert _nothing_created()


def test_signature_over_another_body_is_refused(anon, pagerduty):
    from tests.integrations.conftest import auth_headers

    body = payload("pagerduty_incident_resolved.json")
    headers = auth_headers(pagerduty, body)
    answer = post(anon, pagerduty, body.replace(b"P1", b"P4"), headers=headers)
    assert answer.status_code == 401 and _nothing_created()


def test_unknown_service_is_refused_and_creates_nothing(anon, pagerduty):
    body = payload("pagerduty_incident_resolved.json").replace(b'"PF9KMXH"', b'"PUNKNWN"')
    answer = post(anon, pagerduty, body)
    assert answer.status_code == 422
    assert "PUNKNWN" in answer.json()["error"]
    assert _nothing_created()


def test_malformed_body_is_refused_and_creates_nothing(anon, pagerduty):
    for body in (b'{"event": {"event_type": "incident.resolved"', b"[1, 2]",
                 b'{"event": {"event_type": "incident.resolved", "data": {"id": "X"}}}'):
        answer = post(anon, pagerduty, body)
        assert answer.status_code == 400, body
        assert answer.json()["error"]
    assert _nothing_created()


def test_five_megabyte_body_is_refused_and_creates_nothing(anon, pagerduty):
    body = payload("pagerduty_incident_resolved.json")
    huge = body[:-2] + b', "padding": "' + b"x" * (5 * 1024 * 1024) + b'"}\n'
    answer = post(anon, pagerduty, huge)
    assert answer.status_code == 413
    assert _nothing_created()


def test_unknown_endpoint_is_404_and_get_is_405(anon, pagerduty):
    assert anon.post("/integrations/hooks/nope/", data=b"{}",
                     content_type="application/json").status_code == 404
    assert anon.get(f"/integrations/hooks/{pagerduty.public_id}/").status_code == 405


def test_incident_below_the_configured_severity_opens_no_coe(anon, pagerduty):
    body = payload("pagerduty_incident_resolved.json").replace(b'"P1"', b'"P3"')
    assert post(anon, pagerduty, body).status_code == 202
    record = IncidentRecord.objects.get()
    assert record.status == "resolved" and record.severity == 3
    assert record.postmortem is None and not Postmortem.objects.exists()


def test_opsgenie_close_opens_a_coe_with_the_alert_times(anon, questionnaires, payments, checkout,
                                                         author):
    integration = make_integration(payments, author, "opsgenie")
    map_service(integration, "checkout-api", checkout)
    body = payload("opsgenie_close.json")
    assert post(anon, integration, body, headers={"Authorization": "Bearer wrong"}
                ).status_code == 401
    assert _nothing_created()

    for _ in range(2):
        assert post(anon, integration, body).status_code == 202

    coe = Postmortem.objects.get()
    assert coe.title == "Checkout latency above SLO" and coe.severity == 1
    assert timeline(coe) == [
        (Kinds.STARTED, dt.datetime.fromtimestamp(1763907000, tz=UTC)),
        (Kinds.RESOLVED, dt.datetime.fromtimestamp(1763911330, tz=UTC)),
    ]
    assert IncidentRecord.objects.get().responders[0]["name"] == "jane.doe@example.com"


def test_alertmanager_resolved_group_opens_a_coe(anon, questionnaires, payments, checkout, author):
    integration = make_integration(payments, author, "alertmanager")
    map_service(integration, "checkout-api", checkout)
    body = payload("alertmanager_resolved.json")
    for _ in range(3):
        assert post(anon, integration, body).status_code == 202

    coe = Postmortem.objects.get()
    assert coe.title == "Checkout error rate above 5%" and coe.severity == 1
    assert timeline(coe) == [
        (Kinds.STARTED, dt.datetime(2026, 11, 23, 14, 2, tzinfo=UTC)),
        (Kinds.RESOLVED, dt.datetime(2026, 11, 23, 14, 48, 30, tzinfo=UTC)),
    ]


def test_generic_shape_times_are_stored_in_utc(anon, questionnaires, payments, author,
                                               django_user_model):
    from tests.conftest import make_service

    responder = django_user_model.objects.create_user("jdoe", email="jane@example.com")

    ledger = make_service(payments, slug="ledger")
    integration = make_integration(payments, author, "generic")
    map_service(integration, "ledger", ledger)
    assert post(anon, integration, payload("generic_resolved.json")).status_code == 202

    coe = Postmortem.objects.get()
    assert coe.incident_start == dt.datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
    assert timeline(coe) == [
        (Kinds.STARTED, dt.datetime(2026, 11, 23, 8, 0, tzinfo=UTC)),
        (Kinds.ENGAGED, dt.datetime(2026, 11, 23, 8, 7, tzinfo=UTC)),
        (Kinds.RESOLVED, dt.datetime(2026, 11, 23, 9, 30, tzinfo=UTC)),
    ]
    assert IncidentRecord.objects.get().responders == [
        {"name": "Jane Doe", "email": "jane@example.com"}]
    jane = coe.participants.get(name="Jane Doe")
    assert jane.role == "responder" and jane.user == responder


def test_generic_shape_with_a_bad_field_says_which(anon, questionnaires, payments, checkout,
                                                  author):
    integration = make_integration(payments, author, "generic")
    map_service(integration, "ledger", checkout)
    data = json.loads(payload("generic_resolved.json"))
    data["severity"] = "high"
    answer = post(anon, integration, json.dumps(data).encode())
    assert answer.status_code == 400 and "severity" in answer.json()["error"]
    assert _nothing_created()


def test_same_incident_id_sent_to_another_teams_integration_is_refused(anon, pagerduty,
                                                                       platform, reviewer):
    from tests.conftest import make_service

    post(anon, pagerduty, payload("pagerduty_incident_resolved.json"))
    other = make_integration(platform, reviewer, "pagerduty")
    map_service(other, "PF9KMXH", make_service(platform))
    answer = post(anon, other, payload("pagerduty_incident_resolved.json"))
    assert answer.status_code == 409
    assert IncidentRecord.objects.get().integration == pagerduty


def test_deleting_the_integration_keeps_the_incident_link(anon, pagerduty, payments, author,
                                                          checkout):
    post(anon, pagerduty, payload("pagerduty_incident_resolved.json"))
    pagerduty.delete()
    again = make_integration(payments, author, "pagerduty")
    map_service(again, "PF9KMXH", checkout)

    answer = post(anon, again, payload("pagerduty_incident_resolved.json"))

    assert answer.status_code == 409
    assert Postmortem.objects.count() == 1
    assert IncidentRecord.objects.get().postmortem is not None


def test_without_a_published_coe_template_nothing_is_kept(anon, questionnaires, payments,
                                                          checkout, author):
    from reviews.models import QuestionnaireVersion

    for version in QuestionnaireVersion.objects.filter(questionnaire__kind="coe",
                                                       status="published"):
        version.retire()
    integration = make_integration(payments, author, "pagerduty")
    map_service(integration, "PF9KMXH", checkout)
    answer = post(anon, integration, payload("pagerduty_incident_resolved.json"))
    assert answer.status_code == 422 and "COE template" in answer.json()["error"]
    assert _nothing_created()
