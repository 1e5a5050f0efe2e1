"""Tokens for the API tests, and a client that sends them.

Scopes and team limits are the token model's `allows(scope)` and `covers_team(team)`; the
`grant` fixture gives a token exactly the scopes and teams a test names, whatever the model
stores, so the tests pin down what the API does with the answers.
"""

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
def grant(monkeypatch):
    """`grant(user, scopes=..., teams=None)` → an Api client for a new token of `user`.

    `teams=None` covers every team.
    """
    grants: dict[int, tuple[frozenset, frozenset | None]] = {}

    def allows(token, scope):
        return scope in grants[token.pk][0]

    def covers_team(token, team):
        teams = grants[token.pk][1]
        return teams is None or team.pk in teams

    def covers_service(token, service):
        return covers_team(token, service.team)

    monkeypatch.setattr(ApiToken, "allows", allows, raising=False)
    monkeypatch.setattr(ApiToken, "covers_team", covers_team, raising=False)
    monkeypatch.setattr(ApiToken, "covers_service", covers_service, raising=False)

    def make(client, user, scopes=ALL_SCOPES, teams=None) -> Api:
        token, raw = ApiToken.issue(name="test", by=user)
        grants[token.pk] = (frozenset(scopes),
                            None if teams is None else frozenset(t.pk for t in teams))
        return Api(client, raw)

    return make
