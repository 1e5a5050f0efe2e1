"""Signed outbound webhooks, delivered to a real HTTP server on loopback."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import io
import json
import time

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from werkzeug import Response

from integrations import services, webhooks
from integrations.events import EventType
from integrations.models import Delivery, Subscription
from notifications.models import Notification
from postmortems import services as pm_services

pytestmark = pytest.mark.django_db


@pytest.fixture
def loopback_allowed(settings):
    settings.WEBHOOK_ALLOWED_HOSTS = ["localhost"]


def verify_standard_webhook(secret: str, headers, body: bytes, tolerance: int = 300) -> dict:
    """A receiver's check, written from the Standard Webhooks spec, not from our code."""
    msg_id = headers["webhook-id"]
    timestamp = headers["webhook-timestamp"]
    assert abs(time.time() - int(timestamp)) < tolerance
    key = base64.b64decode(secret.split("_", 1)[1])
    to_sign = msg_id.encode() + b"." + timestamp.encode() + b"." + body
    expected = base64.b64encode(hmac.new(key, to_sign, hashlib.sha256).digest()).decode()
    given = [s.split(",", 1)[1] for s in headers["webhook-signature"].split(" ")
             if s.startswith("v1,")]
    assert any(hmac.compare_digest(expected, g) for g in given), "signature does not verify"
    return json.loads(body)


def subscribe(team, by, url, events=("coe.created",), **extra):
    return services.subscription_create(team=team, by=by, kind=extra.pop("kind", "webhook"),
                                        url=url, events=list(events), **extra)


def create_coe(checkout, author, **extra):
    return pm_services.postmortem_create(
        service=checkout, by=author, title="Checkout outage", incident_start=timezone.now(),
        incident_tz="UTC", severity=2, **extra)


def test_coe_created_is_delivered_signed(httpserver, loopback_allowed, questionnaires, payments,
                                         checkout, author, django_capture_on_commit_callbacks):
    sub = subscribe(payments, author, httpserver.url_for("/hook"))
    httpserver.expect_oneshot_request("/hook", method="POST").respond_with_data("ok")

    with django_capture_on_commit_callbacks(execute=True):
        coe = create_coe(checkout, author)

    httpserver.check_assertions()
    request, _ = httpserver.log[0]
    event = verify_standard_webhook(sub.secret, request.headers, request.get_data())
    assert event["type"] == "coe.created" and event["id"].startswith("evt_")
    assert event["data"]["code"] == coe.code and event["data"]["team"] == "payments"
    delivery = Delivery.objects.get()
    assert delivery.status == "delivered" and delivery.attempts == 1
    assert request.headers["webhook-id"] == delivery.message_id
    assert delivery.last_status_code == 200


def test_receiver_failing_twice_gets_one_accepted_delivery(
        httpserver, loopback_allowed, questionnaires, payments, checkout, author,
        django_capture_on_commit_callbacks):
    sub = subscribe(payments, author, httpserver.url_for("/hook"))
    answers = iter([500, 503, 200])
    seen = []

    def receiver(request):
        seen.append((request.headers["webhook-id"], request.get_data()))
        return Response("", status=next(answers))

    httpserver.expect_request("/hook").respond_with_handler(receiver)
    with django_capture_on_commit_callbacks(execute=True):
        create_coe(checkout, author)

    assert len(seen) == 3
    # Every attempt is the same message: receivers de-duplicate on the id.
    assert len({msg_id for msg_id, _ in seen}) == 1 and len({b for _, b in seen}) == 1
    delivery = Delivery.objects.get()
    assert delivery.status == "delivered" and delivery.attempts == 3
    assert [a.status_code for a in delivery.log.all()] == [500, 503, 200]
    sub.refresh_from_db()
    assert sub.failing_since is None and sub.paused_at is None


def test_redeliver_sends_the_same_message_again(httpserver, loopback_allowed, questionnaires,
                                                payments, checkout, author, client,
                                                django_capture_on_commit_callbacks):
    sub = subscribe(payments, author, httpserver.url_for("/hook"))
    httpserver.expect_request("/hook").respond_with_data("ok")
    with django_capture_on_commit_callbacks(execute=True):
        create_coe(checkout, author)
    delivery = Delivery.objects.get()

    client.force_login(author)
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(f"/integrations/payments/deliveries/{delivery.pk}/redeliver")

    assert answer.status_code == 302
    assert len(httpserver.log) == 2
    for request, _ in httpserver.log:
        verify_standard_webhook(sub.secret, request.headers, request.get_data())
    assert httpserver.log[1][0].headers["webhook-id"] == delivery.message_id


