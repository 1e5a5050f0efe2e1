"""Issuing and revoking API tokens; both go into the organisation's audit log."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from catalog.models import OrgEvent
from catalog.services import org_log
from orr.models import ApiToken


@transaction.atomic
def token_issue(*, by, name: str, expires_at: dt.datetime | None, scopes: list[str],
                teams=None) -> tuple[ApiToken, str]:
    """A new token and its secret, which is shown once and never stored."""
    token, raw = ApiToken.issue(name=name, by=by, expires_at=expires_at, scopes=scopes,
                                teams=teams)
    covers = "all teams" if token.all_teams else ", ".join(sorted(t.name for t in teams))
    org_log(by=by, verb=OrgEvent.Verb.TOKEN_ISSUED,
            message=f"API token “{name}” ({token.prefix}…) issued for {covers}",
            token=token.pk, prefix=token.prefix, scopes=token.scopes,
            teams=sorted(t.slug for t in teams or []),
            expires_at=expires_at.isoformat() if expires_at else None)
    return token, raw


@transaction.atomic
def token_revoke(*, token: ApiToken, by) -> None:
    if token.revoked_at:
        return
    token.revoke()
    org_log(by=by, verb=OrgEvent.Verb.TOKEN_REVOKED,
            message=f"API token “{token.name}” ({token.prefix}…) revoked",
            token=token.pk, prefix=token.prefix)
