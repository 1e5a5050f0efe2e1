"""An incident resolved in the pager → a COE draft → a signed webhook delivered by the real
worker to a real receiver, retried after the receiver's first failure."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json

import pytest
from werkzeug import Response

from integrations.models import Delivery, IncidentRecord
from postmortems.models import Postmortem
from tests.integrations.conftest import make_integration, map_service, payload, post

from .conftest import wait_until


@pytest.fixture(scope="module")
def worker_allows_loopback(celery_worker):
    """The receiver listens on loopback: the worker's allow-list must name it."""
    # …and retry after a second rather than half a minute, within the test's patience.
    celery_worker.env.update(WEBHOOK_ALLOWED_HOSTS="localhost", WEBHOOK_RETRY_BASE_SECONDS="1")
    celery_worker.restart()
    yield celery_worker
    del celery_worker.env["WEBHOOK_ALLOWED_HOSTS"]
    del celery_worker.env["WEBHOOK_RETRY_BASE_SECONDS"]
    celery_worker.restart()


def test_resolved_incident_to_coe_draft_to_delivered_webhook(
        transactional_db, worker_allows_loopback, settings, httpserver, client, questionnaires,
        payments, checkout, author):
    settings.WEBHOOK_ALLOWED_HOSTS = ["localhost"]
    from integrations.services import subscription_create

    sub = subscription_create(team=payments, by=author, kind="webhook",
                              url=httpserver.url_for("/hook"), events=["coe.created"])
    answers = iter([500, 200])
    received = []

    def receiver(request):
        received.append(request)
        return Response("", status=next(answers, 200))

    httpserver.expect_request("/hook").respond_with_handler(receiver)
    pager = make_integration(payments, author, "pagerduty")
    map_service(pager, "PF9KMXH", checkout)

    body = payload("pagerduty_incident_resolved.json")
    for _ in range(2):
        assert post(client, pager, body).status_code == 202

    coe = Postmortem.objects.get()
    assert IncidentRecord.objects.get().postmortem == coe
    delivery = Delivery.objects.get(subscription=sub)
    assert wait_until(lambda: Delivery.objects.get(pk=delivery.pk).status == "delivered",
                      timeout=60, interval=0.5), Delivery.objects.values().get(pk=delivery.pk)

    delivery.refresh_from_db()
    assert delivery.attempts == 2
    last = received[-1]
    msg_id, timestamp = last.headers["webhook-id"], last.headers["webhook-timestamp"]
    key = base64.b64decode(sub.secret.split("_", 1)[1])
    expected = base64.b64encode(hmac.new(
        key, f"{msg_id}.{timestamp}.".encode() + last.get_data(), hashlib.sha256).digest())
    assert last.headers["webhook-signature"] == "v1," + expected.decode()
    event = json.loads(last.get_data())
    assert event["type"] == "coe.created" and event["data"]["code"] == coe.code
