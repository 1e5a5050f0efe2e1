"""Builders for the integrations tests: integrations, signed posts of recorded payloads."""

from __future__ import annotations

import hashlib
import hmac
from pathlib import Path

import pytest

from integrations.models import Integration, ServiceMapping

PAYLOADS = Path(__file__).parent / "payloads"


def payload(name: str) -> bytes:
    return (PAYLOADS / name).read_bytes()


def make_integration(team, by, provider: str, **extra) -> Integration:
    return Integration.objects.create(team=team, created_by=by, provider=provider,
                                      name=extra.pop("name", provider), **extra)


def map_service(integration, provider_service: str, service) -> ServiceMapping:
    return ServiceMapping.objects.create(integration=integration,
                                         provider_service=provider_service, service=service)


def hex_hmac(secret: str, body: bytes) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def auth_headers(integration: Integration, body: bytes) -> dict[str, str]:
    """The headers each provider sends, computed the way the provider documents it."""
    secret = integration.secret
    return {
        "pagerduty": {"X-PagerDuty-Signature": f"v1={hex_hmac(secret, body)}"},
        "generic": {"X-OpsReview-Signature": f"sha256={hex_hmac(secret, body)}"},
        "github": {"X-Hub-Signature-256": f"sha256={hex_hmac(secret, body)}",
                   "X-GitHub-Event": "issues"},
        "jira": {"X-Hub-Signature": f"sha256={hex_hmac(secret, body)}"},
        "gitlab": {"X-Gitlab-Token": secret, "X-Gitlab-Event": "Issue Hook"},
        "opsgenie": {"Authorization": f"Bearer {secret}"},
        "alertmanager": {"Authorization": f"Bearer {secret}"},
    }[integration.provider]


def post(client, integration: Integration, body: bytes, headers: dict | None = None):
    headers = auth_headers(integration, body) if headers is None else headers
    return client.post(f"/integrations/hooks/{integration.public_id}/", data=body,
                       content_type="application/json", headers=headers)


@pytest.fixture
def anon(client):
    """Providers are not logged in."""
    return client