def test_subscription_to_a_private_or_loopback_address_is_refused(payments, author):
    for url in ("http://127.0.0.1:8000/hook", "http://10.1.2.3/hook", "http://[::1]/x",
                "http://169.254.169.254/latest/meta-data", "http://localhost:9/x",
                "file:///etc/passwd"):
        with pytest.raises(ValidationError):
            subscribe(payments, author, url)
    assert not Subscription.objects.exists()


def test_allow_list_lets_a_named_host_through(settings, payments, author):
    with pytest.raises(ValidationError):
        subscribe(payments, author, "http://localhost:9/x")
    settings.WEBHOOK_ALLOWED_HOSTS = ["localhost"]
    assert subscribe(payments, author, "http://localhost:9/x").pk


def test_a_host_that_turns_private_after_subscribing_gets_nothing(
        httpserver, settings, questionnaires, payments, checkout, author,
        django_capture_on_commit_callbacks):
    settings.WEBHOOK_ALLOWED_HOSTS = ["localhost"]
    subscribe(payments, author, httpserver.url_for("/hook"))
    settings.WEBHOOK_ALLOWED_HOSTS = []  # the check runs again before every attempt
    with django_capture_on_commit_callbacks(execute=True):
        create_coe(checkout, author)
    assert httpserver.log == []
    delivery = Delivery.objects.get()
    assert delivery.status == "failed" and "loopback" in delivery.last_error


def test_restricted_coe_goes_only_to_its_own_teams_subscriptions(
        loopback_allowed, questionnaires, payments, platform, checkout, author, reviewer,
        django_capture_on_commit_callbacks):
    ours = subscribe(payments, author, "http://localhost:9/ours")
    theirs = subscribe(platform, reviewer, "http://localhost:9/theirs")

    with django_capture_on_commit_callbacks(execute=False):
        create_coe(checkout, author, restricted=True)
        create_coe(checkout, author)

    assert list(Delivery.objects.filter(subscription=ours).values_list("event_type", flat=True)
                ) == ["coe.created", "coe.created"]
    assert Delivery.objects.filter(subscription=theirs).count() == 1


def test_own_team_only_filter(loopback_allowed, questionnaires, payments, platform, checkout,
                              author, reviewer, django_capture_on_commit_callbacks):
    theirs = subscribe(platform, reviewer, "http://localhost:9/theirs", own_team_only=True)
    with django_capture_on_commit_callbacks(execute=False):
        create_coe(checkout, author)
    assert not Delivery.objects.filter(subscription=theirs).exists()


def test_chat_subscription_gets_readable_text_with_a_link(
        httpserver, loopback_allowed, questionnaires, payments, checkout, author,
        django_capture_on_commit_callbacks):
    subscribe(payments, author, httpserver.url_for("/slack"), kind="slack")
    httpserver.expect_request("/slack").respond_with_data("ok")
    with django_capture_on_commit_callbacks(execute=True):
        coe = create_coe(checkout, author)
    request, _ = httpserver.log[0]
    text = json.loads(request.get_data())["text"]
    assert text.startswith("COE created: ") and coe.code in text
    assert f"/coe/{coe.code}/" in text
    assert "webhook-signature" not in request.headers


def test_events_from_the_review_workflow(loopback_allowed, ready_review, author, reviewer,
                                         payments, django_capture_on_commit_callbacks):
    from reviews.services import document_decide, document_submit

    sub = subscribe(payments, author, "http://localhost:9/x",
                    events=[e.value for e in EventType])
    with django_capture_on_commit_callbacks(execute=False):
        document_submit(document=ready_review, by=author)
        document_decide(document=ready_review, reviewer=reviewer, verdict="approve",
                        reason="Evidence is convincing.")
    assert list(sub.deliveries.order_by("pk").values_list("event_type", flat=True)) == [
        "orr.submitted", "readiness.changed", "orr.approved", "readiness.changed"]


def test_action_item_created_and_closed_events(loopback_allowed, questionnaires, checkout,
                                               author, payments,
                                               django_capture_on_commit_callbacks):
    from actions.services import item_set_status

    sub = subscribe(payments, author, "http://localhost:9/x",
                    events=["action_item.created", "action_item.closed"])
    with django_capture_on_commit_callbacks(execute=False):
        coe = create_coe(checkout, author)
        item = pm_services.action_add(postmortem=coe, by=author, title="Add a breaker",
                                      owner=author, due_date=dt.date.today(), priority="P1")
        item_set_status(item=item, by=author, status="done", note="Shipped in 4.2")
    bodies = [json.loads(d.body) for d in sub.deliveries.order_by("pk")]
    assert [(b["type"], b["data"]["status"]) for b in bodies] == [
        ("action_item.created", "open"), ("action_item.closed", "done")]


