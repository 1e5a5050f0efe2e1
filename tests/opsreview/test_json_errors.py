"""JSON endpoints (the autosave) answer JSON when the session expired, CSRF fails or the body
is too large, never an HTML page the script cannot read."""

import pytest
from django.test import Client
from django.urls import reverse

JSON = {"HTTP_ACCEPT": "application/json"}


@pytest.fixture
def save_url(review):
    answer = review.answers.first()
    return reverse("orr:answer_save", args=[review.code, answer.pk]), answer


def test_signed_out_autosave_gets_a_json_401(client, save_url):
    url, answer = save_url
    response = client.post(url, {f"q{answer.pk}-text": "kept", f"q{answer.pk}-revision": 0},
                           **JSON)
    assert response.status_code == 401
    assert response.json()["error"] == "signed_out"
    assert "new tab" in response.json()["message"]
    # An ordinary page still goes to the login form.
    assert client.get("/services/").status_code == 302


def test_csrf_failure_on_autosave_gets_a_json_403(author, save_url):
    url, answer = save_url
    client = Client(enforce_csrf_checks=True)
    client.force_login(author)
    response = client.post(url, {f"q{answer.pk}-text": "kept", f"q{answer.pk}-revision": 0},
                           **JSON)
    assert response.status_code == 403
    assert response.json()["error"] == "csrf"
    html = client.post(url, {f"q{answer.pk}-text": "kept"})
    assert html.status_code == 403 and "json" not in html["Content-Type"]


def test_oversized_autosave_gets_a_json_413_with_the_limit(client, author, save_url):
    url, answer = save_url
    client.force_login(author)
    response = client.post(url, {f"q{answer.pk}-text": "x" * 3_000_000,
                                 f"q{answer.pk}-revision": 0}, **JSON)
    assert response.status_code == 413
    assert "at most 100,000 characters" in response.json()["message"]
