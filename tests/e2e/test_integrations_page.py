"""A team member connects a pager in the browser: the secret is shown once, mappings and the
delivery log are on the page."""

import pytest

from catalog.models import Membership
from integrations.models import Delivery, Subscription
from tests.conftest import make_service, make_team

from .conftest import login, screenshot
from .test_accessibility import serious_violations

pytestmark = pytest.mark.usefixtures("transactional_db")


def test_member_creates_a_pager_integration_and_maps_a_service(page, live_server,
                                                               django_user_model):
    user = django_user_model.objects.create_user(username="maya", password="correct-horse-42")
    team = make_team("Payments", slug="payments")
    Membership.objects.create(user=user, team=team)
    make_service(team, name="Checkout API", slug="checkout-api")
    sub = Subscription.objects.create(team=team, created_by=user,
                                      url="https://hooks.example.com/ops",
                                      events=["coe.created", "action_item.closed"])
    Delivery.objects.create(subscription=sub, message_id="msg_2b6f0c1d", event_type="coe.created",
                            body="{}", status="delivered", attempts=2, last_status_code=200)

    login(page, live_server, "maya", "correct-horse-42")
    page.get_by_role("link", name="Integrations").click()
    assert page.url.endswith("/integrations/payments/")

    page.select_option("select[name=provider]", "pagerduty")
    page.fill("input[name=name]", "Production pager")
    with page.expect_navigation():
        page.get_by_role("button", name="Create").click()
    secret = page.get_by_test_id("new-secret").inner_text().strip()
    assert len(secret) >= 32

    page.select_option("select[name=integration]",
                       label="Production pager (PagerDuty (v3 webhooks))")
    page.fill("input[name=provider_service]", "PF9KMXH")
    page.select_option("select[name=service]", label="Checkout API")
    with page.expect_navigation():
        page.get_by_role("button", name="Map").click()

    content = page.content()
    assert "PF9KMXH → Checkout API" in content and secret not in content
    assert "msg_2b6f0c1d" in content
    screenshot(page, "integrations-page")
    assert serious_violations(page) == []
