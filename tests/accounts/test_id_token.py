"""The ID token checks, against the real provider's discovery document and published keys.

Each token is signed here: with the provider's own key (so only the claim under test is
wrong) or with a key the provider never published (a forgery).
"""

import time

import jwt
import pytest
import requests
from django.core.exceptions import SuspiciousOperation

from accounts.backends import OIDCBackend
from tests.oidc_provider.fixtures import CLIENT_ID, rsa_pem

NONCE = "nonce-of-this-sign-in"


def provider_kid(provider) -> str:
    jwks = requests.get(f"{provider.issuer}/.well-known/jwks.json", timeout=5).json()
    return jwks["keys"][0]["kid"]


def sign(provider, key: str | None = None, **overrides) -> str:
    now = int(time.time())
    claims = {
        "iss": provider.issuer, "aud": CLIENT_ID, "sub": "42", "iat": now, "exp": now + 300,
        "nonce": NONCE,
    }
    claims.update(overrides)
    claims = {k: v for k, v in claims.items() if v is not None}
    return jwt.encode(
        claims, key or provider.private_key, algorithm="RS256",
        headers={"kid": provider_kid(provider)},
    )


@pytest.fixture
def backend(oidc_settings):
    return OIDCBackend()


def test_a_token_signed_by_the_provider_passes(backend, oidc_provider):
    claims = backend.verify_token(sign(oidc_provider), nonce=NONCE)

    assert claims["sub"] == "42"
    assert claims["iss"] == oidc_provider.issuer


def test_a_token_signed_with_another_key_is_refused(backend, oidc_provider):
    forged = sign(oidc_provider, key=rsa_pem())

    with pytest.raises(SuspiciousOperation, match="Signature verification failed"):
        backend.verify_token(forged, nonce=NONCE)


def test_an_expired_token_is_refused(backend, oidc_provider):
    an_hour_ago = int(time.time()) - 3600
    expired = sign(oidc_provider, iat=an_hour_ago - 300, exp=an_hour_ago)

    with pytest.raises(SuspiciousOperation, match="expired"):
        backend.verify_token(expired, nonce=NONCE)


def test_a_token_from_an_unknown_issuer_is_refused(backend, oidc_provider):
    elsewhere = sign(oidc_provider, iss="https://idp.elsewhere.example")

    with pytest.raises(SuspiciousOperation, match="issuer"):
        backend.verify_token(elsewhere, nonce=NONCE)


def test_a_token_for_another_client_is_refused(backend, oidc_provider):
    other = sign(oidc_provider, aud="another-app")

    with pytest.raises(SuspiciousOperation, match="(?i)audience"):
        backend.verify_token(other, nonce=NONCE)


def test_a_token_with_another_nonce_is_refused(backend, oidc_provider):
    replayed = sign(oidc_provider, nonce="nonce-of-an-earlier-sign-in")

    with pytest.raises(SuspiciousOperation, match="nonce"):
        backend.verify_token(replayed, nonce=NONCE)


def test_a_token_without_expiry_is_refused(backend, oidc_provider):
    with pytest.raises(SuspiciousOperation, match="exp"):
        backend.verify_token(sign(oidc_provider, exp=None), nonce=NONCE)


def test_an_unsigned_token_is_refused(backend, oidc_provider):
    unsigned = jwt.encode({"iss": oidc_provider.issuer, "aud": CLIENT_ID, "sub": "42",
                           "nonce": NONCE}, key=None, algorithm="none")

    with pytest.raises(SuspiciousOperation, match="not RS256"):
        backend.verify_token(unsigned, nonce=NONCE)


def test_with_several_audiences_the_authorized_party_must_be_us(backend, oidc_provider):
    shared = sign(oidc_provider, aud=[CLIENT_ID, "another-app"])
    ours = sign(oidc_provider, aud=[CLIENT_ID, "another-app"], azp=CLIENT_ID)

    with pytest.raises(SuspiciousOperation, match="azp"):
        backend.verify_token(shared, nonce=NONCE)
    assert backend.verify_token(ours, nonce=NONCE)["azp"] == CLIENT_ID
