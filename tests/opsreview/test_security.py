import os
import subprocess
import sys

import pytest
from django.urls import reverse

from ..conftest import REPO


@pytest.mark.parametrize("url", ["/healthz", "/accounts/login/", "/services/"])
def test_every_response_has_security_headers(client, author, url):
    client.force_login(author)
    response = client.get(url)
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_templates_have_no_inline_script_or_style(db):
    for path in (REPO / "templates").rglob("*.html"):
        text = path.read_text()
        assert "<script>" not in text and "<script >" not in text, path
        assert 'style="' not in text, path
        assert " onclick=" not in text and " onload=" not in text, path


def test_login_locks_out_after_repeated_failures(client, django_user_model, db):
    django_user_model.objects.create_user("victim", password="right-password-1")
    url = reverse("login")
    for _ in range(4):
        assert client.post(url, {"username": "victim", "password": "wrong"}).status_code == 200
    # The fifth failure reaches the limit and locks the account out.
    assert client.post(url, {"username": "victim", "password": "wrong"}).status_code == 429
    locked = client.post(url, {"username": "victim", "password": "right-password-1"})
    assert locked.status_code == 429
    assert "Too many failed logins" in locked.content.decode()


def test_correct_login_still_works_before_the_limit(client, django_user_model, db):
    django_user_model.objects.create_user("user1", password="right-password-1")
    url = reverse("login")
    client.post(url, {"username": "user1", "password": "wrong"})
    response = client.post(url, {"username": "user1", "password": "right-password-1"})
    assert response.status_code == 302


def test_check_deploy_is_clean_with_production_environment():
    skip = ("DATABASE_URL", "REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE")
    env = {k: v for k, v in os.environ.items() if k not in skip}
    env.update({
        "DEBUG": "0",
        "SECRET_KEY": "k9#Vt2!pQz7$wLm4@xR8&nB3^sD6*fH1(jK5)cY0+gU2-eA7=iO9",
        "ALLOWED_HOSTS": "opsreview.example.com",
    })
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_missing_secret_key_refuses_to_start_in_production():
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY",)}
    env["DEBUG"] = "0"
    result = subprocess.run([sys.executable, "manage.py", "check"], cwd=REPO, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr
