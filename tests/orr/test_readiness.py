import datetime as dt

from django.urls import reverse
from django.utils import timezone

from orr import readiness, services
from orr.models import ApiToken
from reviews.models import AcceptedRisk, Answer, Document
from reviews.services import document_decide, document_submit


def approve(review, author, reviewer):
    document_submit(document=review, by=author)
    document_decide(document=review, reviewer=reviewer, verdict="approve", reason="ok")
    review.refresh_from_db()


def test_service_without_orr_was_never_reviewed(checkout):
    assert readiness.readiness(checkout).status == "never_reviewed"


def test_draft_orr_means_not_ready(review, checkout):
    assert readiness.readiness(checkout).status == "not_ready"


def test_in_review_then_ready_on_approval(ready_review, checkout, author, reviewer):
    document_submit(document=ready_review, by=author)
    assert readiness.readiness(checkout).status == "in_review"
    document_decide(document=ready_review, reviewer=reviewer, verdict="approve", reason="ok")
    state = readiness.readiness(checkout)
    assert state.status == "ready"
    assert state.expires_at - state.approved_at == dt.timedelta(days=365)


def test_approval_expires_after_the_tier_period(settings, ready_review, checkout, author,
                                                reviewer):
    approve(ready_review, author, reviewer)
    settings.ORR_EXPIRY_DAYS = {"1": 90, "2": 365, "3": 365}
    Document.objects.filter(pk=ready_review.pk).update(
        approved_at=timezone.now() - dt.timedelta(days=91))
    assert readiness.readiness(checkout).status == "expired"


def test_an_expired_accepted_risk_expires_readiness(ready_review, checkout, author, reviewer):
    answer = ready_review.answers.first()
    answer.save_if_current(base_revision=answer.revision, by=author, risk=Answer.Risk.MEDIUM)
    services.gap_accept_risk(answer=answer, by=author, reason="later",
                             expires_on=timezone.localdate() + dt.timedelta(days=5))
    approve(ready_review, author, reviewer)
    assert readiness.readiness(checkout).status == "ready"
    AcceptedRisk.objects.filter(answer=answer).update(
        expires_on=timezone.localdate() - dt.timedelta(days=1))
    assert readiness.readiness(checkout).status == "expired"


def test_readiness_api_needs_a_valid_token(client, checkout):
    url = reverse("api:readiness", args=[checkout.slug])
    assert client.get(url).status_code == 401
    response = client.get(url, HTTP_AUTHORIZATION="Bearer nope")
    assert response.status_code == 401
    assert "token" in response.json()["error"]


def test_readiness_api_unknown_service_is_404_json(client, db):
    _, raw = ApiToken.issue(name="pipeline")
    response = client.get(reverse("api:readiness", args=["nope"]),
                          HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 404
    assert "error" in response.json()


def test_readiness_api_reports_an_approved_service(client, ready_review, checkout, author,
                                                   reviewer):
    approve(ready_review, author, reviewer)
    token, raw = ApiToken.issue(name="pipeline")
    assert token.key_hash != raw and raw not in token.key_hash
    body = client.get(reverse("api:readiness", args=[checkout.slug]),
                      HTTP_AUTHORIZATION=f"Bearer {raw}").json()
    assert set(body) == {"service", "status", "approved_at", "expires_at", "expires_because",
                         "review_url", "open_high_risks", "overdue_actions"}
    assert body["expires_because"].startswith("the approval of ")
    assert body["service"] == "checkout-api" and body["status"] == "ready"
    assert body["review_url"].endswith(f"/orr/{ready_review.code}/")


def test_revoked_token_is_refused(client, checkout):
    token, raw = ApiToken.issue(name="pipeline")
    token.revoke()
    response = client.get(reverse("api:readiness", args=[checkout.slug]),
                          HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 401


def test_openapi_description_lists_the_readiness_path(client, db):
    spec = client.get(reverse("api:openapi")).json()
    assert "/api/v1/services/{slug}/readiness/" in spec["paths"]


def test_readiness_api_never_answers_for_a_retired_service(client, ready_review, checkout,
                                                          author, reviewer):
    approve(ready_review, author, reviewer)
    _, raw = ApiToken.issue(name="pipeline")
    url = reverse("api:readiness", args=[checkout.slug])
    assert client.get(url, HTTP_AUTHORIZATION=f"Bearer {raw}").json()["status"] == "ready"
    checkout.retire()
    response = client.get(url, HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 404
    assert "retired" in response.json()["error"]
    checkout.restore()
    assert client.get(url, HTTP_AUTHORIZATION=f"Bearer {raw}").json()["status"] == "ready"
