"""Authentication backends: local passwords (switchable) and the company identity provider."""

from __future__ import annotations

import logging

import jwt
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import SuspiciousOperation
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from accounts import oidc
from accounts.services import identity_sign_in
from opsreview.prepared import Prepared

log = logging.getLogger(__name__)
# Clock skew allowed between the provider and us when checking exp, iat and nbf.
LEEWAY_SECONDS = 60


# The signed-in person, read on every request: a prepared query (opsreview.prepared).
_USER_BY_ID = Prepared(lambda pk: get_user_model()._default_manager.filter(pk=pk)[:2])


def _get_user(backend: ModelBackend, user_id):
    """ModelBackend.get_user, its query compiled once per process."""
    if not isinstance(user_id, int):  # a custom session value: Django's own way
        return ModelBackend.get_user(backend, user_id)
    found = _USER_BY_ID(user_id)
    user = found[0] if len(found) == 1 else None
    return user if user is not None and backend.user_can_authenticate(user) else None


class LocalPasswordBackend(ModelBackend):
    """Username and password; with LOCAL_LOGIN off, only superusers (the break-glass way)."""

    get_user = _get_user

    def user_can_authenticate(self, user) -> bool:
        if not settings.LOCAL_LOGIN and not user.is_superuser:
            return False
        return super().user_can_authenticate(user)


class OIDCBackend(OIDCAuthenticationBackend):
    """mozilla-django-oidc's code flow, with the ID token checked in full and roles synced.

    Its settings are read when used, not at construction: Django builds every backend for
    every authenticate() call, and without OIDC configured this one must simply say no.
    """

    get_settings = staticmethod(oidc.setting)

    def __init__(self, *args, **kwargs):
        self.UserModel = get_user_model()

    def __getattr__(self, name: str):
        if name.startswith("OIDC_"):
            return oidc.setting(name, None)
        raise AttributeError(name)

    def get_user(self, user_id):
        # mozilla-django-oidc's own get_user would keep a deactivated person signed in.
        return _get_user(self, user_id)

    def authenticate(self, request, **kwargs):
        if not oidc.enabled() or "nonce" not in kwargs:
            return None
        return super().authenticate(request, **kwargs)

    def verify_token(self, token: str, **kwargs) -> dict:
        """Signature (by the provider's published key), issuer, audience, expiry and nonce."""
        algorithm = settings.OIDC_RP_SIGN_ALGO
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as exc:
            raise SuspiciousOperation(f"Unreadable ID token: {exc}") from exc
        if header.get("alg") != algorithm:
            raise SuspiciousOperation(f"ID token signed with {header.get('alg')}, not {algorithm}")
        key = self.retrieve_matching_jwk(token)
        try:
            claims = jwt.decode(
                token,
                key,
                algorithms=[algorithm],
                audience=settings.OIDC_RP_CLIENT_ID,
                issuer=oidc.issuer(),
                leeway=LEEWAY_SECONDS,
                options={"require": ["exp", "iat", "iss", "aud", "sub"]},
            )
        except jwt.PyJWTError as exc:
            raise SuspiciousOperation(f"ID token refused: {exc}") from exc
        # OpenID Connect Core §3.1.3.7: with several audiences, azp must be us.
        if isinstance(claims["aud"], list) and len(claims["aud"]) > 1:
            if claims.get("azp") != settings.OIDC_RP_CLIENT_ID:
                raise SuspiciousOperation("ID token issued to another party (azp).")
        if kwargs.get("nonce") is None or claims.get("nonce") != kwargs["nonce"]:
            raise SuspiciousOperation("ID token nonce does not match this sign-in.")
        return claims

    def get_or_create_user(self, access_token, id_token, payload):
        claims = dict(payload)
        if self.get_settings("OIDC_OP_USER_ENDPOINT", ""):
            userinfo = self.get_userinfo(access_token, id_token, payload)
            # Core §5.3.2: userinfo about someone else must not be used.
            if userinfo.get("sub") != payload["sub"]:
                raise SuspiciousOperation("Userinfo is about another subject.")
            claims.update(userinfo)
        return identity_sign_in(issuer=payload["iss"], claims=claims)
