"""In Chromium: sign-in through the real loopback OpenID Connect provider, logout at both ends,
and an invitation accepted from its e-mail link."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail

from catalog.models import Membership
from tests.conftest import make_team

from .conftest import login, screenshot
from .test_accessibility import serious_violations

pytestmark = pytest.mark.usefixtures("transactional_db")


@pytest.fixture
def idp(oidc_settings, oidc_provider, live_server):
    oidc_provider.register_client(live_server.url)
    return oidc_provider


def sign_in_at_provider(page, live_server, idp, username: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_role("link", name="Sign in with Test IdP").click()
    page.wait_for_url(f"{idp.url}/login/**")
    page.fill("#idp-username", username)
    page.fill("#idp-password", "idp-pass-123")
    page.get_by_role("button", name="Sign in to the provider").click()
    page.wait_for_url(f"{live_server.url}/")


def test_sign_in_maps_groups_and_the_next_sign_in_drops_a_removed_one(page, live_server, idp):
    make_team("Payments", slug="payments")
    make_team("Platform", slug="platform")
    idp.person("dana", first_name="Dana", last_name="Scully",
               groups=["opsreview-payments-reviewer", "opsreview-platform-member"])

    page.goto(f"{live_server.url}/accounts/login/")
    screenshot(page, "sign-in-with-provider")
    assert serious_violations(page) == []
    sign_in_at_provider(page, live_server, idp, "dana")

    assert "Dana Scully" in page.locator("nav").inner_text()
    user = get_user_model().objects.get(username="dana")
    roles = dict(Membership.objects.filter(user=user).values_list("team__slug", "role"))
    assert roles == {"payments": "reviewer", "platform": "member"}

    # Log out: our session ends, then the provider's (its login form is asked for again).
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(f"{live_server.url}/accounts/login/")
    idp.person("dana", first_name="Dana", last_name="Scully",
               groups=["opsreview-payments-reviewer"])
    sign_in_at_provider(page, live_server, idp, "dana")

    roles = dict(Membership.objects.filter(user=user).values_list("team__slug", "role"))
    assert roles == {"payments": "reviewer"}


def test_an_invitation_is_accepted_in_the_browser(page, live_server, django_user_model):
    make_team("Payments", slug="payments")
    lead = django_user_model.objects.create_superuser("olu", "olu@example.com", "lead-pass-42")
    lead.first_name = "Olu"
    lead.save()
    login(page, live_server, "olu", "lead-pass-42")

    page.goto(f"{live_server.url}/accounts/invite/")
    page.get_by_label("Email").fill("new.person@example.com")
    page.get_by_label("Name").fill("New Person")
    page.get_by_label("Team").select_option(label="Payments")
    page.get_by_label("Role").select_option("reviewer")
    page.get_by_role("button", name="Send invitation").click()
    page.get_by_text("Invitation sent to new.person@example.com").wait_for()
    screenshot(page, "invite-people")
    assert serious_violations(page) == []
    link = re.search(r"/accounts/welcome/\S+/", mail.outbox[-1].body)[0]
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(f"{live_server.url}/accounts/login/")

    page.goto(f"{live_server.url}{link}")
    page.locator("#id_password1").fill("a-long-passphrase")
    page.locator("#id_password2").fill("a-long-passphrase")
    screenshot(page, "invitation-set-password")
    assert serious_violations(page) == []
    page.get_by_role("button", name="Set password and sign in").click()
    page.wait_for_url(f"{live_server.url}/")

    assert "New Person" in page.locator("nav").inner_text()
    user = django_user_model.objects.get(email="new.person@example.com")
    assert Membership.objects.get(user=user).role == "reviewer"
    page.goto(f"{live_server.url}{link}")
    assert page.get_by_role("heading", name="This invitation link is not valid").is_visible()
