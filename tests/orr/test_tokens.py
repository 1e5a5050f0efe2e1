"""API tokens: scope (all teams or some), expiry and revocation are honoured by the readiness
API, remembered answers included; issued once from the browser or `issue_token`."""

import datetime as dt
import io

import pytest
import time_machine
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from catalog.models import OrgEvent
from orr.models import ApiToken
from orr.tokens import token_issue

from ..conftest import make_service


def ask(client, raw, slug="checkout-api", **extra):
    return client.get(reverse("api:readiness", args=[slug]),
                      HTTP_AUTHORIZATION=f"Bearer {raw}", **extra)


@pytest.fixture(params=[0, 60], ids=["fresh", "remembered"])
def page_cache(request, settings):
    """Every rule holds with remembered answers too (as in production with Redis)."""
    settings.PAGE_CACHE_SECONDS = request.param
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def search_service(platform):
    return make_service(platform, name="Search API", slug="search-api")


def test_a_team_token_reads_its_teams_services_only(client, page_cache, checkout,
                                                    search_service, payments):
    token, raw = ApiToken.issue(name="payments deploy", teams=[payments])
    assert token.covers_service(checkout) and not token.covers_service(search_service)
    assert ask(client, raw).json()["service"] == "checkout-api"
    other = ask(client, raw, "search-api")
    assert other.status_code == 404 and other.json() == {"error": "No service “search-api”."}


def test_an_all_teams_token_reads_every_service(client, page_cache, checkout, search_service):
    _, raw = ApiToken.issue(name="release train")
    assert ask(client, raw).status_code == 200
    assert ask(client, raw, "search-api").status_code == 200


def test_an_expired_token_is_refused_even_if_its_answer_was_remembered(client, page_cache,
                                                                      checkout):
    _, raw = ApiToken.issue(name="short", expires_at=timezone.now() + dt.timedelta(hours=1))
    assert ask(client, raw).status_code == 200
    with time_machine.travel(timezone.now() + dt.timedelta(hours=1, seconds=1)):
        response = ask(client, raw)
    assert response.status_code == 401


def test_a_revoked_token_is_refused_at_once(client, page_cache, checkout, ops_lead):
    token, raw = ApiToken.issue(name="pipeline")
    assert ask(client, raw).status_code == 200
    client.force_login(ops_lead)
    client.post(reverse("tokens:revoke", args=[token.pk]))
    client.logout()
    assert ask(client, raw).status_code == 401


def test_a_token_without_the_read_scope_may_not_read(client, checkout):
    token, raw = ApiToken.issue(name="intake only", scopes=["intake"])
    assert token.allows("intake") and not token.allows("read")
    response = ask(client, raw)
    assert response.status_code == 403 and "may not read" in response.json()["error"]


def test_unknown_scopes_are_refused(db):
    with pytest.raises(ValueError, match="Unknown token scope"):
        ApiToken.issue(name="x", scopes=["admin"])


def test_links_use_the_address_the_api_was_asked_on_without_site_url(
        client, settings, ready_review, checkout, author, reviewer):
    from tests.orr.test_readiness import approve

    approve(ready_review, author, reviewer)
    _, raw = ApiToken.issue(name="pipeline")
    settings.SITE_URL = ""
    body = ask(client, raw, HTTP_HOST="localhost:8101").json()
    assert body["review_url"] == f"http://localhost:8101/orr/{ready_review.code}/"
    settings.SITE_URL = "https://ops.example.com"
    body = ask(client, raw, HTTP_HOST="localhost:8101").json()
    assert body["review_url"] == f"https://ops.example.com/orr/{ready_review.code}/"


# --- the token page ------------------------------------------------------------------------


