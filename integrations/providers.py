"""Each provider's authentication and payload, read into one shape.

Every function here takes the raw request (body bytes and headers) and either returns plain
data or raises ``Refused`` with the HTTP status and a message for the sender. Nothing here
touches the database.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from dataclasses import dataclass, field


class Refused(Exception):
    def __init__(self, status: int, message: str):
        self.status = status
        self.message = message
        super().__init__(message)


@dataclass
class IncidentUpdate:
    """What one delivery says about one incident."""

    external_id: str
    provider_service: str
    title: str
    status: str  # triggered | acknowledged | resolved
    severity: int  # 1 (worst) … 4
    url: str = ""
    triggered_at: dt.datetime | None = None
    acknowledged_at: dt.datetime | None = None
    resolved_at: dt.datetime | None = None
    responders: list[dict] = field(default_factory=list)


@dataclass
class IssueChange:
    """What a tracker says happened to an issue."""

    issue_urls: list[str]
    state: str  # closed | reopened
    actor: str
    tracker: str


# --- authentication ---------------------------------------------------------------------------

def _hmac_hex(secret: str, body: bytes) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify_prefixed_hmac(secret: str, body: bytes, header: str, prefix: str) -> None:
    """A header of comma-separated "<prefix><hex>" signatures (PagerDuty lists one per secret
    while a secret is rotated), at least one of them ours."""
    expected = prefix + _hmac_hex(secret, body)
    candidates = [part.strip() for part in header.split(",") if part.strip()]
    if not any(hmac.compare_digest(expected, c) for c in candidates):
        raise Refused(401, "Bad or missing signature.")


def verify_token(secret: str, given: str) -> None:
    if not given or not hmac.compare_digest(secret.encode(), given.encode()):
        raise Refused(401, "Bad or missing token.")


def bearer(headers) -> str:
    scheme, _, token = headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def authenticate(provider: str, secret: str, body: bytes, headers) -> None:
    if provider == "pagerduty":
        verify_prefixed_hmac(secret, body, headers.get("X-PagerDuty-Signature", ""), "v1=")
    elif provider == "generic":
        verify_prefixed_hmac(secret, body, headers.get("X-OpsReview-Signature", ""), "sha256=")
    elif provider == "github":
        verify_prefixed_hmac(secret, body, headers.get("X-Hub-Signature-256", ""), "sha256=")
    elif provider == "jira":
        # Jira Cloud admin webhooks with a secret sign the body (WebSub); Jira Data Center
        # cannot sign, so it may send the shared secret as a bearer token instead.
        if headers.get("X-Hub-Signature"):
            verify_prefixed_hmac(secret, body, headers["X-Hub-Signature"], "sha256=")
        else:
            verify_token(secret, bearer(headers))
    elif provider == "gitlab":
        verify_token(secret, headers.get("X-Gitlab-Token", ""))
    else:  # opsgenie, alertmanager: a bearer token in a header they let you configure
        verify_token(secret, bearer(headers))


def parse_json(body: bytes) -> dict:
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise Refused(400, "The body is not JSON.") from exc
    if not isinstance(data, dict):
        raise Refused(400, "The body must be a JSON object.")
    return data


# --- timestamps -------------------------------------------------------------------------------

def iso(value) -> dt.datetime | None:
    if not value:
        return None
    try:
        parsed = dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError as exc:
        raise Refused(400, f"“{value}” is not an ISO 8601 time.") from exc
    if parsed.tzinfo is None:
        raise Refused(400, f"“{value}” has no time zone.")
    return parsed.astimezone(dt.UTC)


def epoch_ms(value) -> dt.datetime | None:
    if value in (None, ""):
        return None
    try:
        return dt.datetime.fromtimestamp(int(value) / 1000, tz=dt.UTC)
    except (TypeError, ValueError, OverflowError, OSError) as exc:
        raise Refused(400, f"“{value}” is not a time in milliseconds.") from exc


def _get(data: dict, *path, default=None):
    for key in path:
        if not isinstance(data, dict):
            return default
        data = data.get(key)
    return default if data is None else data


def _need(value, what: str):
    if value in (None, "", [], {}):
        raise Refused(400, f"The payload has no {what}.")
    return value


# --- pagers -----------------------------------------------------------------------------------

PRIORITY_SEVERITY = {"P1": 1, "P2": 2, "P3": 3, "P4": 4, "P5": 4}


def pagerduty(data: dict) -> IncidentUpdate | None:
    """A v3 webhook: {"event": {"event_type", "occurred_at", "agent", "data": <incident>}}."""
    event = _need(_get(data, "event"), "event")
    event_type = str(_need(event.get("event_type"), "event.event_type"))
    status = {"incident.triggered": "triggered", "incident.acknowledged": "acknowledged",
              "incident.resolved": "resolved"}.get(event_type)
    if status is None:
        return None  # annotations, priority changes…: nothing for a COE
    incident = _need(event.get("data"), "event.data")
    occurred = iso(event.get("occurred_at"))
    priority = _get(incident, "priority", "summary", default="")
    severity = PRIORITY_SEVERITY.get(priority) or (
        2 if incident.get("urgency") == "high" else 3)
    agent = event.get("agent") or {}
    responders = [{"name": a.get("summary", ""), "id": a.get("id", "")}
                  for a in incident.get("assignees") or [] if isinstance(a, dict)]
    if status in ("acknowledged", "resolved") and agent.get("type") == "user_reference":
        responders.append({"name": agent.get("summary", ""), "id": agent.get("id", "")})
    return IncidentUpdate(
        external_id=str(_need(incident.get("id"), "incident id")),
        provider_service=str(_need(_get(incident, "service", "id"), "service id")),
        title=str(incident.get("title") or "Incident")[:200],
        status=status, severity=severity, url=str(incident.get("html_url") or "")[:500],
        triggered_at=iso(incident.get("created_at")),
        acknowledged_at=occurred if status == "acknowledged" else None,
        resolved_at=occurred if status == "resolved" else None,
        responders=responders,
    )


def opsgenie(data: dict) -> IncidentUpdate | None:
    """An alert webhook: {"action": "Create|Acknowledge|Close", "alert": {...}}."""
    action = str(_need(data.get("action"), "action"))
    status = {"Create": "triggered", "Acknowledge": "acknowledged",
              "Close": "resolved"}.get(action)
    if status is None:
        return None
    alert = _need(data.get("alert"), "alert")
    updated = epoch_ms(alert.get("updatedAt"))
    service = alert.get("entity") or next(iter(alert.get("tags") or []), "")
    responders = []
    if status != "triggered" and alert.get("username"):
        responders.append({"name": str(alert["username"]), "id": str(alert.get("userId", ""))})
    return IncidentUpdate(
        external_id=str(_need(alert.get("alertId"), "alert.alertId")),
        provider_service=str(_need(service, "alert.entity (or a tag) naming the service")),
        title=str(alert.get("message") or "Alert")[:200],
        status=status, severity=PRIORITY_SEVERITY.get(alert.get("priority"), 3),
        triggered_at=epoch_ms(alert.get("createdAt")),
        acknowledged_at=updated if status == "acknowledged" else None,
        resolved_at=updated if status == "resolved" else None,
        responders=responders,
    )


ALERTMANAGER_SEVERITY = {"critical": 1, "page": 1, "error": 2, "major": 2, "warning": 3,
                         "minor": 3, "info": 4}


def alertmanager(data: dict) -> IncidentUpdate | None:
    """A webhook_config notification of one alert group (version 4)."""
    alerts = [a for a in _need(data.get("alerts"), "alerts") if isinstance(a, dict)]
    if not alerts:
        raise Refused(400, "The payload has no alerts.")
    labels = data.get("commonLabels") or {}
    starts = [iso(a.get("startsAt")) for a in alerts]
    started = min(s for s in starts if s) if any(starts) else None
    status = "resolved" if data.get("status") == "resolved" else "triggered"
    ends = [iso(a.get("endsAt")) for a in alerts] if status == "resolved" else []
    group_key = str(_need(data.get("groupKey"), "groupKey"))
    annotations = data.get("commonAnnotations") or {}
    return IncidentUpdate(
        # The same group fires again another day: that is another incident.
        external_id=f"{group_key}@{started.isoformat() if started else ''}"[:300],
        provider_service=str(_need(labels.get("service") or labels.get("job"),
                                   "commonLabels.service")),
        title=str(annotations.get("summary") or labels.get("alertname") or "Alert")[:200],
        status=status, severity=ALERTMANAGER_SEVERITY.get(str(labels.get("severity")), 3),
        url=str(data.get("externalURL") or "")[:500],
        triggered_at=started,
        resolved_at=max((e for e in ends if e), default=None),
    )


GENERIC_STATUSES = ("triggered", "acknowledged", "resolved")


def generic(data: dict) -> IncidentUpdate | None:
    """The documented generic shape (docs/integrations.md)."""
    status = data.get("status")
    if status not in GENERIC_STATUSES:
        raise Refused(400, f"status must be one of {', '.join(GENERIC_STATUSES)}.")
    severity = data.get("severity")
    if severity not in (1, 2, 3, 4):
        raise Refused(400, "severity must be 1, 2, 3 or 4.")
    responders = data.get("responders") or []
    if not isinstance(responders, list):
        raise Refused(400, "responders must be a list.")
    return IncidentUpdate(
        external_id=str(_need(data.get("id"), "id"))[:300],
        provider_service=str(_need(data.get("service"), "service")),
        title=str(_need(data.get("title"), "title"))[:200],
        status=status, severity=severity, url=str(data.get("url") or "")[:500],
        triggered_at=iso(data.get("triggered_at")),
        acknowledged_at=iso(data.get("acknowledged_at")),
        resolved_at=iso(data.get("resolved_at")),
        responders=[{"name": str(r.get("name", ""))[:120], "email": str(r.get("email", ""))[:200]}
                    for r in responders if isinstance(r, dict)],
    )


PAGER_PARSERS = {"pagerduty": pagerduty, "opsgenie": opsgenie, "alertmanager": alertmanager,
                 "generic": generic}


# --- trackers ---------------------------------------------------------------------------------

def github(data: dict, headers) -> IssueChange | None:
    if headers.get("X-GitHub-Event") != "issues":
        return None
    state = {"closed": "closed", "reopened": "reopened"}.get(data.get("action"))
    if state is None:
        return None
    issue = _need(data.get("issue"), "issue")
    url = str(_need(issue.get("html_url"), "issue.html_url"))
    return IssueChange(issue_urls=[url], state=state, tracker="GitHub",
                       actor=str(_get(data, "sender", "login", default="someone")))


def gitlab(data: dict, headers) -> IssueChange | None:
    if data.get("object_kind") != "issue":
        return None
    attrs = _need(data.get("object_attributes"), "object_attributes")
    state = {"close": "closed", "reopen": "reopened"}.get(attrs.get("action"))
    if state is None:
        return None
    url = str(_need(attrs.get("url"), "object_attributes.url"))
    return IssueChange(issue_urls=[url], state=state, tracker="GitLab",
                       actor=str(_get(data, "user", "username", default="someone")))


def jira(data: dict, headers) -> IssueChange | None:
    if data.get("webhookEvent") != "jira:issue_updated":
        return None
    status_change = next((i for i in _get(data, "changelog", "items", default=[])
                          if isinstance(i, dict) and i.get("field") == "status"), None)
    if status_change is None:
        return None
    issue = _need(data.get("issue"), "issue")
    category = _get(issue, "fields", "status", "statusCategory", "key", default="")
    # Any other status counts as open: the service reopens only an item that is closed.
    state = "closed" if category == "done" else "reopened"
    key = str(_need(issue.get("key"), "issue.key"))
    # Backlog links are browse URLs; the payload has the REST URL: same site, same key.
    site = str(_need(issue.get("self"), "issue.self")).split("/rest/")[0]
    return IssueChange(issue_urls=[f"{site}/browse/{key}"], state=state, tracker="Jira",
                       actor=str(_get(data, "user", "displayName", default="someone")))


TRACKER_PARSERS = {"github": github, "gitlab": gitlab, "jira": jira}
