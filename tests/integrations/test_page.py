"""The team's integrations page: who sees it, forms, secrets shown once, flat query counts."""

from __future__ import annotations

import pytest

from integrations.models import Delivery, Integration, ServiceMapping, Subscription
from tests.integrations.conftest import make_integration, map_service

pytestmark = pytest.mark.django_db
PAGE = "/integrations/payments/"


def test_member_sees_the_page(client, payments, author, checkout):
    integration = make_integration(payments, author, "pagerduty", name="Prod pager")
    map_service(integration, "PF9KMXH", checkout)
    client.force_login(author)
    page = client.get(PAGE).content.decode()
    assert "Prod pager" in page and f"/integrations/hooks/{integration.public_id}/" in page
    assert "PF9KMXH → Checkout API" in page
    # The secret itself is never on the page after creation.
    assert integration.secret not in page


def test_outsider_gets_404_and_ops_lead_reads_without_forms(client, payments, outsider, ops_lead):
    client.force_login(outsider)
    assert client.get(PAGE).status_code == 404
    assert client.post(f"{PAGE}integrations/new", {"provider": "github", "name": "x",
                                                   "coe_max_severity": 2}).status_code == 404
    client.force_login(ops_lead)
    page = client.get(PAGE)
    assert page.status_code == 200 and "Add a subscription" not in page.content.decode()
    assert client.post(f"{PAGE}integrations/new", {"provider": "github", "name": "x",
                                                   "coe_max_severity": 2}).status_code == 403
    assert not Integration.objects.exists()


def test_write_views_refuse_get(client, payments, author):
    client.force_login(author)
    for path in ("integrations/new", "mappings/new", "subscriptions/new",
                 "deliveries/1/redeliver", "subscriptions/1/resume"):
        assert client.get(PAGE + path).status_code == 405, path


def test_creating_an_integration_shows_its_secret_once(client, payments, author):
    client.force_login(author)
    answer = client.post(f"{PAGE}integrations/new",
                         {"provider": "pagerduty", "name": "Prod pager", "coe_max_severity": 2},
                         follow=True)
    integration = Integration.objects.get()
    assert integration.team == payments and integration.created_by == author
    assert integration.secret in answer.content.decode()
    assert integration.secret not in client.get(PAGE).content.decode()


def test_mapping_to_another_teams_service_is_refused(client, payments, platform, author):
    from tests.conftest import make_service

    integration = make_integration(payments, author, "pagerduty")
    theirs = make_service(platform)
    client.force_login(author)
    answer = client.post(f"{PAGE}mappings/new", {"integration": integration.pk,
                                                 "provider_service": "PX", "service": theirs.pk})
    assert answer.status_code == 200 and not ServiceMapping.objects.exists()


def test_subscription_to_a_private_address_is_refused_on_the_page(client, payments, author):
    client.force_login(author)
    answer = client.post(f"{PAGE}subscriptions/new", {
        "kind": "webhook", "url": "http://10.0.0.5/hook", "events": ["coe.created"]})
    page = answer.content.decode()
    assert answer.status_code == 200
    assert "private address" in page
    assert 'value="http://10.0.0.5/hook"' in page  # what the user typed is kept
    assert not Subscription.objects.exists()


def test_subscription_created_on_the_page_shows_its_secret_once(client, settings, payments,
                                                               author):
    settings.WEBHOOK_ALLOWED_HOSTS = ["receiver.internal"]
    client.force_login(author)
    answer = client.post(f"{PAGE}subscriptions/new", {
        "kind": "webhook", "url": "https://receiver.internal/hook",
        "events": ["coe.created", "action_item.closed"]}, follow=True)
    sub = Subscription.objects.get()
    assert sub.events == ["coe.created", "action_item.closed"]
    assert sub.secret.startswith("whsec_") and sub.secret in answer.content.decode()


def _fill(payments, author, checkout, n: int) -> None:
    for i in range(n):
        integration = make_integration(payments, author, "pagerduty", name=f"Pager {i}")
        map_service(integration, f"P{i}", checkout)
        sub = Subscription.objects.create(team=payments, created_by=author,
                                          url=f"https://r{i}.example.com/", events=["coe.created"])
        Delivery.objects.create(subscription=sub, message_id=f"msg_{i}",
                                event_type="coe.created", body="{}")


@pytest.mark.parametrize("rows", [10, 100])
def test_page_query_count_is_flat(client, payments, author, checkout, rows,
                                  django_assert_max_num_queries):
    _fill(payments, author, checkout, rows)
    client.force_login(author)
    client.get(PAGE)  # warm the session and roles
    with django_assert_max_num_queries(14):
        assert client.get(PAGE).status_code == 200


def test_pagerduty_generated_secret_can_be_pasted_and_then_verifies(client, questionnaires,
                                                                    payments, author, checkout):
    from tests.integrations.conftest import auth_headers, payload, post

    integration = make_integration(payments, author, "pagerduty")
    map_service(integration, "PF9KMXH", checkout)
    client.force_login(author)
    pd_secret = "pd-generated-0123456789abcdef"
    answer = client.post(f"{PAGE}integrations/{integration.pk}/secret",
                         {"provider_secret": pd_secret})
    assert answer.status_code == 302
    integration.refresh_from_db()
    assert integration.secret == pd_secret

    body = payload("pagerduty_incident_resolved.json")
    client.logout()
    assert post(client, integration, body, headers=auth_headers(integration, body)
                ).status_code == 202


def test_too_short_provider_secret_changes_nothing(client, payments, author):
    integration = make_integration(payments, author, "jira")
    before = integration.secret
    client.force_login(author)
    client.post(f"{PAGE}integrations/{integration.pk}/secret", {"provider_secret": "short"})
    integration.refresh_from_db()
    assert integration.secret == before


def test_admin_lists_integrations_without_their_secrets(client, django_user_model, payments,
                                                        author, checkout):
    integration = make_integration(payments, author, "pagerduty", name="Prod pager")
    admin = django_user_model.objects.create_superuser("root", "root@example.com", "pw")
    client.force_login(admin)
    for path in ("/admin/integrations/integration/",
                 f"/admin/integrations/integration/{integration.pk}/change/",
                 "/admin/integrations/incidentrecord/", "/admin/integrations/delivery/",
                 "/admin/integrations/subscription/"):
        answer = client.get(path)
        assert answer.status_code == 200, path
        assert integration.secret not in answer.content.decode()
