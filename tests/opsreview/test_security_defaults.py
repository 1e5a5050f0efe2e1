"""Production is secure by default; forwarding headers count only from the trusted proxy."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest
import yaml
from django.urls import reverse

from ..conftest import REPO

STRONG_KEY = "k9#Vt2!pQz7$wLm4@xR8&nB3^sD6*fH1(jK5)cY0+gU2-eA7=iO9"


def _run(args, env_update, drop=("DATABASE_URL", "REDIS_URL", "CACHE_URL", "SECRET_KEY",
                                  "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE")):
    env = {k: v for k, v in os.environ.items() if k not in drop}
    env.update(env_update)
    return subprocess.run([sys.executable, "manage.py", *args], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=120)


def compose_environment(shell_env: dict[str, str]) -> dict[str, str]:
    """The web service's environment as docker compose interpolates it from `shell_env`."""
    compose = yaml.safe_load((REPO / "docker-compose.yml").read_text())
    raw = compose["services"]["web"].get("environment") or compose["x-app"]["environment"]

    def interpolate(value: str) -> str:
        def one(match):
            name, op, arg = match.group(1), match.group(2), match.group(3)
            if op == ":?" and not shell_env.get(name):
                raise KeyError(f"{name}: {arg}")
            if op == ":-" and not shell_env.get(name):
                return arg
            return shell_env.get(name, "")
        return re.sub(r"\$\{(\w+)(?:(:[-?])([^}]*))?\}", one, str(value))

    return {name: interpolate(value) for name, value in raw.items()}


def test_check_deploy_passes_with_compose_environment():
    env = compose_environment({"SECRET_KEY": STRONG_KEY})
    result = _run(["check", "--deploy", "--fail-level", "WARNING"], env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_compose_has_no_default_secret_key():
    with pytest.raises(KeyError, match="SECRET_KEY"):
        compose_environment({})


@pytest.mark.parametrize("key", ["change-me-in-production", "django-insecure-abc", "short"])
def test_production_refuses_to_start_with_a_placeholder_key(key):
    result = _run(["check"], {"DEBUG": "0", "SECRET_KEY": key})
    assert result.returncode != 0
    assert "SECRET_KEY is a placeholder" in result.stderr


@pytest.fixture
def behind_proxy(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.1"]
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_SSL_REDIRECT = True


def test_forwarded_proto_is_believed_from_the_trusted_proxy(client, behind_proxy, db):
    response = client.get(reverse("login"), REMOTE_ADDR="10.0.0.1",
                          HTTP_X_FORWARDED_PROTO="https")
    assert response.status_code == 200


def test_forwarded_proto_from_anyone_else_is_ignored(client, behind_proxy, db):
    response = client.get(reverse("login"), REMOTE_ADDR="10.0.0.9",
                          HTTP_X_FORWARDED_PROTO="https")
    assert response.status_code == 301
    assert response["Location"].startswith("https://")


def test_authenticated_pages_are_private_to_caches(client, author):
    client.force_login(author)
    for url in ("/", "/services/", reverse("actions:mine")):
        assert "private" in client.get(url)["Cache-Control"], url


def test_compose_keeps_the_broker_apart_from_an_evicting_cache():
    compose = yaml.safe_load((REPO / "docker-compose.yml").read_text())
    env = compose_environment({"SECRET_KEY": STRONG_KEY})
    broker_host = env["REDIS_URL"].split("//")[1].split(":")[0]
    cache_host = env["CACHE_URL"].split("//")[1].split(":")[0]
    assert broker_host != cache_host
    assert "noeviction" in compose["services"][broker_host]["command"]
    cache_command = compose["services"][cache_host]["command"]
    assert "--maxmemory " in cache_command and "allkeys-lru" in cache_command
