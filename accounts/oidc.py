"""OpenID Connect configuration: settings, with endpoints discovered from the issuer.

mozilla-django-oidc reads its settings through a get_settings() hook on its views and backend;
ours (setting()) fills the OIDC_OP_* endpoints from ISSUER/.well-known/openid-configuration
at first use, unless they are set explicitly.
"""

from __future__ import annotations

import threading

import requests
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

DISCOVERED = {
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "authorization_endpoint",
    "OIDC_OP_TOKEN_ENDPOINT": "token_endpoint",
    "OIDC_OP_USER_ENDPOINT": "userinfo_endpoint",
    "OIDC_OP_JWKS_ENDPOINT": "jwks_uri",
    "OIDC_OP_END_SESSION_ENDPOINT": "end_session_endpoint",
}
_lock = threading.Lock()
_documents: dict[str, dict] = {}


def enabled() -> bool:
    return bool(
        (settings.OIDC_ISSUER or settings.OIDC_OP_AUTHORIZATION_ENDPOINT)
        and settings.OIDC_RP_CLIENT_ID
    )


def discovery() -> dict:
    """The provider's discovery document (fetched once per process), or {} without an issuer."""
    issuer = settings.OIDC_ISSUER
    if not issuer:
        return {}
    with _lock:
        if issuer not in _documents:
            response = requests.get(
                f"{issuer}/.well-known/openid-configuration", timeout=settings.OIDC_TIMEOUT
            )
            response.raise_for_status()
            document = response.json()
            # OpenID Connect Discovery 1.0 §4.3: the document must name the issuer we asked.
            if document.get("issuer", "").rstrip("/") != issuer:
                raise ImproperlyConfigured(
                    f"The provider at {issuer} calls itself {document.get('issuer')!r}."
                )
            _documents[issuer] = document
        return _documents[issuer]


def forget_discovery() -> None:
    with _lock:
        _documents.clear()


def setting(name: str, *default):
    """A mozilla-django-oidc setting; endpoints fall back to the discovery document."""
    value = getattr(settings, name, "")
    if name in DISCOVERED and not value:
        value = discovery().get(DISCOVERED[name], "")
    if value in ("", None):
        if default:
            return default[0]
        if name in DISCOVERED:
            raise ImproperlyConfigured(f"{name} is not set and the provider does not publish it.")
        value = getattr(settings, name)
    return value


def issuer() -> str:
    """The issuer every ID token must name."""
    return settings.OIDC_ISSUER or discovery().get("issuer", "")
