"""A real browser signs in and reaches the home page; the health endpoint answers JSON."""

import pytest

from .conftest import login

pytestmark = pytest.mark.usefixtures("transactional_db")


def test_user_logs_in_and_lands_on_home(page, live_server, django_user_model):
    django_user_model.objects.create_user(username="alice", password="correct-horse-42")

    login(page, live_server, "alice", "correct-horse-42")

    assert page.url == f"{live_server.url}/"
    # The page is rendered for the signed-in user, not bounced back to the login form.
    assert page.locator("input[name=password]").count() == 0
    assert "alice" in page.content()


def test_healthz_returns_json(page, live_server):
    response = page.goto(f"{live_server.url}/healthz")

    assert response.status == 200
    assert response.headers["content-type"].startswith("application/json")
    assert response.json() == {"status": "ok"}
