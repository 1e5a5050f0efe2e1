"""Issue #14's journey in Chromium: an empty organisation (questionnaires only) is set up in the
browser — the first administrator, the Backstage catalog, an invitation — and its people sign in,
by the invitation's password or through the OpenID Connect provider, land on their team's home
page and start an ORR on one of its services."""

import re
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import call_command
from playwright.sync_api import expect

from catalog.models import Membership, Service, Team
from orr.models import ReadinessReview

from .conftest import screenshot
from .test_accessibility import serious_violations
from .test_sign_in import idp, sign_in_at_provider  # noqa: F401 (idp is a fixture)

pytestmark = pytest.mark.usefixtures("transactional_db", "questionnaires")

BACKSTAGE = Path(__file__).resolve().parents[1] / "catalog" / "data" / "backstage"


def log_out(page, live_server) -> None:
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(f"{live_server.url}/accounts/login/")


def start_an_orr_from_home(page, service_name: str) -> ReadinessReview:
    """From the home page's list of the team's services to a started ORR."""
    services = page.locator("section", has=page.get_by_role("heading", name="My teams' services"))
    services.get_by_role("link", name=service_name).click()
    page.get_by_role("button", name="Start ORR").click()
    expect(page.locator(".alert-success")).to_contain_text("started")
    return ReadinessReview.objects.get(service__name=service_name)


def test_an_empty_organisation_is_set_up_and_an_invited_person_starts_an_orr(page,
                                                                            live_server):
    assert not get_user_model().objects.exists() and not Team.objects.exists()

    # The first administrator, on /setup/.
    page.goto(f"{live_server.url}/")
    page.get_by_role("link", name="create the first administrator").click()
    page.get_by_label("Username").fill("ada")
    page.get_by_label("E-mail").fill("ada@example.com")
    page.fill("input[name=password1]", "a long password")
    page.fill("input[name=password2]", "a long password")
    page.get_by_role("button", name="Create administrator").click()

    # Step 1 of the set-up page: the Backstage catalog.
    page.get_by_role("link", name="Import a catalog").click()
    page.set_input_files("input[name=files]", sorted(str(p) for p in BACKSTAGE.rglob("*.yaml")))
    page.get_by_role("button", name="Preview").click()
    page.get_by_role("button", name="Apply this import").click()
    expect(page.locator(".alert-success")).to_contain_text("Catalog imported")
    assert Team.objects.count() == 4 and Service.objects.count() == 13

    # Step 2: invite Bob, whom the catalog names as a Payments member.
    page.get_by_role("link", name="Set up").click()
    page.get_by_role("link", name="Invite people").click()
    page.get_by_label("Email").fill("bob@acme.example")
    page.get_by_label("Name").fill("Bob Nakamura")
    page.get_by_label("Team").select_option(label="Payments")
    page.get_by_label("Role").select_option("member")
    page.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_text("Invitation sent to bob@acme.example")).to_be_visible()
    link = re.search(r"/accounts/welcome/\S+/", mail.outbox[-1].body)[0]
    log_out(page, live_server)

    # Bob claims the account the import made for him and lands on his team's home page.
    page.goto(f"{live_server.url}{link}")
    expect(page.locator("main")).to_contain_text("Your account bob is ready")
    page.locator("#id_password1").fill("a-long-passphrase")
    page.locator("#id_password2").fill("a-long-passphrase")
    page.get_by_role("button", name="Set password and sign in").click()
    page.wait_for_url(f"{live_server.url}/")
    expect(page.locator("main")).to_contain_text("Payments API")
    expect(page.locator("[data-no-team]")).to_have_count(0)
    screenshot(page, "journey-invited-home")
    assert serious_violations(page) == []
    bob = get_user_model().objects.get(email="bob@acme.example")
    assert bob.username == "bob"

    review = start_an_orr_from_home(page, "Payments API")
    assert review.author == bob and review.service.team.slug == "payments"


def test_people_sign_in_through_the_provider_into_the_imported_teams(page, live_server, idp):  # noqa: F811
    get_user_model().objects.create_superuser("ada", "ada@example.com", "a long password")
    call_command("import_catalog", *sorted(str(p) for p in BACKSTAGE.rglob("*.yaml")),
                 verbosity=0)

    # A new person whose provider groups name the imported Identity team.
    idp.person("grace", first_name="Grace", last_name="Hopper",
               groups=["opsreview-identity-member"])
    sign_in_at_provider(page, live_server, idp, "grace")
    identity = Team.objects.get(slug="identity")
    service = Service.objects.filter(team=identity).order_by("name").first()
    expect(page.locator("main")).to_contain_text(service.name)
    assert Membership.objects.filter(user__username="grace", team=identity).exists()
    review = start_an_orr_from_home(page, service.name)
    assert review.author.username == "grace"
    log_out(page, live_server)

    # Someone the provider gives no mapped group: told so, and whom to ask.
    idp.person("hal", first_name="Hal", last_name="Nine", groups=["accounting"])
    sign_in_at_provider(page, live_server, idp, "hal")
    no_team = page.locator("[data-no-team]")
    expect(no_team).to_contain_text("You are not in a team yet")
    expect(no_team.get_by_role("link", name="ada@example.com")).to_be_visible()
    screenshot(page, "journey-no-team-home")
    assert serious_violations(page) == []
