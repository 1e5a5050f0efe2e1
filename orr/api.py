"""The readiness API a deploy pipeline asks before it ships."""

import datetime as dt

from django.contrib.auth.decorators import login_not_required
from django.http import JsonResponse
from django.views.decorators.http import require_GET

from catalog.models import Service
from opsreview import pagecache
from opsreview.links import site_url
from orr.models import ApiToken
from orr.readiness import readiness_payload

OPENAPI = {
    "openapi": "3.0.3",
    "info": {"title": "OpsReview readiness API", "version": "1"},
    "components": {
        "securitySchemes": {"token": {"type": "http", "scheme": "bearer"}},
        "schemas": {
            "Readiness": {
                "type": "object",
                "required": ["service", "status", "approved_at", "expires_at", "review_url",
                             "open_high_risks", "overdue_actions"],
                "properties": {
                    "service": {"type": "string", "description": "service slug"},
                    "status": {"type": "string", "enum": ["ready", "expired", "in_review",
                                                          "not_ready", "never_reviewed"]},
                    "approved_at": {"type": "string", "format": "date-time", "nullable": True},
                    "expires_at": {"type": "string", "format": "date-time", "nullable": True},
                    "review_url": {"type": "string", "format": "uri", "nullable": True},
                    "open_high_risks": {"type": "integer"},
                    "overdue_actions": {"type": "integer"},
                },
            },
            "Error": {"type": "object", "properties": {"error": {"type": "string"}}},
        },
    },
    "security": [{"token": []}],
    "paths": {
        "/api/v1/services/{slug}/readiness/": {
            "get": {
                "summary": "Whether the service's ORR is approved and current",
                "parameters": [{"name": "slug", "in": "path", "required": True,
                                "schema": {"type": "string"}}],
                "responses": {
                    "200": {"description": "Readiness", "content": {"application/json": {
                        "schema": {"$ref": "#/components/schemas/Readiness"}}}},
                    "401": {"description": "Missing or bad token", "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
                    "403": {"description": "The token may not read readiness", "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
                    "404": {"description": "Unknown service, or one outside the token's teams",
                            "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
                },
            }
        }
    },
}


def _raw_token(request) -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, raw = header.partition(" ")
    if scheme.lower() not in ("bearer", "token") or not raw.strip():
        return None
    return raw.strip()


@login_not_required
@require_GET
def service_readiness(request, slug):
    raw = _raw_token(request)
    base = site_url(request)
    # The whole answer for this token and service is remembered until the next write (revoking
    # the token is one), the token's or the ORR's expiry: a pipeline asking every few seconds
    # costs no query.
    answer = raw and pagecache.remembered(
        f"readiness:{ApiToken.hash(raw)}:{slug}:{base}", lambda: _answer(raw, slug, base),
        until=_expiry)
    if not answer:
        return JsonResponse({"error": "A valid API token is required (Authorization: Bearer …)."},
                            status=401)
    status, body, _ = answer
    return JsonResponse(body, status=status)


def _answer(raw: str, slug: str, base: str) -> tuple[int, dict, str | None] | None:
    """(status, body, token expiry) of the readiness answer; None when the token is not a live
    one. A service outside the token's teams is answered as unknown."""
    token = ApiToken.authenticate(raw)
    if token is None:
        return None
    expiry = token.expires_at.isoformat() if token.expires_at else None
    if not token.allows(ApiToken.Scope.READ):
        return 403, {"error": "This token may not read readiness."}, expiry
    service = Service.objects.filter(slug=slug).first()
    if service is None or not token.covers_service(service):
        return 404, {"error": f"No service “{slug}”."}, expiry
    return 200, readiness_payload(service, base), expiry


def _expiry(answer: tuple[int, dict, str | None]) -> dt.datetime | None:
    """A ready service turns expired, and a token stops working, by the clock alone: keep the
    answer no longer than the earlier of the two."""
    moments = [dt.datetime.fromisoformat(m) for m in (answer[1].get("expires_at"), answer[2]) if m]
    return min(moments) if moments else None


@login_not_required
@require_GET
def openapi(request):
    return JsonResponse(OPENAPI)
