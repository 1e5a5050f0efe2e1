"""Bearer tokens: the ApiToken rows an admin issues (only their hash is stored)."""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.authentication import BaseAuthentication
from rest_framework.exceptions import AuthenticationFailed, NotAuthenticated

from api.permissions import acting_user
from orr.models import ApiToken

MISSING = "A valid API token is required (Authorization: Bearer …)."


def raw_token(request) -> str | None:
    """The token of an `Authorization: Bearer …` (or `Token …`) header."""
    header = request.headers.get("Authorization", "")
    scheme, _, raw = header.partition(" ")
    if scheme.lower() not in ("bearer", "token") or not raw.strip():
        return None
    return raw.strip()


class BearerTokenAuthentication(BaseAuthentication):
    """A live token authenticates as its creator; a missing, unknown or revoked one is a 401."""

    def authenticate(self, request):
        raw = raw_token(request)
        if raw is None:
            raise NotAuthenticated(MISSING)
        # Refuses revoked tokens and records the last use (to the minute), as for readiness.
        token = ApiToken.authenticate(raw)
        if token is None:
            raise AuthenticationFailed(MISSING)
        return acting_user(token), token

    def authenticate_header(self, request) -> str:
        return 'Bearer realm="api"'


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = BearerTokenAuthentication
    name = "token"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer"}
