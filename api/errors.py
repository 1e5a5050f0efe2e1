"""Every API error is JSON: {"error": "what went wrong"}, plus "fields" for bad input."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import JsonResponse
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.views import exception_handler as drf_exception_handler

INVALID = "The input is not valid; nothing was changed."


def exception_handler(exc, context):
    # Services raise Django's ValidationError for the rules they enforce.
    if isinstance(exc, DjangoValidationError):
        exc = ValidationError(serializers.as_serializer_error(exc))
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    data = response.data
    if isinstance(exc, ValidationError):
        fields = data if isinstance(data, dict) else {"non_field_errors": data}
        response.data = {"error": _first_message(fields) or INVALID, "fields": fields}
    elif isinstance(data, dict) and "detail" in data:
        response.data = {"error": str(data["detail"])}
    return response


def _first_message(fields: dict) -> str:
    general = fields.get("non_field_errors")
    if general:
        return " ".join(str(m) for m in general)
    return INVALID


@login_not_required
def not_found(request, *args, **kwargs):
    """Unknown paths under the API answer in JSON too (not the login page)."""
    return JsonResponse({"error": "No such API resource."}, status=404)