def test_the_secret_is_shown_once_and_works(client, reviewer, payments, checkout):
    client.force_login(reviewer)
    response = client.post(reverse("tokens:list"), {
        "name": "payments deploy", "coverage": "teams", "teams": [payments.pk],
        "scopes": ["read", "write_action_items"], "expires_in": 30}, follow=True)
    token = ApiToken.objects.get()
    raw = response.context["new"]["raw"]
    assert raw.startswith(token.prefix) and raw in response.content.decode()
    assert token.key_hash == ApiToken.hash(raw) and not token.all_teams
    assert token.scopes == ["read", "write_action_items"]
    assert abs(token.expires_at - (timezone.now() + dt.timedelta(days=30))) < dt.timedelta(
        minutes=1)
    assert raw not in client.get(reverse("tokens:list")).content.decode()
    client.logout()
    assert ask(client, raw).status_code == 200
    client.force_login(reviewer)
    assert "ago" in client.get(reverse("tokens:list")).content.decode()  # last use shown
    event = OrgEvent.objects.get(verb="token_issued")
    assert event.actor == reviewer and event.data["teams"] == ["payments"]


def test_a_token_for_chosen_teams_needs_a_team_and_keeps_the_name(client, reviewer):
    client.force_login(reviewer)
    response = client.post(reverse("tokens:list"), {
        "name": "half done", "coverage": "teams", "scopes": ["read"], "expires_in": 90})
    page = response.content.decode()
    assert "Choose at least one team" in page and 'value="half done"' in page
    assert not ApiToken.objects.exists()


def test_reviewers_see_their_own_tokens_and_ops_leads_all(client, reviewer, ops_lead):
    ApiToken.issue(name="raj's", by=reviewer)
    ApiToken.issue(name="olu's", by=ops_lead)
    client.force_login(reviewer)
    page = client.get(reverse("tokens:list")).content.decode()
    assert "raj&#x27;s" in page and "olu&#x27;s" not in page
    client.force_login(ops_lead)
    page = client.get(reverse("tokens:list")).content.decode()
    assert "raj&#x27;s" in page and "olu&#x27;s" in page


def test_revoking_is_logged_once(client, ops_lead):
    token, _ = ApiToken.issue(name="pipeline")
    client.force_login(ops_lead)
    client.post(reverse("tokens:revoke", args=[token.pk]))
    client.post(reverse("tokens:revoke", args=[token.pk]))
    assert OrgEvent.objects.filter(verb="token_revoked").count() == 1


# --- the command ---------------------------------------------------------------------------


def test_issue_token_prints_a_working_scoped_secret(client, checkout, search_service, ops_lead):
    out, err = io.StringIO(), io.StringIO()
    call_command("issue_token", "payments deploy", "--team", "payments", "--days", "7",
                 "--by", "opslead", stdout=out, stderr=err)
    raw = out.getvalue().strip()
    assert raw.startswith("orr_") and "not shown again" in err.getvalue()
    token = ApiToken.objects.get()
    assert token.created_by == ops_lead and token.expires_at.date() == (
        timezone.now() + dt.timedelta(days=7)).date()
    assert ask(client, raw).status_code == 200
    assert ask(client, raw, "search-api").status_code == 404
    assert OrgEvent.objects.get().verb == "token_issued"


def test_issue_token_refuses_an_unknown_team(db):
    with pytest.raises(CommandError, match="No team with slug: nope"):
        call_command("issue_token", "x", "--team", "nope", stdout=io.StringIO())
    assert not ApiToken.objects.exists()


def test_issue_token_without_expiry(db):
    token, _ = token_issue(by=None, name="forever", expires_at=None, scopes=["read"])
    assert token.is_live and token.expires_at is None


def test_an_unchanged_readiness_answer_is_not_sent_again(client, page_cache, checkout,
                                                         search_service):
    _, raw = ApiToken.issue(name="release train")
    first = ask(client, raw)
    assert first.status_code == 200 and first["ETag"]
    again = ask(client, raw, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304 and again.content == b""
    # Another answer has another tag: it is sent in full.
    other = ask(client, raw, "search-api", HTTP_IF_NONE_MATCH=first["ETag"])
    assert other.status_code == 200 and other.json()["service"] == "search-api"
