"""Setting an organisation up in the browser: the first administrator on an empty
installation, then an ops lead who creates a team and a service and issues a token that a
pipeline uses to read readiness."""

import datetime as dt
import json
import urllib.error
import urllib.request

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from actions.models import ActionItem
from catalog.models import Membership, OrgEvent, Service, Team, ops_leads_group
from orr.models import ApiToken
from orr.services import orr_start

from .conftest import login, screenshot

pytestmark = pytest.mark.usefixtures("transactional_db")


def readiness(live_server, slug: str, raw: str) -> tuple[int, dict]:
    request = urllib.request.Request(f"{live_server.url}/api/v1/services/{slug}/readiness/",
                                     headers={"Authorization": f"Bearer {raw}"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 (test server)
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


def test_first_run_creates_the_administrator_in_the_browser(page, live_server):
    page.goto(f"{live_server.url}/")
    page.get_by_role("link", name="create the first administrator").click()
    screenshot(page, "first-run-admin")
    page.get_by_label("Username").fill("ada")
    page.get_by_label("E-mail").fill("ada@example.com")
    page.fill("input[name=password1]", "a long password")
    page.fill("input[name=password2]", "a long password")
    page.get_by_role("button", name="Create administrator").click()
    expect(page.get_by_role("heading", name="Set up your organisation")).to_be_visible()
    expect(page.get_by_role("link", name="Create a team")).to_be_visible()
    screenshot(page, "first-run-steps")
    assert get_user_model().objects.get().is_superuser
    # The home page keeps pointing there until a team exists.
    page.get_by_role("link", name="OpsReview").click()
    expect(page.get_by_role("link", name="Start setting up")).to_be_visible()


def test_an_ops_lead_sets_up_a_team_a_service_and_a_pipeline_token(page, live_server,
                                                                    django_user_model):
    lead = django_user_model.objects.create_user("olu", password="pw", first_name="Olu")
    lead.groups.add(ops_leads_group())
    ana = django_user_model.objects.create_user("ana", password="pw", first_name="Ana")
    other = Team.objects.create(name="Search", slug="search")
    Service.objects.create(name="Indexer", slug="indexer", team=other)

    login(page, live_server, "olu", "pw")
    page.get_by_role("link", name="Organisation").click()
    page.get_by_role("link", name="New team").click()
    page.get_by_label("Name").fill("Payments")
    page.get_by_label("E-mail contact").fill("payments@example.com")
    page.get_by_label("Chat contact").fill("#payments")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".alert-success")).to_contain_text("Team Payments created")

    # People and their roles, from the team page.
    page.get_by_label("Add a person, or change a role").select_option(label="Ana (ana)")
    page.get_by_label("Role", exact=True).select_option("reviewer")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("main")).to_contain_text("Reviewer")
    assert Membership.objects.get(user=ana).role == "reviewer"
    screenshot(page, "org-team")

    page.get_by_role("link", name="New service").click()
    page.get_by_label("Name").fill("Checkout API")
    page.get_by_label("Tier").select_option("1")
    payments = Team.objects.get(slug="payments")
    expect(page.get_by_label("Owning team")).to_have_value(str(payments.pk))
    page.get_by_label("Repository link").fill("https://git.example.com/checkout")
    page.get_by_label("Runbook link").fill("https://wiki.example.com/checkout")
    page.get_by_label("Tags").fill("PCI, customer facing")
    screenshot(page, "org-service-form")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", name="Checkout API")).to_be_visible()
    expect(page.locator("#service-tags li")).to_have_text(["customer-facing", "pci"])
    expect(page.get_by_role("link", name="Runbook")).to_have_attribute(
        "href", "https://wiki.example.com/checkout")

    page.get_by_role("link", name="Organisation").click()
    screenshot(page, "org-teams")
    page.get_by_role("link", name="API tokens").click()
    page.get_by_label("Name").fill("payments deploy")
    page.get_by_label("Only the services of these teams").check()
    page.locator("label", has_text="Payments").locator("..").locator("input").check()
    page.get_by_label("Expires after").select_option("30")
    page.get_by_role("button", name="Issue token").click()
    secret = page.locator("#new-secret").input_value()
    assert secret.startswith("orr_")
    screenshot(page, "org-tokens")

    status, body = readiness(live_server, "checkout-api", secret)
    assert (status, body["status"]) == (200, "never_reviewed")
    assert readiness(live_server, "indexer", secret)[0] == 404
    page.reload()
    expect(page.locator("#new-secret")).to_have_count(0)
    expect(page.locator("tbody tr", has_text="payments deploy")).to_contain_text("ago")

    page.locator("tbody tr", has_text="payments deploy").get_by_role("button").click()
    expect(page.locator(".alert-success")).to_contain_text("revoked")
    assert readiness(live_server, "checkout-api", secret)[0] == 401
    assert ApiToken.objects.get().revoked_at is not None

    page.get_by_role("link", name="Audit log").click()
    for text in ("Team Payments created", "ana added to Payments", "Service Checkout API created",
                 "payments deploy", "revoked"):
        expect(page.locator("main")).to_contain_text(text)
    screenshot(page, "org-audit")
    assert OrgEvent.objects.count() == 5


def test_retiring_a_service_and_deactivating_a_person(page, live_server, django_user_model,
                                                      questionnaires):
    lead = django_user_model.objects.create_user("olu", password="pw")
    lead.groups.add(ops_leads_group())
    leaver = django_user_model.objects.create_user("sam", password="pw", first_name="Sam")
    django_user_model.objects.create_user("kim", password="pw", first_name="Kim")
    team = Team.objects.create(name="Search", slug="search")
    Membership.objects.create(user=leaver, team=team)
    indexer = Service.objects.create(name="Indexer", slug="indexer", team=team)
    review = orr_start(service=indexer, by=leaver, trigger="pre_launch")
    ActionItem.objects.create(title="Alarm on index lag over five minutes", owner=leaver,
                              team=team, due_date=dt.date.today() + dt.timedelta(days=14),
                              document=review)

    login(page, live_server, "olu", "pw")
    page.goto(f"{live_server.url}/services/indexer/")
    page.get_by_role("link", name="Retire…").click()
    expect(page.locator("main")).to_contain_text("1 open action item")
    screenshot(page, "org-service-retire")
    page.get_by_role("button", name="Retire Indexer").click()
    expect(page.locator("main")).to_contain_text("Retired on")
    expect(page.locator("main")).to_contain_text("Alarm on index lag over five minutes")
    screenshot(page, "org-service-retired")
    page.goto(f"{live_server.url}/services/")
    expect(page.locator("main")).not_to_contain_text("Indexer")

    page.goto(f"{live_server.url}/org/people/sam/")
    page.get_by_role("link", name="Deactivate…").click()
    page.get_by_label("Hand everything to").select_option(label="Kim (kim)")
    screenshot(page, "org-person-deactivate")
    page.get_by_role("button", name="Deactivate sam").click()
    expect(page.locator("h1")).to_contain_text("Deactivated")
    screenshot(page, "org-person")
    assert not django_user_model.objects.get(username="sam").is_active
    assert ActionItem.objects.get().owner.username == "kim"