def test_failing_for_days_pauses_and_tells_the_owner_once(loopback_allowed, payments, author):
    sub = subscribe(payments, author, "http://localhost:9/x")
    sub.failing_since = timezone.now() - dt.timedelta(days=1)
    sub.save()
    assert webhooks.subscription_pause_if_failing(subscription=sub) is False

    Subscription.objects.filter(pk=sub.pk).update(
        failing_since=timezone.now() - dt.timedelta(days=4))
    assert webhooks.subscription_pause_if_failing(subscription=sub) is True
    assert webhooks.subscription_pause_if_failing(subscription=sub) is False

    sub.refresh_from_db()
    assert sub.paused_at is not None
    assert Notification.objects.filter(user=author, verb="webhook_paused").count() == 1


def test_a_paused_subscription_gets_no_new_events(loopback_allowed, questionnaires, payments,
                                                  checkout, author,
                                                  django_capture_on_commit_callbacks):
    sub = subscribe(payments, author, "http://localhost:9/x")
    Subscription.objects.filter(pk=sub.pk).update(paused_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=False):
        create_coe(checkout, author)
    assert not Delivery.objects.exists()


def test_exhausted_retries_mark_the_delivery_failed_and_may_pause(
        httpserver, loopback_allowed, questionnaires, payments, checkout, author,
        django_capture_on_commit_callbacks):
    sub = subscribe(payments, author, httpserver.url_for("/hook"))
    Subscription.objects.filter(pk=sub.pk).update(
        failing_since=timezone.now() - dt.timedelta(days=5))
    httpserver.expect_request("/hook").respond_with_data("no", status=500)
    with django_capture_on_commit_callbacks(execute=True):
        create_coe(checkout, author)
    delivery = Delivery.objects.get()
    from integrations.tasks import EAGER_ATTEMPTS

    assert delivery.status == "failed" and delivery.attempts == EAGER_ATTEMPTS
    sub.refresh_from_db()
    assert sub.paused_at is not None


def test_readiness_expiring_is_emitted_once_per_approval(loopback_allowed, ready_review, author,
                                                         reviewer, payments, settings,
                                                         django_capture_on_commit_callbacks):
    from orr.expiring import announce_expiring_readiness
    from reviews.models import Document
    from reviews.services import document_decide, document_submit

    settings.ORR_EXPIRY_DAYS = {"1": 365, "2": 365, "3": 365}
    sub = subscribe(payments, author, "http://localhost:9/x", events=["readiness.expiring"])
    with django_capture_on_commit_callbacks(execute=False):
        document_submit(document=ready_review, by=author)
        document_decide(document=ready_review, reviewer=reviewer, verdict="approve",
                        reason="Evidence is convincing.")
        assert announce_expiring_readiness() == 0  # a year to go
        Document.objects.filter(pk=ready_review.pk).update(
            approved_at=timezone.now() - dt.timedelta(days=350))
        assert announce_expiring_readiness() == 1
        assert announce_expiring_readiness() == 0
    body = json.loads(sub.deliveries.get().body)
    assert body["type"] == "readiness.expiring"
    assert body["data"]["service"] == "checkout-api" and body["data"]["review"] == ready_review.code


def test_resuming_sends_what_was_held_back(httpserver, loopback_allowed, questionnaires,
                                           payments, checkout, author, client,
                                           django_capture_on_commit_callbacks):
    sub = subscribe(payments, author, httpserver.url_for("/hook"))
    Subscription.objects.filter(pk=sub.pk).update(paused_at=timezone.now())
    Delivery.objects.create(subscription=sub, message_id="msg_held", event_type="coe.created",
                            body='{"id":"evt_1","type":"coe.created","data":{}}')
    httpserver.expect_request("/hook").respond_with_data("ok")

    client.force_login(author)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(f"/integrations/payments/subscriptions/{sub.pk}/resume"
                           ).status_code == 302

    assert [r.headers["webhook-id"] for r, _ in httpserver.log] == ["msg_held"]
    assert Delivery.objects.get().status == "delivered"


def test_sweeper_sends_deliveries_the_broker_never_took(httpserver, loopback_allowed, payments,
                                                        author):
    from django.core.management import call_command

    sub = subscribe(payments, author, httpserver.url_for("/hook"))
    old = timezone.now() - dt.timedelta(minutes=10)
    Delivery.objects.create(subscription=sub, message_id="msg_stuck", event_type="coe.created",
                            body="{}", created_at=old)
    Delivery.objects.create(subscription=sub, message_id="msg_new", event_type="coe.created",
                            body="{}")
    Delivery.objects.create(subscription=sub, message_id="msg_retrying", event_type="coe.created",
                            body="{}", created_at=old, attempts=1)
    httpserver.expect_request("/hook").respond_with_data("ok")

    call_command("sweep_deliveries", stdout=io.StringIO())

    assert [r.headers["webhook-id"] for r, _ in httpserver.log] == ["msg_stuck"]
