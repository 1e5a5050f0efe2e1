"""The one inbound endpoint: authenticate, parse, hand to a service, answer in JSON."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import RequestDataTooBig, ValidationError
from django.http import JsonResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from integrations import providers, services
from integrations.models import Integration
from integrations.providers import Refused


def _body(request) -> bytes:
    limit = getattr(settings, "INTEGRATION_MAX_BODY_BYTES", 1024 * 1024)
    try:
        declared = int(request.headers.get("Content-Length") or 0)
    except ValueError as exc:
        raise Refused(400, "Bad Content-Length.") from exc
    if declared > limit:
        raise Refused(413, f"The body is larger than {limit} bytes.")
    try:
        body = request.body
    except RequestDataTooBig as exc:
        raise Refused(413, f"The body is larger than {limit} bytes.") from exc
    if len(body) > limit:
        raise Refused(413, f"The body is larger than {limit} bytes.")
    return body


@csrf_exempt
@login_not_required
@require_POST
def receive(request, public_id):
    integration = get_object_or_404(Integration.objects.select_related("team", "created_by"),
                                    public_id=public_id)
    try:
        body = _body(request)
        # Authenticate before parsing: an unsigned body is never even read as JSON.
        providers.authenticate(integration.provider, integration.secret, body, request.headers)
        data = providers.parse_json(body)
        if integration.is_pager:
            return _incident(integration, data, body)
        return _issue(integration, data, request.headers)
    except Refused as refused:
        return JsonResponse({"error": refused.message}, status=refused.status)
    except ValidationError as exc:
        # The COE draft could not be opened (no published COE template, an impossible time):
        # nothing is kept, so the provider's retry or a replay applies it once this is fixed.
        return JsonResponse({"error": " ".join(exc.messages)}, status=422)


def _incident(integration: Integration, data: dict, body: bytes) -> JsonResponse:
    update = providers.PAGER_PARSERS[integration.provider](data)
    if update is None:
        return JsonResponse({"status": "ignored"}, status=202)
    digest = hashlib.sha256(body).hexdigest()
    record = services.incident_receive(integration=integration, update=update, digest=digest)
    postmortem = record.postmortem
    return JsonResponse({
        "status": "accepted",
        "incident": record.external_id,
        "coe": postmortem.code if postmortem else None,
    }, status=202)


def _issue(integration: Integration, data: dict, headers) -> JsonResponse:
    change = providers.TRACKER_PARSERS[integration.provider](data, headers)
    if change is None:
        return JsonResponse({"status": "ignored"}, status=202)
    items = services.issue_change_receive(integration=integration, change=change)
    return JsonResponse({"status": "accepted", "action_items": [i.pk for i in items]},
                        status=202)
