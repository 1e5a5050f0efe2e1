"""Tokens for the API tests, and a client that sends them."""

from __future__ import annotations

import json

import pytest

from api.permissions import INTAKE, READ, WRITE_ACTION_ITEMS
from orr.models import ApiToken

ALL_SCOPES = (READ, WRITE_ACTION_ITEMS, INTAKE)


class Api:
    """Requests with `Authorization: Bearer <raw>`; JSON bodies both ways."""

    def __init__(self, client, raw: str | None):
        self.client, self.raw = client, raw

    def _headers(self) -> dict:
        return {"HTTP_AUTHORIZATION": f"Bearer {self.raw}"} if self.raw else {}

    def get(self, url: str, params: dict | None = None):
        return self.client.get(url, params or {}, **self._headers())

    def post(self, url: str, data: dict):
        return self.client.post(url, json.dumps(data, default=str),
                                content_type="application/json", **self._headers())


@pytest.fixture
def grant(db):
    """`grant(client, user, scopes=..., teams=None)` → an Api client for a new token of `user`.

    `teams=None` covers every team.
    """

    def make(client, user, scopes=ALL_SCOPES, teams=None) -> Api:
        _, raw = ApiToken.issue(name="test", by=user, scopes=scopes, teams=teams)
        return Api(client, raw)

    return make
