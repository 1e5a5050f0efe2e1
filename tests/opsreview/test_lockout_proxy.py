"""Login lock-out behind a proxy: per username and real client address; unlocked in the app."""

import pytest
from django.test import Client
from django.urls import reverse

PROXY = "10.0.0.1"


@pytest.fixture
def behind_proxy(settings):
    settings.TRUSTED_PROXIES = [PROXY]


@pytest.fixture
def victim(django_user_model, db):
    return django_user_model.objects.create_user("victim", password="right-password-1")


def login(client, password, client_addr, via=PROXY):
    return client.post(reverse("login"), {"username": "victim", "password": password},
                       REMOTE_ADDR=via, HTTP_X_FORWARDED_FOR=client_addr)


def lock_out(client, client_addr, via=PROXY):
    for _ in range(5):
        response = login(client, "wrong", client_addr, via)
    assert response.status_code == 429


def test_an_attacker_behind_the_proxy_cannot_lock_out_the_real_user(behind_proxy, victim):
    lock_out(Client(), "203.0.113.7")
    assert login(Client(), "wrong", "203.0.113.7").status_code == 429
    assert login(Client(), "right-password-1", "198.51.100.2").status_code == 302


def test_a_forged_forwarded_for_from_outside_the_proxy_does_not_dodge_the_lock(
        behind_proxy, victim):
    client = Client()
    for n in range(5):
        response = login(client, "wrong", f"192.0.2.{n}", via="203.0.113.7")
    assert response.status_code == 429
    assert login(client, "right-password-1", "192.0.2.99", via="203.0.113.7").status_code == 429


def test_an_ops_lead_unlocks_from_the_app(behind_proxy, victim, ops_lead, outsider):
    lock_out(Client(), "198.51.100.2")
    lead = Client()
    lead.force_login(ops_lead)
    page = lead.get(reverse("lockouts"))
    assert "victim" in page.content.decode() and "198.51.100.2" in page.content.decode()
    other = Client()
    other.force_login(outsider)
    assert other.get(reverse("lockouts")).status_code == 403
    pk = page.context["lockouts"][0].pk
    assert other.post(reverse("lockout_unlock", args=[pk])).status_code == 403
    assert lead.post(reverse("lockout_unlock", args=[pk])).status_code == 302
    assert login(Client(), "right-password-1", "198.51.100.2").status_code == 302
    assert "Nobody is locked out" in lead.get(reverse("lockouts")).content.decode()
