"""The readiness API a deploy pipeline asks before it ships."""

import datetime as dt

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import JsonResponse
from django.views.decorators.http import require_GET

from catalog.models import Service
from opsreview import pagecache
from orr.models import ApiToken
from orr.services import readiness_payload

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
                    "404": {"description": "Unknown service", "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
                },
            }
        }
    },
}


def _token(request) -> ApiToken | None:
    header = request.headers.get("Authorization", "")
    scheme, _, raw = header.partition(" ")
    if scheme.lower() not in ("bearer", "token") or not raw.strip():
        return None
    return ApiToken.authenticate(raw.strip())


@login_not_required
@require_GET
def service_readiness(request, slug):
    if _token(request) is None:
        return JsonResponse({"error": "A valid API token is required (Authorization: Bearer …)."},
                            status=401)
    payload = pagecache.remembered(f"readiness:{slug}", lambda: _payload(slug), until=_expiry)
    if payload is None:
        return JsonResponse({"error": f"No service “{slug}”."}, status=404)
    return JsonResponse(payload)


def _payload(slug: str) -> dict | None:
    service = Service.objects.filter(slug=slug).first()
    return readiness_payload(service, settings.SITE_URL) if service else None


def _expiry(payload: dict) -> dt.datetime | None:
    """A ready service turns expired by the clock alone: keep its answer no longer."""
    return dt.datetime.fromisoformat(payload["expires_at"]) if payload["expires_at"] else None


@login_not_required
@require_GET
def openapi(request):
    return JsonResponse(OPENAPI)
